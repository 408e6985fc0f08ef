// Checks src/name_rules.ts: which names checkName accepts and why it refuses
// the others, that accepted names come back trimmed and NFC-normalised, and
// that nameKey compares names ignoring case.

import {
  assert,
  assertEquals,
  assertFalse,
  assertNotEquals,
} from "@std/assert";
import {
  checkName,
  MAX_NAME_LENGTH,
  mixesScripts,
  nameKey,
  RESERVED_NAMES,
} from "../../src/protocol/name_rules.ts";

const VALID = [
  "ana",
  "João",
  "ana_b-c.d",
  "李小龙",
  "Дмитрий",
  "Ωμέγα",
  "やまだ太郎", // Hiragana and Han together are one script for names.
  "नमस्ते", // Devanagari needs its combining marks.
  "bob42",
  "42",
  "a",
  "a".repeat(MAX_NAME_LENGTH),
];

for (const name of VALID) {
  Deno.test(`checkName() accepts ${name}`, () => {
    assertEquals(checkName(name), { ok: true, name });
  });
}

Deno.test("checkName() trims surrounding white space", () => {
  assertEquals(checkName("  ana \t"), { ok: true, name: "ana" });
  assertEquals(checkName("ana\n"), { ok: true, name: "ana" });
});

Deno.test("checkName() returns a decomposed name in NFC", () => {
  const decomposed = "Joa\u0303o";
  const result = checkName(decomposed);
  assertEquals(result, { ok: true, name: "Jo\u00e3o" });
  assertEquals(result.name.length, 4);
});

Deno.test("checkName() counts length after NFC, so 24 decomposed letters fit", () => {
  const decomposed = "a\u0303".repeat(MAX_NAME_LENGTH);
  assertEquals(decomposed.length, 48);
  assertEquals(checkName(decomposed), {
    ok: true,
    name: "\u00e3".repeat(MAX_NAME_LENGTH),
  });
});

Deno.test("checkName() counts length in code points, so 24 astral letters fit", () => {
  const name = "\u{10437}".repeat(MAX_NAME_LENGTH); // Deseret small letter yee.
  assertEquals(name.length, 48);
  assertEquals(checkName(name), { ok: true, name });
});

Deno.test("checkName() refuses a name of 25 characters as too long", () => {
  const name = "a".repeat(MAX_NAME_LENGTH + 1);
  assertEquals(checkName(name), { ok: false, code: "too_long", name });
});

Deno.test("checkName() refuses 25 CJK characters as too long", () => {
  const name = "龙".repeat(25);
  assertEquals(checkName(name), { ok: false, code: "too_long", name });
});

Deno.test("checkName() shortens a very long refused name before echoing it", () => {
  const result = checkName("x".repeat(10_000));
  assertEquals(result.ok, false);
  assertEquals(result.name, "x".repeat(32) + "…");
});

for (const name of ["", " ", "   ", "\t", "\n"]) {
  Deno.test(`checkName() refuses ${JSON.stringify(name)} as empty`, () => {
    assertEquals(checkName(name), { ok: false, code: "empty", name: "" });
  });
}

const INVALID = [
  "ana b",
  "a\u00a0b",
  "ana\tb",
  "an\na",
  "ana\x00",
  "ana\x1b[31m",
  "a\u202Eb",
  "a\u200Bb",
  "ana😀",
  "👋🏽",
  "ana!",
  "a@b",
  "a/b",
  "<script>",
  "ana's",
];

for (const name of INVALID) {
  Deno.test(`checkName() refuses ${JSON.stringify(name)} for its characters`, () => {
    const result = checkName(name);
    assert(!result.ok, `${JSON.stringify(name)} was accepted`);
    assertEquals(result.code, "invalid_chars");
  });
}

Deno.test("checkName() echoes a refused name with its controls replaced by ?", () => {
  assertEquals(checkName("a\x1b[31mb"), {
    ok: false,
    code: "invalid_chars",
    name: "a?[31mb",
  });
  assertEquals(checkName("an\na").name, "an?a");
  assertEquals(checkName("a\u202Eb").name, "a?b");
});

const MIXED = [
  "\u0430na", // Cyrillic а then Latin na.
  "p\u0430ypal", // Latin with one Cyrillic а.
  "ana_李",
  "Ωmega",
  "Дima",
];

for (const name of MIXED) {
  Deno.test(`checkName() refuses ${name} for mixing scripts`, () => {
    assertEquals(checkName(name), { ok: false, code: "mixed_scripts", name });
  });
}

Deno.test("mixesScripts() ignores digits and punctuation", () => {
  assertFalse(mixesScripts("ana_42.b-c"));
  assertFalse(mixesScripts("Дима_42"));
  assert(mixesScripts("\u0430na"));
});

for (const name of ["Server", "SYSTEM", "admin", "Root", "cHaT", "Me", "YOU"]) {
  Deno.test(`checkName() refuses ${name} as reserved, ignoring case`, () => {
    assertEquals(checkName(name), { ok: false, code: "reserved", name });
  });
}

Deno.test("checkName() refuses every reserved name", () => {
  for (const name of RESERVED_NAMES) {
    assertEquals(checkName(name).ok, false, name);
    assertEquals(checkName(name.toUpperCase()).ok, false, name);
  }
});

Deno.test("checkName() refuses reserved names spelled with case-folding look-alikes", () => {
  // Long s (ſ) upper-cases to S; dotless ı upper-cases to I.
  assertEquals(checkName("ſerver").ok, false);
  assertEquals(checkName("admın").ok, false);
});

Deno.test({
  name: "checkName() refuses a name made only of invisible Hangul fillers",
  fn() {
    for (const name of ["\u3164", "\u3164\u3164", "\uFFA0", "\u115F\u1160"]) {
      assertEquals(checkName(name).ok, false, JSON.stringify(name));
    }
  },
});

Deno.test({
  name: "checkName() refuses fullwidth spellings of reserved names",
  fn() {
    for (const name of ["Ｓｅｒｖｅｒ", "ｓｙｓｔｅｍ", "ａｄｍｉｎ"]) {
      assertEquals(checkName(name), { ok: false, code: "reserved", name });
    }
  },
});

Deno.test("nameKey() equals for names differing only in case", () => {
  assertEquals(nameKey("ana"), nameKey("ANA"));
  assertEquals(nameKey("Ana"), nameKey("aNa"));
  assertEquals(nameKey("João"), nameKey("JOÃO"));
  assertEquals(nameKey("Дмитрий"), nameKey("ДМИТРИЙ"));
  assertEquals(nameKey("Ωμέγα"), nameKey("ΩΜΈΓΑ"));
  assertEquals(nameKey("Straße"), nameKey("STRASSE"));
});

Deno.test("nameKey() equals for composed and decomposed forms", () => {
  assertEquals(nameKey("Joa\u0303o"), nameKey("Jo\u00e3o"));
  assertEquals(nameKey("JOA\u0303O"), nameKey("joão"));
});

Deno.test("nameKey() tells look-alikes from different scripts apart", () => {
  assertNotEquals(nameKey("ana"), nameKey("\u0430na"));
  assertNotEquals(nameKey("ana"), nameKey("anab"));
});
