// Checks src/protocol/encode_cache.ts: a broadcast is encoded once per
// (codec, variant), the same object is handed to every reader of the same
// variant, and a new message starts afresh.

import { assert, assertEquals, assertStrictEquals } from "@std/assert";
import { encodedText, encodeOnce } from "../../src/protocol/encode_cache.ts";
import type { Codec, Reader } from "../../src/protocol/codec.ts";
import type { ServerMessage } from "../../src/protocol/messages.ts";
import {
  encodeMessage,
  NATIVE_CODEC,
} from "../../src/protocol/native_codec.ts";
import { encodePlain, PLAIN_CODEC } from "../../src/protocol/plain_codec.ts";

/** Fails unless the two are different objects. */
function assertNotSame(actual: unknown, other: unknown): void {
  assert(actual !== other, "expected a different object");
}

const decoder = new TextDecoder();
const EN: Reader = {
  name: "ana",
  lang: "en",
  joined: true,
  needsPassword: false,
  room: "#general",
};
const PT: Reader = { ...EN, name: "bia", lang: "pt" };

function join(name = "carla"): ServerMessage {
  return { type: "join", room: "#general", name, time: 0 };
}

Deno.test("encodeOnce() hands every reader of a variant the same object", () => {
  const message = join();
  const native = encodeOnce(message, NATIVE_CODEC, null);
  assertStrictEquals(encodeOnce(message, NATIVE_CODEC, null), native);
  const en = encodeOnce(message, PLAIN_CODEC, EN);
  assertStrictEquals(encodeOnce(message, PLAIN_CODEC, { ...EN }), en);
  const pt = encodeOnce(message, PLAIN_CODEC, PT);
  assertNotSame(pt, en);
  // Interleaved readers still share.
  assertStrictEquals(encodeOnce(message, NATIVE_CODEC, null), native);
  assertStrictEquals(encodeOnce(message, PLAIN_CODEC, PT), pt);
});

Deno.test("encodeOnce() gives the codec's text and its UTF-8 bytes", () => {
  const message: ServerMessage = {
    type: "message",
    room: "#general",
    from: "ana",
    text: "olá 👋🏽",
    time: 0,
  };
  const native = encodeOnce(message, NATIVE_CODEC, null);
  assertEquals(native.text, encodeMessage(message));
  assertEquals(decoder.decode(native.bytes), native.text);
  const pt = encodeOnce(message, PLAIN_CODEC, PT);
  assertEquals(pt.text, encodePlain(message, "pt", { room: PT.room }));
  assertEquals(decoder.decode(pt.bytes), pt.text);
});

Deno.test("encodeOnce() encodes a new message afresh, even one equal to the last", () => {
  const first = encodeOnce(join(), NATIVE_CODEC, null);
  const second = encodeOnce(join(), NATIVE_CODEC, null);
  assertNotSame(second, first);
  assertEquals(second.text, first.text);
  const other = encodeOnce(join("dan"), NATIVE_CODEC, null);
  assert(other.text.includes('"dan"'));
});

Deno.test("encodeOnce() shows nothing, as empty bytes, for what a dialect does not show", () => {
  const ping: ServerMessage = { type: "ping", id: 1 };
  const encoded = encodeOnce(ping, PLAIN_CODEC, EN);
  assertEquals(encoded.text, "");
  assertEquals(encoded.bytes.length, 0);
});

Deno.test("encodeOnce() encodes per reader when the codec has no variant, and with many variants", () => {
  let calls = 0;
  const perReader: Codec<Reader> = {
    id: "test",
    pings: false,
    claims: () => false,
    open: (reader) => reader,
    decode: () => null,
    encode: (_message, reader) => {
      calls++;
      return `${reader.name}\n`;
    },
    variant: (_message, reader) => reader.name === "many" ? null : reader.name,
  };
  const message = join();
  const many = { ...EN, name: "many" };
  assertNotSame(
    encodeOnce(message, perReader, many),
    encodeOnce(message, perReader, many),
  );
  assertEquals(calls, 2);
  // More variants than the cache keeps: each is still right.
  for (let round = 0; round < 2; round++) {
    for (let i = 0; i < 20; i++) {
      const reader = { ...EN, name: `r${i}` };
      assertEquals(encodeOnce(message, perReader, reader).text, `r${i}\n`);
    }
  }
});

Deno.test("encodedText() wraps text with its bytes, and shares the empty one", () => {
  assertEquals(decoder.decode(encodedText("olá\n").bytes), "olá\n");
  assertStrictEquals(encodedText(""), encodedText(""));
});
