// The page's memory in a real headless Chromium, against a server that
// stores its history in SQLite (a temporary data folder): a join's replay
// set apart by a divider and dated, across a restart; scrolling back to
// the start of a room, without the view jumping and one request at a
// time, by wheel and by keyboard; searching a room, paging, nothing
// found, failures and the way back; in Portuguese on a phone. Ignored
// when Chromium is not installed.

import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import type { Page } from "playwright-core";
import type { ServerConfig } from "../../src/config.ts";
import { nativeUser } from "../_helpers.ts";
import {
  HAVE_CHROMIUM,
  PageUser,
  startWeb,
  stopWeb,
  until,
  type WebFixture,
  withBrowser,
} from "../_web.ts";

const ignore = !HAVE_CHROMIUM;

/** History in SQLite, and no flood limit, so tests fill rooms quickly. */
const STORED: Partial<ServerConfig> = { memory: false, rateLimit: null };

const DAY_MS = 86_400_000;

/** Runs `fn` with a fresh data folder, and always removes it. */
async function withDataDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "chat-page-history-" });
  try {
    return await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Starts a server on `dataDir`, runs `fn`, and always shuts it down. */
async function withStoredWeb<T>(
  dataDir: string,
  fn: (fixture: WebFixture) => Promise<T>,
  config: Partial<ServerConfig> = {},
): Promise<T> {
  const fixture = await startWeb({ ...STORED, dataDir, ...config });
  try {
    return await fn(fixture);
  } finally {
    await stopWeb(fixture);
  }
}

/**
 * bob says `texts` in a room; returns once someone else received the last
 * one (so every one is stored: lines are committed before delivery).
 */
async function say(port: number, texts: string[]): Promise<void> {
  const bob = await nativeUser(port, "bob");
  const seer = await nativeUser(port, "seer");
  try {
    for (const text of texts) await bob.sendMessage({ type: "input", text });
    await seer.expectMessage("message", (m) => m.text === texts.at(-1));
  } finally {
    await bob.close();
    await seer.close();
  }
}

/** Runs `fn` with `Date.now` (the server's clock) moved by `offset` ms. */
async function shifted<T>(offset: number, fn: () => Promise<T>): Promise<T> {
  const realNow = Date.now;
  Date.now = () => realNow() + offset;
  try {
    return await fn();
  } finally {
    Date.now = realNow;
  }
}

/** The texts of the chat lines in the message list, top to bottom. */
function chatTexts(page: Page): Promise<string[]> {
  return page.locator("#messages > li.entry-chat .text").allTextContents();
}

/** Waits until the message list holds `count` chat lines. */
function chatLines(page: Page, count: number): Promise<true> {
  return until(
    async () => (await chatTexts(page)).length === count,
    `${count} chat lines`,
  );
}

/** What the message list holds, top to bottom, one word per kind of item. */
function listShape(page: Page): Promise<string[]> {
  return page.locator("#messages > li").evaluateAll((items) =>
    items.filter((item) => !item.hasAttribute("hidden")).map((item) =>
      item.classList.contains("divider")
        ? "divider"
        : item.classList.contains("day")
        ? `day ${item.querySelector("time")?.getAttribute("datetime")}`
        : item.classList.contains("scrollback")
        ? "scrollback"
        : item.querySelector(".text")?.textContent ?? ""
    )
  );
}

/** The `history` and `search` requests a tab sends, as parsed frames. */
function requestsOf(page: Page): Record<string, unknown>[] {
  const requests: Record<string, unknown>[] = [];
  page.on("websocket", (ws) =>
    ws.on("framesent", (frame) => {
      const message = JSON.parse(String(frame.payload));
      if (message.type === "history" || message.type === "search") {
        requests.push(message);
      }
    }));
  return requests;
}

/** The id of the element that has the keyboard focus, or its class. */
function focused(page: Page): Promise<string | undefined> {
  return page.evaluate(
    "document.activeElement?.id || document.activeElement?.className",
  );
}

/** Where the top of a chat line is, in the viewport's pixels. */
function topOf(page: Page, text: string): Promise<number> {
  return page.locator("#messages > li.entry-chat", { hasText: text })
    .evaluate((item) => item.getBoundingClientRect().top);
}

/** Scrolls the message list to its very top, as a reader dragging it. */
function scrollToTop(page: Page): Promise<void> {
  return page.locator("#messages").evaluate((list) => {
    list.scrollTop = 0;
  });
}

Deno.test({
  name:
    "after a restart, a page that joins sees the room's earlier lines above an 'earlier messages / since you joined' divider, dated when not from today (older ones loaded above too), and new lines below it",
  ignore,
  fn: () =>
    withDataDir(async (dataDir) => {
      const yesterday = Date.now() - DAY_MS;
      await shifted(-DAY_MS, () =>
        withStoredWeb(
          dataDir,
          ({ server }) =>
            say(server.chat.addr.port, ["older yesterday", "said yesterday"]),
        ));
      await withStoredWeb(dataDir, ({ server, url }) =>
        withBrowser(async (browser) => {
          const port = server.chat.addr.port;
          await say(port, ["said today"]);
          const ana = await PageUser.join(browser, url, "ana", {
            timezoneId: "UTC",
          });
          await ana.page.locator("#messages > li.divider").waitFor();
          const day = (time: number) =>
            new Date(time).toISOString().slice(0, 10);
          const shape = await listShape(ana.page);
          assertEquals(shape.slice(0, 7), [
            "scrollback",
            `day ${day(yesterday)}`,
            "said yesterday",
            `day ${day(Date.now())}`,
            "said today",
            "divider",
            shape[6]!,
          ]);
          assertStringIncludes(shape[6]!, "Welcome, ana!");
          // The divider says what is above and below it, to eyes and ears.
          const divider = ana.page.locator("#messages > li.divider");
          assertEquals(await divider.getAttribute("role"), "separator");
          assertEquals(
            await divider.getAttribute("aria-label"),
            "Earlier messages / Since you joined",
          );
          assertEquals(
            await divider.locator("span").allTextContents(),
            ["↑ Earlier messages", "Since you joined ↓"],
          );
          // Yesterday's line: its date above it, and in its time's title.
          const old = ana.page.locator("#messages > li.entry-chat", {
            hasText: "said yesterday",
          });
          assert((await old.getAttribute("class"))?.includes("history"));
          assert(Number(await old.getAttribute("data-line")) > 0);
          assertEquals(
            await ana.page.locator("#messages > li.day time").first()
              .textContent(),
            new Intl.DateTimeFormat("en", {
              dateStyle: "full",
              timeZone: "UTC",
            }).format(yesterday),
          );
          assertStringIncludes(
            await old.locator("time").getAttribute("title") ?? "",
            new Intl.DateTimeFormat("en", {
              dateStyle: "full",
              timeZone: "UTC",
            }).format(yesterday),
          );
          // A new line goes below the divider, as a live one.
          await say(port, ["said just now"]);
          const now = await ana.entry("said just now", "chat");
          assertEquals(
            (await now.getAttribute("class"))?.includes("history"),
            false,
          );
          const after = await listShape(ana.page);
          assert(after.indexOf("said just now") > after.indexOf("divider"));
          // The line before yesterday's goes under yesterday's date.
          await ana.page.locator("#messages .scrollback button").click();
          await ana.entry("older yesterday", "chat");
          assertEquals((await listShape(ana.page)).slice(0, 6), [
            "scrollback",
            `day ${day(yesterday)}`,
            "older yesterday",
            "said yesterday",
            `day ${day(Date.now())}`,
            "said today",
          ]);
          assertEquals(ana.errors, []);
        }), { historySize: 2 });
    }),
});

Deno.test({
  name:
    "scrolling to the top loads older lines above without moving what is in view, one request at a time, until the start of the room's history",
  ignore,
  fn: () =>
    withDataDir((dataDir) =>
      withStoredWeb(
        dataDir,
        ({ server, url }) =>
          withBrowser(async (browser) => {
            const port = server.chat.addr.port;
            const all = Array.from({ length: 130 }, (_, i) => `line ${i + 1}`);
            await say(port, all);
            const ana = await PageUser.open(browser, url, {
              viewport: { width: 800, height: 500 },
            });
            const requests = requestsOf(ana.page);
            await ana.chooseName("ana");
            await ana.entry("line 130", "chat");
            // The replay: the last 20 lines, and a way to earlier ones.
            assertEquals(await chatTexts(ana.page), all.slice(110));
            const more = ana.page.locator("#messages .scrollback button");
            assertEquals(await more.textContent(), "Show earlier messages");
            const oldestId = await ana.page.locator("#messages > li[data-line]")
              .first().getAttribute("data-line");

            // To the top: line 111 stays where it is while 50 come above it;
            // turning the wheel while they come asks nothing more. (All at
            // once in the page, before any answer can come.)
            const at = await ana.page.locator("#messages").evaluate((list) => {
              list.scrollTop = 0;
              const line = [...list.querySelectorAll("li.entry-chat")].find((
                item,
              ) => item.textContent?.endsWith("line 111"));
              for (let i = 0; i < 3; i++) {
                list.dispatchEvent(
                  Object.assign(new Event("wheel"), { deltaY: -1 }),
                );
              }
              return line?.getBoundingClientRect().top ?? NaN;
            });
            await chatLines(ana.page, 70);
            assert(Math.abs(await topOf(ana.page, "line 111") - at) <= 1);
            assert((await ana.scrollPlace()).top > 0);
            assertEquals(requests, [{
              type: "history",
              room: "#general",
              before: Number(oldestId),
              limit: 50,
            }]);

            // Again with the wheel, then again: the start of the room.
            await scrollToTop(ana.page);
            await ana.wheel(-100);
            await chatLines(ana.page, 120);
            await scrollToTop(ana.page);
            await ana.wheel(-100);
            const start = ana.page.locator("#messages .scrollback-note");
            await start.filter({ hasText: "This is the start of #general." })
              .waitFor();
            assertEquals(await more.isVisible(), false);
            assertEquals(await chatTexts(ana.page), all);
            // Nothing more is asked for: a line sent after the wheel turns
            // arrives, and still three requests went out.
            await scrollToTop(ana.page);
            await ana.wheel(-100);
            const seer = await nativeUser(port, "seer");
            await ana.say("read it all");
            await seer.expectMessage(
              "message",
              (m) => m.text === "read it all",
            );
            await seer.close();
            assertEquals(requests.length, 3);
            assertEquals(
              await ana.page.locator("#messages > li.day").count(),
              0,
            );
            assertEquals(ana.errors, []);
          }),
        { historySize: 20 },
      )
    ),
});

Deno.test({
  name:
    "earlier lines are a keyboard's reach away: the button at the top of the messages loads them, shows them, and keeps the focus",
  ignore,
  fn: () =>
    withDataDir((dataDir) =>
      withStoredWeb(
        dataDir,
        ({ server, url }) =>
          withBrowser(async (browser) => {
            const all = Array.from({ length: 70 }, (_, i) => `step ${i + 1}`);
            await say(server.chat.addr.port, all);
            const ana = await PageUser.join(browser, url, "ana");
            await chatLines(ana.page, 10);
            // Shift+Tab from the message field reaches the button.
            await ana.page.locator("#line-input").focus();
            await ana.page.keyboard.press("Shift+Tab");
            assertEquals(await focused(ana.page), "older");
            await ana.page.keyboard.press("Enter");
            await chatLines(ana.page, 60);
            // What came is shown, from the top, under the button.
            assertEquals((await ana.scrollPlace()).top, 0);
            assertEquals(await chatTexts(ana.page), all.slice(10));
            assertEquals(await focused(ana.page), "older");
            // The room's start reached: the focus stays at the top.
            await ana.page.keyboard.press("Enter");
            await ana.page.locator("#messages .scrollback-note", {
              hasText: "This is the start of #general.",
            }).waitFor();
            assertEquals(await chatTexts(ana.page), all);
            assertEquals(await focused(ana.page), "scrollback");
            assertEquals(ana.errors, []);
          }),
        { historySize: 10 },
      )
    ),
});

Deno.test({
  name:
    "the search box finds a room's lines newest first with their dates, pages back to older ones, says when nothing matches or it fails, and leads back to the chat",
  ignore,
  fn: () =>
    withDataDir(async (dataDir) => {
      const yesterday = Date.now() - DAY_MS;
      await shifted(-DAY_MS, () =>
        withStoredWeb(
          dataDir,
          ({ server }) => say(server.chat.addr.port, ["lunch yesterday"]),
        ));
      const fixture = await startWeb({ ...STORED, dataDir, historySize: 5 });
      let running = true;
      try {
        await withBrowser(async (browser) => {
          const lines = [];
          for (let i = 1; i <= 44; i++) {
            lines.push(`Lunch plan ${i}`, `pizza ${i}`);
          }
          await say(fixture.server.chat.addr.port, lines);
          const ana = await PageUser.open(browser, fixture.url, {
            timezoneId: "UTC",
          });
          const requests = requestsOf(ana.page);
          await ana.chooseName("ana");
          await ana.entry("pizza 44", "chat");
          const input = ana.page.locator("#search-input");
          assertEquals(
            await ana.page.locator("#search-label").textContent(),
            "Search the messages of this room",
          );
          assertEquals(
            await ana.page.locator("#search-form").getAttribute("role"),
            "search",
          );
          await input.fill("lunch");
          await input.press("Enter");
          const status = ana.page.locator("#search-status");
          await status.filter({
            hasText: "20 found so far, newest first; older ones below.",
          }).waitFor();
          const view = ana.page.locator("#search-view");
          assert(await view.isVisible());
          assertEquals(await ana.page.locator("#messages").isVisible(), false);
          assertEquals(
            await ana.page.locator("#search-heading").textContent(),
            "“lunch” in #general",
          );
          const results = ana.page.locator("#search-results > li .text");
          const texts = await results.allTextContents();
          assertEquals(
            texts,
            Array.from({ length: 20 }, (_, i) => `Lunch plan ${44 - i}`),
          );
          // The words found are marked.
          assertEquals(
            await ana.page.locator("#search-results > li").first()
              .locator("mark").allTextContents(),
            ["Lunch"],
          );
          // Older results, then the last page: yesterday's, dated.
          const more = ana.page.locator("#search-more");
          assertEquals(await more.textContent(), "Older results");
          await more.click();
          await status.filter({ hasText: "40 found so far" }).waitFor();
          // The focus is on the first of the results that came.
          assertEquals(
            await ana.page.evaluate(
              "document.activeElement?.querySelector('.text')?.textContent",
            ),
            "Lunch plan 24",
          );
          await more.click();
          await status.filter({ hasText: "45 found, newest first." })
            .waitFor();
          assertEquals(await more.isVisible(), false);
          const items = ana.page.locator("#search-results > li");
          const last = items.last();
          assertEquals(
            await last.locator(".text").textContent(),
            "lunch yesterday",
          );
          // Dated when not from today; today's lines by the clock alone.
          const date = new Intl.DateTimeFormat("en", {
            dateStyle: "medium",
            timeZone: "UTC",
          }).format(yesterday);
          const dated = await last.locator("time").textContent() ?? "";
          assert(dated.startsWith(`${date} `), dated);
          assert(/ \d\d:\d\d$/.test(dated), dated);
          const firstTime = await items.first().locator("time").textContent();
          assert(/^\d\d:\d\d$/.test(firstTime ?? ""), `today: ${firstTime}`);
          // Each page asks for those before the last result shown.
          const ids = await items.evaluateAll((all) =>
            all.map((item) => Number(item.getAttribute("data-line")))
          );
          assertEquals(requests, [
            { type: "search", room: "#general", words: "lunch" },
            {
              type: "search",
              room: "#general",
              words: "lunch",
              before: ids[19],
            },
            {
              type: "search",
              room: "#general",
              words: "lunch",
              before: ids[39],
            },
          ]);

          // Back to the chat, where it was, the focus in the message box.
          await ana.page.locator("#search-back").click();
          await ana.page.locator("#messages").waitFor({ state: "visible" });
          assertEquals(await view.isVisible(), false);
          assertEquals(await focused(ana.page), "line-input");
          assertEquals((await ana.scrollPlace()).below, 0);

          // Nothing found, said so; Escape goes back too.
          await input.fill("zebra");
          await input.press("Enter");
          await status.filter({
            hasText: "Nothing in #general matches “zebra”.",
          })
            .waitFor();
          assertEquals(
            await ana.page.locator("#search-results > li").count(),
            0,
          );
          assertEquals(await more.isVisible(), false);
          await ana.page.keyboard.press("Escape");
          await view.waitFor({ state: "hidden" });

          // Without the server, the search fails and says why.
          running = false;
          await stopWeb(fixture);
          await ana.page.locator("#status[data-kind=lost]").waitFor();
          await input.fill("lunch");
          await input.press("Enter");
          await status.filter({ hasText: "The search failed: not connected" })
            .waitFor();
          assertEquals(await status.getAttribute("data-kind"), "error");
          assertEquals(ana.errors, []);
        });
      } finally {
        if (running) await stopWeb(fixture);
      }
    }),
});

Deno.test({
  name:
    "on a phone, in Portuguese: the divider, scrolling back and the search fit the narrow layout, and the room drawer still works over them",
  ignore,
  fn: () =>
    withDataDir((dataDir) =>
      withStoredWeb(
        dataDir,
        ({ server, url }) =>
          withBrowser(async (browser) => {
            const port = server.chat.addr.port;
            const lines = Array.from(
              { length: 12 },
              (_, i) => `almoço às ${i + 1}`,
            );
            await say(port, lines);
            const ana = await PageUser.join(browser, url, "ana", {
              locale: "pt-BR",
              viewport: { width: 360, height: 640 },
            });
            await chatLines(ana.page, 5);
            const divider = ana.page.locator("#messages > li.divider");
            assertEquals(await divider.locator("span").allTextContents(), [
              "↑ Mensagens anteriores",
              "Desde que você entrou ↓",
            ]);
            // Everything within the screen's width.
            for (
              const id of ["#search-input", "#search-button", "#rooms-toggle"]
            ) {
              const box = await ana.page.locator(id).boundingBox();
              assert(
                box !== null && box.x >= 0 && box.x + box.width <= 360,
                id,
              );
            }
            const older = ana.page.locator("#messages .scrollback button");
            assertEquals(
              await older.textContent(),
              "Mostrar mensagens anteriores",
            );
            await older.click();
            await chatLines(ana.page, 12);
            await ana.page.locator("#messages .scrollback-note", {
              hasText: "Este é o começo de #general.",
            }).waitFor();
            // Another room to go to; then back to search this one.
            await ana.say("/join #outra");
            await ana.entry("#outra", "notice");
            await ana.page.locator("#rooms-toggle").click();
            await ana.page.locator('#rooms [data-room="#general"]').click();
            await ana.page.locator("#topic", { hasText: "#general" }).waitFor();

            await ana.page.locator("#search-input").fill("almoço");
            await ana.page.locator("#search-button").click();
            const status = ana.page.locator("#search-status");
            await status.filter({
              hasText: "12 encontrada(s), das mais novas às mais antigas.",
            }).waitFor();
            const results = ana.page.locator("#search-results > li");
            assertEquals(await results.count(), 12);
            const back = ana.page.locator("#search-back");
            assertEquals(await back.textContent(), "Voltar ao chat");
            const box = await back.boundingBox();
            assert(box !== null && box.x + box.width <= 360);
            // The drawer opens over the results; another room shows its lines.
            await ana.page.locator("#rooms-toggle").click();
            await ana.page.locator('#rooms [data-room="#outra"]').click();
            await ana.page.locator("#search-view").waitFor({ state: "hidden" });
            await ana.page.locator("#messages").waitFor({ state: "visible" });
            assertEquals(ana.errors, []);
          }),
        { historySize: 5 },
      )
    ),
});

Deno.test({
  name:
    "/history and /search typed in the page's box show older lines above and the results, as scrolling and the search box do",
  ignore,
  fn: () =>
    withDataDir((dataDir) =>
      withStoredWeb(
        dataDir,
        ({ server, url }) =>
          withBrowser(async (browser) => {
            const all = Array.from({ length: 15 }, (_, i) => `tea ${i + 1}`);
            await say(server.chat.addr.port, all);
            const ana = await PageUser.join(browser, url, "ana");
            await chatLines(ana.page, 5);
            await ana.say("/history 4");
            await chatLines(ana.page, 9);
            await ana.say("/history");
            await chatLines(ana.page, 15);
            assertEquals(await chatTexts(ana.page), all);
            await ana.page.locator("#messages .scrollback-note", {
              hasText: "This is the start of #general.",
            }).waitFor();
            await ana.say("/search tea");
            await ana.page.locator("#search-status", {
              hasText: "15 found, newest first.",
            }).waitFor();
            assertEquals(
              await ana.page.locator("#search-heading").textContent(),
              "“tea” in #general",
            );
            await ana.page.locator("#search-back").click();
            assertEquals(await focused(ana.page), "line-input");
            assertEquals(ana.errors, []);
          }),
        { historySize: 5 },
      )
    ),
});
