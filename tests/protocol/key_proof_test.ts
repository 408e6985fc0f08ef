import { assert, assertEquals, assertFalse, assertThrows } from "@std/assert";
import fc from "fast-check";
import {
  fromBase64Url,
  keyIdOf,
  newNonce,
  proofText,
  type PublicKeyInfo,
  readPublicKey,
  toBase64Url,
  UNBOUND_CHANNEL,
  verifyProof,
} from "../../src/protocol/key_proof.ts";
import { decodeClientMessage } from "../../src/protocol/native_codec.ts";
import { makeKey } from "../_keys.ts";

for (const alg of ["Ed25519", "ECDSA-P256"] as const) {
  Deno.test(`verifyProof() takes a ${alg} signature of the nonce and channel, and nothing else`, async () => {
    const { info, sign } = await makeKey(alg);
    assertEquals(readPublicKey(info), info);
    const nonce = newNonce();
    const signature = await sign(proofText(nonce, UNBOUND_CHANNEL));
    assert(await verifyProof(info, signature, nonce, UNBOUND_CHANNEL));
    // Another nonce, another channel (a relay showing its own certificate),
    // another key: refused.
    assertFalse(
      await verifyProof(info, signature, newNonce(), UNBOUND_CHANNEL),
    );
    assertFalse(await verifyProof(info, signature, nonce, "SHA256:relay"));
    const other = await makeKey(alg);
    assertFalse(
      await verifyProof(other.info, signature, nonce, UNBOUND_CHANNEL),
    );
  });
}

Deno.test("a proof bound to a certificate's fingerprint verifies only for that fingerprint", async () => {
  const { info, sign } = await makeKey();
  const nonce = newNonce();
  const signature = await sign(proofText(nonce, "SHA256:server"));
  assert(await verifyProof(info, signature, nonce, "SHA256:server"));
  assertFalse(await verifyProof(info, signature, nonce, UNBOUND_CHANNEL));
});

Deno.test("readPublicKey() refuses wrong algorithms, sizes, alphabets and huge keys", () => {
  const ed = "A".repeat(43);
  const p256 = "BA" + "A".repeat(85);
  assertEquals(
    readPublicKey({ alg: "ECDSA-P256", key: p256 })?.alg,
    "ECDSA-P256",
  );
  for (
    const value of [
      null,
      "Ed25519",
      [],
      { alg: "Ed25519" },
      { alg: "Ed25519", key: 42 },
      { alg: "Ed25519", key: ed + "A" },
      { alg: "Ed25519", key: ed.slice(1) },
      { alg: "Ed25519", key: ed.slice(1) + "+" },
      { alg: "Ed25519", key: ed.slice(1) + "=" },
      { alg: "Ed25519", key: "A".repeat(1_000_000) },
      { alg: "ECDSA-P256", key: "AA" + "A".repeat(85) },
      { alg: "RSA", key: ed },
    ]
  ) {
    assertEquals(
      readPublicKey(value),
      null,
      JSON.stringify(value)?.slice(0, 40),
    );
  }
});

Deno.test("verifyProof() says false, never throws, for garbage signatures and keys not on the curve (fuzzed)", async () => {
  const { info } = await makeKey("ECDSA-P256");
  const offCurve: PublicKeyInfo = {
    alg: "ECDSA-P256",
    key: "BA" + "A".repeat(85),
  };
  const nonce = newNonce();
  for (
    const signature of ["", "A".repeat(86), "!".repeat(86), "A".repeat(10_000)]
  ) {
    assertFalse(await verifyProof(info, signature, nonce, UNBOUND_CHANNEL));
    assertFalse(await verifyProof(offCurve, signature, nonce, UNBOUND_CHANNEL));
  }
  await fc.assert(
    fc.asyncProperty(fc.string({ maxLength: 200 }), async (signature) => {
      assertFalse(await verifyProof(info, signature, nonce, UNBOUND_CHANNEL));
    }),
    { numRuns: 200 },
  );
});

Deno.test("fromBase64Url() round-trips bytes and refuses what is not base64url", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
      assertEquals(
        fromBase64Url(toBase64Url(bytes), 100),
        bytes.length ? bytes : null,
      );
    }),
  );
  assertEquals(fromBase64Url("A", 10), null);
  assertEquals(fromBase64Url("AAAA", 1), null);
});

Deno.test("keyIdOf() names the algorithm, so the same bytes under two algorithms are two keys", () => {
  assertEquals(keyIdOf({ alg: "Ed25519", key: "abc" }), "ed25519:abc");
  assertEquals(keyIdOf({ alg: "ECDSA-P256", key: "abc" }), "p256:abc");
});

Deno.test("decodeClientMessage() takes a hello's key and a proof, and refuses a bad key with a SyntaxError (fuzzed)", async () => {
  const { info } = await makeKey();
  assertEquals(
    decodeClientMessage(
      JSON.stringify({ type: "hello", version: 2, name: "ana", key: info }),
    ),
    { type: "hello", version: 2, name: "ana", key: info },
  );
  assertEquals(
    decodeClientMessage('{"type":"proof","signature":"abc"}'),
    { type: "proof", signature: "abc" },
  );
  assertThrows(
    () =>
      decodeClientMessage(
        '{"type":"hello","version":2,"name":"a","key":{"alg":"RSA"}}',
      ),
    SyntaxError,
  );
  assertThrows(() => decodeClientMessage('{"type":"proof"}'), SyntaxError);
  fc.assert(
    fc.property(fc.anything(), fc.anything(), (key, signature) => {
      for (
        const line of [
          JSON.stringify({ type: "hello", version: 2, name: "ana", key }),
          JSON.stringify({ type: "proof", signature }),
        ]
      ) {
        if (line === undefined) continue;
        try {
          decodeClientMessage(line);
        } catch (error) {
          assert(error instanceof SyntaxError, String(error));
        }
      }
    }),
    { numRuns: 500 },
  );
});
