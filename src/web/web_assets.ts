/**
 * The browser client's files, part of the program: the page, its script
 * and its style sheet are imported as text (`with { type: "text" }`), so
 * they are inside the module graph and inside the binary `deno compile`
 * builds. Nothing is read from beside the source at run time and nothing is
 * fetched from elsewhere.
 *
 * What the page needs to know is written into it as one JSON data block
 * ({@linkcode PageData}): its strings in both languages (the script picks
 * one from `navigator.language`), the server's longest line, and the
 * command names for Tab completion.
 *
 * @module
 */

import { SERVE_DEFAULTS } from "../config.ts";
import type { Lang, LeaveReason, ModeChange } from "../protocol/messages.ts";
import { COMMAND_NAMES } from "../protocol/commands.ts";
import { STRINGS } from "../i18n/server_strings.ts";
import { WEB_STRINGS, type WebStrings } from "../i18n/page_strings.ts";
import { DISCOVERY_STRINGS } from "../i18n/discovery_strings.ts";
import APP_JS from "./app.js" with { type: "text" };
import STATE_JS from "./web_client_state.js" with { type: "text" };
import HISTORY_JS from "./page_history.js" with { type: "text" };
import STYLE_CSS from "./style.css" with { type: "text" };
import INDEX_HTML from "./index.html" with { type: "text" };

/** Every string the page shows, in one language, as `{placeholder}` templates. */
export interface PageText {
  /** The page's own strings. */
  web: WebStrings;
  /** Someone joined: `{name}`. */
  joined: string;
  /** Someone changed name: `{from}`, `{to}`. */
  renamed: string;
  /** Someone left, by reason: `{name}`. */
  left: Record<LeaveReason, string>;
  /** Someone left with a message, by reason: `{name}`, `{detail}`. */
  leftDetail: Record<LeaveReason, string>;
  /** Label of a private message you received: `{name}`. */
  privateFrom: string;
  /** Label of a private message you sent: `{name}`. */
  privateTo: string;
  /** Above the QR code of the server's web address. */
  joinCode: string;
  /** Someone already here joined a room: `{name}`, `{room}`. */
  joinedRoom: string;
  /** A crowd arrived: `{names}` (the first ones), `{count}` more. */
  joinedMany: string;
  /** A crowd joined a room: `{names}`, `{count}` more, `{room}`. */
  joinedRoomMany: string;
  /** Someone left a room: `{name}`, `{room}`. */
  partedRoom: string;
  /** Someone left a room with a reason: `{name}`, `{room}`, `{reason}`. */
  partedRoomReason: string;
  /** Someone was kicked: `{name}`, `{room}`, `{by}`. */
  kicked: string;
  /** Someone was kicked with a reason: `{name}`, `{room}`, `{by}`, `{reason}`. */
  kickedReason: string;
  /** A room's modes changed, by change: `{by}`, `{room}`, `{target}`. */
  mode: Record<ModeChange, string>;
  /** A topic was set: `{by}`, `{room}`, `{text}`. */
  topicChanged: string;
  /** A topic was cleared: `{by}`, `{room}`. */
  topicCleared: string;
  /** A room's topic: `{room}`, `{text}`, `{by}`. */
  topicIs: string;
  /** You left a room: `{room}`. */
  youParted: string;
  /** Your current room changed: `{room}`. */
  nowIn: string;
  /** You are in no room now. */
  nowInNone: string;
}

const MODE_CHANGES: readonly ModeChange[] = [
  "+o",
  "-o",
  "+v",
  "-v",
  "+k",
  "-k",
  "+b",
  "-b",
  "+t",
  "-t",
];

// Every reason, so the templates cover them all (a missing one fails to
// type-check).
const LEAVE_REASONS: Record<LeaveReason, true> = {
  quit: true,
  closed: true,
  error: true,
  shutdown: true,
  timeout: true,
  flood: true,
  slow: true,
  protocol: true,
  full: true,
  limit: true,
  password: true,
};

/**
 * The page's strings in one language. Notices that the terminal client
 * also shows are made from the same functions in `strings.ts`, called with
 * placeholders, so both clients word them alike.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { pageText } from "./web_assets.ts";
 *
 * assertEquals(pageText("en").joined, "{name} joined the chat!");
 * assertEquals(pageText("pt").left.quit, "{name} saiu do chat! (pediu para sair)");
 * ```
 *
 * @param lang The language.
 * @returns The templates.
 */
export function pageText(lang: Lang): PageText {
  const strings = STRINGS[lang];
  const reasons = Object.keys(LEAVE_REASONS) as LeaveReason[];
  return {
    web: WEB_STRINGS[lang],
    joined: strings.joined("{name}"),
    renamed: strings.renamed("{from}", "{to}"),
    left: Object.fromEntries(
      reasons.map((reason) => [reason, strings.left("{name}", reason)]),
    ) as Record<LeaveReason, string>,
    leftDetail: Object.fromEntries(
      reasons.map((
        reason,
      ) => [reason, strings.left("{name}", reason, "{detail}")]),
    ) as Record<LeaveReason, string>,
    privateFrom: strings.privateFrom("{name}"),
    privateTo: strings.privateTo("{name}"),
    joinCode: DISCOVERY_STRINGS[lang].pageJoinCode,
    joinedRoom: strings.joinedRoom("{name}", "{room}"),
    joinedMany: strings.joinedMany("{names}", "{count}"),
    joinedRoomMany: strings.joinedRoomMany("{names}", "{count}", "{room}"),
    partedRoom: strings.partedRoom("{name}", "{room}"),
    partedRoomReason: strings.partedRoom("{name}", "{room}", "{reason}"),
    kicked: strings.kicked("{name}", "{room}", "{by}"),
    kickedReason: strings.kicked("{name}", "{room}", "{by}", "{reason}"),
    mode: Object.fromEntries(
      MODE_CHANGES.map((
        change,
      ) => [change, strings.modeChanged("{by}", change, "{room}", "{target}")]),
    ) as Record<ModeChange, string>,
    topicChanged: strings.topicChanged("{by}", "{room}", "{text}"),
    topicCleared: strings.topicChanged("{by}", "{room}", ""),
    topicIs: strings.topicIs("{room}", "{text}", "{by}"),
    youParted: strings.youParted("{room}"),
    nowIn: strings.nowIn("{room}"),
    nowInNone: strings.nowIn(null),
  };
}

/**
 * Everything the page is told when it is served: written into it as a JSON
 * data block, read by `app.js`.
 */
export interface PageData {
  /** The strings, by language. */
  text: Record<Lang, PageText>;
  /**
   * Longest line the server takes, in UTF-8 bytes of the frame it receives
   * (the JSON of the `input` message): the page checks a line before it
   * sends it.
   */
  maxLineBytes: number;
  /** Command names without their `/`, for Tab completion. */
  commands: readonly string[];
  /** Whether the server asks for a password (`--password`) before the name. */
  password: boolean;
  /**
   * The QR code of the web address `chat serve` prints, for others to
   * scan from this page.
   * @default {absent: no code is shown}
   */
  joinCode?: PageJoinCode;
  /**
   * The server's fingerprint (`SHA256:…`), when the page is served over
   * HTTPS with its self-signed identity, for the page to show.
   * @default {absent}
   */
  fingerprint?: string;
}

/** A QR code for the page to draw. */
export interface PageJoinCode {
  /** What it says: the server's web address. */
  url: string;
  /** Its modules, a string of `1` (dark) and `0` for each row. */
  rows: readonly string[];
}

/** Options of {@linkcode webAssets}: what the server tells the page. */
export interface WebAssetsOptions {
  /**
   * Longest accepted line, in bytes: the web server's `maxLineBytes`.
   * @default {8192}
   */
  maxLineBytes?: number;
  /**
   * The QR code of the server's web address.
   * @default {none}
   */
  joinCode?: PageJoinCode;
  /**
   * Whether the server asks for a password before the name.
   * @default {false}
   */
  password?: boolean;
  /**
   * The fingerprint the page shows (HTTPS with the self-signed identity).
   * @default {none}
   */
  fingerprint?: string;
}

/**
 * What the page is told, as {@linkcode webAssets} writes it into the page.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { pageData } from "./web_assets.ts";
 *
 * assertEquals(pageData({ maxLineBytes: 512 }).maxLineBytes, 512);
 * assertEquals(pageData().text.pt.joined, "{name} entrou no chat!");
 * ```
 *
 * @param options The server's limits.
 * @returns The page's data.
 */
export function pageData(options: WebAssetsOptions = {}): PageData {
  return {
    text: { en: pageText("en"), pt: pageText("pt") },
    maxLineBytes: options.maxLineBytes ?? SERVE_DEFAULTS.lineLimit,
    commands: COMMAND_NAMES,
    ...(options.joinCode === undefined ? {} : { joinCode: options.joinCode }),
    password: options.password ?? false,
    ...(options.fingerprint === undefined
      ? {}
      : { fingerprint: options.fingerprint }),
  };
}

/** One file the web server serves. */
export interface WebAsset {
  /** Its `Content-Type`. */
  type: string;
  /** Its content. */
  body: string;
}

/**
 * JSON that is safe inside an HTML `<script>` data block: `<`, `>` and `&`
 * are escaped, so no text can close the block or open a comment.
 */
function _jsonForHtml(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

const JS = "text/javascript; charset=utf-8";

/**
 * The files of the browser client, by URL path, telling the page the
 * server's limits. A web server started with another line limit than the
 * default serves these, made with its own `maxLineBytes`.
 *
 * @example
 * ```ts
 * import { assertStringIncludes } from "@std/assert";
 * import { webAssets } from "./web_assets.ts";
 *
 * const page = webAssets({ maxLineBytes: 1024 }).get("/")!.body;
 * assertStringIncludes(page, '"maxLineBytes":1024');
 * ```
 *
 * @param options What the server tells the page.
 * @returns The files by path.
 */
export function webAssets(
  options: WebAssetsOptions = {},
): ReadonlyMap<string, WebAsset> {
  const page = INDEX_HTML.replace(
    '"{{PAGE_DATA}}"',
    () => _jsonForHtml(pageData(options)),
  );
  return new Map([
    ["/", { type: "text/html; charset=utf-8", body: page }],
    ["/app.js", { type: JS, body: APP_JS }],
    ["/web_client_state.js", { type: JS, body: STATE_JS }],
    ["/page_history.js", { type: JS, body: HISTORY_JS }],
    ["/style.css", { type: "text/css; charset=utf-8", body: STYLE_CSS }],
  ]);
}

/** The files of the browser client with the default limits, by URL path. */
export const WEB_ASSETS: ReadonlyMap<string, WebAsset> = webAssets();
