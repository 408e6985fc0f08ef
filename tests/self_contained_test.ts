// The compiled program needs nothing next to it: every module it runs is
// part of its module graph (the browser client's files are imported as
// text), no module reads a file at run time, and the program serves those
// files from inside itself. The last test is end to end, so with CHAT_BIN
// set it checks the compiled binary's embedded page against the checkout.

import { assert, assertEquals, assertFalse } from "@std/assert";
import { WEB_ASSETS } from "../src/web/web_assets.ts";
import { ChatProcess } from "./_helpers.ts";

const ROOT = new URL("../", import.meta.url);

// Calls that would read the disk, or find a file beside the source.
const FILE_ACCESS =
  /\bDeno\.(readFile|readTextFile|open|readDir|stat|lstat|realPath|readLink|watchFs)(Sync)?\b|import\.meta\.(url|dirname|filename|resolve)\b|\bfetch\(/;

// The modules that work on the user's own folders (the data folder of chat
// serve: the history, its lock, the claimed names, the server's identity;
// the config folder of chat join: the personal key, the servers it trusts)
// may open what they keep there, which they are given: never a file beside
// the source.
const BESIDE_SOURCE =
  /import\.meta\.(url|dirname|filename|resolve)\b|\bfetch\(/;
const USER_FOLDERS = [
  `${ROOT.href}src/store/`,
  `${ROOT.href}src/client/personal_key.ts`,
  `${ROOT.href}src/client/known_servers.ts`,
  `${ROOT.href}src/transport/tls_identity.ts`,
];

// Files a user names on the command line, which the program reads on
// purpose: nothing it needs beside itself.
const USER_FILES: readonly string[] = [
  "Deno.readTextFile(config.motdFile)", // --motd
];

interface GraphModule {
  specifier: string;
  kind: string;
  mediaType?: string;
}

async function moduleGraph(): Promise<GraphModule[]> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", "main.ts"],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert(output.success, new TextDecoder().decode(output.stderr));
  return JSON.parse(new TextDecoder().decode(output.stdout)).modules;
}

Deno.test("main.ts's module graph holds the browser client's files and only this repository's modules and npm packages", async () => {
  const modules = await moduleGraph();
  const local = modules.filter((m) => m.specifier.startsWith(ROOT.href));
  for (const module of modules) {
    assert(
      module.specifier.startsWith(ROOT.href) ||
        /^(npm|node):/.test(module.specifier),
      `main.ts loads ${module.specifier}, from outside the repository`,
    );
  }
  const paths = local.map((m) => m.specifier.slice(ROOT.href.length));
  for (
    const file of [
      "src/web/index.html",
      "src/web/app.js",
      "src/web/web_client_state.js",
      "src/web/style.css",
    ]
  ) {
    assert(paths.includes(file), `${file} is not in main.ts's module graph`);
  }
  assertFalse(
    paths.some((path) => path.startsWith("src/tools/")),
    "a build tool is part of the program",
  );
});

Deno.test("no module of the program reads a file or looks beside its source at run time, but in the user's data and config folders", async () => {
  const modules = await moduleGraph();
  const code = modules.filter((m) =>
    m.specifier.startsWith(ROOT.href) && m.mediaType === "TypeScript"
  );
  assert(code.length > 10, "main.ts's graph has almost no TypeScript");
  for (const module of code) {
    const text = await Deno.readTextFile(new URL(module.specifier));
    const lines = text.split("\n");
    const access = USER_FOLDERS.some((path) =>
        module.specifier.startsWith(path)
      )
      ? BESIDE_SOURCE
      : FILE_ACCESS;
    const found = lines.findIndex((line) =>
      access.test(line) && !line.includes("import.meta.main") &&
      !USER_FILES.some((call) => line.includes(call))
    );
    assertEquals(
      found,
      -1,
      `${module.specifier}:${found + 1} reaches for a file: ${lines[found]}`,
    );
  }
});

Deno.test("chat serve serves its page, scripts and style sheet from inside the program", async () => {
  const { process } = await ChatProcess.server(["--web-port", "0"]);
  try {
    const line = await process.waitFor(/^web client on \S+:\d+$/);
    const port = Number(/:(\d+)$/.exec(line)![1]);
    for (const [path, asset] of WEB_ASSETS) {
      const response = await fetch(`http://127.0.0.1:${port}${path}`);
      assertEquals(response.status, 200, path);
      assertEquals(response.headers.get("content-type"), asset.type, path);
      const body = await response.text();
      if (path === "/") {
        assertEquals(body, asset.body, "the page is not the checkout's");
      } else {
        const file = await Deno.readTextFile(new URL(`src/web${path}`, ROOT));
        assertEquals(body, file, `${path} is not the checkout's`);
      }
    }
    process.kill("SIGTERM");
    assertEquals(await process.status(), 0);
  } finally {
    await process.stop();
  }
});
