/**
 * The client's encrypted connection: {@linkcode secureDial} connects
 * ({@linkcode dial}), completes the TLS handshake, and judges the server's
 * identity ({@linkcode judgeServer}) before anything is sent. There is no
 * plain fallback: a server that cannot speak TLS, or is not trusted, is
 * not joined.
 *
 * @module
 */

import type { Lang } from "../protocol/messages.ts";
import { TRUST_STRINGS } from "../i18n/trust_strings.ts";
import { formatAddress, isIpv6 } from "../transport/address.ts";
import { certificateSha256 } from "../transport/fingerprint.ts";
import { TlsStream } from "../transport/tls_stream.ts";
import { dial, DialError, type DialOptions } from "./dial.ts";
import type { KnownServers } from "./known_servers.ts";
import { judgeServer, type TrustPolicy } from "./server_trust.ts";

/**
 * The server reached is not trusted (its identity changed, or is unknown
 * and could not be asked about); the message says why. Nothing was sent.
 */
export class UntrustedServerError extends Error {
  /** @param message The lines to show. */
  constructor(message: string) {
    super(message);
    this.name = "UntrustedServerError";
  }
}

/** Options of {@linkcode secureDial}. */
export interface SecureDialOptions extends DialOptions {
  /** The servers the user trusts; a server newly trusted is added. */
  knownServers: KnownServers;
  /** The user's flags, and whether a question can be asked. */
  policy: TrustPolicy;
}

/** A connection to a server, encrypted and judged. */
export interface SecureConnection {
  /** The encrypted stream; nothing was sent on it yet. */
  stream: TlsStream;
  /** `HOST:PORT`. */
  address: string;
  /** SHA-256 of the server's certificate. */
  sha256: Uint8Array;
  /**
   * `true` when the server is new and the user must be asked (at a
   * terminal); it is then not kept yet: {@linkcode KnownServers.add} it
   * once the answer is yes.
   */
  ask: boolean;
}

/**
 * Connects to `hostname:port` with TLS and checks the server's identity.
 *
 * @param hostname Host name or IP address.
 * @param port TCP port.
 * @param options Time-out, language, cancellation, trust.
 * @returns The connection, trusted or to be asked about.
 * @throws {DialError} When it cannot connect, or the handshake fails.
 * @throws {UntrustedServerError} When the server is refused.
 */
export async function secureDial(
  hostname: string,
  port: number,
  options: SecureDialOptions,
): Promise<SecureConnection> {
  const lang: Lang = options.lang ?? "en";
  const address = formatAddress(hostname, port);
  await TlsStream.warmUp();
  const conn = await dial(hostname, port, options);
  let stream: TlsStream;
  try {
    stream = await TlsStream.connect(conn, {
      // SNI carries names, never addresses.
      ...(isIpv6(hostname) || /^[0-9.]+$/.test(hostname)
        ? {}
        : { servername: hostname }),
      timeoutMs: options.timeoutMs ?? 10_000,
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    const message = error instanceof Error ? error.message : String(error);
    throw new DialError(
      TRUST_STRINGS[lang].tlsFailed(address, message),
      "other",
      { cause: error },
    );
  }
  try {
    const der = stream.peerCertificate;
    if (der === null) {
      throw new DialError(
        TRUST_STRINGS[lang].tlsFailed(address, "it showed no certificate"),
        "other",
      );
    }
    const sha256 = await certificateSha256(der);
    const verdict = judgeServer(
      { address, sha256, vouched: stream.vouchedFor(hostname) },
      options.knownServers,
      options.policy,
      lang,
    );
    if (verdict.kind === "refused") {
      throw new UntrustedServerError(verdict.text);
    }
    if (verdict.kind === "trusted" && verdict.remember) {
      options.knownServers.add(address, sha256);
    }
    return { stream, address, sha256, ask: verdict.kind === "ask" };
  } catch (error) {
    stream.close();
    throw error;
  }
}
