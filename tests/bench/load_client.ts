/**
 * What the three dialects have in common for the load generator: the
 * target, how a client says hello and sends a message, how it recognises
 * its welcome, and the callbacks a client makes into its crowd.
 *
 * @module
 */

/** A wire dialect of the server. */
export type Dialect = "plain" | "native" | "websocket" | "tls";

/** Every dialect, in report order. */
export const DIALECTS: readonly Dialect[] = [
  "plain",
  "native",
  "websocket",
  "tls",
];

/** Where and how clients connect. */
export interface Target {
  /** The dialect every client of the crowd speaks. */
  dialect: Dialect;
  /** Server address (127.0.0.1). */
  hostname: string;
  /** TCP chat port. */
  port: number;
  /** WebSocket port; needed for the `websocket` dialect. */
  webPort: number | null;
  /**
   * Whether the server greets a client when its name is taken (`chat` does;
   * a bare broadcaster such as limit_server does not, and then the sync
   * barrier alone proves registration).
   */
  welcome: boolean;
}

/** What a client reports to the crowd it belongs to. */
export interface ClientSink {
  /**
   * The client's welcome arrived: the server has taken its name.
   *
   * @param client Client number.
   */
  ready(client: number): void;
  /**
   * A message marker arrived.
   *
   * @param receiver Client number of the receiver.
   * @param sender Client number in the marker.
   * @param seq Message number in the marker.
   * @param sentUs Send time in the marker.
   * @param receivedUs When the read that returned it finished.
   */
  marker(
    receiver: number,
    sender: number,
    seq: number,
    sentUs: number,
    receivedUs: number,
  ): void;
  /**
   * A sync-barrier probe arrived.
   *
   * @param receiver Client number of the receiver.
   */
  probe(receiver: number): void;
  /**
   * One read (or frame) has been handled, markers included.
   *
   * @param receiver Client number.
   * @param receivedUs When it was read.
   */
  received(receiver: number, receivedUs: number): void;
  /**
   * The connection ended without the bench closing it.
   *
   * @param client Client number.
   * @param why What happened.
   */
  ended(client: number, why: string): void;
}

/** One connection of the load generator. */
export interface LoadClient {
  /** Client number; its name is `u<number>`. */
  readonly index: number;
  /**
   * Sends messages (the TCP clients write them all in one go).
   *
   * @param texts Message texts without line breaks or JSON specials.
   */
  send(texts: readonly string[]): void;
  /**
   * Sends the keep-alive line if the dialect has one and the client has
   * sent nothing for `afterMs`.
   *
   * @param afterMs Silence after which to send it.
   */
  keepAlive(afterMs: number): void;
  /** Closes the connection and waits for its reader. Idempotent. */
  close(): Promise<void>;
}

/**
 * The name of client `index`.
 *
 * @param index Client number.
 * @returns `u<index>`.
 */
export function clientName(index: number): string {
  return `u${index}`;
}

/**
 * The first line (frame) a client sends.
 *
 * @param dialect The client's dialect.
 * @param index Client number.
 * @returns The line, with its `\n` over TCP.
 */
export function helloLine(dialect: Dialect, index: number): string {
  const name = clientName(index);
  switch (dialect) {
    case "plain":
      return `${name}\n`;
    case "native":
    case "tls": // native, over TLS
      return `{"type":"hello","version":2,"name":"${name}"}\n`;
    case "websocket":
      return `{"type":"hello","version":2,"name":"${name}"}`;
  }
}

/**
 * The line (frame) that sends one message. Marker texts hold nothing JSON
 * must escape, so no `JSON.stringify` on the hot path.
 *
 * @param dialect The client's dialect.
 * @param text The message.
 * @returns The line, with its `\n` over TCP.
 */
export function messageLine(dialect: Dialect, text: string): string {
  switch (dialect) {
    case "plain":
      return `${text}\n`;
    case "native":
    case "tls": // native, over TLS
      return `{"type":"input","text":"${text}"}\n`;
    case "websocket":
      return `{"type":"input","text":"${text}"}`;
  }
}

/**
 * The line a silent client sends so that the server does not drop it: the
 * native dialect's `pong` (the server pings a native member after 30 s of
 * silence and drops it after 90 s; a `pong` needs no answer). Plain members
 * are never pinged.
 *
 * @param dialect The client's dialect.
 * @returns The line, or `null` for plain.
 */
export function keepAliveLine(dialect: Dialect): string | null {
  switch (dialect) {
    case "plain":
      return null;
    case "native":
    case "tls": // native, over TLS
      return `{"type":"pong","id":0}\n`;
    case "websocket":
      return `{"type":"pong","id":0}`;
  }
}

/** What a line before the welcome means. */
export type Greeting = "welcome" | "refused" | "other";

/**
 * Classifies a line received before the welcome.
 *
 * @param dialect The client's dialect.
 * @param line One received line (frame), without its `\n`.
 * @returns Whether it is the welcome, a refused name, or something else.
 */
export function greeting(dialect: Dialect, line: string): Greeting {
  if (dialect === "plain") {
    if (line.includes("-- Welcome, ")) return "welcome";
    return line.includes("!! ") ? "refused" : "other";
  }
  if (line.startsWith('{"type":"welcome"')) return "welcome";
  return line.startsWith('{"type":"name_error"') ? "refused" : "other";
}
