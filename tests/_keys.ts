/**
 * Personal keys for tests: a WebCrypto key pair and its public half as a
 * `hello` carries it, and a native user that proves one.
 *
 * @module
 */

import {
  proofText,
  type PublicKeyInfo,
  toBase64Url,
  UNBOUND_CHANNEL,
} from "../src/protocol/key_proof.ts";
import { LineClient } from "./_helpers.ts";

/** A key pair of an algorithm, its public half as a hello carries it. */
export async function makeKey(
  alg: "Ed25519" | "ECDSA-P256" = "Ed25519",
): Promise<
  {
    info: PublicKeyInfo;
    sign: (data: Uint8Array<ArrayBuffer>) => Promise<string>;
  }
> {
  const params = alg === "Ed25519"
    ? { name: "Ed25519" }
    : { name: "ECDSA", namedCurve: "P-256" };
  const signParams = alg === "Ed25519"
    ? { name: "Ed25519" }
    : { name: "ECDSA", hash: "SHA-256" };
  const pair = await crypto.subtle.generateKey(params, false, [
    "sign",
    "verify",
  ]) as CryptoKeyPair;
  const raw = new Uint8Array(
    await crypto.subtle.exportKey("raw", pair.publicKey),
  );
  return {
    info: { alg, key: toBase64Url(raw) },
    sign: async (data) =>
      toBase64Url(
        new Uint8Array(
          await crypto.subtle.sign(signParams, pair.privateKey, data),
        ),
      ),
  };
}

/** A key made by {@linkcode makeKey}. */
export type TestKey = Awaited<ReturnType<typeof makeKey>>;

/** Options of {@linkcode keyUser}. */
export interface KeyUserOptions {
  /**
   * Connect with TLS (as `chat join` does), instead of plain TCP.
   * @default {false}
   */
  tls?: boolean;
  /**
   * What the proof is bound to: the fingerprint of the certificate the
   * client was shown (`SHA256:…`).
   * @default {UNBOUND_CHANNEL}
   */
  channel?: string;
}

/**
 * Says hello as a native user with a key, answers the challenge, and
 * returns the client and the first answer after the proof (a welcome or a
 * name_error).
 */
export async function keyUser(
  port: number,
  name: string,
  key: TestKey,
  options: KeyUserOptions = {},
): Promise<LineClient> {
  const client = options.tls
    ? await LineClient.connectTls(port)
    : await LineClient.connect(port);
  await client.sendMessage({ type: "hello", version: 2, name, key: key.info });
  const challenge = await client.expectMessage("challenge");
  const channel = options.channel ?? UNBOUND_CHANNEL;
  await client.sendMessage({
    type: "proof",
    signature: await key.sign(proofText(challenge.nonce, channel)),
  });
  return client;
}
