/**
 * TLS over an already open connection, on either side: the server's after
 * it has read a ClientHello's first bytes (they are replayed to the TLS
 * layer), the client's right after connecting. Deno's own TLS cannot
 * start the server side of a connection it has accepted (`Deno.startTls`
 * is the client's only), so this runs `node:tls` over a `Duplex` that
 * carries the connection's bytes. The result is the shape
 * {@linkcode StreamTransport} reads and writes, so lines above it do not
 * know whether they were encrypted. TLS 1.2 and 1.3 only.
 *
 * @module
 */

import tls from "node:tls";
import { Duplex } from "node:stream";
import { Buffer } from "node:buffer";
import type { StreamConn } from "./stream_transport.ts";

/** The lowest protocol either side speaks. */
export const MIN_TLS_VERSION = "TLSv1.2";

/** The server's key and certificate, ready for handshakes. */
export type TlsServerContext = tls.SecureContext;

/**
 * The context every server-side handshake of one listener uses.
 *
 * @param identity The certificate chain and private key, in PEM.
 * @returns The context.
 */
export function tlsServerContext(
  identity: { certPem: string; keyPem: string },
): TlsServerContext {
  return tls.createSecureContext({
    cert: identity.certPem,
    key: identity.keyPem,
    minVersion: MIN_TLS_VERSION,
  });
}

/** Options of {@linkcode TlsStream.accept}. */
export interface TlsAcceptOptions {
  /** The server's context ({@linkcode tlsServerContext}). */
  context: TlsServerContext;
  /**
   * Bytes already read from the connection (the ClientHello's start).
   * @default {new Uint8Array()}
   */
  first?: Uint8Array;
  /**
   * Milliseconds the handshake may take; then it fails.
   * @default {10000}
   */
  timeoutMs?: number;
  /** Gives up the handshake (the server is shutting down). */
  signal?: AbortSignal;
  /**
   * Asks the client for a certificate, and takes any it shows, self-signed
   * included, without judging it: what it is worth is the caller's to
   * decide, by {@linkcode TlsStream.peerCertificate}. A client with none
   * goes on without.
   * @default {false}
   */
  requestCert?: boolean;
}

/** Options of {@linkcode TlsStream.connect}. */
export interface TlsConnectOptions {
  /**
   * The server's name, sent as SNI and checked against a CA-signed
   * certificate; absent for an IP address.
   * @default {undefined}
   */
  servername?: string;
  /**
   * Milliseconds the handshake may take; then it fails.
   * @default {10000}
   */
  timeoutMs?: number;
  /** Gives up the handshake. */
  signal?: AbortSignal;
}

let _warm: Promise<void> | undefined;

// Decrypted bytes held before reading from the peer pauses.
const HIGH_WATER = 65_536;
const READ_SIZE = 4096;
// An idle connection's pending read holds the smallest buffer; a busy one's
// grows up to READ_SIZE.
const MIN_READ_SIZE = 512;

/**
 * One TLS connection. It owns the connection under it and closes it.
 *
 * @example
 * ```ts no-eval
 * import { createTlsIdentity } from "./tls_identity.ts";
 * import { TlsStream, tlsServerContext } from "./tls_stream.ts";
 *
 * const context = tlsServerContext(await createTlsIdentity());
 * using listener = Deno.listen({ port: 0 });
 * const conn = await listener.accept();
 * const first = new Uint8Array(1024);
 * const n = await conn.read(first) ?? 0;
 * const stream = await TlsStream.accept(conn, {
 *   context,
 *   first: first.subarray(0, n),
 * });
 * await stream.write(new TextEncoder().encode("hello\n"));
 * stream.close();
 * ```
 */
export class TlsStream implements StreamConn {
  #socket: tls.TLSSocket;
  #carrier: Duplex;
  #chunks: Uint8Array[] = [];
  #queued = 0;
  #ended = false;
  #error: unknown = undefined;
  #wake: (() => void) | null = null;
  #closed = false;

  private constructor(socket: tls.TLSSocket, carrier: Duplex) {
    this.#socket = socket;
    this.#carrier = carrier;
  }

  /**
   * The server side: a handshake with a client whose first bytes were
   * already read.
   *
   * @param conn The accepted connection; the stream owns it (it is closed
   * when the handshake fails).
   * @param options The server's context, the bytes read, the time limit.
   * @returns The stream, once the handshake is done.
   * @throws {Error} When the handshake fails, times out or is aborted.
   */
  static accept(
    conn: StreamConn,
    options: TlsAcceptOptions,
  ): Promise<TlsStream> {
    const carrier = _carrier(conn, options.first ?? new Uint8Array());
    const socket = new tls.TLSSocket(carrier as never, {
      isServer: true,
      secureContext: options.context,
      ...(options.requestCert
        ? { requestCert: true, rejectUnauthorized: false }
        : {}),
    });
    return TlsStream.#handshake(socket, carrier, "secure", options);
  }

  /**
   * Readies the client side of TLS in this process (the first handshake
   * costs tens of milliseconds to set up): called before connecting, the
   * ClientHello then follows the connection at once, well within the
   * moment a server waits before it takes a silent peer for a plain one.
   * Resolves once; later calls resolve at once.
   *
   * @returns A promise that resolves when ready.
   */
  static warmUp(): Promise<void> {
    _warm ??= (async () => {
      const dummy = new Duplex({
        read() {},
        write(_chunk, _encoding, callback) {
          callback();
        },
      });
      const socket = tls.connect({
        socket: dummy as never,
        rejectUnauthorized: false,
      });
      socket.on("error", () => {});
      dummy.on("error", () => {});
      await new Promise((resolve) => setTimeout(resolve, 0));
      socket.destroy();
      dummy.destroy();
    })();
    return _warm;
  }

  /**
   * The client side: a handshake with the server over a connection just
   * opened. The server's certificate is not judged here: the caller looks
   * at {@linkcode TlsStream.peerCertificate} and
   * {@linkcode TlsStream.authorized} before it sends anything.
   *
   * @param conn The open connection; the stream owns it.
   * @param options The server's name, the time limit.
   * @returns The stream, once the handshake is done.
   * @throws {Error} When the handshake fails, times out or is aborted.
   */
  static connect(
    conn: StreamConn,
    options: TlsConnectOptions = {},
  ): Promise<TlsStream> {
    const carrier = _carrier(conn, new Uint8Array());
    const socket = tls.connect({
      socket: carrier as never,
      rejectUnauthorized: false,
      minVersion: MIN_TLS_VERSION,
      ...(options.servername === undefined
        ? {}
        : { servername: options.servername }),
    });
    return TlsStream.#handshake(socket, carrier, "secureConnect", options);
  }

  static #handshake(
    socket: tls.TLSSocket,
    carrier: Duplex,
    done: "secure" | "secureConnect",
    options: { timeoutMs?: number; signal?: AbortSignal },
  ): Promise<TlsStream> {
    const stream = new TlsStream(socket, carrier);
    // An error after the handshake is read by read(); one from a socket
    // already given up must not reach the process as unhandled.
    socket.on("error", () => {});
    carrier.on("error", () => {});
    return new Promise<TlsStream>((resolve, reject) => {
      let settled = false;
      const finish = (error?: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        options.signal?.removeEventListener("abort", onAbort);
        if (error === undefined) {
          stream.#listen();
          resolve(stream);
        } else {
          stream.close();
          reject(error);
        }
      };
      const timer = setTimeout(
        () => finish(new Error("the TLS handshake took too long")),
        options.timeoutMs ?? 10_000,
      );
      const onAbort = () => finish(options.signal?.reason);
      if (options.signal?.aborted) return finish(options.signal.reason);
      options.signal?.addEventListener("abort", onAbort, { once: true });
      socket.once(done, () => finish());
      socket.once("error", (error: unknown) => finish(error));
      socket.once(
        "close",
        () => finish(new Error("the peer closed the connection")),
      );
    });
  }

  /** The protocol agreed, such as `TLSv1.3`. */
  get protocol(): string {
    return this.#socket.getProtocol() ?? "";
  }

  /** The peer's certificate (DER), or `null` when it sent none. */
  get peerCertificate(): Uint8Array | null {
    const raw = this.#socket.getPeerCertificate(true)?.raw;
    return raw && raw.length > 0 ? new Uint8Array(raw) : null;
  }

  /**
   * Client side: whether a certificate authority this system trusts
   * signed the server's certificate (not yet whether it is for the name
   * used: see `tls.checkServerIdentity`).
   */
  get authorized(): boolean {
    return this.#socket.authorized;
  }

  /**
   * Client side: whether a certificate authority this system trusts
   * vouches for the server's certificate for `hostname` (the name or
   * address it was reached by): signed, in date, and naming it.
   *
   * @param hostname The server's name or IP address.
   * @returns `true` when vouched for.
   */
  vouchedFor(hostname: string): boolean {
    if (!this.#socket.authorized) return false;
    const cert = this.#socket.getPeerCertificate();
    try {
      return tls.checkServerIdentity(hostname, cert) === undefined;
    } catch {
      return false;
    }
  }

  /** The same bytes as a stream, for readers that take one. */
  get readable(): ReadableStream<Uint8Array<ArrayBuffer>> {
    return new ReadableStream<Uint8Array<ArrayBuffer>>({
      pull: async (controller) => {
        const buffer = new Uint8Array(16_384);
        const n = await this.read(buffer);
        if (n === null) controller.close();
        else controller.enqueue(buffer.slice(0, n));
      },
      cancel: () => this.close(),
    });
  }

  /**
   * Reads decrypted bytes into `buffer`.
   *
   * @param buffer Where to put them.
   * @returns How many, or `null` at the end.
   * @throws The error that broke the connection.
   */
  async read(buffer: Uint8Array): Promise<number | null> {
    while (this.#chunks.length === 0) {
      if (this.#error !== undefined) throw this.#error;
      if (this.#ended || this.#closed) return null;
      await new Promise<void>((resolve) => this.#wake = resolve);
    }
    let n = 0;
    while (n < buffer.length && this.#chunks.length > 0) {
      const chunk = this.#chunks[0]!;
      const take = Math.min(chunk.length, buffer.length - n);
      buffer.set(chunk.subarray(0, take), n);
      n += take;
      if (take === chunk.length) this.#chunks.shift();
      else this.#chunks[0] = chunk.subarray(take);
    }
    this.#queued -= n;
    if (this.#queued < HIGH_WATER && this.#socket.isPaused()) {
      this.#socket.resume();
    }
    return n;
  }

  /**
   * Encrypts and writes `bytes`; resolves once they are handed to the
   * connection.
   *
   * @param bytes What to write.
   * @returns `bytes.length`.
   * @throws When the connection is closed or broken.
   */
  write(bytes: Uint8Array): Promise<number> {
    return new Promise((resolve, reject) => {
      if (this.#closed) {
        reject(new Deno.errors.BadResource("the TLS stream is closed"));
        return;
      }
      this.#socket.write(bytes, (error) => {
        if (error) reject(error);
        else resolve(bytes.length);
      });
    });
  }

  /** Closes the TLS layer and the connection under it. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.destroy();
    this.#carrier.destroy();
    this.#signal();
  }

  #listen(): void {
    const socket = this.#socket;
    socket.on("data", (chunk: Buffer) => {
      this.#chunks.push(
        new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length),
      );
      this.#queued += chunk.length;
      if (this.#queued >= HIGH_WATER) socket.pause();
      this.#signal();
    });
    socket.on("end", () => {
      this.#ended = true;
      this.#signal();
    });
    socket.on("error", (error: unknown) => {
      this.#error ??= error;
      this.#signal();
    });
    socket.on("close", () => {
      this.#ended = true;
      this.#signal();
    });
  }

  #signal(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }
}

// A Duplex that carries a connection's bytes to and from node:tls, with
// `first` read before the connection's own.
function _carrier(conn: StreamConn, first: Uint8Array): Duplex {
  let wanted = true;
  let resume: (() => void) | null = null;
  let started = false;
  const pump = async () => {
    if (first.length > 0) {
      // Not before node:tls has started its side of the handshake (on the
      // next tick): bytes it fails on sooner would destroy the socket
      // under that step, which then throws where nobody can catch it.
      await new Promise((resolve) => setTimeout(resolve, 0));
      if (carrier.destroyed) return;
      wanted = carrier.push(Buffer.from(first));
    }
    let buffer = new Uint8Array(MIN_READ_SIZE);
    while (!carrier.destroyed) {
      if (!wanted) await new Promise<void>((resolve) => resume = resolve);
      let n: number | null;
      try {
        n = await conn.read(buffer);
      } catch (error) {
        carrier.destroy(error as Error);
        return;
      }
      if (n === null) {
        carrier.push(null);
        return;
      }
      wanted = carrier.push(Buffer.from(buffer.subarray(0, n)));
      if (n === buffer.length && buffer.length < READ_SIZE) {
        buffer = new Uint8Array(buffer.length * 2);
      } else if (n < buffer.length / 4 && buffer.length > MIN_READ_SIZE) {
        buffer = new Uint8Array(buffer.length / 2);
      }
    }
  };
  const carrier: Duplex = new Duplex({
    read() {
      wanted = true;
      const go = resume;
      resume = null;
      go?.();
      if (!started) {
        started = true;
        pump();
      }
    },
    write(chunk: Uint8Array, _encoding, callback) {
      _writeAll(conn, chunk).then(() => callback(), callback);
    },
    final(callback) {
      callback();
    },
    destroy(error, callback) {
      try {
        conn.close();
      } catch {
        // already closed
      }
      const go = resume;
      resume = null;
      go?.();
      callback(error);
    },
  });
  return carrier;
}

async function _writeAll(conn: StreamConn, bytes: Uint8Array): Promise<void> {
  let written = 0;
  while (written < bytes.length) {
    written += await conn.write(bytes.subarray(written));
  }
}
