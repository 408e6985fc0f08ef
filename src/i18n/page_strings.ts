/**
 * What the page (the browser client) says, in English and Brazilian
 * Portuguese.
 *
 * @module
 */

import type { Lang } from "../protocol/messages.ts";

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
  /**
   * A line longer than the server takes, refused before sending and kept
   * in the box; `{bytes}`, `{limit}`.
   */
  lineTooLong: string;
  /** Hint on your line that waits for the flood limit. */
  pending: string;
  /** Hint on your line that never went out. */
  unsent: string;
  /** Your waiting lines were dropped with the connection; `{count}`. */
  unsentLines: string;
  /** The tab title with unread mentions; `{count}`, `{title}`. */
  mentionTitle: string;
  /** Label of the password field, shown when the server has a password. */
  passwordLabel: string;
  /** In the bar: the page's connection is encrypted (HTTPS, WSS). */
  encrypted: string;
  /** In the bar: the page's connection is not encrypted (HTTP). */
  notEncrypted: string;
  /** With a self-signed identity: `{fingerprint}` to compare. */
  fingerprintHint: string;
  /** Answer to `/rooms`; `{count}`, `{rooms}` (each `#room (members)`). */
  roomList: string;
  /** Heading of the room list, and the button that opens it on a phone. */
  roomsHeading: string;
  /** Said by screen readers for a room's unread count; `{count}`. */
  unreadLabel: string;
  /** Said by screen readers for a room's mention count; `{count}`. */
  mentionsLabel: string;
  /** Label of the "join or create" room field. */
  joinRoomLabel: string;
  /** Placeholder of the room field. */
  joinRoomPlaceholder: string;
  /** Label of the optional key field next to it. */
  roomKeyLabel: string;
  /** The button that joins or creates the room. */
  joinRoomButton: string;
  /** Shown above the messages when the current room has no topic. */
  noTopic: string;
  /** Said by screen readers after an operator's name (shown as `@`). */
  operator: string;
  /** Said by screen readers after the name of a member with voice (`+`). */
  voice: string;
  /** Heading of the page's keyboard shortcuts (in /help and the room list). */
  shortcutsHeading: string;
  /** What Alt+Up and Alt+Down do. */
  shortcutMove: string;
  /** What Alt+1 to Alt+9 do. */
  shortcutJump: string;
  /** What Escape does in the open room drawer. */
  shortcutClose: string;
  /**
   * The separator before what was said in a room since you left (a
   * claimed name coming back); `{count}`, `{room}`.
   */
  sinceYouLeft: string;
  /** Above the divider after the lines a room replays when you join it. */
  earlierMessages: string;
  /** Below that divider: what was said after you joined. */
  sinceYouJoined: string;
  /** The button at the top of the messages that asks for older ones. */
  loadEarlier: string;
  /** That button while they are on their way. */
  loadingEarlier: string;
  /** At the top of the messages once the first is shown; `{room}`. */
  historyStart: string;
  /** Label of the search field (it searches the room in view). */
  searchLabel: string;
  /** Placeholder of the search field. */
  searchPlaceholder: string;
  /** The button that searches. */
  searchButton: string;
  /** Heading of the search results; `{words}`, `{room}`. */
  searchHeading: string;
  /** While the server searches. */
  searching: string;
  /** How many were found, all shown; `{count}`. */
  searchFound: string;
  /** How many are shown, older ones left to ask for; `{count}`. */
  searchFoundMore: string;
  /** Nothing found; `{words}`, `{room}`. */
  searchNone: string;
  /** The server refused the search; `{text}` says why. */
  searchFailed: string;
  /** Why a search asked for while not connected failed (in `searchFailed`). */
  searchOffline: string;
  /** The button that asks for older results. */
  searchMore: string;
  /** The button that closes the results and shows the chat again. */
  searchBack: string;
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
  lineTooLong:
    "That line is too long to send: {bytes} bytes, and the server takes at most {limit}. It is still in the box, to shorten.",
  pending: "Waiting: sent as soon as the flood limit allows",
  unsent: "Not sent",
  unsentLines:
    "The connection was lost before {count} waiting line(s) went out: they were not sent",
  mentionTitle: "({count}) {title}",
  passwordLabel: "The server's password",
  encrypted: "Encrypted",
  notEncrypted: "Not encrypted",
  fingerprintHint:
    "Server fingerprint {fingerprint}: compare it with the one chat serve printed",
  roomList: "Rooms ({count}): {rooms}",
  roomsHeading: "Rooms",
  unreadLabel: "{count} unread",
  mentionsLabel: "{count} mentioning you",
  joinRoomLabel: "Join or create a room",
  joinRoomPlaceholder: "#room",
  roomKeyLabel: "Key (if the room has one)",
  joinRoomButton: "Join",
  noTopic: "No topic",
  operator: "operator",
  voice: "voice",
  shortcutsHeading: "Keys of the page",
  shortcutMove: "previous or next room",
  shortcutJump: "room 1 to 9 of the list",
  shortcutClose: "closes the room list on a phone, or the search",
  earlierMessages: "Earlier messages",
  sinceYouJoined: "Since you joined",
  loadEarlier: "Show earlier messages",
  loadingEarlier: "Loading earlier messages…",
  historyStart: "This is the start of {room}.",
  searchLabel: "Search the messages of this room",
  searchPlaceholder: "Search this room",
  searchButton: "Search",
  searchHeading: "“{words}” in {room}",
  searching: "Searching…",
  searchFound: "{count} found, newest first.",
  searchFoundMore: "{count} found so far, newest first; older ones below.",
  searchNone: "Nothing in {room} matches “{words}”.",
  searchFailed: "The search failed: {text}",
  searchOffline: "not connected",
  searchMore: "Older results",
  searchBack: "Back to the chat",
  sinceYouLeft: "Since you left ({count}) in {room}:",
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
  lineTooLong:
    "Essa linha é longa demais para enviar: {bytes} bytes, e o servidor aceita no máximo {limit}. Ela continua na caixa, para você encurtar.",
  pending: "Aguardando: vai assim que o limite de mensagens permitir",
  unsent: "Não enviada",
  unsentLines:
    "A conexão caiu antes de {count} linha(s) em espera sair(em): elas não foram enviadas",
  mentionTitle: "({count}) {title}",
  passwordLabel: "A senha do servidor",
  encrypted: "Criptografada",
  notEncrypted: "Sem criptografia",
  fingerprintHint:
    "Impressão digital do servidor {fingerprint}: compare-a com a que o chat serve mostrou",
  roomList: "Salas ({count}): {rooms}",
  roomsHeading: "Salas",
  unreadLabel: "{count} não lida(s)",
  mentionsLabel: "{count} mencionando você",
  joinRoomLabel: "Entrar ou criar uma sala",
  joinRoomPlaceholder: "#sala",
  roomKeyLabel: "Chave (se a sala tiver uma)",
  joinRoomButton: "Entrar",
  noTopic: "Sem tópico",
  operator: "operador(a)",
  voice: "com voz",
  shortcutsHeading: "Teclas da página",
  shortcutMove: "sala anterior ou seguinte",
  shortcutJump: "sala 1 a 9 da lista",
  shortcutClose: "fecha a lista de salas no celular, ou a busca",
  earlierMessages: "Mensagens anteriores",
  sinceYouJoined: "Desde que você entrou",
  loadEarlier: "Mostrar mensagens anteriores",
  loadingEarlier: "Carregando mensagens anteriores…",
  historyStart: "Este é o começo de {room}.",
  searchLabel: "Buscar nas mensagens desta sala",
  searchPlaceholder: "Buscar nesta sala",
  searchButton: "Buscar",
  searchHeading: "“{words}” em {room}",
  searching: "Buscando…",
  searchFound: "{count} encontrada(s), das mais novas às mais antigas.",
  searchFoundMore:
    "{count} encontrada(s) até agora, das mais novas às mais antigas; há mais antigas abaixo.",
  searchNone: "Nada em {room} corresponde a “{words}”.",
  searchFailed: "A busca falhou: {text}",
  searchOffline: "sem conexão",
  searchMore: "Resultados mais antigos",
  searchBack: "Voltar ao chat",
  sinceYouLeft: "Desde que você saiu ({count}) em {room}:",
};

/** Strings of the browser client by language. */
export const WEB_STRINGS: Readonly<Record<Lang, WebStrings>> = {
  en: WEB_EN,
  pt: WEB_PT,
};
