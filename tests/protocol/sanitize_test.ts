// Checks src/sanitize.ts: every escape sequence, control character, line
// break and bidirectional override that could act on a terminal is removed
// with its parameters, tabs become a space, and printable text in any script
// (emoji sequences and combining marks included) comes through unchanged.

import { assert, assertEquals, assertFalse } from "@std/assert";
import {
  hasUnsafeCharacters,
  sanitizeText,
} from "../../src/protocol/sanitize.ts";

const ESC = "\x1b";
const BEL = "\x07";
const ST = `${ESC}\\`;

/** Input → what must remain of it. */
const CASES: ReadonlyArray<readonly [string, string, string]> = [
  // CSI, 7-bit and 8-bit.
  ["CSI clear screen", `${ESC}[2Jhi`, "hi"],
  ["CSI colour and reset", `${ESC}[31mred${ESC}[0m`, "red"],
  ["CSI 256-colour", `${ESC}[38;5;196mx${ESC}[m`, "x"],
  ["CSI cursor move", `a${ESC}[10;20Hb`, "ab"],
  ["CSI private mode (alternate screen)", `${ESC}[?1049hx`, "x"],
  ["CSI with intermediate byte", `${ESC}[0 qx`, "x"],
  ["8-bit CSI clear screen", "\x9b2Jhi", "hi"],
  ["8-bit CSI colour", "\x9b31mred\x9b0m", "red"],
  ["CSI at the very end", `hi${ESC}[`, "hi"],
  // OSC, every terminator.
  ["OSC title with BEL", `${ESC}]0;pwned${BEL}after`, "after"],
  ["OSC title with ST", `${ESC}]0;pwned${ST}after`, "after"],
  ["OSC title with 8-bit ST", `${ESC}]2;pwned\x9cafter`, "after"],
  ["8-bit OSC with BEL", `\x9d0;pwned${BEL}after`, "after"],
  ["8-bit OSC with 8-bit ST", "\x9d0;pwned\x9cafter", "after"],
  [
    "OSC 8 hyperlink",
    `${ESC}]8;;https://evil.example${ST}click${ESC}]8;;${ST}`,
    "click",
  ],
  ["OSC 52 clipboard write", `${ESC}]52;c;ZWNobyBwd25lZA==${BEL}ok`, "ok"],
  [
    "an unterminated OSC and everything after it",
    `before${ESC}]0;title`,
    "before",
  ],
  // DCS, SOS, PM, APC.
  ["DCS sixel", `${ESC}Pq#0;2;0;0;0#0~~@@${ST}after`, "after"],
  ["DCS DECRQSS", `${ESC}P$qm${ST}after`, "after"],
  ["8-bit DCS", "\x90q#0~~\x9cafter", "after"],
  ["APC kitty graphics", `${ESC}_Gf=100,a=T;AAAA${ST}after`, "after"],
  ["8-bit APC", "\x9fpayload\x9cafter", "after"],
  ["SOS", `${ESC}Xhidden${ST}after`, "after"],
  ["8-bit SOS", "\x98hidden\x9cafter", "after"],
  ["PM", `${ESC}^hidden${ST}after`, "after"],
  ["8-bit PM", "\x9ehidden\x9cafter", "after"],
  // Two-byte escapes.
  ["ESC c (reset)", `${ESC}cX`, "X"],
  ["ESC 7 / ESC 8 (save/restore cursor)", `${ESC}7a${ESC}8b`, "ab"],
  ["ESC ( 0 (line drawing charset)", `${ESC}(0lqk${ESC}(B`, "lqk"],
  ["ESC # 8 (fill screen with E)", `${ESC}#8x`, "x"],
  ["lone ESC", `a${ESC}`, "a"],
  ["an ESC but not the non-ASCII letter after it", `${ESC}é`, "é"],
  // C0, DEL, C1.
  ["NUL", "a\x00b", "ab"],
  ["BEL", `a${BEL}b`, "ab"],
  ["backspace", "abc\x08\x08\x08xyz", "abcxyz"],
  ["vertical tab and form feed", "a\x0bb\x0cc", "abc"],
  ["DEL", "a\x7fb", "ab"],
  ["C1 NEL", "a\x85b", "ab"],
  ["C1 reverse index", "a\x8db", "ab"],
  ["C1 string terminator alone", "a\x9cb", "ab"],
  // Line breaks.
  ["CR LF", "one\r\ntwo", "onetwo"],
  [
    "LF forging a server line",
    "hi\n[12:00] -- server: give me your password",
    "hi[12:00] -- server: give me your password",
  ],
  ["CR overwriting the line", "I agree\rI refuse", "I agreeI refuse"],
  ["line separator U+2028", "a\u2028b", "ab"],
  ["paragraph separator U+2029", "a\u2029b", "ab"],
  // Bidirectional controls.
  ["right-to-left override U+202E", "invoice\u202Efdp.exe", "invoicefdp.exe"],
  [
    "embeddings and overrides U+202A..U+202D",
    "\u202Aa\u202Bb\u202Cc\u202Dd",
    "abcd",
  ],
  ["isolates U+2066..U+2069", "\u2066a\u2067b\u2068c\u2069d", "abcd"],
  ["marks LRM, RLM, ALM", "a\u200Eb\u200Fc\u061Cd", "abcd"],
  ["interlinear annotation controls", "a\uFFF9b\uFFFAc\uFFFBd", "abcd"],
];

for (const [what, input, expected] of CASES) {
  Deno.test(`sanitizeText() removes ${what}`, () => {
    assertEquals(sanitizeText(input), expected);
  });
}

Deno.test("sanitizeText() turns each tab into one space", () => {
  assertEquals(sanitizeText("a\tb"), "a b");
  assertEquals(sanitizeText("\t\tx\t"), "  x ");
});

Deno.test("sanitizeText() removes every C0 control except tab, which becomes a space", () => {
  for (let code = 0; code < 0x20; code++) {
    if (code === 0x1b) continue; // ESC starts a sequence; tested above.
    const char = String.fromCharCode(code);
    assertEquals(
      sanitizeText(`a${char}b`),
      code === 0x09 ? "a b" : "ab",
      `U+${code.toString(16).padStart(4, "0")}`,
    );
  }
});

Deno.test("sanitizeText() leaves no C1 control, whether or not it opens a sequence", () => {
  for (let code = 0x80; code < 0xa0; code++) {
    const out = sanitizeText(`a${String.fromCharCode(code)}b`);
    assert(out === "ab" || out === "a", `U+${code.toString(16)} gave ${out}`);
    assertFalse(hasUnsafeCharacters(out));
  }
});

const PRINTABLE = [
  "Olá! Você está aí? Ação, coração, pão, avó, Gonçalves",
  "À noite, vovô Kowalsky vê o ímã cair no pé do pinguim queixoso",
  "日本語の文章と中文句子、한국어 문장",
  "Привет, мир! Съешь же ещё этих мягких французских булок",
  "Γειά σου Κόσμε",
  "مرحبا بالعالم",
  "שלום עולם",
  "नमस्ते दुनिया",
  "สวัสดีชาวโลก",
  "می‌خواهم", // Persian with a zero-width non-joiner.
  "👋🏽 👍🏿 🧑🏻‍💻",
  "👨‍👩‍👧‍👦 family, 🏳️‍🌈 flag, ❤️‍🔥 heart on fire",
  "🇧🇷 🇵🇹 flags",
  "e\u0301 a\u0303 (combining marks)",
  "Z\u0364\u0311\u0313a\u0308\u0356l\u036e\u0312g\u0306\u0317o\u0319\u0314",
  "1 + 1 = 2; <b>&amp;</b> \"quotes\" 'single' `back` ~!@#$%^&*()_+{}|:?",
  "math 𝔸𝔹ℂ, music 𝄞, old italic 𐌀𐌁",
  "\u00a0non-breaking\u00a0space and ¡¿ «» ° ± ©",
  "[",
  "",
];

for (const text of PRINTABLE) {
  Deno.test(`sanitizeText() keeps ${JSON.stringify(text).slice(0, 50)} unchanged`, () => {
    assertEquals(sanitizeText(text), text);
    assertFalse(hasUnsafeCharacters(text));
  });
}

Deno.test("sanitizeText() keeps printable text around the sequences it removes", () => {
  assertEquals(
    sanitizeText(`Olá ${ESC}[1m👨‍👩‍👧‍👦${ESC}[0m\u202E мир\r\n`),
    "Olá 👨‍👩‍👧‍👦 мир",
  );
  assertEquals(
    sanitizeText(`${ESC}]0;x${BEL}日本\t${ESC}[2J語`),
    "日本 語",
  );
});

Deno.test("hasUnsafeCharacters() flags controls, escapes, separators and bidi characters", () => {
  for (
    const text of [
      `${ESC}[2J`,
      "\x9b2J",
      "a\tb",
      "a\nb",
      "a\rb",
      "\x00",
      "\x7f",
      "\x85",
      "\u2028",
      "\u202E",
      "\u2066",
      "\u200F",
    ]
  ) {
    assert(hasUnsafeCharacters(text), JSON.stringify(text));
  }
});

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

const PIECES = [
  ESC,
  "[",
  "]",
  "P",
  "_",
  "^",
  "X",
  "\\",
  "0",
  "2",
  ";",
  "J",
  "m",
  "?",
  " ",
  "a",
  "é",
  "日",
  "👋🏽",
  "\u200D",
  BEL,
  "\t",
  "\r",
  "\n",
  "\x00",
  "\x7f",
  "\x85",
  "\x90",
  "\x9b",
  "\x9c",
  "\x9d",
  "\u2028",
  "\u202E",
  "\u2067",
];

Deno.test("sanitizeText() output never holds an unsafe character, for random input", () => {
  const random = prng(20240601);
  for (let round = 0; round < 2000; round++) {
    const length = Math.floor(random() * 40);
    let text = "";
    for (let i = 0; i < length; i++) {
      text += PIECES[Math.floor(random() * PIECES.length)]!;
    }
    const out = sanitizeText(text);
    assertFalse(
      hasUnsafeCharacters(out),
      `${JSON.stringify(text)} gave ${JSON.stringify(out)}`,
    );
    assertFalse(out.includes(ESC));
    assertEquals(sanitizeText(out), out, "sanitising twice changes nothing");
  }
});

Deno.test("sanitizeText() never drops a character when nothing is unsafe, for random input", () => {
  const safe = PIECES.filter((piece) => !hasUnsafeCharacters(piece));
  const random = prng(7);
  for (let round = 0; round < 500; round++) {
    let text = "";
    for (let i = 0; i < 30; i++) {
      text += safe[Math.floor(random() * safe.length)]!;
    }
    assertEquals(sanitizeText(text), text);
  }
});
