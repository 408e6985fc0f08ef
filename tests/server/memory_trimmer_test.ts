import { assertEquals } from "@std/assert";
import { MemoryTrimmer } from "../../src/server/memory_trimmer.ts";
import { trimMemory } from "../../src/server/system_tuning.ts";

Deno.test("MemoryTrimmer trims once the number of connections holds still after a change, once per change", () => {
  let trims = 0;
  const trimmer = new MemoryTrimmer({ trim: () => (trims++, true) });
  // Nobody yet: nothing changed, nothing to give back.
  assertEquals(trimmer.tick(0), false);
  assertEquals(trimmer.tick(0), false);
  // A crowd arrives over several ticks.
  for (const count of [5, 50, 500]) assertEquals(trimmer.tick(count), false);
  assertEquals(trims, 0);
  assertEquals(trimmer.tick(500), true);
  assertEquals(trims, 1);
  assertEquals(trimmer.tick(500), false);
  // It leaves: once more.
  assertEquals(trimmer.tick(0), false);
  assertEquals(trimmer.tick(0), true);
  assertEquals(trims, 2);
});

Deno.test("trimMemory() gives memory back through libc on Linux and does nothing elsewhere", () => {
  // Something to give back: many buffers, dropped.
  let buffers: Uint8Array[] | null = Array.from(
    { length: 2000 },
    () => new Uint8Array(4096),
  );
  assertEquals(buffers.length, 2000);
  buffers = null;
  const trimmed = trimMemory();
  assertEquals(typeof trimmed, "boolean");
  if (Deno.build.os !== "linux") assertEquals(trimmed, false);
});
