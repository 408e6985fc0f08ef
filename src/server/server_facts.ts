/**
 * What the server tells IRC clients of itself: its name (`--server-name`,
 * else the host's name), network, version, start time and message of the
 * day (`--motd`, read once at start).
 *
 * @module
 */

import type { ServerConfig } from "../config.ts";
import type { ServerFacts } from "../protocol/codec.ts";
import { sanitizeText } from "../protocol/sanitize.ts";

/** Most MOTD lines kept, and longest line in characters. */
const MOTD_LINES = 100;
const MOTD_WIDTH = 400;

/**
 * The host's name as IRC can carry it, or `chat.local` when it has none.
 *
 * @returns A name of letters, digits, `.` and `-`.
 */
export function hostServerName(): string {
  let name = "";
  try {
    name = Deno.hostname();
  } catch {
    // no --allow-sys=hostname
  }
  const clean = name.replace(/[^A-Za-z0-9.-]/g, "").replace(/^[.-]+/, "");
  return clean === "" ? "chat.local" : clean.slice(0, 63);
}

/**
 * The facts of a server about to start.
 *
 * @param config `serverName` and `motdFile`, and the limits IRC tells.
 * @param version The version IRC's `VERSION` tells (`chat-0.1.0`).
 * @returns The facts.
 * @throws {Error} `Cannot read the MOTD file FILE: <why>` when `motdFile`
 * cannot be read.
 */
export async function serverFacts(
  config: ServerConfig,
  version: string,
): Promise<ServerFacts> {
  let motd: string[] | null = null;
  if (config.motdFile !== null) {
    let text: string;
    try {
      text = await Deno.readTextFile(config.motdFile);
    } catch (error) {
      const why = error instanceof Deno.errors.NotFound
        ? "no such file"
        : error instanceof Deno.errors.NotCapable
        ? "not allowed to read files (run with --allow-read)"
        : error instanceof Deno.errors.PermissionDenied
        ? "permission denied"
        : (error as Error).message;
      throw new Error(`Cannot read the MOTD file ${config.motdFile}: ${why}`);
    }
    motd = text.split(/\r\n|\n|\r/).map((line) =>
      sanitizeText(line).slice(0, MOTD_WIDTH)
    );
    if (motd.at(-1) === "") motd.pop();
    motd = motd.slice(0, MOTD_LINES);
  }
  const name = config.serverName ?? hostServerName();
  return {
    name,
    network: name,
    version,
    started: Date.now(),
    motd,
    maxLineBytes: config.maxLineBytes,
    maxRoomsPerUser: config.maxRoomsPerUser,
  };
}
