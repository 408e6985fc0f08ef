/**
 * The layers of `src/` and the direction of their imports: every import
 * points down, and the pure layers never touch `Deno.*`. A new import that
 * points the wrong way fails here, naming the file and the import.
 *
 * @module
 */

import { assertEquals } from "@std/assert";

const SRC = new URL("../src/", import.meta.url);

/** What each layer may import (besides itself); the rest is refused. */
const MAY_IMPORT: Readonly<Record<string, readonly string[]>> = {
  // The pure core: message types, codecs, rules, texts, defaults.
  "config.ts": [],
  "build_info.ts": [],
  "i18n": ["protocol", "config.ts"],
  "protocol": ["i18n", "config.ts"],
  // Chat semantics and what they keep, with no sockets.
  "store": ["protocol", "i18n", "config.ts"],
  // The bus carries the store's records (claims, rooms) between nodes.
  "bus": ["protocol", "i18n", "config.ts", "store"],
  "hub": ["protocol", "i18n", "config.ts", "store", "bus"],
  // Bytes and lines, knowing nothing of chat.
  "transport": ["config.ts"],
  "discovery": ["transport", "config.ts"],
  "web": ["protocol", "i18n", "config.ts"],
  // The two programs, and the command line that picks one.
  "server": [
    "protocol",
    "i18n",
    "config.ts",
    "store",
    "bus",
    "hub",
    "transport",
    "discovery",
    "web",
  ],
  "client": ["protocol", "i18n", "config.ts", "transport", "discovery"],
  "cli.ts": ["protocol", "i18n", "config.ts", "transport"],
  // `deno task compile`, never imported by the program.
  "tools": ["cli.ts", "config.ts", "build_info.ts"],
};

/** Layers whose code must not use `Deno.*`: they run anywhere, even in tests without permissions. */
const PURE = new Set(["config.ts", "build_info.ts", "i18n", "protocol", "hub"]);

/** The layer of a path relative to `src/`: its first folder, or the file. */
function layerOf(path: string): string {
  return path.split("/")[0]!;
}

async function* walk(dir: URL, prefix = ""): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = prefix + entry.name;
    if (entry.isDirectory) {
      yield* walk(new URL(entry.name + "/", dir), path + "/");
    } else if (/\.(ts|js)$/.test(entry.name) && !entry.name.endsWith(".d.ts")) {
      yield path;
    }
  }
}

/** Relative specifiers a module imports or re-exports (static and dynamic), outside comments. */
export function importsOf(source: string): string[] {
  const code = _stripComments(source);
  const found: string[] = [];
  const pattern =
    /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)(["'])(\.\.?\/[^"']+)\1/gm;
  for (const match of code.matchAll(pattern)) found.push(match[2]!);
  return found;
}

function _stripComments(source: string): string {
  // Block comments (JSDoc examples import freely) and line comments; strings
  // holding "//" (URLs) are rare in import lines and harmless here.
  return source.replace(/\/\*[\s\S]*?\*\//g, "").replace(
    /(^|[^:"'`])\/\/.*$/gm,
    "$1",
  );
}

interface Violation {
  file: string;
  imports: string;
}

async function violations(): Promise<Violation[]> {
  const found: Violation[] = [];
  for await (const file of walk(SRC)) {
    const layer = layerOf(file);
    const allowed = MAY_IMPORT[layer];
    const source = await Deno.readTextFile(new URL(file, SRC));
    if (allowed === undefined) {
      found.push({ file, imports: "(a file in no known layer)" });
      continue;
    }
    for (const specifier of importsOf(source)) {
      const target = new URL(specifier, new URL(file, SRC)).href;
      if (!target.startsWith(SRC.href)) {
        found.push({ file, imports: specifier });
        continue;
      }
      const targetLayer = layerOf(target.slice(SRC.href.length));
      if (targetLayer !== layer && !allowed.includes(targetLayer)) {
        found.push({ file, imports: specifier });
      }
    }
    if (PURE.has(layer) && /\bDeno\./.test(_stripComments(source))) {
      found.push({ file, imports: "Deno.*" });
    }
  }
  return found.sort((a, b) => a.file.localeCompare(b.file));
}

Deno.test("every import in src/ points down its layers, and the pure layers never use Deno.*", async () => {
  assertEquals(await violations(), []);
});

Deno.test("importsOf() finds static, dynamic and re-exported imports but not those in comments", () => {
  const source = [
    'import { a } from "./a.ts";',
    'import type { B } from "../b/b.ts";',
    'export { c } from "./c.ts";',
    'import "./side_effect.ts";',
    'const d = await import("./d.ts");',
    '/** @example import { e } from "./e.ts"; */',
    '// import { f } from "./f.ts";',
    'import { g } from "@std/assert";',
  ].join("\n");
  assertEquals(importsOf(source), [
    "./a.ts",
    "../b/b.ts",
    "./c.ts",
    "./side_effect.ts",
    "./d.ts",
  ]);
});

Deno.test("the layer rules refuse an import that points up", () => {
  // The rules themselves: the pure core cannot reach the edges.
  for (const pure of ["protocol", "hub", "i18n"]) {
    for (const edge of ["transport", "server", "client"]) {
      assertEquals(
        MAY_IMPORT[pure]!.includes(edge),
        false,
        `${pure} → ${edge}`,
      );
    }
  }
  assertEquals(MAY_IMPORT["transport"]!.includes("protocol"), false);
  assertEquals(MAY_IMPORT["hub"]!.includes("server"), false);
});
