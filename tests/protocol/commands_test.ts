// Checks src/command.ts: parseCommand reads every command and alias the
// help lists, ignoring case, keeps plain text and `//text` as messages, and
// answers missing arguments with the usage and anything else with "unknown".

import { assert, assertEquals } from "@std/assert";
import {
  type Command,
  COMMAND_NAMES,
  parseCommand,
} from "../../src/protocol/commands.ts";

const CASES: ReadonlyArray<readonly [string, Command]> = [
  // Messages.
  ["hello", { kind: "say", text: "hello" }],
  ["", { kind: "say", text: "" }],
  ["  indented", { kind: "say", text: "  indented" }],
  [" /msg bob hi", { kind: "say", text: " /msg bob hi" }],
  ["see /help", { kind: "say", text: "see /help" }],
  ["//text", { kind: "say", text: "/text" }],
  ["//", { kind: "say", text: "/" }],
  ["///etc/passwd", { kind: "say", text: "//etc/passwd" }],
  ["// not a command", { kind: "say", text: "/ not a command" }],
  // Private messages.
  ["/msg bob hi there", { kind: "msg", to: "bob", text: "hi there" }],
  ["/w bob hi", { kind: "msg", to: "bob", text: "hi" }],
  ["/pm bob hi", { kind: "msg", to: "bob", text: "hi" }],
  ["/tell bob hi", { kind: "msg", to: "bob", text: "hi" }],
  ["/whisper bob hi", { kind: "msg", to: "bob", text: "hi" }],
  ["/MSG Bob Hi", { kind: "msg", to: "Bob", text: "Hi" }],
  ["/msg   bob   two  spaces ", {
    kind: "msg",
    to: "bob",
    text: "two  spaces",
  }],
  ["/msg\tbob\thi", { kind: "msg", to: "bob", text: "hi" }],
  ["/msg João olá", { kind: "msg", to: "João", text: "olá" }],
  // Replies.
  ["/reply thanks", { kind: "reply", text: "thanks" }],
  ["/r thanks a lot", { kind: "reply", text: "thanks a lot" }],
  ["/R ok", { kind: "reply", text: "ok" }],
  // Who.
  ["/who", { kind: "who" }],
  ["/users", { kind: "who" }],
  ["/names", { kind: "who" }],
  ["/list", { kind: "who" }],
  ["/WHO", { kind: "who" }],
  ["/who ignored words", { kind: "who" }],
  // Nick.
  ["/nick bia", { kind: "nick", name: "bia" }],
  ["/nick   bia  ", { kind: "nick", name: "bia" }],
  ["/name bia", { kind: "nick", name: "bia" }],
  ["/NICK Bia", { kind: "nick", name: "Bia" }],
  ["/nick two words", { kind: "nick", name: "two words" }],
  // Actions.
  ["/me waves", { kind: "me", text: "waves" }],
  ["/me   waves at bob", { kind: "me", text: "waves at bob" }],
  ["/ME dances", { kind: "me", text: "dances" }],
  // Help.
  ["/help", { kind: "help" }],
  ["/HELP", { kind: "help" }],
  ["/?", { kind: "help" }],
  // Quit.
  ["/quit", { kind: "quit" }],
  ["/quit see you later", { kind: "quit", reason: "see you later" }],
  ["/quit   bye  ", { kind: "quit", reason: "bye" }],
  ["/exit", { kind: "quit" }],
  ["/exit bye", { kind: "quit", reason: "bye" }],
  ["/SAIR", { kind: "quit" }],
  ["/sair", { kind: "quit" }],
  ["/Sair tchau", { kind: "quit", reason: "tchau" }],
  ["/leave", { kind: "quit" }],
  ["/QUIT", { kind: "quit" }],
  // Missing arguments.
  ["/msg", { kind: "usage", usage: "/msg <name> <text>" }],
  ["/msg bob", { kind: "usage", usage: "/msg <name> <text>" }],
  ["/msg bob   ", { kind: "usage", usage: "/msg <name> <text>" }],
  ["/w", { kind: "usage", usage: "/msg <name> <text>" }],
  ["/pm   ", { kind: "usage", usage: "/msg <name> <text>" }],
  ["/reply", { kind: "usage", usage: "/reply <text>" }],
  ["/r   ", { kind: "usage", usage: "/reply <text>" }],
  ["/nick", { kind: "usage", usage: "/nick <new name>" }],
  ["/nick   ", { kind: "usage", usage: "/nick <new name>" }],
  ["/me", { kind: "usage", usage: "/me <action>" }],
  ["/me  ", { kind: "usage", usage: "/me <action>" }],
  // Unknown.
  ["/foo", { kind: "unknown", command: "foo" }],
  ["/foo bar baz", { kind: "unknown", command: "foo" }],
  ["/Whoo", { kind: "unknown", command: "Whoo" }],
  ["/quitnow", { kind: "unknown", command: "quitnow" }],
  ["/", { kind: "unknown", command: "" }],
  ["/ msg bob hi", { kind: "unknown", command: "" }],
];

for (const [line, expected] of CASES) {
  Deno.test(`parseCommand() reads ${JSON.stringify(line)} as ${expected.kind}`, () => {
    assertEquals(parseCommand(line), expected);
  });
}

Deno.test("parseCommand() gives /quit without a reason no reason field", () => {
  const command = parseCommand("/quit");
  assert(!("reason" in command), JSON.stringify(command));
});

Deno.test("parseCommand() understands every name in COMMAND_NAMES", () => {
  for (const name of COMMAND_NAMES) {
    const command = parseCommand(`/${name} bob some words`);
    assert(command.kind !== "unknown", name);
    assert(command.kind !== "usage", name);
  }
});

Deno.test("COMMAND_NAMES lists the commands and aliases of the help text", () => {
  for (
    const name of [
      "msg",
      "w",
      "pm",
      "reply",
      "r",
      "who",
      "users",
      "names",
      "nick",
      "me",
      "help",
      "quit",
      "exit",
      "SAIR",
    ]
  ) {
    assert(COMMAND_NAMES.includes(name), name);
  }
});
