/**
 * What the terminal client (`chat join`) says, in English and Brazilian
 * Portuguese.
 *
 * @module
 */

import type { Lang } from "../protocol/messages.ts";

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
  /** The server went away mid-session; the client tries again. */
  reconnecting(address: string, seconds: number): string;
  /** Another attempt to reconnect failed. */
  stillOffline(seconds: number): string;
  /** Back, but the lost connection still holds the name on the server. */
  nameStillHeld(name: string, seconds: number): string;
  /** Back in the chat; `missed` lines were said meanwhile (shown next). */
  reconnected(address: string, missed: number): string;
  /** Ctrl-C dropped lines that were waiting for the flood limit. */
  notSent(count: number): string;
  /** A typed line is longer than the server takes: it was kept, not sent. */
  lineTooLong(bytes: number, max: number): string;
  /** In the prompt: lines waiting for the flood limit. */
  promptWaiting(count: number): string;
  /** In the prompt: not connected. */
  promptOffline: string;
  /** Asked, without echo, when the server needs a password. */
  passwordPrompt: string;
  /** The server needs a password and none was given, without a terminal. */
  passwordRequired(address: string): string;
  /** The password given (flag or typed) was refused. */
  passwordWrong(address: string): string;
}

/** A count and the noun that goes with it: `1 line`, `3 lines`. */
function _count(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
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
  reconnecting: (address, seconds) =>
    `Lost the connection to the server at ${address}; reconnecting in ${
      _seconds(seconds)
    } s (what you type is kept)`,
  stillOffline: (seconds) =>
    `Still cannot reach the server; trying again in ${_seconds(seconds)} s`,
  nameStillHeld: (name, seconds) =>
    `The name ${name} is still held by the lost connection; trying again in ${
      _seconds(seconds)
    } s`,
  reconnected: (address, missed) =>
    `Reconnected to ${address}` +
    (missed === 0
      ? ""
      : `; ${_count(missed, "message", "messages")} while you were away:`),
  notSent: (count) =>
    `${_count(count, "waiting line was", "waiting lines were")} not sent`,
  lineTooLong: (bytes, max) =>
    `That line is ${bytes} bytes, more than the ${max} the server takes: it was not sent; shorten it or split it`,
  promptWaiting: (count) => `${count} waiting`,
  promptOffline: "offline",
  passwordPrompt: "This server needs a password (not shown as you type):",
  passwordRequired: (address) =>
    `Cannot join ${address}: the server needs a password; give it with --password SECRET`,
  passwordWrong: (address) =>
    `Cannot join ${address}: wrong password; check it with whoever runs the server (chat join --password SECRET)`,
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
  reconnecting: (address, seconds) =>
    `A conexão com o servidor em ${address} caiu; reconectando em ${
      _seconds(seconds)
    } s (o que você digita fica guardado)`,
  stillOffline: (seconds) =>
    `Ainda sem conexão com o servidor; nova tentativa em ${
      _seconds(seconds)
    } s`,
  nameStillHeld: (name, seconds) =>
    `O nome ${name} ainda está com a conexão perdida; nova tentativa em ${
      _seconds(seconds)
    } s`,
  reconnected: (address, missed) =>
    `Reconectado a ${address}` +
    (missed === 0
      ? ""
      : `; ${
        _count(missed, "mensagem", "mensagens")
      } enquanto você estava fora:`),
  notSent: (count) =>
    `${
      _count(count, "linha na fila não foi", "linhas na fila não foram")
    } enviada${count === 1 ? "" : "s"}`,
  lineTooLong: (bytes, max) =>
    `Essa linha tem ${bytes} bytes, mais do que os ${max} que o servidor aceita: não foi enviada; encurte-a ou divida-a`,
  promptWaiting: (count) => `${count} na fila`,
  promptOffline: "sem conexão",
  passwordPrompt: "Este servidor pede uma senha (não aparece ao digitar):",
  passwordRequired: (address) =>
    `Não foi possível entrar em ${address}: o servidor pede uma senha; informe-a com --password SENHA`,
  passwordWrong: (address) =>
    `Não foi possível entrar em ${address}: senha errada; confira com quem roda o servidor (chat join --password SENHA)`,
};

/** Strings of the terminal client by language. */
export const CLIENT_STRINGS: Readonly<Record<Lang, ClientStrings>> = {
  en: CLIENT_EN,
  pt: CLIENT_PT,
};
