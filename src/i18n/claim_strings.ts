/**
 * What the server says about claimed names and coming back: `/register`,
 * `/identify`, the password question a plain user gets for a name claimed
 * with a password, and the "since you left" separator, in English and
 * Brazilian Portuguese. Never a password.
 *
 * @module
 */

import type { Lang } from "../protocol/messages.ts";

/** The texts of claims, in one language. */
export interface ClaimStrings {
  /** A plain user picked a name claimed with a password. */
  askNamePassword(name: string): string;
  /** The password given for a name was wrong. */
  wrongNamePassword(name: string): string;
  /** Too many guesses lately. */
  tooManyGuesses: string;
  /** `/register` set the password of a name. */
  registered(name: string): string;
  /** `/register` on a server with `--open-names`. */
  claimsOff: string;
  /** IRC's `REGISTER` alone, on a connection without a client certificate. */
  noCertificate: string;
  /** The name is now claimed for the client certificate shown (CertFP). */
  registeredCert(name: string): string;
  /** `/register` with a password too long. */
  passwordTooLong(max: number): string;
  /** `/identify` with no claimed name asked for. */
  nothingToIdentify: string;
  /** A name is claimed with a password: how to prove it. */
  identifyHint(name: string): string;
  /** The separator before what was said in a room since you left. */
  sinceYouLeft(room: string, count: number): string;
  /** The proof of a key failed. */
  badProof: string;
}

const EN: ClaimStrings = {
  askNamePassword: (name) =>
    `The name "${name}" is registered. Type its password:`,
  wrongNamePassword: (name) => `Wrong password for "${name}"`,
  tooManyGuesses: "Too many password guesses; wait a minute and try again",
  registered: (name) =>
    `The name "${name}" is registered to you: /identify <password> proves it from any client`,
  claimsOff: "This server does not keep names (--open-names)",
  noCertificate:
    "No client certificate: connect with TLS and a certificate, or REGISTER <password>",
  registeredCert: (name) =>
    `The name "${name}" is registered to your client certificate: SASL EXTERNAL (or connecting with it) proves it`,
  passwordTooLong: (max) => `A password has at most ${max} characters`,
  nothingToIdentify:
    "Nothing to identify: ask for a registered name with /nick first",
  identifyHint: (name) =>
    `The name "${name}" is registered: /identify <password> if it is yours`,
  sinceYouLeft: (room, count) =>
    `since you left: ${count} ${count === 1 ? "line" : "lines"} in ${room}`,
  badProof: "The key's proof did not verify",
};

const PT: ClaimStrings = {
  askNamePassword: (name) =>
    `O nome "${name}" é registrado. Digite a senha dele:`,
  wrongNamePassword: (name) => `Senha errada para "${name}"`,
  tooManyGuesses:
    "Tentativas de senha demais; espere um minuto e tente de novo",
  registered: (name) =>
    `O nome "${name}" está registrado para você: /identify <senha> o prova de qualquer cliente`,
  claimsOff: "Este servidor não guarda nomes (--open-names)",
  noCertificate:
    "Sem certificado de cliente: conecte com TLS e um certificado, ou REGISTER <senha>",
  registeredCert: (name) =>
    `O nome "${name}" está registrado para o seu certificado de cliente: SASL EXTERNAL (ou conectar com ele) o prova`,
  passwordTooLong: (max) => `Uma senha tem no máximo ${max} caracteres`,
  nothingToIdentify:
    "Nada a identificar: peça antes um nome registrado com /nick",
  identifyHint: (name) =>
    `O nome "${name}" é registrado: /identify <senha> se for seu`,
  sinceYouLeft: (room, count) =>
    `desde que você saiu: ${count} ${
      count === 1 ? "linha" : "linhas"
    } em ${room}`,
  badProof: "A prova da chave não foi verificada",
};

/** The texts of claims, by language. */
export const CLAIM_STRINGS: Readonly<Record<Lang, ClaimStrings>> = {
  en: EN,
  pt: PT,
};
