/**
 * README.md's "Layout" section names every file of `src/` and every folder
 * of `tests/`, and nothing that is not there.
 *
 * @module
 */

import { assertEquals } from "@std/assert";

const ROOT = new URL("../", import.meta.url);

/**
 * The paths a README layout section names: each table row's first cell is a
 * path (`src/hub/`, `main.ts`); a folder row's second cell lists the files
 * in it, each in backticks.
 */
export function layoutPaths(readme: string): string[] {
  const start = readme.indexOf("\n## Layout\n");
  if (start < 0) throw new SyntaxError("Cannot read the layout: no section");
  const end = readme.indexOf("\n## ", start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  const paths: string[] = [];
  for (const line of section.split("\n")) {
    const cells = line.split("|").slice(1, -1).map((cell) => cell.trim());
    const first = /^`([^`]+)`$/.exec(cells[0] ?? "")?.[1];
    if (first === undefined) continue;
    if (!first.endsWith("/")) {
      paths.push(first);
      continue;
    }
    const files = [...(cells[1] ?? "").matchAll(/`([^`]+)`/g)].map((m) =>
      m[1]!
    );
    if (files.length === 0) paths.push(first);
    for (const file of files) paths.push(first + file);
  }
  return paths.sort();
}

async function filesUnder(dir: string): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of Deno.readDir(new URL(dir, ROOT))) {
    const path = dir + entry.name;
    if (entry.isDirectory) found.push(...await filesUnder(path + "/"));
    else found.push(path);
  }
  return found;
}

async function testFolders(): Promise<string[]> {
  const found = ["tests/"];
  for await (const entry of Deno.readDir(new URL("tests/", ROOT))) {
    if (entry.isDirectory && entry.name !== "artifacts") {
      found.push(`tests/${entry.name}/`);
    }
  }
  return found;
}

Deno.test("README's layout names every file of src/ and every folder of tests/, and nothing else", async () => {
  const readme = await Deno.readTextFile(new URL("README.md", ROOT));
  const named = layoutPaths(readme);
  const actual = [
    "main.ts",
    ...await filesUnder("src/"),
    ...await testFolders(),
  ].sort();
  assertEquals(named, actual);
});

Deno.test("layoutPaths() reads file rows and folder rows", () => {
  const readme = [
    "# x",
    "## Layout",
    "| path | files | what |",
    "| --- | --- | --- |",
    "| `main.ts` | | entry |",
    "| `src/hub/` | `hub.ts`, `room.ts` | chat |",
    "| `tests/e2e/` | | suites |",
    "## Next",
    "| `ignored.ts` | | |",
  ].join("\n");
  assertEquals(layoutPaths(readme), [
    "main.ts",
    "src/hub/hub.ts",
    "src/hub/room.ts",
    "tests/e2e/",
  ]);
});

Deno.test("no file the repository tracks holds a merge-conflict marker", async () => {
  const listed = await new Deno.Command("git", {
    args: ["ls-files", "-z"],
    cwd: ROOT,
    stdout: "piped",
  }).output();
  const files = new TextDecoder().decode(listed.stdout).split("\0").filter(
    (file) => /\.(ts|js|md|json|yml|css|html)$/.test(file),
  );
  const marked: string[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await Deno.readTextFile(new URL(file, ROOT));
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) continue; // deleted, unstaged
      throw error;
    }
    if (/^(<{7} |>{7} |={7}$)/m.test(text)) marked.push(file);
  }
  assertEquals(marked, []);
});
