/**
 * Why a server could not listen, in words that say what to do.
 *
 * @module
 */

/**
 * Explains a `Deno.listen` / `Deno.serve` failure.
 *
 * @param error What listening threw.
 * @param portFlag The flag that sets this port (`--port`, `--web-port`).
 * @param inUseHint What to do when the port is taken.
 * @returns The reason, to follow `Cannot listen on HOST:PORT: `.
 */
export function listenErrorReason(
  error: unknown,
  portFlag: string,
  inUseHint: string,
): string {
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
