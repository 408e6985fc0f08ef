/**
 * The operating-system settings a busy chat server needs and Deno does not
 * expose: the open-file limit (one per connection) and TCP keepalive timing
 * (to notice peers that vanished without a word). Both go through libc with
 * Deno's FFI, on Linux only; elsewhere, or without `--allow-ffi`, they
 * report what they could not do and the server runs with the system's
 * defaults.
 *
 * @module
 */

import { type KeepaliveTiming, SERVE_DEFAULTS } from "../config.ts";

/** The process's open-file limit after {@linkcode raiseFileLimit}. */
export interface FileLimit {
  /** Current (soft) limit: at most this many files and sockets at once. */
  soft: number;
  /** Ceiling the soft limit may be raised to without privileges. */
  hard: number;
  /** Whether this call raised the soft limit. */
  raised: boolean;
}

const RLIMIT_NOFILE = 7;
const SOL_SOCKET = 1;
const SO_KEEPALIVE = 9;
const IPPROTO_TCP = 6;
const TCP_KEEPIDLE = 4;
const TCP_KEEPINTVL = 5;
const TCP_KEEPCNT = 6;
const SO_ACCEPTCONN = 30;
const AF_INET = 2;
const AF_INET6 = 10;
const MAX_FD_SCAN = 1024;

const SYMBOLS = {
  getrlimit: { parameters: ["i32", "buffer"], result: "i32" },
  setrlimit: { parameters: ["i32", "buffer"], result: "i32" },
  setsockopt: {
    parameters: ["i32", "i32", "i32", "buffer", "u32"],
    result: "i32",
  },
  getsockopt: {
    parameters: ["i32", "i32", "i32", "buffer", "buffer"],
    result: "i32",
  },
  getsockname: { parameters: ["i32", "buffer", "buffer"], result: "i32" },
  malloc_trim: { parameters: ["usize"], result: "i32" },
} as const;

function _libc(): Deno.DynamicLibrary<typeof SYMBOLS> | null {
  if (Deno.build.os !== "linux") return null;
  try {
    return Deno.dlopen("libc.so.6", SYMBOLS);
  } catch {
    // No --allow-ffi, or no glibc (musl): leave the system's settings.
    return null;
  }
}

/**
 * Raises the soft open-file limit towards `want` (never above the hard
 * limit), so that thousands of connections work out of the box.
 *
 * @param want The limit to aim for.
 * @returns The limit now in force, or `null` when it cannot be read here.
 */
export function raiseFileLimit(want = 65_536): FileLimit | null {
  const libc = _libc();
  if (libc === null) return null;
  try {
    const limits = new BigUint64Array(2);
    const bytes = new Uint8Array(limits.buffer);
    if (libc.symbols.getrlimit(RLIMIT_NOFILE, bytes) !== 0) return null;
    const [soft, hard] = [limits[0]!, limits[1]!];
    const target = BigInt(want) < hard ? BigInt(want) : hard;
    if (target <= soft) {
      return { soft: _number(soft), hard: _number(hard), raised: false };
    }
    limits[0] = target;
    const raised = libc.symbols.setrlimit(RLIMIT_NOFILE, bytes) === 0;
    return {
      soft: _number(raised ? target : soft),
      hard: _number(hard),
      raised,
    };
  } finally {
    libc.close();
  }
}

function _number(value: bigint): number {
  return value > BigInt(Number.MAX_SAFE_INTEGER) ? Infinity : Number(value);
}

/**
 * Sets TCP keepalive timing on the listening socket of `port`; Linux
 * copies it to every connection accepted from it, so a peer that vanished
 * without closing (power cut, cable pulled, no FIN, no RST) is noticed
 * after `idle + interval × probes` seconds of silence (2 minutes with the
 * default dead-peer timeout) instead of the system's 2 hours 11 minutes.
 *
 * @param port The port the server listens on.
 * @param timing Timing, such as `keepaliveWithin` (config.ts)'s.
 * @returns `true` when the listener was found and tuned.
 */
export function tuneKeepalive(port: number, timing: KeepaliveTiming): boolean {
  const libc = _libc();
  if (libc === null) return false;
  try {
    const fds = _listenerFds(libc, port);
    if (fds.length === 0) return false;
    const value = new Int32Array(1);
    const bytes = new Uint8Array(value.buffer);
    const set = (fd: number, level: number, name: number, v: number) => {
      value[0] = v;
      return libc.symbols.setsockopt(fd, level, name, bytes, 4) === 0;
    };
    let ok = true;
    for (const fd of fds) {
      ok = set(fd, SOL_SOCKET, SO_KEEPALIVE, 1) &&
        set(fd, IPPROTO_TCP, TCP_KEEPIDLE, timing.idleSeconds) &&
        set(fd, IPPROTO_TCP, TCP_KEEPINTVL, timing.intervalSeconds) &&
        set(fd, IPPROTO_TCP, TCP_KEEPCNT, timing.probes) && ok;
    }
    return ok;
  } finally {
    libc.close();
  }
}

// Finds this process's listening TCP sockets on a port by asking each low
// file descriptor (a server has few at start) whether it is a listening
// socket and which port it has: libc only, no /proc, so --allow-ffi is the
// one permission this needs.
function _listenerFds(
  libc: Deno.DynamicLibrary<typeof SYMBOLS>,
  port: number,
): number[] {
  const fds: number[] = [];
  const flag = new Int32Array(1);
  const flagBytes = new Uint8Array(flag.buffer);
  const flagLength = new Uint32Array([4]);
  const address = new Uint8Array(128);
  const addressLength = new Uint32Array(1);
  for (let fd = 0; fd < MAX_FD_SCAN; fd++) {
    flagLength[0] = 4;
    const listening = libc.symbols.getsockopt(
          fd,
          SOL_SOCKET,
          SO_ACCEPTCONN,
          flagBytes,
          new Uint8Array(flagLength.buffer),
        ) === 0 && flag[0] === 1;
    if (!listening) continue;
    addressLength[0] = address.length;
    if (
      libc.symbols.getsockname(
        fd,
        address,
        new Uint8Array(addressLength.buffer),
      ) !== 0
    ) continue;
    // sockaddr_in and sockaddr_in6 both keep the port, big-endian, at 2.
    const family = address[0]! | (address[1]! << 8);
    const boundPort = (address[2]! << 8) | address[3]!;
    if ((family === AF_INET || family === AF_INET6) && boundPort === port) {
      fds.push(fd);
    }
  }
  return fds;
}

/**
 * Gives the memory the C heap holds free back to the system (glibc's
 * `malloc_trim(0)`, which also releases free pages inside the heap, not
 * only at its end). Deno's sockets and buffers live there: after a crowd
 * arrived, the heap is full of holes no one uses, and without this the
 * process keeps them for good.
 *
 * @returns `true` when memory was given back; `false` when there was none
 * to give, or this cannot be done here (not Linux, no `--allow-ffi`).
 */
export function trimMemory(): boolean {
  const libc = _libc();
  if (libc === null) return false;
  try {
    return libc.symbols.malloc_trim(0n) === 1;
  } catch {
    // A libc without malloc_trim (musl has none to find).
    return false;
  } finally {
    libc.close();
  }
}

/** What {@linkcode limitNotes} says the limits should allow. */
export interface LimitNotesOptions {
  /**
   * Most members at once; 0 (no limit) counts as 10 000.
   * @default {1000}
   */
  maxUsers?: number;
  /**
   * The dead-peer timeout keepalive was meant to keep, in seconds.
   * @default {120}
   */
  deadPeerSeconds?: number;
}

/**
 * What the server could not set up for many connections, and what to do:
 * lines for `chat serve` to print at start (Linux only; none elsewhere).
 *
 * @param files The open-file limit from {@linkcode raiseFileLimit}, or
 * `null` when it is unknown.
 * @param keepaliveTuned Whether {@linkcode tuneKeepalive} succeeded.
 * @param options The limits the server runs with.
 * @returns The notes, often none.
 */
export function limitNotes(
  files: FileLimit | null,
  keepaliveTuned: boolean,
  options: LimitNotesOptions = {},
): string[] {
  if (Deno.build.os !== "linux") return [];
  const maxUsers = options.maxUsers ?? SERVE_DEFAULTS.maxUsers;
  const deadPeerSeconds = options.deadPeerSeconds ??
    SERVE_DEFAULTS.deadPeerSeconds;
  const notes: string[] = [];
  if (files === null) {
    notes.push(
      "open-file limit unknown (run with --allow-ffi to raise it); check it with ulimit -n",
    );
  } else {
    const want = maxUsers === 0 ? 10_000 : maxUsers;
    const fit = Math.max(0, files.soft - 64);
    if (fit < want) {
      notes.push(
        `warning: the open-file limit is ${files.soft}, so about ${fit} connections fit, fewer than ${want}; raise it with "ulimit -n ${
          want + 1000
        }" (hard limit ${files.hard}) before starting`,
      );
    } else if (files.raised) {
      notes.push(`open-file limit raised to ${files.soft}`);
    }
  }
  if (!keepaliveTuned) {
    notes.push(
      `TCP keepalive timing not set (run with --allow-ffi): a netcat user who vanishes is noticed after the system's keepalive (about 2 hours), not ${deadPeerSeconds} s`,
    );
  }
  return notes;
}
