/**
 * Opens the client's TCP connection to a server, with a time-out, and turns
 * each way it can fail into one line that says what failed and what to
 * check.
 *
 * @module
 */

import { lookup } from "node:dns/promises";
import { formatAddress, isIpv6 } from "../transport/address.ts";
import type { Lang } from "../protocol/messages.ts";
import { CLIENT_STRINGS, type ClientStrings } from "../i18n/client_strings.ts";

/** Why a connection could not be opened. */
export type DialFailure =
  | "refused"
  | "unreachable"
  | "unknown_host"
  | "timed_out"
  | "other";

/** The connection could not be opened; the message is the line to show. */
export class DialError extends Error {
  /** Which way it failed. */
  readonly failure: DialFailure;

  /**
   * @param message The line to show, such as `Cannot connect to 10.0.0.2:50001: connection refused; ...`.
   * @param failure Which way it failed.
   * @param options The platform error, as `cause`.
   */
  constructor(
    message: string,
    failure: DialFailure,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "DialError";
    this.failure = failure;
  }
}

/** Options of {@linkcode dial}. */
export interface DialOptions {
  /**
   * Milliseconds to wait for the connection.
   *
   * @default {10000}
   */
  timeoutMs?: number;
  /**
   * Language of the error message.
   *
   * @default {"en"}
   */
  lang?: Lang;
  /**
   * Gives up early when aborted (Ctrl-C while connecting); the promise
   * then rejects with the signal's reason.
   */
  signal?: AbortSignal;
  /**
   * Opens the connection; tests pass a slow or failing one.
   *
   * @default {Deno.connect}
   */
  connect?: (options: Deno.ConnectOptions) => Promise<Deno.TcpConn>;
  /**
   * Every address of a host name, in the order to try them; tests pass a
   * fixed list.
   *
   * @default {resolveAll}
   */
  resolve?: (hostname: string) => Promise<string[]>;
}

/**
 * Every address of a host name as the system resolver gives them
 * (`/etc/hosts`, DNS; in its order of preference), so that a name with
 * several addresses (the nodes of a cluster behind one DNS name) can be
 * tried one after the other. An IP address is its own only address.
 *
 * @param hostname Host name or IP address.
 * @returns The addresses, at least one.
 * @throws {Error} When the name does not resolve (the system's error).
 */
export async function resolveAll(hostname: string): Promise<string[]> {
  if (_isIpLiteral(hostname)) return [hostname];
  const found = await lookup(hostname, { all: true, verbatim: true });
  const addresses = [...new Set(found.map((entry) => entry.address))];
  if (addresses.length === 0) {
    throw new Deno.errors.NotFound(`no address for ${hostname}`);
  }
  return addresses;
}

function _isIpLiteral(hostname: string): boolean {
  return isIpv6(hostname) || /^\d{1,3}(\.\d{1,3}){3}$/.test(hostname);
}

/**
 * Connects to `hostname:port` over TCP. A host name with several
 * addresses is tried at each in turn (they share the time-out), so the
 * nodes of a cluster behind one name stand in for each other. A
 * connection that arrives after the time-out is closed at once; no timer
 * outlives the call.
 *
 * @example Nothing listening
 * ```ts
 * import { assertRejects } from "@std/assert";
 * import { dial, DialError } from "./dial.ts";
 *
 * const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
 * const { port } = listener.addr;
 * listener.close();
 * await assertRejects(
 *   () => dial("127.0.0.1", port),
 *   DialError,
 *   "connection refused",
 * );
 * ```
 *
 * @param hostname Host name or IP address.
 * @param port TCP port.
 * @param options Time-out, language, cancellation.
 * @returns The open connection.
 * @throws {DialError} When the connection cannot be opened: refused,
 * unreachable, unknown host, timed out, or another platform error.
 */
export async function dial(
  hostname: string,
  port: number,
  options: DialOptions = {},
): Promise<Deno.TcpConn> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const strings = CLIENT_STRINGS[options.lang ?? "en"];
  const address = formatAddress(hostname, port);
  options.signal?.throwIfAborted();
  const started = Date.now();
  let addresses: string[];
  try {
    addresses = await (options.resolve ?? resolveAll)(hostname);
  } catch (error) {
    options.signal?.throwIfAborted();
    throw _describe(error, hostname, address, strings, 0);
  }
  // A host name with several addresses (a cluster's nodes behind one
  // name): each in turn, sharing what is left of the time-out, so one
  // that never answers leaves time for the next; the last failure is
  // the one told, under the name the user gave.
  for (let i = 0;; i++) {
    const left = timeoutMs - (Date.now() - started);
    const share = Math.max(1, Math.floor(left / (addresses.length - i)));
    try {
      return await _attempt(
        addresses[i]!,
        port,
        {
          ...options,
          timeoutMs: i === addresses.length - 1 ? Math.max(1, left) : share,
        },
        address,
        strings,
        timeoutMs,
      );
    } catch (error) {
      if (
        i === addresses.length - 1 || options.signal?.aborted ||
        !(error instanceof DialError)
      ) throw error;
    }
  }
}

// One connection attempt to one address, within its share of the
// time-out (a time-out is told as the whole one).
async function _attempt(
  hostname: string,
  port: number,
  options: DialOptions & { timeoutMs: number },
  address: string,
  strings: ClientStrings,
  totalMs: number,
): Promise<Deno.TcpConn> {
  const connect = options.connect ?? Deno.connect;
  options.signal?.throwIfAborted();
  const started = Date.now();
  const pending = connect({ hostname, port, transport: "tcp" });
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onAbort: (() => void) | undefined;
  const stop = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(
        new DialError(
          strings.connectTimedOut(address, totalMs / 1000),
          "timed_out",
        ),
      );
    }, options.timeoutMs);
    onAbort = () => reject(options.signal?.reason);
    options.signal?.addEventListener("abort", onAbort, { once: true });
  });
  try {
    return await Promise.race([pending, stop]);
  } catch (error) {
    // Whatever lost the race, a connection that arrives later is closed.
    pending.then((conn) => conn.close(), () => {});
    if (error instanceof DialError || error === options.signal?.reason) {
      throw error;
    }
    throw _describe(error, hostname, address, strings, Date.now() - started);
  } finally {
    clearTimeout(timer);
    if (onAbort) options.signal?.removeEventListener("abort", onAbort);
  }
}

function _describe(
  error: unknown,
  hostname: string,
  address: string,
  strings: ClientStrings,
  elapsedMs: number,
): DialError {
  const cause = { cause: error };
  if (error instanceof Deno.errors.ConnectionRefused) {
    return new DialError(strings.connectRefused(address), "refused", cause);
  }
  if (
    error instanceof Deno.errors.NetworkUnreachable ||
    error instanceof Deno.errors.AddrNotAvailable ||
    _code(error) === "EHOSTUNREACH" || _code(error) === "ENETUNREACH"
  ) {
    return new DialError(
      strings.connectUnreachable(address),
      "unreachable",
      cause,
    );
  }
  if (error instanceof Deno.errors.TimedOut) {
    // The system gave up before our own time-out did.
    return new DialError(
      strings.connectTimedOut(address, elapsedMs / 1000),
      "timed_out",
      cause,
    );
  }
  // Deno reports a failed name lookup as a plain Error whose message comes
  // from getaddrinfo(3): "failed to lookup address information: ...".
  const message = error instanceof Error ? error.message : String(error);
  if (
    error instanceof Deno.errors.NotFound ||
    _code(error) === "ENOTFOUND" || _code(error) === "EAI_NONAME" ||
    /lookup address|name resolution|nodename nor servname|no such host/i
      .test(message)
  ) {
    return new DialError(
      strings.connectUnknownHost(address, hostname),
      "unknown_host",
      cause,
    );
  }
  return new DialError(
    strings.connectFailed(address, _withoutOsError(message)),
    "other",
    cause,
  );
}

function _code(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

// "Invalid argument (os error 22)" reads better as "invalid argument".
function _withoutOsError(message: string): string {
  const text = message.replace(/\s*\(os error \d+\)$/, "");
  return text.charAt(0).toLowerCase() + text.slice(1);
}
