// Checks src/protocol/sniff.ts: a first line picks the codec that reads the
// connection; a JSON hello is native, anything else plain.

import { assertEquals, assertStrictEquals } from "@std/assert";
import { CODECS, FALLBACK_CODEC, sniff } from "../../src/protocol/sniff.ts";
import { NATIVE_CODEC } from "../../src/protocol/native_codec.ts";
import { PLAIN_CODEC } from "../../src/protocol/plain_codec.ts";

Deno.test("sniff() picks the native codec for a JSON hello", () => {
  for (
    const line of [
      '{"type":"hello","version":1,"name":"ana"}',
      '{ "type": "hello", "version": 1, "name": "ana", "lang": "pt" }',
    ]
  ) {
    assertStrictEquals(sniff(line), NATIVE_CODEC, line);
  }
});

Deno.test("sniff() picks the plain codec for names and for JSON that is not a hello", () => {
  for (
    const line of ["ana", "João", "hello", "{hello}", '{"type":"input"}']
  ) {
    assertStrictEquals(sniff(line), PLAIN_CODEC, line);
  }
});

Deno.test("CODECS lists each codec once, and the last one claims any line", () => {
  const ids = CODECS.map((codec) => codec.id);
  assertEquals(ids, ["native", "irc", "plain"]);
  assertEquals(new Set(ids).size, ids.length);
  assertEquals(CODECS.at(-1)!.claims(""), true);
  assertStrictEquals(FALLBACK_CODEC, PLAIN_CODEC);
});
