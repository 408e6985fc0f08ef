// Checks src/join_hints.ts: reachableAddresses lists the addresses others can
// use (never loopback, no link-local IPv6, IPv4 first), and joinHints and
// webHints turn them into the `join with:`, netcat and browser lines
// `chat serve` prints; joinCommand tells a compiled chat (`chat join`) from
// one run from source (`deno task join`).

import { assertEquals } from "@std/assert";
import {
  type InterfaceAddress,
  joinCommand,
  joinHints,
  reachableAddresses,
  webHints,
} from "../../src/discovery/join_hints.ts";

const INTERFACES: InterfaceAddress[] = [
  { family: "IPv4", address: "127.0.0.1" },
  { family: "IPv6", address: "::1" },
  { family: "IPv6", address: "fe80::a00:27ff:fe4e:66a1" },
  { family: "IPv4", address: "192.168.1.23" },
  { family: "IPv6", address: "2001:db8::23" },
  { family: "IPv4", address: "10.8.0.5" },
  { family: "IPv6", address: "FE80::1" },
  { family: "IPv4", address: "192.168.1.23" }, // same address, second interface
];

Deno.test("reachableAddresses() lists non-loopback IPv4 addresses for 0.0.0.0", () => {
  assertEquals(reachableAddresses("0.0.0.0", INTERFACES), [
    "192.168.1.23",
    "10.8.0.5",
  ]);
});

Deno.test("reachableAddresses() adds global IPv6 addresses after IPv4 for ::", () => {
  const expected = ["192.168.1.23", "10.8.0.5", "2001:db8::23"];
  assertEquals(reachableAddresses("::", INTERFACES), expected);
  assertEquals(reachableAddresses("[::]", INTERFACES), expected);
});

Deno.test("reachableAddresses() leaves out every loopback address", () => {
  assertEquals(
    reachableAddresses("::", [
      { family: "IPv4", address: "127.0.0.1" },
      { family: "IPv4", address: "127.0.1.1" },
      { family: "IPv6", address: "::1" },
    ]),
    [],
  );
});

Deno.test("reachableAddresses() leaves out link-local IPv6 addresses in any case", () => {
  assertEquals(
    reachableAddresses("::", [
      { family: "IPv6", address: "fe80::1" },
      { family: "IPv6", address: "FE80::2" },
      { family: "IPv6", address: "Fe80::3" },
    ]),
    [],
  );
});

Deno.test("reachableAddresses() lists each address once", () => {
  assertEquals(
    reachableAddresses("0.0.0.0", [
      { family: "IPv4", address: "192.168.1.23" },
      { family: "IPv4", address: "192.168.1.23" },
    ]),
    ["192.168.1.23"],
  );
});

Deno.test("reachableAddresses() gives a specific host as it is", () => {
  assertEquals(reachableAddresses("192.168.1.23", INTERFACES), [
    "192.168.1.23",
  ]);
  assertEquals(reachableAddresses("127.0.0.1", INTERFACES), ["127.0.0.1"]);
  assertEquals(reachableAddresses("::1", []), ["::1"]);
  assertEquals(reachableAddresses("chat.lan", []), ["chat.lan"]);
});

Deno.test("reachableAddresses() finds nothing on a machine with loopback only", () => {
  assertEquals(reachableAddresses("0.0.0.0", []), []);
  assertEquals(
    reachableAddresses("0.0.0.0", [{ family: "IPv4", address: "127.0.0.1" }]),
    [],
  );
});

Deno.test("joinHints() prints a join line per host and a netcat line", () => {
  assertEquals(joinHints(["192.168.1.23"], 50001), [
    "join with: chat join 192.168.1.23:50001 --name <you>",
    "or with netcat: nc 192.168.1.23 50001",
  ]);
});

Deno.test("joinHints() gives netcat the first host", () => {
  assertEquals(joinHints(["192.168.1.23", "10.8.0.5"], 7000), [
    "join with: chat join 192.168.1.23:7000 --name <you>",
    "join with: chat join 10.8.0.5:7000 --name <you>",
    "or with netcat: nc 192.168.1.23 7000",
  ]);
});

Deno.test("joinHints() brackets IPv6 hosts for chat join but not for netcat", () => {
  assertEquals(joinHints(["2001:db8::23"], 50001), [
    "join with: chat join [2001:db8::23]:50001 --name <you>",
    "or with netcat: nc 2001:db8::23 50001",
  ]);
});

Deno.test("joinHints() says only this computer can join when no address was found", () => {
  assertEquals(joinHints([], 50001), [
    "no network address other than loopback was found: only this computer can join",
    "join with: chat join 127.0.0.1:50001 --name <you>",
  ]);
});

Deno.test("joinHints() and reachableAddresses() together print a usable hint", () => {
  assertEquals(joinHints(reachableAddresses("::", INTERFACES), 50001), [
    "join with: chat join 192.168.1.23:50001 --name <you>",
    "join with: chat join 10.8.0.5:50001 --name <you>",
    "join with: chat join [2001:db8::23]:50001 --name <you>",
    "or with netcat: nc 192.168.1.23 50001",
  ]);
});

Deno.test("joinCommand() is chat join for a compiled chat, whatever its name", () => {
  for (
    const path of [
      "/usr/local/bin/chat",
      "/home/ana/chat/dist/chat",
      "C:\\Users\\ana\\chat.exe",
      "/opt/chat-0.1.0-x86_64-unknown-linux-gnu/chat",
      "/tmp/deno-compile-chat/chat",
      "/usr/local/bin/denotes",
    ]
  ) assertEquals(joinCommand(path), "chat join", path);
});

Deno.test("joinCommand() is the deno task from source, where there is no chat", () => {
  for (
    const path of [
      "/usr/bin/deno",
      "/home/ana/.deno/bin/deno",
      "/usr/lib/node_modules/deno/deno",
      "C:\\Users\\ana\\.deno\\bin\\deno.exe",
      "C:\\Program Files\\Deno\\DENO.EXE",
    ]
  ) assertEquals(joinCommand(path), "deno task join", path);
});

Deno.test("joinHints() prints the join command it is given", () => {
  assertEquals(
    joinHints(["192.168.1.23"], 50001, { command: "deno task join" }),
    [
      "join with: deno task join 192.168.1.23:50001 --name <you>",
      "or with netcat: nc 192.168.1.23 50001",
    ],
  );
  assertEquals(joinHints([], 50001, { command: "deno task join" }), [
    "no network address other than loopback was found: only this computer can join",
    "join with: deno task join 127.0.0.1:50001 --name <you>",
  ]);
});

Deno.test("webHints() says where the web client listens and which link to open", () => {
  assertEquals(
    webHints(reachableAddresses("0.0.0.0", INTERFACES), {
      hostname: "0.0.0.0",
      port: 50002,
    }),
    [
      "web client on 0.0.0.0:50002",
      "open http://192.168.1.23:50002 in a browser",
      "open http://10.8.0.5:50002 in a browser",
    ],
  );
  assertEquals(webHints([], { hostname: "::", port: 7001 }), [
    "web client on [::]:7001",
    "open http://127.0.0.1:7001 in a browser",
  ]);
});
