/**
 * `chat`: real-time chat for people on one network and across networks.
 *
 * The only module that reads `Deno.args`, handles signals and exits.
 *
 * @module
 */

import { COMMIT } from "./src/build_info.ts";
import {
  type CliCommand,
  helpHint,
  parseCli,
  serverConfig,
  USAGE,
  UsageError,
  VERSION,
} from "./src/cli.ts";
import type { Lang } from "./src/protocol/messages.ts";
import type { ChatServer } from "./src/server/server.ts";
import { langFromLocale } from "./src/i18n/lang.ts";
import { defaultDataDir } from "./src/store/data_dir.ts";
import {
  formatFingerprint,
  hexFingerprint,
  parseFingerprint,
} from "./src/transport/fingerprint.ts";

// The server's modules are loaded by `chat serve` only: `chat join` does
// not carry them (8 MB of resident memory per terminal client).
function serverModules() {
  return Promise.all([
    import("./src/server/server.ts"),
    import("./src/server/system_tuning.ts"),
    import("./src/discovery/join_hints.ts"),
    import("./src/discovery/qr.ts"),
  ]);
}

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
function qrLines(
  url: string,
  { qrMatrix, renderQr }: typeof import("./src/discovery/qr.ts"),
): string[] {
  try {
    const color = !Deno.noColor && Deno.stdout.isTerminal();
    return [...renderQr(qrMatrix(url), { color }), `scan to open ${url}`];
  } catch {
    return []; // an address too long for a QR code
  }
}

// The platform's data folder; with --memory, none is needed when the
// system does not say where it is.
function dataDirOrNull(memory: boolean): string | null {
  if (!memory) return defaultDataDir();
  try {
    return defaultDataDir();
  } catch {
    return null;
  }
}

// `chat export`: the history as JSON lines on stdout, read-only, so that
// it works while a server runs.
async function exportHistory(
  command: Extract<CliCommand, { kind: "export" }>,
): Promise<number> {
  const { SqliteStore } = await import("./src/store/sqlite_store.ts");
  let store;
  try {
    store = SqliteStore.open(command.data ?? defaultDataDir(), {
      readOnly: true,
    });
  } catch (error) {
    console.error(`chat: ${(error as Error).message}`);
    return 1;
  }
  try {
    if (command.room !== undefined && !store.hasRoom(command.room)) {
      console.error(
        `chat: Cannot export ${command.room}: the history in ${store.dir} has no such room`,
      );
      return 1;
    }
    const encoder = new TextEncoder();
    let chunk = "";
    const flush = async () => {
      const bytes = encoder.encode(chunk);
      chunk = "";
      for (let done = 0; done < bytes.length;) {
        done += await Deno.stdout.write(bytes.subarray(done));
      }
    };
    for (
      const line of store.exportLines({
        ...(command.room === undefined ? {} : { room: command.room }),
        ...(command.since === undefined ? {} : { since: command.since }),
      })
    ) {
      chunk += JSON.stringify(line) + "\n";
      if (chunk.length >= 65_536) await flush();
    }
    await flush();
    return 0;
  } catch (error) {
    // The reader went away (`chat export | head`): nothing more to do.
    if (error instanceof Deno.errors.BrokenPipe) return 0;
    console.error(
      `chat: Cannot export the history: ${(error as Error).message}`,
    );
    return 1;
  } finally {
    store.close();
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
      const [{ startServer }, tuning, hints, qr] = await serverModules();
      const { limitNotes, raiseFileLimit } = tuning;
      const { joinCommand, joinHints, reachableAddresses, webHints } = hints;
      const files = raiseFileLimit();
      let server: ChatServer;
      let config;
      try {
        config = {
          ...serverConfig(command),
          dataDir: command.data ?? dataDirOrNull(command.memory),
        };
        server = await startServer(config, { version: `chat-${VERSION}` });
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
      console.log(
        server.history === null
          ? "history in memory only (--memory): it is gone when the server stops"
          : `history in ${server.history}`,
      );
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
      if (server.irc !== null) {
        const irc = server.irc.addr;
        console.log(`IRC clients: ${irc.hostname}:${irc.port}`);
      }
      if (server.ircTls !== null) {
        const irc = server.ircTls.addr;
        console.log(`IRC clients over TLS: ${irc.hostname}:${irc.port}`);
      }
      if (server.webUrl !== null && (command.qr ?? Deno.stdout.isTerminal())) {
        for (const line of qrLines(server.webUrl, qr)) console.log(line);
      }
      await server.finished;
      stop();
      return 0;
    }
    case "export":
      return await exportHistory(command);
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
      const { configDir } = await import("./src/client/config_dir.ts");
      const { knownServersPath } = await import(
        "./src/client/known_servers.ts"
      );
      let config: string;
      let knownServersFile: string;
      try {
        config = configDir();
        knownServersFile = command.knownServers ?? knownServersPath(config);
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
        let alternates = command.alternates;
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
          alternates = found.alternates;
        }
        return await join({
          hostname: address.hostname,
          port: address.port,
          ...(alternates === undefined || alternates.length === 0
            ? {}
            : { alternates }),
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
          configDir: config,
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
