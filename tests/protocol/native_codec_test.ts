// Checks the native dialect, src/protocol/native_codec.ts: every client
// message survives encode → decode unchanged, decoding refuses anything that
// is not a well-formed client message with a SyntaxError, an encoded line
// holds exactly one raw line break (its last character) whatever its strings
// contain, and isNativeHello tells a JSON hello from a plain-dialect name.

import { assert, assertEquals, assertFalse, assertThrows } from "@std/assert";
import {
  type ClientMessage,
  PROTOCOL_VERSION,
  type ServerMessage,
} from "../../src/protocol/messages.ts";
import type { Command } from "../../src/protocol/commands.ts";
import {
  decodeClientMessage,
  decodeServerMessage,
  encodeMessage,
  isNativeHello,
  NATIVE_CODEC,
} from "../../src/protocol/native_codec.ts";

/** Every control character, DEL, the C1 range, and the Unicode line breaks. */
const NASTY = Array.from({ length: 0xa0 }, (_, i) => String.fromCharCode(i))
  .join("") + "\u2028\u2029\u0085\ud800 olá 日本 👋🏽";

/** The line an encoded message becomes, without its final `\n`. */
function lineOf(message: ClientMessage | ServerMessage): string {
  const encoded = encodeMessage(message);
  assert(encoded.endsWith("\n"), "an encoded message ends in \\n");
  return encoded.slice(0, -1);
}

const CLIENT_MESSAGES: ReadonlyArray<readonly [string, ClientMessage]> = [
  ["a hello", { type: "hello", version: PROTOCOL_VERSION, name: "ana" }],
  ["a Portuguese hello", {
    type: "hello",
    version: 1,
    name: "João",
    lang: "pt",
  }],
  ["a hello of another version", {
    type: "hello",
    version: 2,
    name: "李小龙",
    lang: "en",
  }],
  ["an input", { type: "input", text: "hello" }],
  ["an empty input", { type: "input", text: "" }],
  ["a command input with emoji", {
    type: "input",
    text: "/msg bob olá, tudo bem? 👋🏽",
  }],
  ["an input full of control characters", { type: "input", text: NASTY }],
  ["a quit", { type: "quit" }],
  ["a quit with a reason", { type: "quit", reason: "bye all" }],
  ["a quit with an empty reason", { type: "quit", reason: "" }],
  ["a ping with id 0", { type: "ping", id: 0 }],
  ["a ping", { type: "ping", id: 42 }],
  ["a pong with a negative id", { type: "pong", id: -7 }],
  ["a pong with a fractional id", { type: "pong", id: 1.5 }],
  ["a hello with a password", {
    type: "hello",
    version: 2,
    name: "ana",
    password: "s3cret ü",
  }],
  ["an input to a room", { type: "input", text: "gg", room: "#games" }],
  ["a join", { type: "join", room: "#games" }],
  ["a join with a key", { type: "join", room: "#games", key: "k" }],
  ["a part", { type: "part", room: "#games" }],
  ["a part with a reason", { type: "part", room: "#games", reason: "bye" }],
  ["a question for the topic", { type: "topic", room: "#games" }],
  ["a topic", { type: "topic", room: "#games", text: "gg" }],
  ["a cleared topic", { type: "topic", room: "#games", text: "" }],
  ["a rooms request", { type: "rooms" }],
  ["a who", { type: "who" }],
  ["a who of a room", { type: "who", room: "#games" }],
  ["a switch", { type: "switch", room: "#games" }],
];

for (const [what, message] of CLIENT_MESSAGES) {
  Deno.test(`decodeClientMessage() reads back ${what} unchanged`, () => {
    assertEquals(decodeClientMessage(lineOf(message)), message);
  });
}

Deno.test("encodeMessage() writes the documented hello line", () => {
  assertEquals(
    encodeMessage({ type: "hello", version: 1, name: "ana" }),
    '{"type":"hello","version":1,"name":"ana"}\n',
  );
});

Deno.test("decodeClientMessage() accepts white space and any key order", () => {
  assertEquals(
    decodeClientMessage(' { "name" : "ana", "version": 1, "type": "hello" } '),
    { type: "hello", version: 1, name: "ana" },
  );
});

Deno.test("decodeClientMessage() drops unknown fields", () => {
  assertEquals(
    decodeClientMessage(
      '{"type":"input","text":"hi","admin":true,"from":"server"}',
    ),
    { type: "input", text: "hi" },
  );
  assertEquals(
    decodeClientMessage('{"type":"ping","id":3,"text":"x"}'),
    { type: "ping", id: 3 },
  );
});

Deno.test("decodeClientMessage() drops a hello lang other than en or pt", () => {
  assertEquals(
    decodeClientMessage(
      '{"type":"hello","version":1,"name":"ana","lang":"fr"}',
    ),
    { type: "hello", version: 1, name: "ana" },
  );
  assertEquals(
    decodeClientMessage('{"type":"hello","version":1,"name":"ana","lang":1}'),
    { type: "hello", version: 1, name: "ana" },
  );
});

Deno.test("decodeClientMessage() drops a quit reason that is not a string", () => {
  assertEquals(decodeClientMessage('{"type":"quit","reason":5}'), {
    type: "quit",
  });
  assertEquals(decodeClientMessage('{"type":"quit","reason":null}'), {
    type: "quit",
  });
});

Deno.test("decodeClientMessage() keeps a __proto__ key from changing the result", () => {
  const message = decodeClientMessage(
    '{"type":"input","text":"x","__proto__":{"type":"quit"}}',
  );
  assertEquals(message, { type: "input", text: "x" });
  assertEquals(Object.getPrototypeOf(message), Object.prototype);
});

const NOT_JSON = [
  "",
  "hello",
  "ana",
  "{",
  '{"type":"input","text":"hi"',
  "{type:'input'}",
  '{"type":"input","text":"hi"}{"type":"quit"}',
  "\u0000",
];

for (const line of NOT_JSON) {
  Deno.test(`decodeClientMessage() rejects non-JSON ${JSON.stringify(line)}`, () => {
    assertThrows(
      () => decodeClientMessage(line),
      SyntaxError,
      "Cannot decode client message: not JSON",
    );
  });
}

const NO_TYPE = [
  "[]",
  '[{"type":"input","text":"hi"}]',
  "null",
  "42",
  "true",
  '"hello"',
  "{}",
  '{"text":"hi"}',
  '{"type":null}',
  '{"type":5}',
  '{"type":["input"]}',
];

for (const line of NO_TYPE) {
  Deno.test(`decodeClientMessage() rejects ${line} for want of a type`, () => {
    assertThrows(
      () => decodeClientMessage(line),
      SyntaxError,
      'no "type" field',
    );
  });
}

const UNKNOWN_TYPE = [
  '{"type":"shout","text":"hi"}',
  '{"type":"HELLO","version":1,"name":"ana"}',
  '{"type":""}',
  // Server-only types are not client messages.
  '{"type":"welcome","name":"ana"}',
  '{"type":"message","from":"server","text":"hi","time":0}',
  '{"type":"bye","reason":"quit","text":"x"}',
  '{"type":"__proto__"}',
  '{"type":"toString"}',
];

for (const line of UNKNOWN_TYPE) {
  Deno.test(`decodeClientMessage() rejects the unknown type in ${line}`, () => {
    assertThrows(() => decodeClientMessage(line), SyntaxError, "unknown type");
  });
}

Deno.test("decodeClientMessage() quotes at most 32 characters of an unknown type", () => {
  const error = assertThrows(
    () => decodeClientMessage(JSON.stringify({ type: "x".repeat(10_000) })),
    SyntaxError,
  );
  assert(error.message.length < 100, error.message);
});

const WRONG_FIELDS = [
  '{"type":"join"}',
  '{"type":"join","room":5}',
  '{"type":"part","reason":"x"}',
  '{"type":"topic","text":"x"}',
  '{"type":"switch","room":null}',
  '{"type":"hello","version":1}',
  '{"type":"hello","name":"ana"}',
  '{"type":"hello","version":"1","name":"ana"}',
  '{"type":"hello","version":1,"name":5}',
  '{"type":"hello","version":1,"name":null}',
  '{"type":"hello","version":1,"name":["ana"]}',
  '{"type":"input"}',
  '{"type":"input","text":5}',
  '{"type":"input","text":null}',
  '{"type":"input","text":{"toString":"x"}}',
  '{"type":"ping"}',
  '{"type":"ping","id":"1"}',
  '{"type":"ping","id":null}',
  '{"type":"ping","id":1e999}',
  '{"type":"pong","id":true}',
  '{"type":"pong","id":-1e999}',
];

for (const line of WRONG_FIELDS) {
  Deno.test(`decodeClientMessage() rejects the wrong fields of ${line}`, () => {
    assertThrows(() => decodeClientMessage(line), SyntaxError, "Cannot decode");
  });
}

Deno.test("encodeMessage() leaves no raw line break but the last, whatever the strings hold", () => {
  const messages: (ClientMessage | ServerMessage)[] = [
    { type: "input", text: NASTY },
    { type: "hello", version: 1, name: NASTY },
    { type: "quit", reason: NASTY },
    {
      type: "message",
      room: NASTY,
      from: NASTY,
      text: NASTY,
      time: 0,
      action: true,
    },
    { type: "private", from: "a", to: NASTY, text: NASTY, time: 1 },
    { type: "info", code: NASTY, text: NASTY },
    { type: "error", code: "x", text: "line one\nline two\r\n" },
    { type: "leave", name: "a", reason: "quit", detail: NASTY, time: 2 },
    {
      type: "welcome",
      name: "ana",
      room: NASTY,
      members: [NASTY, "bob"],
      ops: [NASTY],
      topic: { text: NASTY, by: NASTY, time: 3 },
      history: [{ from: "bob", text: NASTY, time: 3 }],
      server: NASTY,
      version: 2,
    },
    { type: "join", room: "#a", key: NASTY },
    { type: "topic", room: NASTY, text: NASTY },
    { type: "kick", room: "#a", name: "b", by: "c", reason: NASTY, time: 4 },
  ];
  for (const message of messages) {
    const encoded = encodeMessage(message);
    assertEquals(encoded.indexOf("\n"), encoded.length - 1);
    assertFalse(encoded.includes("\r"), "no raw carriage return");
  }
});

Deno.test("encodeMessage() keeps control characters intact through a round trip", () => {
  assertEquals(decodeClientMessage(lineOf({ type: "input", text: NASTY })), {
    type: "input",
    text: NASTY,
  });
});

const SERVER_MESSAGES: ServerMessage[] = [
  {
    type: "welcome",
    name: "ana",
    room: "#general",
    members: ["ana", "bob"],
    ops: [],
    history: [{ from: "bob", text: "hi", time: 1 }, {
      from: "bob",
      text: "waves",
      time: 2,
      action: true,
    }],
    server: "chat",
    version: 2,
  },
  {
    type: "welcome",
    name: "ana",
    room: null,
    members: [],
    ops: [],
    history: [],
    server: "chat",
    version: 2,
  },
  { type: "name_error", name: "ana", code: "taken", text: "taken" },
  {
    type: "joined",
    room: "#games",
    members: ["ana", "bob"],
    ops: ["bob"],
    topic: { text: "gg", by: "bob", time: 4 },
    key: true,
    topicLocked: true,
    history: [],
  },
  { type: "parted", room: "#games" },
  { type: "current", room: "#general" },
  { type: "current", room: null },
  { type: "message", room: "#general", from: "ana", text: "hi", time: 5 },
  { type: "private", from: "ana", to: "bob", text: "psst", time: 5 },
  { type: "join", room: "#general", name: "ana", time: 5, arrived: true },
  { type: "join", room: "#games", name: "ana", time: 5, op: true },
  { type: "part", room: "#games", name: "ana", reason: "later", time: 5 },
  { type: "leave", name: "ana", reason: "quit", detail: "bye", time: 5 },
  { type: "rename", from: "ana", to: "bia", time: 5 },
  { type: "kick", room: "#games", name: "bia", by: "bob", time: 5 },
  {
    type: "mode",
    room: "#games",
    by: "bob",
    change: "+o",
    target: "ana",
    time: 5,
  },
  { type: "mode", room: "#games", by: "bob", change: "+k", time: 5 },
  { type: "topic", room: "#games", text: "", by: "bob", time: 5 },
  {
    type: "topic",
    room: "#games",
    text: "gg",
    by: "bob",
    time: 5,
    asked: true,
  },
  { type: "members", room: "#general", names: ["ana"], ops: [] },
  {
    type: "rooms",
    rooms: [{ room: "#games", members: 2, topic: "gg", key: true }],
    total: 1,
  },
  { type: "info", code: "help", text: "Commands:\n  /help" },
  { type: "error", code: "slow_down", text: "Slow down" },
  { type: "bye", reason: "shutdown", text: "Goodbye" },
  { type: "ping", id: 1 },
  { type: "pong", id: 1 },
];

Deno.test("decodeServerMessage() reads back every encoded server message", () => {
  for (const message of SERVER_MESSAGES) {
    assertEquals(decodeServerMessage(lineOf(message)), message);
  }
});

Deno.test("decodeServerMessage() rejects non-JSON, a missing type and an unknown type", () => {
  assertThrows(() => decodeServerMessage("hello"), SyntaxError, "not JSON");
  assertThrows(() => decodeServerMessage("[]"), SyntaxError, '"type"');
  assertThrows(
    () => decodeServerMessage('{"type":"input","text":"x"}'),
    SyntaxError,
    "unknown type",
  );
});

Deno.test("isNativeHello() recognises an encoded hello", () => {
  assert(isNativeHello(lineOf({ type: "hello", version: 1, name: "ana" })));
  assert(
    isNativeHello(
      lineOf({ type: "hello", version: 1, name: "ana", lang: "pt" }),
    ),
  );
  assert(isNativeHello('{ "type": "hello", "version": 1, "name": "ana" }'));
});

Deno.test("isNativeHello() takes plain-dialect names for what they are", () => {
  for (
    const line of [
      "",
      "ana",
      "hello",
      '"hello"',
      "João",
      "李小龙",
      "{hello}",
      'ana {"hello"}',
    ]
  ) {
    assertFalse(isNativeHello(line), line);
  }
});

Deno.test("isNativeHello() is false for JSON that is not a hello", () => {
  assertFalse(isNativeHello(lineOf({ type: "input", text: "hi" })));
  assertFalse(isNativeHello(lineOf({ type: "ping", id: 1 })));
});

Deno.test("NATIVE_CODEC decodes hello, input and quit as the intents they are", () => {
  for (
    const message of [
      { type: "hello", version: 1, name: "ana", lang: "pt" },
      { type: "input", text: "/msg bob hi" },
      { type: "quit", reason: "bye" },
      { type: "quit" },
    ] as const
  ) {
    assertEquals(NATIVE_CODEC.decode(lineOf(message), null), message);
  }
});

Deno.test("decodeClientMessage() drops optional room fields that are not strings", () => {
  assertEquals(
    decodeClientMessage('{"type":"input","text":"hi","room":5}'),
    { type: "input", text: "hi" },
  );
  assertEquals(
    decodeClientMessage('{"type":"join","room":"#a","key":["k"]}'),
    { type: "join", room: "#a" },
  );
  assertEquals(
    decodeClientMessage('{"type":"hello","version":2,"name":"a","password":1}'),
    { type: "hello", version: 2, name: "a" },
  );
});

Deno.test("NATIVE_CODEC decodes the room requests as the commands they stand for", () => {
  const cases: ReadonlyArray<readonly [ClientMessage, Command]> = [
    [{ type: "join", room: "#a", key: "k" }, {
      kind: "join",
      room: "#a",
      key: "k",
    }],
    [{ type: "part", room: "#a", reason: "r" }, {
      kind: "part",
      room: "#a",
      reason: "r",
    }],
    [{ type: "topic", room: "#a" }, { kind: "topic", room: "#a" }],
    [{ type: "topic", room: "#a", text: "" }, {
      kind: "topic",
      room: "#a",
      text: "",
    }],
    [{ type: "rooms" }, { kind: "rooms" }],
    [{ type: "who" }, { kind: "who" }],
    [{ type: "who", room: "#a" }, { kind: "who", room: "#a" }],
    [{ type: "switch", room: "#a" }, { kind: "switch", room: "#a" }],
  ];
  for (const [message, command] of cases) {
    assertEquals(NATIVE_CODEC.decode(lineOf(message), null), {
      type: "command",
      command,
    });
  }
  assertEquals(
    NATIVE_CODEC.decode(lineOf({ type: "input", text: "x", room: "#a" }), null),
    { type: "input", text: "x", room: "#a" },
  );
});

Deno.test("NATIVE_CODEC answers a ping with a pong straight away and takes a pong as nothing", () => {
  assertEquals(NATIVE_CODEC.decode(lineOf({ type: "ping", id: 42 }), null), {
    type: "reply",
    text: encodeMessage({ type: "pong", id: 42 }),
  });
  assertEquals(
    NATIVE_CODEC.decode(lineOf({ type: "pong", id: 42 }), null),
    null,
  );
});

Deno.test("NATIVE_CODEC reports a line it cannot decode with the decoder's reason", () => {
  for (const line of ["hello", "", '{"type":"nope"}', '{"type":"input"}']) {
    let why = "";
    try {
      decodeClientMessage(line);
    } catch (error) {
      why = (error as Error).message;
    }
    assertEquals(NATIVE_CODEC.decode(line, null), { type: "bad", why });
  }
});

Deno.test("NATIVE_CODEC encodes every reader alike, as encodeMessage() does", () => {
  const message: ServerMessage = {
    type: "join",
    room: "#general",
    name: "ana",
    time: 1,
  };
  assertEquals(NATIVE_CODEC.encode(message, null), encodeMessage(message));
  assertEquals(NATIVE_CODEC.variant(message, null), "");
  assert(NATIVE_CODEC.pings);
  assert(NATIVE_CODEC.claims(lineOf({ type: "hello", version: 1, name: "a" })));
  assertFalse(NATIVE_CODEC.claims("ana"));
});

Deno.test("decodeClientMessage() reads history and search requests, keeping numeric before and limit only", () => {
  assertEquals(
    decodeClientMessage(
      '{"type":"history","room":"#general","before":123,"limit":50}',
    ),
    { type: "history", room: "#general", before: 123, limit: 50 },
  );
  assertEquals(
    decodeClientMessage(
      '{"type":"history","room":"#a","before":"9","limit":null}',
    ),
    { type: "history", room: "#a" },
  );
  assertEquals(
    decodeClientMessage(
      '{"type":"search","room":"#general","words":"lunch friday","before":7}',
    ),
    { type: "search", room: "#general", words: "lunch friday", before: 7 },
  );
  assertThrows(
    () => decodeClientMessage('{"type":"search","room":"#general"}'),
    SyntaxError,
    "it needs a string words",
  );
  assertThrows(
    () => decodeClientMessage('{"type":"history","limit":5}'),
    SyntaxError,
    "it needs a string room",
  );
  assertEquals(
    NATIVE_CODEC.decode('{"type":"history","room":"#a","limit":5}', null),
    { type: "command", command: { kind: "history", room: "#a", limit: 5 } },
  );
  assertEquals(
    NATIVE_CODEC.decode('{"type":"search","room":"#a","words":"x"}', null),
    { type: "command", command: { kind: "search", room: "#a", words: "x" } },
  );
});
