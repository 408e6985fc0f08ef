// The gaps of the IRC dialect closed after its first cut, end to end with
// a real `chat serve`: voice (`+v`, `PREFIX=(ov)@+`) from netcat to
// irc-framework, lines that end in a bare CR, the join replay for IRC
// clients without server-time, the name prompt a slow IRC client sees,
// CTCP between IRC users, a private /me across dialects, and /whois and
// /away for netcat users. Tests whose tool is missing are ignored, never
// passed.

import { assert } from "@std/assert";
import { Client } from "irc-framework";
import { ChatProcess, eventually, LineClient, plainUser } from "../_helpers.ts";
import { have, Netcat } from "../_tools.ts";

const HAVE_NC = have("nc", "-h");

/** An irc-framework client that records every line the server sent it. */
class IrcUser {
  readonly client: Client = new Client({
    auto_reconnect: false,
    ping_interval: 0,
  });
  readonly lines: string[] = [];
  readonly closed: Promise<void>;

  constructor(port: number, nick: string, extra: Record<string, unknown> = {}) {
    this.closed = new Promise<void>((resolve) =>
      this.client.on("close", () => resolve())
    );
    this.client.on("raw", (event: { line: string; from_server: boolean }) => {
      if (event.from_server) this.lines.push(event.line.trimEnd());
    });
    this.client.connect({
      host: "127.0.0.1",
      port,
      nick,
      username: nick,
      gecos: nick,
      ...extra,
    });
  }

  /** Waits for a line from the server that matches. */
  waitFor(what: string, test: RegExp): Promise<string> {
    return eventually(
      () => this.lines.find((line) => test.test(line)),
      `${what}; irc-framework got ${JSON.stringify(this.lines.slice(-30))}`,
    );
  }

  async stop(): Promise<void> {
    this.client.quit("done");
    await this.closed;
  }
}

async function server(...extra: string[]): Promise<
  { server: ChatProcess; port: number; stop(): Promise<void> }
> {
  const { process, port } = await ChatProcess.server([
    "--no-web",
    "--no-announce",
    "--server-name",
    "irc.test",
    ...extra,
  ]);
  return {
    server: process,
    port,
    async stop() {
      process.kill("SIGTERM");
      await process.status();
    },
  };
}

Deno.test({
  name:
    "an operator's /voice over netcat reaches irc-framework as MODE +v, and NAMES shows + (and @+ with multi-prefix)",
  ignore: !HAVE_NC,
  async fn() {
    const { port, stop } = await server();
    const nina = new Netcat("127.0.0.1", port);
    const ircy = new IrcUser(port, "ircy");
    try {
      await nina.send("nina");
      await nina.waitFor("Welcome, nina!");
      await nina.send("/join #v");
      await ircy.waitFor("the welcome", / 001 ircy /);
      await ircy.waitFor("PREFIX in ISUPPORT", / 005 .*PREFIX=\(ov\)@\+ /);
      ircy.client.join("#v");
      await ircy.waitFor("its JOIN of #v", /:ircy!\S+ JOIN #v/);
      await nina.send("/voice ircy");
      await ircy.waitFor("the MODE +v", /:nina!\S+ MODE #v \+v ircy$/);
      await nina.waitFor("nina gave ircy voice in #v");
      await nina.send("/voice nina");
      await ircy.waitFor("nina's own voice", /:nina!\S+ MODE #v \+v nina$/);
      ircy.client.raw("NAMES", "#v");
      // irc-framework asks for multi-prefix when it is offered.
      await ircy.waitFor(
        "NAMES with @+ and +",
        / 353 ircy = #v :@\+nina \+ircy$/,
      );
      await nina.send("/who");
      await nina.waitFor("@nina, +ircy");
    } finally {
      await ircy.stop();
      await nina.stop();
      await stop();
    }
  },
});

Deno.test("clients whose lines end in a bare CR are read line by line, in every dialect, and a CRLF split between reads is one line ending", async () => {
  const { port, stop } = await server();
  const nina = await plainUser(port, "nina");
  const clients: LineClient[] = [nina];
  try {
    // IRC: registration and a line, CR only.
    const irc = await LineClient.connect(port);
    clients.push(irc);
    await irc.write("NICK crly\rUSER crly 0 * :Carriage Return\r");
    await irc.expect(/ 001 crly /);
    await irc.expect(/ 366 crly #general /);
    await irc.write("PRIVMSG #general :from irc, CR only\r");
    await nina.expect("crly: from irc, CR only");
    // The LF of a CRLF in the next read is no empty line (no 421, no error).
    await irc.write("PRIVMSG #general :split crlf\r");
    await irc.write("\nPRIVMSG #general :after it\r\n");
    await nina.expect("crly: split crlf");
    await nina.expect("crly: after it");
    // Plain: the name and a line, CR only; telnet's CR NUL too.
    const plain = await LineClient.connect(port);
    clients.push(plain);
    await plain.write("cara\r");
    await plain.expect("Welcome, cara!");
    await plain.write("hi over CR\r");
    await nina.expect("cara: hi over CR");
    await plain.write("telnet style\r\0");
    await nina.expect("cara: telnet style");
    // Native: a hello and an input, CR only.
    const native = await LineClient.connect(port);
    clients.push(native);
    await native.write(
      JSON.stringify({ type: "hello", version: 2, name: "nate" }) + "\r",
    );
    await native.expectMessage("welcome");
    await native.write(
      JSON.stringify({ type: "input", text: "native CR" }) + "\r",
    );
    await nina.expect("nate: native CR");
    assert(!nina.lines.some((line) => line.includes("!!")), "no errors");
    assert(!irc.lines.some((line) => / (421|417|461) /.test(line)));
  } finally {
    for (const client of clients) await client.close();
    await stop();
  }
});

Deno.test("an IRC client without server-time gets the room's recent lines on joining as a replay of NOTICEs, not as live lines", async () => {
  const { port, stop } = await server();
  const nina = await plainUser(port, "nina");
  const irc = await LineClient.connect(port);
  try {
    await nina.send("said before you came");
    await nina.send("/me waves");
    // Its lines are handled in order: once /who is answered, both are kept.
    await nina.send("/who");
    await nina.expect("Online (1)");
    await irc.send("NICK late");
    await irc.send("USER late 0 * :Late Comer");
    await irc.expect(/ 366 late #general /);
    await irc.expect(
      /^:irc\.test NOTICE #general :Replay of the last 2 lines of #general/,
    );
    await irc.expect(
      /^:irc\.test NOTICE #general :\[\d{4}-\d\d-\d\d \d\d:\d\d\] <nina> said before you came$/,
    );
    await irc.expect(
      /^:irc\.test NOTICE #general :\[[^\]]+\] \* nina waves$/,
    );
    await irc.expect(/^:irc\.test NOTICE #general :End of replay\.$/);
    assert(
      !irc.lines.some((line) => line.includes(" PRIVMSG #")),
      irc.lines.join("\n"),
    );
  } finally {
    await irc.close();
    await nina.close();
    await stop();
  }
});

/**
 * A TCP proxy that holds what its client sends until the server has sent
 * something (the name prompt of a silent connection): an IRC client that
 * is slow to speak, without a sleep.
 */
function slowStart(port: number): { port: number; stop(): Promise<void> } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const pipes: Promise<void>[] = [];
  const conns: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const client of listener) {
      const upstream = await Deno.connect({ hostname: "127.0.0.1", port });
      conns.push(client, upstream);
      let heard: () => void = () => {};
      const spoke = new Promise<void>((resolve) => heard = resolve);
      const copy = async (
        from: Deno.Conn,
        to: Deno.Conn,
        before?: Promise<void>,
        after?: () => void,
      ) => {
        const buffer = new Uint8Array(16384);
        try {
          while (true) {
            const n = await from.read(buffer);
            if (n === null) break;
            await before;
            let offset = 0;
            while (offset < n) {
              offset += await to.write(buffer.subarray(offset, n));
            }
            after?.();
          }
        } catch {
          // closed under us
        }
        try {
          to.closeWrite();
        } catch {
          // already closed
        }
      };
      pipes.push(copy(upstream, client, undefined, heard));
      pipes.push(copy(client, upstream, spoke));
    }
  })();
  return {
    port: (listener.addr as Deno.NetAddr).port,
    async stop() {
      listener.close();
      await accepting.catch(() => {});
      for (const conn of conns) {
        try {
          conn.close();
        } catch {
          // already closed
        }
      }
      await Promise.all(pipes);
    },
  };
}

Deno.test("an IRC client that speaks after the name prompt reads it as a server NOTICE, and registers as usual", async () => {
  const { port, stop } = await server();
  const proxy = slowStart(port);
  const ircy = new IrcUser(proxy.port, "slowpoke");
  const notices: { nick?: string; message: string }[] = [];
  ircy.client.on("notice", (event: { nick?: string; message: string }) => {
    notices.push(event);
  });
  try {
    await ircy.waitFor(
      "the prompt, as an IRC notice",
      /^NOTICE \* :\*\*\* Welcome to chat! What is your name\?$/,
    );
    await ircy.waitFor("the welcome", / 001 slowpoke /);
    await ircy.waitFor("its JOIN", /:slowpoke!\S+ JOIN #general/);
    await eventually(
      () => notices.some((n) => n.message.includes("What is your name?")),
      `irc-framework to show the prompt as a notice: ${
        JSON.stringify(notices)
      }`,
    );
    assert(!ircy.lines.some((line) => / 421 /.test(line)), "no junk reply");
  } finally {
    await ircy.stop();
    await proxy.stop();
    await stop();
  }
});

Deno.test({
  name:
    "CTCP between IRC users goes to the other client, which answers itself; a private /me crosses dialects as an action",
  ignore: !HAVE_NC,
  async fn() {
    const { port, stop } = await server();
    const nina = new Netcat("127.0.0.1", port);
    const asker = new IrcUser(port, "asker");
    const other = new IrcUser(port, "other", { version: "other-client 1.0" });
    const answers: { nick: string; type: string; message: string }[] = [];
    const actions: { nick: string; target: string; message: string }[] = [];
    asker.client.on("ctcp response", (event: typeof answers[number]) => {
      answers.push(event);
    });
    asker.client.on("action", (event: typeof actions[number]) => {
      actions.push(event);
    });
    try {
      await nina.send("nina");
      await nina.waitFor("Welcome, nina!");
      await asker.waitFor("the welcome", / 001 asker /);
      await other.waitFor("the welcome", / 001 other /);
      asker.client.ctcpRequest("other", "VERSION");
      await other.waitFor(
        "the query, from asker",
        // deno-lint-ignore no-control-regex
        /:asker!\S+ PRIVMSG other :\x01VERSION\x01/,
      );
      await eventually(
        () =>
          answers.find((a) =>
            a.nick === "other" && a.message.includes("other-client 1.0")
          ),
        `other's own answer: ${JSON.stringify(answers)}`,
      );
      // To a netcat user the server answers.
      asker.client.ctcpRequest("nina", "VERSION");
      await eventually(
        () =>
          answers.find((a) =>
            a.nick === "nina" && a.message.includes("answered by the server")
          ),
        `the server's answer for nina: ${JSON.stringify(answers)}`,
      );
      asker.client.action("nina", "waves privately");
      await nina.waitFor("[asker -> nina] * asker waves privately");
      await nina.send("/msg asker /me nods back");
      await eventually(
        () =>
          actions.find((a) =>
            a.nick === "nina" && a.target === "asker" &&
            a.message === "nods back"
          ),
        `nina's private action: ${JSON.stringify(actions)}`,
      );
      assert(!nina.lines.some((line) => line.includes("VERSION")));
    } finally {
      await asker.stop();
      await other.stop();
      await nina.stop();
      await stop();
    }
  },
});
