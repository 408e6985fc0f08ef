import { assertEquals, assertStringIncludes } from "@std/assert";
import { KnownServers } from "../../src/client/known_servers.ts";
import { judgeServer } from "../../src/client/server_trust.ts";

const ONE = new Uint8Array(32).fill(1);
const TWO = new Uint8Array(32).fill(2);

function withDir(fn: (dir: string) => void): void {
  const dir = Deno.makeTempDirSync({ prefix: "chat_trust_" });
  try {
    fn(dir);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

Deno.test("judgeServer() trusts a kept or vouched server, refuses a changed one whatever the flags, and asks only at a terminal", () => {
  withDir((dir) => {
    const known = KnownServers.read(`${dir}/known_servers`);
    known.add("a:1", ONE);
    const seen = (address: string, sha256: Uint8Array, vouched = false) => ({
      address,
      sha256,
      vouched,
    });
    const quiet = { trustNew: false, interactive: false };
    assertEquals(judgeServer(seen("a:1", ONE), known, quiet, "en"), {
      kind: "trusted",
      remember: false,
    });
    const changed = judgeServer(
      seen("a:1", TWO),
      known,
      { trustNew: true, interactive: true, fingerprint: TWO },
      "en",
    );
    assertEquals(changed.kind, "refused");
    assertStringIncludes(
      changed.kind === "refused" ? changed.text : "",
      `line\n2 of ${dir}/known_servers`,
    );
    assertEquals(
      judgeServer(seen("b:1", TWO, true), known, quiet, "en").kind,
      "trusted",
    );
    assertEquals(
      judgeServer(seen("b:1", TWO), known, { ...quiet, trustNew: true }, "en"),
      { kind: "trusted", remember: true },
    );
    assertEquals(
      judgeServer(
        seen("b:1", TWO),
        known,
        { ...quiet, fingerprint: TWO },
        "en",
      ),
      { kind: "trusted", remember: true },
    );
    assertEquals(
      judgeServer(seen("b:1", TWO), known, { ...quiet, fingerprint: ONE }, "en")
        .kind,
      "refused",
    );
    assertEquals(
      judgeServer(
        seen("b:1", TWO),
        known,
        { ...quiet, interactive: true },
        "en",
      ),
      { kind: "ask" },
    );
    const refused = judgeServer(seen("b:1", TWO), known, quiet, "pt");
    assertStringIncludes(
      refused.kind === "refused" ? refused.text : "",
      "Não foi possível entrar em b:1",
    );
  });
});
