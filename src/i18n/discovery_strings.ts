/**
 * What `chat join` without an address and `chat find` say about the
 * servers they look for on the local network, in English and Brazilian
 * Portuguese.
 *
 * @module
 */

import type { Lang } from "../protocol/messages.ts";

/** The strings of LAN discovery in one language. */
export interface DiscoveryStrings {
  /** `chat join` without an address found nothing. */
  noneFound: string;
  /** `chat find` found nothing. */
  noneListed: string;
  /** Found one server; joining it. */
  joiningFound(name: string, address: string, fingerprint?: string): string;
  /** Found several, and there is no terminal to choose on. */
  severalFound(count: number): string;
  /** Above the list to choose from. */
  chooseTitle: string;
  /** Below it: the keys. */
  chooseKeys: string;
  /** Members online. */
  people(count: number): string;
  /** The nodes of one cluster, found together. */
  nodes(count: number): string;
  /** The browser client's port. */
  web(port: number): string;
  /** A fingerprint learned from the network, never trusted by itself. */
  fingerprint(fingerprint: string): string;
  /** The server says its chat port speaks TLS. */
  tls: string;
  /** The page: above the QR code of its own address. */
  pageJoinCode: string;
}

const DISCOVERY_EN: DiscoveryStrings = {
  noneFound:
    "no chat server found on this network; give its address: chat join HOST[:PORT]",
  noneListed: "no chat server found on this network",
  joiningFound: (name, address, fingerprint) =>
    `found "${name}" at ${address}${
      fingerprint === undefined
        ? ""
        : `, fingerprint ${fingerprint} (not verified: known servers decide)`
    }; joining`,
  severalFound: (count) =>
    `${count} chat servers found on this network; give the address of one: chat join HOST[:PORT]`,
  chooseTitle: "Chat servers on this network:",
  chooseKeys: "Up/Down to choose, Enter to join, q or Ctrl-C to cancel",
  people: (count) => `${count} ${count === 1 ? "person" : "people"}`,
  nodes: (count) => `${count} nodes`,
  web: (port) => `web ${port}`,
  fingerprint: (fingerprint) => `fingerprint ${fingerprint} (not verified)`,
  tls: "TLS",
  pageJoinCode: "Join from a phone: scan this code",
};

const DISCOVERY_PT: DiscoveryStrings = {
  noneFound:
    "nenhum servidor de chat encontrado nesta rede; informe o endereço: chat join HOST[:PORTA]",
  noneListed: "nenhum servidor de chat encontrado nesta rede",
  joiningFound: (name, address, fingerprint) =>
    `encontrado "${name}" em ${address}${
      fingerprint === undefined
        ? ""
        : `, impressão digital ${fingerprint} (não verificada: decidem os servidores conhecidos)`
    }; entrando`,
  severalFound: (count) =>
    `${count} servidores de chat encontrados nesta rede; informe o endereço de um: chat join HOST[:PORTA]`,
  chooseTitle: "Servidores de chat nesta rede:",
  chooseKeys:
    "Cima/Baixo para escolher, Enter para entrar, q ou Ctrl-C para cancelar",
  people: (count) => `${count} ${count === 1 ? "pessoa" : "pessoas"}`,
  nodes: (count) => `${count} nós`,
  web: (port) => `web ${port}`,
  fingerprint: (fingerprint) =>
    `impressão digital ${fingerprint} (não verificada)`,
  tls: "TLS",
  pageJoinCode: "Entrar pelo celular: leia este código",
};

/** LAN discovery's strings by language. */
export const DISCOVERY_STRINGS: Readonly<Record<Lang, DiscoveryStrings>> = {
  en: DISCOVERY_EN,
  pt: DISCOVERY_PT,
};
