/**
 * What `chat join` says about a server's identity (first contact, a
 * changed identity, a failed handshake), in English and Brazilian
 * Portuguese.
 *
 * @module
 */

import type { Lang } from "../protocol/messages.ts";

/** The strings about a server's identity, in one language. */
export interface TrustStrings {
  /** First contact: what is shown before the question. */
  firstContact(address: string, fingerprint: string): string;
  /** The question, as ssh asks it; answered with {@linkcode TrustStrings.yes}. */
  trustPrompt(address: string, fingerprint: string): string;
  /** Answers that mean yes, lower case. */
  yes: readonly string[];
  /** Answers that mean no, lower case. */
  no: readonly string[];
  /** Asked again after an answer that was neither. */
  yesOrNo: string;
  /** The question was answered no. */
  declined(address: string): string;
  /** First contact without a terminal to ask on. */
  unknownServer(address: string, fingerprint: string): string;
  /** `--fingerprint` names another certificate. */
  mismatch(address: string, expected: string, actual: string): string;
  /** The server's identity is not the one kept: the loud warning, lines. */
  changed(
    address: string,
    known: string,
    actual: string,
    file: string,
    line: number,
  ): string;
  /** The TLS handshake failed. */
  tlsFailed(address: string, detail: string): string;
  /** The server was trusted and kept. */
  remembered(address: string, file: string): string;
}

const TRUST_EN: TrustStrings = {
  firstContact: (address, fingerprint) =>
    `The identity of chat server ${address} is not known yet. Its fingerprint is\n  ${fingerprint}\nCompare it with the one "chat serve" printed where the server runs.`,
  trustPrompt: (address, fingerprint) =>
    `Trust chat server ${address} with fingerprint ${fingerprint} ? (yes/no) `,
  yes: ["yes", "y"],
  no: ["no", "n"],
  yesOrNo: "Please type yes or no: ",
  declined: (address) =>
    `Not joining ${address}: its identity was not trusted; nothing was sent`,
  unknownServer: (address, fingerprint) =>
    `Cannot join ${address}: its identity is not known (fingerprint ${fingerprint}); compare it with the one "chat serve" printed, then join with --fingerprint ${fingerprint}, or with --trust-new to trust a server met for the first time; nothing was sent`,
  mismatch: (address, expected, actual) =>
    `Cannot join ${address}: its fingerprint is ${actual}, not ${expected} as --fingerprint says; it may be another server, or an attack; nothing was sent`,
  changed: (address, known, actual, file, line) =>
    [
      `@@@ WARNING: THE IDENTITY OF CHAT SERVER ${address} HAS CHANGED @@@`,
      "This may be an attack: someone between you and the server may be",
      "pretending to be it, to read what you send (a man in the middle).",
      "Or the server was given a new identity (a new data folder, a reinstall).",
      `Known fingerprint: ${known}`,
      `Fingerprint now:   ${actual}`,
      "Nothing was sent. If you know the change is expected, remove line",
      `${line} of ${file} and join again.`,
    ].join("\n"),
  tlsFailed: (address, detail) =>
    `Cannot connect to ${address} securely: ${detail}; is it a chat server, and is the port right?`,
  remembered: (address, file) => `Trusted ${address}; kept in ${file}`,
};

const TRUST_PT: TrustStrings = {
  firstContact: (address, fingerprint) =>
    `A identidade do servidor de chat ${address} ainda não é conhecida. A impressão digital dele é\n  ${fingerprint}\nCompare-a com a que o "chat serve" mostrou onde o servidor roda.`,
  trustPrompt: (address, fingerprint) =>
    `Confiar no servidor de chat ${address} com impressão digital ${fingerprint} ? (sim/não) `,
  yes: ["sim", "s", "yes", "y"],
  no: ["não", "nao", "n", "no"],
  yesOrNo: "Digite sim ou não: ",
  declined: (address) =>
    `Sem entrar em ${address}: a identidade dele não foi aceita; nada foi enviado`,
  unknownServer: (address, fingerprint) =>
    `Não foi possível entrar em ${address}: a identidade dele não é conhecida (impressão digital ${fingerprint}); compare-a com a que o "chat serve" mostrou e entre com --fingerprint ${fingerprint}, ou com --trust-new para confiar num servidor visto pela primeira vez; nada foi enviado`,
  mismatch: (address, expected, actual) =>
    `Não foi possível entrar em ${address}: a impressão digital dele é ${actual}, não ${expected} como diz --fingerprint; pode ser outro servidor, ou um ataque; nada foi enviado`,
  changed: (address, known, actual, file, line) =>
    [
      `@@@ ATENÇÃO: A IDENTIDADE DO SERVIDOR DE CHAT ${address} MUDOU @@@`,
      "Pode ser um ataque: alguém entre você e o servidor pode estar se",
      "passando por ele para ler o que você envia (um intermediário).",
      "Ou o servidor ganhou uma identidade nova (nova pasta de dados, reinstalação).",
      `Impressão digital conhecida: ${known}`,
      `Impressão digital agora:     ${actual}`,
      "Nada foi enviado. Se a mudança é esperada, remova a linha",
      `${line} de ${file} e entre de novo.`,
    ].join("\n"),
  tlsFailed: (address, detail) =>
    `Não foi possível conectar a ${address} com segurança: ${detail}; é um servidor de chat, e a porta está certa?`,
  remembered: (address, file) => `${address} aceito; guardado em ${file}`,
};

/** The strings about a server's identity, by language. */
export const TRUST_STRINGS: Readonly<Record<Lang, TrustStrings>> = {
  en: TRUST_EN,
  pt: TRUST_PT,
};
