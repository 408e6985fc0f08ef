// Checks src/plain_codec.ts: encodePlain renders every server message as
// `[HH:MM]`-stamped lines in English and Portuguese, puts the prefix on each
// line of a multi-line notice, and renders ping and pong as nothing; and
// PLAIN_CODEC, which reads a line as a name until the reader has joined.

import { assert, assertEquals, assertMatch } from "@std/assert";
import {
  encodePlain,
  formatStamp,
  PLAIN_CODEC,
} from "../../src/protocol/plain_codec.ts";
import type { Reader } from "../../src/protocol/codec.ts";
import type { Lang, ServerMessage } from "../../src/protocol/messages.ts";
import { STRINGS } from "../../src/i18n/server_strings.ts";

// Times built from local fields, so the stamps hold in every time zone.
const T = new Date(2024, 4, 17, 9, 5, 30).getTime(); // [09:05]
const NOW = new Date(2024, 4, 17, 21, 47, 0).getTime(); // [21:47]
const now = () => NOW;

// The reader is in #general.
function plain(message: ServerMessage, lang: Lang = "en"): string {
  return encodePlain(message, lang, { now, room: "#general" });
}

Deno.test("formatStamp() writes local hours and minutes with two digits", () => {
  assertEquals(formatStamp(T), "[09:05]");
  assertEquals(formatStamp(NOW), "[21:47]");
  assertEquals(formatStamp(new Date(2024, 0, 1, 0, 0).getTime()), "[00:00]");
  assertEquals(
    formatStamp(new Date(2024, 0, 1, 23, 59, 59).getTime()),
    "[23:59]",
  );
});

Deno.test("encodePlain() renders a message as name: text", () => {
  const message: ServerMessage = {
    type: "message",
    room: "#general",
    from: "ana",
    text: "hello",
    time: T,
  };
  assertEquals(plain(message), "[09:05] ana: hello\n");
  assertEquals(plain(message, "pt"), "[09:05] ana: hello\n");
});

Deno.test("encodePlain() renders a /me action with a star", () => {
  const message: ServerMessage = {
    type: "message",
    room: "#general",
    from: "ana",
    text: "waves",
    time: T,
    action: true,
  };
  assertEquals(plain(message), "[09:05] * ana waves\n");
  assertEquals(plain(message, "pt"), "[09:05] * ana waves\n");
});

Deno.test("encodePlain() renders a private message with its sender and target", () => {
  const message: ServerMessage = {
    type: "private",
    from: "ana",
    to: "bob",
    text: "psst",
    time: T,
  };
  assertEquals(plain(message), "[09:05] [ana -> bob] psst\n");
  assertEquals(plain(message, "pt"), "[09:05] [ana -> bob] psst\n");
});

Deno.test("encodePlain() announces a join in each language", () => {
  const message: ServerMessage = {
    type: "join",
    room: "#general",
    name: "ana",
    time: T,
    arrived: true,
  };
  assertEquals(plain(message), "[09:05] -- ana joined the chat!\n");
  assertEquals(plain(message, "pt"), "[09:05] -- ana entrou no chat!\n");
});

Deno.test("encodePlain() announces a leave with its reason in each language", () => {
  const quit: ServerMessage = {
    type: "leave",
    name: "ana",
    reason: "quit",
    time: T,
  };
  assertEquals(plain(quit), "[09:05] -- ana left the chat! (quit)\n");
  assertEquals(
    plain(quit, "pt"),
    "[09:05] -- ana saiu do chat! (pediu para sair)\n",
  );
  const flood: ServerMessage = {
    type: "leave",
    name: "ana",
    reason: "flood",
    time: T,
  };
  assertEquals(plain(flood), "[09:05] -- ana left the chat! (flooding)\n");
  assertEquals(
    plain(flood, "pt"),
    "[09:05] -- ana saiu do chat! (excesso de mensagens)\n",
  );
});

Deno.test("encodePlain() adds the quit message to a leave", () => {
  const message: ServerMessage = {
    type: "leave",
    name: "ana",
    reason: "quit",
    detail: "see you",
    time: T,
  };
  assertEquals(
    plain(message),
    "[09:05] -- ana left the chat! (quit: see you)\n",
  );
  assertEquals(
    plain(message, "pt"),
    "[09:05] -- ana saiu do chat! (pediu para sair: see you)\n",
  );
});

Deno.test("encodePlain() announces a rename in each language", () => {
  const message: ServerMessage = {
    type: "rename",
    from: "ana",
    to: "bia",
    time: T,
  };
  assertEquals(plain(message), "[09:05] -- ana is now known as bia\n");
  assertEquals(plain(message, "pt"), "[09:05] -- ana agora se chama bia\n");
});

Deno.test("encodePlain() welcomes with the member list, stamped now", () => {
  const message: ServerMessage = {
    type: "welcome",
    name: "ana",
    room: "#general",
    members: ["bob", "ana"],
    ops: [],
    history: [],
    server: "chat",
    version: 2,
  };
  assertEquals(
    plain(message),
    "[21:47] -- Welcome, ana! Online (2): bob, ana. You are in #general; type /help for commands.\n",
  );
  assertEquals(
    plain(message, "pt"),
    "[21:47] -- Bem-vindo(a), ana! Online (2): bob, ana. Você está em #general; digite /help para ver os comandos.\n",
  );
});

Deno.test("encodePlain() follows a welcome with the history, each line at its own time", () => {
  const message: ServerMessage = {
    type: "welcome",
    name: "ana",
    room: "#general",
    members: ["bob", "ana"],
    ops: [],
    history: [
      { from: "bob", text: "anyone?", time: T },
      { from: "bob", text: "sighs", time: T + 60_000, action: true },
    ],
    server: "chat",
    version: 2,
  };
  assertEquals(
    plain(message).split("\n"),
    [
      "[21:47] -- Welcome, ana! Online (2): bob, ana. You are in #general; type /help for commands.",
      "[21:47] -- Recent messages (2):",
      "[09:05] bob: anyone?",
      "[09:06] * bob sighs",
      "",
    ],
  );
  assertEquals(
    plain(message, "pt").split("\n")[1],
    "[21:47] -- Mensagens recentes (2):",
  );
});

Deno.test("encodePlain() shows a name error as an error and asks for another name", () => {
  const message: ServerMessage = {
    type: "name_error",
    name: "ana",
    code: "taken",
    text: STRINGS.en.nameError("taken", "ana"),
  };
  assertEquals(
    plain(message),
    '[21:47] !! The name "ana" is taken. Please choose another name:\n',
  );
  assertEquals(
    plain({ ...message, text: STRINGS.pt.nameError("taken", "ana") }, "pt"),
    '[21:47] !! O nome "ana" já está em uso. Escolha outro nome:\n',
  );
});

Deno.test("encodePlain() lists members", () => {
  const message: ServerMessage = {
    type: "members",
    room: "#general",
    names: ["ana", "bob"],
    ops: [],
  };
  assertEquals(plain(message), "[21:47] -- Online (2): ana, bob\n");
  assertEquals(plain(message, "pt"), "[21:47] -- Online (2): ana, bob\n");
});

Deno.test("encodePlain() shows info and bye as notices", () => {
  assertEquals(
    plain({ type: "info", code: "x", text: "Something to know" }),
    "[21:47] -- Something to know\n",
  );
  assertEquals(
    plain({
      type: "bye",
      reason: "shutdown",
      text: STRINGS.pt.shuttingDown,
    }, "pt"),
    "[21:47] -- O servidor está encerrando. Até logo!\n",
  );
});

Deno.test("encodePlain() marks errors with !!", () => {
  assertEquals(
    plain({ type: "error", code: "slow_down", text: STRINGS.en.slowDown }),
    `[21:47] !! ${STRINGS.en.slowDown}\n`,
  );
});

for (const lang of ["en", "pt"] as const) {
  Deno.test(`encodePlain() prefixes every line of the ${lang} help`, () => {
    const help = STRINGS[lang].help;
    const out = plain({ type: "info", code: "help", text: help }, lang);
    const lines = out.split("\n");
    assertEquals(lines.pop(), "", "ends in a newline");
    assertEquals(lines.length, help.split("\n").length);
    assert(lines.length > 1);
    for (const [i, line] of lines.entries()) {
      assertEquals(line, `[21:47] -- ${help.split("\n")[i]}`);
    }
  });
}

Deno.test("encodePlain() renders ping and pong as nothing", () => {
  for (const lang of ["en", "pt"] as const) {
    assertEquals(plain({ type: "ping", id: 1 }, lang), "");
    assertEquals(plain({ type: "pong", id: 1 }, lang), "");
  }
});

Deno.test("encodePlain() uses Date.now when no clock is given", () => {
  const before = formatStamp(Date.now());
  const out = encodePlain(
    { type: "members", room: "#general", names: [], ops: [] },
    "en",
  );
  const after = formatStamp(Date.now());
  assert(
    out.startsWith(before) || out.startsWith(after),
    `${out} is not stamped now`,
  );
});

const EVERY_TYPE: ServerMessage[] = [
  {
    type: "welcome",
    name: "ana",
    room: "#general",
    members: ["ana"],
    ops: ["ana"],
    topic: { text: "hello", by: "ana", time: T },
    history: [{ from: "bob", text: "hi", time: T }],
    server: "chat",
    version: 2,
  },
  {
    type: "joined",
    room: "#games",
    members: ["ana", "bob"],
    ops: ["bob"],
    topic: { text: "gg", by: "bob", time: T },
    history: [{ from: "bob", text: "hi", time: T }],
  },
  { type: "parted", room: "#games" },
  { type: "current", room: "#games" },
  { type: "current", room: null },
  { type: "part", room: "#games", name: "ana", reason: "later", time: T },
  { type: "kick", room: "#games", name: "ana", by: "bob", time: T },
  {
    type: "mode",
    room: "#games",
    by: "bob",
    change: "+b",
    target: "x",
    time: T,
  },
  { type: "topic", room: "#games", text: "gg", by: "bob", time: T },
  {
    type: "rooms",
    rooms: [{ room: "#games", members: 2, topic: "gg", key: true }],
    total: 3,
  },
  {
    type: "name_error",
    name: "x",
    code: "empty",
    text: "A name cannot be empty",
  },
  { type: "message", room: "#general", from: "ana", text: "hi", time: T },
  { type: "private", from: "ana", to: "bob", text: "hi", time: T },
  { type: "join", room: "#games", name: "ana", time: T },
  { type: "leave", name: "ana", reason: "timeout", time: T },
  { type: "rename", from: "ana", to: "bia", time: T },
  { type: "members", room: "#games", names: ["ana", "bob"], ops: ["bob"] },
  { type: "info", code: "help", text: STRINGS.en.help },
  { type: "error", code: "x", text: "no" },
  { type: "bye", reason: "quit", text: "bye" },
];

Deno.test("encodePlain() starts every line with [HH:MM] and ends it with \\n", () => {
  for (const lang of ["en", "pt"] as const) {
    for (const message of EVERY_TYPE) {
      const out = encodePlain(message, lang, { now, room: "#general" });
      assert(out.endsWith("\n"), `${message.type}: ${out}`);
      for (const line of out.slice(0, -1).split("\n")) {
        assertMatch(line, /^\[\d\d:\d\d\] \S/, `${message.type} (${lang})`);
      }
    }
  }
});

function reader(
  joined: boolean,
  lang: Lang = "en",
  needsPassword = false,
): Reader {
  return {
    name: joined ? "ana" : "",
    lang,
    joined,
    needsPassword,
    room: joined ? "#general" : null,
  };
}

Deno.test("PLAIN_CODEC reads a line as a name until the reader has joined", () => {
  assertEquals(PLAIN_CODEC.decode("ana", reader(false)), {
    type: "hello",
    name: "ana",
  });
  assertEquals(PLAIN_CODEC.decode("/quit", reader(false)), {
    type: "hello",
    name: "/quit",
  });
  assertEquals(PLAIN_CODEC.decode("   ", reader(false)), null);
});

Deno.test("PLAIN_CODEC reads every line of a member as input, blank ones too", () => {
  for (const line of ["hi", "/who", "", "  "]) {
    assertEquals(PLAIN_CODEC.decode(line, reader(true)), {
      type: "input",
      text: line,
    });
  }
});

Deno.test("PLAIN_CODEC encodes in the reader's language, one variant per language", () => {
  const message: ServerMessage = {
    type: "join",
    room: "#general",
    name: "bob",
    time: T,
  };
  for (const lang of ["en", "pt"] as const) {
    const state = PLAIN_CODEC.open(reader(true, lang));
    assertEquals(
      PLAIN_CODEC.encode(message, state),
      encodePlain(message, lang, { room: "#general" }),
    );
    assertEquals(PLAIN_CODEC.variant(message, state), lang);
  }
  assertEquals(PLAIN_CODEC.pings, false);
  assert(PLAIN_CODEC.claims("anything at all"));
});

// --- Rooms -------------------------------------------------------------------

Deno.test("encodePlain() marks a line of another room with [#room], not one of the current room", () => {
  const message: ServerMessage = {
    type: "message",
    room: "#games",
    from: "ana",
    text: "gg",
    time: T,
  };
  assertEquals(plain(message), "[09:05] [#games] ana: gg\n");
  assertEquals(
    encodePlain(message, "en", { now, room: "#games" }),
    "[09:05] ana: gg\n",
  );
  assertEquals(
    plain({ ...message, action: true }),
    "[09:05] [#games] * ana gg\n",
  );
  assertEquals(
    encodePlain(message, "en", { now }),
    "[09:05] ana: gg\n",
    "without a room, nothing is marked",
  );
});

Deno.test("encodePlain() marks a room notice of another room after its time", () => {
  const join: ServerMessage = {
    type: "join",
    room: "#games",
    name: "bob",
    time: T,
  };
  assertEquals(plain(join), "[09:05] [#games] -- bob joined #games\n");
  assertEquals(
    encodePlain(join, "pt", { now, room: "#games" }),
    "[09:05] -- bob entrou em #games\n",
  );
  assertEquals(
    plain({
      type: "part",
      room: "#general",
      name: "bob",
      reason: "bbl",
      time: T,
    }),
    "[09:05] -- bob left #general (bbl)\n",
  );
});

Deno.test("encodePlain() tells kicks, modes and topics in words, never a key", () => {
  const room = "#general";
  assertEquals(
    plain({
      type: "kick",
      room,
      name: "bob",
      by: "ana",
      reason: "spam",
      time: T,
    }),
    "[09:05] -- bob was kicked from #general by ana (spam)\n",
  );
  assertEquals(
    plain({
      type: "mode",
      room,
      by: "ana",
      change: "+o",
      target: "bob",
      time: T,
    }),
    "[09:05] -- ana made bob an operator of #general\n",
  );
  assertEquals(
    plain({ type: "mode", room, by: "ana", change: "+k", time: T }),
    "[09:05] -- ana set a key on #general: joining it needs the key\n",
  );
  assertEquals(
    plain({
      type: "mode",
      room,
      by: "ana",
      change: "+b",
      target: "eve",
      time: T,
    }),
    "[09:05] -- ana banned eve from #general\n",
  );
  assertEquals(
    plain({ type: "topic", room, text: "lunch at 1", by: "ana", time: T }),
    "[09:05] -- ana set the topic of #general: lunch at 1\n",
  );
  assertEquals(
    plain({ type: "topic", room, text: "", by: "ana", time: T }),
    "[09:05] -- ana cleared the topic of #general\n",
  );
  assertEquals(
    plain({
      type: "topic",
      room,
      text: "lunch at 1",
      by: "ana",
      time: T,
      asked: true,
    }),
    "[21:47] -- Topic of #general: lunch at 1 (set by ana)\n",
  );
});

Deno.test("encodePlain() shows a join of yours with who is there, operators marked, the topic and the history", () => {
  assertEquals(
    plain({
      type: "joined",
      room: "#games",
      members: ["bob", "ana"],
      ops: ["bob"],
      topic: { text: "gg", by: "bob", time: T },
      history: [{ from: "bob", text: "hi", time: T }],
    }).split("\n"),
    [
      "[21:47] -- You joined #games. Online (2): @bob, ana.",
      "[21:47] -- Topic of #games: gg (set by bob)",
      "[21:47] -- Recent messages (1):",
      "[09:05] bob: hi",
      "",
    ],
  );
  assertEquals(
    plain({ type: "current", room: "#games" }),
    "[21:47] -- You are now in #games: what you type goes there\n",
  );
  assertEquals(
    plain({ type: "parted", room: "#games" }),
    "[21:47] -- You left #games\n",
  );
});

Deno.test("encodePlain() lists rooms with their members, keys and topics", () => {
  assertEquals(
    plain({
      type: "rooms",
      rooms: [
        { room: "#general", members: 3 },
        { room: "#games", members: 1, topic: "gg", key: true },
      ],
      total: 2,
    }).split("\n"),
    [
      "[21:47] -- Rooms (2):",
      "[21:47] --   #general (3)",
      "[21:47] --   #games (1) (key): gg",
      "",
    ],
  );
});

Deno.test("PLAIN_CODEC reads the first line as the password when the server asks for one", () => {
  assertEquals(PLAIN_CODEC.decode("s3cret", reader(false, "en", true)), {
    type: "password",
    password: "s3cret",
  });
  assertEquals(PLAIN_CODEC.decode("  ", reader(false, "en", true)), null);
});

Deno.test("PLAIN_CODEC gives readers in a room and readers elsewhere their own variant", () => {
  const message: ServerMessage = {
    type: "message",
    room: "#games",
    from: "ana",
    text: "gg",
    time: T,
  };
  const inside = { ...reader(true), room: "#games" };
  const outside = reader(true);
  assert(
    PLAIN_CODEC.variant(message, inside) !==
      PLAIN_CODEC.variant(message, outside),
  );
  assertEquals(
    PLAIN_CODEC.encode(message, inside),
    `${formatStamp(T)} ana: gg\n`,
  );
  assertEquals(
    PLAIN_CODEC.encode(message, outside),
    `${formatStamp(T)} [#games] ana: gg\n`,
  );
});

Deno.test("encodePlain() dates replayed lines not from today, under the header", () => {
  const yesterday = T - 86_400_000;
  const text = encodePlain(
    {
      type: "joined",
      room: "#games",
      members: ["ana"],
      ops: [],
      history: [
        { from: "bob", text: "old", time: yesterday, id: 1 },
        { from: "bob", text: "new", time: T, id: 2 },
      ],
    },
    "en",
    { now },
  );
  assertEquals(text.split("\n").slice(1, 4), [
    `[21:47] -- ${STRINGS.en.historyHeader(2)}`,
    "[2024-05-16 09:05] bob: old",
    "[09:05] bob: new",
  ]);
});

Deno.test("encodePlain() shows history and search answers with a header, dates, and how to see more", () => {
  const old = new Date(2023, 11, 31, 23, 59).getTime();
  assertEquals(
    encodePlain(
      {
        type: "history",
        room: "#general",
        lines: [{ from: "ana", text: "happy new year", time: old, id: 4 }],
        more: true,
      },
      "en",
      { now },
    ),
    [
      `[21:47] -- ${STRINGS.en.olderHeader("#general", 1)}`,
      "[2023-12-31 23:59] ana: happy new year",
      `[21:47] -- ${STRINGS.en.moreHistory}`,
      "",
    ].join("\n"),
  );
  assertEquals(
    encodePlain(
      {
        type: "history",
        room: "#general",
        lines: [],
        more: false,
      },
      "pt",
      { now },
    ),
    `[21:47] -- ${STRINGS.pt.noOlder("#general")}\n`,
  );
  assertEquals(
    encodePlain(
      {
        type: "search",
        room: "#general",
        words: "lunch",
        lines: [{ from: "bob", text: "lunch?", time: T, action: true, id: 9 }],
        more: false,
      },
      "en",
      { now },
    ),
    [
      `[21:47] -- ${STRINGS.en.searchHeader("#general", "lunch", 1)}`,
      "[09:05] * bob lunch?",
      "",
    ].join("\n"),
  );
  assertEquals(
    encodePlain(
      {
        type: "search",
        room: "#general",
        words: "zebra",
        lines: [],
        more: false,
      },
      "en",
      { now },
    ),
    `[21:47] -- ${STRINGS.en.searchNone("#general", "zebra")}\n`,
  );
});
