// Checks src/transport/stream_transport.ts over real sockets on 127.0.0.1:
// lines reach the sink (an unfinished last one too), a too-long line is
// reported and dropped, a peer past the hard limit is cut off, writes reach
// the peer and stop at the bound, a telnet client's negotiation is refused
// and never read as text, close() ends the input once; and, with a
// connection whose writes fail, that run() says so.

import { assertEquals, assertFalse } from "@std/assert";
import { StreamTransport } from "../../src/transport/stream_transport.ts";
import type {
  StreamConn,
  StreamTransportOptions,
} from "../../src/transport/stream_transport.ts";
import type { TransportSink } from "../../src/transport/line_transport.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A sink that records everything. */
class Recorder implements TransportSink {
  readonly lines: string[] = [];
  readonly tooLong: number[] = [];
  heardAt = 0;
  listening = true;
  /** Called after each line. */
  afterLine: (line: string) => void = () => {};

  heard(now: number): void {
    this.heardAt = now;
  }

  onLine(line: string): void {
    this.lines.push(line);
    this.afterLine(line);
  }

  onTooLong(bytes: number): void {
    this.tooLong.push(bytes);
  }
}

/** A server-side transport and the client end of its connection. */
async function pair(
  options: Partial<StreamTransportOptions> = {},
): Promise<{ transport: StreamTransport; client: Deno.TcpConn }> {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const [client, server] = await Promise.all([
    Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port }),
    listener.accept(),
  ]);
  const transport = new StreamTransport(server, {
    label: "test",
    ip: "127.0.0.1",
    ...options,
  });
  return { transport, client };
}

async function readAll(conn: Deno.Conn): Promise<string> {
  const buffer = new Uint8Array(4096);
  let text = "";
  while (true) {
    const n = await conn.read(buffer);
    if (n === null) return text;
    text += decoder.decode(buffer.subarray(0, n));
  }
}

Deno.test("StreamTransport hands over lines, reports a too-long one, and the last unfinished line at the end", async () => {
  const { transport, client } = await pair({ maxLineBytes: 10 });
  const sink = new Recorder();
  const ended = transport.run(sink);
  await client.write(encoder.encode(`one\r\n${"x".repeat(20)}\ntwo\nthr`));
  await client.write(encoder.encode("ee"));
  client.closeWrite();
  assertEquals(await ended, { reason: "eof" });
  assertEquals(sink.lines, ["one", "two", "three"]);
  assertEquals(sink.tooLong, [20]);
  assertEquals(sink.heardAt > 0, true);
  transport.close("normal");
  client.close();
});

Deno.test("StreamTransport cuts off a peer past the hard limit without a line break", async () => {
  const logs: string[] = [];
  const { transport, client } = await pair({
    maxLineBytes: 10,
    hardLimitBytes: 100,
    log: (line) => logs.push(line),
  });
  const sink = new Recorder();
  const ended = transport.run(sink);
  await client.write(encoder.encode("y".repeat(200)));
  assertEquals(await ended, { reason: "too_long" });
  assertEquals(logs, [
    "test: sent more than 100 bytes without a line break; disconnecting",
  ]);
  transport.close("policy");
  client.close();
});

Deno.test("StreamTransport refuses a telnet client's options and hands over only its text", async () => {
  const { transport, client } = await pair();
  const sink = new Recorder();
  const ended = transport.run(sink);
  // IAC DO ECHO, IAC WILL NAWS: negotiation only, the peer has not spoken.
  await client.write(new Uint8Array([0xff, 0xfd, 1, 0xff, 0xfb, 31]));
  const reply = new Uint8Array(6);
  let got = 0;
  while (got < reply.length) {
    got += (await client.read(reply.subarray(got))) ?? reply.length;
  }
  // IAC WONT ECHO, IAC DONT NAWS.
  assertEquals([...reply], [0xff, 0xfc, 1, 0xff, 0xfe, 31]);
  assertEquals(sink.heardAt, 0);
  await client.write(new Uint8Array([0x61, 0xff, 0xf1, 0x6e, 0x61, 0x0a]));
  client.closeWrite();
  assertEquals(await ended, { reason: "eof" });
  assertEquals(sink.lines, ["ana"]);
  assertEquals(sink.heardAt > 0, true);
  transport.close("normal");
  client.close();
});

Deno.test("StreamTransport writes what it is given, and refuses past its bound", async () => {
  const { transport, client } = await pair({ maxQueueBytes: 10 });
  const sink = new Recorder();
  const ended = transport.run(sink);
  const wire = (text: string) => ({ text, bytes: encoder.encode(text) });
  assertEquals(transport.write(wire("hello\n"), false), true);
  assertFalse(transport.write(wire("too much\n"), true));
  await transport.drained();
  transport.close("normal");
  transport.close("normal");
  assertEquals(await ended, { reason: "closed" });
  assertEquals(await readAll(client), "hello\n");
  client.close();
});

Deno.test("StreamTransport stops reading once the sink stops listening", async () => {
  const { transport, client } = await pair();
  const sink = new Recorder();
  sink.afterLine = () => sink.listening = false;
  const ended = transport.run(sink);
  await client.write(encoder.encode("quit\nignored\n"));
  // It reads no more, though the connection is open; the lines of the
  // chunk it had read still reach the sink, which ignores them.
  assertEquals(await ended, { reason: "closed" });
  assertEquals(sink.lines, ["quit", "ignored"]);
  transport.close("normal");
  client.close();
});

Deno.test("StreamTransport ends its input with the reason a write failed", async () => {
  let closed: () => void = () => {};
  const whenClosed = new Promise<void>((resolve) => closed = resolve);
  const conn: StreamConn = {
    read: async () => {
      await whenClosed;
      throw new Deno.errors.BadResource("Bad resource ID");
    },
    write: () => Promise.reject(new Deno.errors.BrokenPipe("Broken pipe")),
    close: () => closed(),
  };
  const transport = new StreamTransport(conn, { label: "test", ip: "x" });
  const ended = transport.run(new Recorder());
  const text = "hi\n";
  transport.write({ text, bytes: encoder.encode(text) }, false);
  assertEquals(await ended, { reason: "write_failed", detail: "Broken pipe" });
});
