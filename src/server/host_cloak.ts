/**
 * The host other members see for an address: a keyed hash of it (HMAC-SHA256
 * with a secret drawn at random when the server starts), so an IRC user's
 * `nick!user@host` tells apart connections from different addresses without
 * telling where they come from; or the address itself with `--show-ips`.
 *
 * @module
 */

import { createHmac } from "node:crypto";

/** Options of {@linkcode HostCloak}. */
export interface HostCloakOptions {
  /**
   * Show the address itself (`--show-ips`).
   * @default {false}
   */
  showIps?: boolean;
  /**
   * The key of the hash.
   * @default {16 random bytes}
   */
  secret?: Uint8Array;
}

/**
 * Cloaks addresses.
 *
 * @example
 * ```ts
 * import { assertEquals, assertMatch, assertNotEquals } from "@std/assert";
 * import { HostCloak } from "./host_cloak.ts";
 *
 * const cloak = new HostCloak();
 * assertMatch(cloak.hostOf("192.0.2.7"), /^[0-9a-f]{6}\.[0-9a-f]{6}\.[0-9a-f]{6}\.ip$/);
 * assertEquals(cloak.hostOf("192.0.2.7"), cloak.hostOf("192.0.2.7"));
 * assertNotEquals(cloak.hostOf("192.0.2.7"), cloak.hostOf("192.0.2.8"));
 * assertEquals(new HostCloak({ showIps: true }).hostOf("::1"), "0::1");
 * ```
 */
export class HostCloak {
  #showIps: boolean;
  #secret: Uint8Array;
  #known = new Map<string, string>();

  /** @param options Whether to show addresses, and the key. */
  constructor(options: HostCloakOptions = {}) {
    this.#showIps = options.showIps ?? false;
    this.#secret = options.secret ??
      crypto.getRandomValues(new Uint8Array(16));
  }

  /**
   * The host shown for an address.
   *
   * @param ip The address (`127.0.0.1`, `::1`).
   * @returns Its cloak (`3fa2c1.9be0d4.77a1f0.ip`), or the address (an IPv6
   * one that starts with `:` gets a `0` first, as IRC needs).
   */
  hostOf(ip: string): string {
    if (this.#showIps) return ip.startsWith(":") ? `0${ip}` : ip;
    let host = this.#known.get(ip);
    if (host === undefined) {
      const hex = createHmac("sha256", this.#secret).update(ip).digest("hex");
      host = `${hex.slice(0, 6)}.${hex.slice(6, 12)}.${hex.slice(12, 18)}.ip`;
      // Bounded: a flood of addresses costs at most this many entries.
      if (this.#known.size >= 10_000) this.#known.clear();
      this.#known.set(ip, host);
    }
    return host;
  }
}
