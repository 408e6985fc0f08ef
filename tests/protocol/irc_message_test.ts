// The IRC line parser and writer: tags and their escaping, sources,
// trailing parameters, the 512-byte and tag limits, and (fast-check) that
// it throws nothing but IrcParseError and that writing then parsing gives
// the message back.

import { assert, assertEquals, assertThrows } from "@std/assert";
import fc from "fast-check";
import {
  escapeTagValue,
  formatIrcMessage,
  type IrcMessage,
  IrcParseError,
  MAX_CLIENT_TAG_BYTES,
  MAX_IRC_LINE_BYTES,
  parseIrcMessage,
  unescapeTagValue,
} from "../../src/protocol/irc_message.ts";

function reason(line: string): string {
  const error = assertThrows(() => parseIrcMessage(line), IrcParseError);
  return (error as IrcParseError).reason;
}

Deno.test("parseIrcMessage() reads a bare command, in any case", () => {
  assertEquals(parseIrcMessage("ping"), {
    tags: {},
    source: null,
    command: "PING",
    params: [],
  });
});

Deno.test("parseIrcMessage() reads middle and trailing parameters", () => {
  assertEquals(parseIrcMessage("USER ana 0 * :Ana Silva").params, [
    "ana",
    "0",
    "*",
    "Ana Silva",
  ]);
  assertEquals(parseIrcMessage("PRIVMSG #a :").params, ["#a", ""]);
  assertEquals(parseIrcMessage("PRIVMSG #a ::)").params, ["#a", ":)"]);
  assertEquals(parseIrcMessage("PRIVMSG #a hi").params, ["#a", "hi"]);
});

Deno.test("parseIrcMessage() takes repeated spaces between parameters", () => {
  assertEquals(parseIrcMessage("  JOIN   #a   key  ").params, ["#a", "key"]);
});

Deno.test("parseIrcMessage() reads a source prefix", () => {
  const message = parseIrcMessage(":ana!a@h.example PRIVMSG bob :yo");
  assertEquals(message.source, "ana!a@h.example");
  assertEquals(message.command, "PRIVMSG");
});

Deno.test("parseIrcMessage() reads numerics", () => {
  assertEquals(parseIrcMessage(":srv 001 ana :Welcome").command, "001");
  assertEquals(reason("0001 x"), "bad_command");
});

Deno.test("parseIrcMessage() reads tags, unescaping their values", () => {
  assertEquals(
    parseIrcMessage("@a=1;+draft/reply=x\\sy;b;vendor.example/c=\\:\\\\ CMD")
      .tags,
    { a: "1", "+draft/reply": "x y", b: "", "vendor.example/c": ";\\" },
  );
  assertEquals(reason("@bad key=1 CMD"), "bad_command");
  assertEquals(reason("@b!d=1 CMD"), "bad_tags");
});

Deno.test("unescapeTagValue() drops a final backslash and keeps unknown escapes", () => {
  assertEquals(unescapeTagValue("a\\"), "a");
  assertEquals(unescapeTagValue("\\b"), "b");
  assertEquals(unescapeTagValue("\\r\\n"), "\r\n");
  assertEquals(unescapeTagValue(escapeTagValue("; \\\r\n")), "; \\\r\n");
});

Deno.test("parseIrcMessage() refuses empty lines, lone prefixes and control bytes", () => {
  assertEquals(reason(""), "empty");
  assertEquals(reason("   "), "empty");
  assertEquals(reason(":srv"), "no_command");
  assertEquals(reason("@a=b"), "no_command");
  assertEquals(reason("PRIVMSG #a :x\ry"), "bad_characters");
  assertEquals(reason("PRIVMSG #a :x\0y"), "bad_characters");
  assertEquals(reason("PRIV-MSG"), "bad_command");
});

Deno.test("parseIrcMessage() takes 510 bytes and refuses 511, tags not counted", () => {
  const head = "PRIVMSG #a :";
  const fits = head + "x".repeat(MAX_IRC_LINE_BYTES - 2 - head.length);
  assertEquals(parseIrcMessage(fits).params[1]!.length, 498);
  assertEquals(reason(fits + "x"), "too_long");
  // Multi-byte characters count in bytes.
  assertEquals(reason(head + "é".repeat(250)), "too_long");
  const tags = "@" + "t=" + "v".repeat(4000) + " ";
  assertEquals(parseIrcMessage(tags + fits).params[1]!.length, 498);
});

Deno.test("parseIrcMessage() takes tags up to 4096 bytes with their @ and space", () => {
  const fits = "@t=" + "v".repeat(MAX_CLIENT_TAG_BYTES - 4);
  assertEquals(parseIrcMessage(fits + " PING").command, "PING");
  assertEquals(reason(fits + "v PING"), "tags_too_long");
});

Deno.test("formatIrcMessage() writes the trailing parameter only when needed", () => {
  const write = (params: string[]) =>
    formatIrcMessage({ tags: {}, source: "s", command: "X", params });
  assertEquals(write(["a", "b"]), ":s X a b");
  assertEquals(write(["a", "b c"]), ":s X a :b c");
  assertEquals(write(["a", ""]), ":s X a :");
  assertEquals(write(["a", ":)"]), ":s X a ::)");
  assertThrows(() => write(["a b", "c"]), RangeError);
  assertThrows(() => write(["a\r\nQUIT", "c"]), RangeError);
});

Deno.test("formatIrcMessage() escapes tag values", () => {
  assertEquals(
    formatIrcMessage({
      tags: { time: "2024-01-01T00:00:00.000Z", msg: "a b;c", flag: "" },
      source: null,
      command: "PING",
      params: ["x"],
    }),
    "@time=2024-01-01T00:00:00.000Z;msg=a\\sb\\:c;flag PING x",
  );
});

// --- Properties -----------------------------------------------------------

const PROPERTY_RUNS = 100_000;

// Text from the characters that matter to the grammar, and any others.
const wireChar = fc.oneof(
  fc.constantFrom(
    " ",
    ":",
    "@",
    ";",
    "=",
    "\\",
    "!",
    "\r",
    "\n",
    "\0",
    "+",
    "/",
  ),
  fc.constantFrom("a", "Z", "0", "9", "-", "."),
  fc.string({ minLength: 1, maxLength: 1, unit: "binary" }),
);
const wireLine = fc.oneof(
  fc.array(wireChar, { maxLength: 60 }).map((chars) => chars.join("")),
  fc.string({ maxLength: 700, unit: "binary" }),
);

Deno.test("parseIrcMessage() throws only IrcParseError, whatever the line (100,000 lines)", () => {
  fc.assert(
    fc.property(wireLine, (line) => {
      try {
        parseIrcMessage(line);
      } catch (error) {
        assert(error instanceof IrcParseError, String(error));
      }
    }),
    { numRuns: PROPERTY_RUNS },
  );
});

const word = fc.stringMatching(/^[A-Za-z0-9#&!@.*\-_^[\]{}|]{1,12}$/);
const paramText = fc.string({ maxLength: 40, unit: "grapheme" }).map((text) =>
  text.replace(/[\0\r\n]/g, "")
);
const message: fc.Arbitrary<IrcMessage> = fc.record({
  tags: fc.dictionary(
    fc.stringMatching(/^\+?(?:[a-z0-9.-]{1,8}\/)?[A-Za-z0-9-]{1,8}$/),
    paramText,
    { maxKeys: 4 },
  ),
  source: fc.option(word, { nil: null }),
  command: fc.oneof(
    fc.stringMatching(/^[A-Z]{1,10}$/),
    fc.stringMatching(/^\d{3}$/),
  ),
  params: fc.tuple(fc.array(word, { maxLength: 6 }), fc.option(paramText))
    .map(([middle, last]) => last === null ? middle : [...middle, last]),
});

Deno.test("formatIrcMessage() then parseIrcMessage() gives the message back (100,000 messages)", () => {
  fc.assert(
    fc.property(message, (sent) => {
      // A middle word starting with ":" would be a trailing parameter.
      if (sent.params.slice(0, -1).some((p) => p.startsWith(":"))) return;
      assertEquals(parseIrcMessage(formatIrcMessage(sent)), sent);
    }),
    { numRuns: PROPERTY_RUNS },
  );
});
