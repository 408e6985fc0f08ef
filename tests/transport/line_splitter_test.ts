// Checks src/line_splitter.ts: LineSplitter finds lines however the bytes are
// chunked, ends them at "\r\n", "\n" or a bare "\r" (with "\r\n" and
// telnet's "\r\0" one line ending even across chunks), decodes UTF-8 split
// across chunks, enforces its per-line and hard limits without ever holding
// more than one line's worth of bytes, and yields exactly what a reference
// model (decode everything, split at the line endings) yields for the same
// bytes, random and fast-check generated.

import { assert, assertEquals, assertFalse } from "@std/assert";
import fc from "fast-check";
import { TextLineStream } from "@std/streams/text-line-stream";
import {
  DEFAULT_HARD_LIMIT_BYTES,
  DEFAULT_MAX_LINE_BYTES,
  LineSplitter,
  type LineSplitterOptions,
} from "../../src/transport/line_splitter.ts";

const encoder = new TextEncoder();

interface Recorder {
  splitter: LineSplitter;
  lines: string[];
  tooLong: number[];
}

function record(options?: LineSplitterOptions): Recorder {
  const lines: string[] = [];
  const tooLong: number[] = [];
  const splitter = new LineSplitter({
    onLine: (line) => lines.push(line),
    onTooLong: (bytes) => tooLong.push(bytes),
  }, options);
  return { splitter, lines, tooLong };
}

function bytes(...parts: (string | number[])[]): Uint8Array {
  const chunks = parts.map((part) =>
    typeof part === "string" ? encoder.encode(part) : new Uint8Array(part)
  );
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/** A small deterministic PRNG (mulberry32) so failures can be replayed. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Feeds `input` one byte at a time. */
function pushBytewise(splitter: LineSplitter, input: Uint8Array): void {
  for (const byte of input) assert(splitter.push(new Uint8Array([byte])));
}

Deno.test("LineSplitter splits one chunk into its lines", () => {
  const { splitter, lines, tooLong } = record();
  assert(splitter.push(encoder.encode("one\ntwo\nthree\n")));
  assertEquals(lines, ["one", "two", "three"]);
  assertEquals(tooLong, []);
  assertEquals(splitter.pendingBytes, 0);
  assertEquals(splitter.flush(), undefined);
});

Deno.test("LineSplitter finds the same lines when fed byte by byte", () => {
  const text = "hello\nwörld\r\n日本語\n\n👨‍👩‍👧‍👦 ok\r\nlast";
  const { splitter, lines } = record();
  pushBytewise(splitter, encoder.encode(text));
  assertEquals(lines, ["hello", "wörld", "日本語", "", "👨‍👩‍👧‍👦 ok"]);
  assertEquals(splitter.flush(), "last");
});

Deno.test("LineSplitter joins a line split across chunks", () => {
  const { splitter, lines } = record();
  splitter.push(encoder.encode("hel"));
  splitter.push(encoder.encode("lo wo"));
  assertEquals(lines, []);
  assertEquals(splitter.pendingBytes, 8);
  splitter.push(encoder.encode("rld\nnext"));
  assertEquals(lines, ["hello world"]);
  assertEquals(splitter.pendingBytes, 4);
});

Deno.test("LineSplitter drops the \\r of \\r\\n, also when split between chunks", () => {
  const { splitter, lines } = record();
  splitter.push(encoder.encode("a\r\nb\r"));
  splitter.push(encoder.encode("\nc\r\n"));
  assertEquals(lines, ["a", "b", "c"]);
});

Deno.test("LineSplitter ends a line at a bare \\r, and at once", () => {
  const { splitter, lines } = record();
  splitter.push(encoder.encode("a\r\r\nb\rc\n\r\n"));
  assertEquals(lines, ["a", "", "b", "c", ""]);
  splitter.push(encoder.encode("only cr\r"));
  assertEquals(lines.at(-1), "only cr", "not held for the next byte");
  splitter.push(encoder.encode("\nnext\r"));
  assertEquals(
    lines.slice(5),
    ["only cr", "next"],
    "the \\n after it is no line",
  );
});

Deno.test("LineSplitter takes telnet's \\r\\0 for one line ending, also across chunks", () => {
  const { splitter, lines } = record();
  splitter.push(bytes("a", [0x0d, 0x00], "b", [0x0d]));
  splitter.push(bytes([0x00], "c\n", [0x00], "d\n"));
  assertEquals(lines, ["a", "b", "c", "\0d"], "a NUL elsewhere is text");
});

Deno.test("LineSplitter delivers empty lines", () => {
  const { splitter, lines } = record();
  splitter.push(encoder.encode("\n\n\r\n"));
  splitter.push(encoder.encode("\n"));
  assertEquals(lines, ["", "", "", ""]);
});

Deno.test("LineSplitter ignores an empty chunk", () => {
  const { splitter, lines } = record();
  assert(splitter.push(new Uint8Array(0)));
  splitter.push(encoder.encode("ab"));
  assert(splitter.push(new Uint8Array(0)));
  splitter.push(encoder.encode("\n"));
  assertEquals(lines, ["ab"]);
});

Deno.test("LineSplitter.flush() returns the unfinished last line once", () => {
  const { splitter, lines } = record();
  splitter.push(encoder.encode("done\npartial"));
  assertEquals(lines, ["done"]);
  assertEquals(splitter.flush(), "partial");
  assertEquals(splitter.pendingBytes, 0);
  assertEquals(splitter.flush(), undefined);
});

Deno.test("LineSplitter.flush() has nothing left after a trailing \\r, which ended the line", () => {
  const { splitter, lines } = record();
  splitter.push(encoder.encode("partial\r"));
  assertEquals(lines, ["partial"]);
  assertEquals(splitter.flush(), undefined);
});

Deno.test("LineSplitter.flush() returns undefined after a complete line", () => {
  const { splitter } = record();
  splitter.push(encoder.encode("done\n"));
  assertEquals(splitter.flush(), undefined);
});

Deno.test("LineSplitter copies what it keeps, so the caller may reuse its buffer", () => {
  const { splitter, lines } = record();
  const buffer = encoder.encode("abc");
  splitter.push(buffer);
  buffer.set(encoder.encode("xyz"));
  splitter.push(encoder.encode("\n"));
  assertEquals(lines, ["abc"]);
});

Deno.test("LineSplitter decodes a two-byte character split between pushes", () => {
  const { splitter, lines } = record();
  splitter.push(new Uint8Array([0x6e, 0xc3])); // "n" and half of "ã"
  splitter.push(new Uint8Array([0xa3, 0x6f, 0x0a])); // the rest, "o", "\n"
  assertEquals(lines, ["não"]);
});

Deno.test("LineSplitter decodes a four-byte emoji split over four pushes", () => {
  const { splitter, lines } = record();
  pushBytewise(splitter, encoder.encode("👋🏽\n"));
  assertEquals(lines, ["👋🏽"]);
});

Deno.test("LineSplitter turns invalid UTF-8 into U+FFFD", () => {
  const { splitter, lines } = record();
  splitter.push(bytes([0xff], "a\n"));
  splitter.push(bytes("b", [0xc3], "\n")); // a lead byte without its continuation
  splitter.push(bytes([0xe2, 0x82], "\n")); // a truncated three-byte sequence
  splitter.push(bytes([0x80, 0x80], "c\n")); // stray continuation bytes
  splitter.push(bytes([0xc0, 0xaf], "\n")); // an overlong "/"
  splitter.push(bytes([0xed, 0xa0, 0x80], "\n")); // an encoded surrogate
  assertEquals(lines, [
    "\ufffda",
    "b\ufffd",
    "\ufffd",
    "\ufffd\ufffdc",
    "\ufffd\ufffd",
    "\ufffd\ufffd\ufffd",
  ]);
});

Deno.test("LineSplitter.flush() turns a truncated last character into U+FFFD", () => {
  const { splitter } = record();
  splitter.push(bytes("ok", [0xf0, 0x9f]));
  assertEquals(splitter.flush(), "ok\ufffd");
});

Deno.test("LineSplitter has documented default limits", () => {
  assertEquals(DEFAULT_MAX_LINE_BYTES, 8192);
  assertEquals(DEFAULT_HARD_LIMIT_BYTES, 65536);
  const { splitter, lines, tooLong } = record();
  splitter.push(encoder.encode("x".repeat(8192) + "\n"));
  splitter.push(encoder.encode("y".repeat(8193) + "\n"));
  assertEquals(lines, ["x".repeat(8192)]);
  assertEquals(tooLong, [8193]);
});

Deno.test("LineSplitter accepts a line of exactly the limit, with \\n or \\r\\n", () => {
  const { splitter, lines, tooLong } = record({ maxLineBytes: 8 });
  splitter.push(encoder.encode("12345678\n"));
  splitter.push(encoder.encode("abcdefgh\r\n"));
  pushBytewise(splitter, encoder.encode("ABCDEFGH\r\n"));
  assertEquals(lines, ["12345678", "abcdefgh", "ABCDEFGH"]);
  assertEquals(tooLong, []);
});

Deno.test("LineSplitter counts the limit in bytes, not characters", () => {
  const { splitter, lines, tooLong } = record({ maxLineBytes: 8 });
  splitter.push(encoder.encode("ãããã\n")); // 8 bytes
  splitter.push(encoder.encode("ããããa\n")); // 9 bytes
  assertEquals(lines, ["ãããã"]);
  assertEquals(tooLong, [9]);
});

Deno.test("LineSplitter refuses a line one byte over the limit and delivers the next", () => {
  const { splitter, lines, tooLong } = record({ maxLineBytes: 8 });
  splitter.push(encoder.encode("123456789\nok\n"));
  assertEquals(tooLong, [9]);
  assertEquals(lines, ["ok"]);
});

Deno.test("LineSplitter refuses a line one byte over the limit that arrives in pieces", () => {
  const { splitter, lines, tooLong } = record({ maxLineBytes: 8 });
  splitter.push(encoder.encode("12345"));
  splitter.push(encoder.encode("6789"));
  splitter.push(encoder.encode("\nafter\n"));
  assertEquals(tooLong, [9]);
  assertEquals(lines, ["after"]);
});

Deno.test("LineSplitter refuses a line one byte over the limit fed byte by byte", () => {
  const { splitter, lines, tooLong } = record({ maxLineBytes: 8 });
  pushBytewise(splitter, encoder.encode("123456789\r\nafter\n"));
  assertEquals(tooLong.length, 1);
  assertEquals(lines, ["after"]);
});

Deno.test("LineSplitter refuses a long line split across chunks and reports its length", () => {
  const { splitter, lines, tooLong } = record({ maxLineBytes: 8 });
  assert(splitter.push(encoder.encode("1234567890")));
  assertEquals(splitter.pendingBytes, 0, "nothing is kept past the limit");
  assert(splitter.push(encoder.encode("abcdef")));
  assert(splitter.push(encoder.encode("gh\nnext\nlast")));
  assertEquals(tooLong, [18]);
  assertEquals(lines, ["next"]);
  assertEquals(splitter.flush(), "last");
});

Deno.test("LineSplitter.flush() returns nothing of a line it is discarding", () => {
  const { splitter } = record({ maxLineBytes: 4 });
  splitter.push(encoder.encode("much too long"));
  assertEquals(splitter.flush(), undefined);
});

Deno.test("LineSplitter.push() returns false once a line passes the hard limit", () => {
  const { splitter, tooLong } = record({
    maxLineBytes: 4,
    hardLimitBytes: 16,
  });
  assert(splitter.push(encoder.encode("x".repeat(10))));
  assert(
    splitter.push(encoder.encode("x".repeat(6))),
    "16 bytes is at the limit",
  );
  assertFalse(splitter.push(encoder.encode("x")), "17 bytes is past it");
  assertFalse(splitter.push(encoder.encode("xx")));
  assertEquals(tooLong, []);
});

Deno.test("LineSplitter.push() stops after the hard limit on megabytes without a newline", () => {
  const maxLineBytes = 1024;
  const hardLimitBytes = 65536;
  const { splitter, lines } = record({ maxLineBytes, hardLimitBytes });
  // 1000-byte chunks: the first is held, the second passes the line limit.
  const chunk = new Uint8Array(1000).fill(0x78);
  let sent = 0;
  let refusedAt = -1;
  let maxPending = 0;
  while (sent < 4 * 1024 * 1024) {
    const ok = splitter.push(chunk);
    sent += chunk.length;
    maxPending = Math.max(maxPending, splitter.pendingBytes);
    if (sent <= hardLimitBytes) assert(ok, `refused at ${sent} bytes`);
    else assertFalse(ok, `accepted ${sent} bytes`);
    if (!ok && refusedAt < 0) refusedAt = sent;
  }
  assertEquals(refusedAt, 66_000);
  assertEquals(lines, []);
  // One byte over maxLineBytes may be held: the "\r" of a line that is
  // exactly at the limit, waiting for its "\n" in the next chunk.
  assert(maxPending <= maxLineBytes + 1, `held ${maxPending} bytes`);
});

Deno.test("LineSplitter never holds more than one line's limit, whatever the chunking", () => {
  const maxLineBytes = 64;
  const random = prng(99);
  const { splitter } = record({ maxLineBytes, hardLimitBytes: 1 << 30 });
  for (let round = 0; round < 2000; round++) {
    const size = Math.floor(random() * 200);
    const chunk = new Uint8Array(size).fill(0x61);
    if (random() < 0.2 && size > 0) chunk[Math.floor(random() * size)] = 0x0a;
    splitter.push(chunk);
    assert(
      splitter.pendingBytes <= maxLineBytes + 1,
      `held ${splitter.pendingBytes} bytes`,
    );
  }
});

Deno.test("LineSplitter never trips the hard limit on megabytes of short lines", () => {
  const { splitter, lines } = record({
    maxLineBytes: 100,
    hardLimitBytes: 1000,
  });
  const chunk = encoder.encode("short line\n".repeat(1000));
  for (let i = 0; i < 300; i++) assert(splitter.push(chunk));
  assertEquals(lines.length, 300_000);
  assertEquals(splitter.pendingBytes, 0);
});

// ---------------------------------------------------------------------------
// Equivalence with a reference model of the framing.

/**
 * Byte pieces random inputs are made of: ASCII, line endings in every
 * combination, multi-byte characters, and invalid UTF-8. No U+FEFF: see the
 * byte-order-mark tests below.
 */
const PIECES: readonly Uint8Array[] = [
  "a",
  "b",
  " ",
  "\n",
  "\n",
  "\r",
  "\r\n",
  "\n\r",
  "ã",
  "日",
  "👋🏽",
  "\u2028",
  "\x00",
].map((text) => encoder.encode(text)).concat([
  new Uint8Array([0xff]),
  new Uint8Array([0xc3]),
  new Uint8Array([0xe2, 0x82]),
  new Uint8Array([0x80]),
  new Uint8Array([0xf0, 0x9f, 0x98]),
  new Uint8Array([0xed, 0xa0, 0x80]),
]);

function randomInput(random: () => number): Uint8Array {
  const count = Math.floor(random() * 60);
  const parts: number[][] = [];
  for (let i = 0; i < count; i++) {
    parts.push([...PIECES[Math.floor(random() * PIECES.length)]!]);
  }
  return bytes(...parts);
}

function randomChunks(input: Uint8Array, random: () => number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let start = 0;
  while (start < input.length) {
    // Mostly small chunks, so boundaries fall everywhere; sometimes empty.
    const size = random() < 0.1
      ? 0
      : 1 + Math.floor(random() * random() * (input.length - start));
    chunks.push(input.slice(start, start + size));
    start += size;
  }
  return chunks;
}

function splitterLines(chunks: readonly Uint8Array[]): string[] {
  const { splitter, lines, tooLong } = record({
    maxLineBytes: 1 << 20,
    hardLimitBytes: 1 << 24,
  });
  for (const chunk of chunks) assert(splitter.push(chunk));
  const last = splitter.flush();
  if (last !== undefined) lines.push(last);
  assertEquals(tooLong, []);
  return lines;
}

/**
 * The reference model: decode all the bytes at once (a leading byte-order
 * mark dropped), split at every `\r\n`, `\r\0`, `\r` or `\n`, and keep
 * an unfinished last line unless it is empty.
 */
function modelLines(chunks: readonly Uint8Array[]): string[] {
  const text = new TextDecoder().decode(bytes(...chunks.map((c) => [...c])));
  const lines = text.split(/\r\n|\r\0|\r|\n/);
  if (lines.at(-1) === "") lines.pop();
  return lines;
}

/** What TextLineStream with `allowCR` makes of the same bytes. */
function streamLines(chunks: readonly Uint8Array[]): Promise<string[]> {
  return Array.fromAsync(
    ReadableStream.from(chunks)
      .pipeThrough(new TextDecoderStream())
      .pipeThrough(new TextLineStream({ allowCR: true })),
  );
}

Deno.test("LineSplitter yields what the reference model yields, for random chunked input", () => {
  const random = prng(0x5eed);
  for (let round = 0; round < 1500; round++) {
    const input = randomInput(random);
    const chunks = randomChunks(input, random);
    const expected = modelLines(chunks);
    assertEquals(
      splitterLines(chunks),
      expected,
      `round ${round}, chunks ${JSON.stringify(chunks.map((c) => [...c]))}`,
    );
  }
});

const EDGE_CASES: ReadonlyArray<readonly [string, readonly string[]]> = [
  ["empty input", []],
  ["only a newline", ["\n"]],
  ["a lone \\r at the end", ["abc\r"]],
  ["only \\r", ["\r"]],
  ["\\r then \\n in the next chunk", ["a\r", "\nb"]],
  ["\\r\\r\\n", ["a\r\r\n"]],
  ["\\n\\r at the end", ["a\n\r"]],
  ["a lone \\r in the middle", ["a\rb\n"]],
  ["an unterminated last line", ["x\ny"]],
  ["empty lines", ["\n\n", "\r\n\n"]],
];

for (const [what, parts] of EDGE_CASES) {
  Deno.test(`LineSplitter matches the model and TextLineStream (allowCR) on ${what}`, async () => {
    const chunks = parts.map((part) => encoder.encode(part));
    assertEquals(splitterLines(chunks), modelLines(chunks));
    assertEquals(splitterLines(chunks), await streamLines(chunks));
  });
}

Deno.test("LineSplitter matches the reference model for any bytes, chunked anywhere (fast-check)", () => {
  const piece = fc.oneof(
    fc.constantFrom(...PIECES),
    fc.uint8Array({ maxLength: 4 }),
  );
  fc.assert(
    fc.property(
      fc.array(piece, { maxLength: 40 }),
      fc.array(fc.nat(), { maxLength: 12 }),
      (pieces, cuts) => {
        const input = bytes(...pieces.map((p) => [...p]));
        const points = [...new Set(cuts.map((cut) => cut % (input.length + 1)))]
          .sort((a, b) => a - b);
        const chunks: Uint8Array[] = [];
        let start = 0;
        for (const point of [...points, input.length]) {
          chunks.push(input.slice(start, point));
          start = point;
        }
        assertEquals(splitterLines(chunks), modelLines([input]));
      },
    ),
    { numRuns: 5000 },
  );
});

Deno.test("LineSplitter drops a byte-order mark at the very start, as TextDecoderStream does", async () => {
  const chunks = [bytes([0xef, 0xbb, 0xbf], "first\nsecond\n")];
  assertEquals(splitterLines(chunks), ["first", "second"]);
  assertEquals(await streamLines(chunks), ["first", "second"]);
});

Deno.test({
  name:
    "LineSplitter keeps a U+FEFF at the start of a later line, as TextDecoderStream does",
  async fn() {
    const chunks = [
      bytes("a\n", [0xef, 0xbb, 0xbf], "b\n", [0xef, 0xbb, 0xbf], "c"),
    ];
    assertEquals(await streamLines(chunks), ["a", "\ufeffb", "\ufeffc"]);
    assertEquals(splitterLines(chunks), ["a", "\ufeffb", "\ufeffc"]);
  },
});
