/**
 * `chat`: real-time chat for people on one network and across networks.
 *
 * The only module that reads `Deno.args`, handles signals and exits.
 *
 * @module
 */

import { COMMIT } from "./src/build_info.ts";
import {
  helpHint,
  parseCli,
  serverConfig,
  USAGE,
  UsageError,
  VERSION,
} from "./src/cli.ts";
import {
  joinCommand,
  joinHints,
  reachableAddresses,
  webHints,
} from "./src/discovery/join_hints.ts";
import type { Lang } from "./src/protocol/messages.ts";
import { type ChatServer, startServer } from "./src/server/server.ts";
import { limitNotes, raiseFileLimit } from "./src/server/system_tuning.ts";
import { langFromLocale } from "./src/i18n/lang.ts";
import { defaultDataDir } from "./src/store/data_dir.ts";
import { qrMatrix, renderQr } from "./src/discovery/qr.ts";
import {
  formatFingerprint,
  hexFingerprint,
  parseFingerprint,
} from "./src/transport/fingerprint.ts";

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

// The QR code of the web address, for a phone to scan, and what it says.
function qrLines(url: string): string[] {
  try {
    const color = !Deno.noColor && Deno.stdout.isTerminal();
    return [...renderQr(qrMatrix(url), { color }), `scan to open ${url}`];
  } catch {
    return []; // an address too long for a QR code
  }
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
    console.error(`chat: ${error.message}\n${helpHint(error.topic)}`);
    return 2;
  }
  switch (command.kind) {
    case "help":
      console.log(USAGE[command.topic]);
      return 0;
    case "version":
      console.log(`chat ${VERSION} (${COMMIT})`);
      return 0;
    case "serve": {
      const files = raiseFileLimit();
      let server: ChatServer;
      let config;
      try {
        config = {
          ...serverConfig(command),
          dataDir: command.data ?? defaultDataDir(),
        };
        server = await startServer(config);
      } catch (error) {
        console.error(`chat: ${(error as Error).message}`);
        return 1;
      }
      // Listening before the first line is printed, so that whoever reads
      // it may stop us.
      const stop = onSignals(() => void server.shutdown());
      const { hostname, port } = server.chat.addr;
      console.log(`chat ${VERSION} listening on ${hostname}:${port}`);
      // What clients pin: compare it with what chat join shows.
      const { identity } = server;
      console.log(
        `fingerprint ${
          formatFingerprint(identity.sha256)
        } (TLS on the same port${config.requireTls ? " only" : ""})`,
      );
      console.log(`for IRC clients: ${hexFingerprint(identity.sha256)}`);
      const hosts = reachableAddresses(hostname, interfaces());
      const lines = [
        ...joinHints(hosts, port, { command: joinCommand(Deno.execPath()) }),
        ...limitNotes(files, server.keepaliveTuned, command),
        ...(server.web === null ? [] : webHints(hosts, {
          hostname,
          port: server.web.addr.port,
        }, { secure: server.webTls })),
      ];
      for (const line of lines) console.log(line);
      if (server.webUrl !== null && (command.qr ?? Deno.stdout.isTerminal())) {
        for (const line of qrLines(server.webUrl)) console.log(line);
      }
      await server.finished;
      stop();
      return 0;
    }
    case "find": {
      const { listServers } = await import("./src/client/find_server.ts");
      const controller = new AbortController();
      const stop = onSignals(() => controller.abort());
      try {
        return await listServers({
          lang,
          timeoutMs: command.timeoutMs,
          signal: controller.signal,
        });
      } finally {
        stop();
      }
    }
    case "join": {
      // Loaded here so that `chat serve` never loads the terminal client.
      const { join } = await import("./src/client/join.ts");
      const { defaultConfigDir, KNOWN_SERVERS_FILE } = await import(
        "./src/client/known_servers.ts"
      );
      let knownServersFile = command.knownServers;
      try {
        knownServersFile ??= `${defaultConfigDir()}/${KNOWN_SERVERS_FILE}`;
      } catch (error) {
        console.error(`chat: ${(error as Error).message}`);
        return 1;
      }
      const controller = new AbortController();
      const stop = onSignals(() => controller.abort());
      const interactive = Deno.stdin.isTerminal() && Deno.stdout.isTerminal();
      const color = !Deno.noColor && Deno.stdout.isTerminal();
      try {
        let address = command.address;
        if (address === undefined) {
          // No address: look for a server on the local network.
          const { findServer } = await import("./src/client/find_server.ts");
          const found = await findServer({
            lang,
            interactive,
            color,
            signal: controller.signal,
          });
          if (typeof found === "number") return found;
          address = found;
        }
        return await join({
          hostname: address.hostname,
          port: address.port,
          name: command.name,
          lang,
          timeoutMs: command.timeoutMs,
          interactive,
          color,
          verbose: command.verbose === true || Deno.stdout.isTerminal(),
          password: command.password,
          signal: controller.signal,
          knownServersFile,
          fingerprint: command.fingerprint === undefined
            ? undefined
            : parseFingerprint(command.fingerprint) ?? undefined,
          trustNew: command.trustNew === true,
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
