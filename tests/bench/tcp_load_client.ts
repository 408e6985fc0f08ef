/**
 * A load-generator client over TCP (plain and native dialects). It reads
 * into one growing buffer and scans whole lines for markers as bytes, with
 * no decoding and no per-line objects; only the lines before its welcome
 * are decoded. Messages queued while a write is in flight go out together
 * in the next write, as chatload does.
 *
 * @module
 */

import type { StreamConn } from "../../src/transport/stream_transport.ts";
import { TlsStream } from "../../src/transport/tls_stream.ts";
import {
  type ClientSink,
  type Dialect,
  greeting,
  helloLine,
  keepAliveLine,
  type LoadClient,
  messageLine,
  type Target,
} from "./load_client.ts";
import { type MarkerVisitor, nowUs, scanBytes } from "./marker.ts";

const NEWLINE = 0x0a;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Options of {@linkcode TcpLoadClient.connect}. */
export interface TcpLoadClientOptions {
  /**
   * First size of the read buffer; it doubles for a longer line (a welcome
   * that lists thousands of members).
   * @default {16384}
   */
  bufferBytes?: number;
}

/** One TCP connection of the load generator. */
export class TcpLoadClient implements LoadClient {
  /** Client number. */
  readonly index: number;
  #conn: StreamConn;
  #dialect: Dialect;
  #sink: ClientSink;
  #ready: boolean;
  #buffer: Uint8Array;
  #filled = 0;
  #receivedUs = 0;
  #visitor: MarkerVisitor;
  #queue: string[] = [];
  #writer: Promise<void> | null = null;
  #reader: Promise<void>;
  #closing = false;
  #lastSendMs = Date.now();

  private constructor(
    conn: StreamConn,
    index: number,
    target: Target,
    sink: ClientSink,
    bufferBytes: number,
  ) {
    this.index = index;
    this.#conn = conn;
    this.#dialect = target.dialect;
    this.#sink = sink;
    this.#ready = !target.welcome;
    this.#buffer = new Uint8Array(bufferBytes);
    this.#visitor = {
      marker: (sender, seq, sentUs) =>
        sink.marker(index, sender, seq, sentUs, this.#receivedUs),
      probe: () => sink.probe(index),
    };
    this.#reader = this.#read();
  }

  /**
   * Connects, sends the hello line and starts reading.
   *
   * @param target Server and dialect (`plain` or `native`).
   * @param index Client number.
   * @param sink Where the client reports.
   * @param options Buffer size.
   * @returns The connected client.
   * @throws {Deno.errors.ConnectionRefused} and other connect errors.
   */
  static async connect(
    target: Target,
    index: number,
    sink: ClientSink,
    options: TcpLoadClientOptions = {},
  ): Promise<TcpLoadClient> {
    const conn = await Deno.connect({
      hostname: target.hostname,
      port: target.port,
    });
    conn.setNoDelay(true);
    const client = new TcpLoadClient(
      target.dialect === "tls" ? await TlsStream.connect(conn) : conn,
      index,
      target,
      sink,
      options.bufferBytes ?? 16384,
    );
    client.#write(helloLine(target.dialect, index));
    if (!target.welcome) sink.ready(index);
    return client;
  }

  /**
   * Sends messages, in one write with whatever else is queued.
   *
   * @param texts Message texts.
   */
  send(texts: readonly string[]): void {
    for (const text of texts) {
      this.#queue.push(messageLine(this.#dialect, text));
    }
    this.#lastSendMs = Date.now();
    this.#writer ??= this.#drain();
  }

  /**
   * Sends the keep-alive line after `afterMs` of silence (native only).
   *
   * @param afterMs Silence after which to send it.
   */
  keepAlive(afterMs: number): void {
    const line = keepAliveLine(this.#dialect);
    if (line !== null && Date.now() - this.#lastSendMs >= afterMs) {
      this.#write(line);
    }
  }

  #write(line: string): void {
    this.#queue.push(line);
    this.#lastSendMs = Date.now();
    this.#writer ??= this.#drain();
  }

  async #drain(): Promise<void> {
    try {
      while (this.#queue.length > 0 && !this.#closing) {
        const bytes = encoder.encode(this.#queue.join(""));
        this.#queue.length = 0;
        let offset = 0;
        while (offset < bytes.length) {
          offset += await this.#conn.write(bytes.subarray(offset));
        }
      }
    } catch (error) {
      if (!this.#closing) this.#sink.ended(this.index, _why(error));
    } finally {
      this.#writer = null;
    }
  }

  async #read(): Promise<void> {
    let why = "closed by the server";
    try {
      while (true) {
        if (this.#filled === this.#buffer.length) this.#grow();
        const n = await this.#conn.read(this.#buffer.subarray(this.#filled));
        if (n === null) break;
        this.#receivedUs = nowUs();
        const end = this.#filled + n;
        const last = this.#buffer.lastIndexOf(NEWLINE, end - 1);
        if (last < this.#filled) {
          this.#filled = end; // no line ended yet
          continue;
        }
        this.#lines(last + 1);
        this.#buffer.copyWithin(0, last + 1, end);
        this.#filled = end - last - 1;
        this.#sink.received(this.index, this.#receivedUs);
      }
    } catch (error) {
      if (this.#closing && _isClosedError(error)) return;
      why = _why(error);
    }
    if (!this.#closing) this.#sink.ended(this.index, why);
  }

  // Handles the whole lines in buffer[0, end).
  #lines(end: number): void {
    let start = 0;
    while (!this.#ready && start < end) {
      const stop = this.#buffer.indexOf(NEWLINE, start);
      const line = decoder.decode(this.#buffer.subarray(start, stop));
      start = stop + 1;
      const kind = greeting(this.#dialect, line);
      if (kind === "welcome") {
        this.#ready = true;
        this.#sink.ready(this.index);
      } else if (kind === "refused") {
        this.#sink.ended(this.index, `name refused: ${line}`);
      }
    }
    if (start < end) scanBytes(this.#buffer, start, end, this.#visitor);
  }

  #grow(): void {
    const bigger = new Uint8Array(this.#buffer.length * 2);
    bigger.set(this.#buffer);
    this.#buffer = bigger;
  }

  /** Closes the connection and waits for its reader and writer. */
  async close(): Promise<void> {
    if (!this.#closing) {
      this.#closing = true;
      try {
        this.#conn.close();
      } catch (error) {
        if (!(error instanceof Deno.errors.BadResource)) throw error;
      }
    }
    await this.#reader;
    await this.#writer;
  }
}

function _isClosedError(error: unknown): boolean {
  return error instanceof Deno.errors.BadResource ||
    error instanceof Deno.errors.Interrupted ||
    error instanceof Deno.errors.ConnectionReset;
}

function _why(error: unknown): string {
  return error instanceof Error
    ? `${error.name}: ${error.message}`
    : String(error);
}
