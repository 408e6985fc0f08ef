/**
 * Which TLS identity a server runs with: the certificate `--tls-cert` and
 * `--tls-key` name; else the one kept in its data folder (made at first
 * start, and kept even with `--memory`: an identity that changed at every
 * start would teach people to ignore the warning); else, with no data
 * folder (tests in one process), one made for this run.
 *
 * @module
 */

import type { ServerConfig } from "../config.ts";
import { prepareDataDir } from "../store/data_dir.ts";
import {
  createTlsIdentity,
  keptTlsIdentity,
  loadTlsIdentity,
  type TlsIdentity,
} from "../transport/tls_identity.ts";
import type { ConsoleLog } from "./console_log.ts";

/** Options of {@linkcode serverIdentity}. */
export interface ServerIdentityOptions {
  /**
   * Told when a new identity is made and kept.
   * @default {undefined}
   */
  log?: ConsoleLog;
}

/**
 * The identity `config` asks for.
 *
 * @param config `tlsCert`, `tlsKey` and `dataDir`.
 * @param options The console.
 * @returns The identity.
 * @throws {SyntaxError} When a certificate or key file cannot be used
 * (the message names it and never quotes it).
 * @throws {Error} When the data folder or a file cannot be read or written.
 */
export async function serverIdentity(
  config: Pick<ServerConfig, "tlsCert" | "tlsKey" | "dataDir">,
  options: ServerIdentityOptions = {},
): Promise<TlsIdentity> {
  if (config.tlsCert !== null && config.tlsKey !== null) {
    return await loadTlsIdentity(config.tlsCert, config.tlsKey);
  }
  if (config.dataDir === null) return await createTlsIdentity();
  prepareDataDir(config.dataDir);
  return await keptTlsIdentity(config.dataDir, {
    onCreated: (path) =>
      options.log?.write(`made a new server identity, kept in ${path}`),
  });
}
