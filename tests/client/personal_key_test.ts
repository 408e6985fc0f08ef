import {
  assert,
  assertEquals,
  assertFalse,
  assertRejects,
  assertStringIncludes,
} from "@std/assert";
import {
  loadPersonalKey,
  PERSONAL_KEY_FILE,
} from "../../src/client/personal_key.ts";
import {
  newNonce,
  proofText,
  UNBOUND_CHANNEL,
  verifyProof,
} from "../../src/protocol/key_proof.ts";

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "chat_key_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("loadPersonalKey() makes a key on first use, owner-only, and reads the same key after", async () => {
  await withTempDir(async (home) => {
    const dir = `${home}/chat`;
    const key = await loadPersonalKey(dir);
    assertEquals(key.path, `${dir}/${PERSONAL_KEY_FILE}`);
    assertEquals(key.publicKey.alg, "Ed25519");
    if (Deno.build.os !== "windows") {
      assertEquals(Deno.statSync(dir).mode! & 0o777, 0o700);
      assertEquals(Deno.statSync(key.path).mode! & 0o777, 0o600);
    }
    const again = await loadPersonalKey(dir);
    assertEquals(again.publicKey, key.publicKey);
    // No temporary file is left behind.
    assertEquals([...Deno.readDirSync(dir)].map((entry) => entry.name), [
      PERSONAL_KEY_FILE,
    ]);
    const nonce = newNonce();
    const signature = await again.sign(proofText(nonce, UNBOUND_CHANNEL));
    assert(await verifyProof(key.publicKey, signature, nonce, UNBOUND_CHANNEL));
  });
});

Deno.test("loadPersonalKey() run twice at once keeps one key", async () => {
  await withTempDir(async (dir) => {
    const keys = await Promise.all(
      Array.from({ length: 5 }, () => loadPersonalKey(dir)),
    );
    const stored = await loadPersonalKey(dir);
    for (const key of keys) assertEquals(key.publicKey, stored.publicKey);
  });
});

Deno.test("loadPersonalKey() refuses a corrupt key file, naming it and never showing what it holds", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/${PERSONAL_KEY_FILE}`;
    const good = await loadPersonalKey(dir);
    const text = Deno.readTextFileSync(path);
    const secret = JSON.parse(text).privateKey.d as string;
    const broken = [
      text.slice(0, text.length / 2),
      "[]",
      JSON.stringify({ ...JSON.parse(text), version: 2 }),
      JSON.stringify({
        ...JSON.parse(text),
        privateKey: { ...JSON.parse(text).privateKey, d: "AAAA" },
      }),
      JSON.stringify({ ...JSON.parse(text), publicKey: "A".repeat(43) }),
    ];
    for (const content of broken) {
      Deno.writeTextFileSync(path, content);
      const error = await assertRejects(() => loadPersonalKey(dir), Error);
      assertStringIncludes(
        error.message,
        `Cannot read the personal key ${path}: `,
      );
      assertFalse(error.message.includes(secret), "the key is in the error");
      assertFalse(error.message.includes(good.publicKey.key.slice(0, 20)));
    }
  });
});

Deno.test("loadPersonalKey() says which file it cannot use", async () => {
  await withTempDir(async (dir) => {
    Deno.writeTextFileSync(`${dir}/file`, "");
    const error = await assertRejects(
      () => loadPersonalKey(`${dir}/file/chat`),
      Error,
    );
    assertStringIncludes(
      error.message,
      ` the personal key ${dir}/file/chat/${PERSONAL_KEY_FILE}: `,
    );
  });
});
