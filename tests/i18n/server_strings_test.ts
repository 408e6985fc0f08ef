// Checks src/i18n/server_strings.ts where wording was wrong: a Portuguese
// leave does not say "saiu" twice, and each language has every text.

import { assert, assertEquals } from "@std/assert";
import { STRINGS } from "../../src/i18n/server_strings.ts";
import type { LeaveReason } from "../../src/protocol/messages.ts";

const REASONS: readonly LeaveReason[] = [
  "quit",
  "closed",
  "error",
  "shutdown",
  "timeout",
  "flood",
  "slow",
  "protocol",
  "full",
  "limit",
  "password",
];

Deno.test("a Portuguese leave says saiu once, whatever the reason", () => {
  for (const reason of REASONS) {
    for (const detail of [undefined, "tchau"]) {
      const text = STRINGS.pt.left("ana", reason, detail);
      assertEquals(text.split("saiu").length - 1, 1, text);
    }
  }
  assertEquals(
    STRINGS.pt.left("ana", "quit"),
    "ana saiu do chat! (pediu para sair)",
  );
  assertEquals(
    STRINGS.pt.left("ana", "quit", "tchau"),
    "ana saiu do chat! (pediu para sair: tchau)",
  );
});

Deno.test("an English leave says left once, whatever the reason", () => {
  for (const reason of REASONS) {
    const text = STRINGS.en.left("ana", reason);
    assertEquals(text.split("left").length - 1, 1, text);
  }
});

Deno.test("every language counts refused lines in the singular and the plural", () => {
  for (const strings of Object.values(STRINGS)) {
    assert(strings.dropped(1).startsWith("1 "), strings.dropped(1));
    assert(strings.dropped(12).startsWith("12 "), strings.dropped(12));
  }
});
