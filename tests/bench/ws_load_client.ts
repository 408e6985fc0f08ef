/**
 * A load-generator client over WebSocket: the native dialect's JSON, one
 * text frame per message, on `ws://HOST:WEBPORT/ws` with the `Origin` a
 * page of that server would send. Frames are scanned for markers as
 * strings, without parsing the JSON.
 *
 * @module
 */

import {
  type ClientSink,
  greeting,
  helloLine,
  keepAliveLine,
  type LoadClient,
  messageLine,
  type Target,
} from "./load_client.ts";
import { type MarkerVisitor, nowUs, scanText } from "./marker.ts";
import { WEB_SOCKET_PATH } from "../../src/server/web_gateway.ts";

// How long close() waits for the server's closing handshake.
const CLOSE_TIMEOUT_MS = 3000;

/** One WebSocket connection of the load generator. */
export class WsLoadClient implements LoadClient {
  /** Client number. */
  readonly index: number;
  #socket: WebSocket;
  #sink: ClientSink;
  #ready = false;
  #closing = false;
  #receivedUs = 0;
  #visitor: MarkerVisitor;
  #closed: Promise<void>;
  #lastSendMs = Date.now();

  private constructor(
    socket: WebSocket,
    index: number,
    sink: ClientSink,
    closed: Promise<void>,
  ) {
    this.index = index;
    this.#socket = socket;
    this.#sink = sink;
    this.#closed = closed;
    this.#visitor = {
      marker: (sender, seq, sentUs) =>
        sink.marker(index, sender, seq, sentUs, this.#receivedUs),
      probe: () => sink.probe(index),
    };
    socket.onmessage = (event: MessageEvent) => this.#frame(event.data);
    closed.then(() => {
      if (!this.#closing) this.#sink.ended(this.index, "closed by the server");
    });
  }

  /**
   * Opens the WebSocket, sends `hello` and starts reading.
   *
   * @param target Server with its `webPort`.
   * @param index Client number.
   * @param sink Where the client reports.
   * @returns The connected client.
   * @throws {TypeError} When the target has no web port.
   * @throws {Error} `Cannot open <url>: <why>` when the upgrade fails.
   */
  static async connect(
    target: Target,
    index: number,
    sink: ClientSink,
  ): Promise<WsLoadClient> {
    if (target.webPort === null) {
      throw new TypeError(
        "Cannot open a WebSocket: the server has no web port",
      );
    }
    const origin = `http://${target.hostname}:${target.webPort}`;
    const url = `ws://${target.hostname}:${target.webPort}${WEB_SOCKET_PATH}`;
    const socket = new WebSocket(url, { headers: { origin } });
    let opened = false;
    const closed = new Promise<void>((resolve) => {
      socket.onclose = () => resolve();
    });
    await new Promise<void>((resolve, reject) => {
      socket.onopen = () => {
        opened = true;
        resolve();
      };
      socket.onerror = (event) => {
        if (!opened) {
          reject(
            new Error(
              `Cannot open ${url}: ${
                (event as ErrorEvent).message ?? "connection failed"
              }`,
            ),
          );
        }
      };
    }).catch(async (error) => {
      await closed;
      throw error;
    });
    socket.onerror = null;
    const client = new WsLoadClient(socket, index, sink, closed);
    socket.send(helloLine("websocket", index));
    return client;
  }

  #frame(data: unknown): void {
    if (typeof data !== "string") return; // the server sends text only
    this.#receivedUs = nowUs();
    if (this.#ready) {
      scanText(data, this.#visitor);
    } else {
      const kind = greeting("websocket", data.trimEnd());
      if (kind === "welcome") {
        this.#ready = true;
        this.#sink.ready(this.index);
      } else if (kind === "refused") {
        this.#sink.ended(this.index, `name refused: ${data.trimEnd()}`);
      }
    }
    this.#sink.received(this.index, this.#receivedUs);
  }

  /**
   * Sends messages, one frame each, as a page does.
   *
   * @param texts Message texts.
   */
  send(texts: readonly string[]): void {
    if (this.#socket.readyState !== WebSocket.OPEN) return;
    for (const text of texts) {
      this.#socket.send(messageLine("websocket", text));
    }
    this.#lastSendMs = Date.now();
  }

  /**
   * Sends a `pong` after `afterMs` of silence, so the server keeps this
   * member.
   *
   * @param afterMs Silence after which to send it.
   */
  keepAlive(afterMs: number): void {
    if (this.#socket.readyState !== WebSocket.OPEN) return;
    if (Date.now() - this.#lastSendMs < afterMs) return;
    this.#socket.send(keepAliveLine("websocket")!);
    this.#lastSendMs = Date.now();
  }

  /** Closes the WebSocket and waits (at most 3 s) for the server's close. */
  async close(): Promise<void> {
    if (!this.#closing) {
      this.#closing = true;
      if (this.#socket.readyState === WebSocket.OPEN) this.#socket.close(1000);
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      this.#closed,
      new Promise((resolve) => timer = setTimeout(resolve, CLOSE_TIMEOUT_MS)),
    ]);
    clearTimeout(timer);
  }
}
