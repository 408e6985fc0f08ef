// Checks src/name_rules.ts: which names checkName accepts and why it refuses
// the others, that accepted names come back trimmed and NFC-normalised, that
// nameKey compares names ignoring case, and that lookalikeKeys and
// confusableSkeleton tell names that look alike (UTS #39) from names that
// do not.

import {
  assert,
  assertEquals,
  assertFalse,
  assertNotEquals,
  assertStringIncludes,
} from "@std/assert";
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
import { CONFUSABLES_VERSION } from "../../src/protocol/confusables.ts";
import { STRINGS } from "../../src/i18n/server_strings.ts";

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

// --- Names that end in "." ------------------------------------------------

for (const name of ["bob.", "ana..", "a.b.", "李."]) {
  Deno.test(`checkName() refuses ${name} for ending in .`, () => {
    assertEquals(checkName(name), { ok: false, code: "invalid_chars", name });
  });
}

Deno.test("checkName() still accepts a . inside or in front of a name", () => {
  for (const name of ["a.b", ".bob", "ana_b-c.d"]) {
    assertEquals(checkName(name), { ok: true, name });
  }
});

Deno.test("the text for a name ending in . says that is why, in each language", () => {
  assertEquals(
    STRINGS.en.nameError("invalid_chars", "bob."),
    'The name "bob." is not allowed: it may not end with .',
  );
  assertEquals(
    STRINGS.pt.nameError("invalid_chars", "bob."),
    'O nome "bob." não é permitido: não pode terminar em .',
  );
  assertStringIncludes(
    STRINGS.en.nameError("invalid_chars", "a b"),
    "use letters, digits",
  );
});

// --- Look-alike names (UTS #39 skeletons) ----------------------------------

/** Whether two names may not be online together. */
function lookAlike(a: string, b: string): boolean {
  const keys = lookalikeKeys(b);
  return lookalikeKeys(a).some((key) => keys.includes(key));
}

const LOOK_ALIKE: ReadonlyArray<readonly [string, string, string]> = [
  ["poe", "\u0440\u043e\u0435", "Latin poe, Cyrillic рое"],
  ["POE", "\u0420\u041e\u0415", "Latin POE, Cyrillic РОЕ"],
  ["bob", "\u0299\u1d0f\u0299", "bob, small capitals ʙᴏʙ"],
  ["Bob", "\u0299\u1d0f\u0299", "Bob, small capitals ʙᴏʙ"],
  ["paypal", "p\u0430ypal", "paypal, with a Cyrillic а"],
  ["paypal", "paypaI", "paypal, with a capital I for the l"],
  ["bill", "BILL", "the same name in capitals"],
  ["mary", "rnary", "m, and r n"],
  ["bob0", "bobO", "the digit 0, and the capital O"],
  ["bob1", "bobl", "the digit 1, and l"],
  ["ana", "\u0391\u039d\u0391", "ana, Greek capitals ΑΝΑ"],
  ["ana", "ａｎａ", "ana, fullwidth ａｎａ"],
  ["カナ", "力ナ", "Katakana カ, Han 力"],
];

for (const [a, b, what] of LOOK_ALIKE) {
  Deno.test(`lookalikeKeys() shares a key between ${what}`, () => {
    assert(lookAlike(a, b), `${a} / ${b}`);
    assert(lookAlike(b, a), `${b} / ${a}`);
  });
}

const DISTINCT: ReadonlyArray<readonly [string, string]> = [
  ["ana", "anna"],
  ["ana", "ama"],
  ["ali", "all"],
  ["lily", "lili"],
  ["João", "Joao"],
  ["bob", "rob"],
  ["李小龙", "李小明"],
  ["やまだ", "やまた"],
  ["Дмитрий", "Дмитри"],
  ["user1", "user2"],
];

for (const [a, b] of DISTINCT) {
  Deno.test(`lookalikeKeys() keeps ${a} and ${b} apart`, () => {
    assertFalse(lookAlike(a, b));
  });
}

Deno.test("lookalikeKeys() gives one key to a name that looks the same in any case", () => {
  assertEquals(lookalikeKeys("ana"), ["ana"]);
  assertEquals(lookalikeKeys("Ana"), ["ana"]);
  assertEquals(lookalikeKeys("BILL"), ["bill", "blll"]);
});

Deno.test("confusableSkeleton() maps look-alikes onto their prototypes, ignoring case", () => {
  assertEquals(confusableSkeleton("\u0440\u043e\u0435"), "poe");
  assertEquals(confusableSkeleton("\u0299\u1d0f\u0299"), "bob");
  assertEquals(confusableSkeleton("paypaI"), "paypal");
  assertEquals(confusableSkeleton("m"), "rn");
  assertEquals(confusableSkeleton("0"), "o");
  assertEquals(confusableSkeleton("ana"), "ana");
  assertEquals(confusableSkeleton("李小龙"), "李小龙");
});

Deno.test("confusableSkeleton() settles every entry of the table, in either case", () => {
  for (const [source, target] of CONFUSABLE_PROTOTYPES) {
    for (const text of [source, source.toUpperCase(), target]) {
      const once = confusableSkeleton(text);
      assertEquals(confusableSkeleton(once), once, JSON.stringify(text));
    }
  }
});

Deno.test("the confusables table is UTS #39 data of a known version, cut to name characters", () => {
  assertEquals(CONFUSABLES_VERSION, "10.0.0");
  assertEquals(CONFUSABLE_PROTOTYPES.get("\u0430"), "a");
  assertEquals(CONFUSABLE_PROTOTYPES.get("0"), "O");
  assertEquals(CONFUSABLE_PROTOTYPES.get("m"), "rn");
  assertEquals(CONFUSABLE_PROTOTYPES.get("\u0299"), "b"); // small capital
  assertEquals(CONFUSABLE_PROTOTYPES.get("!"), undefined); // not in names
  assertEquals(CONFUSABLE_PROTOTYPES.get("\u{1d41a}"), undefined); // NFKC: a
  for (const source of CONFUSABLE_PROTOTYPES.keys()) {
    assert(/^[\p{L}\p{M}\p{Nd}]$/u.test(source), source);
  }
});

Deno.test("checkName() refuses names that look like reserved ones", () => {
  for (
    const name of [
      "\u0280\u1d0f\u1d0f\u1d1b", // ʀᴏᴏᴛ, small capitals
      "\u041c\u0415", // МЕ, Cyrillic
      "\u039c\u0395", // ΜΕ, Greek
    ]
  ) {
    assertEquals(checkName(name), { ok: false, code: "reserved", name });
  }
});
