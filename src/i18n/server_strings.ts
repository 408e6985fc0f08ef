/**
 * What the server says to people: notices, errors, help, leave reasons, in
 * English and Brazilian Portuguese. Clients show the same texts for the
 * codes the server sends, so these are shared by every side.
 *
 * @module
 */

import { helpText } from "../protocol/commands.ts";
import { PROTOCOL_VERSION } from "../protocol/messages.ts";
import type {
  Lang,
  LeaveReason,
  ModeChange,
  NameErrorCode,
  RoomSummary,
  ServerMessage,
} from "../protocol/messages.ts";

/** Why a room name was refused (the shape codes of a user name). */
export type RoomNameErrorCode = Exclude<
  NameErrorCode,
  "reserved" | "taken" | "registered"
>;

/**
 * Why a room command was refused: each is an `error` code on the wire,
 * worded by {@linkcode Strings.roomError}.
 */
export type RoomErrorCode =
  | "no_room"
  | "no_such_room"
  | "not_in_room"
  | "key_needed"
  | "bad_key"
  | "bad_key_format"
  | "banned"
  | "not_op"
  | "too_many_rooms"
  | "server_rooms_full"
  | "not_member"
  | "not_banned"
  | "unchanged";

/** The strings of one language. */
export interface Strings {
  joined(name: string): string;
  left(name: string, reason: LeaveReason, detail?: string): string;
  renamed(from: string, to: string): string;
  /**
   * The welcome, with who is in your room and which room it is (`null`:
   * none). Members are given as shown (operators marked).
   */
  welcome(
    name: string,
    members: readonly string[],
    room?: string | null,
  ): string;
  online(members: readonly string[]): string;
  /** Someone already here joined a room. */
  joinedRoom(name: string, room: string): string;
  /**
   * A crowd arrived in the chat: the first `names` (a list, as shown) and
   * how many `others` (2 or more) with them.
   */
  joinedMany(names: string, others: string): string;
  /** A crowd joined a room: the first `names` and how many `others`. */
  joinedRoomMany(names: string, others: string, room: string): string;
  /** Someone left a room, with their reason if any. */
  partedRoom(name: string, room: string, reason?: string): string;
  /** Someone was kicked from a room. */
  kicked(name: string, room: string, by: string, reason?: string): string;
  /** A room's modes changed; `target` is the member for `o` and `b`. */
  modeChanged(
    by: string,
    change: ModeChange,
    room: string,
    target: string,
  ): string;
  /** Someone set a room's topic; `""` cleared it. */
  topicChanged(by: string, room: string, text: string): string;
  /** Answer to asking for a room's topic. */
  topicIs(room: string, text: string, by: string): string;
  /** A room has no topic. */
  noTopic(room: string): string;
  /** You joined a room; `members` as shown (operators marked). */
  youJoined(room: string, members: readonly string[]): string;
  /** You left a room. */
  youParted(room: string): string;
  /** Your current room changed (`null`: you are in none). */
  nowIn(room: string | null): string;
  /** Answer to `/rooms`. */
  roomList(rooms: readonly RoomSummary[], total: number): string;
  /** A room's bans, by name. */
  banList(room: string, names: readonly string[]): string;
  /** A room name was refused. */
  roomNameError(code: RoomNameErrorCode, name: string): string;
  /**
   * A room command was refused: `room` is the room it was about, `detail`
   * a name or a number where the code needs one.
   */
  roomError(code: RoomErrorCode, room: string, detail?: string): string;
  /** You became a server operator. */
  operGranted: string;
  /** `/oper` on a server without an operator password. */
  operNone: string;
  /** A wrong password was given. */
  badPassword: string;
  /** Asked of a plain user when the server has a password. */
  askPassword: string;
  /** The password was right: now the name. */
  passwordAccepted: string;
  nameError(code: NameErrorCode, name: string): string;
  askName: string;
  /**
   * The one line a plain connection gets from a server started with
   * `--require-tls`, before it is closed.
   */
  tlsRequired(port: number): string;
  ircTlsRequired(port: number): string;
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
  /** The line under a replayed history, before live messages. */
  historyEnd: string;
  /** Above the lines `/history` shows. */
  olderHeader(room: string, count: number): string;
  /** `/history` found nothing older. */
  noOlder(room: string): string;
  /** Under a page of `/history` when older lines exist. */
  moreHistory: string;
  /** Above the lines `/search` found. */
  searchHeader(room: string, words: string, count: number): string;
  /** `/search` found nothing. */
  searchNone(room: string, words: string): string;
  /** Under a page of `/search` when another may hold more. */
  moreSearch: string;
  /** `/search` alone with no search before it. */
  searchNeedsWords: string;
  /** A `history` request's `limit` or `before` out of range. */
  badHistoryPage(max: number): string;
  /** Told to server operators: storing the history failed. */
  storeFailing(reason: string): string;
  /** Told to server operators: the history is stored again. */
  storeResumed(dropped: number): string;
  /** Told to server operators with `/rooms`: Redis is away since `since` (UTC `HH:MM`). */
  clusterDegraded(since: string, waiting: number, dropped: number): string;
  /** Told to server operators with `/rooms`: the node is connected to the cluster. */
  clusterConnected(node: string): string;
  slowDown: string;
  dropped(count: number): string;
  badMessage(why: string): string;
  unsupportedVersion(version: number): string;
}

function _list(names: readonly string[]): string {
  return names.join(", ");
}

// One room of `/rooms`: its name, members, whether it has a key, topic.
function _roomLine(room: RoomSummary, key: string): string {
  const locked = room.key ? ` (${key})` : "";
  const topic = room.topic ? `: ${room.topic}` : "";
  return `  ${room.room} (${room.members})${locked}${topic}`;
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
  password: "wrong or missing password",
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
  password: "senha errada ou ausente",
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
  welcome: (name, members, room) =>
    room === null
      ? `Welcome, ${name}! You are in no room: /join #room to talk. Type /help for commands.`
      : `Welcome, ${name}! Online (${members.length}): ${
        _someOf(members, (n) => `and ${n} more (/who lists everyone)`)
      }. ${
        room === undefined ? "Type" : `You are in ${room}; type`
      } /help for commands.`,
  online: (members) => `Online (${members.length}): ${_list(members)}`,
  joinedRoom: (name, room) => `${name} joined ${room}`,
  joinedMany: (names, others) =>
    `${names} and ${others} others joined the chat!`,
  joinedRoomMany: (names, others, room) =>
    `${names} and ${others} others joined ${room}`,
  partedRoom: (name, room, reason) =>
    reason ? `${name} left ${room} (${reason})` : `${name} left ${room}`,
  kicked: (name, room, by, reason) =>
    `${name} was kicked from ${room} by ${by}${reason ? ` (${reason})` : ""}`,
  modeChanged: (by, change, room, target) => {
    switch (change) {
      case "+o":
        return `${by} made ${target} an operator of ${room}`;
      case "-o":
        return `${by} took operator away from ${target} in ${room}`;
      case "+v":
        return `${by} gave ${target} voice in ${room}`;
      case "-v":
        return `${by} took voice away from ${target} in ${room}`;
      case "+k":
        return `${by} set a key on ${room}: joining it needs the key`;
      case "-k":
        return `${by} removed the key of ${room}`;
      case "+b":
        return `${by} banned ${target} from ${room}`;
      case "-b":
        return `${by} lifted the ban on ${target} in ${room}`;
      case "+t":
        return `${by} locked the topic of ${room}: only operators may change it`;
      case "-t":
        return `${by} unlocked the topic of ${room}`;
    }
  },
  topicChanged: (by, room, text) =>
    text === ""
      ? `${by} cleared the topic of ${room}`
      : `${by} set the topic of ${room}: ${text}`,
  topicIs: (room, text, by) => `Topic of ${room}: ${text} (set by ${by})`,
  noTopic: (room) => `${room} has no topic`,
  youJoined: (room, members) =>
    `You joined ${room}. Online (${members.length}): ${
      _someOf(members, (n) => `and ${n} more (/who lists everyone)`)
    }.`,
  youParted: (room) => `You left ${room}`,
  nowIn: (room) =>
    room === null
      ? "You are in no room now: /join #room to talk"
      : `You are now in ${room}: what you type goes there`,
  roomList: (rooms, total) =>
    [
      total > rooms.length
        ? `Rooms (${total}, the ${rooms.length} with most members):`
        : `Rooms (${total}):`,
      ...rooms.map((room) => _roomLine(room, "key")),
    ].join("\n"),
  banList: (room, names) =>
    names.length === 0
      ? `Nobody is banned from ${room}`
      : `Banned from ${room} (${names.length}): ${_list(names)}`,
  roomNameError: (code, name) => {
    switch (code) {
      case "empty":
        return `"${name}" is not a room name: write # and then its name`;
      case "too_long":
        return `The room name "${name}" is too long: at most 32 characters after the #`;
      case "invalid_chars":
        return `"${name}" is not a room name: # then letters, digits, _ - and . (not ending in .)`;
      case "mixed_scripts":
        return `The room name "${name}" mixes alphabets (such as Latin and Cyrillic): use one`;
    }
  },
  roomError: (code, room, detail = "") => {
    switch (code) {
      case "no_room":
        return "You are in no room: /join #room to talk";
      case "no_such_room":
        return `There is no room ${room}; /rooms lists them`;
      case "not_in_room":
        return `You are not in ${room}; /join ${room} first`;
      case "key_needed":
        return `${room} needs a key: /join ${room} <key>`;
      case "bad_key":
        return `Wrong key for ${room}`;
      case "bad_key_format":
        return "A key is 1 to 64 characters, without spaces";
      case "banned":
        return `You are banned from ${room}`;
      case "not_op":
        return `Only operators of ${room} may do that`;
      case "too_many_rooms":
        return `You are in ${detail} rooms, the most allowed: /part one first`;
      case "server_rooms_full":
        return `The server has ${detail} rooms, the most it allows: join one of them (/rooms)`;
      case "not_member":
        return `There is no one named "${detail}" in ${room}; see /who`;
      case "not_banned":
        return `"${detail}" is not banned from ${room}`;
      case "unchanged":
        return "Nothing to change: it is so already";
    }
  },
  operGranted:
    "You are a server operator now: you may do what room operators do, in every room",
  operNone: "This server has no operator password",
  badPassword: "Wrong password",
  askPassword: "Welcome to chat! This server needs a password:",
  passwordAccepted: "Password accepted. What is your name?",
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
      case "registered":
        return `The name "${name}" is registered to another key`;
    }
  },
  askName: "Welcome to chat! What is your name?",
  tlsRequired: (port) =>
    `This server takes encrypted connections only: use chat join, ncat --ssl HOST ${port} or openssl s_client -connect HOST:${port}`,
  ircTlsRequired: (port) =>
    `Port ${port} takes IRC over TLS only: turn TLS on in your client`,
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
  historyEnd: "—— end of recent messages ——",
  olderHeader: (room, count) => `Older messages of ${room} (${count}):`,
  noOlder: (room) => `No older messages in ${room}`,
  moreHistory: "/history shows older ones",
  searchHeader: (room, words, count) =>
    `Found in ${room} for "${words}", newest first (${count}):`,
  searchNone: (room, words) => `Nothing found in ${room} for "${words}"`,
  moreSearch: "/search alone shows more",
  searchNeedsWords: "What should I look for? /search <words>",
  badHistoryPage: (max) =>
    `A history page is 1 to ${max} lines, before a line id of 1 or more`,
  storeFailing: (reason) =>
    `The history is not being saved (${reason}); the chat goes on and new messages wait in memory`,
  storeResumed: (dropped) =>
    dropped === 0
      ? "The history is being saved again; nothing was lost"
      : `The history is being saved again; ${dropped} messages that waited were not kept`,
  clusterDegraded: (since, waiting, dropped) =>
    `Cluster degraded since ${since} UTC (Redis unreachable): ${waiting} entries waiting, ${dropped} dropped`,
  clusterConnected: (node) => `Cluster connected (node ${node})`,
  slowDown:
    "Slow down: you are sending too fast, so your lines are being dropped",
  dropped: (count) =>
    count === 1
      ? "1 message was not sent: you were sending too fast"
      : `${count} messages were not sent: you were sending too fast`,
  badMessage: (why) => `Ignored a message the server could not read: ${why}`,
  unsupportedVersion: (version) =>
    version < PROTOCOL_VERSION
      ? `This server speaks version ${PROTOCOL_VERSION} of the chat protocol, not ${version}: please upgrade chat`
      : `This server speaks version ${PROTOCOL_VERSION} of the chat protocol, not ${version}: use a chat as old as the server`,
};

const PT: Strings = {
  joined: (name) => `${name} entrou no chat!`,
  left: (name, reason, detail) =>
    `${name} saiu do chat! (${_reason(LEAVE_PT, reason, detail)})`,
  renamed: (from, to) => `${from} agora se chama ${to}`,
  welcome: (name, members, room) =>
    room === null
      ? `Bem-vindo(a), ${name}! Você não está em nenhuma sala: /join #sala para conversar. Digite /help para ver os comandos.`
      : `Bem-vindo(a), ${name}! Online (${members.length}): ${
        _someOf(members, (n) => `e mais ${n} (/who mostra todos)`)
      }. ${
        room === undefined ? "Digite" : `Você está em ${room}; digite`
      } /help para ver os comandos.`,
  online: (members) => `Online (${members.length}): ${_list(members)}`,
  joinedRoom: (name, room) => `${name} entrou em ${room}`,
  joinedMany: (names, others) => `${names} e mais ${others} entraram no chat!`,
  joinedRoomMany: (names, others, room) =>
    `${names} e mais ${others} entraram em ${room}`,
  partedRoom: (name, room, reason) =>
    reason ? `${name} saiu de ${room} (${reason})` : `${name} saiu de ${room}`,
  kicked: (name, room, by, reason) =>
    `${name} foi expulso(a) de ${room} por ${by}${
      reason ? ` (${reason})` : ""
    }`,
  modeChanged: (by, change, room, target) => {
    switch (change) {
      case "+o":
        return `${by} tornou ${target} operador(a) de ${room}`;
      case "-o":
        return `${by} tirou ${target} de operador(a) de ${room}`;
      case "+v":
        return `${by} deu voz a ${target} em ${room}`;
      case "-v":
        return `${by} tirou a voz de ${target} em ${room}`;
      case "+k":
        return `${by} pôs uma chave em ${room}: para entrar é preciso a chave`;
      case "-k":
        return `${by} tirou a chave de ${room}`;
      case "+b":
        return `${by} baniu ${target} de ${room}`;
      case "-b":
        return `${by} desfez o banimento de ${target} em ${room}`;
      case "+t":
        return `${by} travou o assunto de ${room}: só operadores o mudam`;
      case "-t":
        return `${by} destravou o assunto de ${room}`;
    }
  },
  topicChanged: (by, room, text) =>
    text === ""
      ? `${by} apagou o assunto de ${room}`
      : `${by} mudou o assunto de ${room}: ${text}`,
  topicIs: (room, text, by) => `Assunto de ${room}: ${text} (posto por ${by})`,
  noTopic: (room) => `${room} não tem assunto`,
  youJoined: (room, members) =>
    `Você entrou em ${room}. Online (${members.length}): ${
      _someOf(members, (n) => `e mais ${n} (/who mostra todos)`)
    }.`,
  youParted: (room) => `Você saiu de ${room}`,
  nowIn: (room) =>
    room === null
      ? "Você não está em nenhuma sala agora: /join #sala para conversar"
      : `Agora você está em ${room}: o que você digita vai para lá`,
  roomList: (rooms, total) =>
    [
      total > rooms.length
        ? `Salas (${total}, as ${rooms.length} com mais membros):`
        : `Salas (${total}):`,
      ...rooms.map((room) => _roomLine(room, "chave")),
    ].join("\n"),
  banList: (room, names) =>
    names.length === 0
      ? `Ninguém está banido de ${room}`
      : `Banidos de ${room} (${names.length}): ${_list(names)}`,
  roomNameError: (code, name) => {
    switch (code) {
      case "empty":
        return `"${name}" não é nome de sala: escreva # e depois o nome`;
      case "too_long":
        return `O nome de sala "${name}" é longo demais: no máximo 32 caracteres depois do #`;
      case "invalid_chars":
        return `"${name}" não é nome de sala: # e depois letras, dígitos, _ - e . (sem terminar em .)`;
      case "mixed_scripts":
        return `O nome de sala "${name}" mistura alfabetos (como latino e cirílico): use um só`;
    }
  },
  roomError: (code, room, detail = "") => {
    switch (code) {
      case "no_room":
        return "Você não está em nenhuma sala: /join #sala para conversar";
      case "no_such_room":
        return `Não existe a sala ${room}; /rooms mostra as salas`;
      case "not_in_room":
        return `Você não está em ${room}; primeiro /join ${room}`;
      case "key_needed":
        return `${room} tem chave: /join ${room} <chave>`;
      case "bad_key":
        return `Chave errada para ${room}`;
      case "bad_key_format":
        return "Uma chave tem de 1 a 64 caracteres, sem espaços";
      case "banned":
        return `Você está banido(a) de ${room}`;
      case "not_op":
        return `Só operadores de ${room} podem fazer isso`;
      case "too_many_rooms":
        return `Você está em ${detail} salas, o máximo permitido: saia de uma primeiro (/part)`;
      case "server_rooms_full":
        return `O servidor tem ${detail} salas, o máximo que permite: entre em uma delas (/rooms)`;
      case "not_member":
        return `Não há ninguém chamado "${detail}" em ${room}; veja /who`;
      case "not_banned":
        return `"${detail}" não está banido(a) de ${room}`;
      case "unchanged":
        return "Nada a mudar: já está assim";
    }
  },
  operGranted:
    "Agora você é operador(a) do servidor: pode fazer o que operadores de sala fazem, em todas as salas",
  operNone: "Este servidor não tem senha de operador",
  badPassword: "Senha errada",
  askPassword: "Bem-vindo(a) ao chat! Este servidor pede uma senha:",
  passwordAccepted: "Senha aceita. Qual é o seu nome?",
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
      case "registered":
        return `O nome "${name}" está registrado para outra chave`;
    }
  },
  askName: "Bem-vindo(a) ao chat! Qual é o seu nome?",
  tlsRequired: (port) =>
    `Este servidor aceita só conexões criptografadas: use chat join, ncat --ssl HOST ${port} ou openssl s_client -connect HOST:${port}`,
  ircTlsRequired: (port) =>
    `A porta ${port} aceita só IRC com TLS: ative o TLS no seu cliente`,
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
  historyEnd: "—— fim das mensagens recentes ——",
  olderHeader: (room, count) => `Mensagens mais antigas de ${room} (${count}):`,
  noOlder: (room) => `Não há mensagens mais antigas em ${room}`,
  moreHistory: "/history mostra as mais antigas",
  searchHeader: (room, words, count) =>
    `Encontradas em ${room} para "${words}", as mais novas primeiro (${count}):`,
  searchNone: (room, words) => `Nada encontrado em ${room} para "${words}"`,
  moreSearch: "/search sozinho mostra mais",
  searchNeedsWords: "Procurar o quê? /search <palavras>",
  badHistoryPage: (max) =>
    `Uma página de histórico tem de 1 a ${max} linhas, antes de um id de linha de 1 ou mais`,
  storeFailing: (reason) =>
    `O histórico não está sendo salvo (${reason}); o chat continua e as mensagens novas esperam na memória`,
  storeResumed: (dropped) =>
    dropped === 0
      ? "O histórico voltou a ser salvo; nada se perdeu"
      : `O histórico voltou a ser salvo; ${dropped} mensagens que esperavam não foram guardadas`,
  clusterDegraded: (since, waiting, dropped) =>
    `Cluster degradado desde ${since} UTC (Redis inacessível): ${waiting} entradas esperando, ${dropped} descartadas`,
  clusterConnected: (node) => `Cluster conectado (nó ${node})`,
  slowDown:
    "Mais devagar: você está enviando rápido demais, e suas linhas estão sendo descartadas",
  dropped: (count) =>
    count === 1
      ? "1 mensagem não foi enviada: você estava enviando rápido demais"
      : `${count} mensagens não foram enviadas: você estava enviando rápido demais`,
  badMessage: (why) => `Mensagem ignorada, o servidor não a entendeu: ${why}`,
  unsupportedVersion: (version) =>
    version < PROTOCOL_VERSION
      ? `Este servidor fala a versão ${PROTOCOL_VERSION} do protocolo do chat, não a ${version}: atualize o chat`
      : `Este servidor fala a versão ${PROTOCOL_VERSION} do protocolo do chat, não a ${version}: use um chat da mesma versão que o servidor`,
};

/** The room events a notice tells: joins, parts, kicks, modes and topics. */
export type RoomEvent = Extract<
  ServerMessage,
  { type: "join" | "part" | "kick" | "mode" | "topic" }
>;

/**
 * The notice a room event makes, worded in one language; every text the
 * event carries (names, the room, reasons, the topic) goes through `show`
 * first, so a client can sanitise and isolate it.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { roomEventText, STRINGS } from "./server_strings.ts";
 *
 * assertEquals(
 *   roomEventText(STRINGS.en, { type: "part", room: "#games", name: "bob", time: 0 }),
 *   "bob left #games",
 * );
 * ```
 *
 * @param strings The language's strings.
 * @param event The event.
 * @param show Applied to each text of the event.
 * @returns The notice.
 */
export function roomEventText(
  strings: Strings,
  event: RoomEvent,
  show: (text: string) => string = (text) => text,
): string {
  const room = show(event.room);
  const reason = (text: string | undefined) =>
    text === undefined ? undefined : show(text);
  switch (event.type) {
    case "join": {
      if (event.others === undefined || event.others.length === 0) {
        return event.arrived
          ? strings.joined(show(event.name))
          : strings.joinedRoom(show(event.name), room);
      }
      // A crowd: the first two and how many more, or all of up to three.
      const all = [event.name, ...event.others];
      const shown = all.length > 3 ? all.slice(0, 2) : all;
      const names = _list(shown.map(show));
      const more = String(all.length - shown.length);
      if (shown.length === all.length) {
        return event.arrived
          ? strings.joined(names)
          : strings.joinedRoom(names, room);
      }
      return event.arrived
        ? strings.joinedMany(names, more)
        : strings.joinedRoomMany(names, more, room);
    }
    case "part":
      return strings.partedRoom(show(event.name), room, reason(event.reason));
    case "kick":
      return strings.kicked(
        show(event.name),
        room,
        show(event.by),
        reason(event.reason),
      );
    case "mode":
      return strings.modeChanged(
        show(event.by),
        event.change,
        room,
        show(event.target ?? ""),
      );
    case "topic":
      return event.asked
        ? strings.topicIs(room, show(event.text), show(event.by))
        : strings.topicChanged(show(event.by), room, show(event.text));
  }
}

/**
 * Names as member lists show them: each operator's with `@` before it, and
 * each other member with voice with `+`, as IRC does (a name cannot hold
 * `@` or start with `+`).
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { markOperators } from "./server_strings.ts";
 *
 * assertEquals(markOperators(["ana", "bob"], ["bob"]), ["ana", "@bob"]);
 * assertEquals(markOperators(["ana", "bob"], ["bob"], ["ana", "bob"]), ["+ana", "@bob"]);
 * ```
 *
 * @param names The names, in order.
 * @param ops The names of the operators among them.
 * @param voiced The names of the members with voice among them.
 * @returns The names, operators and members with voice marked.
 */
export function markOperators(
  names: readonly string[],
  ops: readonly string[],
  voiced: readonly string[] = [],
): string[] {
  if (ops.length === 0 && voiced.length === 0) return [...names];
  const marked = new Set(ops);
  const voices = new Set(voiced);
  return names.map((name) =>
    marked.has(name) ? `@${name}` : voices.has(name) ? `+${name}` : name
  );
}

/** Strings by language. */
export const STRINGS: Readonly<Record<Lang, Strings>> = { en: EN, pt: PT };
