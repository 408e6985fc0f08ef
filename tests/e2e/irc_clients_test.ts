// Real IRC clients against a real `chat serve`: the irc-framework library
// (npm), and irssi (Debian) in tmux, each in #general with a `chat join`
// user and a netcat user: register, talk both ways, /msg, /me, /nick,
// /topic, /kick, /quit; and both over TLS, on --irc-tls-port and on the
// chat port (a ClientHello, then IRC inside). Tests whose tool is missing
// are ignored, never passed.

import { assertEquals, assertMatch } from "@std/assert";
import type { TLSSocket } from "node:tls";
import {
  certificateSha256,
  hexFingerprint,
} from "../../src/transport/fingerprint.ts";
import { Client } from "irc-framework";
import { ChatProcess, eventually, LineClient, runChat } from "../_helpers.ts";
import { have, Netcat } from "../_tools.ts";
import { TmuxWindow } from "../_tmux.ts";

const HAVE_NC = have("nc", "-h");
const HAVE_IRSSI = have("irssi", "--version") && have("tmux", "-V");

/** Starts `chat serve` with an IRC-friendly name, and a netcat and a `chat join` user. */
async function room(extra: string[] = []): Promise<{
  server: ChatProcess;
  port: number;
  nina: Netcat;
  ana: ChatProcess;
  stop(): Promise<void>;
}> {
  const { process: server, port } = await ChatProcess.server([
    "--no-web",
    "--no-announce",
    "--server-name",
    "irc.test",
    ...extra,
  ]);
  const nina = new Netcat("127.0.0.1", port);
  await nina.send("nina");
  await nina.waitFor("Welcome, nina!");
  const ana = new ChatProcess(["join", `127.0.0.1:${port}`, "--name", "ana"], {
    stdin: true,
  });
  await nina.waitFor("ana joined the chat!");
  return {
    server,
    port,
    nina,
    ana,
    async stop() {
      await nina.stop();
      await ana.stop();
      server.kill("SIGTERM");
      await server.status();
    },
  };
}

interface Seen {
  type: string;
  [key: string]: unknown;
}

/**
 * An irc-framework client that records the events of `types`, with a
 * wait for the first one `test` matches and for its connection's end.
 */
function watchedClient(types: readonly string[]) {
  const seen: Seen[] = [];
  const client = new Client({ auto_reconnect: false, ping_interval: 0 });
  const closed = new Promise<void>((resolve) =>
    client.on("close", () => resolve())
  );
  for (const type of types) {
    client.on(
      type,
      (event: Record<string, unknown>) => seen.push({ type, ...event }),
    );
  }
  const find = (what: string, test: (event: Seen) => boolean) =>
    eventually(
      () => seen.find(test),
      `${what}; irc-framework saw ${JSON.stringify(seen)}`,
    );
  return { client, closed, find };
}

Deno.test({
  name:
    "irc-framework registers, joins #general and talks with chat join and netcat users",
  ignore: !HAVE_NC,
  // irc-framework keeps a Node socket and timers of its own until its
  // connection is closed, which the test waits for.
  async fn() {
    const { port, nina, ana, stop } = await room();
    const { client, closed, find } = watchedClient([
      "registered",
      "join",
      "privmsg",
      "action",
      "nick",
      "topic",
      "kick",
      "part",
      "quit",
    ]);
    try {
      client.connect({
        host: "127.0.0.1",
        port,
        nick: "ircy",
        username: "ircy",
        gecos: "irc framework",
      });
      await find("registered", (e) => e.type === "registered");
      await find(
        "its own JOIN of #general",
        (e) =>
          e.type === "join" && e.nick === "ircy" && e.channel === "#general",
      );
      await nina.waitFor("ircy joined the chat!");

      await ana.writeLine("hello from chat join");
      await find(
        "ana's line",
        (e) =>
          e.type === "privmsg" && e.nick === "ana" &&
          e.message === "hello from chat join",
      );
      await nina.send("hello from netcat");
      await find(
        "nina's line",
        (e) =>
          e.type === "privmsg" && e.nick === "nina" && e.target === "#general",
      );

      client.say("#general", "hi from irc-framework");
      await nina.waitFor("ircy: hi from irc-framework");
      await ana.waitFor("hi from irc-framework");
      client.action("#general", "waves");
      await nina.waitFor("* ircy waves");
      await ana.writeLine("/me nods");
      await find(
        "ana's /me",
        (e) => e.type === "action" && e.nick === "ana" && e.message === "nods",
      );

      client.say("nina", "just for you");
      await nina.waitFor("[ircy -> nina] just for you");
      await nina.send("/msg ircy and back");
      await find(
        "nina's /msg",
        (e) =>
          e.type === "privmsg" && e.target === "ircy" &&
          e.message === "and back",
      );

      client.changeNick("ircy2");
      await find(
        "its NICK",
        (e) => e.type === "nick" && e.nick === "ircy" && e.new_nick === "ircy2",
      );
      await nina.waitFor("ircy is now known as ircy2");

      client.join("#irc");
      await find(
        "its JOIN of #irc",
        (e) => e.type === "join" && e.channel === "#irc",
      );
      await ana.writeLine("/join #irc");
      await find(
        "ana joining #irc",
        (e) => e.type === "join" && e.nick === "ana" && e.channel === "#irc",
      );
      client.setTopic("#irc", "set over IRC");
      await find(
        "the TOPIC",
        (e) => e.type === "topic" && e.topic === "set over IRC",
      );
      await ana.waitFor("set over IRC");
      client.raw("KICK", "#irc", "ana", "out you go");
      await find("the KICK", (e) => e.type === "kick" && e.kicked === "ana");
      await ana.waitFor("out you go");

      client.quit("bye from irc");
      await closed;
      await nina.waitFor("ircy2 left the chat! (quit: bye from irc)");
    } finally {
      client.quit();
      await stop();
    }
  },
});

function _quote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

Deno.test({
  name:
    "irssi registers, joins #general and talks with chat join and netcat users",
  ignore: !HAVE_NC || !HAVE_IRSSI,
  async fn() {
    const { port, nina, ana, stop } = await room();
    const home = await Deno.makeTempDir({ prefix: "chat_irssi_" });
    const irssi = new TmuxWindow();
    const screenHas = (text: string) =>
      irssi.waitForScreen(
        `irssi to show "${text}"`,
        (rows) => rows.some((row) => row.includes(text)) ? true : undefined,
      );
    const rowHas = (...texts: string[]) =>
      irssi.waitForScreen(
        `irssi to show a row with ${texts.join(", ")}`,
        (rows) =>
          rows.some((row) => texts.every((text) => row.includes(text)))
            ? true
            : undefined,
      );
    const command = async (line: string) => {
      await irssi.type(line);
      await irssi.press("Enter");
    };
    try {
      await Deno.writeTextFile(
        `${home}/config`,
        'settings = { core = { real_name = "Irssi User"; user_name = "irs"; nick = "irs"; }; "fe-common/core" = { theme = "default"; }; };\n',
      );
      await irssi.start(
        `TERM=screen irssi --home=${
          _quote(home)
        } -c 127.0.0.1 -p ${port} -n irs`,
        { width: 120, height: 40 },
      );
      await nina.waitFor("irs joined the chat!");
      // irssi opens the channel in a window of its own.
      await screenHas("MOTD File is missing");
      await command("/window goto #general");
      await screenHas("[#general]");
      await ana.writeLine("hello irssi");
      await screenHas("hello irssi");
      await nina.send("hi from netcat");
      await screenHas("hi from netcat");

      await command("hello from irssi");
      await nina.waitFor("irs: hello from irssi");
      await ana.waitFor("hello from irssi");
      await command("/me waves from irssi");
      await nina.waitFor("* irs waves from irssi");
      await command("/msg nina psst from irssi");
      await nina.waitFor("[irs -> nina] psst from irssi");

      await command("/nick irs2");
      await nina.waitFor("irs is now known as irs2");
      // irssi paces its own commands: wait for the server's answers.
      await command("/join #irssi");
      await rowHas("irs2", "has joined #irssi");
      await ana.writeLine("/join #irssi");
      await rowHas("ana", "has joined #irssi");
      await command("/topic #irssi topic by irssi");
      await ana.waitFor("topic by irssi");
      await command("/kick #irssi ana bye ana");
      await ana.waitFor("bye ana");

      await command("/quit irssi out");
      await nina.waitFor("irs2 left the chat! (quit: irssi out)");
      assertEquals(nina.lines.some((line) => line.includes("\x02")), false);
    } finally {
      await irssi.stop();
      await Deno.remove(home, { recursive: true });
      await stop();
    }
  },
});

Deno.test("chat serve --motd with a missing file says so in one line and exits 1", async () => {
  const result = await runChat([
    "serve",
    "--host",
    "127.0.0.1",
    "--port",
    "0",
    "--no-web",
    "--no-announce",
    "--motd",
    "/nonexistent/motd.txt",
  ]);
  assertEquals(result.code, 1);
  assertEquals(
    result.stderr,
    "chat: Cannot read the MOTD file /nonexistent/motd.txt: no such file\n",
  );
});

Deno.test("chat serve --irc-port takes IRC clients on a port of their own", async () => {
  const { process: server } = await ChatProcess.server([
    "--no-web",
    "--no-announce",
    "--irc-port",
    "0",
    "--server-name",
    "irc.own",
  ]);
  try {
    const line = await server.waitFor(/^IRC clients: \S+:\d+$/);
    const port = Number(/:(\d+)$/.exec(line)![1]);
    const client = await LineClient.connect(port);
    await client.write("NICK ana\r\nUSER ana 0 * :Ana\r\n");
    await client.expect(/^:irc\.own 001 ana /);
    await client.close();
  } finally {
    server.kill("SIGTERM");
    await server.status();
  }
});

/**
 * A server with --irc-tls-port, its ports and the fingerprint it printed
 * for IRC clients (hex pairs).
 */
async function tlsRoom() {
  const here = await room(["--irc-tls-port", "0"]);
  const hex = /^for IRC clients: (\S+)$/.exec(
    await here.server.waitFor(/^for IRC clients: /),
  )![1]!;
  const line = await here.server.waitFor(/^IRC clients over TLS: \S+:\d+$/);
  const tlsPort = Number(/:(\d+)$/.exec(line)![1]);
  return { ...here, hex, tlsPort };
}

Deno.test({
  name:
    "irc-framework talks over TLS on --irc-tls-port and on the chat port, and sees the certificate chat serve printed",
  ignore: !HAVE_NC,
  async fn() {
    const { server, port, tlsPort, hex, nina, stop } = await tlsRoom();
    try {
      for (const [nick, at] of [["tlsy", tlsPort], ["samey", port]] as const) {
        const { client, closed, find } = watchedClient([
          "registered",
          "join",
          "privmsg",
        ]);
        try {
          // Self-signed: not checked by a CA, but compared below with the
          // fingerprint chat serve printed.
          client.connect({
            host: "127.0.0.1",
            port: at,
            tls: true,
            rejectUnauthorized: false,
            nick,
            username: nick,
            gecos: "over tls",
          });
          await find("registered", (e) => e.type === "registered");
          const socket = client.connection.transport.socket as TLSSocket;
          const der = new Uint8Array(socket.getPeerCertificate(true).raw);
          assertEquals(hexFingerprint(await certificateSha256(der)), hex);
          await find(
            "its own JOIN of #general",
            (e) =>
              e.type === "join" && e.nick === nick && e.channel === "#general",
          );
          await nina.waitFor(`${nick} joined the chat!`);
          client.say("#general", `${nick} over TLS`);
          await nina.waitFor(`${nick}: ${nick} over TLS`);
          await nina.send(`plain back to ${nick}`);
          await find(
            "nina's line",
            (e) =>
              e.type === "privmsg" && e.nick === "nina" &&
              e.message === `plain back to ${nick}`,
          );
          client.quit("done");
          await closed;
          await nina.waitFor(`${nick} left the chat! (quit: done)`);
        } finally {
          client.quit();
        }
      }
      assertEquals(
        server.stdout.filter((line) =>
          / tls 127\.0\.0\.1:\d+: TLSv1\.[23]$/.test(line)
        ).length >= 2,
        true,
      );
    } finally {
      await stop();
    }
  },
});

Deno.test({
  name:
    "--irc-tls-port turns away plain IRC with one ERROR line, and the room goes on",
  ignore: !HAVE_NC,
  async fn() {
    const { tlsPort, nina, ana, stop } = await tlsRoom();
    try {
      const plain = await LineClient.connect(tlsPort);
      await plain.write("NICK plainy\r\nUSER plainy 0 * :Plain\r\n");
      assertMatch(
        await plain.expect(/^ERROR /),
        new RegExp(
          `^ERROR :Closing Link: Port ${tlsPort} takes IRC over TLS only`,
        ),
      );
      await plain.ended;
      await plain.close();
      await nina.send("still here");
      await ana.waitFor("still here");
    } finally {
      await stop();
    }
  },
});

Deno.test({
  name:
    "irssi with a pinned certificate talks over TLS on --irc-tls-port and on the chat port",
  ignore: !HAVE_NC || !HAVE_IRSSI,
  async fn() {
    const { port, tlsPort, hex, nina, ana, stop } = await tlsRoom();
    const home = await Deno.makeTempDir({ prefix: "chat_irssi_" });
    const irssi = new TmuxWindow();
    const screenHas = (text: string) =>
      irssi.waitForScreen(
        `irssi to show "${text}"`,
        (rows) => rows.some((row) => row.includes(text)) ? true : undefined,
      );
    const command = async (line: string) => {
      await irssi.type(line);
      await irssi.press("Enter");
    };
    try {
      await Deno.writeTextFile(
        `${home}/config`,
        'settings = { core = { real_name = "Irssi User"; user_name = "irs"; nick = "irs"; }; "fe-common/core" = { theme = "default"; }; };\n',
      );
      for (const [at, nick] of [[tlsPort, "irs"], [port, "irt"]] as const) {
        await irssi.start(
          `TERM=screen irssi --home=${_quote(home)} -n ${nick}`,
          { width: 160, height: 40 },
        );
        await screenHas("Irssi v");
        // Pinned: irssi checks the certificate's SHA-256 against the hex
        // chat serve printed, and needs no certificate authority.
        await command(`/connect -tls -tls_pinned_cert ${hex} 127.0.0.1 ${at}`);
        await nina.waitFor(`${nick} joined the chat!`);
        await screenHas(`Certificate Fingerprint: ${hex}`);
        await command("/window goto #general");
        await screenHas("[#general]");
        await ana.writeLine(`hello ${nick} over TLS`);
        await screenHas(`hello ${nick} over TLS`);
        await command(`${nick} says hi over TLS`);
        await nina.waitFor(`${nick}: ${nick} says hi over TLS`);
        await command(`/quit ${nick} leaves`);
        await nina.waitFor(`${nick} left the chat! (quit: ${nick} leaves)`);
        await irssi.stop();
      }
    } finally {
      await irssi.stop();
      await Deno.remove(home, { recursive: true });
      await stop();
    }
  },
});
