/**
 * What `chat serve` prints at start so others know how to join (RF-10).
 *
 * @module
 */

import { formatAddress } from "../transport/address.ts";
import { isLoopback, isWildcard } from "./network_interfaces.ts";

/** One address of this machine, as `Deno.networkInterfaces()` lists it. */
export interface InterfaceAddress {
  family: "IPv4" | "IPv6";
  address: string;
}

/**
 * Lists the addresses others can use to reach a server.
 *
 * For a wildcard host, every non-loopback address (IPv4 first; IPv6
 * link-local addresses are left out, they need a zone to be usable). For a
 * specific host, that host.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { reachableAddresses } from "./join_hints.ts";
 *
 * assertEquals(
 *   reachableAddresses("0.0.0.0", [
 *     { family: "IPv4", address: "127.0.0.1" },
 *     { family: "IPv4", address: "192.168.1.23" },
 *   ]),
 *   ["192.168.1.23"],
 * );
 * ```
 *
 * @param host The host the server listens on.
 * @param interfaces This machine's addresses.
 * @returns Hosts to print, most useful first.
 */
export function reachableAddresses(
  host: string,
  interfaces: readonly InterfaceAddress[],
): string[] {
  if (!isWildcard(host)) return [host];
  const wantV6 = host !== "0.0.0.0";
  const v4 = interfaces.filter((i) =>
    i.family === "IPv4" && !isLoopback(i.address)
  );
  const v6 = interfaces.filter((i) =>
    i.family === "IPv6" && !isLoopback(i.address) &&
    !i.address.toLowerCase().startsWith("fe80:")
  );
  const all = [...v4, ...(wantV6 ? v6 : [])].map((i) => i.address);
  return [...new Set(all)];
}

/**
 * The command that joins, for the program that is running: `chat join` when
 * it is a compiled chat, `deno task join` when it runs from source (there is
 * no `chat` then; the task is in the checkout's `deno.json`). Told apart by
 * the running executable: Deno itself is named `deno` (`deno.exe`), a
 * compiled chat anything else (`chat`, `chat.exe`, a renamed copy).
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { joinCommand } from "./join_hints.ts";
 *
 * assertEquals(joinCommand("/usr/local/bin/chat"), "chat join");
 * assertEquals(joinCommand("/home/ana/.deno/bin/deno"), "deno task join");
 * ```
 *
 * @param execPath The running executable (`Deno.execPath()`).
 * @returns `chat join` or `deno task join`.
 */
export function joinCommand(execPath: string): string {
  const file = execPath.split(/[\\/]/).at(-1)!.toLowerCase();
  return file === "deno" || file === "deno.exe"
    ? "deno task join"
    : "chat join";
}

/** Options of {@linkcode joinHints}. */
export interface JoinHintsOptions {
  /**
   * The command that joins, from {@linkcode joinCommand}.
   * @default {"chat join"}
   */
  command?: string;
}

/**
 * The lines `chat serve` prints once it listens.
 *
 * @param hosts Hosts from {@linkcode reachableAddresses}.
 * @param port The port.
 * @param options The command that joins.
 * @returns `join with:` lines, one per host, and a netcat hint.
 */
export function joinHints(
  hosts: readonly string[],
  port: number,
  options: JoinHintsOptions = {},
): string[] {
  const command = options.command ?? "chat join";
  if (hosts.length === 0) {
    return [
      "no network address other than loopback was found: only this computer can join",
      `join with: ${command} ${formatAddress("127.0.0.1", port)} --name <you>`,
    ];
  }
  const lines = hosts.map((host) =>
    `join with: ${command} ${formatAddress(host, port)} --name <you>`
  );
  lines.push(`or with netcat: nc ${hosts[0]} ${port}`);
  return lines;
}

/** Where a listener listens, as `Deno.NetAddr` has it. */
export interface ListenAddress {
  /** The host it listens on (`0.0.0.0` for every interface). */
  hostname: string;
  /** Its port. */
  port: number;
}

/**
 * The lines `chat serve` prints about the browser client.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { webHints } from "./join_hints.ts";
 *
 * assertEquals(webHints(["192.168.1.23"], { hostname: "0.0.0.0", port: 50002 }), [
 *   "web client on 0.0.0.0:50002",
 *   "open http://192.168.1.23:50002 in a browser",
 * ]);
 * ```
 *
 * @param hosts Hosts from {@linkcode reachableAddresses}.
 * @param web Where the web client listens.
 * @param options `secure`: the page is served over HTTPS (`https://`).
 * @returns Where it listens, and an `open http://…` line per host (this
 * computer's when no other was found).
 */
export function webHints(
  hosts: readonly string[],
  web: ListenAddress,
  options: { secure?: boolean } = {},
): string[] {
  const open = hosts.length > 0 ? hosts : ["127.0.0.1"];
  const scheme = options.secure ? "https" : "http";
  return [
    `web client on ${formatAddress(web.hostname, web.port)}`,
    ...open.map((host) =>
      `open ${scheme}://${formatAddress(host, web.port)} in a browser`
    ),
  ];
}
