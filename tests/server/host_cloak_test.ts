// The host IRC users see for an address: a keyed hash, or the address.

import { assertEquals } from "@std/assert";
import { HostCloak } from "../../src/server/host_cloak.ts";

Deno.test("HostCloak hides addresses behind a keyed hash, unless told to show them", () => {
  const secret = new Uint8Array(16);
  const one = new HostCloak({ secret });
  const two = new HostCloak({ secret: new Uint8Array(16).fill(1) });
  assertEquals(
    one.hostOf("192.0.2.1"),
    new HostCloak({ secret }).hostOf("192.0.2.1"),
  );
  assertEquals(one.hostOf("192.0.2.1") === two.hostOf("192.0.2.1"), false);
  assertEquals(one.hostOf("192.0.2.1").includes("192"), false);
  assertEquals(
    new HostCloak({ showIps: true }).hostOf("192.0.2.1"),
    "192.0.2.1",
  );
  assertEquals(new HostCloak({ showIps: true }).hostOf("::1"), "0::1");
});
