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

/** What a line of user input asks for. */
export type Command =
  | { kind: "say"; text: string }
  | { kind: "msg"; to: string; text: string }
  | { kind: "reply"; text: string }
  | { kind: "who" }
  | { kind: "nick"; name: string }
  | { kind: "me"; text: string }
  | { kind: "help" }
  | { kind: "quit"; reason?: string }
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
  /** What Tab offers for the first argument: member names, or nothing. */
  readonly completes: "names" | "nothing";
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
      return { kind: "msg", to, text };
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
    name: "who",
    aliases: ["users", "names"],
    alsoAccepted: ["list"],
    completes: "nothing",
    help: {
      en: { args: "", summary: "who is online" },
      pt: { args: "", summary: "quem está online" },
    },
    read: () => ({ kind: "who" }),
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
    // The rooms issue makes `leave` an alias of /part instead.
    alsoAccepted: ["leave"],
    completes: "nothing",
    help: {
      en: { args: "[reason]", summary: "leave" },
      pt: { args: "[motivo]", summary: "sai do chat" },
    },
    read: (rest) => {
      const reason = rest.trim();
      return reason ? { kind: "quit", reason } : { kind: "quit" };
    },
  },
];

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
 * assertEquals(lines[3], "  /who                 who is online (also /users, /names)");
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
