/**
 * What the server keeps of claimed names across a restart: who may use each
 * name (a public key, a password's salted hash, a TLS client certificate's
 * fingerprint), when it was last used (a claim lapses unused), and where its
 * holder was when it left (the rooms, and when), so that coming back puts it
 * there again. Never a password itself, never a private key.
 *
 * Changes are queued like lines and written by the same
 * `commit()` of the store (see `history_store.ts`), in the same transaction.
 *
 * @module
 */

/** One claimed name. */
export interface ClaimRecord {
  /**
   * The name's look (its first look-alike key): two names that look alike
   * share it, so a claim covers its look-alikes.
   */
  readonly key: string;
  /** The name as it was claimed (`Ana`). */
  readonly name: string;
  /**
   * The public key that claimed it (`ed25519:<base64url>`,
   * `p256:<base64url>`).
   * @default {undefined} none: the name is held by a password or a certificate
   */
  readonly keyId?: string;
  /**
   * The salted hash of its password (`scrypt$…`), set by `/register`.
   * @default {undefined} none
   */
  readonly passwordHash?: string;
  /**
   * The SHA-256 fingerprint of a TLS client certificate (IRC CertFP).
   * @default {undefined} none
   */
  readonly certFp?: string;
  /** When it was claimed, in milliseconds since the epoch. */
  readonly claimedAt: number;
  /** When it was last used (joined, or left), in milliseconds since the epoch. */
  readonly lastUsed: number;
  /**
   * When its holder last left the server.
   * @default {undefined} it has not left since it claimed the name
   */
  readonly leftAt?: number;
  /** The rooms its holder was in when it left, in the order it joined them. */
  readonly rooms: readonly string[];
}

/** Keeps the claims of names. */
export interface ClaimStore {
  /**
   * Every claim, as the store's last `commit()` left it (see
   * `history_store.ts`).
   *
   * @returns New records.
   */
  loadClaims(): ClaimRecord[];
  /**
   * Saves a claim's whole record, replacing what was kept under its key,
   * with the next commit.
   *
   * @param record The claim as it is now.
   */
  saveClaim(record: ClaimRecord): void;
  /**
   * Forgets a claim (it lapsed) with the next commit.
   *
   * @param key The name's look key.
   */
  forgetClaim(key: string): void;
}
