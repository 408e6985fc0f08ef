/**
 * What the server says to people: notices, errors, help, leave reasons, in
 * English and Brazilian Portuguese. Clients show the same texts for the
 * codes the server sends, so these are shared by every side.
 *
 * @module
 */

import { helpText } from "../protocol/commands.ts";
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
  replyTargetLeft(name: string): string;
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
  dropped(count: number): string;
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

// Generated from the command table, so /help lists what parseCommand reads.
const HELP_EN = helpText("en", { title: "Commands:", also: "also" });

const HELP_PT = helpText("pt", { title: "Comandos:", also: "também" });

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
  // Not "saiu": the line already says "ana saiu do chat!".
  quit: "pediu para sair",
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
        return name.endsWith(".")
          ? `The name "${name}" is not allowed: it may not end with .`
          : `The name "${name}" is not allowed: use letters, digits, _ - and . only`;
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
  replyTargetLeft: (name) =>
    `${name} has left the chat, so there is no one to reply to`,
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
  slowDown:
    "Slow down: you are sending too fast, so your lines are being dropped",
  dropped: (count) =>
    count === 1
      ? "1 message was not sent: you were sending too fast"
      : `${count} messages were not sent: you were sending too fast`,
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
        return name.endsWith(".")
          ? `O nome "${name}" não é permitido: não pode terminar em .`
          : `O nome "${name}" não é permitido: use só letras, dígitos, _ - e .`;
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
  replyTargetLeft: (name) =>
    `${name} saiu do chat, então não há a quem responder`,
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
    "Mais devagar: você está enviando rápido demais, e suas linhas estão sendo descartadas",
  dropped: (count) =>
    count === 1
      ? "1 mensagem não foi enviada: você estava enviando rápido demais"
      : `${count} mensagens não foram enviadas: você estava enviando rápido demais`,
  badMessage: (why) => `Mensagem ignorada, o servidor não a entendeu: ${why}`,
  unsupportedVersion: (version) =>
    `Este servidor fala a versão 1 do protocolo, não a ${version}: atualize o chat`,
};

/** Strings by language. */
export const STRINGS: Readonly<Record<Lang, Strings>> = { en: EN, pt: PT };
