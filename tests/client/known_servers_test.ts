import { assertEquals, assertThrows } from "@std/assert";
import {
  KnownServers,
  knownServersPath,
} from "../../src/client/known_servers.ts";
import { formatFingerprint } from "../../src/transport/fingerprint.ts";

const ONE = new Uint8Array(32).fill(1);
const TWO = new Uint8Array(32).fill(2);

function withDir(fn: (dir: string) => void): void {
  const dir = Deno.makeTempDirSync({ prefix: "chat_known_" });
  try {
    fn(dir);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

Deno.test("knownServersPath() is known_servers in the config folder, beside the personal key", () => {
  assertEquals(knownServersPath("/x/chat"), "/x/chat/known_servers");
  const xdg = Deno.env.get("XDG_CONFIG_HOME");
  if (xdg !== undefined && xdg.startsWith("/")) {
    assertEquals(
      knownServersPath(),
      `${xdg.replace(/\/+$/, "")}/chat/known_servers`,
    );
  }
});

Deno.test("KnownServers keeps a server in a new owner-only file in a new folder, and reads it back", () => {
  withDir((dir) => {
    const path = `${dir}/chat/known_servers`;
    const known = KnownServers.read(path);
    assertEquals(known.find("10.0.0.2:50001"), undefined);
    known.add("10.0.0.2:50001", ONE);
    known.add("[::1]:50001", TWO);
    const again = KnownServers.read(path);
    assertEquals(again.find("10.0.0.2:50001")?.sha256, ONE);
    assertEquals(again.find("10.0.0.2:50001")?.line, 2);
    assertEquals(again.matches("[::1]:50001", TWO), true);
    assertEquals(again.matches("[::1]:50001", ONE), false);
    if (Deno.build.os !== "windows") {
      assertEquals(Deno.statSync(path).mode! & 0o777, 0o600);
    }
  });
});

Deno.test("KnownServers names a corrupt line of its file", () => {
  withDir((dir) => {
    const path = `${dir}/known_servers`;
    Deno.writeTextFileSync(
      path,
      `# comment\n\n10.0.0.2:50001 ${formatFingerprint(ONE)}\nrubbish here\n`,
    );
    const error = assertThrows(() => KnownServers.read(path), SyntaxError);
    assertEquals(
      error.message,
      `Cannot read the known servers file ${path}: line 4 is not "HOST:PORT SHA256:<fingerprint>"; correct or remove it`,
    );
  });
});
