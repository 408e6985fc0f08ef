// Checks src/protocol/room_name.ts and src/protocol/constant_time_equal.ts:
// room names by example (the # and 1-32 characters, the rules of names,
// look-alikes, store keys), then as properties on random text (fast-check):
// checkRoomName() never throws, accepts only safe, normalised names within
// the bounds and is idempotent on them, and /join reads any line without
// throwing; constantTimeEqual() says equal exactly for equal texts.

import { assert, assertEquals, assertFalse } from "@std/assert";
import fc from "fast-check";
import {
  checkRoomName,
  MAX_ROOM_NAME_LENGTH,
  roomKey,
} from "../../src/protocol/room_name.ts";
import { lookalikeKeys, mixesScripts } from "../../src/protocol/name_rules.ts";
import { parseCommand } from "../../src/protocol/commands.ts";
import { sanitizeText } from "../../src/protocol/sanitize.ts";
import { constantTimeEqual } from "../../src/protocol/constant_time_equal.ts";

const ACCEPTED: ReadonlyArray<readonly [string, string]> = [
  ["#general", "#general"],
  ["  #games ", "#games"],
  ["#Café", "#Café"],
  ["#Cafe\u0301", "#Café"],
  ["#日本語", "#日本語"],
  ["#общий", "#общий"],
  ["#a", "#a"],
  ["#1", "#1"],
  ["#dev-ops_2.0", "#dev-ops_2.0"],
  [`#${"x".repeat(32)}`, `#${"x".repeat(32)}`],
  ["#हिन्दी", "#हिन्दी"],
];

for (const [requested, name] of ACCEPTED) {
  Deno.test(`checkRoomName() accepts ${JSON.stringify(requested)} as ${name}`, () => {
    assertEquals(checkRoomName(requested), { ok: true, name });
  });
}

const REFUSED: ReadonlyArray<readonly [string, string]> = [
  ["#", "empty"],
  ["  #  ", "empty"],
  ["general", "invalid_chars"],
  ["", "invalid_chars"],
  ["##", "invalid_chars"],
  ["#a b", "invalid_chars"],
  ["#a\tb", "invalid_chars"],
  ["#x\x1b[31m", "invalid_chars"],
  ["#\u202egames", "invalid_chars"],
  ["#\u200bgames", "invalid_chars"],
  ["#games.", "invalid_chars"],
  ["#--", "invalid_chars"],
  ["#a@b", "invalid_chars"],
  ["#😀", "invalid_chars"],
  [`#${"x".repeat(33)}`, "too_long"],
  ["#g\u0430mes", "mixed_scripts"],
];

for (const [requested, code] of REFUSED) {
  Deno.test(`checkRoomName() refuses ${JSON.stringify(requested)} as ${code}`, () => {
    const check = checkRoomName(requested);
    assertEquals(check.ok, false);
    assert(!check.ok);
    assertEquals(check.code, code);
    assertEquals(sanitizeText(check.name), check.name, "safe to quote back");
  });
}

Deno.test("room names that look alike share a look-alike key, in any case", () => {
  const share = (a: string, b: string) =>
    lookalikeKeys(a).some((key) => lookalikeKeys(b).includes(key));
  assert(share("#games", "#GAMES"));
  assert(share("#games", "#\u0262ames")); // small capital ɢ
  assert(share("#games", "#ｇａｍｅｓ")); // fullwidth
  assertFalse(share("#games", "#gamez"));
});

Deno.test("roomKey() keeps a room's history under its name ignoring case", () => {
  assertEquals(roomKey("#Games"), "#games");
  assertEquals(roomKey("#GENERAL"), roomKey("#general"));
  assertEquals(roomKey("#日本"), "#日本");
});

// --- Properties ---------------------------------------------------------------

// deno-lint-ignore no-control-regex
const UNSAFE = /[\x00-\x1f\x7f-\x9f\u2028-\u202e\u2066-\u2069\s]/;

/** Text that looks like a room name, with some of every kind of trouble. */
const roomText = fc.tuple(
  fc.constantFrom("#", "#", "#", "", "##", " #"),
  fc.array(
    fc.oneof(
      fc.constantFrom(..."abcxyzABC019_-.éüñ日本語абвαβγ"),
      fc.constantFrom("\u0301", "\u200b", "\u202e", "\x1b", "\n", " ", "@"),
      fc.string({ unit: "grapheme", maxLength: 2 }),
    ),
    { maxLength: 40 },
  ),
).map(([hash, chars]) => hash + chars.join(""));

const anyText = fc.string({ unit: "binary", maxLength: 60 });

/** Room names in one script, most of them valid. */
const cleanRoomText = fc.tuple(
  fc.constantFrom(
    "abcxyzABCXYZ019_-.éü",
    "абвгдежАБВ019_-",
    "日本語中文字019_-",
    "αβγδεΑΒΓ019_-.",
  ),
  fc.integer({ min: 1, max: 34 }),
  fc.infiniteStream(fc.nat()),
).map(([alphabet, length, picks]) => {
  const chars = [...alphabet];
  const it = picks[Symbol.iterator]();
  return "#" + Array.from(
    { length },
    () => chars[it.next().value! % chars.length],
  ).join("");
});

Deno.test("checkRoomName() never throws, and an accepted room name is # and 1–32 safe, normalised characters in one script, accepted again as itself", () => {
  let accepted = 0;
  fc.assert(
    fc.property(fc.oneof(roomText, cleanRoomText, anyText), (requested) => {
      const check = checkRoomName(requested);
      if (!check.ok) return;
      accepted++;
      const name = check.name;
      assert(name.startsWith("#"), name);
      const length = [...name.slice(1)].length;
      assert(length >= 1 && length <= MAX_ROOM_NAME_LENGTH, name);
      assertEquals(name, name.normalize("NFC"));
      assert(!UNSAFE.test(name), JSON.stringify(name));
      assertEquals(sanitizeText(name), name);
      assertFalse(name.endsWith("."), name);
      assertFalse(name.slice(1).includes("#"), name);
      assertFalse(mixesScripts(name), name);
      assertEquals(checkRoomName(name), { ok: true, name });
      assertEquals(checkRoomName(` ${name} `), { ok: true, name });
      assertEquals(roomKey(roomKey(name)), roomKey(name));
    }),
    { numRuns: 20_000 },
  );
  assert(accepted > 3000, `only ${accepted} room names were accepted`);
});

Deno.test("parseCommand() reads /join, /part, /switch and /who of any text without throwing, naming rooms with #", () => {
  fc.assert(
    fc.property(
      fc.constantFrom("/join ", "/part ", "/switch ", "/go ", "/who "),
      fc.oneof(roomText, anyText),
      (command, rest) => {
        const parsed = parseCommand(command + rest);
        switch (parsed.kind) {
          case "join":
          case "switch":
            assert(parsed.room.startsWith("#"), parsed.room);
            return;
          case "part":
          case "who":
            if (parsed.room !== undefined) assert(parsed.room.startsWith("#"));
            return;
          case "usage":
            return;
          default:
            throw new Error(`read as ${parsed.kind}`);
        }
      },
    ),
    { numRuns: 10_000 },
  );
});

Deno.test("constantTimeEqual() says equal exactly when the texts are equal", () => {
  fc.assert(
    fc.property(anyText, anyText, (a, b) => {
      assertEquals(constantTimeEqual(a, b), a === b || _sameBytes(a, b));
      assert(constantTimeEqual(a, a));
      if (a.length > 0) assertFalse(constantTimeEqual(a + "x", a));
      assertFalse(constantTimeEqual(a, a + "x"));
    }),
    { numRuns: 5000 },
  );
});

// Lone surrogates become U+FFFD in UTF-8: two different strings can have the
// same bytes, and then they are the same secret.
function _sameBytes(a: string, b: string): boolean {
  const encoder = new TextEncoder();
  const x = encoder.encode(a);
  const y = encoder.encode(b);
  return x.length === y.length && x.every((byte, i) => byte === y[i]);
}
