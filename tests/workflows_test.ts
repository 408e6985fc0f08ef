// Checks the GitHub Actions workflows against what the project promises: CI
// runs the checks of `deno task check` and the tests on Linux, macOS and
// Windows, and a `v*` tag builds the release binaries with the permissions of
// the `compile` task in deno.json, with their SHA-256 sums.

import { assert, assertEquals } from "@std/assert";
import { parse } from "@std/yaml/parse";

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

function compileSteps(compile: YamlMapping): YamlMapping[] {
  return steps(compile).filter((step) => runOf(step).includes("deno compile"));
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

Deno.test("ci.yml leaves NO_COLOR unset, so that the colour tests run", async () => {
  // render_test.ts ignores its colour tests under NO_COLOR (@std/fmt/colors
  // cannot be turned on then); the subprocess tests set NO_COLOR themselves.
  const ci = await readWorkflow("ci.yml");
  const envs: [string, unknown][] = [["the workflow", ci["env"]]];
  for (const [name, each] of jobs(ci)) {
    envs.push([`job ${name}`, each["env"]]);
    for (const [i, step] of steps(each).entries()) {
      envs.push([`job ${name} step ${i + 1}`, step["env"]]);
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
  "release.yml compiles each target with deno compile --target into chat-<target>",
  async () => {
    const release = await readWorkflow("release.yml");
    const compile = job(release, "compile");
    const found = compileSteps(compile);
    assert(found.length > 0, "release.yml has no deno compile step");
    for (const step of found) {
      const command = commandsOf(step).join(" ");
      assert(
        command.includes("deno compile --target ${{ matrix.target }}"),
        `not compiled with --target: ${command}`,
      );
      const outputs = targetValues(compile).map((values) => {
        const output = /--output (\S+)/.exec(expandMatrix(command, values));
        return output?.[1]?.split("/").pop();
      });
      assertEquals(
        outputs,
        targetValues(compile).map(({ target }) =>
          `chat-${target}${String(target).includes("windows") ? ".exe" : ""}`
        ),
      );
    }
  },
);

Deno.test(
  "release.yml compiles with the permission flags of the compile task in deno.json",
  async () => {
    const config = mapping(
      JSON.parse(
        await Deno.readTextFile(new URL("../deno.json", import.meta.url)),
      ),
      "deno.json",
    );
    const task = mapping(config["tasks"], "tasks")["compile"];
    assert(typeof task === "string", "deno.json has no compile task");
    const wanted = permissionFlags(task);
    assert(wanted.length > 0, `the compile task grants nothing: ${task}`);

    const release = await readWorkflow("release.yml");
    for (const step of compileSteps(job(release, "compile"))) {
      assertEquals(permissionFlags(runOf(step)), wanted);
    }
  },
);

Deno.test(
  "release.yml uploads each binary and publishes them with SHA256SUMS",
  async () => {
    const release = await readWorkflow("release.yml");
    const compile = job(release, "compile");
    assert(
      steps(compile).some((step) =>
        usesOf(step).startsWith("actions/upload-artifact@")
      ),
      "the compile job uploads nothing",
    );

    const publish = [...jobs(release).values()].find((each) =>
      steps(each).some((step) =>
        usesOf(step).startsWith("softprops/action-gh-release@")
      )
    );
    assert(publish !== undefined, "release.yml creates no GitHub release");
    assertEquals(publish["needs"], "compile");
    assertEquals(mapping(publish["permissions"], "permissions"), {
      contents: "write",
    });

    const all = steps(publish);
    const download = all.findIndex((step) =>
      usesOf(step).startsWith("actions/download-artifact@")
    );
    const sums = all.findIndex((step) =>
      /sha256sum .*> *SHA256SUMS/.test(runOf(step))
    );
    const create = all.findIndex((step) =>
      usesOf(step).startsWith("softprops/action-gh-release@")
    );
    assert(download >= 0, "the release job downloads no artifacts");
    assert(sums > download, "SHA256SUMS is not written after the download");
    assert(create > sums, "the release is created before SHA256SUMS");

    const files = mapping(all[create]?.["with"], "gh-release with")["files"];
    assert(typeof files === "string", "the release attaches no files");
    assert(files.includes("SHA256SUMS"), `SHA256SUMS not attached: ${files}`);
    assert(files.includes("chat-"), `binaries not attached: ${files}`);
  },
);
