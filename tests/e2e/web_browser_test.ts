// The browser client in a real headless Chromium (Debian's `chromium`,
// driven by playwright-core): people in browser tabs and in `chat join`
// talk in one room; names, commands, mentions, hostile text, reconnection,
// language and small screens, as a person would see them. Ignored when
// Chromium is not installed.
//
// Sanitizers stay on: playwright-core's pipes to Chromium are opened and
// closed within each test (withBrowser closes the browser).

import { formatFingerprint } from "../../src/transport/fingerprint.ts";
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import type { BrowserContextOptions, Locator, Page } from "playwright-core";
import { COMMANDS } from "../../src/protocol/commands.ts";
import { frameBytes } from "../../src/web/web_client_state.js";
import { ChatProcess, DEADLINE_MS, delay, nativeUser } from "../_helpers.ts";
import {
  HAVE_CHROMIUM,
  PageUser,
  startWeb,
  stopWeb,
  until,
  withBrowser,
  withWeb,
  WsClient,
} from "../_web.ts";

const ignore = !HAVE_CHROMIUM;

/** Where each run saves its screenshot: shown in the README, and a copy. */
const SCREENSHOTS = [
  new URL("../../docs/screenshot.png", import.meta.url),
  new URL("../artifacts/screenshot.png", import.meta.url),
];

/** The same conversation on a phone: shown in the README, and a copy. */
const PHONE_SCREENSHOTS = [
  new URL("../../docs/screenshot-phone.png", import.meta.url),
  new URL("../artifacts/screenshot-phone.png", import.meta.url),
];

/**
 * Runs `fn` with `Date.now` moved to `base` (and ticking on from there), so
 * that message times, and so the screenshot, are the same on every run.
 * Only the origin moves: every deadline still sees real time pass.
 */
async function atClock<T>(base: number, fn: () => Promise<T>): Promise<T> {
  const realNow = Date.now;
  const offset = base - realNow();
  Date.now = () => realNow() + offset;
  try {
    return await fn();
  } finally {
    Date.now = realNow;
  }
}

/** The id of the element that has the keyboard focus. */
function focused(page: Page): Promise<string | undefined> {
  return page.evaluate("document.activeElement?.id");
}

/**
 * Waits for the tab's title. (Polled from here: the page's CSP forbids the
 * `eval` that `waitForFunction` would use with a string.)
 */
async function titleIs(page: Page, title: string): Promise<void> {
  const end = Date.now() + DEADLINE_MS;
  let shown = "";
  while ((shown = await page.title()) !== title) {
    if (Date.now() > end) {
      throw new Error(`Timed out waiting for the title "${title}": "${shown}"`);
    }
    await delay(20);
  }
}

/** Whether an element has a class. */
async function hasClass(element: Locator, name: string): Promise<boolean> {
  const classes = await element.getAttribute("class") ?? "";
  return classes.split(" ").includes(name);
}

/**
 * Makes the page believe its tab is hidden (or shown again): headless
 * Chromium keeps every tab visible, so the page's view is overridden.
 */
async function setHidden(page: Page, hidden: boolean): Promise<void> {
  await page.evaluate(`
    Object.defineProperty(document, "hidden", { value: ${hidden}, configurable: true });
    Object.defineProperty(document, "visibilityState", {
      value: ${hidden} ? "hidden" : "visible",
      configurable: true,
    });
    document.dispatchEvent(new Event("visibilitychange"));
  `);
}

// 2026-11-21 12:04:00 UTC, the README's session.
const SCREENSHOT_TIME = Date.UTC(2026, 10, 21, 12, 4, 0);

Deno.test({
  name:
    "two browser users and a chat join user exchange public and private messages; the member list follows joins and leaves",
  ignore,
  fn: () =>
    atClock(
      SCREENSHOT_TIME,
      () =>
        withWeb(({ server, url }) =>
          withBrowser(async (browser) => {
            const look = {
              timezoneId: "UTC",
              viewport: { width: 960, height: 600 },
            };
            const ana = await PageUser.open(browser, url, look);
            // The page's own clock too, for the times of ana's own lines.
            await ana.page.clock.setFixedTime(SCREENSHOT_TIME + 30_000);
            await ana.chooseName("ana");
            await ana.expectMembers(["ana (you)"]);
            const bob = await PageUser.join(browser, url, "bob", look);
            await ana.entry("bob joined the chat!", "notice");
            await ana.expectMembers(["ana (you)", "bob"]);
            await bob.expectMembers(["ana", "bob (you)"]);

            const carla = new ChatProcess(
              ["join", `127.0.0.1:${server.chat.addr.port}`, "--name", "carla"],
              { stdin: true },
            );
            try {
              await ana.expectMembers(["ana (you)", "bob", "carla"]);
              await bob.entry("carla joined the chat!", "notice");

              await bob.say("hi all! the build is green");
              const seen = await ana.entry("the build is green", "chat");
              assertEquals(
                await seen.locator(".name").textContent(),
                "bob",
              );
              await carla.waitFor("bob: hi all! the build is green");
              // Your own lines are shown as you send them, marked as yours.
              assert(
                await hasClass(await bob.entry("the build is green"), "own"),
              );

              await carla.writeLine("nice, deploying after lunch");
              await ana.entry("carla: nice, deploying after lunch", "chat");
              await bob.entry("carla: nice, deploying after lunch", "chat");

              await ana.say("great work, bob");
              await carla.waitFor("ana: great work, bob");
              const mentioned = await bob.entry("great work, bob", "chat");
              assert(
                await hasClass(mentioned, "mention"),
                "bob's name is highlighted",
              );

              await bob.say("/me waves");
              await ana.entry("* bob waves", "chat");

              // A private message from the terminal, answered from the page.
              await carla.writeLine("/msg ana can you review #42?");
              const from = await ana.entry("can you review #42?", "private");
              assertStringIncludes(
                await from.textContent() ?? "",
                "(private) carla",
              );
              await ana.say("/msg carla sure, after lunch");
              await ana.entry(
                "(private to carla): sure, after lunch",
                "private",
              );
              await carla.waitFor("(private) ana: sure, after lunch");

              // Clicking a name in the list starts a private message to them.
              await bob.page.locator("#members button", { hasText: "ana" })
                .click();
              assertEquals(
                await bob.page.inputValue("#line-input"),
                "/msg ana ",
              );
              await bob.page.keyboard.type("lunch at 1?");
              await bob.page.keyboard.press("Enter");
              await ana.entry("(private) bob: lunch at 1?", "private");
              await bob.entry("(private to ana): lunch at 1?", "private");

              await bob.say("ana, carla: pizza or sushi?");
              await ana.entry("pizza or sushi?", "chat");
              await carla.waitFor("bob: ana, carla: pizza or sushi?");
              // Nobody saw the private lines who should not have.
              assert(!carla.stdout.some((l) => l.includes("lunch at 1?")));
              assertEquals(
                await bob.page.locator("#messages", { hasText: "review #42" })
                  .count(),
                0,
              );

              // Rooms, for the screenshot: a topic here, and #deploys (made
              // from the join field) where news waits, mentioning ana.
              await bob.say("/topic Release day: v2.4 ships at 3pm");
              await ana.page.locator("#topic", { hasText: "v2.4 ships" })
                .waitFor();
              await ana.page.locator("#room-input").fill("#deploys");
              await ana.page.locator("#room-input").press("Enter");
              await ana.entry("You are now in #deploys", "notice");
              await ana.page.locator('#rooms [data-room="#general"]').click();
              await ana.page.locator("#topic", { hasText: "v2.4 ships" })
                .waitFor();
              await carla.writeLine("/join #deploys");
              await carla.writeLine("ana: staging is green, rolling out");
              await ana.page.locator('#rooms [data-room="#deploys"] .badge', {
                hasText: "1 @1",
              }).waitFor();
              await ana.page.locator("#line-input").fill("sushi!");
              const shot = await ana.page.screenshot({
                animations: "disabled",
                caret: "hide",
              });
              await Deno.mkdir(new URL("../artifacts/", import.meta.url), {
                recursive: true,
              });
              for (const path of SCREENSHOTS) await Deno.writeFile(path, shot);
              // The same tab on a phone-sized screen (and /help, which reads
              // as a list there).
              await ana.page.setViewportSize({ width: 390, height: 760 });
              await ana.say("/help");
              await ana.entry("Commands:", "info");
              await ana.page.locator("#line-input").fill("sushi!");
              // The room drawer closed: its button in the bar counts what
              // waits in #deploys; the topic says where you are.
              await ana.page.locator("#rooms-toggle-badge", { hasText: "1" })
                .waitFor();
              const phone = await ana.page.screenshot({
                animations: "disabled",
                caret: "hide",
              });
              for (const path of PHONE_SCREENSHOTS) {
                await Deno.writeFile(path, phone);
              }
              await ana.page.setViewportSize(look.viewport);

              await carla.closeStdin();
              assertEquals(await carla.status(), 0);
              await ana.entry("carla left the chat! (quit)", "notice");
              await ana.expectMembers(["ana (you)", "bob"]);
            } finally {
              await carla.stop();
            }
            await bob.close();
            await ana.entry("bob left the chat! (connection closed)", "notice");
            await ana.expectMembers(["ana (you)"]);
            assertEquals([...ana.errors, ...bob.errors], []);
          })
        ),
    ),
});

Deno.test({
  name:
    "a refused name shows its reason next to the name field, and another name joins",
  ignore,
  fn: () =>
    withWeb(({ web, url }) =>
      withBrowser(async (browser) => {
        const holder = await WsClient.join(web.addr.port, "ana");
        const user = await PageUser.open(browser, url);
        const error = user.page.locator("#name-error");
        const input = user.page.locator("#name-input");
        const cases: [string, RegExp][] = [
          ["ANA", /^The name "ANA" is taken$/],
          ["a b", /^The name "a b" is not allowed/],
          ["server", /^The name "server" is reserved$/],
          ["x".repeat(30), /is too long: at most 24 characters$/],
        ];
        for (const [name, reason] of cases) {
          await user.chooseName(name);
          await error.filter({ hasText: reason }).waitFor();
          assertEquals(await input.getAttribute("aria-invalid"), "true");
          assertEquals(await user.page.locator("#chat-view").isHidden(), true);
        }
        assertEquals(await focused(user.page), "name-input");
        await user.chooseName("ana2");
        await user.page.locator("#chat-view").waitFor({ state: "visible" });
        assertEquals(await error.textContent(), "");
        assertEquals(await input.getAttribute("aria-invalid"), null);
        await user.expectMembers(["ana", "ana2 (you)"]);
        assertEquals(user.errors, []);
        await holder.close();
      })
    ),
});

Deno.test({
  name:
    "HTML, script tags and escape sequences in a message show as inert text",
  ignore,
  fn: () =>
    withWeb(({ server, url }) =>
      withBrowser(async (browser) => {
        const ana = await PageUser.join(browser, url, "ana");
        const dialogs: string[] = [];
        ana.page.on("dialog", (dialog) => {
          dialogs.push(dialog.message());
          dialog.dismiss();
        });
        const mallory = await nativeUser(server.chat.addr.port, "mallory");
        const hostile = [
          "<script>window.pwned = 'script'</script>",
          "<img src=x onerror=\"window.pwned='img'\">",
          "<b>bold</b> &amp; &lt;i&gt;",
          "\x1b[31mred\x1b[0m \x1b]0;title\x07",
          "javascript:alert(1) {name} {{PAGE_TEXT}}",
          "\u202eevil\u202c",
        ].join(" ");
        await mallory.sendMessage({ type: "input", text: hostile });
        const entry = await ana.entry("<script>", "chat");
        const shown = await entry.locator(".text").textContent();
        // The server removed the escape sequences and the bidi override;
        // everything else is shown literally.
        assertEquals(
          shown,
          "<script>window.pwned = 'script'</script> " +
            "<img src=x onerror=\"window.pwned='img'\"> " +
            "<b>bold</b> &amp; &lt;i&gt; red  " +
            "javascript:alert(1) {name} {{PAGE_TEXT}} evil",
        );
        // As a page user sends it too, shown at once on the sender's page.
        await ana.say(
          "<img src=y onerror=\"window.pwned='own'\"><script>window.pwned='own'</script>",
        );
        await ana.entry("<img src=y", "chat");
        // ... and a name in a private message.
        await mallory.sendMessage({
          type: "input",
          text: "/msg ana <i>hi</i>",
        });
        await ana.entry("<i>hi</i>", "private");
        assertEquals(
          await ana.page.locator(
            "#messages img, #messages script, #messages b, #messages i",
          ).count(),
          0,
        );
        assertEquals(await ana.page.evaluate('"pwned" in window'), false);
        assertEquals(dialogs, []);
        assertEquals(await ana.page.title(), "chat");
        assertEquals(ana.errors, []);
        await mallory.close();
      })
    ),
});

Deno.test({
  name:
    "the page reconnects by itself after the server restarts, says so, and rejoins with the same name",
  ignore,
  fn: () =>
    withBrowser(async (browser) => {
      let fixture = await startWeb();
      const chatPort = fixture.server.chat.addr.port;
      const webPort = fixture.web.addr.port;
      try {
        const ana = await PageUser.join(browser, fixture.url, "ana");
        const carl = await WsClient.join(webPort, "carl");
        await ana.expectMembers(["ana (you)", "carl"]);
        const panel = ana.page.locator("#member-panel");
        assertEquals(await hasClass(panel, "offline"), false);
        await ana.say("before the restart");
        await stopWeb(fixture);
        await carl.closed;
        await ana.entry("server shutting down", "notice");
        await ana.entry("Connection lost; reconnecting by itself.", "notice");
        // Who was there stays listed, greyed out and not clickable.
        assert(await hasClass(panel, "offline"), "greyed out while away");
        assert(
          Number(
            await panel.evaluate((e) =>
              e.ownerDocument.defaultView!.getComputedStyle(e).opacity
            ),
          ) <
            1,
        );
        await ana.expectMembers(["ana (you)", "carl"]);
        assert(
          await ana.page.locator("#members button", { hasText: "carl" })
            .isDisabled(),
        );
        await ana.page.locator("#status[data-kind=lost]", {
          hasText: /Reconnecting in \d+ s/,
        }).waitFor();
        assertEquals(await ana.page.locator("#retry").isVisible(), true);
        // The conversation stays on screen while the page waits.
        assertEquals(await ana.page.locator("#chat-view").isVisible(), true);

        // Same ports, a new process's worth of server.
        fixture = await startWeb({ port: chatPort, webPort });
        await ana.entry("Reconnected.", "notice");
        await ana.page.locator("#status", { hasText: "Connected as ana" })
          .waitFor();
        assertEquals(await hasClass(panel, "offline"), false);
        assertEquals(await ana.page.locator("#retry").isVisible(), false);
        const bob = await nativeUser(chatPort, "bob");
        const welcome = JSON.parse(bob.lines[0]!);
        assertEquals(welcome.members, ["ana", "bob"]);
        await ana.say("after the restart");
        await bob.expectMessage("message", (m) =>
          m.from === "ana" && m.text === "after the restart");
        await ana.expectMembers(["ana (you)", "bob"]);
        assertEquals(
          await ana.page.locator("#messages li", {
            hasText: "before the restart",
          }).count(),
          1,
        );
        assertEquals(ana.errors, []);
        await bob.close();
      } finally {
        await stopWeb(fixture);
      }
    }),
});

Deno.test({
  name:
    "slash commands typed in the page work as in the terminal, and /quit leaves for good",
  ignore,
  fn: () =>
    withWeb(({ web, url }) =>
      withBrowser(async (browser) => {
        const bob = await WsClient.join(web.addr.port, "bob");
        const ana = await PageUser.join(browser, url, "ana");
        await ana.say("/who");
        await ana.entry("Online (2): ana, bob", "notice");
        await ana.say("/help");
        const help = await ana.entry("Commands:", "info");
        assertStringIncludes(
          await help.textContent() ?? "",
          "/msg <name> <text>",
        );
        await ana.say("/nick anna");
        await ana.entry("ana is now known as anna", "notice");
        await ana.page.locator("#status", { hasText: "Connected as anna" })
          .waitFor();
        await ana.expectMembers(["anna (you)", "bob"]);
        await bob.expectMessage("rename", (m) => m.to === "anna");
        await ana.say("/me waves");
        await ana.entry("* anna waves", "chat");
        await bob.expectMessage(
          "message",
          (m) => m.action === true && m.text === "waves",
        );
        await ana.say("//not a command");
        await bob.expectMessage("message", (m) => m.text === "/not a command");
        await ana.entry("anna: /not a command", "chat");
        await ana.say("/frobnicate");
        await ana.entry("Unknown command /frobnicate", "error");
        await ana.say("/quit see you");
        await bob.expectMessage(
          "leave",
          (m) =>
            m.name === "anna" && m.reason === "quit" && m.detail === "see you",
        );
        await ana.page.locator("#join-view").waitFor({ state: "visible" });
        await ana.page.locator("#status", { hasText: "You left the chat." })
          .waitFor();
        // It stays out: no reconnection.
        await delay(1500);
        assertEquals(await ana.page.locator("#join-view").isVisible(), true);
        assertEquals(web.connections, 1);
        assertEquals(ana.errors, []);
        await bob.close();
      })
    ),
});

Deno.test({
  name:
    "a mention is highlighted and counted in the tab title while the tab is hidden",
  ignore,
  fn: () =>
    withWeb(({ web, url }) =>
      withBrowser(async (browser) => {
        const ana = await PageUser.join(browser, url, "ana");
        const bob = await WsClient.join(web.addr.port, "bob");
        await ana.expectMembers(["ana (you)", "bob"]);
        await setHidden(ana.page, true);
        bob.send({ type: "input", text: "no one in particular" });
        bob.send({ type: "input", text: "Ana, look at this" });
        const entry = await ana.entry("Ana, look at this", "chat");
        assert(await hasClass(entry, "mention"));
        assertEquals(
          await hasClass(await ana.entry("no one in particular"), "mention"),
          false,
        );
        await titleIs(ana.page, "(1) chat");
        bob.send({ type: "input", text: "/msg ana and a private one" });
        await titleIs(ana.page, "(2) chat");
        bob.send({ type: "input", text: "banana" }); // not a mention
        await ana.entry("banana");
        assertEquals(await ana.page.title(), "(2) chat");
        await setHidden(ana.page, false);
        await titleIs(ana.page, "chat");
        await bob.close();
      })
    ),
});

Deno.test({
  name: "the page speaks Brazilian Portuguese when the browser does",
  ignore,
  fn: () =>
    withWeb(({ web, url }) =>
      withBrowser(async (browser) => {
        const bob = await WsClient.join(web.addr.port, "bob");
        const ana = await PageUser.open(browser, url, { locale: "pt-BR" });
        assertEquals(
          await ana.page.locator("#name-label").textContent(),
          "Seu nome",
        );
        assertEquals(await ana.page.getAttribute("html", "lang"), "pt-BR");
        await ana.chooseName("bob");
        await ana.page.locator("#name-error", {
          hasText: 'O nome "bob" já está em uso',
        }).waitFor();
        await ana.chooseName("ana");
        await ana.entry("Bem-vindo(a), ana!", "notice");
        await ana.page.locator("#members-heading", { hasText: "Online (2)" })
          .waitFor();
        await ana.expectMembers(["ana (você)", "bob"]);
        bob.send({ type: "input", text: "/msg ana oi" });
        await ana.entry("(privado) bob: oi", "private");
        await bob.close();
        await ana.entry("bob saiu do chat! (conexão fechada)", "notice");
        await ana.say("/help");
        await ana.entry("Comandos:", "info");
      })
    ),
});

Deno.test({
  name:
    "on a phone-sized screen the page fits without sideways scrolling and works from the keyboard",
  ignore,
  fn: () =>
    withWeb(({ web, url }) =>
      withBrowser(async (browser) => {
        const bob = await WsClient.join(web.addr.port, "bob");
        const ana = await PageUser.open(browser, url, {
          viewport: { width: 360, height: 640 },
          isMobile: true,
          hasTouch: true,
        });
        const page = ana.page;
        // The name field has focus and a label; typing and Enter join.
        await page.getByRole("textbox", { name: "Your name" }).waitFor();
        assertEquals(await focused(page), "name-input");
        await page.keyboard.type("ana");
        await page.keyboard.press("Enter");
        await page.locator("#chat-view").waitFor({ state: "visible" });
        // The message field has focus and a label.
        await page.getByRole("textbox", { name: "Message" }).waitFor();
        assertEquals(await focused(page), "line-input");
        await page.keyboard.type("hello from a phone");
        await page.keyboard.press("Enter");
        await bob.expectMessage("message", (m) =>
          m.text === "hello from a phone");
        for (let i = 0; i < 30; i++) {
          bob.send({ type: "input", text: `line ${i} ${"long ".repeat(i)}` });
        }
        await ana.entry("line 19");
        // Tab goes from the message field to Send, then to bob in the list;
        // Enter on bob starts a private message.
        await page.keyboard.press("Tab");
        assertEquals(
          await focused(page),
          "send-button",
        );
        await page.keyboard.press("Tab");
        assertEquals(
          await page.evaluate(
            'document.activeElement?.getAttribute("aria-label")',
          ),
          "Send a private message to bob",
        );
        await page.keyboard.press("Enter");
        assertEquals(await page.inputValue("#line-input"), "/msg bob ");
        const fits = await page.evaluate(
          `document.documentElement.scrollWidth <= innerWidth &&
            document.documentElement.scrollHeight <= innerHeight`,
        );
        assert(
          fits,
          "no sideways scrolling; the message list scrolls, not the page",
        );
        for (
          const selector of ["#line-input", "#send-button", "#members-heading"]
        ) {
          const box = await page.locator(selector).boundingBox();
          assert(
            box !== null && box.x >= 0 && box.x + box.width <= 360 &&
              box.y >= 0 && box.y + box.height <= 640,
            `${selector} is on the screen: ${JSON.stringify(box)}`,
          );
        }
        // Screen readers hear new messages: the list is a polite live log.
        assertEquals(await page.getAttribute("#messages", "role"), "log");
        assertEquals(
          await page.getAttribute("#messages", "aria-live"),
          "polite",
        );
        assertEquals(
          await page.getAttribute("#messages", "aria-label"),
          "Messages",
        );
        assertEquals(await page.getAttribute("#status", "role"), "status");
        // /help is a list that fits the width, not columns of spaces.
        await page.locator("#line-input").fill("/help");
        await page.keyboard.press("Enter");
        const help = await ana.entry("Commands:", "info");
        // One item per command of the table (7 before rooms), then the
        // page's own keys in a list of their own.
        const items = help.locator(".help-list").first().locator("li");
        assertEquals(await items.count(), COMMANDS.length);
        assertEquals(
          await items.first().locator("code").textContent(),
          "/msg <name> <text>",
        );
        assertEquals(
          await items.first().locator("span").textContent(),
          "private message (also /w, /pm)",
        );
        for (const item of await items.all()) {
          const box = await item.boundingBox();
          assert(box !== null && box.x >= 0 && box.x + box.width <= 360);
        }
        assert(
          await page.locator("#messages").evaluate((list) =>
            list.scrollWidth <= list.clientWidth
          ),
          "nothing sticks out sideways",
        );
        await page.screenshot({
          path: new URL("../artifacts/phone.png", import.meta.url).pathname,
        });
        await bob.close();
      })
    ),
});

Deno.test({
  name:
    "26 lines sent at once from the page go out paced under the flood limit: each waits marked as pending, none is refused, and the sender sees what the others got",
  ignore,
  fn: () =>
    withWeb(({ web, url }) =>
      withBrowser(async (browser) => {
        const bob = await WsClient.join(web.addr.port, "bob");
        const ana = await PageUser.join(browser, url, "ana");
        await ana.expectMembers(["ana (you)", "bob"]);
        const lines = Array.from(
          { length: 26 },
          (_, i) => `pasted line ${i + 1}`,
        );
        // As fast as a paste: all 26 in one go, without waiting in between.
        await ana.page.evaluate(`(() => {
          const form = document.getElementById("line-form");
          const input = document.getElementById("line-input");
          for (const line of ${JSON.stringify(lines)}) {
            input.value = line;
            form.requestSubmit();
          }
        })()`);
        const pending = await ana.page.locator("#messages li.pending").count();
        assert(pending > 0, "lines over the limit wait, marked");
        assertEquals(await ana.page.inputValue("#line-input"), "");
        for (const line of lines) {
          await bob.expectMessage("message", (m) => m.text === line);
        }
        await until(
          async () =>
            await ana.page.locator("#messages li.pending").count() === 0,
          "no line pending",
        );
        const own = await ana.page.locator("#messages li.own .text")
          .allTextContents();
        assertEquals(own, lines, "the sender's view is what bob got");
        assertEquals(
          await ana.page.locator("#messages li.entry-error").count(),
          0,
          "nothing was refused",
        );
        assertEquals(
          bob.messages.filter((m) => m.type === "message").length,
          26,
        );
        assertEquals(ana.errors, []);
        await bob.close();
      })
    ),
});

/** Viewports the scrolling is checked in. */
const LOOKS: [string, BrowserContextOptions][] = [
  ["desktop", { viewport: { width: 960, height: 600 } }],
  ["phone", {
    viewport: { width: 360, height: 640 },
    isMobile: true,
    hasTouch: true,
  }],
];

for (const [device, look] of LOOKS) {
  Deno.test({
    name:
      `a late joiner with 45 lines of history opens at the newest line and follows new ones while at the bottom, not while reading above (${device})`,
    ignore,
    fn: () =>
      withWeb(
        ({ web, url }) =>
          withBrowser(async (browser) => {
            const bob = await WsClient.join(web.addr.port, "bob");
            for (let i = 1; i <= 45; i++) {
              bob.send({ type: "input", text: `history line ${i}` });
            }
            // Once a later joiner sees the last line, the server has them all.
            const watcher = await WsClient.join(web.addr.port, "watcher");
            await watcher.close();
            const ana = await PageUser.join(browser, url, "ana", look);
            await ana.entry("history line 45", "chat");
            const opened = await ana.scrollPlace();
            assert(opened.overflows, "45 lines do not fit");
            assert(
              opened.below <= 1,
              `opens at the newest line: ${JSON.stringify(opened)}`,
            );
            bob.send({ type: "input", text: "new line 1" });
            const first = await ana.entry("new line 1", "chat");
            assert((await ana.scrollPlace()).below <= 1, "follows");
            assert(await first.isVisible());
            assert(await inView(ana.page, first), "the new line is on screen");

            // Reading above: new lines do not pull the view down.
            await ana.wheel(-100_000);
            await until(
              async () => (await ana.scrollPlace()).top === 0,
              "the list scrolled to the top",
            );
            bob.send({ type: "input", text: "new line 2" });
            await ana.entry("new line 2", "chat");
            const reading = await ana.scrollPlace();
            assertEquals(reading.top, 0, "stays where the reader is");

            // Back at the bottom, it follows again.
            await ana.wheel(100_000);
            await until(
              async () => (await ana.scrollPlace()).below <= 1,
              "the list scrolled to the bottom",
            );
            bob.send({ type: "input", text: "new line 3" });
            const third = await ana.entry("new line 3", "chat");
            assert((await ana.scrollPlace()).below <= 1, "follows again");
            assert(await inView(ana.page, third));
            assertEquals(ana.errors, []);
            await bob.close();
          }),
        { rateLimit: null },
      ),
  });
}

/** Whether an entry is inside the visible part of the message list. */
async function inView(page: Page, entry: Locator): Promise<boolean> {
  const list = await page.locator("#messages").boundingBox();
  const box = await entry.boundingBox();
  return list !== null && box !== null && box.y >= list.y - 1 &&
    box.y + box.height <= list.y + list.height + 1;
}

Deno.test({
  name:
    "an over-long line is refused before it is sent, stays in the box, and the page says why (in UTF-8 bytes, as the server counts, in the page's language)",
  ignore,
  fn: () =>
    withWeb(({ web, url }) =>
      withBrowser(async (browser) => {
        const bob = await WsClient.join(web.addr.port, "bob");
        const ana = await PageUser.join(browser, url, "ana");
        const input = ana.page.locator("#line-input");
        const long = "x".repeat(9000);
        await ana.say(long);
        const error = await ana.entry("too long to send", "error");
        // 9000 bytes of text, 44 of envelope (the room it goes to included).
        assertStringIncludes(await error.textContent() ?? "", "9044 bytes");
        assertStringIncludes(await error.textContent() ?? "", "8192");
        assertEquals(await input.inputValue(), long, "the text is kept");
        assertEquals(await input.getAttribute("aria-invalid"), "true");
        assertEquals(
          await ana.page.locator("#messages li.entry-chat").count(),
          0,
          "not shown as sent",
        );
        // Bytes, not characters: 2100 emoji are 8400 bytes.
        const emoji = "😀".repeat(2100);
        await ana.say(emoji);
        await ana.entry("8444 bytes", "error");
        assertEquals(await input.inputValue(), emoji);
        // 4000 two-byte letters fit, and go out.
        const letters = "é".repeat(4000);
        await ana.say(letters);
        await bob.expectMessage("message", (m) => m.text === letters);
        assertEquals(await input.inputValue(), "");
        assertEquals(await input.getAttribute("aria-invalid"), null);
        // The server never saw an over-long line.
        assertEquals(
          await ana.page.locator("#messages li.entry-error", {
            hasText: "was longer than",
          }).count(),
          0,
        );
        const pt = await PageUser.join(browser, url, "carla", {
          locale: "pt-BR",
        });
        await pt.say(long);
        await pt.entry("longa demais para enviar", "error");
        assertEquals(await pt.page.inputValue("#line-input"), long);
        assertEquals(
          bob.messages.filter((m) => m.type === "message").length,
          1,
        );
        assertEquals([...ana.errors, ...pt.errors], []);
        await bob.close();
      })
    ),
});

/** Where the parts of a chat line are, left to right, in CSS pixels. */
interface Places {
  time: number;
  name: { left: number; right: number };
  colon: { left: number; right: number };
  text: { left: number; right: number };
  hello: { left: number; right: number };
  shalom: { left: number; right: number };
}

Deno.test({
  name:
    "right-to-left names and text keep their order in the line: each name and each message isolates its direction (DOM and screenshot)",
  ignore,
  fn: () =>
    withWeb(({ url }) =>
      withBrowser(async (browser) => {
        const look = { viewport: { width: 960, height: 600 } };
        const ana = await PageUser.join(browser, url, "ana", look);
        const mohammed = await PageUser.join(browser, url, "محمد", look);
        await ana.expectMembers(["ana (you)", "محمد"]);
        const text = "שלום עולם 123 hello";
        await mohammed.say(text);
        for (const user of [ana, mohammed]) {
          const entry = await user.entry(text, "chat");
          const name = entry.locator(".name");
          const body = entry.locator(".text");
          assertEquals(await name.textContent(), "محمد");
          assertEquals(await body.textContent(), text);
          assertEquals(await name.evaluate((e) => e.tagName), "BDI");
          assertEquals(await body.evaluate((e) => e.dir), "auto");
          // In the left-to-right line: time, name, colon, then the text;
          // inside the text (right-to-left), "hello" is at its left end.
          const places: Places = await entry.evaluate((li) => {
            const document = li.ownerDocument;
            const rect = (
              node: typeof li.firstChild,
              from: number,
              to: number,
            ) => {
              const range = document.createRange();
              range.setStart(node!, from);
              range.setEnd(node!, to);
              const r = range.getBoundingClientRect();
              return { left: r.left, right: r.right };
            };
            const box = (element: ReturnType<typeof li.querySelector>) => {
              const r = element!.getBoundingClientRect();
              return { left: r.left, right: r.right };
            };
            const colon = [...li.childNodes].find((node) =>
              node.nodeType === 3 && node.textContent === ": "
            ) ?? null;
            const body = li.querySelector(".text");
            const words = body!.firstChild;
            const at = (word: string) => {
              const start = words!.textContent!.indexOf(word);
              return rect(words, start, start + word.length);
            };
            return {
              time: box(li.querySelector("time")).right,
              name: box(li.querySelector(".name")),
              colon: rect(colon, 0, 1),
              text: box(body),
              hello: at("hello"),
              shalom: at("שלום"),
            };
          });
          assert(places.time <= places.name.left + 1, JSON.stringify(places));
          assert(places.name.right <= places.colon.left + 1, "name, colon");
          assert(places.colon.right <= places.text.left + 1, "colon, text");
          assert(places.hello.right <= places.shalom.left, "read from right");
        }
        await ana.page.screenshot({
          path: new URL("../artifacts/rtl.png", import.meta.url).pathname,
        });
        assertEquals([...ana.errors, ...mohammed.errors], []);
      })
    ),
});

Deno.test({
  name:
    "the page remembers its name across reloads, and a new name once renamed",
  ignore,
  fn: () =>
    withWeb(({ url }) =>
      withBrowser(async (browser) => {
        const zoe = await PageUser.join(browser, url, "zoë");
        await zoe.page.reload();
        assertEquals(await zoe.page.inputValue("#name-input"), "zoë");
        assertEquals(await focused(zoe.page), "name-input");
        await zoe.page.locator("#name-input").press("Enter");
        await zoe.page.locator("#chat-view").waitFor({ state: "visible" });
        await zoe.say("/nick zoe_b");
        await zoe.page.locator("#status", { hasText: "Connected as zoe_b" })
          .waitFor();
        await zoe.page.reload();
        assertEquals(await zoe.page.inputValue("#name-input"), "zoe_b");
        // Another browser (another profile) knows nothing of it.
        const other = await PageUser.open(browser, url);
        assertEquals(await other.page.inputValue("#name-input"), "");
        assertEquals([...zoe.errors, ...other.errors], []);
      })
    ),
});

Deno.test({
  name:
    "Tab in the message box completes commands and names (ignoring case and accents), cycles, and moves the focus when there is nothing to complete",
  ignore,
  fn: () =>
    withWeb(({ web, url }) =>
      withBrowser(async (browser) => {
        const others = await Promise.all(
          ["bob", "bobby", "João"].map((name) =>
            WsClient.join(web.addr.port, name)
          ),
        );
        const ana = await PageUser.join(browser, url, "ana");
        await ana.expectMembers(["ana (you)", "bob", "bobby", "João"]);
        const page = ana.page;
        const input = page.locator("#line-input");
        await page.keyboard.type("/ms");
        await page.keyboard.press("Tab");
        assertEquals(await input.inputValue(), "/msg ");
        await page.keyboard.type("b");
        await page.keyboard.press("Tab");
        assertEquals(await input.inputValue(), "/msg bob ");
        await page.keyboard.press("Tab");
        assertEquals(await input.inputValue(), "/msg bobby ");
        await page.keyboard.type("hi");
        assertEquals(await input.inputValue(), "/msg bobby hi");
        await input.fill("");
        await page.keyboard.type("joao");
        await page.keyboard.press("Tab");
        assertEquals(await input.inputValue(), "João: ", "at the start");
        await page.keyboard.type("see JO");
        await page.keyboard.press("Tab");
        assertEquals(await input.inputValue(), "João: see João ");
        assertEquals(await focused(page), "line-input");
        await input.fill("");
        await page.keyboard.press("Tab");
        assertEquals(await focused(page), "send-button", "Tab moves on");
        assertEquals(ana.errors, []);
        for (const other of others) await other.close();
      })
    ),
});

Deno.test({
  name:
    "web addresses in messages are links that open a new tab and tell the site nothing; nothing else is a link and nothing is fetched",
  ignore,
  fn: () =>
    withWeb(({ web, url }) =>
      withBrowser(async (browser) => {
        const bob = await WsClient.join(web.addr.port, "bob");
        const ana = await PageUser.join(browser, url, "ana");
        const requests: string[] = [];
        ana.page.on("request", (request) => requests.push(request.url()));
        const text =
          "docs (https://example.com/a?b=1&c=2). not javascript:alert(1) " +
          "ftp://files.example or www.example.org; http://127.0.0.1:9/x";
        bob.send({ type: "input", text });
        const entry = await ana.entry("docs (", "chat");
        assertEquals(await entry.locator(".text").textContent(), text);
        const links = entry.locator("a");
        assertEquals(await links.count(), 2);
        assertEquals(await links.allTextContents(), [
          "https://example.com/a?b=1&c=2",
          "http://127.0.0.1:9/x",
        ]);
        for (const link of await links.all()) {
          assertEquals(await link.getAttribute("target"), "_blank");
          assertEquals(await link.getAttribute("rel"), "noopener noreferrer");
        }
        assertEquals(
          await links.first().getAttribute("href"),
          "https://example.com/a?b=1&c=2",
        );
        // Your own lines too.
        await ana.say("mine: https://deno.com/");
        await ana.page.locator("#messages li.own a", {
          hasText: "https://deno.com/",
        }).waitFor();
        assertEquals(
          requests.filter((r) => !r.startsWith(url)),
          [],
          "no previews",
        );
        assertEquals(ana.errors, []);
        await bob.close();
      })
    ),
});

/**
 * Runs `fn` with `Date.now` moved to `base`, and a function that moves it
 * on by some milliseconds (call it only between waits: deadlines read the
 * same clock).
 */
async function atMovableClock<T>(
  base: number,
  fn: (moveOn: (ms: number) => void) => Promise<T>,
): Promise<T> {
  const realNow = Date.now;
  let offset = base - realNow();
  Date.now = () => realNow() + offset;
  try {
    return await fn((ms) => offset += ms);
  } finally {
    Date.now = realNow;
  }
}

Deno.test({
  name: "the page shows the date where the day changes between two lines",
  ignore,
  fn: () =>
    atMovableClock(
      Date.UTC(2026, 10, 21, 23, 58),
      (moveOn) =>
        withWeb(
          ({ web, url }) =>
            withBrowser(async (browser) => {
              const bob = await WsClient.join(web.addr.port, "bob");
              const ana = await PageUser.open(browser, url, {
                timezoneId: "UTC",
              });
              // The page's clock reads as the server's (its own notices too).
              await ana.page.clock.setSystemTime(Date.now());
              await ana.chooseName("ana");
              await ana.expectMembers(["ana (you)", "bob"]);
              bob.send({ type: "input", text: "late on Saturday" });
              bob.send({ type: "input", text: "still Saturday" });
              await ana.entry("still Saturday", "chat");
              moveOn(3 * 60_000);
              await ana.page.clock.setSystemTime(Date.now());
              bob.send({ type: "input", text: "Sunday already" });
              await ana.entry("Sunday already", "chat");
              const days = ana.page.locator("#messages li.day");
              assertEquals(await days.count(), 1);
              assertEquals(await days.getAttribute("role"), "separator");
              assertEquals(
                await days.locator("time").getAttribute("datetime"),
                "2026-11-22",
              );
              assertEquals(
                await days.textContent(),
                "Sunday, November 22, 2026",
              );
              // It stands between the two days' lines.
              const items = await ana.page.locator("#messages li")
                .allTextContents();
              const at = items.indexOf("Sunday, November 22, 2026");
              assertStringIncludes(items[at - 1]!, "still Saturday");
              assertStringIncludes(items[at + 1]!, "Sunday already");
              assertEquals(ana.errors, []);
              await bob.close();
            }), // The clock jumps three minutes: pings and the dead-peer
          // deadline must not read that as silence and drop a member.
          { pingAfterMs: 3_600_000, deadAfterMs: 7_200_000 },
        ),
    ),
});

Deno.test(
  "a frame of exactly the line limit goes through and one byte more is refused: the page's frameBytes() counts as the server does",
  () =>
    withWeb(async ({ web }) => {
      const limit = 8192;
      const ana = await WsClient.join(web.addr.port, "ana");
      const bob = await WsClient.join(web.addr.port, "bob");
      // Quotes are escaped and emoji take four bytes: the JSON's UTF-8.
      const fits = '"😀'.repeat(1361);
      const fill = "x".repeat(
        limit - frameBytes({ type: "input", text: fits }),
      );
      const exact = { type: "input" as const, text: fits + fill };
      assertEquals(frameBytes(exact), limit);
      ana.send(exact);
      await bob.expectMessage("message", (m) => m.text === exact.text);
      const over = { type: "input" as const, text: exact.text + "x" };
      assertEquals(frameBytes(over), limit + 1);
      ana.send(over);
      await ana.expectMessage("error", (m) => m.code === "line_too_long");
      await ana.close();
      await bob.close();
    }),
);

/** The rooms of the room list, as shown (name, then any badge). */
function roomButtons(page: Page): Promise<string[]> {
  return page.locator("#rooms button").evaluateAll((buttons) =>
    buttons.map((b) =>
      [
        b.querySelector("bdi")?.textContent ?? "",
        b.querySelector(".badge [aria-hidden]")?.textContent ?? "",
        b.getAttribute("aria-current") === "true" ? "current" : "",
      ].filter((part) => part !== "").join(" ")
    )
  );
}

/** Waits until the room list shows exactly `rooms` (see roomButtons). */
async function expectRooms(page: Page, rooms: string[]): Promise<void> {
  const want = JSON.stringify(rooms);
  let shown = "";
  const end = Date.now() + DEADLINE_MS;
  while ((shown = JSON.stringify(await roomButtons(page))) !== want) {
    if (Date.now() > end) {
      throw new Error(`Timed out waiting for rooms ${want}; shown: ${shown}`);
    }
    await delay(20);
  }
}

Deno.test({
  name:
    "the page's rooms: a sidebar with unread and mention badges, the join field, the topic, operators marked, each room's lines apart, keys to move, and every room back after a reconnect",
  ignore,
  fn: () =>
    withBrowser(async (browser) => {
      let fixture = await startWeb();
      const chatPort = fixture.server.chat.addr.port;
      const webPort = fixture.web.addr.port;
      try {
        const ana = await PageUser.join(browser, fixture.url, "ana");
        const bob = await nativeUser(chatPort, "bob");
        await ana.expectMembers(["ana (you)", "bob"]);
        await expectRooms(ana.page, ["#general current"]);
        const topic = ana.page.locator("#topic");
        assertEquals(await topic.textContent(), "#general No topic");
        assert(await hasClass(topic, "empty"));

        // Join (and create) a room from the field: it becomes current.
        await ana.page.locator("#room-input").fill("games");
        await ana.page.locator("#room-input").press("Enter");
        await ana.entry("You are now in #games", "notice");
        await expectRooms(ana.page, ["#general", "#games current"]);
        assertEquals(await ana.page.inputValue("#room-input"), "");
        // Its first member is its operator: marked, and said so.
        await ana.expectMembers(["@ana (operator) (you)"]);
        assertEquals(
          await ana.page.locator("#members .op").getAttribute("aria-hidden"),
          "true",
        );
        await ana.say("/topic finals at 8");
        await ana.page.locator("#topic", { hasText: "#games finals at 8" })
          .waitFor();
        assertEquals(await hasClass(topic, "empty"), false);
        await bob.sendMessage({ type: "join", room: "#games" });
        await ana.expectMembers(["@ana (operator) (you)", "bob"]);
        assertEquals(
          await ana.page.locator("#members button").getAttribute("aria-label"),
          "Send a private message to bob",
        );

        // Lines of the room not in view wait there, counted.
        await bob.sendMessage({
          type: "input",
          text: "<b>over</b> in general",
          room: "#general",
        });
        await bob.sendMessage({
          type: "input",
          text: "ana: lunch?",
          room: "#general",
        });
        await expectRooms(ana.page, ["#general 2 @1", "#games current"]);
        assertEquals(
          await ana.page.locator("#rooms .badge .visually-hidden")
            .textContent(),
          "2 unread, 1 mentioning you",
        );
        assertEquals(
          await ana.page.locator("#messages li", { hasText: "in general" })
            .count(),
          0,
        );
        // Clicking the room shows its lines (as text), and clears its count.
        await ana.page.locator('#rooms [data-room="#general"]').click();
        await expectRooms(ana.page, ["#general current", "#games"]);
        const line = await ana.entry("<b>over</b> in general", "chat");
        assertEquals(await line.locator("b").count(), 0);
        assertEquals(
          await ana.page.locator("#topic").textContent(),
          "#general No topic",
        );
        await ana.expectMembers(["ana (you)", "bob"]);
        assertEquals(
          await ana.page.locator("#messages li", { hasText: "finals at 8" })
            .count(),
          0,
          "#games's lines stay in #games",
        );
        // What you type goes to the room in view.
        await ana.say("sure, at noon");
        await bob.expectMessage("message", (m) =>
          m.room === "#general" && m.text === "sure, at noon");

        // Alt+Down and Alt+Up move between rooms, Alt+1..9 go by place.
        await ana.page.locator("#line-input").press("Alt+ArrowDown");
        await expectRooms(ana.page, ["#general", "#games current"]);
        await ana.page.locator("#topic", { hasText: "finals at 8" }).waitFor();
        await ana.page.locator("#line-input").press("Alt+ArrowUp");
        await expectRooms(ana.page, ["#general current", "#games"]);
        await ana.page.locator("#line-input").press("Alt+2");
        await expectRooms(ana.page, ["#general", "#games current"]);
        await ana.say("gg");
        await bob.expectMessage("message", (m) =>
          m.room === "#games" && m.text === "gg");
        // The keys are in /help and under the room list.
        await ana.say("/help");
        const help = await ana.entry("Keys of the page", "info");
        assertStringIncludes(await help.textContent() ?? "", "Alt+1 … Alt+9");
        assertEquals(
          await ana.page.locator("#shortcuts kbd").allTextContents(),
          ["Alt+↑ / Alt+↓", "Alt+1 … Alt+9", "Esc"],
        );
        await bob.close();

        // A restart: the page rejoins both rooms and stays in #games.
        await stopWeb(fixture);
        await ana.page.locator("#status[data-kind=lost]").waitFor();
        fixture = await startWeb({ port: chatPort, webPort });
        await ana.entry("Reconnected.", "notice");
        await expectRooms(ana.page, ["#general", "#games current"]);
        const carl = await nativeUser(chatPort, "carl");
        await carl.sendMessage({ type: "join", room: "#games" });
        await carl.expectMessage("joined", (m) =>
          m.room === "#games" && m.members.includes("ana"));
        await ana.say("back in games");
        await carl.expectMessage("message", (m) =>
          m.room === "#games" && m.text === "back in games");
        await carl.close();
        assertEquals(ana.errors, []);
      } finally {
        await stopWeb(fixture);
      }
    }),
});

Deno.test({
  name:
    "on a phone the room list is a drawer: opened from the bar (with the unread count), closed by choosing a room or Escape",
  ignore,
  fn: () =>
    withWeb(({ server, url }) =>
      withBrowser(async (browser) => {
        const ana = await PageUser.join(browser, url, "ana", {
          viewport: { width: 360, height: 640 },
        });
        const bob = await nativeUser(server.chat.addr.port, "bob");
        try {
          const drawer = ana.page.locator("#room-panel");
          const toggle = ana.page.locator("#rooms-toggle");
          assert(await toggle.isVisible());
          assertEquals(await drawer.isVisible(), false);
          await ana.say("/join #ops");
          await ana.entry("You are now in #ops", "notice");
          await bob.sendMessage({ type: "input", text: "in general" });
          await ana.page.locator("#rooms-toggle-badge", { hasText: "1" })
            .waitFor();
          await toggle.click();
          await drawer.locator('[data-room="#general"]').waitFor({
            state: "visible",
          });
          assertEquals(await toggle.getAttribute("aria-expanded"), "true");
          assertEquals(
            await ana.page.evaluate("document.activeElement?.dataset.room"),
            "#ops",
          );
          await ana.page.keyboard.press("Escape");
          await drawer.waitFor({ state: "hidden" });
          assertEquals(await focused(ana.page), "rooms-toggle");
          await toggle.click();
          await drawer.locator('[data-room="#general"]').click();
          await drawer.waitFor({ state: "hidden" });
          await ana.entry("in general", "chat");
          assertEquals(
            await ana.page.locator("#rooms-toggle-badge").isVisible(),
            false,
          );
          assertEquals(await focused(ana.page), "line-input");
          assertEquals(ana.errors, []);
        } finally {
          await bob.close();
        }
      })
    ),
});

Deno.test({
  name:
    "the page says its connection is not encrypted over HTTP, and over HTTPS with the self-signed identity (--web-tls) shows the fingerprint to compare, and joins over WSS",
  ignore,
  fn: () =>
    withBrowser(async (browser) => {
      await withWeb(async ({ url }) => {
        const user = await PageUser.open(browser, url);
        await user.page.locator("#secure").filter({
          hasText: /^Not encrypted$/,
        })
          .waitFor();
        await user.close();
      });
      await withWeb(async ({ server, web }) => {
        const fingerprint = formatFingerprint(server.identity.sha256);
        const secureUrl = `https://127.0.0.1:${web.addr.port}/`;
        // The browser cannot check a self-signed certificate: a person
        // compares the fingerprint instead.
        const user = await PageUser.join(browser, secureUrl, "ana", {
          ignoreHTTPSErrors: true,
        });
        const shown = await user.page.locator("#secure").textContent();
        assertEquals(shown, `Encrypted · ${fingerprint}`);
        await user.close();
      }, { webTls: true });
    }),
});
