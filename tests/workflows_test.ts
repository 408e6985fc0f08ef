// Checks the GitHub Actions workflows against what the project promises: CI
// runs the checks of `deno task check` and the tests on Linux, macOS and
// Windows, and again against the program `deno task compile` builds (through
// CHAT_BIN); a `v*` tag builds the release archives with `deno task compile`
// (the permissions of src/tools/compile.ts), runs the suites against the
// Linux x86_64 archive, and publishes the archives with their SHA-256 sums.
// The shell steps that archive, unpack, smoke-test and sum run here for real
// on fake binaries (on Linux, as on the release's runners). README's install
// lines name this version's archives.

import { assert, assertEquals, assertMatch } from "@std/assert";
import { parse } from "@std/yaml/parse";
import { VERSION } from "../src/cli.ts";
import { PERMISSIONS } from "../src/tools/compile.ts";
import { have } from "./_tools.ts";

type YamlMapping = Record<string, unknown>;

const DENO_VERSION = "v2.9.6";

const RELEASE_TARGETS = [
  "x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu",
  "x86_64-apple-darwin",
  "aarch64-apple-darwin",
  "x86_64-pc-windows-msvc",
];

function isMapping(value: unknown): value is YamlMapping {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) &&
    value.every((item) => typeof item === "string");
}

function mapping(value: unknown, what: string): YamlMapping {
  assert(isMapping(value), `${what} is not a mapping`);
  return value;
}

function stringArray(value: unknown, what: string): string[] {
  assert(isStringArray(value), `${what} is not a list of strings`);
  return value;
}

async function readWorkflow(name: string): Promise<YamlMapping> {
  const url = new URL(`../.github/workflows/${name}`, import.meta.url);
  return mapping(parse(await Deno.readTextFile(url)), name);
}

/** The events that start a workflow, whichever form `on:` takes. */
function triggers(workflow: YamlMapping): string[] {
  const on = workflow["on"];
  if (typeof on === "string") return [on];
  if (isStringArray(on)) return on;
  return Object.keys(mapping(on, "on"));
}

function jobs(workflow: YamlMapping): Map<string, YamlMapping> {
  const entries = Object.entries(mapping(workflow["jobs"], "jobs"));
  return new Map(
    entries.map(([name, job]) => [name, mapping(job, `job ${name}`)]),
  );
}

function job(workflow: YamlMapping, name: string): YamlMapping {
  const found = jobs(workflow).get(name);
  assert(found !== undefined, `no job ${name}`);
  return found;
}

function steps(job: YamlMapping): YamlMapping[] {
  const list = job["steps"];
  assert(Array.isArray(list), "steps is not a list");
  return list.map((step, index) => mapping(step, `step ${index + 1}`));
}

function matrix(job: YamlMapping): YamlMapping {
  const strategy = mapping(job["strategy"], "strategy");
  return mapping(strategy["matrix"], "matrix");
}

/** The `run:` script of a step, or "" for a step that uses an action. */
function runOf(step: YamlMapping): string {
  const run = step["run"];
  return typeof run === "string" ? run : "";
}

/** The commands of a step's script, one per line, spaces collapsed. */
function commandsOf(step: YamlMapping): string[] {
  return runOf(step).split("\n").map((line) => line.trim().replace(/\s+/g, " "))
    .filter((line) => line !== "");
}

function usesOf(step: YamlMapping): string {
  const uses = step["uses"];
  return typeof uses === "string" ? uses : "";
}

/** Replaces each `${{ matrix.NAME }}` with NAME's value, or "" when unset. */
function expandMatrix(text: string, values: YamlMapping): string {
  return text.replace(/\$\{\{\s*matrix\.([\w-]+)\s*\}\}/g, (_, name) => {
    const value = values[name];
    return typeof value === "string" ? value : "";
  });
}

/** The matrix values of each target, with what `include:` adds to it. */
function targetValues(compile: YamlMapping): YamlMapping[] {
  const declared = matrix(compile);
  const include = declared["include"] ?? [];
  assert(Array.isArray(include), "matrix include is not a list");
  const extras = include.map((entry) => mapping(entry, "matrix include"));
  return stringArray(declared["target"], "matrix target").map((target) => {
    const values: YamlMapping = { target };
    for (const extra of extras) {
      if (extra["target"] === target) Object.assign(values, extra);
    }
    return values;
  });
}

/** The `--allow-*`/`--deny-*` flags of a command line, sorted. */
function permissionFlags(command: string): string[] {
  return command.split(/\s+/)
    .filter((word) => /^(--(allow|deny)-[\w-]+(=\S*)?|-A)$/.test(word))
    .sort();
}

/** The steps that build chat: `deno task compile`. */
function compileSteps(job: YamlMapping): YamlMapping[] {
  return steps(job).filter((step) =>
    commandsOf(step).some((command) => command.startsWith("deno task compile"))
  );
}

/** The one step whose name starts with `prefix`. */
function namedStep(job: YamlMapping, prefix: string): YamlMapping {
  const found = steps(job).filter((step) =>
    String(step["name"] ?? "").startsWith(prefix)
  );
  assertEquals(found.length, 1, `steps named "${prefix}..."`);
  return found[0]!;
}

/** The job's `env:`, with the matrix expanded. */
function jobEnv(
  job: YamlMapping,
  values: YamlMapping = {},
): Record<string, string> {
  const env: Record<string, string> = {};
  for (
    const [name, value] of Object.entries(mapping(job["env"] ?? {}, "env"))
  ) {
    env[name] = expandMatrix(String(value), values);
  }
  return env;
}

/**
 * Runs a step's script with bash as a GitHub runner does (`-eo pipefail`),
 * in `cwd` or its `working-directory:` under `cwd`.
 */
async function runStep(
  step: YamlMapping,
  options: { cwd: string; env?: Record<string, string>; matrix?: YamlMapping },
): Promise<{ code: number; output: string }> {
  const values = options.matrix ?? {};
  const folder = step["working-directory"];
  const cwd = typeof folder === "string"
    ? `${options.cwd}/${expandMatrix(folder, values)}`
    : options.cwd;
  const result = await new Deno.Command("bash", {
    args: [
      "--noprofile",
      "--norc",
      "-eo",
      "pipefail",
      "-c",
      expandMatrix(runOf(step), values),
    ],
    cwd,
    env: options.env ?? {},
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: result.code,
    output: decoder.decode(result.stdout) + decoder.decode(result.stderr),
  };
}

/** Whether a `files:` glob of one path segment's `*`s matches `name`. */
function globMatches(glob: string, name: string): boolean {
  const pattern = glob.split("*").map((part) =>
    part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")
  ).join("[^/]*");
  return new RegExp(`^${pattern}$`).test(name);
}

/** A stand-in for a built chat: a script that prints `version`. */
async function fakeChat(path: string, version: string): Promise<void> {
  await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
  await Deno.writeTextFile(path, `#!/bin/sh\necho '${version}'\n`);
  await Deno.chmod(path, 0o755);
}

const ROOT = new URL("../", import.meta.url);
const TAG = `v${VERSION}`;
// The release's steps are bash on ubuntu-latest; run them where that holds.
const CAN_RUN_STEPS = Deno.build.os === "linux" && have("bash", "--version") &&
  have("tar", "--version") && have("git", "--version");

function headCommit(): string {
  const output = new Deno.Command("git", {
    args: ["rev-parse", "--short=7", "HEAD"],
    cwd: ROOT,
    stdout: "piped",
  }).outputSync();
  return new TextDecoder().decode(output.stdout).trim();
}

function archiveName(target: string): string {
  return `chat-${VERSION}-${target}${
    target.includes("windows") ? ".zip" : ".tar.gz"
  }`;
}

Deno.test("ci.yml runs on every push and pull request", async () => {
  const ci = await readWorkflow("ci.yml");
  const events = triggers(ci);
  assert(events.includes("push"), `ci.yml runs on ${events.join(", ")}`);
  assert(
    events.includes("pull_request"),
    `ci.yml runs on ${events.join(", ")}`,
  );
});

Deno.test("ci.yml tests on Linux, macOS and Windows", async () => {
  const ci = await readWorkflow("ci.yml");
  const [name, test] = [...jobs(ci)][0] ?? [];
  assert(name !== undefined && test !== undefined, "ci.yml has no job");
  assertEquals(
    stringArray(matrix(test)["os"], "matrix os").sort(),
    ["macos-latest", "ubuntu-latest", "windows-latest"],
  );
  assertEquals(test["runs-on"], "${{ matrix.os }}");
});

Deno.test("ci.yml and release.yml install Deno 2.9.6", async () => {
  for (const name of ["ci.yml", "release.yml"]) {
    const workflow = await readWorkflow(name);
    for (const [jobName, each] of jobs(workflow)) {
      if (!steps(each).some((step) => runOf(step).includes("deno "))) continue;
      const setup = steps(each).find((step) =>
        usesOf(step).startsWith("denoland/setup-deno@")
      );
      assert(setup !== undefined, `${name} job ${jobName} sets up no Deno`);
      const options = mapping(setup["with"], "setup-deno with");
      assertEquals(options["deno-version"], DENO_VERSION);
    }
  }
});

Deno.test(
  "ci.yml checks formatting, lint and types, then runs deno task test",
  async () => {
    const ci = await readWorkflow("ci.yml");
    const commands = [...jobs(ci).values()].flatMap(steps).flatMap(commandsOf);
    const at = (wanted: (command: string) => boolean, what: string) => {
      const index = commands.findIndex(wanted);
      assert(index >= 0, `ci.yml never runs ${what}: ${commands.join("; ")}`);
      return index;
    };
    const fmt = at((command) => command === "deno fmt --check", "fmt --check");
    const lint = at((command) => command === "deno lint", "deno lint");
    const check = at(
      (command) => /^deno check (.* )?main\.ts( |$)/.test(command),
      "deno check main.ts",
    );
    const test = at((command) => command === "deno task test", "the tests");
    assert(
      Math.max(fmt, lint, check) < test,
      "ci.yml runs the tests before the checks",
    );
  },
);

Deno.test(
  "ci.yml installs netcat, tmux and Chromium on Linux before the tests",
  async () => {
    const ci = await readWorkflow("ci.yml");
    const all = [...jobs(ci).values()].flatMap(steps);
    const install = all.findIndex((step) =>
      /apt-get install .*netcat-openbsd/.test(runOf(step))
    );
    const test = all.findIndex((step) =>
      commandsOf(step).includes("deno task test")
    );
    const step = all[install];
    assert(step !== undefined, "ci.yml installs no test tools");
    for (const tool of ["netcat-openbsd", "tmux", "chromium"]) {
      assert(runOf(step).includes(tool), `ci.yml does not install ${tool}`);
    }
    assert(String(step["if"]).includes("Linux"), "installs off Linux too");
    assert(install < test, "ci.yml installs the tools after the tests");
  },
);

Deno.test("ci.yml and release.yml leave NO_COLOR unset, so that the colour tests run", async () => {
  // render_test.ts ignores its colour tests under NO_COLOR (@std/fmt/colors
  // cannot be turned on then); the subprocess tests set NO_COLOR themselves.
  const envs: [string, unknown][] = [];
  for (const file of ["ci.yml", "release.yml"]) {
    const workflow = await readWorkflow(file);
    envs.push([`${file}`, workflow["env"]]);
    for (const [name, each] of jobs(workflow)) {
      envs.push([`${file} job ${name}`, each["env"]]);
      for (const [i, step] of steps(each).entries()) {
        envs.push([`${file} job ${name} step ${i + 1}`, step["env"]]);
      }
    }
  }
  for (const [where, env] of envs) {
    if (env === undefined) continue;
    assert(
      !Object.keys(mapping(env, `${where} env`)).includes("NO_COLOR"),
      `${where} sets NO_COLOR`,
    );
  }
});

Deno.test("release.yml runs when a v* tag is pushed", async () => {
  const release = await readWorkflow("release.yml");
  assertEquals(triggers(release), ["push"]);
  const push = mapping(mapping(release["on"], "on")["push"], "on.push");
  assertEquals(stringArray(push["tags"], "on.push.tags"), ["v*"]);
  assertEquals(push["branches"], undefined);
});

Deno.test("release.yml builds the five release targets", async () => {
  const release = await readWorkflow("release.yml");
  const targets = stringArray(
    matrix(job(release, "compile"))["target"],
    "matrix target",
  );
  assertEquals([...targets].sort(), [...RELEASE_TARGETS].sort());
  assertEquals(new Set(targets).size, targets.length, "a target is repeated");
});

Deno.test(
  "deno task compile runs src/tools/compile.ts, and no workflow compiles chat any other way",
  async () => {
    const config = mapping(
      JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT))),
      "deno.json",
    );
    const task = mapping(config["tasks"], "tasks")["compile"];
    assert(typeof task === "string", "deno.json has no compile task");
    assertMatch(task, /^deno run .*src\/tools\/compile\.ts$/);
    for (const name of ["ci.yml", "release.yml"]) {
      for (const [jobName, each] of jobs(await readWorkflow(name))) {
        for (const step of steps(each)) {
          assert(
            !/\bdeno compile\b/.test(runOf(step)),
            `${name} job ${jobName} runs deno compile itself: ${runOf(step)}`,
          );
          assertEquals(
            permissionFlags(runOf(step)),
            [],
            `${name} job ${jobName} grants permissions of its own`,
          );
        }
      }
    }
    // What the binaries get: exactly the tool's list (hostname: the name
    // a server is announced as on the local network, issue 14; read and
    // write: the history in the data folder, issue 12).
    assertEquals(
      PERMISSIONS,
      [
        "--allow-net",
        "--allow-sys=networkInterfaces,hostname",
        "--allow-env",
        "--allow-ffi",
        "--allow-read",
        "--allow-write",
      ],
    );
  },
);

Deno.test(
  "ci.yml compiles chat on Linux, macOS and Windows and runs the suites against it through CHAT_BIN",
  async () => {
    const ci = await readWorkflow("ci.yml");
    const found = [...jobs(ci)].filter(([, each]) =>
      compileSteps(each).length > 0
    );
    assertEquals(found.length, 1, "jobs that compile chat");
    const [, binary] = found[0]!;
    const declared = matrix(binary);
    const oses = stringArray(declared["os"], "matrix os");
    assertEquals([...oses].sort(), [
      "macos-latest",
      "ubuntu-latest",
      "windows-latest",
    ]);
    assertEquals(binary["runs-on"], "${{ matrix.os }}");
    const include = (declared["include"] ?? []) as YamlMapping[];
    for (const os of oses) {
      const values: YamlMapping = { os };
      for (const extra of include) {
        if (extra["os"] === os) Object.assign(values, extra);
      }
      assertEquals(
        jobEnv(binary, values)["CHAT_BIN"],
        os.startsWith("windows") ? "dist/chat.exe" : "dist/chat",
        `CHAT_BIN on ${os}`,
      );
    }
    const all = steps(binary);
    const compile = all.findIndex((step) =>
      commandsOf(step).includes("deno task compile")
    );
    const smoke = all.indexOf(namedStep(binary, "Smoke test"));
    const install = all.findIndex((step) =>
      /apt-get install .*netcat-openbsd/.test(runOf(step))
    );
    const test = all.findIndex((step) =>
      commandsOf(step).includes("deno task test")
    );
    assert(compile >= 0, "the binary job runs no plain deno task compile");
    assert(compile < smoke && smoke < test, "compile, smoke test, test");
    assert(install >= 0 && install < test, "no tools before the tests");
    assert(String(all[install]!["if"]).includes("Linux"));
    assertEquals(all[smoke]!["shell"], "bash");
  },
);

Deno.test({
  name:
    "ci.yml's smoke test passes a binary that names this commit and fails one that does not",
  ignore: !CAN_RUN_STEPS,
  async fn() {
    const ci = await readWorkflow("ci.yml");
    const binary = [...jobs(ci).values()].find((each) =>
      compileSteps(each).length > 0
    )!;
    const smoke = namedStep(binary, "Smoke test");
    const dir = await Deno.makeTempDir({ prefix: "chat_ci_" });
    try {
      await fakeChat(`${dir}/good`, `chat ${VERSION} (${headCommit()})`);
      await fakeChat(`${dir}/stale`, `chat ${VERSION} (0000000)`);
      await fakeChat(`${dir}/source`, `chat ${VERSION} (source)`);
      const run = (bin: string) =>
        runStep(smoke, {
          cwd: new URL(ROOT).pathname,
          env: { CHAT_BIN: `${dir}/${bin}` },
        });
      const good = await run("good");
      assertEquals(good.code, 0, good.output);
      for (const bad of ["stale", "source"]) {
        assert((await run(bad)).code !== 0, `the smoke test passes ${bad}`);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test(
  "release.yml compiles each target with deno task compile --target into dist/<target>/chat",
  async () => {
    const release = await readWorkflow("release.yml");
    const compile = job(release, "compile");
    const found = compileSteps(compile);
    assertEquals(found.length, 1, "compile steps");
    const command = commandsOf(found[0]!).join(" ");
    assert(
      command.startsWith("deno task compile --target ${{ matrix.target }} "),
      `not compiled with deno task compile --target: ${command}`,
    );
    const outputs = targetValues(compile).map((values) =>
      /--output (\S+)/.exec(expandMatrix(command, values))?.[1]
    );
    assertEquals(
      outputs,
      targetValues(compile).map(({ target }) =>
        `dist/${target}/chat${String(target).includes("windows") ? ".exe" : ""}`
      ),
    );
  },
);

Deno.test({
  name:
    "release.yml archives each target as chat-<version>-<target>.tar.gz (.zip on Windows) holding just chat (chat.exe), and uploads it",
  ignore: !CAN_RUN_STEPS || !have("zip", "-v") || !have("unzip", "-v"),
  async fn() {
    const release = await readWorkflow("release.yml");
    const compile = job(release, "compile");
    const archive = namedStep(compile, "Archive");
    const upload = steps(compile).find((step) =>
      usesOf(step).startsWith("actions/upload-artifact@")
    );
    assert(upload !== undefined, "the compile job uploads nothing");
    const uploaded = mapping(upload["with"], "upload-artifact with");
    const dir = await Deno.makeTempDir({ prefix: "chat_release_" });
    try {
      for (const values of targetValues(compile)) {
        const target = String(values["target"]);
        const exe = target.includes("windows") ? ".exe" : "";
        await fakeChat(`${dir}/dist/${target}/chat${exe}`, `chat ${VERSION}`);
        const result = await runStep(archive, {
          cwd: dir,
          matrix: values,
          env: { GITHUB_REF_NAME: TAG },
        });
        assertEquals(result.code, 0, result.output);
        const name = archiveName(target);
        const listing = await new Deno.Command(exe ? "unzip" : "tar", {
          args: exe ? ["-Z1", name] : ["-tzf", name],
          cwd: `${dir}/dist`,
          stdout: "piped",
        }).output();
        assertEquals(
          new TextDecoder().decode(listing.stdout).trim(),
          `chat${exe}`,
          `${name} holds`,
        );
        assert(
          globMatches(
            expandMatrix(String(uploaded["path"]), values),
            `dist/${name}`,
          ),
          `the upload of ${target} misses dist/${name}`,
        );
        assertEquals(
          expandMatrix(String(uploaded["name"]), values),
          `chat-${target}`,
        );
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test(
  "release.yml tests the Linux x86_64 archive with the suites through CHAT_BIN before it publishes",
  async () => {
    const release = await readWorkflow("release.yml");
    const test = job(release, "test");
    assertEquals(test["needs"], "compile");
    assertEquals(test["runs-on"], "ubuntu-latest");
    const download = steps(test).find((step) =>
      usesOf(step).startsWith("actions/download-artifact@")
    );
    assert(download !== undefined, "the test job downloads nothing");
    assertEquals(
      mapping(download["with"], "download-artifact with")["name"],
      "chat-x86_64-unknown-linux-gnu",
    );
    assertEquals(jobEnv(test)["CHAT_BIN"], "unpacked/chat");
    const all = steps(test);
    const at = (prefix: string) => all.indexOf(namedStep(test, prefix));
    const install = all.findIndex((step) =>
      /apt-get install .*netcat-openbsd.*tmux.*chromium/.test(runOf(step))
    );
    const suites = all.findIndex((step) =>
      commandsOf(step).includes("deno task test")
    );
    assert(
      all.indexOf(download) < at("Unpack") && at("Unpack") < at("Smoke test") &&
        at("Smoke test") < suites,
      "download, unpack, smoke test, then the suites",
    );
    assert(install >= 0 && install < suites, "no tools before the suites");
    const publish = job(release, "release");
    assertEquals(publish["needs"], ["compile", "test"]);
  },
);

Deno.test({
  name:
    "release.yml unpacks the archive to CHAT_BIN and its smoke test wants the tag's version and this commit",
  ignore: !CAN_RUN_STEPS,
  async fn() {
    const release = await readWorkflow("release.yml");
    const compile = job(release, "compile");
    const test = job(release, "test");
    const target = "x86_64-unknown-linux-gnu";
    const values = targetValues(compile).find((v) => v["target"] === target)!;
    const dir = await Deno.makeTempDir({ prefix: "chat_release_" });
    try {
      // What the compile job leaves, as the test job downloads it.
      await fakeChat(
        `${dir}/dist/${target}/chat`,
        `chat ${VERSION} (${headCommit()})`,
      );
      const archived = await runStep(namedStep(compile, "Archive"), {
        cwd: dir,
        matrix: values,
        env: { GITHUB_REF_NAME: TAG },
      });
      assertEquals(archived.code, 0, archived.output);
      const env: Record<string, string> = {
        ...jobEnv(test),
        GITHUB_REF_NAME: TAG,
      };
      const unpacked = await runStep(namedStep(test, "Unpack"), {
        cwd: dir,
        env,
      });
      assertEquals(unpacked.code, 0, unpacked.output);
      const bin = `${dir}/${env["CHAT_BIN"]}`;
      assert(
        ((await Deno.stat(bin)).mode ?? 0) & 0o100,
        "chat is not executable",
      );
      const smoke = (tag: string) =>
        runStep(namedStep(test, "Smoke test"), {
          cwd: new URL(ROOT).pathname,
          env: { CHAT_BIN: bin, GITHUB_REF_NAME: tag },
        });
      const good = await smoke(TAG);
      assertEquals(good.code, 0, good.output);
      assert(
        (await smoke("v9.9.9")).code !== 0,
        "a tag that is not VERSION passes",
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "release.yml publishes every archive and SHA256SUMS, whose sums check",
  ignore: !CAN_RUN_STEPS || !have("sha256sum", "--version"),
  async fn() {
    const release = await readWorkflow("release.yml");
    const publish = job(release, "release");
    assertEquals(mapping(publish["permissions"], "permissions"), {
      contents: "write",
    });
    const all = steps(publish);
    const download = all.findIndex((step) =>
      usesOf(step).startsWith("actions/download-artifact@")
    );
    const sums = all.indexOf(namedStep(publish, "Write SHA256SUMS"));
    const create = all.findIndex((step) =>
      usesOf(step).startsWith("softprops/action-gh-release@")
    );
    assert(download >= 0, "the release job downloads no artifacts");
    assert(download < sums && sums < create, "download, sums, release");
    const downloaded = mapping(all[download]!["with"], "download with");
    assertEquals(downloaded["path"], "dist");
    assertEquals(downloaded["merge-multiple"], true);

    const dir = await Deno.makeTempDir({ prefix: "chat_release_" });
    try {
      await Deno.mkdir(`${dir}/dist`);
      const names = RELEASE_TARGETS.map(archiveName);
      for (const name of names) {
        await Deno.writeTextFile(`${dir}/dist/${name}`, `archive ${name}`);
      }
      const result = await runStep(all[sums]!, { cwd: dir });
      assertEquals(result.code, 0, result.output);
      const listed = (await Deno.readTextFile(`${dir}/dist/SHA256SUMS`))
        .trim().split("\n").map((line) => line.split(/\s+\*?/)[1]);
      assertEquals([...listed].sort(), [...names].sort());
      const check = await new Deno.Command("sha256sum", {
        args: ["--check", "SHA256SUMS"],
        cwd: `${dir}/dist`,
        stdout: "null",
      }).output();
      assert(check.success, "sha256sum --check fails");

      const files = mapping(all[create]!["with"], "gh-release with")["files"];
      assert(typeof files === "string", "the release attaches no files");
      const globs = files.split("\n").map((line) => line.trim())
        .filter((line) => line !== "");
      const attached = [...names, "SHA256SUMS"].filter((name) =>
        globs.some((glob) => globMatches(glob, `dist/${name}`))
      );
      assertEquals(attached.sort(), [...names, "SHA256SUMS"].sort());
      assert(
        !globs.some((glob) =>
          globMatches(glob, "dist/x86_64-unknown-linux-gnu")
        ),
        "the release attaches folders",
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("README gives an install line for each release archive of this version, and the sums' check", async () => {
  const readme = await Deno.readTextFile(new URL("README.md", ROOT));
  const base = `/releases/download/${TAG}/`;
  for (const target of RELEASE_TARGETS) {
    const name = archiveName(target);
    const line = readme.split("\n").find((each) =>
      each.includes(`${base}${name}`)
    );
    assert(line !== undefined, `README does not install ${name}`);
    assert(
      line.includes(
        name.endsWith(".zip")
          ? `Expand-Archive ${name}`
          : `tar -xzf ${name} && sudo mv chat `,
      ),
      `README's line for ${target} does not unpack ${name}: ${line}`,
    );
  }
  for (
    const check of [
      "sha256sum --check",
      "shasum -a 256 --check",
      "Get-FileHash",
    ]
  ) {
    assert(
      readme.split("\n").some((line) =>
        line.includes(`${base}SHA256SUMS`) && line.includes(check)
      ),
      `README does not check the sums with ${check}`,
    );
  }
});
