/**
 * The slash commands, in one table: the words each is accepted under, what
 * it reads from the rest of the line, and how `/help` describes it in each
 * language. {@linkcode parseCommand}, the `/help` text
 * ({@linkcode helpText}) and Tab completion ({@linkcode COMMAND_NAMES},
 * {@linkcode findCommand}) all read it, so a command is added, renamed or
 * given another alias in one place. The server interprets commands, so they
 * behave the same from every client.
 *
 * @module
 */

import type { Lang } from "./messages.ts";

/**
 * What a line of user input asks for. Commands that act on a room take it
 * from `room` when set (the native dialect's requests, IRC), else from the
 * line's context: the room the line was sent to, or the current room.
 */
export type Command =
  | { kind: "say"; text: string }
  /**
   * A private message: with `action`, a `/me` (`/msg bob /me waves`, IRC
   * CTCP ACTION); with `ctcp`, a CTCP query or reply between IRC clients
   * (`text` is its body without the `\x01`s).
   */
  | {
    kind: "msg";
    to: string;
    text: string;
    action?: true;
    ctcp?: "query" | "reply";
  }
  | { kind: "reply"; text: string }
  | { kind: "join"; room: string; key?: string }
  | { kind: "part"; room?: string; reason?: string }
  | { kind: "switch"; room: string }
  | { kind: "rooms" }
  | { kind: "who"; room?: string }
  /** Without `text`, asks for the topic; `""` clears it. */
  | { kind: "topic"; room?: string; text?: string }
  | { kind: "nick"; name: string }
  /**
   * Older public lines of a room: `limit` of them (1 to 200), older than
   * id `before`; with `older`, older than the oldest this connection was
   * shown of the room (`/history`).
   */
  | {
    kind: "history";
    room?: string;
    limit?: number;
    before?: number;
    /** Lines newer than this id instead, oldest first (IRC's `AFTER`). */
    after?: number;
    /**
     * Lines around this id instead: the line itself and those before it,
     * then those after it, `limit` in all (IRC's `AROUND`).
     */
    around?: number;
    /**
     * The newest lines still, but only those newer than this id (IRC's
     * `LATEST` with a reference).
     */
    newerThan?: number;
    older?: true;
  }
  /**
   * Full-text search in a room, newest first; `words` `""` asks for the
   * next page of the connection's last search (`/search` alone).
   */
  | { kind: "search"; room?: string; words: string; before?: number }
  | { kind: "me"; text: string }
  /** Without `key`, removes the room's key. */
  | { kind: "key"; room?: string; key?: string }
  | { kind: "op"; room?: string; name: string }
  | { kind: "deop"; room?: string; name: string }
  /** Gives a member voice (IRC `MODE #room +v`), a status shown as `+`. */
  | { kind: "voice"; room?: string; name: string }
  | { kind: "devoice"; room?: string; name: string }
  | { kind: "kick"; room?: string; name: string; reason?: string }
  /** Without `name`, lists the room's bans. */
  | { kind: "ban"; room?: string; name?: string }
  | { kind: "unban"; room?: string; name: string }
  | { kind: "topic-lock"; room?: string; on: boolean }
  | { kind: "oper"; password: string }
  /** Claims your name with a password, or changes it. */
  | { kind: "register"; password: string }
  /**
   * Claims your name for the TLS client certificate the connection
   * showed (IRC's `REGISTER` without a password: CertFP).
   */
  | { kind: "register-cert" }
  /** Proves the password of the registered name you asked for. */
  | { kind: "identify"; password: string }
  | { kind: "help" }
  | { kind: "quit"; reason?: string }
  /** Who a member is (IRC `WHOIS`). */
  | { kind: "whois"; name: string }
  /** How many members and rooms the server has (IRC `LUSERS`). */
  | { kind: "lusers" }
  /** Away with a text, or back without one (IRC `AWAY`). */
  | { kind: "away"; text?: string }
  /** The names a room bans, as a list (IRC `MODE #room +b`). */
  | { kind: "bans"; room?: string }
  | { kind: "usage"; usage: string }
  | { kind: "unknown"; command: string };

/** How `/help` describes a command in one language. */
export interface CommandHelp {
  /** Its arguments as `/help` writes them (`<name> <text>`), or `""`. */
  readonly args: string;
  /** What it does, in a few words. */
  readonly summary: string;
}

/** One row of the command table. */
export interface CommandSpec {
  /** The command's own name, as `/help` lists it (`msg`). */
  readonly name: string;
  /** Other words for it that `/help` lists after "also" (`w`, `pm`). */
  readonly aliases: readonly string[];
  /**
   * Words it is also accepted under, and that Tab completes, but that
   * `/help` does not list (`tell`, `whisper`).
   */
  readonly alsoAccepted: readonly string[];
  /** What Tab offers for the first argument: member names, room names, or nothing. */
  readonly completes: "names" | "rooms" | "nothing";
  /**
   * The `/help` line in each language. The English arguments also make the
   * usage that a missing argument is answered with (`/msg <name> <text>`),
   * the same in every language.
   */
  readonly help: Readonly<Record<Lang, CommandHelp>>;
  /**
   * Reads the rest of the line into what the command asks for.
   *
   * @param rest What follows the command word and the white space after
   * it (so it never starts with white space).
   * @param usage The command's usage, for a missing argument.
   */
  readonly read: (rest: string, usage: string) => Command;
}

/**
 * Every command, in the order `/help` lists them. Words are matched
 * ignoring case; `/help` and completion show them as written here (`SAIR`).
 */
export const COMMANDS: readonly CommandSpec[] = [
  {
    name: "msg",
    aliases: ["w", "pm"],
    alsoAccepted: ["tell", "whisper"],
    completes: "names",
    help: {
      en: { args: "<name> <text>", summary: "private message" },
      pt: { args: "<nome> <texto>", summary: "mensagem privada" },
    },
    read: (rest, usage) => {
      const [to, text] = _splitWord(rest.trim());
      if (!to || !text.trim()) return { kind: "usage", usage };
      const action = /^\/me\s+(\S[\s\S]*)$/i.exec(text);
      return action
        ? { kind: "msg", to, text: action[1]!, action: true }
        : { kind: "msg", to, text };
    },
  },
  {
    name: "reply",
    aliases: ["r"],
    alsoAccepted: [],
    completes: "nothing",
    help: {
      en: { args: "<text>", summary: "answer the last private message" },
      pt: { args: "<texto>", summary: "responde à última mensagem privada" },
    },
    read: (rest, usage) =>
      rest.trim() ? { kind: "reply", text: rest } : { kind: "usage", usage },
  },
  {
    name: "join",
    aliases: [],
    alsoAccepted: [],
    completes: "rooms",
    help: {
      en: { args: "<#room> [key]", summary: "join or create a room" },
      pt: { args: "<#sala> [chave]", summary: "entra numa sala ou a cria" },
    },
    read: (rest, usage) => {
      const [room, key] = _splitWord(rest.trim());
      if (!room) return { kind: "usage", usage };
      const command: Command = { kind: "join", room: _hashed(room) };
      if (key.trim()) command.key = key.trim();
      return command;
    },
  },
  {
    name: "part",
    aliases: ["leave"],
    alsoAccepted: [],
    completes: "rooms",
    help: {
      en: { args: "[#room] [reason]", summary: "leave a room" },
      pt: { args: "[#sala] [motivo]", summary: "sai de uma sala" },
    },
    read: (rest) => {
      const [room, reason] = _roomFirst(rest);
      const command: Command = { kind: "part" };
      if (room) command.room = room;
      if (reason) command.reason = reason;
      return command;
    },
  },
  {
    name: "switch",
    aliases: ["go"],
    alsoAccepted: [],
    completes: "rooms",
    help: {
      en: { args: "<#room>", summary: "talk in another of your rooms" },
      pt: { args: "<#sala>", summary: "fala em outra das suas salas" },
    },
    read: (rest, usage) => {
      const [room] = _splitWord(rest.trim());
      return room
        ? { kind: "switch", room: _hashed(room) }
        : { kind: "usage", usage };
    },
  },
  {
    name: "rooms",
    aliases: ["list"],
    alsoAccepted: [],
    completes: "nothing",
    help: {
      en: { args: "", summary: "the rooms, their members and topics" },
      pt: { args: "", summary: "as salas, seus membros e assuntos" },
    },
    read: () => ({ kind: "rooms" }),
  },
  {
    name: "who",
    aliases: ["users", "names"],
    alsoAccepted: [],
    completes: "rooms",
    help: {
      en: { args: "[#room]", summary: "who is in the room" },
      pt: { args: "[#sala]", summary: "quem está na sala" },
    },
    read: (rest) => {
      const [room] = _roomFirst(rest);
      return room ? { kind: "who", room } : { kind: "who" };
    },
  },
  {
    name: "topic",
    aliases: [],
    alsoAccepted: [],
    completes: "nothing",
    help: {
      en: {
        args: "[text]",
        summary: "show or set the topic (-delete clears it)",
      },
      pt: {
        args: "[texto]",
        summary: "mostra ou muda o assunto (-delete o apaga)",
      },
    },
    read: (rest) => {
      const text = rest.trim();
      if (text === "") return { kind: "topic" };
      return { kind: "topic", text: text === "-delete" ? "" : text };
    },
  },
  {
    name: "history",
    aliases: [],
    alsoAccepted: [],
    completes: "nothing",
    help: {
      en: { args: "[N]", summary: "N older messages of the room" },
      pt: { args: "[N]", summary: "N mensagens mais antigas da sala" },
    },
    read: (rest, usage) => {
      const count = rest.trim();
      if (count === "") return { kind: "history", older: true };
      if (!/^[0-9]{1,3}$/.test(count)) return { kind: "usage", usage };
      const limit = Number(count);
      if (limit < 1 || limit > 200) return { kind: "usage", usage };
      return { kind: "history", limit, older: true };
    },
  },
  {
    name: "search",
    aliases: [],
    alsoAccepted: ["find"],
    completes: "nothing",
    help: {
      en: { args: "<words>", summary: "find messages (alone: more)" },
      pt: {
        args: "<palavras>",
        summary: "procura mensagens (sozinho: mais)",
      },
    },
    read: (rest) => ({ kind: "search", words: rest.trim() }),
  },
  {
    name: "nick",
    aliases: [],
    alsoAccepted: ["name"],
    completes: "nothing",
    help: {
      en: { args: "<new name>", summary: "change your name" },
      pt: { args: "<novo nome>", summary: "muda o seu nome" },
    },
    read: (rest, usage) => {
      const name = rest.trim();
      return name ? { kind: "nick", name } : { kind: "usage", usage };
    },
  },
  {
    name: "me",
    aliases: [],
    alsoAccepted: [],
    completes: "nothing",
    help: {
      en: { args: "<action>", summary: "say what you are doing" },
      pt: { args: "<ação>", summary: "diz o que você está fazendo" },
    },
    read: (rest, usage) =>
      rest.trim() ? { kind: "me", text: rest } : { kind: "usage", usage },
  },
  {
    name: "key",
    aliases: [],
    alsoAccepted: [],
    completes: "nothing",
    help: {
      en: { args: "[secret]", summary: "operators: set or remove a key" },
      pt: { args: "[segredo]", summary: "operadores: põe ou tira a chave" },
    },
    read: (rest) => {
      const key = rest.trim();
      return key ? { kind: "key", key } : { kind: "key" };
    },
  },
  _onMember("op", {
    en: "operators: make an operator",
    pt: "operadores: torna operador(a)",
  }),
  _onMember("deop", {
    en: "operators: take operator away",
    pt: "operadores: tira de operador(a)",
  }),
  _onMember("voice", {
    en: "operators: give voice (+)",
    pt: "operadores: dá voz (+)",
  }),
  _onMember("devoice", {
    en: "operators: take voice away",
    pt: "operadores: tira a voz",
  }),
  {
    name: "kick",
    aliases: [],
    alsoAccepted: [],
    completes: "names",
    help: {
      en: {
        args: "<name> [reason]",
        summary: "operators: put out of the room",
      },
      pt: { args: "<nome> [motivo]", summary: "operadores: tira da sala" },
    },
    read: (rest, usage) => {
      const [name, reason] = _splitWord(rest.trim());
      if (!name) return { kind: "usage", usage };
      const command: Command = { kind: "kick", name };
      if (reason.trim()) command.reason = reason.trim();
      return command;
    },
  },
  {
    name: "ban",
    aliases: [],
    alsoAccepted: [],
    completes: "names",
    help: {
      en: { args: "[name]", summary: "operators: ban (by name and address)" },
      pt: { args: "[nome]", summary: "operadores: bane (nome e endereço)" },
    },
    read: (rest) => {
      const [name] = _splitWord(rest.trim());
      return name ? { kind: "ban", name } : { kind: "ban" };
    },
  },
  _onMember("unban", {
    en: "operators: lift a ban",
    pt: "operadores: desfaz um banimento",
  }),
  {
    name: "topic-lock",
    aliases: [],
    alsoAccepted: [],
    completes: "nothing",
    help: {
      en: { args: "[off]", summary: "operators: only they set the topic" },
      pt: { args: "[off]", summary: "operadores: só eles mudam o assunto" },
    },
    read: (rest) => ({
      kind: "topic-lock",
      on: rest.trim().toLowerCase() !== "off",
    }),
  },
  _withPassword("oper", {
    en: "become a server operator",
    pt: "vira operador(a) do servidor",
  }),
  _withPassword("register", {
    en: "keep your name: a password proves it",
    pt: "guarda o seu nome: uma senha o prova",
  }),
  _withPassword("identify", {
    en: "prove a registered name is yours",
    pt: "prova que um nome registrado é seu",
  }),
  {
    name: "help",
    aliases: [],
    alsoAccepted: ["?"],
    completes: "nothing",
    help: {
      en: { args: "", summary: "this list" },
      pt: { args: "", summary: "esta lista" },
    },
    read: () => ({ kind: "help" }),
  },
  {
    name: "quit",
    aliases: ["exit", "SAIR"],
    alsoAccepted: [],
    completes: "nothing",
    help: {
      en: { args: "[reason]", summary: "leave the chat" },
      pt: { args: "[motivo]", summary: "sai do chat" },
    },
    read: (rest) => {
      const reason = rest.trim();
      return reason ? { kind: "quit", reason } : { kind: "quit" };
    },
  },
];

// A command whose one argument is a member of the room (`/op bob`).
function _onMember(
  name: "op" | "deop" | "voice" | "devoice" | "unban",
  summary: Readonly<Record<Lang, string>>,
): CommandSpec {
  return _withOne(name, "names", { en: "<name>", pt: "<nome>" }, summary, (
    rest,
  ) => {
    const [member] = _splitWord(rest.trim());
    return member ? { kind: name, name: member } : null;
  });
}

// A command whose one argument is a password, kept whole (`/register`).
function _withPassword(
  name: "oper" | "register" | "identify",
  summary: Readonly<Record<Lang, string>>,
): CommandSpec {
  return _withOne(
    name,
    "nothing",
    { en: "<password>", pt: "<senha>" },
    summary,
    (rest) => rest.trim() ? { kind: name, password: rest.trim() } : null,
  );
}

// A command of one argument, read by `read` (`null`: missing).
function _withOne(
  name: string,
  completes: CommandSpec["completes"],
  args: Readonly<Record<Lang, string>>,
  summary: Readonly<Record<Lang, string>>,
  read: (rest: string) => Command | null,
): CommandSpec {
  return {
    name,
    aliases: [],
    alsoAccepted: [],
    completes,
    help: {
      en: { args: args.en, summary: summary.en },
      pt: { args: args.pt, summary: summary.pt },
    },
    read: (rest, usage) => read(rest) ?? { kind: "usage", usage },
  };
}

// A room as typed after /join and /switch: `games` means `#games`.
function _hashed(room: string): string {
  return room.startsWith("#") ? room : `#${room}`;
}

// An optional room first (a word starting with `#`), then the rest.
function _roomFirst(rest: string): [string, string] {
  const [word, more] = _splitWord(rest.trim());
  return word.startsWith("#") ? [word, more.trim()] : ["", rest.trim()];
}

/** Every word a command is accepted under, in table order, for Tab completion. */
export const COMMAND_NAMES: readonly string[] = COMMANDS.flatMap((spec) => [
  spec.name,
  ...spec.aliases,
  ...spec.alsoAccepted,
]);

const BY_WORD: ReadonlyMap<string, CommandSpec> = new Map(
  COMMANDS.flatMap((spec) =>
    [spec.name, ...spec.aliases, ...spec.alsoAccepted].map((word) =>
      [word.toLowerCase(), spec] as const
    )
  ),
);

/**
 * Finds the command a word names, ignoring case.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { findCommand } from "./commands.ts";
 *
 * assertEquals(findCommand("Whisper")?.name, "msg");
 * assertEquals(findCommand("sair")?.name, "quit");
 * assertEquals(findCommand("dance"), undefined);
 * ```
 *
 * @param word A command word without its `/`.
 * @returns Its row of {@linkcode COMMANDS}, or `undefined`.
 */
export function findCommand(word: string): CommandSpec | undefined {
  return BY_WORD.get(word.toLowerCase());
}

/**
 * A command's usage, as a missing argument is answered with.
 *
 * @param spec A row of {@linkcode COMMANDS}.
 * @returns `/name` and its English arguments (`/msg <name> <text>`).
 */
export function usageOf(spec: CommandSpec): string {
  return _syntax(spec, spec.help.en);
}

function _syntax(spec: CommandSpec, help: CommandHelp): string {
  return help.args ? `/${spec.name} ${help.args}` : `/${spec.name}`;
}

/** The words around the command lines of {@linkcode helpText}. */
export interface HelpWords {
  /** The first line (`Commands:`). */
  title: string;
  /** The word before the aliases (`also`). */
  also: string;
}

/**
 * The `/help` text in one language: a title, then a line per command with
 * its syntax, summary and aliases. The summaries start in one column for
 * every language, two spaces past the longest syntax in any of them.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { helpText } from "./commands.ts";
 *
 * const lines = helpText("en", { title: "Commands:", also: "also" }).split("\n");
 * assertEquals(lines[0], "Commands:");
 * assertEquals(lines[7], "  /who [#room]            who is in the room (also /users, /names)");
 * ```
 *
 * @param lang The language.
 * @param words The title and the word for "also" in that language.
 * @returns The text, lines joined by `\n`.
 */
export function helpText(lang: Lang, words: HelpWords): string {
  const lines = COMMANDS.map((spec) => {
    const aliases = spec.aliases.map((alias) => `/${alias}`).join(", ");
    const also = aliases ? ` (${words.also} ${aliases})` : "";
    const help = spec.help[lang];
    const syntax = _syntax(spec, help).padEnd(HELP_COLUMN);
    return `  ${syntax}${help.summary}${also}`;
  });
  return [words.title, ...lines].join("\n");
}

const HELP_COLUMN = Math.max(
  ...COMMANDS.flatMap((spec) =>
    Object.values(spec.help).map((help) => _syntax(spec, help).length)
  ),
) + 2;

function _splitWord(text: string): [string, string] {
  const match = /^(\S+)\s*([\s\S]*)$/.exec(text);
  return match ? [match[1]!, match[2]!] : ["", ""];
}

/**
 * Parses one line of user input.
 *
 * A line starting with `/` is a command, matched ignoring case (`/SAIR`,
 * `/sair`); `//text` sends `/text` as a message.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { parseCommand } from "./commands.ts";
 *
 * assertEquals(parseCommand("hello"), { kind: "say", text: "hello" });
 * assertEquals(parseCommand("/w bob hi there"), { kind: "msg", to: "bob", text: "hi there" });
 * assertEquals(parseCommand("/SAIR"), { kind: "quit" });
 * assertEquals(parseCommand("/me"), { kind: "usage", usage: "/me <action>" });
 * ```
 *
 * @param line The typed line, without its line ending.
 * @returns What the line asks for.
 */
export function parseCommand(line: string): Command {
  if (!line.startsWith("/")) return { kind: "say", text: line };
  if (line.startsWith("//")) return { kind: "say", text: line.slice(1) };
  const [word, rest] = _splitWord(line.slice(1));
  const spec = findCommand(word);
  if (spec === undefined) return { kind: "unknown", command: word };
  return spec.read(rest, usageOf(spec));
}
