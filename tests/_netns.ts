/**
 * Network namespaces joined by veth pairs, standing in for computers on a
 * LAN (root only, Linux): the server's host at 10.77.0.1 and a client's
 * at 10.77.0.2, and more hosts linked to the server's on links of their
 * own (10.77.N.1 and 10.77.N.2). Nothing here reaches any other network.
 *
 * @module
 */

import { have } from "./_tools.ts";

/** Whether this test run may make network namespaces (root, Linux, `ip`, `nc`). */
export function canUseNamespaces(): boolean {
  if (Deno.build.os !== "linux" || !have("ip", "-V") || !have("nc", "-h")) {
    return false;
  }
  const probe = `chatprobe${Deno.pid}`;
  const add = new Deno.Command("ip", {
    args: ["netns", "add", probe],
    stdout: "null",
    stderr: "null",
  }).outputSync();
  if (!add.success) return false;
  new Deno.Command("ip", { args: ["netns", "del", probe] }).outputSync();
  return true;
}

/** Runs `ip` with arguments, failing with its message. */
export function ip(...args: string[]): void {
  const result = new Deno.Command("ip", { args, stderr: "piped" }).outputSync();
  if (!result.success) {
    throw new Error(
      `Cannot run ip ${args.join(" ")}: ${
        new TextDecoder().decode(result.stderr)
      }`,
    );
  }
}

/** One more host, on a link of its own to the server's host. */
export interface LinkedHost {
  /** Prefix that runs a command on it. */
  prefix: string[];
  /** Its address (10.77.N.2); the server's on this link is 10.77.N.1. */
  address: string;
  /** The server's interface on this link. */
  serverDevice: string;
  /** Takes the link away (the server's interface goes with it). */
  unlink(): void;
}

/** Two hosts: the server's at 10.77.0.1, the client's at 10.77.0.2. */
export interface Hosts {
  /** Prefix that runs a command on the server's host. */
  server: string[];
  /** Prefix that runs a command on the client's host. */
  client: string[];
  /** The server's interface towards the client. */
  serverDevice: string;
  /** Unplugs the client's network cable. */
  unplugClient(): void;
  /** Adds a host on a new link to the server's host (10.77.N.0/24, N ≥ 1). */
  link(): LinkedHost;
}

/** Runs `fn` with two fresh hosts, and always removes them. */
export async function withTwoHosts(
  fn: (hosts: Hosts) => Promise<void>,
): Promise<void> {
  const id = `${Deno.pid % 10000}${Math.floor(Math.random() * 1000)}`;
  const server = `chatsrv${id}`;
  const client = `chatcli${id}`;
  const namespaces = [server, client];
  const pair = (
    ns: string,
    serverSide: string,
    otherSide: string,
    n: number,
  ) => {
    ip("link", "add", serverSide, "type", "veth", "peer", "name", otherSide);
    ip("link", "set", serverSide, "netns", server);
    ip("link", "set", otherSide, "netns", ns);
    ip("-n", server, "addr", "add", `10.77.${n}.1/24`, "dev", serverSide);
    ip("-n", ns, "addr", "add", `10.77.${n}.2/24`, "dev", otherSide);
    for (const [where, dev] of [[server, serverSide], [ns, otherSide]]) {
      ip("-n", where!, "link", "set", dev!, "up");
      ip("-n", where!, "link", "set", "lo", "up");
    }
  };
  ip("netns", "add", server);
  ip("netns", "add", client);
  let links = 0;
  try {
    pair(client, `vs${id}`, `vc${id}`, 0);
    await fn({
      server: ["ip", "netns", "exec", server],
      client: ["ip", "netns", "exec", client],
      serverDevice: `vs${id}`,
      // Down on the client's side only: the server's packets leave and are
      // never answered, as when a cable is pulled or a laptop sleeps.
      unplugClient: () => ip("-n", client, "link", "set", `vc${id}`, "down"),
      link: () => {
        const n = ++links;
        const ns = `chatl${n}x${id}`;
        ip("netns", "add", ns);
        namespaces.push(ns);
        pair(ns, `vs${n}x${id}`, `vl${n}x${id}`, n);
        return {
          prefix: ["ip", "netns", "exec", ns],
          address: `10.77.${n}.2`,
          serverDevice: `vs${n}x${id}`,
          unlink: () => ip("-n", server, "link", "del", `vs${n}x${id}`),
        };
      },
    });
  } finally {
    for (const ns of namespaces) {
      new Deno.Command("ip", { args: ["netns", "del", ns], stderr: "null" })
        .outputSync();
    }
  }
}
