// Telnet clients on the chat port: the option negotiation that `telnet` and
// PuTTY open with (raw bytes over a socket, and the real `telnet` where it
// is installed) is answered with refusals and never becomes part of a name
// or a message; the name prompt still comes.

import { assert, assertEquals } from "@std/assert";
import { TextLineStream } from "@std/streams/text-line-stream";
import { DEADLINE_MS, eventually, plainUser, withServer } from "../_helpers.ts";
import { have } from "../_tools.ts";

const IAC = 0xff;
const [WILL, DO, WONT, DONT] = [251, 253, 252, 254];
const [ECHO, SGA, TTYPE, NAWS, TSPEED, LINEMODE, NEW_ENVIRON] = [
  1,
  3,
  24,
  31,
  32,
  34,
  39,
];
const NOP = 241;

/** What PuTTY sends first in its Telnet mode. */
const PUTTY_OPENING = [
  [IAC, WILL, NAWS],
  [IAC, WILL, TSPEED],
  [IAC, WILL, TTYPE],
  [IAC, WILL, NEW_ENVIRON],
  [IAC, DO, ECHO],
  [IAC, WILL, LINEMODE],
  [IAC, DO, SGA],
].flat();

/** A raw connection that keeps every byte the server sends. */
class RawPeer {
  bytes: number[] = [];
  readonly ended: Promise<void>;
  #conn: Deno.TcpConn;

  constructor(conn: Deno.TcpConn) {
    this.#conn = conn;
    this.ended = (async () => {
      const buffer = new Uint8Array(4096);
      try {
        while (true) {
          const n = await conn.read(buffer);
          if (n === null) return;
          this.bytes.push(...buffer.subarray(0, n));
        }
      } catch {
        // closed by us
      }
    })();
  }

  static async connect(port: number): Promise<RawPeer> {
    return new RawPeer(await Deno.connect({ hostname: "127.0.0.1", port }));
  }

  async write(bytes: number[] | string): Promise<void> {
    const data = typeof bytes === "string"
      ? new TextEncoder().encode(bytes)
      : new Uint8Array(bytes);
    let offset = 0;
    while (offset < data.length) {
      offset += await this.#conn.write(data.subarray(offset));
    }
  }

  /** Everything received, as text (the replies' 0xFF bytes as U+FFFD). */
  get text(): string {
    return new TextDecoder().decode(new Uint8Array(this.bytes));
  }

  async waitFor(text: string): Promise<void> {
    await eventually(
      () => this.text.includes(text),
      `"${text}"; got ${JSON.stringify(this.text)}`,
    );
  }

  /** The three-byte commands received, as `[verb, option]` pairs. */
  get commands(): number[][] {
    const found: number[][] = [];
    for (let i = 0; i + 2 < this.bytes.length; i++) {
      if (this.bytes[i] === IAC) {
        found.push([this.bytes[i + 1]!, this.bytes[i + 2]!]);
        i += 2;
      }
    }
    return found;
  }

  async close(): Promise<void> {
    this.#conn.close();
    await this.ended;
  }
}

Deno.test("a telnet client's opening negotiation is refused, the prompt still comes, and the name is clean", async () => {
  await withServer(async (server, logs) => {
    const port = server.chat.addr.port;
    const bob = await plainUser(port, "bob");
    const putty = await RawPeer.connect(port);
    await putty.write(PUTTY_OPENING);
    await putty.waitFor("What is your name?");
    assertEquals(putty.commands, [
      [DONT, NAWS],
      [DONT, TSPEED],
      [DONT, TTYPE],
      [DONT, NEW_ENVIRON],
      [WONT, ECHO],
      [DONT, LINEMODE],
      [WONT, SGA],
    ]);
    // The name, with a keepalive in the middle and a second, refused,
    // negotiation before the line ending.
    await putty.write([0x61, IAC, NOP, 0x6e, 0x61, IAC, DO, ECHO, 0x0d, 0x0a]);
    await putty.waitFor("Welcome, ana!");
    await bob.expect(/^\[\d\d:\d\d\] -- ana joined the chat!$/);
    await putty.write([
      ...new TextEncoder().encode("hi "),
      IAC,
      IAC,
      ...new TextEncoder().encode(" bob\r\n"),
    ]);
    // IAC IAC is a 0xFF byte, not UTF-8: the text shows U+FFFD.
    await bob.expect(/^\[\d\d:\d\d\] ana: hi \uFFFD bob$/);
    // Each option is refused once.
    assertEquals(putty.commands.length, 7);
    assert(logs.some((line) => line.includes("join ana (127.0.0.1:")));
    await Promise.all([putty.close(), bob.close()]);
  });
});

Deno.test("a telnet client that only negotiates is still asked for its name", async () => {
  await withServer(async (server) => {
    const putty = await RawPeer.connect(server.chat.addr.port);
    await putty.write([IAC, WILL, NAWS]);
    await putty.waitFor("What is your name?");
    await putty.close();
  }, { promptAfterMs: 50 });
});

const HAVE_TELNET = have("telnet", "--version");

Deno.test({
  name:
    "the real telnet, negotiating its options, joins with a clean name and talks",
  ignore: !HAVE_TELNET,
  async fn() {
    await withServer(async (server) => {
      const port = server.chat.addr.port;
      const bob = await plainUser(port, "bob");
      // A port with a minus sign: telnet negotiates as on port 23.
      const telnet = new Deno.Command("telnet", {
        args: ["127.0.0.1", "--", `-${port}`],
        stdin: "piped",
        stdout: "piped",
        stderr: "null",
      }).spawn();
      const input = telnet.stdin.getWriter();
      const lines: string[] = [];
      const reading = (async () => {
        const stream = telnet.stdout.pipeThrough(new TextDecoderStream())
          .pipeThrough(new TextLineStream());
        for await (const line of stream) lines.push(line);
      })();
      const seen = (text: string) =>
        eventually<boolean>(
          () => lines.some((line) => line.includes(text)),
          `telnet to show "${text}"; it showed:\n${lines.join("\n")}`,
          DEADLINE_MS,
        );
      try {
        await seen("What is your name?");
        await input.write(new TextEncoder().encode("tina\n"));
        await seen("Welcome, tina!");
        await bob.expect(/^\[\d\d:\d\d\] -- tina joined the chat!$/);
        await input.write(new TextEncoder().encode("hello from telnet\n"));
        await bob.expect(/^\[\d\d:\d\d\] tina: hello from telnet$/);
        await bob.send("hi tina");
        await seen("bob: hi tina");
      } finally {
        telnet.kill("SIGKILL");
        await telnet.status;
        await input.close().catch(() => {});
        await reading;
        await bob.close();
      }
    });
  },
});
