// Checks src/client/find_server.ts with a list in place of the network:
// what chat join without an address does with none, one or several
// servers found without a terminal, and the lines chat find prints
// (names from the network cleaned, a fingerprint marked as not verified),
// and a search given up while it looks.

import { assertEquals } from "@std/assert";
import {
  describeServers,
  findServer,
  listServers,
} from "../../src/client/find_server.ts";
import type { FoundServer } from "../../src/discovery/service_records.ts";

function server(
  name: string,
  address: string,
  extra: Partial<FoundServer> = {},
): FoundServer {
  return {
    name,
    instance: name,
    host: "box.local",
    addresses: [address],
    port: 50001,
    webPort: 50002,
    version: 1,
    tls: false,
    ...extra,
  };
}

async function find(servers: FoundServer[]) {
  const errors: string[] = [];
  const result = await findServer({
    lang: "en",
    browse: () => Promise.resolve(servers),
    error: (line) => errors.push(line),
  });
  return { result, errors };
}

Deno.test("findServer() with nothing found says how to give an address and exits 1", async () => {
  assertEquals(await find([]), {
    result: 1,
    errors: [
      "no chat server found on this network; give its address: chat join HOST[:PORT]",
    ],
  });
});

Deno.test("findServer() joins the one server found and says which", async () => {
  assertEquals(await find([server("chat on box", "10.77.0.1")]), {
    result: { hostname: "10.77.0.1", port: 50001, alternates: [] },
    errors: ['found "chat on box" at 10.77.0.1:50001; joining'],
  });
});

Deno.test("findServer() takes the nodes of one cluster as one server, with every node's addresses to go on to", async () => {
  assertEquals(
    await find([
      server("chat on a", "10.77.0.1", { cluster: "c1", people: 3 }),
      server("chat on b", "10.77.0.2", {
        cluster: "c1",
        people: 4,
        addresses: ["10.77.0.2", "fd00::2"],
      }),
    ]),
    {
      result: {
        hostname: "10.77.0.1",
        port: 50001,
        alternates: [
          { hostname: "10.77.0.2", port: 50001 },
          { hostname: "fd00::2", port: 50001 },
        ],
      },
      errors: ['found "chat on a" at 10.77.0.1:50001; joining'],
    },
  );
});

Deno.test("findServer() without a terminal lists a cluster once among other servers", async () => {
  const { result, errors } = await find([
    server("chat on a", "10.77.0.1", { cluster: "c1", people: 3 }),
    server("sala", "10.77.0.9", { webPort: null }),
    server("chat on b", "10.77.0.2", { cluster: "c1", people: 3 }),
    server("other", "10.77.0.5", { cluster: "c2", webPort: null }),
  ]);
  assertEquals(result, 1);
  assertEquals(errors, [
    "3 chat servers found on this network; give the address of one: chat join HOST[:PORT]",
    "  chat on a  10.77.0.1:50001  2 nodes, web 50002, 3 people",
    "  sala       10.77.0.9:50001",
    "  other      10.77.0.5:50001",
  ]);
});

Deno.test("findServer() without a terminal lists several and exits 1", async () => {
  const { result, errors } = await find([
    server("chat on a", "10.77.0.1", { people: 1 }),
    server("chat on b", "10.77.0.2", { webPort: null }),
  ]);
  assertEquals(result, 1);
  assertEquals(errors, [
    "2 chat servers found on this network; give the address of one: chat join HOST[:PORT]",
    "  chat on a  10.77.0.1:50001  web 50002, 1 person",
    "  chat on b  10.77.0.2:50001",
  ]);
});

Deno.test("describeServers() cleans control characters and marks a fingerprint as not verified", () => {
  assertEquals(
    describeServers([
      server("evil\x1b[2J", "fd00::1", {
        fingerprint: "SHA256:abc",
        tls: true,
        people: 0,
      }),
    ], "en"),
    [
      "evil?[2J  [fd00::1]:50001  web 50002, 0 people, TLS, fingerprint SHA256:abc (not verified)",
    ],
  );
  assertEquals(
    describeServers([server("sala", "10.0.0.1", { people: 2 })], "pt"),
    ["sala  10.0.0.1:50001  web 50002, 2 pessoas"],
  );
});

Deno.test("findServer() given up while it looks joins none and exits 0, saying nothing", async () => {
  const controller = new AbortController();
  const errors: string[] = [];
  const result = await findServer({
    lang: "en",
    signal: controller.signal,
    browse: () => {
      controller.abort();
      return Promise.resolve([server("chat on box", "10.77.0.1")]);
    },
    error: (line) => errors.push(line),
  });
  assertEquals({ result, errors }, { result: 0, errors: [] });
});

Deno.test("listServers() with nothing found says so and exits 1", async () => {
  const errors: string[] = [];
  const result = await listServers({
    lang: "en",
    browse: () => Promise.resolve([]),
    error: (line) => errors.push(line),
  });
  assertEquals({ result, errors }, {
    result: 1,
    errors: ["no chat server found on this network"],
  });
});
