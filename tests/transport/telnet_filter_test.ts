// Checks src/transport/telnet_filter.ts: each kind of telnet command is taken
// out of the text, options are refused once each, a refusal is never
// answered; and, with fast-check, that any bytes at all never throw, that a
// stream of text and commands split anywhere yields exactly its text, and
// that text without 0xFF passes unchanged.

import { assertEquals, assertStrictEquals } from "@std/assert";
import fc from "fast-check";
import { IAC, TelnetFilter } from "../../src/transport/telnet_filter.ts";

const [SE, NOP, IP, AYT, SB, WILL, WONT, DO, DONT] = [
  240,
  241,
  244,
  246,
  250,
  251,
  252,
  253,
  254,
];
const [ECHO, SGA, NAWS] = [1, 3, 31];
const RUNS = { numRuns: 500 };

/** A filter and every reply it made. */
function filter(): { filter: TelnetFilter; replies: number[][] } {
  const replies: number[][] = [];
  return {
    filter: new TelnetFilter({ onReply: (bytes) => replies.push([...bytes]) }),
    replies,
  };
}

function run(telnet: TelnetFilter, ...chunks: number[][]): number[] {
  return chunks.flatMap((chunk) => [...telnet.filter(new Uint8Array(chunk))]);
}

const text = (s: string) => [...new TextEncoder().encode(s)];

Deno.test("TelnetFilter passes a chunk without IAC through as it is", () => {
  const { filter: telnet, replies } = filter();
  const chunk = new Uint8Array(text("ana\r\n"));
  assertStrictEquals(telnet.filter(chunk), chunk);
  assertEquals(replies, []);
});

Deno.test("TelnetFilter refuses DO with WONT and WILL with DONT, once per option", () => {
  const { filter: telnet, replies } = filter();
  assertEquals(
    run(telnet, [IAC, DO, ECHO, IAC, WILL, NAWS, ...text("a")]),
    text("a"),
  );
  assertEquals(replies, [[IAC, WONT, ECHO, IAC, DONT, NAWS]]);
  // Asked again: already refused, not answered again.
  assertEquals(run(telnet, [IAC, DO, ECHO, IAC, WILL, NAWS]), []);
  // The other direction of the same option is its own question.
  assertEquals(run(telnet, [IAC, WILL, ECHO]), []);
  assertEquals(replies.at(-1), [IAC, DONT, ECHO]);
  assertEquals(replies.length, 2);
});

Deno.test("TelnetFilter never answers WONT or DONT", () => {
  const { filter: telnet, replies } = filter();
  assertEquals(run(telnet, [IAC, WONT, ECHO, IAC, DONT, SGA]), []);
  assertEquals(replies, []);
});

Deno.test("TelnetFilter drops two-byte commands and subnegotiations", () => {
  const { filter: telnet, replies } = filter();
  assertEquals(
    run(telnet, [
      ...text("a"),
      IAC,
      NOP,
      ...text("b"),
      IAC,
      IP,
      IAC,
      AYT,
      IAC,
      SB,
      NAWS,
      0,
      80,
      IAC,
      IAC,
      0,
      24,
      IAC,
      SE,
      ...text("c"),
    ]),
    text("abc"),
  );
  assertEquals(replies, []);
});

Deno.test("TelnetFilter reads IAC IAC as one 0xFF byte", () => {
  const { filter: telnet } = filter();
  assertEquals(run(telnet, [0x61, IAC, IAC, 0x62]), [0x61, 0xff, 0x62]);
});

Deno.test("TelnetFilter keeps an IAC that starts no command, and the byte after it", () => {
  const { filter: telnet } = filter();
  // Not telnet but invalid UTF-8, as it was: the line splitter makes the
  // 0xFF a U+FFFD.
  assertEquals(run(telnet, [0x61, IAC, 0x0a, 0x62]), [0x61, IAC, 0x0a, 0x62]);
  assertEquals(run(telnet, [IAC], [0x75]), [IAC, 0x75]);
});

Deno.test("TelnetFilter follows a command split across chunks", () => {
  const { filter: telnet, replies } = filter();
  assertEquals(
    run(telnet, [0x61, IAC], [DO], [ECHO, 0x62, IAC, SB], [1, IAC], [SE]),
    [0x61, 0x62],
  );
  assertEquals(replies, [[IAC, WONT, ECHO]]);
});

Deno.test("TelnetFilter without onReply ignores the negotiation", () => {
  const telnet = new TelnetFilter();
  assertEquals(run(telnet, [IAC, DO, ECHO, ...text("x")]), text("x"));
});

/** Bytes without 0xFF: text a telnet client sends as it is. */
const plainBytes = fc.array(fc.integer({ min: 0, max: 0xfe }), {
  maxLength: 40,
});

/** Bytes of a stream, and the text in them. */
interface Part {
  bytes: number[];
  text: number[];
}

/**
 * One telnet command, and the text it stands for (IAC IAC is 0xFF), or an
 * IAC that starts none.
 */
const command: fc.Arbitrary<Part> = fc.oneof(
  fc.constant<Part>({ bytes: [IAC, IAC], text: [0xff] }),
  // No command: not telnet, kept.
  fc.integer({ min: 0, max: SE - 1 }).map((byte) => ({
    bytes: [IAC, byte],
    text: [IAC, byte],
  })),
  fc.tuple(
    fc.constantFrom(WILL, WONT, DO, DONT),
    fc.integer({ min: 0, max: 255 }),
  )
    .map(([verb, option]) => ({ bytes: [IAC, verb, option], text: [] })),
  fc.integer({ min: SE, max: 249 }).map((verb) => ({
    bytes: [IAC, verb],
    text: [],
  })),
  fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 20 }).map(
    (data) => ({
      // Inside a subnegotiation a 0xFF is doubled.
      bytes: [
        IAC,
        SB,
        ...data.flatMap((b) => b === IAC ? [IAC, IAC] : [b]),
        IAC,
        SE,
      ],
      text: [],
    }),
  ),
);

/** A stream of text and commands. */
const stream = fc.array(
  fc.oneof(plainBytes.map((bytes) => ({ bytes, text: bytes })), command),
  { maxLength: 20 },
).map((parts) => ({
  bytes: parts.flatMap((part) => part.bytes),
  text: parts.flatMap((part) => part.text),
}));

/** Splits bytes into chunks at the given cut points. */
function chunked(bytes: number[], cuts: number[]): number[][] {
  const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))]
    .sort((a, b) => a - b);
  const chunks: number[][] = [];
  let start = 0;
  for (const point of [...points, bytes.length]) {
    chunks.push(bytes.slice(start, point));
    start = point;
  }
  return chunks;
}

const cuts = fc.array(fc.nat(), { maxLength: 8 });

Deno.test("TelnetFilter never throws, and never returns more than it read, on any bytes", () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 200 }),
      cuts,
      (bytes, at) => {
        const { filter: telnet, replies } = filter();
        const out = run(telnet, ...chunked(bytes, at));
        if (out.length > bytes.length) throw new Error("more out than in");
        // Every reply is a refusal, of a distinct question.
        const answers = replies.flat();
        const seen = new Set<string>();
        for (let i = 0; i < answers.length; i += 3) {
          assertEquals(answers[i], IAC);
          const verb = answers[i + 1]!;
          if (verb !== WONT && verb !== DONT) throw new Error(`${verb}`);
          const key = `${verb} ${answers[i + 2]}`;
          if (seen.has(key)) throw new Error(`answered twice: ${key}`);
          seen.add(key);
        }
      },
    ),
    RUNS,
  );
});

Deno.test("TelnetFilter yields exactly the text of a stream of text and commands, split anywhere", () => {
  fc.assert(
    fc.property(stream, cuts, ({ bytes, text }, at) => {
      assertEquals(run(new TelnetFilter(), ...chunked(bytes, at)), text);
    }),
    RUNS,
  );
});

Deno.test("TelnetFilter passes text without 0xFF unchanged, split anywhere, and answers nothing", () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: 0xfe }), { maxLength: 200 }),
      cuts,
      (bytes, at) => {
        const { filter: telnet, replies } = filter();
        assertEquals(run(telnet, ...chunked(bytes, at)), bytes);
        assertEquals(replies, []);
      },
    ),
    RUNS,
  );
});

Deno.test("TelnetFilter passes any UTF-8 text unchanged: it never holds a 0xFF", () => {
  fc.assert(
    fc.property(fc.string({ unit: "binary", maxLength: 80 }), (s) => {
      const bytes = new TextEncoder().encode(s);
      assertStrictEquals(new TelnetFilter().filter(bytes), bytes);
    }),
    RUNS,
  );
});
