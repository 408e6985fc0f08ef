/**
 * The terminal client, `chat join`: connects, says hello, then carries
 * lines between the user and the server until one side leaves. This is the
 * I/O driver; what to send and show is decided by {@linkcode ClientState}.
 *
 * @module
 */

import { TextLineStream } from "@std/streams/text-line-stream";
import { formatAddress } from "../transport/address.ts";
import { type ClientEffect, ClientState } from "./client_state.ts";
import { completeLine } from "./completer.ts";
import { DialError } from "./dial.ts";
import { KnownServers } from "./known_servers.ts";
import {
  type SecureConnection,
  secureDial,
  UntrustedServerError,
} from "./secure_dial.ts";
import type { TrustPolicy } from "./server_trust.ts";
import { TRUST_STRINGS } from "../i18n/trust_strings.ts";
import { formatFingerprint } from "../transport/fingerprint.ts";
import type { TlsStream } from "../transport/tls_stream.ts";
import { checkName } from "../protocol/name_rules.ts";
import type { ClientMessage, Lang } from "../protocol/messages.ts";
import { encodeMessage } from "../protocol/native_codec.ts";
import { renderMessage } from "./render.ts";
import { CLIENT_STRINGS } from "../i18n/client_strings.ts";
import { STRINGS } from "../i18n/server_strings.ts";
import { type TerminalEvent, TerminalUi } from "./terminal_ui.ts";
import { loadPersonalKey, type PersonalKey } from "./personal_key.ts";
import { proofText, UNBOUND_CHANNEL } from "../protocol/key_proof.ts";

/** Options of {@linkcode join}. */
export interface JoinOptions {
  /** Host name or IP address of the server. */
  hostname: string;
  /** TCP port of the server. */
  port: number;
  /**
   * Other nodes of the same cluster: when the server does not answer the
   * next is tried, and each reconnect moves on to the next.
   *
   * @default {[]}
   */
  alternates?: readonly { hostname: string; port: number }[];
  /**
   * The name to join with, already checked. When missing, it is asked for
   * on the terminal; without a terminal, joining fails.
   *
   * @default {undefined}
   */
  name?: string | undefined;
  /** Language of the client's messages and of the server's texts to you. */
  lang: Lang;
  /**
   * Milliseconds to wait for the connection, and then for the answer to
   * `hello`. `chat join --timeout SECS` sets it.
   */
  timeoutMs: number;
  /**
   * Whether standard input and output are terminals. When `true` the
   * client shows a prompt with line editing, history and Tab completion;
   * otherwise every input line is sent as it is and incoming messages are
   * printed as plain lines.
   */
  interactive: boolean;
  /**
   * Whether to use colours: `false` under `NO_COLOR` or when standard
   * output is not a terminal, and then no escape code is printed at all.
   */
  color: boolean;
  /**
   * Whether to print the welcome and the history without a terminal too
   * (`chat join --verbose`); piped mode is otherwise quiet: only what
   * others say is printed.
   *
   * @default {false}
   */
  verbose?: boolean;
  /**
   * The server's password (`chat join --password`), for a server started
   * with `--password`.
   *
   * @default {undefined}
   */
  password?: string | undefined;
  /**
   * Aborted on SIGINT or SIGTERM: the client leaves cleanly (as for
   * Ctrl-C) and returns 0.
   *
   * @default {undefined}
   */
  signal?: AbortSignal;
  /**
   * The file of the servers the user trusts (`--known-servers`, else
   * `known_servers` in the config folder). Read before connecting; a
   * server newly trusted is added.
   */
  knownServersFile: string;
  /**
   * `--fingerprint`: the SHA-256 the server's certificate must have.
   *
   * @default {undefined}
   */
  fingerprint?: Uint8Array | undefined;
  /**
   * `--trust-new`: a server never met before is trusted without asking
   * (never one whose identity changed).
   *
   * @default {false}
   */
  trustNew?: boolean;
  /**
   * The config folder holding the personal key (`personal_key.json`, made
   * on first use): every hello carries its public half and proves it, so
   * the names you use stay yours. `chat join` gives the platform's.
   *
   * @default {undefined} no key: only names nobody claimed
   */
  configDir?: string;
}

/** Input, server and timer events, in the order they happened. */
type _Event =
  | TerminalEvent
  | { kind: "server"; line: string; connection: number }
  | { kind: "closed"; connection: number }
  | { kind: "connected"; secured: SecureConnection }
  | { kind: "untrusted"; text: string }
  | { kind: "connect_failed" }
  | { kind: "deadline"; generation: number }
  | { kind: "wake"; generation: number }
  | { kind: "tick" };

/** How often the state machine hears the clock (pings, dead connections). */
const TICK_MS = 1000;

/** One connection to the server and its reader. */
interface _Connection {
  id: number;
  conn: TlsStream;
  reader: ReadableStreamDefaultReader<string> | undefined;
  writing: Promise<void>;
}

const encoder = new TextEncoder();

/**
 * Joins the chat at `hostname:port` and runs until the user leaves or the
 * session ends. Never exits the process and never reads `Deno.args`.
 *
 * Failures print one line to standard error: a connection that cannot be
 * opened (refused, unreachable, unknown host, timed out), a refused name
 * without a terminal to ask another, a lost connection, or the server
 * ending the session (a server shutdown included: the session ended
 * before the user chose to, so scripts see a failure). At a terminal, a
 * connection lost once joined is not a failure: the client reconnects.
 *
 * @example Send one line from a script
 * ```ts ignore
 * import { join } from "./join.ts";
 *
 * const code = await join({
 *   hostname: "192.168.0.5",
 *   port: 50001,
 *   name: "ci",
 *   lang: "en",
 *   timeoutMs: 10_000,
 *   interactive: false,
 *   color: false,
 * });
 * ```
 *
 * @param options Server address, name, language, time-out and terminal.
 * @returns The exit code: 0 when the user left (`/quit`, Ctrl-D, Ctrl-C,
 * end of piped input), 1 on any failure.
 */
export async function join(options: JoinOptions): Promise<number> {
  const session = new _Session(options);
  try {
    return await session.run();
  } finally {
    await session.dispose();
  }
}

/** One run of the client; owns the terminal, the socket and the timers. */
class _Session {
  #options: JoinOptions;
  #address: string;
  #queue = new _Queue<_Event>();
  #ui: TerminalUi | undefined;
  #stdin: ReadableStreamDefaultReader<string> | undefined;
  #connection: _Connection | undefined;
  #connections = 0;
  #reading = new Set<Promise<void>>();
  #writing = new Set<Promise<void>>();
  #disposed = false;
  #state: ClientState | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #generation = 0;
  #wake: ReturnType<typeof setTimeout> | undefined;
  #wakeGeneration = 0;
  #ticker: ReturnType<typeof setInterval> | undefined;
  #dialing: AbortController | undefined;
  #redialing = new AbortController();
  // Which of the cluster's nodes is in use (0: options.hostname).
  #node = 0;
  #known: KnownServers | undefined;
  #onAbort = () => this.#input({ kind: "interrupt" });
  #key: PersonalKey | undefined;
  // What the current connection's proofs are bound to: the fingerprint of
  // the certificate it verified (every connection is TLS), so a proof
  // relayed by someone in the middle, who shows another, fails.
  #channel = UNBOUND_CHANNEL;

  constructor(options: JoinOptions) {
    this.#options = options;
    this.#address = formatAddress(options.hostname, options.port);
  }

  async run(): Promise<number> {
    const options = this.#options;
    if (options.signal?.aborted) return 0;
    if (options.name === undefined && !options.interactive) {
      return await this.#fail(CLIENT_STRINGS[options.lang].nameRequired);
    }
    try {
      this.#known = KnownServers.read(options.knownServersFile);
    } catch (error) {
      return await this.#fail((error as Error).message);
    }
    options.signal?.addEventListener("abort", this.#onAbort);
    if (options.interactive) {
      this.#ui = new TerminalUi({
        onEvent: (event) => this.#input(event),
        completer: (line) =>
          completeLine(line, {
            names: this.#state?.members ?? [],
            rooms: this.#state?.roomNames ?? [],
            me: this.#state?.me ?? "",
          }),
        prompt: `${STRINGS[options.lang].askName} `,
      });
    } else {
      this.#readStdin();
    }
    if (options.configDir !== undefined) {
      try {
        this.#key = await loadPersonalKey(options.configDir);
      } catch (error) {
        return await this.#fail((error as Error).message);
      }
    }
    let name = options.name;
    if (name === undefined) {
      name = await this.#askName();
      if (name === undefined) return 0;
    }
    const connected = await this.#connectFirst();
    if (typeof connected === "number") return connected;
    this.#open(connected);
    const state = new ClientState({
      name,
      address: this.#address,
      lang: options.lang,
      interactive: options.interactive,
      verbose: options.verbose ?? false,
      color: options.color,
      timeoutMs: options.timeoutMs,
      ...(options.password === undefined ? {} : { password: options.password }),
      ...(this.#key === undefined ? {} : { key: this.#key.publicKey }),
      ...(this.#ui ? { width: () => this.#ui!.columns } : {}),
    });
    this.#state = state;
    this.#ticker = setInterval(
      () => this.#queue.push({ kind: "tick" }),
      TICK_MS,
    );
    let exit = this.#apply(state.start());
    if (!exit) {
      for await (const event of this.#queue) {
        exit = this.#apply(this.#handle(state, event));
        if (exit) break;
      }
    }
    if (!exit) return 0;
    if (exit.error !== undefined) {
      return await this.#fail(exit.error, exit.code);
    }
    return exit.code;
  }

  /** Releases the terminal, standard input, sockets and timers. */
  async dispose(): Promise<void> {
    this.#disposed = true;
    this.#options.signal?.removeEventListener("abort", this.#onAbort);
    clearTimeout(this.#timer);
    clearTimeout(this.#wake);
    clearInterval(this.#ticker);
    this.#redialing.abort();
    await this.#ui?.close();
    this.#queue.close();
    await this.#stdin?.cancel().catch(() => {});
    await this.#close();
    await Promise.all(this.#reading);
    await Promise.all(this.#writing);
  }

  async #fail(text: string, code: 0 | 1 = 1): Promise<0 | 1> {
    await this.#ui?.close();
    console.error(text);
    return code;
  }

  #input(event: TerminalEvent): void {
    if (this.#dialing && event.kind !== "line") {
      this.#dialing.abort();
      return;
    }
    this.#queue.push(event);
  }

  #policy(first: boolean): TrustPolicy {
    const options = this.#options;
    // A reconnect never asks: the server it joined is kept by then, and
    // must still be the same. `--trust-new` still takes a node of a cluster
    // never seen before (never one whose identity changed).
    return first
      ? {
        fingerprint: options.fingerprint,
        trustNew: options.trustNew ?? false,
        interactive: options.interactive,
      }
      : { trustNew: options.trustNew ?? false, interactive: false };
  }

  // Dials the node in use over TLS, else the next that answers (a
  // cluster's nodes: `a:50001,b:50001`); the last failure is the one told.
  // A server that is not trusted is never passed over for the next.
  async #dial(
    signal: AbortSignal,
    first: boolean,
  ): Promise<SecureConnection> {
    const servers = this.#servers();
    for (let i = 0;; i++) {
      const server = servers[i]!;
      try {
        const secured = await secureDial(server.hostname, server.port, {
          timeoutMs: this.#options.timeoutMs,
          lang: this.#options.lang,
          signal,
          knownServers: this.#known!,
          policy: this.#policy(first),
        });
        this.#node = (this.#node + i) % servers.length;
        return secured;
      } catch (error) {
        if (
          !(error instanceof DialError) || signal.aborted ||
          i === servers.length - 1
        ) throw error;
      }
    }
  }

  // The first connection: encrypted, and trusted (asked about at a
  // terminal on first contact) before a byte is sent. An exit code when
  // there is no joining.
  async #connectFirst(): Promise<SecureConnection | number> {
    this.#dialing = new AbortController();
    try {
      const secured = await this.#dial(this.#dialing.signal, true);
      if (!secured.ask) return secured;
      // Asking may take longer than the server waits for a name: the
      // answer is kept, and the client connects once more.
      secured.stream.close();
      const yes = await this.#askTrust(secured);
      if (yes === undefined) return 0;
      if (!yes) {
        return await this.#fail(
          TRUST_STRINGS[this.#options.lang].declined(secured.address),
        );
      }
      this.#known!.add(secured.address, secured.sha256);
      this.#ui?.print(
        TRUST_STRINGS[this.#options.lang].remembered(
          secured.address,
          this.#known!.path,
        ),
      );
      this.#dialing = new AbortController();
      return await this.#dial(this.#dialing.signal, false);
    } catch (error) {
      if (this.#dialing?.signal.aborted) return 0;
      if (
        error instanceof DialError || error instanceof UntrustedServerError
      ) return await this.#fail(error.message);
      // The known servers file could not be written.
      if (error instanceof Error && /^Cannot /.test(error.message)) {
        return await this.#fail(error.message);
      }
      throw error;
    } finally {
      this.#dialing = undefined;
    }
  }

  // First contact at a terminal: shows the fingerprint, asks as ssh does.
  // `undefined` when the user left instead of answering (Ctrl-C, Ctrl-D).
  async #askTrust(secured: SecureConnection): Promise<boolean | undefined> {
    const strings = TRUST_STRINGS[this.#options.lang];
    const fingerprint = formatFingerprint(secured.sha256);
    this.#ui?.print(strings.firstContact(secured.address, fingerprint));
    this.#ui?.setPrompt(strings.trustPrompt(secured.address, fingerprint));
    this.#dialing = undefined;
    try {
      for await (const event of this.#queue) {
        if (event.kind !== "line") return undefined;
        const answer = event.text.trim().toLowerCase();
        if (strings.yes.includes(answer)) return true;
        if (strings.no.includes(answer)) return false;
        this.#ui?.setPrompt(strings.yesOrNo);
      }
      return undefined;
    } finally {
      this.#ui?.setPrompt("");
    }
  }

  async #askName(): Promise<string | undefined> {
    const strings = STRINGS[this.#options.lang];
    for await (const event of this.#queue) {
      if (event.kind !== "line") return undefined;
      if (event.text.trim() === "") continue;
      const checked = checkName(event.text);
      if (checked.ok) return checked.name;
      const rendered = renderMessage({
        type: "error",
        code: `name_${checked.code}`,
        text: strings.nameError(checked.code, checked.name),
      }, {
        me: "",
        lang: this.#options.lang,
        color: this.#options.color,
        width: this.#ui?.columns,
      });
      if (rendered) this.#ui?.print(rendered.text);
    }
    return undefined;
  }

  #handle(state: ClientState, event: _Event): ClientEffect[] {
    switch (event.kind) {
      case "server":
        // Lines still buffered from a connection given up are not heard.
        if (event.connection !== this.#connection?.id) return [];
        return state.onServerLine(event.line);
      case "closed":
        if (event.connection !== this.#connection?.id) return [];
        return state.onClosed();
      case "connected":
        this.#open(event.secured);
        return state.onConnected();
      case "untrusted":
        return [{ kind: "exit", code: 1, error: event.text }];
      case "connect_failed":
        return state.onConnectFailed();
      case "deadline":
        return event.generation === this.#generation ? state.onDeadline() : [];
      case "wake":
        return event.generation === this.#wakeGeneration ? state.onWake() : [];
      case "tick":
        return state.onTick();
      case "line":
        return state.onInput(event.text);
      case "end":
        return state.onEnd();
      case "interrupt":
        return state.onInterrupt();
    }
  }

  // Carries out effects; returns the exit effect if there is one.
  #apply(
    effects: ClientEffect[],
  ): Extract<ClientEffect, { kind: "exit" }> | undefined {
    for (const effect of effects) {
      switch (effect.kind) {
        case "send":
          this.#send(effect.message);
          break;
        case "print":
          if (this.#ui) this.#ui.print(effect.text, { bell: effect.alert });
          else console.log(effect.text);
          break;
        case "prompt":
          this.#ui?.setPrompt(effect.text, { hidden: effect.hidden ?? false });
          break;
        case "restore":
          this.#ui?.restore(effect.text);
          break;
        case "deadline":
          this.#arm(effect.ms);
          break;
        case "wake": {
          clearTimeout(this.#wake);
          const generation = ++this.#wakeGeneration;
          this.#wake = setTimeout(
            () => this.#queue.push({ kind: "wake", generation }),
            effect.ms,
          );
          break;
        }
        case "connect":
          this.#redial();
          break;
        case "disconnect":
          this.#close();
          break;
        case "prove":
          this.#prove(effect.nonce);
          break;
        case "exit":
          return effect;
      }
    }
    return undefined;
  }

  #arm(ms: number | null): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const generation = ++this.#generation;
    if (ms === null) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#queue.push({ kind: "deadline", generation });
    }, ms);
  }

  #send(message: ClientMessage): void {
    const connection = this.#connection;
    if (!connection) return;
    const bytes = encoder.encode(encodeMessage(message));
    const id = connection.id;
    // Writes go out one after another, in order; a failed write means the
    // connection is gone, which the session hears as "closed".
    const writing = connection.writing.then(async () => {
      if (!this.#disposed) await _writeAll(connection.conn, bytes);
    }).catch(() => this.#queue.push({ kind: "closed", connection: id }));
    connection.writing = writing;
    this.#writing.add(writing);
    writing.finally(() => this.#writing.delete(writing));
  }

  // Signs the server's challenge and sends the proof on the connection
  // that asked, if it is still the one.
  #prove(nonce: string): void {
    const key = this.#key;
    const connection = this.#connection;
    if (key === undefined || connection === undefined) return;
    const signing = key.sign(proofText(nonce, this.#channel)).then(
      (signature) => {
        if (this.#connection === connection) {
          this.#send({ type: "proof", signature });
        }
      },
    );
    this.#writing.add(signing);
    signing.finally(() => this.#writing.delete(signing));
  }

  #open(secured: SecureConnection): void {
    const conn = secured.stream;
    if (this.#disposed) {
      conn.close();
      return;
    }
    this.#channel = formatFingerprint(secured.sha256);
    const connection: _Connection = {
      id: ++this.#connections,
      conn,
      reader: undefined,
      writing: Promise.resolve(),
    };
    this.#connection = connection;
    const reading = this.#readServer(connection);
    this.#reading.add(reading);
    reading.finally(() => this.#reading.delete(reading));
  }

  // Gives up the current connection; what it still delivers is ignored.
  async #close(): Promise<void> {
    const connection = this.#connection;
    this.#connection = undefined;
    if (!connection) return;
    await connection.reader?.cancel().catch(() => {});
    try {
      connection.conn.close();
    } catch (error) {
      // Cancelling the readable side may have closed it already.
      if (!(error instanceof Deno.errors.BadResource)) throw error;
    }
  }

  // The server and the other nodes of its cluster, from the one in use.
  #servers(): { hostname: string; port: number }[] {
    const options = this.#options;
    const all = [options, ...options.alternates ?? []];
    return [...all.slice(this.#node), ...all.slice(0, this.#node)];
  }

  // Opens a new connection for the state machine, which hears how it went;
  // in a cluster, on the next node first.
  #redial(): void {
    const nodes = 1 + (this.#options.alternates?.length ?? 0);
    this.#node = (this.#node + 1) % nodes;
    this.#dial(this.#redialing.signal, false).then(
      (secured) => {
        if (this.#disposed) secured.stream.close();
        else this.#queue.push({ kind: "connected", secured });
      },
      (error) =>
        this.#queue.push(
          error instanceof UntrustedServerError
            ? { kind: "untrusted", text: error.message }
            : { kind: "connect_failed" },
        ),
    );
  }

  #readStdin(): void {
    const lines = Deno.stdin.readable
      .pipeThrough(new TextDecoderStream())
      .pipeThrough(new TextLineStream({ allowCR: true }));
    const reader = lines.getReader();
    this.#stdin = reader;
    (async () => {
      try {
        while (true) {
          const { done, value } = await reader.read();
          if (done) break;
          // Empty lines are not messages.
          if (value.trim() !== "") {
            this.#queue.push({ kind: "line", text: value });
          }
        }
      } catch {
        // Standard input failed or was cancelled: treat it as its end.
      }
      this.#queue.push({ kind: "end" });
    })();
  }

  async #readServer(connection: _Connection): Promise<void> {
    const reader = connection.conn.readable
      .pipeThrough(new TextDecoderStream())
      .pipeThrough(new TextLineStream({ allowCR: true }))
      .getReader();
    connection.reader = reader;
    const id = connection.id;
    try {
      while (true) {
        const { done, value } = await reader.read();
        if (done) break;
        this.#queue.push({ kind: "server", line: value, connection: id });
      }
    } catch {
      // A reset (ConnectionReset, BrokenPipe...), invalid UTF-8, or the
      // socket closed under the reader as the session ends: whatever the
      // cause, the connection is gone, and the state machine says so.
    }
    this.#queue.push({ kind: "closed", connection: id });
  }
}

async function _writeAll(conn: TlsStream, bytes: Uint8Array): Promise<void> {
  let written = 0;
  while (written < bytes.length) {
    written += await conn.write(bytes.subarray(written));
  }
}

/** An unbounded queue read by one `for await` loop. */
class _Queue<T> implements AsyncIterable<T> {
  #items: T[] = [];
  #waiting: ((result: IteratorResult<T>) => void) | undefined;
  #closed = false;

  push(item: T): void {
    if (this.#closed) return;
    const waiting = this.#waiting;
    if (waiting) {
      this.#waiting = undefined;
      waiting({ done: false, value: item });
    } else this.#items.push(item);
  }

  close(): void {
    this.#closed = true;
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.({ done: true, value: undefined });
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: () => {
        const item = this.#items.shift();
        if (item !== undefined) {
          return Promise.resolve({ done: false, value: item });
        }
        if (this.#closed) {
          return Promise.resolve({ done: true, value: undefined });
        }
        return new Promise((resolve) => (this.#waiting = resolve));
      },
      // Breaking out of a `for await` must not close the queue: the name
      // question and the session read it one after the other.
      return: () => Promise.resolve({ done: true, value: undefined }),
    };
  }
}
