// The browser client in a real headless Chromium (Debian's `chromium`,
// driven by playwright-core): people in browser tabs and in `chat join`
// talk in one room; names, commands, mentions, hostile text, reconnection,
// language and small screens, as a person would see them. Ignored when
// Chromium is not installed.
//
// Sanitizers stay on: playwright-core's pipes to Chromium are opened and
// closed within each test (withBrowser closes the browser).

import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import type { Locator, Page } from "playwright-core";
import { ChatProcess, DEADLINE_MS, delay, nativeUser } from "../_helpers.ts";
import {
  HAVE_CHROMIUM,
  PageUser,
  startWeb,
  stopWeb,
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

              await ana.page.locator("#line-input").fill("sushi!");
              const shot = await ana.page.screenshot({
                animations: "disabled",
                caret: "hide",
              });
              await Deno.mkdir(new URL("../artifacts/", import.meta.url), {
                recursive: true,
              });
              for (const path of SCREENSHOTS) await Deno.writeFile(path, shot);

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
        await ana.say("before the restart");
        await stopWeb(fixture);
        await ana.entry("server shutting down", "notice");
        await ana.entry("Connection lost; reconnecting by itself.", "notice");
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
        await page.screenshot({
          path: new URL("../artifacts/phone.png", import.meta.url).pathname,
        });
        await bob.close();
      })
    ),
});
