/**
 * One connection's life, whatever carries its lines (TCP, WebSocket): picks
 * the codec from the first line (or takes the gateway's), handles the hello
 * and name attempts, keeps the deadlines and pings, and is the connection's
 * {@linkcode Member} in the hub. However the connection ends (quit, flood,
 * slow, timeout, protocol, shutdown, end of input, reset, error), it goes
 * out one way: one place builds the `bye`, one leaves the hub, one closes
 * the transport.
 *
 * @module
 */

import {
  isNotice,
  type Lang,
  type LeaveReason,
  PROTOCOL_VERSION,
  type ServerMessage,
} from "../protocol/messages.ts";
import type { Hub } from "../hub/hub.ts";
import type { Member } from "../hub/member.ts";
import type { NameCheck } from "../protocol/name_rules.ts";
import { STRINGS } from "../i18n/server_strings.ts";
import type {
  Codec,
  CodecId,
  Decoded,
  Intent,
  Peer,
  Reader,
  ServerFacts,
} from "../protocol/codec.ts";
import { constantTimeEqual } from "../protocol/constant_time_equal.ts";
import {
  type Encoded,
  encodedText,
  encodeOnce,
} from "../protocol/encode_cache.ts";
import { FALLBACK_CODEC, sniff } from "../protocol/sniff.ts";
import {
  keyIdOf,
  newNonce,
  type PublicKeyInfo,
  UNBOUND_CHANNEL,
  verifyProof,
} from "../protocol/key_proof.ts";
import type { Credential } from "../hub/claim_registry.ts";
import { CLAIM_STRINGS } from "../i18n/claim_strings.ts";
import type {
  CloseCode,
  LineTransport,
  TransportEnd,
  TransportSink,
} from "../transport/line_transport.ts";

/** Options of {@linkcode Session}. */
export interface SessionOptions {
  /** Language of plain-dialect users, and of native users until their hello. */
  lang: Lang;
  /**
   * The codec, when the gateway decides it (WebSocket is native).
   * @default {undefined} sniffed from the first line
   */
  codec?: Codec<unknown, CodecId>;
  /** Longest accepted line in bytes, for the error text. */
  maxLineBytes: number;
  /** Milliseconds of silence before a plain user is asked for a name. */
  promptAfterMs: number;
  /** Milliseconds a connection has to choose a name. */
  nameTimeoutMs: number;
  /** Milliseconds of silence after which a pinging member is pinged. */
  pingAfterMs: number;
  /** Milliseconds of silence after which a pinging member is gone. */
  deadAfterMs: number;
  /** Most members in the hub (0 = no limit). */
  maxUsers: number;
  /**
   * The password every connection must give before its name (`--password`),
   * or `null` for none.
   * @default {null}
   */
  password?: string | null;
  /** Writes a line to the server's console. */
  log: (line: string) => void;
  /**
   * Clock, in milliseconds since the epoch, for when the connection began.
   * @default {Date.now}
   */
  now?: () => number;
  /**
   * What the server tells of itself, for codecs that say it (IRC).
   * @default {undefined}
   */
  server?: ServerFacts;
  /**
   * The host others see for an address (a cloak, or the address itself
   * with `--show-ips`).
   * @default {() => "unknown"}
   */
  hostOf?: (ip: string) => string;
  /**
   * What a key's proof is bound to: the fingerprint of the certificate
   * this connection's TLS showed (`SHA256:…`), so that a proof relayed
   * from another connection fails. The chat port gives it for every TLS
   * connection (`StreamGatewayOptions.tls`).
   * @default {UNBOUND_CHANNEL} a connection without TLS, and the page's
   */
  channelBinding?: string;
  /**
   * The SHA-256 fingerprint (`SHA256:…`) of the TLS client certificate the
   * peer showed (IRC CertFP): a credential from the start, what SASL
   * `EXTERNAL` proves a name by, and what `REGISTER` claims one for.
   * @default {undefined} no client certificate
   */
  clientCertFp?: string;
  /**
   * Takes a name cluster-wide before the hub does (a cluster's node; see
   * `Replica.reserve`), and lets it go when the hub refuses it.
   * @default {undefined} the hub's own check only
   */
  names?: SessionNames;
}

/** How a cluster's node takes names for its sessions. */
export interface SessionNames {
  /** Takes a name for the member, unless another node's member holds it. */
  reserve(member: Member, name: string): Promise<boolean>;
  /** Lets go of what {@linkcode SessionNames.reserve} took, for a member the hub refused. */
  unreserve(member: Member): void;
}

/** Why a session is closing. */
export interface Closing {
  /** Why, for the hub and the log. */
  reason: LeaveReason;
  /** Extra words (a quit message, a protocol error). */
  detail?: string;
}

const MAX_BAD_LINES = 10;
// Failed guesses of claimed names' passwords (wrong, or refused for
// guessing too fast) before the connection is closed.
const MAX_NAME_GUESSES = 5;
const MAX_NAME_TRIES = 20;
const FLUSH_DEADLINE_MS = 1500;
// Intents held while a SASL check runs (a client that pipelines its
// registration behind AUTHENTICATE sends a few).
const MAX_HELD_INTENTS = 32;

/**
 * One connection, before and after it joins the hub. Call
 * {@linkcode Session.run} once it is made; the server's ticker calls
 * {@linkcode Session.tick}.
 */
export class Session implements Member, Reader, TransportSink {
  /** The member's name once joined, else `""`. */
  name = "";
  /** The member's current room, kept by the hub. */
  room: string | null = null;
  /** Where the peer is, as the transport says (`127.0.0.1:50312`). */
  readonly label: string;
  /** The peer's IP address, for bans. */
  readonly address: string;
  /** What others see as the address: a cloak of it, or it (`--show-ips`). */
  readonly host: string;
  /** The user part of `nick!user@host`: IRC's `USER` name, else the dialect's. */
  user = "";
  /** IRC's real name, or `""`. */
  realname = "";
  #hub: Hub;
  #transport: LineTransport;
  #options: SessionOptions;
  #lang: Lang;
  #codec: Codec<unknown, CodecId> | null = null;
  // The plain prompt chose the codec, but the first line still decides.
  #prompted = false;
  #state: unknown = null;
  #closing: Closing | null = null;
  #shut = false;
  #running: Promise<void> | null = null;
  #gone: Promise<void>;
  #resolveGone: () => void = () => {};
  #badLines = 0;
  #nameTries = 0;
  // Whether the peer gave the server's password (or none is needed).
  #authenticated: boolean;
  #connectedAt: number;
  #lastHeard: number;
  #heard = false;
  #pinged = false;
  // What the peer proved (a key, a name's password), and the challenge of
  // a hello whose key is not proven yet.
  #credential: Credential | null = null;
  #challenge: {
    nonce: string;
    key: PublicKeyInfo;
    hello: Extract<Intent, { type: "hello" }>;
  } | null = null;
  // A proof or a password being checked (off the main thread): names wait.
  #checking = false;
  // The claimed name whose password a plain user is asked for.
  #namePasswordFor: string | null = null;
  #nameGuesses = 0;
  // IRC's SASL: the account it logged in as (the name registered), whether
  // a check is under way, and what came meanwhile (CAP END's hello and
  // LUSERS), in order.
  #saslAccount: string | null = null;
  #saslChecking = false;
  #held: Intent[] = [];

  /**
   * Starts a connection's life; nothing is read until
   * {@linkcode Session.run}.
   *
   * @param hub The hub to join.
   * @param transport The connection carrying the peer's lines; the session
   * closes it.
   * @param options Limits, deadlines and log.
   */
  constructor(hub: Hub, transport: LineTransport, options: SessionOptions) {
    this.#hub = hub;
    this.#transport = transport;
    this.#options = options;
    this.label = transport.label;
    this.address = transport.ip;
    this.host = (options.hostOf ?? (() => "unknown"))(transport.ip);
    this.#authenticated = (options.password ?? null) === null;
    this.#lang = options.lang;
    this.#connectedAt = (options.now ?? Date.now)();
    this.#lastHeard = this.#connectedAt;
    this.#gone = new Promise((resolve) => this.#resolveGone = resolve);
    if (options.clientCertFp !== undefined) {
      this.#credential = { kind: "certfp", fp: options.clientCertFp };
    }
    if (options.codec !== undefined) this.#choose(options.codec);
  }

  /** Language for texts addressed to this member. */
  get lang(): Lang {
    return this.#lang;
  }

  /** Whether the hub has accepted the member's name. */
  get joined(): boolean {
    return this.#hub.has(this);
  }

  /**
   * Whether a password is still to be given: the server's, or that of the
   * claimed name a plain user asked for.
   */
  get needsPassword(): boolean {
    return !this.#authenticated || this.#namePasswordFor !== null;
  }

  /** What the server tells of itself. */
  get server(): ServerFacts | undefined {
    return this.#options.server;
  }

  /**
   * Who a member is, by name.
   *
   * @param name A name.
   * @returns Its user, host and away text, or `undefined`.
   */
  peer(name: string): Peer | undefined {
    return this.#hub.identity(name);
  }

  /** Whether the peer wants its own public lines back (IRC's echo-message). */
  get echoes(): boolean {
    return this.#codec?.echoes?.(this.#state) ?? false;
  }

  /** The codec, once the first line (or the gateway) has chosen it. */
  get codec(): CodecId | null {
    return this.#codec?.id ?? null;
  }

  /** Why the session is closing, or `null` while it is open. */
  get closing(): Closing | null {
    return this.#closing;
  }

  /** Whether the session still takes lines: until it starts closing. */
  get listening(): boolean {
    return this.#closing === null;
  }

  /**
   * Reads the connection until it ends. Calling it again returns the same
   * promise.
   *
   * @returns A promise that resolves once the member has left the hub and
   * the transport is closed.
   */
  run(): Promise<void> {
    return this.#running ??= this.#run();
  }

  /**
   * Queues a message for the peer, in its dialect. A peer whose queue is
   * full is dropped as slow. Never blocks.
   *
   * @param message The message.
   */
  deliver(message: ServerMessage): void {
    const codec = this.#codec;
    if (this.#shut || codec === null) return;
    codec.observe?.(message, this.#state);
    const encoded = encodeOnce(message, codec, this.#state);
    if (!this.#write(encoded, isNotice(message))) this.close("slow");
  }

  /**
   * Ends the connection without a word (the hub has said why, or there is
   * no one left to tell): flushes what is queued, up to a deadline (not at
   * all for a slow reader or a broken connection), then closes. Idempotent.
   *
   * @param reason Why, for the hub and the log.
   * @param detail Extra words.
   */
  close(reason: LeaveReason, detail?: string): void {
    this.#exit(reason, detail, false);
  }

  /**
   * Says goodbye with a reason and closes, unless already closing. Used for
   * shutdown, so peers still choosing a name are told too.
   *
   * @param reason Why.
   */
  goodbye(reason: LeaveReason): void {
    this.#exit(reason, undefined, true);
  }

  /**
   * Called by the server every few hundred milliseconds (one timer for all
   * sessions, none per session): asks a silent newcomer for a name,
   * enforces the name deadline, pings members that have gone quiet and
   * drops those that stay silent, and drops a peer that stopped reading.
   *
   * @param now Current time in milliseconds.
   */
  tick(now: number): void {
    if (this.#closing !== null) return;
    this.#keepTime(now);
    if (this.#closing === null && !this.#transport.keepsUp(now)) {
      this.close("slow");
    }
  }

  /**
   * Notes that bytes arrived: the peer is alive. Called by the transport.
   *
   * @param now Current time in milliseconds.
   */
  heard(now: number): void {
    this.#heard = true;
    this.#lastHeard = now;
    this.#pinged = false;
  }

  /**
   * Handles one complete line from the peer. Called by the transport.
   *
   * @param line The line, decoded, without its line ending.
   */
  onLine(line: string): void {
    if (this.#closing !== null) return;
    let codec = this.#codec;
    if (codec === null || this.#prompted) {
      if (line.trim() === "") return;
      // A native hello after the prompt (it was slow to arrive) still
      // makes a native client; a name keeps the prompt's dialect.
      this.#prompted = false;
      const sniffed = sniff(line);
      codec = sniffed === codec ? codec : this.#choose(sniffed);
    }
    this.#handle(codec.decode(line, this.#state));
  }

  #handle(decoded: Decoded): void {
    if (decoded === null) {
      this.#badLines = 0;
      return;
    }
    switch (decoded.type) {
      case "bad":
        this.#badLine(decoded.why);
        return;
      case "reply":
        this.#badLines = 0;
        if (!this.#write(encodedText(decoded.text), false)) this.close("slow");
        return;
      case "many":
        for (const item of decoded.items) {
          if (this.#closing === null) this.#handle(item);
        }
        return;
      default:
        // A well-formed line ends a run of bad lines; a second hello is
        // well-formed but still bad, and must not reset the count.
        if (decoded.type !== "hello" || !this.#hub.has(this)) {
          this.#badLines = 0;
        }
        this.#onIntent(decoded);
    }
  }

  /**
   * Reports a line that was over the limit and dropped. Called by the
   * transport.
   *
   * @param bytes Its length.
   */
  onTooLong(bytes: number): void {
    // A first line too long to read is not a native hello: plain.
    this.#prompted = false;
    if (this.#codec === null) this.#choose(FALLBACK_CODEC);
    this.deliver({
      type: "error",
      code: "line_too_long",
      text: STRINGS[this.#lang].lineTooLong(this.#options.maxLineBytes),
    });
    this.#options.log(`${this.label}: refused a line of ${bytes} bytes`);
  }

  async #run(): Promise<void> {
    let end: TransportEnd;
    try {
      end = await this.#transport.run(this);
    } catch (error) {
      // A fault while handling a line (a bug, a failing log), not a broken
      // connection: out with "error", closed now, and the gateway that runs
      // this session logs the fault with its stack.
      this.#exit("error", undefined, false);
      try {
        this.#leave();
      } finally {
        this.#shutNow();
      }
      throw error;
    }
    this.#ended(end);
    await this.#gone;
    // Closed: a write still in flight fails now; let it settle.
    await this.#transport.drained();
  }

  /** The transport's input is over: out, unless already on the way. */
  #ended(end: TransportEnd): void {
    switch (end.reason) {
      case "too_long":
        this.#exit("protocol", "line too long", false);
        break;
      case "write_failed":
        this.#exit("error", end.detail, false);
        break;
      case "read_failed":
        this.#exit("error", undefined, false);
        break;
      case "timeout":
        this.#exit("timeout", undefined, false);
        break;
      case "eof":
      case "reset":
      case "closed":
        this.#exit("closed", undefined, false);
        break;
    }
    // Whoever closed first, the member leaves now at the latest: a member
    // dropped during a broadcast (slow) leaves only once the loop is over.
    this.#leave();
  }

  /**
   * The one way out. The first reason wins. With `bye`, the member leaves
   * the hub at once and is told why; else it leaves when the transport's
   * input ends (see #ended). Then the transport is closed, now or after a
   * flush.
   */
  #exit(reason: LeaveReason, detail: string | undefined, bye: boolean): void {
    if (this.#closing !== null) return;
    this.#closing = detail === undefined ? { reason } : { reason, detail };
    if (bye) {
      // Told in its dialect: plain when it never showed one.
      if (this.#codec === null) this.#choose(FALLBACK_CODEC);
      try {
        this.#leave();
      } catch (error) {
        // A fault while leaving (a failing log, a bug) still ends the
        // connection: the exit path is taken once, so nothing else would.
        this.#shutNow();
        throw error;
      }
      const message: ServerMessage = {
        type: "bye",
        reason,
        text: STRINGS[this.#lang].bye(reason, detail),
      };
      if (!this.#write(encodeOnce(message, this.#codec!, this.#state), false)) {
        // Not even the goodbye fits: a reader that stopped reading.
        this.#closing = { reason: "slow" };
      }
    }
    const why = this.#closing.reason;
    if (why === "slow" || why === "error" || why === "closed") {
      this.#shutNow();
      return;
    }
    const deadline = setTimeout(() => this.#shutNow(), FLUSH_DEADLINE_MS);
    this.#transport.drained().then(() => {
      clearTimeout(deadline);
      this.#shutNow();
    });
  }

  #leave(): void {
    const closing = this.#closing;
    if (closing !== null) this.#hub.leave(this, closing.reason, closing.detail);
  }

  #shutNow(): void {
    if (this.#shut) return;
    this.#shut = true;
    this.#transport.close(_closeCode(this.#closing?.reason));
    this.#resolveGone();
  }

  #keepTime(now: number): void {
    const options = this.#options;
    if (!this.#hub.has(this)) {
      const waited = now - this.#connectedAt;
      if (waited >= options.nameTimeoutMs) {
        this.#exit("timeout", undefined, true);
      } else if (
        !this.#heard && this.#codec === null &&
        waited >= options.promptAfterMs
      ) {
        this.#choose(FALLBACK_CODEC);
        this.#prompted = true;
        const strings = STRINGS[this.#lang];
        this.deliver({
          type: "info",
          code: "prompt",
          text: this.#authenticated ? strings.askName : strings.askPassword,
        });
      }
      return;
    }
    if (!this.#codec?.pings) return;
    const silent = now - this.#lastHeard;
    if (silent >= options.deadAfterMs) {
      options.log(
        `${this.label}: no answer for ${
          Math.round(silent / 1000)
        } s; disconnecting`,
      );
      this.#exit("timeout", undefined, true);
    } else if (silent >= options.pingAfterMs && !this.#pinged) {
      this.#pinged = true;
      this.deliver({ type: "ping", id: now });
    }
  }

  #onIntent(intent: Intent): void {
    if (this.#saslChecking && intent.type !== "quit") {
      // Registration (and all else) waits until SASL has ended.
      if (this.#held.length >= MAX_HELD_INTENTS) {
        this.#exit("protocol", "too many lines before SASL ended", true);
        return;
      }
      this.#held.push(intent);
      return;
    }
    switch (intent.type) {
      case "hello":
        if (this.#hub.has(this)) {
          this.#badLine("already joined");
          return;
        }
        if (intent.lang) this.#lang = intent.lang;
        if (intent.user !== undefined) this.user = intent.user;
        if (intent.realname !== undefined) this.realname = intent.realname;
        if (
          intent.version !== undefined &&
          Math.trunc(intent.version) !== PROTOCOL_VERSION
        ) {
          this.#exit(
            "protocol",
            STRINGS[this.#lang].unsupportedVersion(intent.version),
            true,
          );
          return;
        }
        if (!this.#authenticated && !this.#checkPassword(intent.password)) {
          return;
        }
        if (this.#saslAccount !== null) {
          // SASL proved a name: the connection registers under it.
          intent = { ...intent, name: this.#saslAccount };
        }
        if (this.#checking || this.#challenge !== null) {
          this.#badLine("waiting for a proof");
          return;
        }
        if (
          intent.key !== undefined &&
          (this.#credential?.kind !== "key" ||
            this.#credential.keyId !== keyIdOf(intent.key))
        ) {
          this.#askProof(intent, intent.key);
          return;
        }
        if (intent.namePassword !== undefined) {
          this.#proveName(intent.name, intent.namePassword);
          return;
        }
        this.#tryName(intent.name);
        return;
      case "proof":
        this.#checkProof(intent.signature);
        return;
      case "sasl":
        this.#sasl(intent);
        return;
      case "password":
        if (this.#authenticated && this.#namePasswordFor !== null) {
          const name = this.#namePasswordFor;
          this.#namePasswordFor = null;
          this.#proveName(name, intent.password);
          return;
        }
        if (this.#authenticated) {
          this.#badLine("no password asked for");
          return;
        }
        if (this.#checkPassword(intent.password)) {
          this.deliver({
            type: "info",
            code: "notice",
            text: STRINGS[this.#lang].passwordAccepted,
          });
        }
        return;
      case "input":
      case "command": {
        if (!this.#hub.has(this)) return;
        const options = intent.room === undefined ? {} : { room: intent.room };
        if (intent.type === "input") {
          this.#hub.input(this, intent.text, options);
        } else this.#hub.apply(this, intent.command, options);
        return;
      }
      case "quit":
        if (this.#hub.has(this)) {
          this.#hub.input(
            this,
            intent.reason ? `/quit ${intent.reason}` : "/quit",
          );
        } else this.#exit("quit", undefined, true);
        return;
    }
  }

  /**
   * Checks the server's password (in constant time); a wrong or missing one
   * ends the connection. Never logs what was given.
   */
  #checkPassword(given: string | undefined): boolean {
    const secret = this.#options.password ?? null;
    if (secret === null) return true;
    if (given !== undefined && constantTimeEqual(given, secret)) {
      this.#authenticated = true;
      return true;
    }
    this.#options.log(`${this.label}: wrong or missing password`);
    this.#exit("password", undefined, true);
    return false;
  }

  #tryName(requested: string): void {
    const names = this.#options.names;
    if (names === undefined) {
      this.#registerName(requested, true);
      return;
    }
    // A cluster: the name is reserved on every node first.
    this.#checking = true;
    names.reserve(this, requested).then((free) => {
      this.#checking = false;
      if (this.#closing === null) this.#registerName(requested, free);
      if (!this.#hub.has(this)) names.unreserve(this);
    });
  }

  #registerName(requested: string, free: boolean): void {
    const max = this.#options.maxUsers;
    if (max > 0 && this.#hub.size >= max) {
      this.#exit("full", undefined, true);
      return;
    }
    const result: NameCheck = free
      ? this.#hub.register(this, requested, {
        credential: this.#credential,
        ...(this.#options.clientCertFp === undefined
          ? {}
          : { certFp: this.#options.clientCertFp }),
      })
      : { ok: false, code: "taken", name: requested };
    if (result.ok) return;
    if (++this.#nameTries > MAX_NAME_TRIES) {
      this.#exit("protocol", "too many names refused", true);
      return;
    }
    const password = result.code === "registered" &&
      this.#hub.claims.hasPassword(result.name);
    if (password && this.#codec?.id === "plain") {
      // The next line is the name's password.
      this.#namePasswordFor = result.name;
      this.deliver({
        type: "info",
        code: "notice",
        text: CLAIM_STRINGS[this.#lang].askNamePassword(result.name),
      });
      return;
    }
    this.deliver({
      type: "name_error",
      name: result.name,
      code: result.code,
      text: STRINGS[this.#lang].nameError(result.code, result.name),
      ...(password ? { password: true as const } : {}),
    });
  }

  // A hello with a key not proven yet: send a challenge, and keep the
  // hello for when the proof comes.
  #askProof(
    hello: Extract<Intent, { type: "hello" }>,
    key: PublicKeyInfo,
  ): void {
    const nonce = newNonce();
    this.#challenge = { nonce, key, hello };
    this.deliver({ type: "challenge", nonce });
  }

  // The proof of the challenged key: a good one proves the key for the
  // whole connection and the hello goes on; a bad one ends it.
  #checkProof(signature: string): void {
    const challenge = this.#challenge;
    if (challenge === null || this.#checking) {
      this.#badLine("no challenge to answer");
      return;
    }
    this.#challenge = null;
    this.#checking = true;
    const channel = this.#options.channelBinding ?? UNBOUND_CHANNEL;
    verifyProof(challenge.key, signature, challenge.nonce, channel).then(
      (good) => {
        this.#checking = false;
        if (this.#closing !== null) return;
        if (!good) {
          this.#options.log(`${this.label}: a key's proof did not verify`);
          this.#exit("protocol", CLAIM_STRINGS[this.#lang].badProof, true);
          return;
        }
        this.#credential = { kind: "key", keyId: keyIdOf(challenge.key) };
        this.#onIntent(challenge.hello);
      },
    );
  }

  // A name's password (a plain user's answer, a native hello's
  // `namePassword`): checked off the main thread, each guess counted.
  #proveName(name: string, password: string): void {
    this.#checking = true;
    this.#hub.claims.verifyPassword(name, password, this.address).then(
      ({ result, credential }) => {
        this.#checking = false;
        if (this.#closing !== null) return;
        if (result === "ok" && credential !== undefined) {
          this.#credential = credential;
          this.#tryName(name);
          return;
        }
        if (result === "none") {
          this.#tryName(name);
          return;
        }
        if (++this.#nameGuesses >= MAX_NAME_GUESSES) {
          this.#options.log(`${this.label}: too many wrong name passwords`);
          this.#exit("password", undefined, true);
          return;
        }
        const words = CLAIM_STRINGS[this.#lang];
        this.deliver({
          type: "name_error",
          name,
          code: "registered",
          text: result === "slow"
            ? words.tooManyGuesses
            : words.wrongNamePassword(name),
          password: true,
        });
      },
    );
  }

  // IRC's SASL: a name's password (PLAIN) or the client certificate
  // (EXTERNAL). Every failure answers the same, and wrong passwords count
  // as the plain dialect's do. The password is never logged.
  #sasl(intent: Extract<Intent, { type: "sasl" }>): void {
    if (this.#hub.has(this) || this.#checking) {
      this.deliver({ type: "sasl", ok: false });
      return;
    }
    const done = (credential: Credential | null, guessed: boolean) => {
      this.#saslChecking = false;
      if (this.#closing !== null) return;
      if (credential !== null) {
        this.#credential = credential;
        this.#saslAccount = intent.account;
        this.deliver({ type: "sasl", ok: true, account: intent.account });
      } else {
        if (guessed && ++this.#nameGuesses >= MAX_NAME_GUESSES) {
          this.#options.log(`${this.label}: too many failed SASL attempts`);
          this.#exit("password", undefined, true);
          return;
        }
        this.deliver({ type: "sasl", ok: false });
      }
      const held = this.#held;
      this.#held = [];
      for (const intent of held) this.#onIntent(intent);
    };
    this.#saslChecking = true;
    if (intent.mechanism === "EXTERNAL") {
      const fp = this.#options.clientCertFp;
      // Answered on the next turn, like a password check.
      queueMicrotask(() =>
        done(
          fp === undefined
            ? null
            : this.#hub.claims.verifyCertFp(intent.account, fp),
          true,
        )
      );
      return;
    }
    this.#hub.claims.verifyPassword(
      intent.account,
      intent.password,
      this.address,
      { blind: true },
    ).then(({ result, credential }) =>
      done(result === "ok" ? credential ?? null : null, true)
    );
  }

  #badLine(why: string): void {
    this.deliver({
      type: "error",
      code: "bad_message",
      text: STRINGS[this.#lang].badMessage(why),
    });
    if (++this.#badLines >= MAX_BAD_LINES) this.#exit("protocol", why, true);
  }

  #choose(codec: Codec<unknown, CodecId>): Codec<unknown, CodecId> {
    this.#codec = codec;
    // IRC's USER names it at registration; the others go by their dialect.
    this.user = codec.id;
    this.#state = codec.open(this);
    return codec;
  }

  /** Queues encoded line(s); `false` when the transport is over its bound. */
  #write(encoded: Encoded, lazy: boolean): boolean {
    return encoded.bytes.length === 0 || this.#transport.write(encoded, lazy);
  }
}

/** How the transport is closed for each reason (a page sees the code). */
function _closeCode(reason: LeaveReason | undefined): CloseCode {
  switch (reason) {
    case "shutdown":
      return "going_away";
    case "protocol":
    case "flood":
    case "slow":
    case "limit":
    case "full":
    case "timeout":
    case "password":
      return "policy";
    default:
      return "normal";
  }
}
