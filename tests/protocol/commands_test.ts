// Checks src/protocol/commands.ts: parseCommand reads every command and alias
// the help lists, ignoring case, keeps plain text and `//text` as messages,
// and answers missing arguments with the usage and anything else with
// "unknown"; the command table gives each word one command, and /help is
// made from it.

import {
  assert,
  assertEquals,
  assertFalse,
  assertStrictEquals,
} from "@std/assert";
import {
  type Command,
  COMMAND_NAMES,
  COMMANDS,
  findCommand,
  helpText,
  parseCommand,
  usageOf,
} from "../../src/protocol/commands.ts";
import { STRINGS } from "../../src/i18n/server_strings.ts";

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
  ["/WHO", { kind: "who" }],
  ["/who ignored words", { kind: "who" }],
  ["/who #games", { kind: "who", room: "#games" }],
  // Rooms. `/list` was a hidden /who before rooms, and `/leave` a hidden
  // /quit: they are /rooms' and /part's aliases now.
  ["/join #games", { kind: "join", room: "#games" }],
  ["/join games", { kind: "join", room: "#games" }],
  ["/JOIN #games  s3cret ", { kind: "join", room: "#games", key: "s3cret" }],
  ["/part", { kind: "part" }],
  ["/part #games", { kind: "part", room: "#games" }],
  ["/part #games see you", { kind: "part", room: "#games", reason: "see you" }],
  ["/part see you", { kind: "part", reason: "see you" }],
  ["/leave", { kind: "part" }],
  ["/switch #games", { kind: "switch", room: "#games" }],
  ["/go games", { kind: "switch", room: "#games" }],
  ["/rooms", { kind: "rooms" }],
  ["/list", { kind: "rooms" }],
  ["/topic", { kind: "topic" }],
  ["/topic   lunch at 1 ", { kind: "topic", text: "lunch at 1" }],
  ["/topic -delete", { kind: "topic", text: "" }],
  ["/key", { kind: "key" }],
  ["/key s3cret", { kind: "key", key: "s3cret" }],
  ["/op bob", { kind: "op", name: "bob" }],
  ["/deop bob", { kind: "deop", name: "bob" }],
  ["/kick bob", { kind: "kick", name: "bob" }],
  ["/kick bob  spamming ", { kind: "kick", name: "bob", reason: "spamming" }],
  ["/ban", { kind: "ban" }],
  ["/ban eve", { kind: "ban", name: "eve" }],
  ["/unban eve", { kind: "unban", name: "eve" }],
  ["/topic-lock", { kind: "topic-lock", on: true }],
  ["/topic-lock on", { kind: "topic-lock", on: true }],
  ["/topic-lock OFF", { kind: "topic-lock", on: false }],
  ["/oper  s3cret ", { kind: "oper", password: "s3cret" }],
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
  ["/QUIT", { kind: "quit" }],
  ["/join", { kind: "usage", usage: "/join <#room> [key]" }],
  ["/switch", { kind: "usage", usage: "/switch <#room>" }],
  ["/op", { kind: "usage", usage: "/op <name>" }],
  ["/kick  ", { kind: "usage", usage: "/kick <name> [reason]" }],
  ["/unban", { kind: "usage", usage: "/unban <name>" }],
  ["/oper", { kind: "usage", usage: "/oper <password>" }],
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

// Arguments every command takes: `/history` takes a count only.
function _sample(word: string): string {
  return findCommand(word)?.name === "history" ? "5" : "bob some words";
}

Deno.test("parseCommand() understands every name in COMMAND_NAMES", () => {
  for (const name of COMMAND_NAMES) {
    const command = parseCommand(`/${name} ${_sample(name)}`);
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

// --- The command table -----------------------------------------------------

Deno.test("parseCommand() reads every word of the command table as its command", () => {
  for (const spec of COMMANDS) {
    for (const word of [spec.name, ...spec.aliases, ...spec.alsoAccepted]) {
      for (const typed of [word, word.toLowerCase(), word.toUpperCase()]) {
        const command = parseCommand(`/${typed} ${_sample(word)}`);
        assertEquals(command.kind, spec.name, typed);
        assertEquals(
          command,
          parseCommand(`/${spec.name} ${_sample(word)}`),
          typed,
        );
        assertStrictEquals(findCommand(typed), spec, typed);
      }
    }
  }
});

Deno.test("the command table gives every word to one command only", () => {
  const words = COMMAND_NAMES.map((word) => word.toLowerCase());
  assertEquals(new Set(words).size, words.length);
  assertEquals(words.length, 39);
});

Deno.test("COMMAND_NAMES holds every accepted word, the unlisted ones included", () => {
  for (const word of ["tell", "whisper", "name", "?"]) {
    assert(COMMAND_NAMES.includes(word), word);
  }
});

Deno.test("usageOf() answers a missing argument in the words of the English /help", () => {
  const usage = (name: string) => usageOf(findCommand(name)!);
  assertEquals(usage("msg"), "/msg <name> <text>");
  assertEquals(usage("r"), "/reply <text>");
  assertEquals(usage("name"), "/nick <new name>");
  assertEquals(usage("me"), "/me <action>");
  assertEquals(usage("who"), "/who [#room]");
  assertEquals(usage("leave"), "/part [#room] [reason]");
});

// The /help texts as they were written by hand before the table existed, with
// the room commands since: the table must keep producing them byte for byte.
const HELP_EN = [
  "Commands:",
  "  /msg <name> <text>      private message (also /w, /pm)",
  "  /reply <text>           answer the last private message (also /r)",
  "  /join <#room> [key]     join or create a room",
  "  /part [#room] [reason]  leave a room (also /leave)",
  "  /switch <#room>         talk in another of your rooms (also /go)",
  "  /rooms                  the rooms, their members and topics (also /list)",
  "  /who [#room]            who is in the room (also /users, /names)",
  "  /topic [text]           show or set the topic (-delete clears it)",
  "  /history [N]            N older messages of the room",
  "  /search <words>         find messages (alone: more)",
  "  /nick <new name>        change your name",
  "  /me <action>            say what you are doing",
  "  /key [secret]           operators: set or remove a key",
  "  /op <name>              operators: make an operator",
  "  /deop <name>            operators: take operator away",
  "  /kick <name> [reason]   operators: put out of the room",
  "  /ban [name]             operators: ban (by name and address)",
  "  /unban <name>           operators: lift a ban",
  "  /topic-lock [off]       operators: only they set the topic",
  "  /oper <password>        become a server operator",
  "  /register <password>    keep your name: a password proves it",
  "  /identify <password>    prove a registered name is yours",
  "  /help                   this list",
  "  /quit [reason]          leave the chat (also /exit, /SAIR)",
].join("\n");

const HELP_PT = [
  "Comandos:",
  "  /msg <nome> <texto>     mensagem privada (também /w, /pm)",
  "  /reply <texto>          responde à última mensagem privada (também /r)",
  "  /join <#sala> [chave]   entra numa sala ou a cria",
  "  /part [#sala] [motivo]  sai de uma sala (também /leave)",
  "  /switch <#sala>         fala em outra das suas salas (também /go)",
  "  /rooms                  as salas, seus membros e assuntos (também /list)",
  "  /who [#sala]            quem está na sala (também /users, /names)",
  "  /topic [texto]          mostra ou muda o assunto (-delete o apaga)",
  "  /history [N]            N mensagens mais antigas da sala",
  "  /search <palavras>      procura mensagens (sozinho: mais)",
  "  /nick <novo nome>       muda o seu nome",
  "  /me <ação>              diz o que você está fazendo",
  "  /key [segredo]          operadores: põe ou tira a chave",
  "  /op <nome>              operadores: torna operador(a)",
  "  /deop <nome>            operadores: tira de operador(a)",
  "  /kick <nome> [motivo]   operadores: tira da sala",
  "  /ban [nome]             operadores: bane (nome e endereço)",
  "  /unban <nome>           operadores: desfaz um banimento",
  "  /topic-lock [off]       operadores: só eles mudam o assunto",
  "  /oper <senha>           vira operador(a) do servidor",
  "  /register <senha>       guarda o seu nome: uma senha o prova",
  "  /identify <senha>       prova que um nome registrado é seu",
  "  /help                   esta lista",
  "  /quit [motivo]          sai do chat (também /exit, /SAIR)",
].join("\n");

Deno.test("helpText() makes the English /help from the table, byte for byte", () => {
  assertEquals(helpText("en", { title: "Commands:", also: "also" }), HELP_EN);
  assertEquals(STRINGS.en.help, HELP_EN);
});

Deno.test("helpText() makes the Portuguese /help from the table, byte for byte", () => {
  assertEquals(helpText("pt", { title: "Comandos:", also: "também" }), HELP_PT);
  assertEquals(STRINGS.pt.help, HELP_PT);
});

Deno.test("helpText() lists every command and its shown aliases, not the unlisted words", () => {
  const shown = new Set(
    helpText("en", { title: "", also: "also" }).split(/[\s,()]+/),
  );
  for (const spec of COMMANDS) {
    assert(shown.has(`/${spec.name}`), spec.name);
    for (const alias of spec.aliases) assert(shown.has(`/${alias}`), alias);
    for (const word of spec.alsoAccepted) {
      assertFalse(shown.has(`/${word}`), word);
    }
  }
});

Deno.test("docs/protocol.md lists every command of the table with all its words", async () => {
  const doc = await Deno.readTextFile(
    new URL("../../docs/protocol.md", import.meta.url),
  );
  const section = doc.slice(doc.indexOf("\n## Commands\n"));
  const rows = new Map<string, string[]>();
  for (const line of section.split("\n")) {
    const cells = line.split("|").slice(1, -1).map((cell) => cell.trim());
    const name = /^`\/(\S+)[ `]/.exec(cells[0] ?? "")?.[1];
    if (name === undefined) continue;
    const words = [...(cells[1] ?? "").matchAll(/`\/([^`]+)`/g)];
    rows.set(name, words.map((match) => match[1]!));
  }
  assertEquals(
    [...rows.entries()],
    COMMANDS.map((
      spec,
    ) => [spec.name, [...spec.aliases, ...spec.alsoAccepted]]),
  );
});

Deno.test("parseCommand() reads /history with a count of 1 to 200, and /search with its words", () => {
  assertEquals(parseCommand("/history"), { kind: "history", older: true });
  assertEquals(parseCommand("/history 20"), {
    kind: "history",
    limit: 20,
    older: true,
  });
  for (
    const bad of ["/history 0", "/history 201", "/history x", "/history -3"]
  ) {
    assertEquals(parseCommand(bad), {
      kind: "usage",
      usage: "/history [N]",
    }, bad);
  }
  assertEquals(parseCommand("/search  lunch friday "), {
    kind: "search",
    words: "lunch friday",
  });
  assertEquals(parseCommand("/find"), { kind: "search", words: "" });
});
