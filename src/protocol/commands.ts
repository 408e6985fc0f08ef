/**
 * Parses what a user typed into a chat message or a slash command. The
 * server interprets commands, so they behave the same from every client.
 *
 * @module
 */

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

/** Every command name and alias, for `/help` and Tab completion. */
export const COMMAND_NAMES: readonly string[] = [
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
];

const USAGE = {
  msg: "/msg <name> <text>",
  reply: "/reply <text>",
  nick: "/nick <new name>",
  me: "/me <action>",
};

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
 * ```
 *
 * @param line The typed line, without its line ending.
 * @returns What the line asks for.
 */
export function parseCommand(line: string): Command {
  if (!line.startsWith("/")) return { kind: "say", text: line };
  if (line.startsWith("//")) return { kind: "say", text: line.slice(1) };
  const [word, rest] = _splitWord(line.slice(1));
  const args = rest.trim();
  switch (word.toLowerCase()) {
    case "msg":
    case "w":
    case "pm":
    case "tell":
    case "whisper": {
      const [to, text] = _splitWord(args);
      if (!to || !text.trim()) return { kind: "usage", usage: USAGE.msg };
      return { kind: "msg", to, text };
    }
    case "reply":
    case "r":
      return args
        ? { kind: "reply", text: rest.replace(/^\s+/, "") }
        : { kind: "usage", usage: USAGE.reply };
    case "who":
    case "users":
    case "names":
    case "list":
      return { kind: "who" };
    case "nick":
    case "name": {
      return args
        ? { kind: "nick", name: args }
        : { kind: "usage", usage: USAGE.nick };
    }
    case "me":
      return args
        ? { kind: "me", text: rest.replace(/^\s+/, "") }
        : { kind: "usage", usage: USAGE.me };
    case "help":
    case "?":
      return { kind: "help" };
    case "quit":
    case "exit":
    case "sair":
    case "leave":
      return args ? { kind: "quit", reason: args } : { kind: "quit" };
    default:
      return { kind: "unknown", command: word };
  }
}
