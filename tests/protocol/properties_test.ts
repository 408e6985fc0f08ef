// Property-based tests (fast-check) of everything that parses what a peer
// sends: the native decoder, the sanitiser, the name rules, command
// parsing and line framing. No input crashes them, sanitised output never
// holds a control, escape or bidi character, and a valid message survives a
// round trip unchanged. A failure prints the seed and the shrunk input;
// replay with `fc.assert(..., { seed, path })`.

import { assert, assertEquals } from "@std/assert";
import { TextLineStream } from "@std/streams/text-line-stream";
import fc from "fast-check";
import { parseCommand } from "../../src/protocol/commands.ts";
import { LineSplitter } from "../../src/transport/line_splitter.ts";
import {
  checkName,
  CONFUSABLE_PROTOTYPES,
  confusableSkeleton,
  lookalikeKeys,
  MAX_NAME_LENGTH,
  mixesScripts,
  nameKey,
  RESERVED_NAMES,
} from "../../src/protocol/name_rules.ts";
import type { ClientMessage } from "../../src/protocol/messages.ts";
import {
  decodeClientMessage,
  encodeMessage,
  isNativeHello,
} from "../../src/protocol/native_codec.ts";
import {
  hasUnsafeCharacters,
  sanitizeText,
} from "../../src/protocol/sanitize.ts";

const RUNS = { numRuns: 1000 };

/**
 * What sanitised text may never hold: C0 controls (tab and line feed
 * included), ESC, DEL, C1 controls, line and paragraph separators, and the
 * bidi embedding, override and isolate characters.
 */
// deno-lint-ignore no-control-regex
const UNSAFE = /[\x00-\x1f\x7f-\x9f\u2028-\u202e\u2066-\u2069]/;

// --- Arbitraries -----------------------------------------------------------

/** Any code point (fast-check's "binary" unit: the full Unicode range). */
const anyText = fc.string({ unit: "binary", maxLength: 80 });

/** Any UTF-16 code unit, so lone surrogates too. */
const codeUnitText = fc.string({
  unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
  maxLength: 80,
});

/** Characters that make escape sequences, controls and bidi attacks. */
const ESCAPE_PIECES = [
  "\x1b",
  "\x1b[",
  "\x1b]",
  "\x1bP",
  "\x1b\\",
  "\x9b",
  "\x9c",
  "\x9d",
  "\x90",
  "\x98",
  "\x9e",
  "\x9f",
  "\x07",
  "\x00",
  "\x08",
  "\x7f",
  "\x85",
  "\t",
  "\n",
  "\r",
  "\v",
  "[",
  "]",
  "\\",
  ";",
  "?",
  "0",
  "2",
  "J",
  "m",
  "c",
  "\u202e",
  "\u202a",
  "\u2066",
  "\u2069",
  "\u2028",
  "\u2029",
  "\u200e",
  "\u061c",
  "a",
  "é",
  " ",
  "👋🏽",
];

/** Strings dense in escape sequences and controls. */
const hostileText = fc.string({
  unit: fc.oneof(
    fc.constantFrom(...ESCAPE_PIECES),
    fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
  ),
  maxLength: 60,
});

/** Any of the above. */
const anyString = fc.oneof(anyText, codeUnitText, hostileText);

/** Printable pieces: every one must survive sanitising unchanged. */
const PRINTABLE_PIECES = [
  ..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
  ..." !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~",
  ..."ãáàâçéêíóôõúüñÃÉÇ¡¿«»°±²³µ¶·¼½¾×÷ß",
  "e\u0301", // e + combining acute
  "日本語",
  "中文",
  "한국어",
  "мир",
  "Ελλάδα",
  "שלום",
  "سلام",
  "नमस्ते",
  "ไทย",
  "👋",
  "👋🏽",
  "👨‍👩‍👧‍👦", // joined with U+200D
  "🏳️‍🌈",
  "🇧🇷",
  "1️⃣",
  "❤️",
  "€",
  "™",
  "…",
  "—",
  "\u00a0", // no-break space
];

const printableText = fc.array(fc.constantFrom(...PRINTABLE_PIECES), {
  maxLength: 40,
}).map((pieces) => pieces.join(""));

/** Name-like strings: letters of several scripts, digits, marks, spaces. */
const nameText = fc.array(
  fc.constantFrom(
    ..."anaAN_-.0123456789 ",
    "á",
    "a\u0301",
    "ã",
    "ß",
    "İ",
    "ı",
    "\u0430", // Cyrillic а
    "н",
    "α",
    "日",
    "カ",
    "한",
    "\uff41", // fullwidth ａ
    "\u200b",
    "\u3164", // Hangul filler
    "\u0301", // a lone combining mark
    "\u202e",
    "\x1b",
    "👋",
  ),
  { maxLength: 30 },
).map((chars) => chars.join(""));

/** A finite number JSON can carry (JSON has no -0). */
const jsonNumber = fc.double({ noNaN: true, noDefaultInfinity: true }).map((
  n,
) => Object.is(n, -0) ? 0 : n);

const messageText = fc.oneof(anyText, codeUnitText, hostileText, printableText);

/** Every valid client message. */
const clientMessage: fc.Arbitrary<ClientMessage> = fc.oneof(
  fc.record({
    type: fc.constant("hello" as const),
    version: jsonNumber,
    name: messageText,
    lang: fc.constantFrom("en" as const, "pt" as const),
  }, { requiredKeys: ["type", "version", "name"] }),
  fc.record({ type: fc.constant("input" as const), text: messageText }),
  fc.record({
    type: fc.constant("quit" as const),
    reason: messageText,
  }, { requiredKeys: ["type"] }),
  fc.record({
    type: fc.constantFrom("ping" as const, "pong" as const),
    id: jsonNumber,
  }),
  fc.record({
    type: fc.constant("history" as const),
    room: messageText,
    before: jsonNumber,
    limit: jsonNumber,
  }, { requiredKeys: ["type", "room"] }),
  fc.record({
    type: fc.constant("search" as const),
    room: messageText,
    words: messageText,
    before: jsonNumber,
  }, { requiredKeys: ["type", "room", "words"] }),
);

/** Objects shaped almost like client messages, with fields of any JSON type. */
const nearMessage = fc.record({
  type: fc.oneof(
    fc.constantFrom(
      "hello",
      "input",
      "quit",
      "ping",
      "pong",
      "history",
      "search",
      "__proto__",
    ),
    fc.jsonValue(),
  ),
  version: fc.jsonValue(),
  name: fc.jsonValue(),
  lang: fc.jsonValue(),
  text: fc.jsonValue(),
  reason: fc.jsonValue(),
  id: fc.jsonValue(),
  room: fc.jsonValue(),
  words: fc.jsonValue(),
  before: fc.jsonValue(),
  limit: fc.jsonValue(),
}, { requiredKeys: [] });

/** Bytes for line framing: newlines, CRs, UTF-8 (valid or not), anything. */
const frameBytes = fc.array(
  fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom([0x0a], [0x0d], [0x0d, 0x0a]) },
    { weight: 3, arbitrary: fc.integer({ min: 0, max: 255 }).map((b) => [b]) },
    {
      weight: 2,
      arbitrary: fc.constantFrom("é", "日", "👋🏽", "\ufeff", "a", "b").map((
        s,
      ) => [...new TextEncoder().encode(s)]),
    },
    { weight: 1, arbitrary: fc.constantFrom([0xc3], [0xe6, 0x97], [0xf0]) },
  ),
  { maxLength: 300 },
).map((parts) => new Uint8Array(parts.flat()));

/** Splits `bytes` into chunks at the given cut points. */
function chunked(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))]
    .sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const point of [...points, bytes.length]) {
    if (point > start) chunks.push(bytes.slice(start, point));
    start = Math.max(start, point);
  }
  return chunks;
}

function _finiteOrAbsent(value: unknown): boolean {
  return value === undefined ||
    (typeof value === "number" && Number.isFinite(value));
}

function isClientMessage(value: ClientMessage): boolean {
  switch (value.type) {
    case "hello":
      return typeof value.name === "string" &&
        Number.isFinite(value.version) &&
        (value.lang === undefined || value.lang === "en" ||
          value.lang === "pt");
    case "input":
      return typeof value.text === "string";
    case "quit":
      return value.reason === undefined || typeof value.reason === "string";
    case "ping":
    case "pong":
      return Number.isFinite(value.id);
    case "history":
      return typeof value.room === "string" &&
        _finiteOrAbsent(value.before) && _finiteOrAbsent(value.limit);
    case "search":
      return typeof value.room === "string" &&
        typeof value.words === "string" && _finiteOrAbsent(value.before);
    default:
      return false;
  }
}

/** Runs `decode`; anything thrown but a SyntaxError fails the property. */
function decodesOrSyntaxError(line: string): void {
  let message: ClientMessage;
  try {
    message = decodeClientMessage(line);
  } catch (error) {
    if (error instanceof SyntaxError) return;
    throw error;
  }
  assert(isClientMessage(message), JSON.stringify(message));
}

// --- The native decoder ----------------------------------------------------

Deno.test("decodeClientMessage() throws nothing but SyntaxError on any string", () => {
  fc.assert(fc.property(anyString, decodesOrSyntaxError), RUNS);
});

Deno.test("decodeClientMessage() throws nothing but SyntaxError on any JSON value, and returns only well-typed messages", () => {
  fc.assert(
    fc.property(
      fc.oneof(fc.jsonValue(), nearMessage),
      (value) => decodesOrSyntaxError(JSON.stringify(value)),
    ),
    RUNS,
  );
  fc.assert(fc.property(fc.json(), decodesOrSyntaxError), RUNS);
});

Deno.test("encodeMessage() then decodeClientMessage() returns every valid client message unchanged", () => {
  fc.assert(
    fc.property(clientMessage, (message) => {
      const line = encodeMessage(message);
      // One line: the only line feed is the last character, and no CR.
      assertEquals(line.indexOf("\n"), line.length - 1);
      assert(!line.includes("\r"));
      assertEquals(decodeClientMessage(line.slice(0, -1)), message);
      if (message.type === "hello") assert(isNativeHello(line));
    }),
    RUNS,
  );
});

// --- The sanitiser ---------------------------------------------------------

Deno.test("sanitizeText() output never holds a control, escape or bidi character, and sanitising twice changes nothing", () => {
  fc.assert(
    fc.property(anyString, (text) => {
      const clean = sanitizeText(text);
      const bad = UNSAFE.exec(clean);
      assert(
        bad === null,
        `U+${bad?.[0].codePointAt(0)?.toString(16)} left in ${
          JSON.stringify(clean)
        }`,
      );
      assert(!hasUnsafeCharacters(clean));
      assertEquals(sanitizeText(clean), clean);
      assert(clean.length <= text.length);
    }),
    { numRuns: 3000 },
  );
});

Deno.test("sanitizeText() leaves printable text unchanged, in any script, emoji with their joiners included", () => {
  fc.assert(
    fc.property(printableText, (text) => {
      assertEquals(sanitizeText(text), text);
    }),
    RUNS,
  );
  // And any string without a character it removes.
  fc.assert(
    fc.property(anyText, (text) => {
      if (!hasUnsafeCharacters(text)) assertEquals(sanitizeText(text), text);
      const rest = sanitizeText(text);
      assertEquals(sanitizeText(rest), rest);
    }),
    RUNS,
  );
});

// --- Names -----------------------------------------------------------------

Deno.test("checkName() never throws, and an accepted name has 1–24 code points, is normalised, safe, unreserved and accepted again as itself", () => {
  let accepted = 0;
  fc.assert(
    fc.property(fc.oneof(anyString, nameText), (requested) => {
      const check = checkName(requested);
      if (!check.ok) return;
      accepted++;
      const name = check.name;
      const length = [...name].length;
      assert(length >= 1 && length <= MAX_NAME_LENGTH, name);
      assertEquals(name, name.normalize("NFC"));
      assertEquals(name, name.trim());
      assert(!UNSAFE.test(name) && !hasUnsafeCharacters(name), name);
      assert(!/\s/.test(name), name);
      assert(!mixesScripts(name), name);
      assert(!RESERVED_NAMES.has(nameKey(name)), name);
      assertEquals(checkName(name), { ok: true, name });
    }),
    { numRuns: 3000 },
  );
  assert(accepted > 100, `only ${accepted} names were accepted`);
});

Deno.test({
  name:
    "nameKey() of an accepted name is its own key, so names that look the same collide",
  fn() {
    fc.assert(
      fc.property(fc.oneof(anyString, nameText), (requested) => {
        const check = checkName(requested);
        if (!check.ok) return;
        assertEquals(nameKey(nameKey(check.name)), nameKey(check.name));
      }),
      { numRuns: 3000 },
    );
    assertEquals(nameKey("\u0131\u0301na"), nameKey("\u00edna"));
  },
});

/**
 * Text made of look-alikes: sources and prototypes of the confusables table,
 * their capitals, and plain letters and digits.
 */
const lookalikeText = fc.array(
  fc.constantFrom(
    ...[...CONFUSABLE_PROTOTYPES].flatMap(([source, target]) => [
      source,
      source.toUpperCase(),
      target,
    ]),
    ..."abcilmnorsABCILMNORS01 ._-",
  ),
  { maxLength: 24 },
).map((chars) => chars.join(""));

Deno.test("confusableSkeleton() is idempotent: the skeleton of a skeleton is itself", () => {
  fc.assert(
    fc.property(fc.oneof(anyString, nameText, lookalikeText), (text) => {
      const once = confusableSkeleton(text);
      assertEquals(confusableSkeleton(once), once);
    }),
    { numRuns: 3000 },
  );
});

Deno.test("lookalikeKeys() gives accepted names equal ignoring case a common key, and is the same for every spelling of a key", () => {
  let accepted = 0;
  fc.assert(
    fc.property(fc.oneof(nameText, lookalikeText), (requested) => {
      const check = checkName(requested);
      if (!check.ok) return;
      accepted++;
      const name = check.name;
      const keys = lookalikeKeys(name);
      assert(keys.length === 1 || keys.length === 2);
      for (const other of [name.toUpperCase(), name.toLowerCase()]) {
        assertEquals(lookalikeKeys(other)[0], keys[0], other);
      }
      // A key is a skeleton, so it is its own key.
      for (const key of keys) assertEquals(lookalikeKeys(key), [key]);
    }),
    { numRuns: 3000 },
  );
  assert(accepted > 300, `only ${accepted} names were accepted`);
});

// --- Commands --------------------------------------------------------------

const commandLine = fc.oneof(
  anyString,
  fc.tuple(
    fc.constantFrom(
      "/",
      "//",
      "/msg ",
      "/w ",
      "/me ",
      "/nick ",
      "/quit",
      "/quit ",
      "/r ",
      "/reply",
      "/who",
      "/help",
      "/SAIR ",
      "/ ",
      "/\t",
    ),
    anyString,
  ).map(([head, rest]) => head + rest),
);

Deno.test("parseCommand() never throws and returns well-formed commands", () => {
  fc.assert(
    fc.property(commandLine, (line) => {
      const command = parseCommand(line);
      switch (command.kind) {
        case "say":
          assert(line.startsWith("//") || !line.startsWith("/"));
          break;
        case "msg":
          assert(command.to !== "" && !/\s/.test(command.to), command.to);
          assert(command.text.trim() !== "");
          break;
        case "nick":
          assert(command.name.trim() !== "");
          break;
        default:
          assert(line.startsWith("/"));
      }
    }),
    { numRuns: 3000 },
  );
});

Deno.test("parseCommand() passes text that does not start with / through as said, and //text as /text", () => {
  fc.assert(
    fc.property(anyString, (text) => {
      if (!text.startsWith("/")) {
        assertEquals(parseCommand(text), { kind: "say", text });
      }
      assertEquals(parseCommand("//" + text), {
        kind: "say",
        text: "/" + text,
      });
    }),
    RUNS,
  );
});

// --- Line framing ----------------------------------------------------------

Deno.test("LineSplitter finds the same lines as TextDecoderStream + TextLineStream, however the bytes are chunked", async () => {
  await fc.assert(
    fc.asyncProperty(
      frameBytes,
      fc.array(fc.nat(), { maxLength: 20 }),
      async (bytes, cuts) => {
        // A lone BOM is the one known difference (see the ignored test below).
        fc.pre(!(bytes.length === 3 && bytes[0] === 0xef && bytes[1] === 0xbb));
        const chunks = chunked(bytes, cuts);
        // The reference gets the bytes in one chunk: Deno 2.9.6's streaming
        // TextDecoder drops a U+FEFF that starts any chunk, not only the
        // first (decode([0x0a], {stream: true}) then decode([0xef, 0xbb,
        // 0xbf, 0x00], {stream: true}) gives "\n", "\0"), against the
        // Encoding standard; LineSplitter keeps a BOM inside the stream.
        const expected = await Array.fromAsync(
          ReadableStream.from([bytes])
            .pipeThrough(new TextDecoderStream())
            .pipeThrough(new TextLineStream()),
        );
        const lines: string[] = [];
        const splitter = new LineSplitter({
          onLine: (line) => lines.push(line),
          onTooLong: () => {
            throw new Error("no line is too long for these limits");
          },
        }, { maxLineBytes: 1 << 20, hardLimitBytes: 1 << 21 });
        for (const chunk of chunks) assert(splitter.push(chunk));
        const last = splitter.flush();
        if (last !== undefined) lines.push(last);
        assertEquals(lines, expected);
      },
    ),
    { numRuns: 500 },
  );
});

Deno.test("LineSplitter with small limits never holds more than maxLineBytes + 1 bytes, refuses exactly the long lines, and stops once a line passes the hard limit", () => {
  fc.assert(
    fc.property(
      frameBytes,
      fc.array(fc.nat(), { maxLength: 30 }),
      fc.integer({ min: 1, max: 40 }),
      fc.integer({ min: 1, max: 120 }),
      (body, cuts, maxLineBytes, extra) => {
        // No BOM anywhere: where the splitter drops one is covered by the
        // unit tests and by the ignored test below.
        fc.pre(!_hasBom(body));
        const bytes = body;
        const hardLimitBytes = maxLineBytes + extra;
        const lines: string[] = [];
        const tooLong: number[] = [];
        const splitter = new LineSplitter({
          onLine: (line) => lines.push(line),
          onTooLong: (n) => tooLong.push(n),
        }, { maxLineBytes, hardLimitBytes });

        // The reference, chunk by chunk: complete lines, long or not, and
        // the length of the unfinished line at the end of each chunk (the
        // splitter counts, and judges the hard limit, at chunk ends).
        const keepBom = new TextDecoder("utf-8", { ignoreBOM: true });
        const expectedLines: string[] = [];
        let expectedTooLong = 0;
        let line: number[] = [];
        for (const chunk of chunked(bytes, cuts)) {
          for (const byte of chunk) {
            if (byte !== 0x0a) {
              line.push(byte);
              continue;
            }
            if (line.at(-1) === 0x0d) line.pop();
            if (line.length <= maxLineBytes) {
              expectedLines.push(keepBom.decode(new Uint8Array(line)));
            } else expectedTooLong++;
            line = [];
          }
          const ok = splitter.push(chunk);
          assert(
            splitter.pendingBytes <= maxLineBytes + 1,
            `holds ${splitter.pendingBytes} bytes`,
          );
          assertEquals(lines, expectedLines);
          assertEquals(tooLong.length, expectedTooLong);
          assertEquals(ok, line.length <= hardLimitBytes, "push() result");
          if (!ok) break;
        }
        for (const n of tooLong) assert(n > maxLineBytes, `${n} bytes`);
      },
    ),
    { numRuns: 3000 },
  );
});

Deno.test({
  name:
    "LineSplitter drops a BOM only at the very start of the stream, as TextDecoderStream + TextLineStream do",
  fn() {
    const lines: string[] = [];
    const splitter = new LineSplitter({
      onLine: (line) => lines.push(line),
      onTooLong: () => {},
    }, { maxLineBytes: 3 });
    assert(splitter.push(new Uint8Array([0xef, 0xbb, 0xbf])));
    assertEquals(splitter.flush(), undefined);

    const second = new LineSplitter({
      onLine: (line) => lines.push(line),
      onTooLong: () => {},
    }, { maxLineBytes: 4 });
    assert(second.push(new TextEncoder().encode("too long\n\ufeffx\n")));
    assertEquals(lines, ["\ufeffx"]);
  },
});

function _hasBom(bytes: Uint8Array): boolean {
  for (let i = 0; i + 2 < bytes.length; i++) {
    if (bytes[i] === 0xef && bytes[i + 1] === 0xbb && bytes[i + 2] === 0xbf) {
      return true;
    }
  }
  return false;
}
