/**
 * How soon a client speaks: a listener that takes connections and, for
 * each, measures the milliseconds from `accept` to its first bytes (what
 * the server's plain prompt waits for: a TLS ClientHello from chat join)
 * and keeps its first line (inside TLS for chat join). Run as a
 * program, `deno run --allow-net tests/e2e/_first_line.ts HOST COUNT`, it
 * prints its port, then one JSON {@linkcode FirstLine} per connection: a
 * listener inside another network namespace.
 *
 * @module
 */

import { classifyFirstBytes } from "../../src/transport/client_hello.ts";
import type { StreamConn } from "../../src/transport/stream_transport.ts";
import { createTlsIdentity } from "../../src/transport/tls_identity.ts";
import {
  type TlsServerContext,
  tlsServerContext,
  TlsStream,
} from "../../src/transport/tls_stream.ts";

/** One connection's first line, and how long after `accept` it came. */
export interface FirstLine {
  /** Milliseconds from `accept` returning to the first bytes. */
  ms: number;
  /** The first line, without its line ending. */
  line: string;
}

/**
 * Takes `count` connections, one after another, and closes each once its
 * first line is in (or it ended). The listener is left open.
 *
 * @param listener Where clients connect.
 * @param count How many connections to take.
 * @param each Called with each measurement as it is made.
 * @returns Every measurement, in order.
 */
export async function firstLines(
  listener: Deno.TcpListener,
  count: number,
  each: (first: FirstLine) => void = () => {},
): Promise<FirstLine[]> {
  const found: FirstLine[] = [];
  for (let i = 0; i < count; i++) {
    const conn = await listener.accept();
    const start = performance.now();
    const buffer = new Uint8Array(4096);
    let ms = -1;
    let bytes: number[] = [];
    let reader: StreamConn = conn;
    try {
      while (!bytes.includes(0x0a)) {
        const n = await reader.read(buffer);
        if (n === null) break;
        if (ms < 0) ms = performance.now() - start;
        bytes = [...bytes, ...buffer.subarray(0, n)];
        // chat join speaks TLS: its first line is inside.
        if (
          reader === conn && classifyFirstBytes(new Uint8Array(bytes)) === "tls"
        ) {
          reader = await TlsStream.accept(conn, {
            context: await _context(),
            first: new Uint8Array(bytes),
          });
          bytes = [];
        }
      }
    } finally {
      reader.close();
    }
    const text = new TextDecoder().decode(new Uint8Array(bytes));
    const first = { ms, line: text.split("\n")[0]!.replace(/\r$/, "") };
    found.push(first);
    each(first);
  }
  return found;
}

let _made: Promise<TlsServerContext> | undefined;
function _context(): Promise<TlsServerContext> {
  _made ??= createTlsIdentity().then(tlsServerContext);
  return _made;
}

/**
 * A summary for the log: `5.1 6.0 7.4 ms (worst 7.4 ms)`.
 *
 * @param found Measurements.
 * @returns The times, and the worst.
 */
export function describeTimes(found: readonly FirstLine[]): string {
  const times = found.map((first) => first.ms.toFixed(1));
  const worst = Math.max(...found.map((first) => first.ms));
  return `${times.join(" ")} ms (worst ${worst.toFixed(1)} ms)`;
}

if (import.meta.main) {
  const [hostname = "127.0.0.1", count = "1"] = Deno.args;
  using listener = Deno.listen({ hostname, port: 0 });
  console.log(listener.addr.port);
  await firstLines(listener, Number(count), (first) => {
    console.log(JSON.stringify(first));
  });
}
