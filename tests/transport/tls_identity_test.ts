import {
  assert,
  assertEquals,
  assertFalse,
  assertRejects,
  assertStringIncludes,
} from "@std/assert";
import {
  createTlsIdentity,
  IDENTITY_FILE,
  keptTlsIdentity,
  loadTlsIdentity,
} from "../../src/transport/tls_identity.ts";
import {
  formatFingerprint,
  hexFingerprint,
  parseFingerprint,
} from "../../src/transport/fingerprint.ts";

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "chat_identity_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("createTlsIdentity() makes a self-signed ECDSA P-256 certificate for chat.invalid that is no CA, and openssl agrees on its fingerprint", async () => {
  await withDir(async (dir) => {
    const identity = await createTlsIdentity();
    await Deno.writeTextFile(`${dir}/cert.pem`, identity.certPem);
    const output = await new Deno.Command("openssl", {
      args: [
        "x509",
        "-in",
        `${dir}/cert.pem`,
        "-noout",
        "-text",
        "-fingerprint",
        "-sha256",
      ],
      stdout: "piped",
    }).output();
    const text = new TextDecoder().decode(output.stdout);
    assertStringIncludes(text, "Subject: CN = chat.invalid");
    assertStringIncludes(text, "CA:FALSE");
    assertStringIncludes(text, "prime256v1");
    assertStringIncludes(
      text,
      `Fingerprint=${hexFingerprint(identity.sha256)}`,
    );
    assertFalse(identity.custom);
  });
});

Deno.test("keptTlsIdentity() makes the identity once, owner-only, and gives the same one after", async () => {
  await withDir(async (dir) => {
    const created: string[] = [];
    const first = await keptTlsIdentity(dir, {
      onCreated: (path) => created.push(path),
    });
    const again = await keptTlsIdentity(dir, {
      onCreated: (path) => created.push(path),
    });
    assertEquals(created, [`${dir}/${IDENTITY_FILE}`]);
    assertEquals(again.sha256, first.sha256);
    assertEquals(again.keyPem, first.keyPem);
    if (Deno.build.os !== "windows") {
      assertEquals(
        Deno.statSync(`${dir}/${IDENTITY_FILE}`).mode! & 0o777,
        0o600,
      );
    }
    assertEquals([...Deno.readDirSync(dir)].map((e) => e.name), [
      IDENTITY_FILE,
    ]);
  });
});

Deno.test("keptTlsIdentity() called by several at once on one folder ends with one identity for all", async () => {
  await withDir(async (dir) => {
    const all = await Promise.all(
      Array.from({ length: 6 }, () => keptTlsIdentity(dir)),
    );
    const kept = await keptTlsIdentity(dir);
    for (const identity of all) assertEquals(identity.sha256, kept.sha256);
    assertEquals([...Deno.readDirSync(dir)].length, 1);
  });
});

Deno.test("keptTlsIdentity() in two processes started at once on one folder ends with one identity", async () => {
  await withDir(async (dir) => {
    const module =
      new URL("../../src/transport/tls_identity.ts", import.meta.url).href;
    const code = `import { keptTlsIdentity } from "${module}";
      const { sha256 } = await keptTlsIdentity(${JSON.stringify(dir)});
      console.log([...sha256].join(","));`;
    const runs = await Promise.all(
      [1, 2, 3].map(() =>
        new Deno.Command(Deno.execPath(), {
          args: ["eval", code],
          stdout: "piped",
        }).output()
      ),
    );
    const seen = new Set(
      runs.map((run) => new TextDecoder().decode(run.stdout).trim()),
    );
    assertEquals(seen.size, 1);
    assertEquals(
      [...seen][0],
      [...(await keptTlsIdentity(dir)).sha256].join(","),
    );
  });
});

Deno.test("keptTlsIdentity() names a corrupt identity file and quotes none of it", async () => {
  await withDir(async (dir) => {
    const identity = await createTlsIdentity();
    const path = `${dir}/${IDENTITY_FILE}`;
    for (
      const text of [
        "garbage",
        identity.certPem, // no key
        identity.keyPem.replace(/\n(.{10})/, "\n!!!!!!!!!!") + identity.certPem,
        identity.keyPem + (await createTlsIdentity()).certPem, // another's
      ]
    ) {
      await Deno.writeTextFile(path, text);
      const error = await assertRejects(
        () => keptTlsIdentity(dir),
        SyntaxError,
      );
      assertStringIncludes(
        error.message,
        `Cannot read the server identity ${path}: `,
      );
      const secret = identity.keyPem.split("\n")[1]!.slice(0, 16);
      assertFalse(error.message.includes(secret));
    }
  });
});

Deno.test("loadTlsIdentity() takes a certificate and its key, and refuses a key of another certificate", async () => {
  await withDir(async (dir) => {
    const one = await createTlsIdentity({ name: "chat.example" });
    const two = await createTlsIdentity();
    await Deno.writeTextFile(`${dir}/cert.pem`, one.certPem);
    await Deno.writeTextFile(`${dir}/key.pem`, one.keyPem);
    await Deno.writeTextFile(`${dir}/other.pem`, two.keyPem);
    const loaded = await loadTlsIdentity(`${dir}/cert.pem`, `${dir}/key.pem`);
    assertEquals(loaded.sha256, one.sha256);
    assert(loaded.custom);
    const error = await assertRejects(
      () => loadTlsIdentity(`${dir}/cert.pem`, `${dir}/other.pem`),
      SyntaxError,
    );
    assertEquals(
      error.message,
      `Cannot use the TLS key ${dir}/other.pem: not a valid private key for the certificate`,
    );
    await assertRejects(
      () => loadTlsIdentity(`${dir}/missing.pem`, `${dir}/key.pem`),
      Error,
      `Cannot use the TLS certificate ${dir}/missing.pem: no such file`,
    );
  });
});

Deno.test("Fingerprints read back the way they are written, either way", async () => {
  const { sha256 } = await createTlsIdentity();
  assertEquals(parseFingerprint(formatFingerprint(sha256)), sha256);
  assertEquals(parseFingerprint(hexFingerprint(sha256)), sha256);
  assertEquals(parseFingerprint(hexFingerprint(sha256).toLowerCase()), sha256);
  for (
    const bad of ["", "SHA256:", "SHA256:!!!", "ab:cd", "MD5:" + "A".repeat(43)]
  ) {
    assertEquals(parseFingerprint(bad), null);
  }
});
