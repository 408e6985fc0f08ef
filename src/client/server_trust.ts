/**
 * Whether `chat join` trusts the server it reached, decided before it
 * sends a byte: as ssh does, a server met before must show the identity
 * kept for it; a new one is shown and asked about at a terminal, or taken
 * on `--fingerprint` or `--trust-new`; a certificate that a certificate
 * authority vouches for, for the name used, needs neither.
 *
 * @module
 */

import type { Lang } from "../protocol/messages.ts";
import { TRUST_STRINGS } from "../i18n/trust_strings.ts";
import {
  formatFingerprint,
  sameFingerprint,
} from "../transport/fingerprint.ts";
import type { KnownServers } from "./known_servers.ts";

/** What the user said about trusting servers (flags of `chat join`). */
export interface TrustPolicy {
  /** `--fingerprint`: the expected SHA-256, or `undefined`. */
  fingerprint?: Uint8Array | undefined;
  /** `--trust-new`: a server never met before is trusted. */
  trustNew: boolean;
  /** Whether a question can be asked (standard input is a terminal). */
  interactive: boolean;
}

/** What to do with the server reached. */
export type TrustVerdict =
  /** Go on; `remember` says to keep it in the known servers first. */
  | { kind: "trusted"; remember: boolean }
  /** Ask the user (first contact at a terminal). */
  | { kind: "ask" }
  /** Refuse: `text` says why (several lines for a changed identity). */
  | { kind: "refused"; text: string };

/** What is known of the server reached. */
export interface ServerSeen {
  /** `HOST:PORT` as joined. */
  address: string;
  /** SHA-256 of the certificate it showed. */
  sha256: Uint8Array;
  /** Whether a certificate authority vouches for it, for the name used. */
  vouched: boolean;
}

/**
 * Decides whether to trust a server.
 *
 * @example A server never met, without a terminal or a flag
 * ```ts no-eval
 * import { KnownServers } from "./known_servers.ts";
 * import { judgeServer } from "./server_trust.ts";
 *
 * const seen = {
 *   address: "10.0.0.2:50001",
 *   sha256: new Uint8Array(32),
 *   vouched: false,
 * };
 * const known = KnownServers.read("/nonexistent/known_servers");
 * const policy = { trustNew: false, interactive: false };
 * console.log(judgeServer(seen, known, policy, "en").kind); // "refused"
 * ```
 *
 * @param seen The server reached.
 * @param known The servers kept.
 * @param policy The user's flags and whether a terminal can be asked.
 * @param lang Language of the refusal.
 * @returns The verdict.
 */
export function judgeServer(
  seen: ServerSeen,
  known: KnownServers,
  policy: TrustPolicy,
  lang: Lang,
): TrustVerdict {
  const strings = TRUST_STRINGS[lang];
  if (seen.vouched) return { kind: "trusted", remember: false };
  const actual = formatFingerprint(seen.sha256);
  const kept = known.find(seen.address);
  if (kept !== undefined) {
    if (sameFingerprint(kept.sha256, seen.sha256)) {
      return { kind: "trusted", remember: false };
    }
    return {
      kind: "refused",
      text: strings.changed(
        seen.address,
        formatFingerprint(kept.sha256),
        actual,
        known.path,
        kept.line,
      ),
    };
  }
  if (policy.fingerprint !== undefined) {
    return sameFingerprint(policy.fingerprint, seen.sha256)
      ? { kind: "trusted", remember: true }
      : {
        kind: "refused",
        text: strings.mismatch(
          seen.address,
          formatFingerprint(policy.fingerprint),
          actual,
        ),
      };
  }
  if (policy.trustNew) return { kind: "trusted", remember: true };
  if (policy.interactive) return { kind: "ask" };
  return { kind: "refused", text: strings.unknownServer(seen.address, actual) };
}
