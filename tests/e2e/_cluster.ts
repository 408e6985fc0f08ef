/**
 * What the cluster suites share: a node (`chat serve --redis` as a
 * subprocess), an IRC user that has registered, and stopping everything a
 * test started.
 *
 * @module
 */

import { ChatProcess, LineClient } from "../_helpers.ts";
import type { RedisServer } from "../_redis.ts";

/** A node: `chat serve --redis` as a subprocess. */
export async function clusterNode(
  redis: RedisServer,
  name: string,
  extra: string[] = [],
): Promise<{ process: ChatProcess; port: number }> {
  return await ChatProcess.server([
    "--no-web",
    "--no-announce",
    "--no-rate-limit",
    "--redis",
    redis.url,
    "--node-name",
    name,
    ...extra,
  ]);
}

/** An IRC client on a port, registered (up to its `001`). */
export async function ircUser(port: number, nick: string): Promise<LineClient> {
  const client = await LineClient.connect(port);
  await client.send(`NICK ${nick}`);
  await client.send(`USER ${nick} 0 * :${nick}`);
  await client.expect(/ 001 /);
  return client;
}

/** Closes the clients, stops the nodes, then Redis. */
export async function stopAll(
  clients: LineClient[],
  nodes: ChatProcess[],
  redis: RedisServer,
): Promise<void> {
  for (const client of clients) await client.close();
  for (const process of nodes) await process.stop();
  await redis.stop();
}
