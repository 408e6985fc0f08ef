/**
 * Names that stay yours: the first key (or password) to use a name on a
 * server claims it, and anyone else asking for that name (or one that looks
 * like it) is refused until the claim lapses, unused for `claimDays`. A
 * claim also remembers where its holder was when it left, so that coming
 * back puts it there again. Pure: the records live behind a
 * {@linkcode ClaimStore}, passwords are checked by the store's KDF, off the
 * main thread.
 *
 * The seams other dialects prove a name through: a public key proven by
 * the session (`hello` + `challenge` + `proof`), a password
 * ({@linkcode ClaimRegistry.verifyPassword}: netcat's `/identify`, IRC's
 * SASL PLAIN), a TLS client certificate's fingerprint
 * ({@linkcode ClaimRegistry.verifyCertFp}: IRC's CertFP).
 *
 * @module
 */

import { lookalikeKeys } from "../protocol/name_rules.ts";
import {
  TokenBucket,
  type TokenBucketOptions,
} from "../protocol/token_bucket.ts";
import type { ClaimRecord, ClaimStore } from "../store/claim_store.ts";
import { MemoryStore } from "../store/memory_store.ts";
import { hashPassword, verifyPassword } from "../store/password_hash.ts";

/** What a connection proved, that may hold names. */
export type Credential =
  /** A public key it proved it holds (its {@linkcode keyIdOf} id). */
  | { kind: "key"; keyId: string }
  /** The password of one claimed name (its look key). */
  | { kind: "password"; key: string }
  /** A TLS client certificate's SHA-256 fingerprint (IRC CertFP). */
  | { kind: "certfp"; fp: string };

/** What {@linkcode ClaimRegistry.check} found of a name. */
export type ClaimCheck =
  /** Nobody holds it (or the claim lapsed, and is gone). */
  | { status: "free" }
  /** The credential holds it. */
  | { status: "yours"; record: ClaimRecord }
  /** Someone else holds it; `password` when a password proves it. */
  | { status: "registered"; password: boolean; record: ClaimRecord };

/** What a password guess came to. */
export type GuessResult =
  /** The password proves the name. */
  | "ok"
  /** It does not. */
  | "wrong"
  /** The name has no password (or no claim). */
  | "none"
  /** Too many guesses lately, for the name or from the address: not tried. */
  | "slow";

/** Options of {@linkcode ClaimRegistry}. */
export interface ClaimRegistryOptions {
  /**
   * Where the claims are kept.
   * @default {a new MemoryStore}
   */
  store?: ClaimStore;
  /**
   * Days unused after which a claim lapses; 0 = never.
   * @default {30}
   */
  claimDays?: number;
  /**
   * Claims off (`--open-names`): every name is free, nothing is claimed.
   * @default {false}
   */
  open?: boolean;
  /**
   * Clock, in milliseconds since the epoch.
   * @default {Date.now}
   */
  now?: () => number;
  /**
   * scrypt's cost for new password hashes.
   * @default {32768}
   */
  passwordCost?: number;
  /**
   * Password guesses allowed per name and per address: a guess costs a
   * token of both.
   * @default {{ rate: 0.1, burst: 5 }}
   */
  guesses?: TokenBucketOptions;
  /**
   * Told every claim this registry changes itself (claimed, used, left,
   * given a password or a certificate; not a lapse, which every node
   * works out alone, nor what {@linkcode ClaimRegistry.adopt} takes): a
   * cluster sends it to the other nodes.
   * @default {() => {}}
   */
  onChange?: (record: ClaimRecord) => void;
}

/** Options of {@linkcode ClaimRegistry.adopt}. */
export interface AdoptOptions {
  /**
   * Keep the claim held here when it was used later than the one given (a
   * snapshot, older than a change read since).
   * @default {false}
   */
  unlessNewer?: boolean;
}

/** Options of {@linkcode ClaimRegistry.verifyPassword}. */
export interface VerifyPasswordOptions {
  /**
   * Whether a name without a password costs what a wrong guess costs: a
   * token of the address, and a hash's time against a decoy, so that
   * neither the answer's time nor a limit tells whether the name exists
   * (IRC's SASL, whose every failure reads the same).
   * @default {false}
   */
  blind?: boolean;
}

/** Milliseconds in a day. */
export const DAY_MS = 86_400_000;

// Most names and addresses whose guesses are counted at once; the oldest
// go first (a flood of names cannot grow memory without bound).
const _MAX_BUCKETS = 4096;

/**
 * The server's claimed names.
 *
 * @example A key claims a name; another key is refused, a look-alike too
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { ClaimRegistry } from "./claim_registry.ts";
 *
 * const claims = new ClaimRegistry({ now: () => 0 });
 * const ana = { kind: "key", keyId: "ed25519:ana" } as const;
 * const eve = { kind: "key", keyId: "ed25519:eve" } as const;
 * claims.use("ana", ana);
 * assertEquals(claims.check("ana", ana).status, "yours");
 * assertEquals(claims.check("ANA", eve).status, "registered");
 * assertEquals(claims.check("\u0430na", null).status, "registered"); // Cyrillic а
 * assertEquals(claims.check("bob", eve).status, "free");
 * ```
 */
export class ClaimRegistry {
  #store: ClaimStore;
  #byKey = new Map<string, ClaimRecord>();
  #claimMs: number;
  #open: boolean;
  #now: () => number;
  #cost: number;
  #guesses: TokenBucketOptions;
  #buckets = new Map<string, TokenBucket>();
  #decoy: Promise<string> | undefined;
  #onChange: (record: ClaimRecord) => void;

  /**
   * Loads the claims the store keeps.
   *
   * @param options Store, lapse, clock and limits.
   * @throws {RangeError} If `claimDays` is negative or not a number.
   */
  constructor(options: ClaimRegistryOptions = {}) {
    const days = options.claimDays ?? 30;
    if (!(days >= 0)) {
      throw new RangeError(
        `Cannot keep claims: claimDays must be 0 or more, not ${days}`,
      );
    }
    this.#claimMs = days * DAY_MS;
    this.#store = options.store ?? new MemoryStore();
    this.#open = options.open ?? false;
    this.#now = options.now ?? Date.now;
    this.#cost = options.passwordCost ?? 32_768;
    this.#guesses = options.guesses ?? { rate: 0.1, burst: 5 };
    this.#onChange = options.onChange ?? (() => {});
    if (this.#open) return;
    for (const record of this.#store.loadClaims()) this.#file(record);
  }

  /** Whether claims are off (`--open-names`). */
  get open(): boolean {
    return this.#open;
  }

  /** Number of claims held (lapsed ones included until looked at). */
  get size(): number {
    return new Set(this.#byKey.values()).size;
  }

  /**
   * Every claim held (lapsed ones included until looked at), as another
   * node starting needs them.
   *
   * @returns The records, one per claim.
   */
  records(): ClaimRecord[] {
    return [...new Set(this.#byKey.values())];
  }

  /**
   * Takes a claim as another node changed it (or as it was when this node
   * started), into the store too; nothing is told back.
   *
   * @param record The claim as it is now.
   * @param options Whether a claim held here that is newer stays.
   */
  adopt(record: ClaimRecord, options: AdoptOptions = {}): void {
    // A record whose key is not its name's look is a foreign writer's.
    if (this.#open || lookalikeKeys(record.name)[0] !== record.key) return;
    const held = this.#byKey.get(record.key);
    if (
      options.unlessNewer === true && held !== undefined &&
      held.lastUsed > record.lastUsed
    ) return;
    this.#save(record, false);
  }

  /**
   * Who holds a name, for a connection with a credential.
   *
   * @param name A valid name.
   * @param credential What the connection proved, or `null`.
   * @returns Free, yours, or registered to another.
   */
  check(name: string, credential: Credential | null): ClaimCheck {
    if (this.#open) return { status: "free" };
    const record = this.#find(name);
    if (record === undefined) return { status: "free" };
    if (credential !== null && _holds(record, credential)) {
      return { status: "yours", record };
    }
    return {
      status: "registered",
      password: record.passwordHash !== undefined,
      record,
    };
  }

  /**
   * Tells whether a password proves a name (it was given one with
   * `/register`).
   *
   * @param name A valid name.
   * @returns `true` when the name's claim has a password.
   */
  hasPassword(name: string): boolean {
    const check = this.check(name, null);
    return check.status === "registered" && check.password;
  }

  /**
   * Notes that a member joined (or renamed) under a name it may use: a key
   * claims a free name; a claim held is used now (it will not lapse for
   * `claimDays`), and where its holder was is handed back once.
   *
   * @param name The name, accepted.
   * @param credential What the member proved, or `null` (nothing happens).
   * @returns The claim as it was before (with the rooms and the time its
   * holder left), or `undefined` when the name was not claimed by it.
   */
  use(name: string, credential: Credential | null): ClaimRecord | undefined {
    if (this.#open || credential === null) return undefined;
    const now = this.#now();
    const record = this.#find(name);
    if (record === undefined) {
      if (credential.kind !== "key") return undefined;
      this.#save({
        key: lookalikeKeys(name)[0]!,
        name,
        keyId: credential.keyId,
        claimedAt: now,
        lastUsed: now,
        rooms: [],
      });
      return undefined;
    }
    if (!_holds(record, credential)) return undefined;
    const { leftAt: _left, ...rest } = record;
    this.#save({ ...rest, lastUsed: now, rooms: [] });
    return record;
  }

  /**
   * Notes that the holder of a claimed name left, and the rooms it was in.
   *
   * @param name Its name.
   * @param credential What it proved.
   * @param rooms Its rooms, the one to be current last.
   */
  left(
    name: string,
    credential: Credential | null,
    rooms: readonly string[],
  ): void {
    if (this.#open || credential === null) return;
    const record = this.#find(name);
    if (record === undefined || !_holds(record, credential)) return;
    const now = this.#now();
    this.#save({ ...record, lastUsed: now, leftAt: now, rooms: [...rooms] });
  }

  /**
   * Sets (or changes) the password of a name its caller holds, claiming
   * the name when it is free; the hash is made off the main thread.
   *
   * @param name The name.
   * @param credential What the caller proved (a key, or this name's
   * password), or `null` for a name nobody holds.
   * @param password The new password.
   * @returns The credential the password gives, or `null` when the name is
   * another's (nothing changed).
   * @throws {RangeError} If the password is empty or too long.
   */
  async setPassword(
    name: string,
    credential: Credential | null,
    password: string,
  ): Promise<Credential | null> {
    const hash = await hashPassword(password, { cost: this.#cost });
    const record = this.#claimWith(name, credential, { passwordHash: hash });
    return record === null ? null : { kind: "password", key: record.key };
  }

  /**
   * Claims a name for a TLS client certificate (IRC CertFP), or adds the
   * certificate to a claim its caller holds.
   *
   * @param name The name.
   * @param credential What the caller proved, or `null` for a name nobody
   * holds.
   * @param fp The certificate's SHA-256 fingerprint.
   * @returns The credential the certificate gives, or `null` when the name
   * is another's (nothing changed).
   */
  setCertFp(
    name: string,
    credential: Credential | null,
    fp: string,
  ): Credential | null {
    return this.#claimWith(name, credential, { certFp: fp }) === null
      ? null
      : { kind: "certfp", fp };
  }

  // Adds a proof (a password's hash, a certificate) to the caller's claim
  // of a name, or claims a name nobody holds with it; `null`, changing
  // nothing, when the name is another's or claims are off.
  #claimWith(
    name: string,
    credential: Credential | null,
    proof: Pick<ClaimRecord, "passwordHash"> | Pick<ClaimRecord, "certFp">,
  ): ClaimRecord | null {
    const check = this.check(name, credential);
    if (this.#open || check.status === "registered") return null;
    const now = this.#now();
    const record: ClaimRecord = check.status === "yours"
      ? { ...check.record, ...proof, lastUsed: now }
      : {
        key: lookalikeKeys(name)[0]!,
        name,
        ...proof,
        claimedAt: now,
        lastUsed: now,
        rooms: [],
      };
    this.#save(record);
    return record;
  }

  /**
   * Checks a password for a name (netcat's `/identify`, the page over
   * plain HTTP, IRC's SASL PLAIN). Each guess costs a token for the name
   * and for the address; without tokens nothing is tried.
   *
   * @param name The name.
   * @param password The password given.
   * @param address Where the guess comes from.
   * @param options Whether a name without a password is checked blind.
   * @returns What the guess came to, and on `"ok"` the credential.
   */
  async verifyPassword(
    name: string,
    password: string,
    address: string,
    options: VerifyPasswordOptions = {},
  ): Promise<{ result: GuessResult; credential?: Credential }> {
    const record = this.#open ? undefined : this.#find(name);
    if (record?.passwordHash === undefined) {
      if (options.blind !== true) return { result: "none" };
      const now = this.#now();
      if (!this.#bucket(`address ${address}`, now).take(now)) {
        return { result: "slow" };
      }
      this.#decoy ??= hashPassword("decoy", { cost: this.#cost });
      await verifyPassword(password, await this.#decoy);
      return { result: "none" };
    }
    const now = this.#now();
    const byName = this.#bucket(`name ${record.key}`, now).take(now);
    const byAddress = this.#bucket(`address ${address}`, now).take(now);
    if (!byName || !byAddress) return { result: "slow" };
    if (!await verifyPassword(password, record.passwordHash)) {
      return { result: "wrong" };
    }
    return { result: "ok", credential: { kind: "password", key: record.key } };
  }

  /**
   * Checks a TLS client certificate's fingerprint for a name (IRC CertFP):
   * the seam the IRC dialect proves a name through.
   *
   * @param name The name.
   * @param fp The certificate's SHA-256 fingerprint.
   * @returns The credential when the fingerprint holds the name, else `null`.
   */
  verifyCertFp(name: string, fp: string): Credential | null {
    const credential: Credential = { kind: "certfp", fp };
    return this.check(name, credential).status === "yours" ? credential : null;
  }

  // The live claim a name falls under; a lapsed one is forgotten.
  #find(name: string): ClaimRecord | undefined {
    for (const key of lookalikeKeys(name)) {
      const record = this.#byKey.get(key);
      if (record === undefined) continue;
      if (this.#claimMs > 0 && this.#now() - record.lastUsed > this.#claimMs) {
        this.#unfile(record);
        this.#store.forgetClaim(record.key);
        continue;
      }
      return record;
    }
    return undefined;
  }

  #save(record: ClaimRecord, tell = true): void {
    const old = this.#byKey.get(record.key);
    if (old !== undefined) this.#unfile(old);
    this.#file(record);
    this.#store.saveClaim(record);
    if (tell) this.#onChange(record);
  }

  #file(record: ClaimRecord): void {
    for (const key of lookalikeKeys(record.name)) this.#byKey.set(key, record);
    this.#byKey.set(record.key, record);
  }

  #unfile(record: ClaimRecord): void {
    for (const key of [record.key, ...lookalikeKeys(record.name)]) {
      if (this.#byKey.get(key) === record) this.#byKey.delete(key);
    }
  }

  #bucket(key: string, now: number): TokenBucket {
    let bucket = this.#buckets.get(key);
    if (bucket === undefined) {
      if (this.#buckets.size >= _MAX_BUCKETS) {
        this.#buckets.delete(this.#buckets.keys().next().value!);
      }
      bucket = new TokenBucket(this.#guesses, now);
      this.#buckets.set(key, bucket);
    }
    return bucket;
  }
}

function _holds(record: ClaimRecord, credential: Credential): boolean {
  switch (credential.kind) {
    case "key":
      return record.keyId === credential.keyId;
    case "password":
      return record.key === credential.key;
    case "certfp":
      return record.certFp !== undefined && record.certFp === credential.fp;
  }
}
