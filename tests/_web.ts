/**
 * Helpers for tests of the browser client: a chat server with its web
 * server on 127.0.0.1, WebSocket test clients, and headless Chromium.
 *
 * @module
 */

import type { Browser, BrowserContextOptions, Page } from "playwright-core";
import { chromium } from "playwright-core";
import type { ClientMessage, ServerMessage } from "../src/protocol/messages.ts";
import type { ServerConfig } from "../src/config.ts";
import type { ChatServer, Listener } from "../src/server/server.ts";
import { DEADLINE_MS, delay, eventually, startTestServer } from "./_helpers.ts";

/**
 * Polls an asynchronous `check` (a question to a page) until it returns
 * something other than `undefined`/`false`, or fails after the deadline
 * with `what` and the last answer in the message.
 */
export async function until<T>(
  check: () => Promise<T | undefined | false>,
  what: string,
  timeoutMs: number = DEADLINE_MS,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  while (true) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await delay(20);
  }
}

/** Where the message list is scrolled to, in CSS pixels. */
export interface ScrollPlace {
  /** `scrollTop`. */
  top: number;
  /** Pixels below the visible part: 0 at the bottom. */
  below: number;
  /** Whether the list holds more than it shows. */
  overflows: boolean;
}

/** A chat server with its web client, as `chat serve` runs them. */
export interface WebFixture {
  /** The server. */
  server: ChatServer;
  /** Its web client's listener. */
  web: Listener;
  /** `http://127.0.0.1:PORT/`. */
  url: string;
  /** Log lines of both. */
  logs: string[];
}

/**
 * Starts a chat server with its web client on 127.0.0.1, on free ports
 * unless `config` names them.
 */
export async function startWeb(
  config: Partial<ServerConfig> = {},
  logs: string[] = [],
): Promise<WebFixture> {
  const server = await startTestServer(
    { webPort: 0, ...config },
    (line) => logs.push(line),
  );
  const web = server.web!;
  return {
    server,
    web,
    url: `http://127.0.0.1:${web.addr.port}/`,
    logs,
  };
}

/** Shuts the server down: the web client first, as `chat serve` does. */
export async function stopWeb(fixture: WebFixture): Promise<void> {
  await fixture.server.shutdown();
}

/**
 * Runs `fn` with a chat server and its web client on 127.0.0.1 and free
 * ports, and always shuts them down.
 */
export async function withWeb(
  fn: (fixture: WebFixture) => Promise<void>,
  config: Partial<ServerConfig> = {},
): Promise<void> {
  const fixture = await startWeb(config);
  try {
    await fn(fixture);
  } finally {
    await stopWeb(fixture);
  }
}

/** A WebSocket member driven from the test, as a page would be. */
export class WsClient {
  /** Every message received so far. */
  readonly messages: ServerMessage[] = [];
  /** Resolves with the close code when the socket has closed. */
  readonly closed: Promise<number>;
  #socket: WebSocket;
  #seen = 0;

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    socket.onmessage = (event) => {
      for (const line of String(event.data).split("\n")) {
        if (line !== "") this.messages.push(JSON.parse(line));
      }
    };
    this.closed = new Promise((resolve) => {
      socket.onclose = (event) => resolve(event.code);
    });
  }

  /** Opens a WebSocket to a web server's endpoint. */
  static async open(port: number): Promise<WsClient> {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/ws`);
    const client = new WsClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.onopen = () => resolve();
      socket.onerror = () => reject(new Error("Cannot open the WebSocket"));
    });
    return client;
  }

  /** Opens a WebSocket, says hello and waits for the welcome. */
  static async join(port: number, name: string): Promise<WsClient> {
    const client = await WsClient.open(port);
    client.send({ type: "hello", version: 2, name, lang: "en" });
    await client.expectMessage("welcome");
    return client;
  }

  /** Sends one native-dialect message as a frame. */
  send(message: ClientMessage): void {
    this.#socket.send(JSON.stringify(message));
  }

  /** Sends a frame as it is. */
  sendRaw(text: string): void {
    this.#socket.send(text);
  }

  /** Waits for the next message (after the last one returned) that matches. */
  async expectMessage<T extends ServerMessage["type"]>(
    type: T,
    match: (message: Extract<ServerMessage, { type: T }>) => boolean = () =>
      true,
  ): Promise<Extract<ServerMessage, { type: T }>> {
    const index = await eventually(
      () => {
        for (let i = this.#seen; i < this.messages.length; i++) {
          const message = this.messages[i]!;
          if (
            message.type === type &&
            match(message as Extract<ServerMessage, { type: T }>)
          ) return i + 1;
        }
        return undefined;
      },
      `a ${type} message; got:\n${
        this.messages.map((m) => JSON.stringify(m)).join("\n")
      }`,
    );
    this.#seen = index;
    return this.messages[index - 1] as Extract<ServerMessage, { type: T }>;
  }

  /** Closes the socket and waits until it is closed. */
  async close(): Promise<void> {
    if (this.#socket.readyState < WebSocket.CLOSING) this.#socket.close();
    await this.closed;
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * A WebSocket spoken by hand over TCP: sends exactly the handshake asked
 * for, and reads nothing after it unless told to (a page that stops
 * reading).
 */
export class RawWebSocket {
  /** The status line and headers of the server's answer. */
  readonly response: string;
  #conn: Deno.Conn;

  private constructor(conn: Deno.Conn, response: string) {
    this.#conn = conn;
    this.response = response;
  }

  /** The HTTP status of the answer to the handshake. */
  get status(): number {
    return Number(/^HTTP\/1\.1 (\d{3})/.exec(this.response)?.[1] ?? 0);
  }

  /**
   * Connects and sends an upgrade request with the given headers (Host and
   * the WebSocket ones are added unless given), then reads the answer's
   * head.
   */
  static async open(
    port: number,
    headers: Record<string, string> = {},
    path = "/ws",
  ): Promise<RawWebSocket> {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    const all: Record<string, string> = {
      Host: `127.0.0.1:${port}`,
      Upgrade: "websocket",
      Connection: "Upgrade",
      "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
      "Sec-WebSocket-Version": "13",
      ...headers,
    };
    const head = Object.entries(all).map(([k, v]) => `${k}: ${v}\r\n`).join(
      "",
    );
    await _writeAll(
      conn,
      encoder.encode(`GET ${path} HTTP/1.1\r\n${head}\r\n`),
    );
    // Read byte by byte up to the end of the head, so that nothing after
    // it is taken off the socket.
    let response = "";
    const byte = new Uint8Array(1);
    while (!response.endsWith("\r\n\r\n")) {
      const n = await conn.read(byte);
      if (n === null) break;
      response += decoder.decode(byte);
    }
    return new RawWebSocket(conn, response);
  }

  /** Sends one masked text frame (clients must mask). */
  sendText(text: string): Promise<void> {
    return this.sendFrame(0x1, encoder.encode(text));
  }

  /** Sends one masked binary frame. */
  sendBinary(payload: Uint8Array): Promise<void> {
    return this.sendFrame(0x2, payload);
  }

  /**
   * Sends one masked frame with the given opcode (1 text, 2 binary, 8
   * close...); `cut` sends only that many bytes of it, as a peer that goes
   * away in the middle of a frame.
   */
  async sendFrame(
    opcode: number,
    payload: Uint8Array,
    cut?: number,
  ): Promise<void> {
    const frame = maskedFrame(opcode, payload);
    await _writeAll(
      this.#conn,
      cut === undefined ? frame : frame.subarray(0, cut),
    );
  }

  /**
   * Reads the server's frames until a close frame, the end of the
   * connection, or the deadline: the text of every text frame, and the
   * close code if a close frame came.
   */
  async readFrames(
    timeoutMs: number = DEADLINE_MS,
  ): Promise<{ texts: string[]; close: number | null; ended: boolean }> {
    const texts: string[] = [];
    let buffered = new Uint8Array(0);
    const chunk = new Uint8Array(65_536);
    const end = Date.now() + timeoutMs;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), timeoutMs);
    });
    try {
      while (Date.now() <= end) {
        // Every whole frame in what has arrived; the rest waits.
        let start = 0;
        while (true) {
          const frame = _parseFrame(buffered.subarray(start));
          if (frame === undefined) break;
          start += frame.size;
          if (frame.opcode === 0x1) texts.push(decoder.decode(frame.payload));
          if (frame.opcode === 0x8) {
            const code = frame.payload.length >= 2
              ? (frame.payload[0]! << 8) | frame.payload[1]!
              : 1005;
            return { texts, close: code, ended: false };
          }
        }
        buffered = buffered.slice(start);
        let n: number | null | "timeout";
        try {
          n = await Promise.race([this.#conn.read(chunk), timeout]);
        } catch {
          n = null; // reset
        }
        if (n === "timeout") break;
        if (n === null) return { texts, close: null, ended: true };
        const grown = new Uint8Array(buffered.length + n);
        grown.set(buffered);
        grown.set(chunk.subarray(0, n), buffered.length);
        buffered = grown;
      }
      return { texts, close: null, ended: false };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Closes the TCP connection. */
  close(): void {
    try {
      this.#conn.close();
    } catch {
      // already closed
    }
  }
}

/** A masked client frame, FIN set. */
export function maskedFrame(opcode: number, payload: Uint8Array): Uint8Array {
  const mask = crypto.getRandomValues(new Uint8Array(4));
  const length = payload.length;
  const first = 0x80 | opcode;
  const head = length < 126
    ? [first, 0x80 | length]
    : length < 65536
    ? [first, 0x80 | 126, length >> 8, length & 0xff]
    : [
      first,
      0x80 | 127,
      0,
      0,
      0,
      0,
      ...[24, 16, 8, 0].map((s) => (length >>> s) & 0xff),
    ];
  const frame = new Uint8Array(head.length + 4 + length);
  frame.set(head);
  frame.set(mask, head.length);
  for (let i = 0; i < length; i++) {
    frame[head.length + 4 + i] = payload[i]! ^ mask[i % 4]!;
  }
  return frame;
}

/** One unmasked server frame at the start of `bytes`, if it is all there. */
function _parseFrame(
  bytes: Uint8Array,
): { opcode: number; payload: Uint8Array; size: number } | undefined {
  if (bytes.length < 2) return undefined;
  const opcode = bytes[0]! & 0x0f;
  let length = bytes[1]! & 0x7f;
  let offset = 2;
  if (length === 126) {
    if (bytes.length < 4) return undefined;
    length = (bytes[2]! << 8) | bytes[3]!;
    offset = 4;
  } else if (length === 127) {
    if (bytes.length < 10) return undefined;
    length = 0;
    for (let i = 2; i < 10; i++) length = length * 256 + bytes[i]!;
    offset = 10;
  }
  if (bytes.length < offset + length) return undefined;
  return {
    opcode,
    payload: bytes.subarray(offset, offset + length),
    size: offset + length,
  };
}

async function _writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) {
    offset += await conn.write(bytes.subarray(offset));
  }
}

/** Where Chromium is: `CHROMIUM_PATH`, else Debian's `/usr/bin/chromium`. */
export const CHROMIUM_PATH: string = (() => {
  try {
    return Deno.env.get("CHROMIUM_PATH") ?? "/usr/bin/chromium";
  } catch {
    return "/usr/bin/chromium";
  }
})();

/** Whether Chromium is installed here; browser tests are ignored if not. */
export const HAVE_CHROMIUM: boolean = (() => {
  try {
    return Deno.statSync(CHROMIUM_PATH).isFile;
  } catch {
    return false;
  }
})();

/** Starts headless Chromium with a fresh profile. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    // Playwright makes a fresh, temporary user-data dir for each launch.
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
    ],
    timeout: DEADLINE_MS * 3,
  });
}

/** Runs `fn` with a fresh headless Chromium, and always closes it. */
export async function withBrowser(
  fn: (browser: Browser) => Promise<void>,
): Promise<void> {
  const browser = await launchChromium();
  try {
    await fn(browser);
  } finally {
    await browser.close();
  }
}

/** A person using the page in a browser tab. */
export class PageUser {
  /** The tab. */
  readonly page: Page;
  /** Errors thrown by the page's scripts. */
  readonly errors: string[] = [];

  private constructor(page: Page) {
    this.page = page;
    page.setDefaultTimeout(DEADLINE_MS);
    page.on("pageerror", (error) => this.errors.push(error.message));
  }

  /** Opens the page in a new tab of its own browser context. */
  static async open(
    browser: Browser,
    url: string,
    options: BrowserContextOptions = {},
  ): Promise<PageUser> {
    const context = await browser.newContext({
      locale: "en-US",
      ...options,
    });
    const user = new PageUser(await context.newPage());
    await user.page.goto(url);
    return user;
  }

  /** Opens the page and joins with a name, waiting for the conversation. */
  static async join(
    browser: Browser,
    url: string,
    name: string,
    options: BrowserContextOptions = {},
  ): Promise<PageUser> {
    const user = await PageUser.open(browser, url, options);
    await user.chooseName(name);
    await user.page.locator("#chat-view").waitFor({ state: "visible" });
    return user;
  }

  /** Types a name in the name form and submits it. */
  async chooseName(name: string): Promise<void> {
    await this.page.locator("#name-input").fill(name);
    await this.page.locator("#name-input").press("Enter");
  }

  /** Types a line in the message box and sends it with Enter. */
  async say(line: string): Promise<void> {
    const input = this.page.locator("#line-input");
    await input.fill(line);
    await input.press("Enter");
  }

  /** Waits for an entry of the message list holding `text`, and returns it. */
  async entry(text: string, kind?: string) {
    const selector = kind ? `#messages li.entry-${kind}` : "#messages li";
    const entry = this.page.locator(selector, { hasText: text }).last();
    await entry.waitFor();
    return entry;
  }

  /** Where the message list is scrolled to. */
  scrollPlace(): Promise<ScrollPlace> {
    return this.page.locator("#messages").evaluate((list) => ({
      top: list.scrollTop,
      below: list.scrollHeight - list.scrollTop - list.clientHeight,
      overflows: list.scrollHeight > list.clientHeight,
    }));
  }

  /** Turns the mouse wheel over the message list (negative: up). */
  async wheel(deltaY: number): Promise<void> {
    const box = await this.page.locator("#messages").boundingBox();
    if (box === null) throw new Error("Cannot scroll: the list is not shown");
    await this.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await this.page.mouse.wheel(0, deltaY);
  }

  /** The names in the member list, as shown. */
  members(): Promise<string[]> {
    return this.page.locator("#members li").allTextContents();
  }

  /** Waits until the member list shows exactly `names` (own name marked). */
  async expectMembers(names: string[]): Promise<void> {
    const want = JSON.stringify(names);
    let shown = "";
    const end = Date.now() + DEADLINE_MS;
    while ((shown = JSON.stringify(await this.members())) !== want) {
      if (Date.now() > end) {
        throw new Error(
          `Timed out waiting for members ${want}; shown: ${shown}`,
        );
      }
      await delay(20);
    }
  }

  /** Closes the tab's browser context. */
  async close(): Promise<void> {
    await this.page.context().close();
  }
}
