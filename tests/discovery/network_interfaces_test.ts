// Checks src/discovery/network_interfaces.ts: which interfaces a server
// announces on for the address it listens on (nothing beyond what it
// listens on, nothing for loopback), subnets and broadcast addresses.

import { assertEquals, assertThrows } from "@std/assert";
import {
  announceInterfaces,
  broadcastAddress,
  canAnnounce,
  type InterfaceEntry,
  onSubnet,
} from "../../src/discovery/network_interfaces.ts";

const ENTRIES: InterfaceEntry[] = [
  { name: "lo", family: "IPv4", address: "127.0.0.1", netmask: "255.0.0.0" },
  {
    name: "lo",
    family: "IPv6",
    address: "::1",
    netmask: "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
  },
  {
    name: "eth0",
    family: "IPv4",
    address: "192.168.1.23",
    netmask: "255.255.255.0",
  },
  {
    name: "eth0",
    family: "IPv6",
    address: "fe80::1",
    netmask: "ffff:ffff:ffff:ffff::",
  },
  {
    name: "eth0",
    family: "IPv6",
    address: "fd00::23",
    netmask: "ffff:ffff:ffff:ffff::",
  },
  {
    name: "wlan0",
    family: "IPv4",
    address: "10.8.0.5",
    netmask: "255.255.0.0",
  },
  {
    name: "v6only",
    family: "IPv6",
    address: "2001:db8::5",
    netmask: "ffff:ffff:ffff:ffff::",
  },
];

Deno.test("announceInterfaces() takes every IPv4 interface but loopback for 0.0.0.0, with IPv4 addresses only", () => {
  assertEquals(announceInterfaces("0.0.0.0", ENTRIES), [
    {
      name: "eth0",
      address: "192.168.1.23",
      netmask: "255.255.255.0",
      addresses: ["192.168.1.23"],
    },
    {
      name: "wlan0",
      address: "10.8.0.5",
      netmask: "255.255.0.0",
      addresses: ["10.8.0.5"],
    },
  ]);
});

Deno.test("announceInterfaces() adds the global IPv6 addresses for ::, never link-local ones", () => {
  assertEquals(
    announceInterfaces("::", ENTRIES).map((i) => i.addresses),
    [["192.168.1.23", "fd00::23"], ["10.8.0.5"]],
  );
});

Deno.test("announceInterfaces() takes only the interface of a given address, and nothing for loopback", () => {
  assertEquals(announceInterfaces("10.8.0.5", ENTRIES).map((i) => i.name), [
    "wlan0",
  ]);
  assertEquals(announceInterfaces("10.8.0.5", ENTRIES)[0]!.addresses, [
    "10.8.0.5",
  ]);
  assertEquals(announceInterfaces("127.0.0.1", ENTRIES), []);
  assertEquals(announceInterfaces("10.9.9.9", ENTRIES), []);
});

Deno.test("canAnnounce() is false for loopback, names and IPv6 addresses", () => {
  assertEquals(canAnnounce("0.0.0.0"), true);
  assertEquals(canAnnounce("::"), true);
  assertEquals(canAnnounce("192.168.1.23"), true);
  assertEquals(canAnnounce("127.0.0.1"), false);
  assertEquals(canAnnounce("127.1.2.3"), false);
  assertEquals(canAnnounce("::1"), false);
  assertEquals(canAnnounce("localhost"), false);
  assertEquals(canAnnounce("fd00::23"), false);
});

Deno.test("onSubnet() and broadcastAddress() follow the netmask", () => {
  const wlan = { address: "10.8.0.5", netmask: "255.255.0.0" };
  assertEquals(onSubnet("10.8.200.1", wlan), true);
  assertEquals(onSubnet("10.9.0.1", wlan), false);
  assertEquals(onSubnet("fe80::1", wlan), false);
  assertEquals(onSubnet("not an address", wlan), false);
  assertEquals(broadcastAddress(wlan), "10.8.255.255");
  assertEquals(
    broadcastAddress({ address: "192.168.1.23", netmask: "255.255.255.0" }),
    "192.168.1.255",
  );
  assertEquals(
    broadcastAddress({ address: "200.1.2.3", netmask: "255.255.255.252" }),
    "200.1.2.3",
  );
  assertThrows(
    () => broadcastAddress({ address: "fd00::1", netmask: "ffff::" }),
    SyntaxError,
    "not IPv4",
  );
});
