import {
  assert,
  assertEquals,
  assertFalse,
  assertNotEquals,
  assertStringIncludes,
} from "@std/assert";
import { stripAnsiCode } from "@std/fmt/colors";
import {
  formatClock,
  mentions,
  nameColorIndex,
  renderMessage,
  type RenderOptions,
  renderOwnMessage,
} from "../../src/client/render.ts";
import type { ServerMessage } from "../../src/protocol/messages.ts";
import { STRINGS } from "../../src/i18n/server_strings.ts";

const PLAIN: RenderOptions = {
  me: "ana",
  now: 0,
  formatTime: () => "12:34",
};

function text(message: ServerMessage, options: RenderOptions = PLAIN): string {
  const rendered = renderMessage(message, options);
  assert(rendered !== undefined);
  return rendered.text;
}

// Any escape sequence or control character other than the line break.
// deno-lint-ignore no-control-regex
const CONTROL = /[\x00-\x09\x0b-\x1f\x7f-\x9f]/;

// @std/fmt/colors cannot be turned on under NO_COLOR (its setColorEnabled()
// does nothing then, whatever `color: true` asks): those tests are reported
// as ignored there, never passed. CI runs without NO_COLOR, so they run
// there (workflows_test.ts checks that ci.yml does not set it).
const COLOR_OFF = Deno.noColor;

Deno.test("renderMessage() shows a public message with its time and sender", () => {
  assertEquals(
    renderMessage(
      {
        type: "message",
        room: "#general",
        from: "bob",
        text: "hello",
        time: 0,
      },
      PLAIN,
    ),
    { text: "[12:34] bob: hello", alert: false },
  );
});

Deno.test("renderMessage() shows a /me action with a star", () => {
  assertEquals(
    text({
      type: "message",
      room: "#general",
      from: "bob",
      text: "waves",
      time: 0,
      action: true,
    }),
    "[12:34] * bob waves",
  );
});

Deno.test("renderMessage() formats the message's own time in local HH:MM", () => {
  const time = new Date(2024, 0, 2, 7, 5).getTime();
  const { formatTime: _, ...options } = PLAIN;
  assertEquals(
    text(
      { type: "message", room: "#general", from: "bob", text: "hi", time },
      options,
    ),
    "[07:05] bob: hi",
  );
});

Deno.test("formatClock() pads hours and minutes to two digits", () => {
  assertEquals(formatClock(new Date(2024, 5, 1, 0, 0).getTime()), "00:00");
  assertEquals(formatClock(new Date(2024, 5, 1, 23, 59).getTime()), "23:59");
});

Deno.test("renderMessage() alerts when a message mentions your name", () => {
  const rendered = renderMessage(
    {
      type: "message",
      room: "#general",
      from: "bob",
      text: "ANA, look!",
      time: 0,
    },
    PLAIN,
  );
  assertEquals(rendered, { text: "[12:34] bob: ANA, look!", alert: true });
});

Deno.test({
  name: "renderMessage() highlights the mention in colour",
  ignore: COLOR_OFF,
}, () => {
  const rendered = renderMessage(
    {
      type: "message",
      room: "#general",
      from: "bob",
      text: "hi ana!",
      time: 0,
    },
    { ...PLAIN, color: true },
  );
  assert(rendered !== undefined);
  // inverse + bold around the name only
  assertStringIncludes(rendered.text, "\x1b[7m\x1b[1mana\x1b[22m\x1b[27m");
  assertEquals(stripAnsiCode(rendered.text), "[12:34] bob: hi ana!");
});

Deno.test("mentions() matches whole words only, ignoring case", () => {
  assert(mentions("ana", "ana"));
  assert(mentions("hey Ana.", "ana"));
  assert(mentions("@ana: hi", "ana"));
  assert(mentions("olá, JOÃO", "joão"));
  assert(mentions("ping a.b now", "a.b"));
  assertFalse(mentions("banana", "ana"));
  assertFalse(mentions("ana_b", "ana"));
  assertFalse(mentions("anas", "ana"));
  assertFalse(mentions("joãozinho", "joão"));
  assertFalse(mentions("axb", "a.b"), "a dot in a name is not a wildcard");
  assertFalse(mentions("anything", ""));
});

Deno.test("renderMessage() does not alert on messages from history", () => {
  const rendered = renderMessage({
    type: "welcome",
    name: "ana",
    room: "#general",
    ops: [],
    members: ["ana", "bob"],
    history: [{ from: "bob", text: "where is ana?", time: 0 }],
    server: "chat",
    version: 2,
  }, PLAIN);
  assertEquals(rendered?.alert, false);
});

Deno.test("renderMessage() shows history under a header, then the welcome", () => {
  assertEquals(
    text({
      type: "welcome",
      name: "ana",
      room: "#general",
      ops: [],
      members: ["ana", "bob"],
      history: [
        { from: "bob", text: "first", time: 0 },
        { from: "cid", text: "waves", time: 0, action: true },
      ],
      server: "chat",
      version: 2,
    }),
    [
      `[12:34] -- ${STRINGS.en.historyHeader(2)}`,
      "[12:34] bob: first",
      "[12:34] * cid waves",
      `[12:34] -- ${STRINGS.en.historyEnd}`,
      "[12:34] -- Welcome, ana! Online (2): ana, bob. You are in #general; type /help for commands.",
    ].join("\n"),
  );
});

Deno.test({
  name: "renderMessage() dims history lines in colour",
  ignore: COLOR_OFF,
}, () => {
  const shown = text({
    type: "welcome",
    name: "ana",
    room: "#general",
    ops: [],
    members: ["ana"],
    history: [{ from: "bob", text: "old", time: 0 }],
    server: "chat",
    version: 2,
  }, { ...PLAIN, color: true });
  const historyLine = shown.split("\n")[1]!;
  assert(historyLine.startsWith("\x1b[2m"), JSON.stringify(historyLine));
});

Deno.test("renderMessage() omits the history header when there is none", () => {
  assertEquals(
    text({
      type: "welcome",
      name: "ana",
      room: "#general",
      ops: [],
      members: ["ana"],
      history: [],
      server: "chat",
      version: 2,
    }),
    "[12:34] -- Welcome, ana! Online (1): ana. You are in #general; type /help for commands.",
  );
});

Deno.test("renderMessage() marks private messages, received and sent", () => {
  assertEquals(
    renderMessage(
      { type: "private", from: "bob", to: "ana", text: "psst", time: 0 },
      PLAIN,
    ),
    { text: "[12:34] (private) bob: psst", alert: true },
  );
  assertEquals(
    renderMessage(
      { type: "private", from: "ana", to: "bob", text: "hi", time: 0 },
      PLAIN,
    ),
    { text: "[12:34] (private to bob): hi", alert: false },
  );
});

Deno.test({
  name: "renderMessage() shows private messages in magenta",
  ignore: COLOR_OFF,
}, () => {
  const shown = text(
    { type: "private", from: "bob", to: "ana", text: "psst", time: 0 },
    { ...PLAIN, color: true },
  );
  assertStringIncludes(shown, "\x1b[35m");
});

Deno.test("renderMessage() words notices in the user's language", () => {
  assertEquals(
    text({
      type: "join",
      room: "#general",
      name: "bob",
      time: 0,
      arrived: true,
    }),
    "[12:34] -- bob joined the chat!",
  );
  assertEquals(
    text({
      type: "join",
      room: "#general",
      name: "bob",
      time: 0,
      arrived: true,
    }, { ...PLAIN, lang: "pt" }),
    "[12:34] -- bob entrou no chat!",
  );
  assertEquals(
    text({ type: "leave", name: "bob", reason: "quit", time: 0 }),
    "[12:34] -- bob left the chat! (quit)",
  );
  assertEquals(
    text({
      type: "leave",
      name: "bob",
      reason: "quit",
      detail: "lunch",
      time: 0,
    }),
    "[12:34] -- bob left the chat! (quit: lunch)",
  );
  assertEquals(
    text({ type: "rename", from: "bob", to: "rob", time: 0 }),
    "[12:34] -- bob is now known as rob",
  );
  assertEquals(
    text({ type: "members", room: "#general", names: ["ana", "bob"], ops: [] }),
    "[12:34] -- Online (2): ana, bob",
  );
});

Deno.test({
  name: "renderMessage() shows notices in yellow and errors in red",
  ignore: COLOR_OFF,
}, () => {
  const colour = { ...PLAIN, color: true };
  assertStringIncludes(
    text({
      type: "join",
      room: "#general",
      name: "bob",
      time: 0,
      arrived: true,
    }, colour),
    "\x1b[33m-- ",
  );
  assertStringIncludes(
    text({ type: "error", code: "x", text: "no" }, colour),
    "\x1b[31m! no",
  );
});

Deno.test("renderMessage() puts a timestamp on every line of a multi-line info", () => {
  assertEquals(
    text({ type: "info", code: "help", text: "Commands:\n  /who  who" }),
    "[12:34] Commands:\n[12:34]   /who  who",
  );
});

Deno.test("renderMessage() shows errors and refused names with a mark", () => {
  assertEquals(
    text({ type: "error", code: "unknown_command", text: "Unknown command" }),
    "[12:34] ! Unknown command",
  );
  assertEquals(
    text({
      type: "name_error",
      name: "bob",
      code: "taken",
      text: 'The name "bob" is taken',
    }),
    '[12:34] ! The name "bob" is taken',
  );
});

Deno.test("renderMessage() shows nothing for ping and pong", () => {
  assertEquals(renderMessage({ type: "ping", id: 1 }, PLAIN), undefined);
  assertEquals(renderMessage({ type: "pong", id: 1 }, PLAIN), undefined);
});

Deno.test("renderMessage() without colour prints no escape code at all", () => {
  const messages: ServerMessage[] = [
    { type: "message", room: "#general", from: "bob", text: "hi ana", time: 0 },
    { type: "private", from: "bob", to: "ana", text: "x", time: 0 },
    { type: "join", room: "#general", name: "bob", time: 0, arrived: true },
    { type: "error", code: "x", text: "bad" },
    { type: "info", code: "x", text: "a\nb" },
    {
      type: "welcome",
      name: "ana",
      room: "#general",
      ops: [],
      members: ["ana"],
      history: [{ from: "bob", text: "x", time: 0 }],
      server: "chat",
      version: 2,
    },
  ];
  for (const message of messages) {
    const shown = text(message, { ...PLAIN, color: false });
    assertFalse(CONTROL.test(shown), JSON.stringify(shown));
  }
  assertFalse(
    CONTROL.test(renderOwnMessage("hi", { ...PLAIN, color: false })),
  );
});

Deno.test("renderMessage() sanitises every string the server sends", () => {
  const evil = "\x1b[2J\x1b]0;pwned\x07x\r\x9b31m";
  const messages: ServerMessage[] = [
    { type: "message", room: "#general", from: evil, text: evil, time: 0 },
    { type: "private", from: evil, to: "ana", text: evil, time: 0 },
    { type: "join", room: "#general", name: evil, time: 0, arrived: true },
    { type: "leave", name: evil, reason: "quit", detail: evil, time: 0 },
    { type: "rename", from: evil, to: evil, time: 0 },
    { type: "members", room: "#general", names: [evil], ops: [] },
    { type: "info", code: "x", text: `${evil}\n${evil}` },
    { type: "error", code: "x", text: evil },
    { type: "bye", reason: "shutdown", text: evil },
    { type: "name_error", name: evil, code: "taken", text: evil },
    {
      type: "welcome",
      name: evil,
      room: "#general",
      ops: [],
      members: [evil],
      history: [{ from: evil, text: evil, time: 0 }],
      server: evil,
      version: 2,
    },
  ];
  for (const message of messages) {
    const shown = text(message);
    assertFalse(
      CONTROL.test(shown),
      `${message.type}: ${JSON.stringify(shown)}`,
    );
    assertStringIncludes(shown, "x");
  }
});

Deno.test("renderMessage() survives a server that leaves out lists", () => {
  const broken = {
    type: "welcome",
    name: "ana",
    server: "chat",
    version: 2,
  } as unknown as ServerMessage;
  assertEquals(
    text(broken),
    "[12:34] -- Welcome, ana! Online (0): . Type /help for commands.",
  );
});

Deno.test("renderMessage() leaves the colour setting as it found it", async () => {
  const { getColorEnabled, setColorEnabled } = await import("@std/fmt/colors");
  const before = getColorEnabled();
  try {
    setColorEnabled(false);
    text({
      type: "join",
      room: "#general",
      name: "bob",
      time: 0,
      arrived: true,
    }, { ...PLAIN, color: true });
    assertFalse(getColorEnabled());
  } finally {
    setColorEnabled(before);
  }
});

Deno.test("nameColorIndex() gives each name a stable colour of eight", () => {
  const names = ["ana", "bob", "cid", "dora", "eve", "fred", "gil", "hugo"];
  const indexes = names.map(nameColorIndex);
  for (const index of indexes) assert(index >= 0 && index < 8);
  assertEquals(names.map(nameColorIndex), indexes, "stable");
  assertEquals(nameColorIndex("BOB"), nameColorIndex("bob"));
  assert(new Set(indexes).size >= 4, "names spread over the palette");
});

Deno.test({
  name: "renderMessage() colours a name the same way every time",
  ignore: COLOR_OFF,
}, () => {
  const colour = { ...PLAIN, color: true };
  const first = text(
    { type: "message", room: "#general", from: "bob", text: "1", time: 0 },
    colour,
  );
  const second = text(
    { type: "message", room: "#general", from: "bob", text: "2", time: 0 },
    colour,
  );
  assertEquals(first.split("bob")[0], second.split("bob")[0]);
  assertStringIncludes(first, "[12:34] \x1b[");
  assertStringIncludes(first, "mbob\x1b[39m: 1");
});

Deno.test({
  name: "renderOwnMessage() marks your own lines in bold without a colour",
  ignore: COLOR_OFF,
}, () => {
  const shown = renderOwnMessage("hello", { ...PLAIN, color: true });
  assertEquals(shown, "[12:34] \x1b[1mana\x1b[22m: hello");
  assertNotEquals(
    shown,
    text({
      type: "message",
      room: "#general",
      from: "bob",
      text: "hello",
      time: 0,
    }, {
      ...PLAIN,
      color: true,
    }).replace("bob", "ana"),
  );
});

Deno.test({
  name: "renderOwnMessage() does not highlight your own name",
  ignore: COLOR_OFF,
}, () => {
  assertEquals(
    renderOwnMessage("I am ana", { ...PLAIN, color: true }),
    "[12:34] \x1b[1mana\x1b[22m: I am ana",
  );
});

const FSI = "\u2068";
const PDI = "\u2069";

Deno.test("renderMessage() isolates a right-to-left name and text, so the line keeps its order", () => {
  // محمد sends "שלום עולם 123 hello": the name stays before the colon and
  // the text after it, each in its own direction.
  assertEquals(
    text({
      type: "message",
      room: "#general",
      from: "محمد",
      text: "שלום עולם 123 hello",
      time: 0,
    }),
    `[12:34] ${FSI}محمد${PDI}: ${FSI}שלום עולם 123 hello${PDI}`,
  );
  assertEquals(
    text({
      type: "message",
      room: "#general",
      from: "محمد",
      text: "/me",
      time: 0,
      action: true,
    }),
    `[12:34] * ${FSI}محمد${PDI} /me`,
  );
  assertEquals(
    text({ type: "private", from: "דוד", to: "ana", text: "היי", time: 0 }),
    `[12:34] (private) ${FSI}דוד${PDI}: ${FSI}היי${PDI}`,
  );
  assertEquals(
    text({
      type: "join",
      room: "#general",
      name: "محمد",
      time: 0,
      arrived: true,
    }),
    `[12:34] -- ${FSI}محمد${PDI} joined the chat!`,
  );
  assertEquals(
    text({
      type: "members",
      room: "#general",
      names: ["ana", "محمد"],
      ops: [],
    }),
    `[12:34] -- Online (2): ana, ${FSI}محمد${PDI}`,
  );
});

Deno.test("renderMessage() keeps left-to-right lines free of isolates", () => {
  assertEquals(
    text({
      type: "message",
      room: "#general",
      from: "bob",
      text: "olá 123",
      time: 0,
    }),
    "[12:34] bob: olá 123",
  );
});

Deno.test("renderMessage() strips bidi overrides and embeddings the server sends, keeping its own isolates", () => {
  // RLO, LRO, RLE, LRE, PDF, and stray isolates trying to unbalance ours.
  const shown = text({
    type: "message",
    room: "#general",
    from: "\u202eمحمد",
    text: "\u202dשלום\u202b\u202a\u202c\u2069 \u2066x\u2067",
    time: 0,
  });
  assertEquals(shown, `[12:34] ${FSI}محمد${PDI}: ${FSI}שלום x${PDI}`);
  assertFalse(/[\u202a-\u202e\u2066\u2067]/.test(shown));
});

Deno.test("renderMessage() wraps a long message under its text", () => {
  const rendered = text(
    {
      type: "message",
      room: "#general",
      from: "bob",
      text: "the quick brown fox jumps over the lazy dog again and again",
      time: 0,
    },
    { ...PLAIN, width: 30 },
  );
  assertEquals(rendered.split("\n"), [
    "[12:34] bob: the quick brown",
    "             fox jumps over",
    "             the lazy dog",
    "             again and again",
  ]);
});

Deno.test("renderMessage() wraps notices, private messages and history lines under their text", () => {
  const options = { ...PLAIN, width: 28 };
  assertEquals(
    text({
      type: "private",
      from: "bob",
      to: "ana",
      text: "one two three four five six seven",
      time: 0,
    }, { ...options, width: 48 }).split("\n"),
    [
      "[12:34] (private) bob: one two three four five",
      "                       six seven",
    ],
  );
  // On a narrow terminal the indent takes at most half the row.
  assertEquals(
    text({
      type: "private",
      from: "bob",
      to: "ana",
      text: "one two three",
      time: 0,
    }, options).split("\n"),
    ["[12:34] (private) bob: one", "              two three"],
  );
  assertEquals(
    text(
      { type: "error", code: "x", text: "this did not work at all" },
      options,
    )
      .split("\n"),
    ["[12:34] ! this did not work", "          at all"],
  );
  const welcome = text({
    type: "welcome",
    name: "ana",
    room: "#general",
    ops: [],
    members: ["ana"],
    history: [{ from: "carla", text: "said this a while ago", time: 0 }],
    server: "chat",
    version: 2,
  }, options).split("\n");
  const at = welcome.findIndex((row) => row.includes("carla"));
  assertEquals(welcome.slice(at, at + 2), [
    "[12:34] carla: said this a",
    "              while ago",
  ]);
});

Deno.test("renderMessage() breaks a word wider than a row by grapheme, never inside an emoji", () => {
  const rendered = text(
    {
      type: "message",
      room: "#general",
      from: "bob",
      text: "👍🏽".repeat(12),
      time: 0,
    },
    { ...PLAIN, width: 24 },
  );
  const rows = rendered.split("\n");
  assertEquals(rows[0], "[12:34] bob: " + "👍🏽".repeat(5));
  assertEquals(rows[1], " ".repeat(12) + "👍🏽".repeat(6));
  assertEquals(rows[2], " ".repeat(12) + "👍🏽");
});

Deno.test({
  name: "renderMessage() closes colours at the end of each wrapped row",
  ignore: COLOR_OFF,
  fn() {
    const rendered = text(
      {
        type: "message",
        room: "#general",
        from: "bob",
        text: "hey ana, look at this now",
        time: 0,
      },
      { ...PLAIN, color: true, width: 30 },
    );
    const rows = rendered.split("\n");
    assertEquals(rows.length, 2);
    assertEquals(stripAnsiCode(rows[0]!), "[12:34] bob: hey ana, look at");
    assertEquals(stripAnsiCode(rows[1]!), "             this now");
    // The indent is plain spaces: no colour or inverse before the text.
    assert(rows[1]!.startsWith("             "), JSON.stringify(rows[1]));
    assert(rows[0]!.endsWith("\x1b[0m"), JSON.stringify(rows[0]));
  },
});

Deno.test("renderMessage() tags every room event of a room other than the current one, and none of the current one", () => {
  const events = (room: string): ServerMessage[] => [
    { type: "message", room, from: "bob", text: "hi", time: 0 },
    {
      type: "message",
      room,
      from: "bob",
      text: "waves",
      time: 0,
      action: true,
    },
    { type: "join", room, name: "bob", time: 0 },
    { type: "part", room, name: "bob", reason: "bye", time: 0 },
    { type: "kick", room, name: "cid", by: "bob", time: 0 },
    { type: "topic", room, text: "plans", by: "bob", time: 0 },
    { type: "mode", room, by: "bob", change: "+o", target: "cid", time: 0 },
    { type: "mode", room, by: "bob", change: "+k", time: 0 },
    { type: "members", room, names: ["bob"], ops: [] },
  ];
  const options = { ...PLAIN, room: "#general" };
  for (const message of events("#ops")) {
    assert(
      text(message, options).startsWith("[12:34] [#ops] "),
      JSON.stringify(message),
    );
  }
  for (const message of events("#general")) {
    assertFalse(
      text(message, options).includes("[#general]"),
      JSON.stringify(message),
    );
  }
});

Deno.test("renderMessage() shows older lines and search results under a header, dated when not from today", () => {
  const now = new Date(2024, 4, 17, 21, 47).getTime();
  const old = new Date(2024, 4, 16, 9, 5).getTime();
  const options = { ...PLAIN, now };
  assertEquals(
    text({
      type: "history",
      room: "#general",
      lines: [
        { from: "bob", text: "yesterday", time: old, id: 1 },
        { from: "bob", text: "today", time: now, id: 2 },
      ],
      more: true,
    }, options),
    [
      `[12:34] -- ${STRINGS.en.olderHeader("#general", 2)}`,
      "[2024-05-16 12:34] bob: yesterday",
      "[12:34] bob: today",
      `[12:34] ${STRINGS.en.moreHistory}`,
    ].join("\n"),
  );
  assertEquals(
    text({
      type: "search",
      room: "#general",
      words: "zebra",
      lines: [],
      more: false,
    }, options),
    `[12:34] ${STRINGS.en.searchNone("#general", "zebra")}`,
  );
  const found = text({
    type: "search",
    room: "#general",
    words: "\u001b[31mred",
    lines: [{ from: "bob", text: "red\u0007", time: now, id: 3 }],
    more: false,
  }, options);
  assertFalse(CONTROL.test(found), JSON.stringify(found));
});
