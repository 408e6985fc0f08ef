/**
 * `chat`: real-time chat for people on one network and across networks.
 *
 * The only module that reads `Deno.args`, handles signals and exits.
 *
 * @module
 */

import { formatAddress } from "./src/transport/address.ts";
import { parseCli, USAGE, UsageError, VERSION } from "./src/cli.ts";
import { joinHints, reachableAddresses } from "./src/discovery/join_hints.ts";
import type { Lang } from "./src/protocol/messages.ts";
import { serve } from "./src/server/server.ts";
import {
  type FileLimit,
  keepaliveWithin,
  raiseFileLimit,
} from "./src/server/system_tuning.ts";
import { langFromLocale } from "./src/i18n/lang.ts";
import { serveWeb, type WebServer } from "./src/server/web_gateway.ts";

function envLang(): Lang {
  try {
    return langFromLocale(
      Deno.env.get("LC_ALL") || Deno.env.get("LC_MESSAGES") ||
        Deno.env.get("LANG"),
    );
  } catch {
    return "en"; // no permission to read the environment
  }
}

function onSignals(handler: () => void): () => void {
  const signals: Deno.Signal[] = Deno.build.os === "windows"
    ? ["SIGINT", "SIGBREAK"]
    : ["SIGINT", "SIGTERM"];
  for (const signal of signals) Deno.addSignalListener(signal, handler);
  return () => {
    for (const signal of signals) Deno.removeSignalListener(signal, handler);
  };
}

function interfaces() {
  try {
    return Deno.networkInterfaces();
  } catch {
    return [];
  }
}

// What the server could not set up for many connections, and what to do.
function limitNotes(
  files: FileLimit | null,
  keepaliveTuned: boolean,
  options: { maxUsers: number; deadPeerSeconds: number },
): string[] {
  if (Deno.build.os !== "linux") return [];
  const notes: string[] = [];
  if (files === null) {
    notes.push(
      "open-file limit unknown (run with --allow-ffi to raise it); check it with ulimit -n",
    );
  } else {
    const want = options.maxUsers === 0 ? 10_000 : options.maxUsers;
    const fit = Math.max(0, files.soft - 64);
    if (fit < want) {
      notes.push(
        `warning: the open-file limit is ${files.soft}, so about ${fit} connections fit, fewer than ${want}; raise it with "ulimit -n ${
          want + 1000
        }" (hard limit ${files.hard}) before starting`,
      );
    } else if (files.raised) {
      notes.push(`open-file limit raised to ${files.soft}`);
    }
  }
  if (!keepaliveTuned) {
    notes.push(
      `TCP keepalive timing not set (run with --allow-ffi): a netcat user who vanishes is noticed after the system's keepalive (about 2 hours), not ${options.deadPeerSeconds} s`,
    );
  }
  return notes;
}

/**
 * Runs the program.
 *
 * @param args Command-line arguments.
 * @returns The exit code: 0 ok, 1 runtime failure, 2 usage error.
 */
export async function main(args: readonly string[]): Promise<number> {
  const lang = envLang();
  let command;
  try {
    command = parseCli(args, { lang });
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`chat: ${error.message}\n\n${USAGE[error.topic]}`);
    return 2;
  }
  switch (command.kind) {
    case "help":
      console.log(USAGE[command.topic]);
      return 0;
    case "version":
      console.log(`chat ${VERSION}`);
      return 0;
    case "serve": {
      const files = raiseFileLimit();
      let server;
      try {
        server = serve({
          host: command.host,
          port: command.port,
          lang: command.lang,
          historySize: command.history,
          maxUsers: command.maxUsers,
          maxPerIp: command.maxPerIp,
          rateLimit: command.rateLimit,
          maxLineBytes: command.lineLimit,
          hardLimitBytes: command.hardLineLimit,
          maxQueueBytes: command.queueLimit,
          nameTimeoutMs: command.nameTimeoutSeconds * 1000,
          pingAfterMs: command.deadPeerSeconds * 250,
          deadAfterMs: command.deadPeerSeconds * 750,
          keepalive: keepaliveWithin(command.deadPeerSeconds),
        });
      } catch (error) {
        console.error(`chat: ${(error as Error).message}`);
        return 1;
      }
      let web: WebServer | null = null;
      if (command.webPort !== null) {
        try {
          web = serveWeb(server.room, {
            host: command.host,
            port: command.webPort,
            lang: command.lang,
            maxUsers: command.maxUsers,
            maxPerIp: command.maxPerIp,
            maxLineBytes: command.lineLimit,
            hardLimitBytes: command.hardLineLimit,
            maxQueueBytes: command.queueLimit,
            nameTimeoutMs: command.nameTimeoutSeconds * 1000,
            pingAfterMs: command.deadPeerSeconds * 250,
            deadAfterMs: command.deadPeerSeconds * 750,
          });
        } catch (error) {
          console.error(`chat: ${(error as Error).message}`);
          await server.shutdown();
          return 1;
        }
      }
      const { hostname, port } = server.addr;
      console.log(`chat ${VERSION} listening on ${hostname}:${port}`);
      const hosts = reachableAddresses(hostname, interfaces());
      for (const line of joinHints(hosts, port)) console.log(line);
      for (const line of limitNotes(files, server.keepaliveTuned, command)) {
        console.log(line);
      }
      if (web !== null) {
        console.log(`web client on ${formatAddress(hostname, web.addr.port)}`);
        for (const host of hosts.length > 0 ? hosts : ["127.0.0.1"]) {
          console.log(
            `open http://${formatAddress(host, web.addr.port)} in a browser`,
          );
        }
      }
      // The web server first: it stops taking pages at once, so no page
      // that reconnects rejoins the room while it closes.
      const stop = onSignals(() => {
        web?.shutdown();
        server.shutdown();
      });
      await Promise.all([server.finished, web?.finished]);
      stop();
      return 0;
    }
    case "join": {
      // Loaded here so that `chat serve` never loads the terminal client.
      const { join } = await import("./src/client/join.ts");
      const controller = new AbortController();
      const stop = onSignals(() => controller.abort());
      try {
        return await join({
          hostname: command.address.hostname,
          port: command.address.port,
          name: command.name,
          lang,
          timeoutMs: command.timeoutMs,
          interactive: Deno.stdin.isTerminal() && Deno.stdout.isTerminal(),
          color: !Deno.noColor && Deno.stdout.isTerminal(),
          verbose: command.verbose === true || Deno.stdout.isTerminal(),
          signal: controller.signal,
        });
      } finally {
        stop();
      }
    }
  }
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
