/**
 * Parses the `HOST[:PORT]` argument of `chat join`.
 *
 * @module
 */

import { DEFAULT_PORT } from "../config.ts";

/** A host name or IP address with a port. */
export interface Address {
  /** Host name, IPv4 address, or IPv6 address without brackets. */
  hostname: string;
  /** TCP port, 1–65535. */
  port: number;
}

const HOSTNAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;
const IPV4_LIKE = /^[0-9.]+$/;
const IPV6_GROUP = /^[0-9A-Fa-f]{1,4}$/;

/**
 * Tells whether text is an IPv6 address (optionally with a `%zone`), such
 * as `::1`, `fe80::1%eth0` or `::ffff:192.0.2.1`.
 *
 * @param text Candidate address, without brackets.
 * @returns `true` for a well-formed IPv6 address.
 */
export function isIpv6(text: string): boolean {
  const [address, zone, ...extra] = text.split("%");
  if (extra.length > 0 || zone === "" || address === undefined) return false;
  if (zone !== undefined && !/^[A-Za-z0-9_.-]+$/.test(zone)) return false;
  const halves = address.split("::");
  if (halves.length > 2) return false;
  const groups = (half: string) => (half === "" ? [] : half.split(":"));
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  const all = [...head, ...tail];
  let count = all.length;
  // An embedded IPv4 address may end it, counting as two groups.
  const last = all.at(-1);
  if (last !== undefined && last.includes(".")) {
    if (!_isIpv4(last)) return false;
    all.pop();
    count++;
  }
  if (!all.every((group) => IPV6_GROUP.test(group))) return false;
  return halves.length === 2 ? count < 8 : count === 8;
}

function _isIpv4(text: string): boolean {
  const parts = text.split(".");
  return parts.length === 4 &&
    parts.every((p) => /^[0-9]{1,3}$/.test(p) && Number(p) <= 255);
}

/**
 * Parses a port number.
 *
 * @param text Decimal digits.
 * @returns The port.
 * @throws {RangeError} When the text is not a whole number from 1 to 65535.
 */
export function parsePort(text: string): number {
  if (!/^[0-9]{1,5}$/.test(text)) {
    throw new RangeError(
      `Cannot use port "${text}": a port is a number from 1 to 65535`,
    );
  }
  const port = Number(text);
  if (port < 1 || port > 65535) {
    throw new RangeError(
      `Cannot use port ${port}: a port is a number from 1 to 65535`,
    );
  }
  return port;
}

function _checkIpv4(host: string): void {
  if (!_isIpv4(host)) {
    throw new SyntaxError(
      `Cannot use address "${host}": an IPv4 address is four numbers from 0 to 255, such as 192.168.0.5`,
    );
  }
}

/**
 * Parses `HOST`, `HOST:PORT` or `[IPV6]:PORT`.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { parseAddress } from "./address.ts";
 *
 * assertEquals(parseAddress("192.168.0.5:50001"), { hostname: "192.168.0.5", port: 50001 });
 * assertEquals(parseAddress("[::1]:7000"), { hostname: "::1", port: 7000 });
 * assertEquals(parseAddress("example.org"), { hostname: "example.org", port: 50001 });
 * ```
 *
 * @param text The argument as typed.
 * @param defaultPort Port to use when none is given.
 * @returns The host and port.
 * @throws {SyntaxError} When the host is malformed.
 * @throws {RangeError} When the port is out of range.
 */
export function parseAddress(
  text: string,
  defaultPort: number = DEFAULT_PORT,
): Address {
  const input = text.trim();
  if (input.length === 0) {
    throw new SyntaxError(
      "Cannot use an empty address: give a host such as 192.168.0.5 or 192.168.0.5:50001",
    );
  }
  let host: string;
  let portText: string | undefined;
  if (input.startsWith("[")) {
    const end = input.indexOf("]");
    if (end < 0) {
      throw new SyntaxError(
        `Cannot use address "${input}": missing "]" after the IPv6 address`,
      );
    }
    host = input.slice(1, end);
    const after = input.slice(end + 1);
    if (after !== "" && !after.startsWith(":")) {
      throw new SyntaxError(
        `Cannot use address "${input}": expected ":PORT" after "]"`,
      );
    }
    portText = after === "" ? undefined : after.slice(1);
    if (!isIpv6(host)) {
      throw new SyntaxError(
        `Cannot use address "${input}": "${host}" is not an IPv6 address`,
      );
    }
  } else {
    const colons = input.split(":").length - 1;
    if (colons > 1) {
      if (!isIpv6(input)) {
        throw new SyntaxError(
          `Cannot use address "${input}": not an IPv6 address; write one with a port as [::1]:50001`,
        );
      }
      host = input;
    } else if (colons === 1) {
      const at = input.indexOf(":");
      host = input.slice(0, at);
      portText = input.slice(at + 1);
    } else {
      host = input;
    }
    if (host.length === 0) {
      throw new SyntaxError(
        `Cannot use address "${input}": the host is missing`,
      );
    }
    if (IPV4_LIKE.test(host)) _checkIpv4(host);
    else if (!host.includes(":") && !HOSTNAME.test(host)) {
      throw new SyntaxError(
        `Cannot use address "${input}": "${host}" is not a valid host name or IP address`,
      );
    }
  }
  const port = portText === undefined ? defaultPort : parsePort(portText);
  return { hostname: host, port };
}

/**
 * Formats a host and port for people: `host:port`, or `[v6]:port`.
 *
 * @param hostname Host name or IP address.
 * @param port Port.
 * @returns The address as one would type it.
 */
export function formatAddress(hostname: string, port: number): string {
  return hostname.includes(":")
    ? `[${hostname}]:${port}`
    : `${hostname}:${port}`;
}
