/**
 * `chat join` without an address, and `chat find`: look for servers on
 * the local network ({@linkcode browse}), then join the one found, let the
 * user choose among several with the arrow keys ({@linkcode ServerPicker}),
 * or say that there is none. A fingerprint a server announces is shown,
 * marked as not verified, and never trusted for it.
 *
 * @module
 */

import type { Lang } from "../protocol/messages.ts";
import { type Address, formatAddress } from "../transport/address.ts";
import { browse, type BrowseOptions } from "../discovery/browser.ts";
import type { FoundServer } from "../discovery/service_records.ts";
import { DISCOVERY_STRINGS } from "../i18n/discovery_strings.ts";
import { KeyDecoder } from "./key_decoder.ts";
import { ServerPicker } from "./server_picker.ts";
import { textWidth } from "./text_width.ts";

/** Options of {@linkcode findServer} and {@linkcode listServers}. */
export interface FindServerOptions {
  /** The language of what is said. */
  lang: Lang;
  /**
   * Whether standard input and output are terminals: then several servers
   * are offered to choose from.
   * @default {false}
   */
  interactive?: boolean;
  /**
   * Colours (reverse video for the chosen server).
   * @default {false}
   */
  color?: boolean;
  /**
   * Milliseconds to look.
   * @default {DISCOVERY_DEFAULTS.browseMs}
   */
  timeoutMs?: number;
  /**
   * Stops looking, or choosing.
   * @default {undefined}
   */
  signal?: AbortSignal;
  /**
   * How to look (tests give a list).
   * @default {browse}
   */
  browse?: (options: BrowseOptions) => Promise<FoundServer[]>;
  /**
   * Where messages go.
   * @default {console.error}
   */
  error?: (line: string) => void;
}

/**
 * The address to join a server at: its first address (IPv4 first) and
 * its port.
 *
 * @param server A server found.
 * @returns Its address.
 */
export function serverAddress(server: FoundServer): Address {
  return { hostname: server.addresses[0]!, port: server.port };
}

/** A server to join: one found server, or the nodes of one cluster. */
export interface ServerChoice {
  /** The first node found: what is shown. */
  server: FoundServer;
  /**
   * Every address to try, in order: the first node's addresses, then
   * each other node's.
   */
  addresses: Address[];
  /** How many servers it stands for: the cluster's nodes found, or 1. */
  nodes: number;
  /** Members online: the most any node said. */
  people?: number;
}

/**
 * Takes the nodes of one cluster (the same `cluster` in their TXT) as one
 * server with all their addresses, so that `chat join` without an address
 * joins a cluster as it joins a server, and goes on to another node when
 * one is down. Servers not in a cluster stay one choice each.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { groupNodes } from "./find_server.ts";
 *
 * const node = (name: string, address: string) => ({
 *   name, instance: name, host: `${name}.local`, addresses: [address],
 *   port: 50001, webPort: null, version: 2, tls: true, cluster: "c1",
 * });
 * const [choice] = groupNodes([node("a", "10.0.0.1"), node("b", "10.0.0.2")]);
 * assertEquals(choice!.nodes, 2);
 * assertEquals(choice!.addresses.map((a) => a.hostname), ["10.0.0.1", "10.0.0.2"]);
 * ```
 *
 * @param servers The servers found, in the order found.
 * @returns One choice per lone server and per cluster, in that order.
 */
export function groupNodes(servers: readonly FoundServer[]): ServerChoice[] {
  const choices: ServerChoice[] = [];
  const byCluster = new Map<string, ServerChoice>();
  for (const server of servers) {
    const addresses = server.addresses.map((hostname) => ({
      hostname,
      port: server.port,
    }));
    const known = server.cluster === undefined
      ? undefined
      : byCluster.get(server.cluster);
    if (known === undefined) {
      const choice: ServerChoice = {
        server,
        addresses,
        nodes: 1,
        ...(server.people === undefined ? {} : { people: server.people }),
      };
      choices.push(choice);
      if (server.cluster !== undefined) byCluster.set(server.cluster, choice);
      continue;
    }
    known.nodes++;
    for (const address of addresses) {
      if (
        !known.addresses.some((a) =>
          a.hostname === address.hostname && a.port === address.port
        )
      ) known.addresses.push(address);
    }
    if (server.people !== undefined) {
      known.people = Math.max(known.people ?? 0, server.people);
    }
  }
  return choices;
}

/** Where `chat join` without an address goes: an address and the rest. */
export interface FoundAddress extends Address {
  /** The other addresses of the server, or of its cluster's other nodes. */
  alternates: Address[];
}

// What a server announces is a stranger's text: no control character of
// it reaches the terminal.
function _clean(text: string): string {
  // deno-lint-ignore no-control-regex
  return text.replace(/[\x00-\x1f\x7f-\x9f]/g, "?");
}

/**
 * One line for each server, in columns: name, address, then what it says
 * of itself (web port, people online, TLS, an unverified fingerprint).
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { describeServers } from "./find_server.ts";
 *
 * assertEquals(describeServers([{
 *   name: "chat on box", instance: "chat on box", host: "box.local",
 *   addresses: ["10.0.0.5"], port: 50001, webPort: 50002, version: 1,
 *   tls: false, people: 2,
 * }], "en"), ["chat on box  10.0.0.5:50001  web 50002, 2 people"]);
 * ```
 *
 * @param servers The servers.
 * @param lang The language.
 * @returns The lines, without line breaks.
 */
export function describeServers(
  servers: readonly FoundServer[],
  lang: Lang,
): string[] {
  return _describe(groupNodes(servers), lang);
}

function _describe(choices: readonly ServerChoice[], lang: Lang): string[] {
  const strings = DISCOVERY_STRINGS[lang];
  const clean = _clean;
  const rows = choices.map((choice) => {
    const server = choice.server;
    const address = serverAddress(server);
    const details = [
      ...(choice.nodes > 1 ? [strings.nodes(choice.nodes)] : []),
      ...(server.webPort === null ? [] : [strings.web(server.webPort)]),
      ...(choice.people === undefined ? [] : [strings.people(choice.people)]),
      ...(server.tls ? [strings.tls] : []),
      ...(server.fingerprint === undefined
        ? []
        : [strings.fingerprint(clean(server.fingerprint))]),
    ];
    return [
      clean(server.name),
      formatAddress(address.hostname, address.port),
      details.join(", "),
    ];
  });
  const widths = [0, 1].map((column) =>
    Math.max(...rows.map((row) => textWidth(row[column]!)))
  );
  return rows.map((row) =>
    row.map((cell, column) =>
      column < 2 && row[column + 1] !== ""
        ? cell + " ".repeat(widths[column]! - textWidth(cell))
        : cell
    ).join("  ").trimEnd()
  );
}

/**
 * Finds the server `chat join` without an address joins: the only one
 * found (saying which), or the one the user picks among several. Says why
 * not on standard error when there is none, or several and no terminal.
 *
 * @param options Language, terminal, how long.
 * @returns The address to join, or the exit code when there is none to
 * join: 1 for none or several without a terminal, 0 when the user
 * cancelled the choice.
 */
export async function findServer(
  options: FindServerOptions,
): Promise<FoundAddress | number> {
  const strings = DISCOVERY_STRINGS[options.lang];
  const error = options.error ?? console.error;
  const found = await _look(options);
  if (options.signal?.aborted) return 0;
  if (found.length === 0) {
    error(strings.noneFound);
    return 1;
  }
  const choices = groupNodes(found);
  const lines = _describe(choices, options.lang);
  let index = 0;
  if (choices.length > 1) {
    if (!options.interactive) {
      error(strings.severalFound(choices.length));
      for (const line of lines) error(`  ${line}`);
      return 1;
    }
    const picked = await _pick(
      new ServerPicker(lines, {
        title: strings.chooseTitle,
        help: strings.chooseKeys,
        color: options.color ?? false,
      }),
      options.signal,
    );
    if (picked === undefined) return 0;
    index = picked;
  }
  const choice = choices[index]!;
  const server = choice.server;
  const [address, ...alternates] = choice.addresses as [Address, ...Address[]];
  error(
    // The fingerprint it announced is shown, never trusted: only the
    // address goes on, and chat join judges the server as any other.
    strings.joiningFound(
      _clean(server.name),
      formatAddress(address.hostname, address.port),
      server.fingerprint === undefined ? undefined : _clean(server.fingerprint),
    ),
  );
  return { ...address, alternates };
}

/**
 * `chat find`: prints a line for each server found on the local network.
 *
 * @param options Language, how long.
 * @returns The exit code: 0 when some were found, 1 when none.
 */
export async function listServers(
  options: FindServerOptions,
): Promise<number> {
  const servers = await _look(options);
  if (servers.length === 0) {
    (options.error ?? console.error)(
      DISCOVERY_STRINGS[options.lang].noneListed,
    );
    return 1;
  }
  for (const line of describeServers(servers, options.lang)) console.log(line);
  return 0;
}

function _look(options: FindServerOptions): Promise<FoundServer[]> {
  return (options.browse ?? browse)({
    ...(options.timeoutMs === undefined
      ? {}
      : { timeoutMs: options.timeoutMs }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
}

const encoder = new TextEncoder();

// Draws the picker on the terminal in raw mode until a server is picked
// or the choice cancelled; gives standard input back as it found it.
async function _pick(
  picker: ServerPicker,
  signal: AbortSignal | undefined,
): Promise<number | undefined> {
  const write = (text: string) => {
    const bytes = encoder.encode(text);
    let written = 0;
    while (written < bytes.length) {
      written += Deno.stdout.writeSync(bytes.subarray(written));
    }
  };
  let drawn = 0;
  const draw = () => {
    const frame = picker.render();
    // Back to the first line drawn, and down again over it.
    write(
      (drawn > 0 ? `\x1b[${drawn}F` : "\r") + "\x1b[J" + frame.join("\r\n") +
        "\r\n",
    );
    drawn = frame.length;
  };
  const decoder = new KeyDecoder();
  const text = new TextDecoder();
  const reader = Deno.stdin.readable.getReader();
  const onAbort = () => void reader.cancel().catch(() => {});
  signal?.addEventListener("abort", onAbort);
  Deno.stdin.setRaw(true);
  try {
    draw();
    while (true) {
      const { done, value } = await reader.read();
      if (done) return undefined;
      for (const key of decoder.decode(text.decode(value, { stream: true }))) {
        const result = picker.onKey(key);
        if (result?.kind === "cancelled") return undefined;
        if (result?.kind === "picked") return result.index;
        draw();
      }
    }
  } catch {
    return undefined; // standard input closed, or the choice aborted
  } finally {
    signal?.removeEventListener("abort", onAbort);
    Deno.stdin.setRaw(false);
    // Standard input stays open for the chat that follows.
    reader.releaseLock();
  }
}
