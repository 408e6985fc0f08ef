/**
 * Every user-visible string of chat, in English and Brazilian Portuguese.
 * Server notices, client messages and usage errors all come from here, so a
 * translation is one file.
 *
 * @module
 */

import type { Lang, LeaveReason, NameErrorCode } from "../protocol/messages.ts";

/** The strings of one language. */
export interface Strings {
  joined(name: string): string;
  left(name: string, reason: LeaveReason, detail?: string): string;
  renamed(from: string, to: string): string;
  welcome(name: string, members: readonly string[]): string;
  online(members: readonly string[]): string;
  nameError(code: NameErrorCode, name: string): string;
  askName: string;
  askAnotherName: string;
  unknownUser(name: string): string;
  unknownCommand(command: string): string;
  commandUsage(usage: string): string;
  noOneToReply: string;
  cannotMessageYourself: string;
  nameUnchanged: string;
  lineTooLong(limit: number): string;
  emptyMessage: string;
  bye(reason: LeaveReason, detail?: string): string;
  shuttingDown: string;
  help: string;
  privateFrom(name: string): string;
  privateTo(name: string): string;
  historyHeader(count: number): string;
  slowDown: string;
  badMessage(why: string): string;
  unsupportedVersion(version: number): string;
}

function _list(names: readonly string[]): string {
  return names.join(", ");
}

/** Most names a welcome line lists; `/who` lists everyone. */
const WELCOME_NAMES = 30;

function _someOf(
  names: readonly string[],
  more: (n: number) => string,
): string {
  if (names.length <= WELCOME_NAMES) return _list(names);
  const shown = _list(names.slice(0, WELCOME_NAMES));
  return `${shown} ${more(names.length - WELCOME_NAMES)}`;
}

const HELP_EN = [
  "Commands:",
  "  /msg <name> <text>   private message (also /w, /pm)",
  "  /reply <text>        answer the last private message (also /r)",
  "  /who                 who is online (also /users, /names)",
  "  /nick <new name>     change your name",
  "  /me <action>         say what you are doing",
  "  /help                this list",
  "  /quit [reason]       leave (also /exit, /SAIR)",
].join("\n");

const HELP_PT = [
  "Comandos:",
  "  /msg <nome> <texto>  mensagem privada (também /w, /pm)",
  "  /reply <texto>       responde à última mensagem privada (também /r)",
  "  /who                 quem está online (também /users, /names)",
  "  /nick <novo nome>    muda o seu nome",
  "  /me <ação>           diz o que você está fazendo",
  "  /help                esta lista",
  "  /quit [motivo]       sai do chat (também /exit, /SAIR)",
].join("\n");

const LEAVE_EN: Record<LeaveReason, string> = {
  quit: "quit",
  closed: "connection closed",
  error: "connection error",
  shutdown: "server shutting down",
  timeout: "timed out",
  flood: "flooding",
  slow: "not reading fast enough",
  protocol: "protocol error",
  full: "the server is full; try again later",
  limit: "too many connections from your address",
};

const LEAVE_PT: Record<LeaveReason, string> = {
  quit: "saiu",
  closed: "conexão fechada",
  error: "erro de conexão",
  shutdown: "servidor encerrando",
  timeout: "tempo esgotado",
  flood: "excesso de mensagens",
  slow: "não lê rápido o suficiente",
  protocol: "erro de protocolo",
  full: "o servidor está cheio; tente mais tarde",
  limit: "conexões demais a partir do seu endereço",
};

function _reason(
  table: Record<LeaveReason, string>,
  reason: LeaveReason,
  detail?: string,
): string {
  return detail ? `${table[reason]}: ${detail}` : table[reason];
}

const EN: Strings = {
  joined: (name) => `${name} joined the chat!`,
  left: (name, reason, detail) =>
    `${name} left the chat! (${_reason(LEAVE_EN, reason, detail)})`,
  renamed: (from, to) => `${from} is now known as ${to}`,
  welcome: (name, members) =>
    `Welcome, ${name}! Online (${members.length}): ${
      _someOf(members, (n) => `and ${n} more (/who lists everyone)`)
    }. Type /help for commands.`,
  online: (members) => `Online (${members.length}): ${_list(members)}`,
  nameError: (code, name) => {
    switch (code) {
      case "empty":
        return "A name cannot be empty";
      case "too_long":
        return `The name "${name}" is too long: at most 24 characters`;
      case "invalid_chars":
        return `The name "${name}" is not allowed: use letters, digits, _ - and . only`;
      case "mixed_scripts":
        return `The name "${name}" mixes alphabets (such as Latin and Cyrillic): use one`;
      case "reserved":
        return `The name "${name}" is reserved`;
      case "taken":
        return `The name "${name}" is taken`;
    }
  },
  askName: "Welcome to chat! What is your name?",
  askAnotherName: "Please choose another name:",
  unknownUser: (name) => `There is no user named "${name}" online; see /who`,
  unknownCommand: (command) =>
    `Unknown command /${command}; type /help for the list`,
  commandUsage: (usage) => `Usage: ${usage}`,
  noOneToReply: "Nobody has sent you a private message yet",
  cannotMessageYourself: "You cannot send a private message to yourself",
  nameUnchanged: "That is already your name",
  lineTooLong: (limit) =>
    `Your line was longer than ${limit} bytes and was not sent`,
  emptyMessage: "Nothing to send",
  bye: (reason, detail) =>
    `Disconnected by the server: ${_reason(LEAVE_EN, reason, detail)}`,
  shuttingDown: "The server is shutting down. Goodbye!",
  help: HELP_EN,
  privateFrom: (name) => `(private) ${name}`,
  privateTo: (name) => `(private to ${name})`,
  historyHeader: (count) => `Recent messages (${count}):`,
  slowDown: "Slow down: you are sending too fast, so that message was not sent",
  badMessage: (why) => `Ignored a message the server could not read: ${why}`,
  unsupportedVersion: (version) =>
    `This server speaks protocol version 1, not ${version}: update chat`,
};

const PT: Strings = {
  joined: (name) => `${name} entrou no chat!`,
  left: (name, reason, detail) =>
    `${name} saiu do chat! (${_reason(LEAVE_PT, reason, detail)})`,
  renamed: (from, to) => `${from} agora se chama ${to}`,
  welcome: (name, members) =>
    `Bem-vindo(a), ${name}! Online (${members.length}): ${
      _someOf(members, (n) => `e mais ${n} (/who mostra todos)`)
    }. Digite /help para ver os comandos.`,
  online: (members) => `Online (${members.length}): ${_list(members)}`,
  nameError: (code, name) => {
    switch (code) {
      case "empty":
        return "O nome não pode ser vazio";
      case "too_long":
        return `O nome "${name}" é longo demais: no máximo 24 caracteres`;
      case "invalid_chars":
        return `O nome "${name}" não é permitido: use só letras, dígitos, _ - e .`;
      case "mixed_scripts":
        return `O nome "${name}" mistura alfabetos (como latino e cirílico): use um só`;
      case "reserved":
        return `O nome "${name}" é reservado`;
      case "taken":
        return `O nome "${name}" já está em uso`;
    }
  },
  askName: "Bem-vindo(a) ao chat! Qual é o seu nome?",
  askAnotherName: "Escolha outro nome:",
  unknownUser: (name) => `Não há ninguém chamado "${name}" online; veja /who`,
  unknownCommand: (command) =>
    `Comando desconhecido /${command}; digite /help para ver a lista`,
  commandUsage: (usage) => `Uso: ${usage}`,
  noOneToReply: "Ninguém lhe enviou uma mensagem privada ainda",
  cannotMessageYourself: "Você não pode enviar mensagem privada a si mesmo",
  nameUnchanged: "Esse já é o seu nome",
  lineTooLong: (limit) =>
    `Sua linha passou de ${limit} bytes e não foi enviada`,
  emptyMessage: "Nada para enviar",
  bye: (reason, detail) =>
    `Desconectado pelo servidor: ${_reason(LEAVE_PT, reason, detail)}`,
  shuttingDown: "O servidor está encerrando. Até logo!",
  help: HELP_PT,
  privateFrom: (name) => `(privado) ${name}`,
  privateTo: (name) => `(privado para ${name})`,
  historyHeader: (count) => `Mensagens recentes (${count}):`,
  slowDown:
    "Mais devagar: você está enviando rápido demais, e essa mensagem não foi enviada",
  badMessage: (why) => `Mensagem ignorada, o servidor não a entendeu: ${why}`,
  unsupportedVersion: (version) =>
    `Este servidor fala a versão 1 do protocolo, não a ${version}: atualize o chat`,
};

/** Strings by language. */
export const STRINGS: Readonly<Record<Lang, Strings>> = { en: EN, pt: PT };

/**
 * Picks the language from a locale such as the `LANG` environment variable
 * or a browser's `navigator.language`.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { langFromLocale } from "./strings.ts";
 *
 * assertEquals(langFromLocale("pt_BR.UTF-8"), "pt");
 * assertEquals(langFromLocale("en_US.UTF-8"), "en");
 * assertEquals(langFromLocale(undefined), "en");
 * ```
 *
 * @param locale A locale string, or `undefined`.
 * @returns `"pt"` for any Portuguese locale, `"en"` otherwise.
 */
export function langFromLocale(locale: string | undefined): Lang {
  return locale && /^pt([_-]|$|\.)/i.test(locale) ? "pt" : "en";
}

/** The strings of the terminal client (`chat join`) in one language. */
export interface ClientStrings {
  /** Nothing listens on the port. */
  connectRefused(address: string): string;
  /** No route to the host, or the network is down. */
  connectUnreachable(address: string): string;
  /** The host name does not resolve. */
  connectUnknownHost(address: string, hostname: string): string;
  /** No answer to the connection attempt in time. */
  connectTimedOut(address: string, seconds: number): string;
  /** Any other failure to connect; `detail` is the system's message. */
  connectFailed(address: string, detail: string): string;
  /** Connected, but no answer to `hello` in time. */
  noAnswer(address: string, seconds: number): string;
  /** Connected, but the peer does not speak the chat protocol. */
  notChatServer(address: string): string;
  /** The server went away without a `bye`. */
  connectionLost(address: string): string;
  /** No `--name` and no terminal to ask on. */
  nameRequired: string;
}

/** Seconds with at most one decimal, for messages. */
function _seconds(seconds: number): string {
  return String(Math.round(seconds * 10) / 10);
}

const CLIENT_EN: ClientStrings = {
  connectRefused: (address) =>
    `Cannot connect to ${address}: connection refused; is "chat serve" running there, and is the port right?`,
  connectUnreachable: (address) =>
    `Cannot connect to ${address}: host unreachable; is the address right, and is this computer on the same network?`,
  connectUnknownHost: (address, hostname) =>
    `Cannot connect to ${address}: unknown host "${hostname}"; check the spelling, or use the server's IP address`,
  connectTimedOut: (address, seconds) =>
    `Cannot connect to ${address}: no answer within ${
      _seconds(seconds)
    } s; is the address right, and does a firewall let the port through?`,
  connectFailed: (address, detail) => `Cannot connect to ${address}: ${detail}`,
  noAnswer: (address, seconds) =>
    `Cannot join ${address}: the server did not answer within ${
      _seconds(seconds)
    } s; is it a chat server?`,
  notChatServer: (address) =>
    `Cannot join ${address}: the server does not speak the chat protocol; is the port right?`,
  connectionLost: (address) =>
    `Lost the connection to the server at ${address}`,
  nameRequired:
    "Cannot join: no name given; use --name NAME when the input is not a terminal",
};

const CLIENT_PT: ClientStrings = {
  connectRefused: (address) =>
    `Não foi possível conectar a ${address}: conexão recusada; o "chat serve" está rodando lá, e a porta está certa?`,
  connectUnreachable: (address) =>
    `Não foi possível conectar a ${address}: host inalcançável; o endereço está certo, e este computador está na mesma rede?`,
  connectUnknownHost: (address, hostname) =>
    `Não foi possível conectar a ${address}: host desconhecido "${hostname}"; confira o nome, ou use o endereço IP do servidor`,
  connectTimedOut: (address, seconds) =>
    `Não foi possível conectar a ${address}: sem resposta em ${
      _seconds(seconds)
    } s; o endereço está certo, e algum firewall bloqueia a porta?`,
  connectFailed: (address, detail) =>
    `Não foi possível conectar a ${address}: ${detail}`,
  noAnswer: (address, seconds) =>
    `Não foi possível entrar em ${address}: o servidor não respondeu em ${
      _seconds(seconds)
    } s; é mesmo um servidor de chat?`,
  notChatServer: (address) =>
    `Não foi possível entrar em ${address}: o servidor não fala o protocolo do chat; a porta está certa?`,
  connectionLost: (address) =>
    `A conexão com o servidor em ${address} foi perdida`,
  nameRequired:
    "Não foi possível entrar: falta o nome; use --name NOME quando a entrada não é um terminal",
};

/** Strings of the terminal client by language. */
export const CLIENT_STRINGS: Readonly<Record<Lang, ClientStrings>> = {
  en: CLIENT_EN,
  pt: CLIENT_PT,
};

/**
 * The strings of the browser client (the page `chat serve` serves), in one
 * language. Plain text with `{placeholders}`, not functions, because they
 * are shipped to the browser as JSON; the page fills them in and inserts
 * the result as text, never as HTML.
 */
export interface WebStrings {
  /** Heading of the form that asks for a name. */
  joinHeading: string;
  /** Label of the name field. */
  nameLabel: string;
  /** The rules for names, under the name field. */
  nameHint: string;
  /** The button that joins. */
  joinButton: string;
  /** Accessible name of the message list. */
  messagesLabel: string;
  /** Label of the message field. */
  messageLabel: string;
  /** Placeholder of the message field. */
  messagePlaceholder: string;
  /** The button that sends a message. */
  sendButton: string;
  /** Heading of the member list; `{count}`. */
  membersHeading: string;
  /** Marks your own name in the member list. */
  you: string;
  /** Accessible name of a member's button; `{name}`. */
  messageMember: string;
  /** Shown once you joined; `{name}`. */
  welcome: string;
  /** Heading of recent messages shown on joining; `{count}`. */
  historyHeader: string;
  /** Answer to `/who`; `{count}`, `{names}`. */
  online: string;
  /** Status while connecting. */
  connecting: string;
  /** Status while chatting; `{name}`. */
  connected: string;
  /** Status after the connection dropped; `{seconds}`. */
  reconnectingIn: string;
  /** Shown in the messages when the connection dropped. */
  connectionLost: string;
  /** Shown in the messages once back. */
  reconnected: string;
  /** The button that reconnects at once. */
  retryNow: string;
  /** Shown after you left with `/quit`. */
  youLeft: string;
  /** A line typed while not connected. */
  notConnected: string;
  /** The tab title with unread mentions; `{count}`, `{title}`. */
  mentionTitle: string;
}

const WEB_EN: WebStrings = {
  joinHeading: "Join the chat",
  nameLabel: "Your name",
  nameHint: "1–24 letters, digits, _ - or .",
  joinButton: "Join",
  messagesLabel: "Messages",
  messageLabel: "Message",
  messagePlaceholder: "Message, or /help for commands",
  sendButton: "Send",
  membersHeading: "Online ({count})",
  you: "(you)",
  messageMember: "Send a private message to {name}",
  welcome:
    "Welcome, {name}! Type /help for commands; choose a name in the list to send a private message.",
  historyHeader: "Recent messages ({count}):",
  online: "Online ({count}): {names}",
  connecting: "Connecting…",
  connected: "Connected as {name}",
  reconnectingIn: "Connection lost. Reconnecting in {seconds} s…",
  connectionLost: "Connection lost; reconnecting by itself.",
  reconnected: "Reconnected.",
  retryNow: "Reconnect now",
  youLeft: "You left the chat.",
  notConnected: "Not connected: that message was not sent",
  mentionTitle: "({count}) {title}",
};

const WEB_PT: WebStrings = {
  joinHeading: "Entrar no chat",
  nameLabel: "Seu nome",
  nameHint: "1 a 24 letras, dígitos, _ - ou .",
  joinButton: "Entrar",
  messagesLabel: "Mensagens",
  messageLabel: "Mensagem",
  messagePlaceholder: "Mensagem, ou /help para ver os comandos",
  sendButton: "Enviar",
  membersHeading: "Online ({count})",
  you: "(você)",
  messageMember: "Enviar mensagem privada para {name}",
  welcome:
    "Bem-vindo(a), {name}! Digite /help para ver os comandos; escolha um nome na lista para enviar uma mensagem privada.",
  historyHeader: "Mensagens recentes ({count}):",
  online: "Online ({count}): {names}",
  connecting: "Conectando…",
  connected: "Conectado(a) como {name}",
  reconnectingIn: "Conexão perdida. Reconectando em {seconds} s…",
  connectionLost: "Conexão perdida; reconectando automaticamente.",
  reconnected: "Reconectado(a).",
  retryNow: "Reconectar agora",
  youLeft: "Você saiu do chat.",
  notConnected: "Sem conexão: essa mensagem não foi enviada",
  mentionTitle: "({count}) {title}",
};

/** Strings of the browser client by language. */
export const WEB_STRINGS: Readonly<Record<Lang, WebStrings>> = {
  en: WEB_EN,
  pt: WEB_PT,
};
