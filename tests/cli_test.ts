// Checks src/cli.ts: parseCli turns `serve` and `join` command lines into
// typed commands with the documented defaults, and every mistake into a
// UsageError whose topic picks the usage text main.ts points to.

import {
  assert,
  assertEquals,
  assertStringIncludes,
  assertThrows,
} from "@std/assert";
import {
  type CliCommand,
  helpHint,
  parseCli,
  parseSince,
  type ServeFlags,
  serverConfig,
  USAGE,
  UsageError,
  type UsageTopic,
  VERSION,
} from "../src/cli.ts";
import fc from "fast-check";
import {
  DEFAULT_PORT,
  DEFAULT_SERVER_CONFIG,
  DEFAULT_WEB_PORT,
  MEMORY_HISTORY_LINES,
  SERVE_DEFAULTS as FLAG_DEFAULTS,
  SERVE_MINIMUMS,
} from "../src/config.ts";
import { STRINGS } from "../src/i18n/server_strings.ts";

const SERVE_DEFAULTS: CliCommand = {
  kind: "serve",
  host: "0.0.0.0",
  port: DEFAULT_PORT,
  lang: "en",
  history: 50,
  maxUsers: 1000,
  maxPerIp: 20,
  rateLimit: { rate: 5, burst: 20 },
  webPort: DEFAULT_PORT + 1,
  deadPeerSeconds: 120,
  lineLimit: 8192,
  hardLineLimit: 65536,
  queueLimit: 262144,
  nameTimeoutSeconds: 60,
  room: "#general",
  maxRooms: 1000,
  maxRoomsPerUser: 20,
  password: null,
  operPassword: null,
  data: null,
  memory: false,
  tlsCert: null,
  tlsKey: null,
  requireTls: false,
  webTls: false,
  openNames: false,
  nameClaimDays: 30,
  catchUp: 200,
  retention: null,
  maxHistory: null,
  ircPort: null,
  ircTlsPort: null,
  serverName: null,
  motdFile: null,
  showIps: false,
};

/** Expects a UsageError about `topic` whose message includes `text`. */
function assertUsageError(
  args: readonly string[],
  topic: UsageTopic,
  text = "Cannot",
  lang: "en" | "pt" = "en",
): UsageError {
  const error = assertThrows(() => parseCli(args, { lang }), UsageError, text);
  assert(error instanceof UsageError);
  assertEquals(error.topic, topic, `topic of ${error.message}`);
  assertEquals(error.name, "UsageError");
  return error;
}

Deno.test("parseCli() gives serve its documented defaults", () => {
  assertEquals(parseCli(["serve"]), SERVE_DEFAULTS);
});

Deno.test("parseCli() takes the serve language from the environment", () => {
  assertEquals(parseCli(["serve"], { lang: "pt" }), {
    ...SERVE_DEFAULTS,
    lang: "pt",
  });
});

const SERVE_FLAGS: ReadonlyArray<
  readonly [readonly string[], Partial<CliCommand>]
> = [
  [["--host", "127.0.0.1"], { host: "127.0.0.1" }],
  [["--host=::"], { host: "::" }],
  [["--port", "7000"], { port: 7000, webPort: 7001 }],
  [["--port=7000"], { port: 7000, webPort: 7001 }],
  [["--port", "0"], { port: 0, webPort: 0 }],
  [["--port", "65535"], { port: 65535, webPort: 65534 }],
  [["--lang", "pt"], { lang: "pt" }],
  [["--lang", "en"], { lang: "en" }],
  [["--history", "0"], { history: 0 }],
  [["--history", "500"], { history: 500 }],
  [["--max-users", "0"], { maxUsers: 0 }],
  [["--max-users", "3"], { maxUsers: 3 }],
  [["--max-per-ip", "0"], { maxPerIp: 0 }],
  [["--max-per-ip", "2"], { maxPerIp: 2 }],
  [["--rate", "2.5"], { rateLimit: { rate: 2.5, burst: 20 } }],
  [["--burst", "40"], { rateLimit: { rate: 5, burst: 40 } }],
  [["--rate", "1", "--burst", "1"], { rateLimit: { rate: 1, burst: 1 } }],
  [["--no-rate-limit"], { rateLimit: null }],
  [["--no-rate-limit", "--rate", "9"], { rateLimit: null }],
  [["--web-port", "8080"], { webPort: 8080 }],
  [["--web-port=0"], { webPort: 0 }],
  [["--no-web"], { webPort: null }],
  [["--no-web", "--web-port", "8080"], { webPort: null }],
  [["--room", "#lobby"], { room: "#lobby" }],
  [["--room", " #Café "], { room: "#Café" }],
  [["--max-rooms", "0"], { maxRooms: 0 }],
  [["--max-rooms", "5"], { maxRooms: 5 }],
  [["--max-rooms-per-user", "3"], { maxRoomsPerUser: 3 }],
  [["--password", "s3cret word"], { password: "s3cret word" }],
  [["--oper-password=op"], { operPassword: "op" }],
  [["--data", "/srv/chat"], { data: "/srv/chat" }],
  [["--memory"], { memory: true }],
  [["--data=d", "--memory"], { data: "d", memory: true }],
  [["--retention", "30"], { retention: 30 }],
  [["--retention=0.5"], { retention: 0.5 }],
  [["--max-history", "1000"], { maxHistory: 1000 }],
  [["--irc-port", "6667"], { ircPort: 6667 }],
  [["--irc-port=0"], { ircPort: 0 }],
  [["--irc-tls-port", "6697"], { ircTlsPort: 6697 }],
  [["--irc-tls-port=0", "--irc-port=0"], { ircPort: 0, ircTlsPort: 0 }],
  [["--server-name", "irc.example.org"], { serverName: "irc.example.org" }],
  [["--motd", "motd.txt"], { motdFile: "motd.txt" }],
  [["--show-ips"], { showIps: true }],
];

for (const [flags, changes] of SERVE_FLAGS) {
  Deno.test(`parseCli() reads serve ${flags.join(" ")}`, () => {
    assertEquals(parseCli(["serve", ...flags]), {
      ...SERVE_DEFAULTS,
      ...changes,
    } as CliCommand);
  });
}

Deno.test("parseCli() reads every serve flag at once", () => {
  assertEquals(
    parseCli([
      "serve",
      "--host",
      "192.168.0.5",
      "--port",
      "6000",
      "--lang",
      "pt",
      "--history",
      "10",
      "--max-users",
      "100",
      "--max-per-ip",
      "5",
      "--rate",
      "3",
      "--burst",
      "7",
      "--web-port",
      "8000",
    ]),
    {
      kind: "serve",
      host: "192.168.0.5",
      port: 6000,
      lang: "pt",
      history: 10,
      maxUsers: 100,
      maxPerIp: 5,
      rateLimit: { rate: 3, burst: 7 },
      webPort: 8000,
      deadPeerSeconds: 120,
      lineLimit: 8192,
      hardLineLimit: 65536,
      queueLimit: 262144,
      nameTimeoutSeconds: 60,
      room: "#general",
      maxRooms: 1000,
      maxRoomsPerUser: 20,
      password: null,
      operPassword: null,
      data: null,
      memory: false,
      tlsCert: null,
      tlsKey: null,
      requireTls: false,
      webTls: false,
      openNames: false,
      nameClaimDays: 30,
      catchUp: 200,
      retention: null,
      maxHistory: null,
      ircPort: null,
      ircTlsPort: null,
      serverName: null,
      motdFile: null,
      showIps: false,
    },
  );
});

const BAD_SERVE: ReadonlyArray<readonly [readonly string[], string]> = [
  [["--port", "70000"], "Cannot use port 70000"],
  [["--port", "65536"], "Cannot use port"],
  [["--port", "abc"], "Cannot use port"],
  [["--port"], "Cannot use port"],
  [["--host="], "Cannot use --host"],
  [["--host"], "Cannot use --host"],
  [["--host", "  "], "Cannot use --host"],
  [["--lang", "fr"], "Cannot use --lang"],
  [["--lang", "PT"], "Cannot use --lang"],
  [["--history", "x"], "Cannot use --history"],
  [["--history", "1.5"], "Cannot use --history"],
  [["--history=-1"], "Cannot use --history"],
  [["--max-users", "many"], "Cannot use --max-users"],
  [["--max-per-ip", "x1"], "Cannot use --max-per-ip"],
  [["--rate", "0"], "Cannot use --rate"],
  [["--rate", "-1"], "Cannot"],
  [["--rate", "fast"], "Cannot use --rate"],
  [["--rate=Infinity"], "Cannot use --rate"],
  [["--burst", "0"], "Cannot use --burst"],
  [["--burst", "2.5"], "Cannot use --burst"],
  [["--web-port", "70000"], "Cannot use --web-port 70000"],
  [["--web-port", "web"], 'Cannot use --web-port "web"'],
  [["--web-port"], "Cannot use --web-port"],
  [["--web-port", "50001"], "Cannot use --web-port 50001: it is the chat port"],
  [["--port", "7000", "--web-port", "7000"], "it is the chat port"],
  [["--bogus"], "Cannot use option --bogus: unknown option"],
  [["-x"], "unknown option"],
  [["--name", "ana"], "unknown option"],
  [["extra"], 'Cannot use argument "extra"'],
  [["192.168.0.5"], "chat serve takes only options"],
  [["--room", "general"], "Cannot use --room"],
  [["--room", "#"], "Cannot use --room"],
  [["--room", "#a b"], "Cannot use --room"],
  [["--room", `#${"x".repeat(33)}`], "too long"],
  [["--max-rooms=-1"], "Cannot use --max-rooms"],
  [["--max-rooms-per-user", "x"], "Cannot use --max-rooms-per-user"],
  [["--password", ""], 'Cannot use --password "": give a password'],
  [["--oper-password="], "Cannot use --oper-password"],
  [["--data", " "], 'Cannot use --data "": give a folder'],
  [["--retention", "0"], 'Cannot use --retention "0"'],
  [["--retention", "soon"], "expected a number above 0"],
  [["--max-history", "0"], 'Cannot use --max-history "0"'],
  [["--max-history=-5"], "Cannot use --max-history"],
  [["--irc-port", "x"], "Cannot use --irc-port"],
  [["--irc-port", "70000"], "Cannot use --irc-port"],
  [["--irc-tls-port", "x"], "Cannot use --irc-tls-port"],
  [["--irc-tls-port", "65536"], "Cannot use --irc-tls-port"],
  [["--server-name", "a b"], 'Cannot use --server-name "a b"'],
  [["--server-name", ":x"], "Cannot use --server-name"],
  [["--motd="], 'Cannot use --motd "": give a file'],
];

for (const [flags, text] of BAD_SERVE) {
  Deno.test(`parseCli() refuses serve ${flags.join(" ")}`, () => {
    assertUsageError(["serve", ...flags], "serve", text);
  });
}

for (const flag of ["--help", "-h"]) {
  Deno.test(`parseCli() reads serve ${flag} as the serve help`, () => {
    assertEquals(parseCli(["serve", flag]), { kind: "help", topic: "serve" });
    assertEquals(parseCli(["serve", "--port", "7000", flag]), {
      kind: "help",
      topic: "serve",
    });
  });
}

Deno.test("parseCli() reads join with an address only", () => {
  assertEquals(parseCli(["join", "10.0.0.2"]), {
    kind: "join",
    address: { hostname: "10.0.0.2", port: DEFAULT_PORT },
    name: undefined,
    timeoutMs: 10_000,
  });
});

const JOINS: ReadonlyArray<readonly [readonly string[], CliCommand]> = [
  [["join", "10.0.0.2:7000", "--name", "ana"], {
    kind: "join",
    address: { hostname: "10.0.0.2", port: 7000 },
    name: "ana",
    timeoutMs: 10_000,
  }],
  [["join", "--name", "ana", "10.0.0.2"], {
    kind: "join",
    address: { hostname: "10.0.0.2", port: DEFAULT_PORT },
    name: "ana",
    timeoutMs: 10_000,
  }],
  [["join", "10.0.0.2", "-n", "ana"], {
    kind: "join",
    address: { hostname: "10.0.0.2", port: DEFAULT_PORT },
    name: "ana",
    timeoutMs: 10_000,
  }],
  [["join", "10.0.0.2", "--name=João"], {
    kind: "join",
    address: { hostname: "10.0.0.2", port: DEFAULT_PORT },
    name: "João",
    timeoutMs: 10_000,
  }],
  [["join", "10.0.0.2", "--name", "Joa\u0303o"], {
    kind: "join",
    address: { hostname: "10.0.0.2", port: DEFAULT_PORT },
    name: "Jo\u00e3o",
    timeoutMs: 10_000,
  }],
  [["join", "[::1]:7000", "--name", "ana"], {
    kind: "join",
    address: { hostname: "::1", port: 7000 },
    name: "ana",
    timeoutMs: 10_000,
  }],
  [["join", "chat.lan", "--timeout", "2.5"], {
    kind: "join",
    address: { hostname: "chat.lan", port: DEFAULT_PORT },
    name: undefined,
    timeoutMs: 2500,
  }],
  [["join", "chat.lan", "--password", "s3cret"], {
    kind: "join",
    address: { hostname: "chat.lan", port: DEFAULT_PORT },
    name: undefined,
    timeoutMs: 10_000,
    password: "s3cret",
  }],
];

for (const [args, expected] of JOINS) {
  Deno.test(`parseCli() reads ${args.join(" ")}`, () => {
    assertEquals(parseCli(args), expected);
  });
}

Deno.test("parseCli() refuses join with an empty --password", () => {
  assertUsageError(
    ["join", "10.0.0.2", "--password", ""],
    "join",
    "Cannot use --password",
  );
});

Deno.test("serverConfig() carries the room flags and the passwords", () => {
  const command = parseCli([
    "serve",
    "--room",
    "#lobby",
    "--max-rooms",
    "7",
    "--max-rooms-per-user",
    "2",
    "--password",
    "p",
    "--oper-password",
    "o",
  ]);
  if (command.kind !== "serve") throw new Error("not serve");
  const config = serverConfig(command);
  assertEquals(config.defaultRoom, "#lobby");
  assertEquals(config.maxRooms, 7);
  assertEquals(config.maxRoomsPerUser, 2);
  assertEquals(config.password, "p");
  assertEquals(config.operPassword, "o");
});

Deno.test("serverConfig() carries the IRC flags", () => {
  const command = parseCli([
    "serve",
    "--irc-port",
    "6667",
    "--irc-tls-port",
    "6697",
    "--server-name",
    "irc.local",
    "--motd",
    "/etc/motd",
    "--show-ips",
  ]);
  if (command.kind !== "serve") throw new Error("not serve");
  const config = serverConfig(command);
  assertEquals(config.ircPort, 6667);
  assertEquals(config.ircTlsPort, 6697);
  assertEquals(config.serverName, "irc.local");
  assertEquals(config.motdFile, "/etc/motd");
  assertEquals(config.showIps, true);
});

Deno.test("chat serve --help tells the IRC flags", () => {
  for (
    const flag of [
      "--irc-port",
      "--irc-tls-port",
      "--server-name",
      "--motd",
      "--show-ips",
    ]
  ) {
    assert(USAGE.serve.includes(flag), flag);
  }
});

Deno.test("parseCli() reads join without an address as a join of a server found on the network (issue 14)", () => {
  assertEquals(parseCli(["join"]), {
    kind: "join",
    name: undefined,
    timeoutMs: 10_000,
  });
  assertEquals(parseCli(["join", "--name", "ana"]), {
    kind: "join",
    name: "ana",
    timeoutMs: 10_000,
  });
});

Deno.test("parseCli() refuses join with two addresses", () => {
  assertUsageError(
    ["join", "10.0.0.2", "10.0.0.3"],
    "join",
    "expected one address, got 2 (10.0.0.2 10.0.0.3)",
  );
});

for (const address of ["10.0.0.2:0", "10.0.0.2:70000", "10.0.0.2:abc"]) {
  Deno.test(`parseCli() refuses join ${address} for its port`, () => {
    assertUsageError(["join", address], "join", "Cannot use port");
  });
}

for (const address of ["256.1.1.1", "bad_host", "[::1", "-"]) {
  Deno.test(`parseCli() refuses join ${address} for its host`, () => {
    assertUsageError(["join", address], "join", "Cannot use address");
  });
}

for (const name of ["a b", "Server", "\u0430na", "x".repeat(25), "😀", " "]) {
  Deno.test(`parseCli() refuses join --name ${JSON.stringify(name)}`, () => {
    assertUsageError(
      ["join", "10.0.0.2", "--name", name],
      "join",
      "Cannot use --name: ",
    );
  });
}

Deno.test("parseCli() refuses join --name= and a trailing --name as empty", () => {
  assertUsageError(
    ["join", "10.0.0.2", "--name="],
    "join",
    "Cannot use --name: A name cannot be empty",
  );
  assertUsageError(
    ["join", "10.0.0.2", "--name"],
    "join",
    "Cannot use --name: A name cannot be empty",
  );
});

Deno.test({
  name: "parseCli() refuses an empty value given as a separate argument",
  fn() {
    assertUsageError(
      ["join", "10.0.0.2", "--name", ""],
      "join",
      "Cannot use --name: A name cannot be empty",
    );
    assertUsageError(
      ["join", "10.0.0.2", "-n", ""],
      "join",
      "Cannot use --name: A name cannot be empty",
    );
    assertUsageError(["serve", "--host", ""], "serve", "Cannot use --host");
  },
});

Deno.test("parseCli() explains a bad --name in the language of the environment", () => {
  const en = assertUsageError(["join", "h", "--name", "Server"], "join");
  assertStringIncludes(en.message, STRINGS.en.nameError("reserved", "Server"));
  const pt = assertUsageError(
    ["join", "h", "--name", "Server"],
    "join",
    "Cannot use --name: ",
    "pt",
  );
  assertStringIncludes(pt.message, STRINGS.pt.nameError("reserved", "Server"));
});

for (const timeout of ["0", "-1", "soon"]) {
  Deno.test(`parseCli() refuses join --timeout ${timeout}`, () => {
    assertUsageError(
      ["join", "10.0.0.2", `--timeout=${timeout}`],
      "join",
      "Cannot use --timeout",
    );
  });
}

for (const option of ["--bogus", "-x", "--port=1"]) {
  Deno.test(`parseCli() refuses join ${option} as an unknown option`, () => {
    assertUsageError(
      ["join", "10.0.0.2", option],
      "join",
      `Cannot use option ${option.split("=")[0]}`,
    );
  });
}

for (const flag of ["--help", "-h"]) {
  Deno.test(`parseCli() reads join ${flag} as the join help, address or not`, () => {
    assertEquals(parseCli(["join", flag]), { kind: "help", topic: "join" });
    assertEquals(parseCli(["join", "10.0.0.2", flag]), {
      kind: "help",
      topic: "join",
    });
  });
}

for (const arg of ["--help", "-h", "help"]) {
  Deno.test(`parseCli() reads ${arg} as the main help`, () => {
    assertEquals(parseCli([arg]), { kind: "help", topic: "main" });
  });
}

for (const arg of ["--version", "-V", "version"]) {
  Deno.test(`parseCli() reads ${arg} as the version`, () => {
    assertEquals(parseCli([arg]), { kind: "version" });
  });
}

Deno.test("parseCli() refuses an empty command line", () => {
  assertUsageError([], "main", "no command given");
});

Deno.test("parseCli() refuses an unknown subcommand", () => {
  assertUsageError(["start"], "main", 'Cannot run "start": unknown command');
  assertUsageError(["Serve"], "main", "unknown command");
});

Deno.test("parseCli() refuses an unknown option before the subcommand", () => {
  assertUsageError(["--bogus"], "main", "Cannot use option --bogus");
  assertUsageError(["-v"], "main", "unknown option");
});

Deno.test("UsageError is an Error with the main topic by default", () => {
  const error = new UsageError("Cannot run: no");
  assert(error instanceof Error);
  assertEquals(error.topic, "main");
  assertEquals(error.message, "Cannot run: no");
});

Deno.test("helpHint() names, for each topic, a command that prints that topic's usage", () => {
  for (const topic of ["main", "serve", "join", "find"] as const) {
    const [see, chat, ...args] = helpHint(topic).split(" ");
    assertEquals([see, chat], ["see", "chat"]);
    assertEquals(parseCli(args), { kind: "help", topic });
  }
});

Deno.test("USAGE.serve documents every serve flag", () => {
  for (
    const flag of [
      "--host",
      "--port",
      "--lang",
      "--history",
      "--max-users",
      "--max-per-ip",
      "--rate",
      "--burst",
      "--no-rate-limit",
      "--help",
    ]
  ) {
    assertStringIncludes(USAGE.serve, flag);
  }
});

Deno.test("USAGE.join documents every join flag", () => {
  for (const flag of ["--name", "-n", "--timeout", "--help"]) {
    assertStringIncludes(USAGE.join, flag);
  }
});

Deno.test("USAGE.main names the version and both subcommands", () => {
  assertStringIncludes(USAGE.main, VERSION);
  assertStringIncludes(USAGE.main, "chat serve");
  assertStringIncludes(USAGE.main, "chat join");
});

Deno.test("parseCli() reads --dead-peer-timeout and refuses one under 4 seconds", () => {
  const command = parseCli(["serve", "--dead-peer-timeout", "30"]);
  assertEquals(command.kind === "serve" && command.deadPeerSeconds, 30);
  assertThrows(
    () => parseCli(["serve", "--dead-peer-timeout", "2"]),
    UsageError,
    "--dead-peer-timeout",
  );
});

Deno.test("parseCli() reads every limit flag of serve", () => {
  const command = parseCli([
    "serve",
    "--line-limit",
    "4096",
    "--hard-line-limit",
    "32768",
    "--queue-limit",
    "64",
    "--name-timeout",
    "30",
  ]);
  assert(command.kind === "serve");
  assertEquals(
    [
      command.lineLimit,
      command.hardLineLimit,
      command.queueLimit,
      command.nameTimeoutSeconds,
    ],
    [4096, 32768, 65536, 30],
  );
  assertThrows(
    () =>
      parseCli(["serve", "--line-limit", "9000", "--hard-line-limit", "100"]),
    UsageError,
    "--hard-line-limit",
  );
  assertThrows(() => parseCli(["serve", "--queue-limit", "1"]), UsageError);
});

/** The serve command for `args`, or a failed test. */
function serveCommand(args: readonly string[]): ServeFlags {
  const command = parseCli(["serve", ...args]);
  assert(command.kind === "serve");
  return command;
}

Deno.test("serverConfig() of a bare serve is the default config", () => {
  assertEquals(serverConfig(serveCommand([])), DEFAULT_SERVER_CONFIG);
});

Deno.test("serverConfig() turns seconds and KiB into milliseconds and bytes", () => {
  const config = serverConfig(serveCommand([
    "--port",
    "7000",
    "--no-web",
    "--lang",
    "pt",
    "--history",
    "3",
    "--no-rate-limit",
    "--line-limit",
    "300",
    "--hard-line-limit",
    "600",
    "--queue-limit",
    "16",
    "--name-timeout",
    "5",
    "--dead-peer-timeout",
    "8",
  ]));
  assertEquals(config, {
    ...DEFAULT_SERVER_CONFIG,
    port: 7000,
    webPort: null,
    lang: "pt",
    historySize: 3,
    rateLimit: null,
    maxLineBytes: 300,
    hardLimitBytes: 600,
    maxQueueBytes: 16 * 1024,
    nameTimeoutMs: 5000,
    pingAfterMs: 2000,
    deadAfterMs: 6000,
    keepalive: { idleSeconds: 4, intervalSeconds: 1, probes: 4 },
  });
});

Deno.test("the usage text shows the defaults of config.ts", () => {
  assertStringIncludes(USAGE.main, `--port ${DEFAULT_SERVER_CONFIG.port}]`);
  assertStringIncludes(USAGE.main, `(http://HOST:${DEFAULT_WEB_PORT})`);
  for (
    const text of [
      `(default ${FLAG_DEFAULTS.history}; 0 shows none)`,
      `(default: no limit; ${MEMORY_HISTORY_LINES} with --memory)`,
      `(default ${FLAG_DEFAULTS.maxUsers}; 0 = no limit)`,
      `(default ${FLAG_DEFAULTS.maxPerIp}; 0 = no limit)`,
      `(default ${FLAG_DEFAULTS.rate})`,
      `(default ${FLAG_DEFAULTS.burst})`,
      `(default ${FLAG_DEFAULTS.lineLimit}; at least ${SERVE_MINIMUMS.lineLimit})`,
      `(default ${FLAG_DEFAULTS.hardLineLimit}; at least --line-limit)`,
      `(default ${FLAG_DEFAULTS.queueLimitKiB}; at least ${SERVE_MINIMUMS.queueLimitKiB})`,
      `(default ${FLAG_DEFAULTS.nameTimeoutSeconds})`,
      `(default ${FLAG_DEFAULTS.deadPeerSeconds}; at least ${SERVE_MINIMUMS.deadPeerSeconds})`,
    ]
  ) assertStringIncludes(USAGE.serve, text);
});

Deno.test("parseCli() reads join --verbose", () => {
  assertEquals(parseCli(["join", "10.0.0.2", "--verbose"]), {
    kind: "join",
    address: { hostname: "10.0.0.2", port: 50001 },
    name: undefined,
    timeoutMs: 10_000,
    verbose: true,
  });
  assertStringIncludes(USAGE.join, "--verbose");
});

Deno.test("parseCli() reads serve --no-announce, --announce-name and --qr", () => {
  const serve = (...flags: string[]) => {
    const command = parseCli(["serve", ...flags]);
    if (command.kind !== "serve") throw new Error("not serve");
    return command;
  };
  assertEquals(serve().announce, undefined);
  assertEquals(serve().qr, undefined);
  assertEquals(serve("--no-announce").announce, null);
  assertEquals(serve("--announce-name", "sala 3").announce, { name: "sala 3" });
  assertEquals(serve("--announce-name=  ana's  ").announce, {
    name: "ana's",
  });
  assertEquals(serve("--qr").qr, true);
  assertEquals(serve("--no-qr").qr, false);
  assertEquals(serverConfig(serve("--no-announce")).announce, null);
  assertEquals(serverConfig(serve("--announce-name", "x")).announce, {
    name: "x",
  });
  assertEquals("announce" in serverConfig(serve()), false);
});

Deno.test("parseCli() refuses an announce name that is empty, has control characters or is too long", () => {
  for (
    const [flags, text] of [
      [["--announce-name", ""], "give a name"],
      [["--announce-name", "a\tb"], "control characters"],
      [["--announce-name", "é".repeat(32)], "at most 63 bytes"],
      [["--announce-name", "x", "--no-announce"], "choose one"],
    ] as const
  ) {
    assertUsageError(["serve", ...flags], "serve", text);
  }
});

Deno.test("parseCli() reads chat find and its alias chat list", () => {
  assertEquals(parseCli(["find"]), { kind: "find", timeoutMs: 1000 });
  assertEquals(parseCli(["list"]), { kind: "find", timeoutMs: 1000 });
  assertEquals(parseCli(["find", "--timeout", "2.5"]), {
    kind: "find",
    timeoutMs: 2500,
  });
  assertEquals(parseCli(["find", "--help"]), { kind: "help", topic: "find" });
  assertUsageError(["find", "10.0.0.1"], "find", "takes only options");
  assertUsageError(["find", "--timeout", "0"], "find", "above 0");
  assertUsageError(["list", "--frob"], "find", "unknown option");
});

Deno.test("parseCli() reads chat serve's TLS flags, and wants --tls-cert and --tls-key together", () => {
  assertEquals(
    parseCli([
      "serve",
      "--tls-cert",
      "c.pem",
      "--tls-key",
      "k.pem",
      "--require-tls",
      "--web-tls",
    ]),
    {
      ...SERVE_DEFAULTS,
      tlsCert: "c.pem",
      tlsKey: "k.pem",
      requireTls: true,
      webTls: true,
    } as CliCommand,
  );
  assertUsageError(
    ["serve", "--tls-cert", "c.pem"],
    "serve",
    "Cannot use --tls-cert alone: give both --tls-cert FILE and --tls-key FILE",
  );
  assertUsageError(["serve", "--tls-key", "k.pem"], "serve", "--tls-key alone");
  assertUsageError(
    ["serve", "--tls-cert", "", "--tls-key", "k"],
    "serve",
    'Cannot use --tls-cert "": give a file',
  );
});

Deno.test("parseCli() reads chat join's trust flags, and refuses a fingerprint that is none", () => {
  const fingerprint = "SHA256:" + "A".repeat(43);
  assertEquals(
    parseCli([
      "join",
      "10.0.0.2",
      "--fingerprint",
      fingerprint,
      "--trust-new",
      "--known-servers",
      "/tmp/k",
    ]),
    {
      kind: "join",
      address: { hostname: "10.0.0.2", port: 50001 },
      name: undefined,
      timeoutMs: 10000,
      fingerprint,
      trustNew: true,
      knownServers: "/tmp/k",
    },
  );
  assertUsageError(
    ["join", "10.0.0.2", "--fingerprint", "SHA256:abc"],
    "join",
    'Cannot use --fingerprint "SHA256:abc": expected SHA256: and 43 characters',
  );
  assertUsageError(
    ["join", "10.0.0.2", "--known-servers", ""],
    "join",
    'Cannot use --known-servers "": give a file',
  );
});

Deno.test("parseCli() reads export with its defaults, a room and a date", () => {
  assertEquals(parseCli(["export"]), { kind: "export", data: null });
  assertEquals(
    parseCli([
      "export",
      "--data",
      "/srv/chat",
      "--room",
      "#Games",
      "--since",
      "2024-05-01T09:30Z",
    ]),
    {
      kind: "export",
      data: "/srv/chat",
      room: "#games",
      since: Date.UTC(2024, 4, 1, 9, 30),
    },
  );
  assertEquals(parseCli(["export", "--help"]), {
    kind: "help",
    topic: "export",
  });
});

Deno.test("parseSince() reads days and times, local or with a zone", () => {
  assertEquals(parseSince("2024-05-01"), new Date(2024, 4, 1).getTime());
  assertEquals(
    parseSince("2024-05-01 09:30:15"),
    new Date(2024, 4, 1, 9, 30, 15).getTime(),
  );
  assertEquals(
    parseSince("2024-05-01T09:30+02:00"),
    Date.UTC(2024, 4, 1, 7, 30),
  );
  assertEquals(
    parseSince("2024-05-01T09:30-03:30"),
    Date.UTC(2024, 4, 1, 13, 0),
  );
});

for (
  const [flags, text] of [
    [["--since", "yesterday"], 'Cannot use --since "yesterday"'],
    [["--since", "2024-02-30"], "expected a date"],
    [["--since", "2024-05-01T25:00"], "expected a date"],
    [["--since", "2024-05-01T09:30+24:00"], "expected a date"],
    [["--room", "games"], "Cannot use --room"],
    [["--data", ""], 'Cannot use --data "": give a folder'],
    [["--frob"], "Cannot use option --frob: unknown option"],
    [["extra"], "chat export takes only options"],
  ] as const
) {
  Deno.test(`parseCli() refuses export ${flags.join(" ")}`, () => {
    assertUsageError(["export", ...flags], "export", text);
  });
}

Deno.test("parseSince() never throws anything but a UsageError, whatever it is given", () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 40 }), (text) => {
      try {
        const time = parseSince(text);
        assert(Number.isFinite(time));
      } catch (error) {
        assert(error instanceof UsageError);
      }
    }),
  );
  fc.assert(
    fc.property(
      fc.date({
        min: new Date(1971, 0, 1),
        max: new Date(2999, 0, 1),
        noInvalidDate: true,
      }),
      (date) => {
        const text = date.toISOString().slice(0, 19) + "Z";
        assertEquals(
          parseSince(text),
          Math.floor(date.getTime() / 1000) * 1000,
        );
      },
    ),
  );
});
