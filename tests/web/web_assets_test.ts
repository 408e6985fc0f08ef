// Checks src/web/web_assets.ts: the browser client's files are inside the
// program, the page carries every string it needs in both languages, the
// server's line limit and the command names (safely escaped), and the
// browser script type-checks against the DOM and the protocol types.

import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import type { LeaveReason } from "../../src/protocol/messages.ts";
import { STRINGS } from "../../src/i18n/server_strings.ts";
import { WEB_STRINGS } from "../../src/i18n/page_strings.ts";
import { COMMAND_NAMES } from "../../src/protocol/commands.ts";
import { DEFAULT_MAX_LINE_BYTES } from "../../src/transport/line_splitter.ts";
import {
  type PageData,
  pageData,
  pageText,
  WEB_ASSETS,
  webAssets,
} from "../../src/web/web_assets.ts";

const ROOT = new URL("../../", import.meta.url);

function pageDataOf(html: string): PageData {
  const match =
    /<script type="application\/json" id="page-data">([\s\S]*?)<\/script>/
      .exec(html);
  assert(match, "the page holds its data");
  return JSON.parse(match[1]!);
}

Deno.test("WEB_ASSETS holds the page, its script modules and its style sheet, as written", async () => {
  assertEquals([...WEB_ASSETS.keys()].sort(), [
    "/",
    "/app.js",
    "/page_history.js",
    "/style.css",
    "/web_client_state.js",
  ]);
  for (
    const [path, file] of [
      ["/app.js", "src/web/app.js"],
      ["/web_client_state.js", "src/web/web_client_state.js"],
      ["/page_history.js", "src/web/page_history.js"],
      ["/style.css", "src/web/style.css"],
    ]
  ) {
    assertEquals(
      WEB_ASSETS.get(path!)?.body,
      await Deno.readTextFile(new URL(file!, ROOT)),
      path,
    );
  }
});

Deno.test("the page carries its strings in English and Portuguese, and nothing can close its data block", () => {
  const html = WEB_ASSETS.get("/")!.body;
  assert(!html.includes("{{PAGE_DATA}}"));
  const text = pageDataOf(html).text;
  assertEquals(text.en, pageText("en"));
  assertEquals(text.pt, pageText("pt"));
  assertEquals(text.pt.web, WEB_STRINGS.pt);
  // The one data block ends where it should, whatever the strings hold.
  assertEquals(html.match(/<\/script>/g)?.length, 2);
  assert(
    !/[<>&]/.test(html.slice(
      html.indexOf('id="page-data">') + 15,
      html.indexOf("</script>", html.indexOf('id="page-data">')),
    )),
  );
});

Deno.test("the page is told the server's line limit and the command names", () => {
  const data = pageDataOf(WEB_ASSETS.get("/")!.body);
  assertEquals(data.maxLineBytes, DEFAULT_MAX_LINE_BYTES);
  assertEquals(data.commands, [...COMMAND_NAMES]);
  assertEquals(data, JSON.parse(JSON.stringify(pageData())));
  const strict = pageDataOf(webAssets({ maxLineBytes: 300 }).get("/")!.body);
  assertEquals(strict.maxLineBytes, 300);
  assertEquals(
    webAssets({ maxLineBytes: 300 }).get("/app.js"),
    WEB_ASSETS.get("/app.js"),
  );
});

Deno.test("pageText() words notices as the terminal client does, for every leave reason", () => {
  const reasons: LeaveReason[] = [
    "quit",
    "closed",
    "error",
    "shutdown",
    "timeout",
    "flood",
    "slow",
    "protocol",
    "full",
    "limit",
    "password",
  ];
  for (const lang of ["en", "pt"] as const) {
    const text = pageText(lang);
    assertEquals(Object.keys(text.left).sort(), [...reasons].sort());
    for (const reason of reasons) {
      assertEquals(
        text.left[reason].replace("{name}", "ana"),
        STRINGS[lang].left("ana", reason),
      );
      assertEquals(
        text.leftDetail[reason].replace("{name}", "ana").replace(
          "{detail}",
          "x",
        ),
        STRINGS[lang].left("ana", reason, "x"),
      );
    }
    assertEquals(
      text.joined.replace("{name}", "bob"),
      STRINGS[lang].joined("bob"),
    );
  }
  assertStringIncludes(pageText("pt").web.joinButton, "Entrar");
});

Deno.test("every browser string has both languages and the placeholders its English has", () => {
  for (
    const key of Object.keys(WEB_STRINGS.en) as (keyof typeof WEB_STRINGS.en)[]
  ) {
    const en = WEB_STRINGS.en[key];
    const pt = WEB_STRINGS.pt[key];
    assert(pt.length > 0, key);
    const holes = (s: string) =>
      [...s.matchAll(/\{\w+\}/g)].map((m) => m[0]).sort();
    assertEquals(holes(pt), holes(en), key);
  }
});

Deno.test("the browser script type-checks with the DOM's types and the protocol's", async () => {
  // Checked apart from the rest of the program (whose Deno types clash
  // with the DOM's); the same command as `deno task check:web`.
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "check",
      "--no-lock",
      "--config",
      "src/web/browser_check.json",
      "src/web/app.js",
    ],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const errors = new TextDecoder().decode(output.stderr);
  assertEquals(output.code, 0, errors);
});
