/**
 * Why a server could not listen, in words that say what to do.
 *
 * @module
 */

import { formatAddress } from "../transport/address.ts";

/** Where a listener tried to listen, and what to tell the user. */
export interface ListenErrorOptions {
  /** The address it tried. */
  host: string;
  /** The port it tried. */
  port: number;
  /** The flag that sets this port (`--port`, `--web-port`). */
  portFlag: string;
  /** What to do when the port is taken. */
  inUseHint: string;
}

/**
 * Explains a `Deno.listen` / `Deno.serve` failure.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { listenError } from "./listen_error.ts";
 *
 * const error = listenError(new Deno.errors.AddrInUse("busy"), {
 *   host: "0.0.0.0",
 *   port: 50001,
 *   portFlag: "--port",
 *   inUseHint: "choose another --port",
 * });
 * assertEquals(
 *   error.message,
 *   "Cannot listen on 0.0.0.0:50001: address already in use; choose another --port",
 * );
 * ```
 *
 * @param error What listening threw.
 * @param options Where, and the hints.
 * @returns `Cannot listen on HOST:PORT: <why>`, to throw.
 */
export function listenError(
  error: unknown,
  options: ListenErrorOptions,
): Error {
  return new Error(
    `Cannot listen on ${formatAddress(options.host, options.port)}: ${
      _reason(error, options.portFlag, options.inUseHint)
    }`,
  );
}

function _reason(error: unknown, portFlag: string, inUseHint: string): string {
  if (error instanceof Deno.errors.AddrInUse) {
    return `address already in use; ${inUseHint}`;
  }
  if (error instanceof Deno.errors.AddrNotAvailable) {
    return "that address does not belong to this computer; use --host 0.0.0.0 or one of its addresses";
  }
  if (error instanceof Deno.errors.PermissionDenied) {
    return `permission denied; ports below 1024 need special rights, choose a ${portFlag} above 1023`;
  }
  const message = error instanceof Error ? error.message : String(error);
  if (/lookup address|Name or service/i.test(message)) {
    return "unknown host; give an IP address of this computer, such as 0.0.0.0";
  }
  return message;
}
