/**
 * The network interfaces discovery works on: which ones a server
 * announces itself on, given the address it listens on, and which ones a
 * browser asks on. Only interfaces with an IPv4 address other than
 * loopback count: multicast and broadcast go out on those.
 *
 * @module
 */

/** One address of one interface, as `Deno.networkInterfaces()` lists it. */
export interface InterfaceEntry {
  /** The interface, such as `eth0`. */
  name: string;
  /** `IPv4` or `IPv6`. */
  family: "IPv4" | "IPv6";
  /** The address. */
  address: string;
  /** Its netmask, such as `255.255.255.0`. */
  netmask: string;
}

/** An interface to announce on or browse on, with its addresses. */
export interface LocalInterface {
  /** The interface's name. */
  name: string;
  /** Its first IPv4 address: multicast and broadcast go out from it. */
  address: string;
  /** That address's netmask. */
  netmask: string;
  /** Every address to announce on it: IPv4, then IPv6 when asked for. */
  addresses: string[];
}

/**
 * Whether an address reaches this computer only.
 *
 * @param address An address or host.
 * @returns `true` for `127.*`, `::1` and `localhost`.
 */
export function isLoopback(address: string): boolean {
  return address.startsWith("127.") || address === "::1" ||
    address === "localhost";
}

function _v4(address: string): number | null {
  const parts = address.split(".");
  if (parts.length !== 4) return null;
  let value = 0;
  for (const part of parts) {
    if (!/^[0-9]{1,3}$/.test(part) || Number(part) > 255) return null;
    value = value * 256 + Number(part);
  }
  return value;
}

function _dotted(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256)
    .join(".");
}

/**
 * Whether an IPv4 address is on an interface's subnet.
 *
 * @example
 * ```ts
 * import { assert } from "@std/assert";
 * import { onSubnet } from "./network_interfaces.ts";
 *
 * const lan = { address: "192.168.1.23", netmask: "255.255.255.0" };
 * assert(onSubnet("192.168.1.40", lan));
 * assert(!onSubnet("10.0.0.1", lan));
 * ```
 *
 * @param address The address, such as a datagram's source.
 * @param local The interface's address and netmask.
 * @returns `true` when it is on the same subnet; `false` for anything
 * that is not IPv4.
 */
export function onSubnet(
  address: string,
  local: Pick<LocalInterface, "address" | "netmask">,
): boolean {
  const a = _v4(address);
  const b = _v4(local.address);
  const mask = _v4(local.netmask);
  if (a === null || b === null || mask === null) return false;
  // Bitwise operators work on signed 32 bits: compare as unsigned.
  return ((a & mask) >>> 0) === ((b & mask) >>> 0);
}

/**
 * The broadcast address of an interface's subnet.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { broadcastAddress } from "./network_interfaces.ts";
 *
 * assertEquals(broadcastAddress({ address: "10.77.0.1", netmask: "255.255.255.0" }), "10.77.0.255");
 * ```
 *
 * @param local The interface's IPv4 address and netmask.
 * @returns The subnet's broadcast address.
 * @throws {SyntaxError} `Cannot find the broadcast address of <address>:
 * not IPv4` for anything else.
 */
export function broadcastAddress(
  local: Pick<LocalInterface, "address" | "netmask">,
): string {
  const a = _v4(local.address);
  const mask = _v4(local.netmask);
  if (a === null || mask === null) {
    throw new SyntaxError(
      `Cannot find the broadcast address of ${local.address}: not IPv4`,
    );
  }
  return _dotted((a | ~mask) >>> 0);
}

/**
 * Whether a host to listen on means every interface.
 *
 * @param host The host.
 * @returns `true` for `0.0.0.0`, `::` and `[::]`.
 */
export function isWildcard(host: string): boolean {
  return host === "0.0.0.0" || host === "::" || host === "[::]";
}

/**
 * The interfaces a server listening on `host` announces itself on: for a
 * wildcard host every interface with an IPv4 address other than loopback
 * (with its global IPv6 addresses too when the host is `::`); for one
 * address, the interface that has it, with that address only; nothing
 * for loopback or a name.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { announceInterfaces } from "./network_interfaces.ts";
 *
 * const entries = [
 *   { name: "lo", family: "IPv4" as const, address: "127.0.0.1", netmask: "255.0.0.0" },
 *   { name: "eth0", family: "IPv4" as const, address: "10.0.0.5", netmask: "255.255.255.0" },
 * ];
 * assertEquals(announceInterfaces("127.0.0.1", entries), []);
 * assertEquals(announceInterfaces("0.0.0.0", entries).map((i) => i.name), ["eth0"]);
 * ```
 *
 * @param host The address the server listens on.
 * @param entries This computer's addresses.
 * @returns The interfaces, each once.
 */
export function announceInterfaces(
  host: string,
  entries: readonly InterfaceEntry[],
): LocalInterface[] {
  const wildcard = isWildcard(host);
  const withV6 = host !== "0.0.0.0";
  const byName = new Map<string, LocalInterface>();
  for (const entry of entries) {
    if (entry.family !== "IPv4" || isLoopback(entry.address)) continue;
    if (!wildcard && entry.address !== host) continue;
    const known = byName.get(entry.name);
    if (known) known.addresses.push(entry.address);
    else {
      byName.set(entry.name, {
        name: entry.name,
        address: entry.address,
        netmask: entry.netmask,
        addresses: [entry.address],
      });
    }
  }
  if (wildcard && withV6) {
    for (const entry of entries) {
      const known = byName.get(entry.name);
      if (
        known && entry.family === "IPv6" && !isLoopback(entry.address) &&
        !entry.address.toLowerCase().startsWith("fe80:")
      ) known.addresses.push(entry.address);
    }
  }
  return [...byName.values()];
}

/**
 * Whether a server listening on `host` can be announced on some
 * interface: a wildcard or an IP address other than loopback (a name
 * cannot, and a loopback address reaches this computer only).
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { canAnnounce } from "./network_interfaces.ts";
 *
 * assertEquals(canAnnounce("0.0.0.0"), true);
 * assertEquals(canAnnounce("127.0.0.1"), false);
 * assertEquals(canAnnounce("chat.lan"), false);
 * ```
 *
 * @param host The address the server listens on.
 * @returns Whether to start announcing.
 */
export function canAnnounce(host: string): boolean {
  if (isWildcard(host)) return true;
  return _v4(host) !== null && !isLoopback(host);
}

/**
 * This computer's addresses, or none when they cannot be read (no
 * `--allow-sys=networkInterfaces`).
 *
 * @returns Every address of every interface.
 */
export function interfaceEntries(): InterfaceEntry[] {
  try {
    return Deno.networkInterfaces().map((i) => ({
      name: i.name,
      family: i.family,
      address: i.address,
      netmask: i.netmask,
    }));
  } catch (error) {
    if (error instanceof Deno.errors.NotCapable) return [];
    throw error;
  }
}
