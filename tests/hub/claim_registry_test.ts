import { assert, assertEquals, assertFalse, assertThrows } from "@std/assert";
import {
  ClaimRegistry,
  type Credential,
  DAY_MS,
} from "../../src/hub/claim_registry.ts";
import { MemoryStore } from "../../src/store/memory_store.ts";

const ANA: Credential = { kind: "key", keyId: "ed25519:ana" };
const EVE: Credential = { kind: "key", keyId: "ed25519:eve" };
const CHEAP = 1024;

function clock(start = 1_000_000) {
  const time = { now: start };
  return { time, now: () => time.now };
}

Deno.test("ClaimRegistry: the first key to use a name claims it; another key, a look-alike or no key is refused", () => {
  const claims = new ClaimRegistry({ now: () => 0 });
  assertEquals(claims.check("ana", EVE).status, "free");
  assertEquals(claims.use("ana", ANA), undefined);
  assertEquals(claims.check("ana", ANA).status, "yours");
  for (const name of ["ana", "ANA", "Ana", "\u0430na", "аnа"]) {
    assertEquals(claims.check(name, EVE).status, "registered", name);
    assertEquals(claims.check(name, null).status, "registered", name);
  }
  assertEquals(claims.check("anna", EVE).status, "free");
  assertEquals(claims.size, 1);
});

Deno.test("ClaimRegistry: a name used without a key is not claimed", () => {
  const claims = new ClaimRegistry({ now: () => 0 });
  claims.use("bob", null);
  assertEquals(claims.check("bob", EVE).status, "free");
  assertEquals(claims.size, 0);
});

Deno.test("ClaimRegistry: a claim lapses after claimDays unused, and the name is anyone's again", () => {
  const { time, now } = clock();
  const claims = new ClaimRegistry({ now, claimDays: 30 });
  claims.use("ana", ANA);
  time.now += 30 * DAY_MS;
  assertEquals(claims.check("ana", EVE).status, "registered");
  time.now += 1;
  assertEquals(claims.check("ana", EVE).status, "free");
  claims.use("ana", EVE);
  assertEquals(claims.check("ana", ANA).status, "registered");
});

Deno.test("ClaimRegistry: using or leaving a name keeps the claim alive", () => {
  const { time, now } = clock();
  const claims = new ClaimRegistry({ now, claimDays: 1 });
  claims.use("ana", ANA);
  time.now += DAY_MS - 1;
  claims.left("ana", ANA, ["#general"]);
  time.now += DAY_MS - 1;
  assertEquals(claims.check("ana", EVE).status, "registered");
});

Deno.test("ClaimRegistry: claimDays 0 never lapses; a negative one is refused", () => {
  const { time, now } = clock();
  const claims = new ClaimRegistry({ now, claimDays: 0 });
  claims.use("ana", ANA);
  time.now += 10_000 * DAY_MS;
  assertEquals(claims.check("ana", EVE).status, "registered");
  assertThrows(() => new ClaimRegistry({ claimDays: -1 }), RangeError);
  assertThrows(() => new ClaimRegistry({ claimDays: NaN }), RangeError);
});

Deno.test("ClaimRegistry: open names claim nothing and refuse nothing", () => {
  const store = new MemoryStore();
  new ClaimRegistry({ store }).use("ana", ANA);
  const open = new ClaimRegistry({ store, open: true });
  assert(open.open);
  assertEquals(open.check("ana", EVE).status, "free");
  open.use("bob", ANA);
  assertEquals(store.loadClaims().map((claim) => claim.name), ["ana"]);
});

Deno.test("ClaimRegistry: claims, the rooms and when its holder left come back from the store", () => {
  const store = new MemoryStore();
  const { time, now } = clock();
  const first = new ClaimRegistry({ store, now });
  first.use("ana", ANA);
  time.now += 5;
  first.left("ana", ANA, ["#general", "#games"]);
  const again = new ClaimRegistry({ store, now });
  assertEquals(again.check("ana", EVE).status, "registered");
  const back = again.use("ana", ANA)!;
  assertEquals(back.rooms, ["#general", "#games"]);
  assertEquals(back.leftAt, time.now);
  // Handed back once: the next use has nothing to restore.
  assertEquals(again.use("ana", ANA)?.leftAt, undefined);
});

Deno.test("ClaimRegistry: left() by another credential changes nothing", () => {
  const claims = new ClaimRegistry({ now: () => 0 });
  claims.use("ana", ANA);
  claims.left("ana", EVE, ["#evil"]);
  assertEquals(claims.use("ana", ANA)?.rooms, []);
});

Deno.test("ClaimRegistry: /register's password claims a free name, proves it, and a wrong one does not", async () => {
  const claims = new ClaimRegistry({ now: () => 0, passwordCost: CHEAP });
  const credential = await claims.setPassword("bob", null, "hunter2");
  assertEquals(credential?.kind, "password");
  assert(claims.hasPassword("bob"));
  assertEquals(claims.check("bob", credential!).status, "yours");
  assertEquals(claims.check("BOB", EVE).status, "registered");
  const good = await claims.verifyPassword("Bob", "hunter2", "10.0.0.1");
  assertEquals(good.result, "ok");
  assertEquals(good.credential, credential!);
  assertEquals(
    (await claims.verifyPassword("bob", "hunter3", "10.0.0.1")).result,
    "wrong",
  );
  assertEquals(
    (await claims.verifyPassword("nobody", "x", "10.0.0.1")).result,
    "none",
  );
});

Deno.test("ClaimRegistry: a key holder adds a password; another cannot set one on its name", async () => {
  const claims = new ClaimRegistry({ now: () => 0, passwordCost: CHEAP });
  claims.use("ana", ANA);
  assertEquals(await claims.setPassword("ana", EVE, "mine now"), null);
  assertFalse(claims.hasPassword("ana"));
  assertEquals((await claims.setPassword("ana", ANA, "pw"))?.kind, "password");
  assertEquals(claims.check("ana", ANA).status, "yours");
  assertEquals(
    (await claims.verifyPassword("ana", "pw", "10.0.0.1")).result,
    "ok",
  );
});

Deno.test("ClaimRegistry: password guesses cost tokens per name and per address, and run out", async () => {
  const { time, now } = clock();
  const claims = new ClaimRegistry({
    now,
    passwordCost: CHEAP,
    guesses: { rate: 0.1, burst: 3 },
  });
  await claims.setPassword("bob", null, "right");
  const results = [];
  for (let i = 0; i < 4; i++) {
    results.push(
      (await claims.verifyPassword("bob", "wrong", "10.0.0.1")).result,
    );
  }
  assertEquals(results, ["wrong", "wrong", "wrong", "slow"]);
  // Even the right password is not tried while out of tokens.
  assertEquals(
    (await claims.verifyPassword("bob", "right", "10.0.0.2")).result,
    "slow",
  );
  time.now += 10_000;
  assertEquals(
    (await claims.verifyPassword("bob", "right", "10.0.0.2")).result,
    "ok",
  );
});

Deno.test("ClaimRegistry.verifyCertFp() is the seam a TLS client certificate proves a name through", () => {
  const store = new MemoryStore();
  store.saveClaim({
    key: "carol",
    name: "carol",
    certFp: "ab:cd",
    claimedAt: 0,
    lastUsed: 0,
    rooms: [],
  });
  const claims = new ClaimRegistry({ store, now: () => 0 });
  assertEquals(claims.verifyCertFp("carol", "ab:cd"), {
    kind: "certfp",
    fp: "ab:cd",
  });
  assertEquals(claims.verifyCertFp("carol", "ef:01"), null);
  assertEquals(claims.verifyCertFp("dave", "ab:cd"), null);
});

Deno.test("ClaimRegistry: a blind guess at a name without a password costs an address token, as a wrong one does", async () => {
  const claims = new ClaimRegistry({
    now: () => 0,
    passwordCost: CHEAP,
    guesses: { rate: 0.1, burst: 2 },
  });
  const guess = async () =>
    (await claims.verifyPassword("nobody", "x", "10.0.0.1", { blind: true }))
      .result;
  assertEquals([await guess(), await guess(), await guess()], [
    "none",
    "none",
    "slow",
  ]);
  // Not blind, nothing is counted.
  assertEquals(
    (await claims.verifyPassword("nobody", "x", "10.0.0.1")).result,
    "none",
  );
});

Deno.test("ClaimRegistry.setCertFp() claims a free name for a certificate, adds it to one held, and never takes another's", async () => {
  const claims = new ClaimRegistry({ now: () => 0, passwordCost: CHEAP });
  const mine = claims.setCertFp("carol", null, "SHA256:mine");
  assertEquals(mine, { kind: "certfp", fp: "SHA256:mine" });
  assertEquals(claims.verifyCertFp("carol", "SHA256:mine"), mine);
  assertEquals(claims.verifyCertFp("carol", "SHA256:theirs"), null);
  assertEquals(claims.setCertFp("carol", null, "SHA256:theirs"), null);
  const password = await claims.setPassword("dave", null, "pw");
  assertEquals(claims.setCertFp("dave", password, "SHA256:dave"), {
    kind: "certfp",
    fp: "SHA256:dave",
  });
  assertEquals(
    (await claims.verifyPassword("dave", "pw", "10.0.0.1")).result,
    "ok",
  );
  assertEquals(
    claims.verifyCertFp("dave", "SHA256:dave"),
    { kind: "certfp", fp: "SHA256:dave" },
  );
});
