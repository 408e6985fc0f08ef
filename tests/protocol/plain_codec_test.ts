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

function plain(message: ServerMessage, lang: Lang = "en"): string {
  return encodePlain(message, lang, now);
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
  const message: ServerMessage = { type: "join", name: "ana", time: T };
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
    members: ["bob", "ana"],
    history: [],
    server: "chat",
    version: 1,
  };
  assertEquals(
    plain(message),
    "[21:47] -- Welcome, ana! Online (2): bob, ana. Type /help for commands.\n",
  );
  assertEquals(
    plain(message, "pt"),
    "[21:47] -- Bem-vindo(a), ana! Online (2): bob, ana. Digite /help para ver os comandos.\n",
  );
});

Deno.test("encodePlain() follows a welcome with the history, each line at its own time", () => {
  const message: ServerMessage = {
    type: "welcome",
    name: "ana",
    members: ["bob", "ana"],
    history: [
      { from: "bob", text: "anyone?", time: T },
      { from: "bob", text: "sighs", time: T + 60_000, action: true },
    ],
    server: "chat",
    version: 1,
  };
  assertEquals(
    plain(message).split("\n"),
    [
      "[21:47] -- Welcome, ana! Online (2): bob, ana. Type /help for commands.",
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
  const message: ServerMessage = { type: "members", names: ["ana", "bob"] };
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
  const out = encodePlain({ type: "members", names: [] }, "en");
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
    members: ["ana"],
    history: [{ from: "bob", text: "hi", time: T }],
    server: "chat",
    version: 1,
  },
  {
    type: "name_error",
    name: "x",
    code: "empty",
    text: "A name cannot be empty",
  },
  { type: "message", from: "ana", text: "hi", time: T },
  { type: "private", from: "ana", to: "bob", text: "hi", time: T },
  { type: "join", name: "ana", time: T },
  { type: "leave", name: "ana", reason: "timeout", time: T },
  { type: "rename", from: "ana", to: "bia", time: T },
  { type: "members", names: ["ana", "bob"] },
  { type: "info", code: "help", text: STRINGS.en.help },
  { type: "error", code: "x", text: "no" },
  { type: "bye", reason: "quit", text: "bye" },
];

Deno.test("encodePlain() starts every line with [HH:MM] and ends it with \\n", () => {
  for (const lang of ["en", "pt"] as const) {
    for (const message of EVERY_TYPE) {
      const out = encodePlain(message, lang, now);
      assert(out.endsWith("\n"), `${message.type}: ${out}`);
      for (const line of out.slice(0, -1).split("\n")) {
        assertMatch(line, /^\[\d\d:\d\d\] \S/, `${message.type} (${lang})`);
      }
    }
  }
});

function reader(joined: boolean, lang: Lang = "en"): Reader {
  return { name: joined ? "ana" : "", lang, joined };
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
  const message: ServerMessage = { type: "join", name: "bob", time: T };
  for (const lang of ["en", "pt"] as const) {
    const state = PLAIN_CODEC.open(reader(true, lang));
    assertEquals(
      PLAIN_CODEC.encode(message, state),
      encodePlain(message, lang),
    );
    assertEquals(PLAIN_CODEC.variant(message, state), lang);
  }
  assertEquals(PLAIN_CODEC.pings, false);
  assert(PLAIN_CODEC.claims("anything at all"));
});
