// Checks src/discovery/service_records.ts and dns_message.ts: the DNS-SD
// records of a chat server, the answers to each question a browser asks,
// one-shot (legacy unicast) answers, what a browser reads back, TXT
// parsing, conflicts found while probing, and the names tried next.

import { assert, assertEquals, assertThrows } from "@std/assert";
import {
  decodeDnsMessage,
  type DnsMessage,
  type DnsQuestion,
  encodeDnsMessage,
} from "../../src/discovery/dns_message.ts";
import {
  announcement,
  answerQuery,
  browseQuery,
  type ChatService,
  conflicts,
  fitLabel,
  hostLabel,
  instanceName,
  nextName,
  probe,
  readServers,
  readTxt,
  txtStrings,
} from "../../src/discovery/service_records.ts";

const SERVICE: ChatService = {
  instance: "chat on box",
  host: "box",
  port: 50001,
  txt: {
    version: 1,
    name: "chat on box",
    webPort: 50002,
    tls: false,
    people: 3,
  },
};

function query(...questions: Partial<DnsQuestion>[]): DnsMessage {
  return {
    id: 4242,
    kind: "query",
    questions: questions.map((q) => ({
      name: "_chat._tcp.local",
      type: "PTR",
      unicast: false,
      ...q,
    })),
    answers: [],
    authorities: [],
    additionals: [],
  };
}

/** Through the bytes and back, as on the network. */
function wire(message: DnsMessage): DnsMessage {
  return decodeDnsMessage(encodeDnsMessage(message));
}

Deno.test("answerQuery() answers the service type with a PTR, and the SRV, TXT and address as additionals", () => {
  const answer = wire(answerQuery(query({}), SERVICE, ["10.77.0.1"])!);
  assertEquals(answer.kind, "response");
  assertEquals(answer.id, 0);
  assertEquals(answer.answers, [{
    name: "_chat._tcp.local",
    type: "PTR",
    ttl: 4500,
    flush: false,
    data: "chat on box._chat._tcp.local",
  }]);
  assertEquals(answer.additionals, [
    {
      name: "chat on box._chat._tcp.local",
      type: "SRV",
      ttl: 120,
      flush: true,
      data: { target: "box.local", port: 50001 },
    },
    {
      name: "chat on box._chat._tcp.local",
      type: "TXT",
      ttl: 4500,
      flush: true,
      data: [
        "txtvers=1",
        "proto=1",
        "name=chat on box",
        "web=50002",
        "tls=false",
        "people=3",
      ],
    },
    { name: "box.local", type: "A", ttl: 120, flush: true, data: "10.77.0.1" },
  ]);
});

Deno.test("answerQuery() answers a one-shot query with its id and question, no cache-flush bit and TTLs of 10 s", () => {
  const answer = wire(
    answerQuery(query({}), SERVICE, ["10.77.0.1"], { legacy: true })!,
  );
  assertEquals(answer.id, 4242);
  assertEquals(answer.questions.map((q) => q.name), ["_chat._tcp.local"]);
  for (const record of [...answer.answers, ...answer.additionals]) {
    assertEquals(record.flush, false, record.type);
    assert(record.ttl <= 10, record.type);
  }
});

Deno.test("answerQuery() answers DNS-SD's list of types, the instance and the host", () => {
  const meta = answerQuery(
    query({ name: "_services._dns-sd._udp.local" }),
    SERVICE,
    [],
  );
  assertEquals(meta?.answers.map((r) => r.data), ["_chat._tcp.local"]);
  const srv = answerQuery(
    query({ name: "Chat On Box._chat._tcp.local", type: "SRV" }),
    SERVICE,
    ["10.77.0.1"],
  );
  assertEquals(srv?.answers.map((r) => r.type), ["SRV"]);
  assertEquals(srv?.additionals.map((r) => r.type), ["TXT", "A"]);
  const any = answerQuery(
    query({ name: "chat on box._chat._tcp.local", type: "ANY" }),
    SERVICE,
    [],
  );
  assertEquals(any?.answers.map((r) => r.type), ["SRV", "TXT"]);
  const host = answerQuery(
    query({ name: "box.local", type: "A" }),
    SERVICE,
    ["10.77.0.1", "fd00::1"],
  );
  assertEquals(host?.answers.map((r) => [r.type, r.data]), [[
    "A",
    "10.77.0.1",
  ]]);
  const v6 = answerQuery(
    query({ name: "box.local", type: "AAAA" }),
    SERVICE,
    ["10.77.0.1", "fd00::1"],
  );
  assertEquals(v6?.answers.map((r) => [r.type, r.data]), [[
    "AAAA",
    "fd00::1",
  ]]);
});

Deno.test("answerQuery() is silent about other names, other types, responses, and answers the querier knows", () => {
  assertEquals(
    answerQuery(query({ name: "_http._tcp.local" }), SERVICE, []),
    null,
  );
  assertEquals(
    answerQuery(query({ type: "TXT" }), SERVICE, []),
    null,
  );
  assertEquals(
    answerQuery({ ...query({}), kind: "response" }, SERVICE, []),
    null,
  );
  // Known-answer suppression: the querier holds the PTR for over half
  // its life.
  const known = query({});
  known.answers.push({
    name: "_chat._tcp.local",
    type: "PTR",
    ttl: 4000,
    flush: false,
    data: "chat on box._chat._tcp.local",
  });
  assertEquals(answerQuery(known, SERVICE, []), null);
  known.answers[0]!.ttl = 100;
  assert(answerQuery(known, SERVICE, []) !== null);
});

Deno.test("readServers() reads back what a server answers", () => {
  const answer = wire(answerQuery(query({}), SERVICE, ["10.77.0.1"])!);
  assertEquals(readServers(answer, "10.77.0.1"), [{
    name: "chat on box",
    instance: "chat on box",
    host: "box.local",
    addresses: ["10.77.0.1"],
    port: 50001,
    webPort: 50002,
    version: 1,
    tls: false,
    people: 3,
  }]);
});

Deno.test("readServers() keeps a dot in an instance name, takes the source when no address came, and skips goodbyes", () => {
  const dotted = { ...SERVICE, instance: "sala 3.b" };
  assertEquals(instanceName("sala 3.b"), "sala 3\\.b._chat._tcp.local");
  const announced = wire(announcement(dotted, []));
  const [server] = readServers(announced, "10.77.0.9");
  assertEquals(server?.instance, "sala 3.b");
  assertEquals(server?.addresses, ["10.77.0.9"]);
  const goodbye = wire(announcement(SERVICE, [], { goodbye: true }));
  assert(goodbye.answers.every((r) => r.ttl === 0));
  assertEquals(readServers(goodbye, "10.77.0.1"), []);
  assertEquals(readServers(browseQuery(1), "10.77.0.1"), []);
});

Deno.test("txtStrings() says tls=false and leaves out what is not known; readTxt() reads it back", () => {
  const txt = { version: 1, name: "x", webPort: null, tls: false };
  assertEquals(txtStrings(txt), [
    "txtvers=1",
    "proto=1",
    "name=x",
    "tls=false",
  ]);
  assertEquals(readTxt(txtStrings(txt)), { version: 1, name: "x", tls: false });
  assertEquals(
    readTxt([
      "PROTO=2",
      "proto=3",
      "web=70000",
      "tls=true",
      "fp=ab:cd",
      "people=-1",
    ]),
    { version: 2, tls: true, fingerprint: "ab:cd" },
  );
  assertEquals(readTxt(["name=  ", "fp=a b", "web=0"]), { tls: false });
});

Deno.test("a cluster node's TXT says cluster=ID; readServers() gives it back, and a foreign value is left out", () => {
  const node = { ...SERVICE, txt: { ...SERVICE.txt, cluster: "a1B2_c-3" } };
  assert(txtStrings(node.txt).includes("cluster=a1B2_c-3"));
  const [server] = readServers(
    wire(answerQuery(query({}), node, ["10.77.0.1"])!),
    "10.77.0.1",
  );
  assertEquals(server?.cluster, "a1B2_c-3");
  assertEquals(readTxt(["cluster=a b"]), { tls: false });
  assertEquals(readTxt([`cluster=${"x".repeat(65)}`]), { tls: false });
});

Deno.test("conflicts() sees another server's instance or another computer's host name, never our own records", () => {
  const mine = wire(announcement(SERVICE, ["10.77.0.1"]));
  assertEquals(conflicts(mine, SERVICE, ["10.77.0.1"]), {
    instance: false,
    host: false,
  });
  const other = wire(announcement({ ...SERVICE, port: 50011 }, ["10.77.0.2"]));
  assertEquals(conflicts(other, SERVICE, ["10.77.0.1"]), {
    instance: true,
    host: true,
  });
  // Same computer (our address among theirs): the host name is shared.
  const sameHost = wire(
    announcement({ ...SERVICE, instance: "other" }, ["10.77.0.1"]),
  );
  assertEquals(conflicts(sameHost, SERVICE, ["10.77.0.1", "127.0.0.1"]), {
    instance: false,
    host: false,
  });
  // A probe carries what it wants in its authority section.
  const theirProbe = wire(probe({ ...SERVICE, port: 50011 }, ["10.77.0.2"]));
  assertEquals(conflicts(theirProbe, SERVICE, ["10.77.0.1"]).instance, true);
});

Deno.test("nextName(), hostLabel() and fitLabel() make names that fit a DNS label", () => {
  assertEquals(nextName("chat on box", "instance"), "chat on box (2)");
  assertEquals(nextName("chat on box (2)", "instance"), "chat on box (3)");
  assertEquals(nextName("box", "host"), "box-2");
  assertEquals(nextName("box-9", "host"), "box-10");
  assertEquals(
    new TextEncoder().encode(nextName("é".repeat(40), "instance")).length <=
      63,
    true,
  );
  assertEquals(hostLabel("ana-laptop.fritz.box"), "ana-laptop");
  assertEquals(hostLabel("---"), "chat");
  assertEquals(fitLabel("ü".repeat(40)), "ü".repeat(31));
});

Deno.test("decodeDnsMessage() refuses bytes that are no DNS message with a SyntaxError", () => {
  const bytes = encodeDnsMessage(browseQuery(1));
  assertThrows(
    () => decodeDnsMessage(bytes.subarray(0, bytes.length - 3)),
    SyntaxError,
    "Cannot read the DNS message",
  );
  assertThrows(() => decodeDnsMessage(new Uint8Array()), SyntaxError);
});

Deno.test("decodeDnsMessage() reads the mDNS unicast-response (QU) bit", () => {
  const bytes = encodeDnsMessage(browseQuery(0));
  // The question's class is its last two bytes: IN (1) with the top bit.
  bytes[bytes.length - 2] = 0x80;
  const [question] = decodeDnsMessage(bytes).questions;
  assertEquals(question, {
    name: "_chat._tcp.local",
    type: "PTR",
    unicast: true,
  });
});
