// Checks src/web/page_history.js, the page's bookkeeping of stored
// history: a room's scrollback (asking once at a time, stopping at the
// start, taking only older lines), the search and its pages, refusals and
// lost connections; and markWords(), which marks the words searched for.
// Then the same through WebClientState, as the page drives it: the
// requests it sends under the flood limit and the `older` effect; and that
// no answer, however malformed, throws.

import { assert, assertEquals } from "@std/assert";
import fc from "fast-check";
import type { ServerMessage } from "../../src/protocol/messages.ts";
import {
  markWords,
  PageHistory,
  SCROLLBACK_LINES,
  type SearchResult,
} from "../../src/web/page_history.js";
import {
  WebClientState,
  type WebEffect,
} from "../../src/web/web_client_state.js";
import { pageText } from "../../src/web/web_assets.ts";

function line(id: number, text = `line ${id}`) {
  return { id, from: "bob", text, time: id * 1000 };
}

function result(id: number): SearchResult {
  return {
    line: id,
    from: "bob",
    color: 0,
    text: `lunch ${id}`,
    time: id,
    action: false,
  };
}

Deno.test("PageHistory asks for the lines before the oldest shown, once at a time, until the start", () => {
  const history = new PageHistory();
  assertEquals(history.scrollback("#general"), "none", "not in the room");
  history.joined("#general", [line(40), line(41)]);
  assertEquals(history.scrollback("#general"), "more");
  assertEquals(history.older("#general", 40) as unknown, {
    type: "history",
    room: "#general",
    before: 40,
    limit: SCROLLBACK_LINES,
  });
  assertEquals(history.scrollback("#general"), "loading");
  assertEquals(history.older("#general", 40), null, "one in flight");
  assertEquals(history.older("#other", 40), null, "not one of your rooms");
  // The answer: only lines older than asked for, oldest first.
  assertEquals(
    history.answered("#general", [line(39), line(12), line(40), line(55)], true)
      ?.map((l) => (l as { id?: number }).id),
    [12, 39],
  );
  assertEquals(history.scrollback("#general"), "more");
  assertEquals(history.older("#general", 12)?.type, "history");
  assertEquals(history.answered("#general", [line(3)], false)?.length, 1);
  assertEquals(history.scrollback("#general"), "start");
  assertEquals(history.older("#general", 3), null, "nothing older");
  assertEquals(history.answered("#other", [line(1)], true), null);
});

Deno.test("PageHistory takes lines of /history typed in the box: those older than the oldest shown", () => {
  const history = new PageHistory();
  history.joined("#general", [line(40), line(41)]);
  assertEquals(
    history.answered("#general", [line(20), line(39), line(40)], true)
      ?.map((l) => l.id),
    [20, 39],
  );
  assertEquals(history.scrollback("#general"), "more");
  // The next request pages back from the oldest it got.
  assertEquals(history.answered("#general", [line(25)], true), []);
  assertEquals(history.scrollback("#general"), "start");
});

Deno.test("PageHistory stops asking when an answer brings nothing older, whatever its more says", () => {
  const history = new PageHistory();
  history.joined("#general", [line(10)]);
  history.older("#general", 10);
  assertEquals(history.answered("#general", [line(10), line(11)], true), []);
  assertEquals(history.scrollback("#general"), "start");
});

Deno.test("PageHistory knows an empty replay as a room's start, and a replay without ids as nothing to page by", () => {
  const history = new PageHistory();
  history.joined("#new", []);
  assertEquals(history.scrollback("#new"), "start");
  history.joined("#old", [{ from: "bob", text: "no id", time: 1 }]);
  assertEquals(history.scrollback("#old"), "none");
  history.trimmed("#old");
  assertEquals(history.scrollback("#old"), "none");
  // Lines dropped from the top of a room at its start: asked for again.
  history.trimmed("#new");
  assertEquals(history.scrollback("#new"), "more");
  history.left("#new");
  assertEquals(history.scrollback("#new"), "none");
  assertEquals(history.older("#new", 5), null);
});

Deno.test("PageHistory pages back from a catch-up's oldest line when the replay held none, and from the replay's when it did", () => {
  const history = new PageHistory();
  history.joined("#games", []);
  history.caughtUp("#games", [line(60), line(61)]);
  assertEquals(history.scrollback("#games"), "more");
  assertEquals(history.older("#games", 60)?.type, "history");
  assertEquals(history.answered("#games", [line(59)], false)?.length, 1);
  assertEquals(history.scrollback("#games"), "start");
  // A replay with stored lines: they stay the oldest shown.
  history.joined("#books", [line(10)]);
  history.caughtUp("#books", [line(20)]);
  history.older("#books", 10);
  assertEquals(history.answered("#books", [line(9), line(15)], true), [
    line(9),
  ]);
  // Nothing stored to page by, or a room the page is not in: no change.
  history.joined("#quiet", []);
  history.caughtUp("#quiet", [{ from: "bob", text: "no id", time: 1 }]);
  assertEquals(history.scrollback("#quiet"), "start");
  history.caughtUp("#other", [line(5)]);
  assertEquals(history.scrollback("#other"), "none");
});

Deno.test("PageHistory refuses a before that is not a stored id", () => {
  const history = new PageHistory();
  history.joined("#general", [line(5)]);
  for (const before of [0, -1, 1.5, NaN, Infinity]) {
    assertEquals(history.older("#general", before), null, String(before));
  }
  assertEquals(history.scrollback("#general"), "more");
});

Deno.test("PageHistory forgets what was asked when the connection drops or the server refuses", () => {
  const history = new PageHistory();
  history.joined("#general", [line(5)]);
  history.older("#general", 5);
  const version = history.version;
  history.lost();
  assert(history.version > version);
  assertEquals(history.scrollback("#general"), "more");
  history.older("#general", 5);
  assertEquals(history.refused("Slow down"), false, "not a search's");
  assertEquals(history.scrollback("#general"), "more", "can ask again");
});

Deno.test("PageHistory searches a room, pages back with before, and keeps results newest first", () => {
  const history = new PageHistory();
  assertEquals(history.find("#general", "   "), null);
  assertEquals(history.search, null);
  assertEquals(history.find("#general", "  lunch   friday ") as unknown, {
    type: "search",
    room: "#general",
    words: "lunch friday",
  });
  assertEquals(history.search?.loading, true);
  assertEquals(history.findMore(), null, "one in flight");
  // An answer to another search is not this one's.
  assertEquals(history.found("#general", "pizza", [result(9)], false), false);
  assertEquals(
    history.found("#general", "lunch friday", [result(90), result(70)], true),
    true,
  );
  assertEquals(history.search?.lines.map((r) => r.line), [90, 70]);
  assertEquals(history.search?.more, true);
  assertEquals(history.findMore() as unknown, {
    type: "search",
    room: "#general",
    words: "lunch friday",
    before: 70,
  });
  // Older than the last shown only, without ids left out.
  history.found(
    "#general",
    "lunch friday",
    [result(80), result(50), result(0), result(20)],
    false,
  );
  assertEquals(history.search?.lines.map((r) => r.line), [90, 70, 50, 20]);
  assertEquals(history.search?.more, false);
  assertEquals(history.findMore(), null, "no more");
  history.closeSearch();
  assertEquals(history.search, null);
});

Deno.test("PageHistory shows the answer of /search typed in the box as a search, and its next page after it", () => {
  const history = new PageHistory();
  assertEquals(history.found("#general", "lunch", [result(9)], true), true);
  assertEquals(history.search?.words, "lunch");
  assertEquals(history.search?.loading, false);
  // `/search` alone: the next page of the same search.
  history.found("#general", "lunch", [result(5)], false);
  assertEquals(history.search?.lines.map((r) => r.line), [9, 5]);
  assertEquals(history.search?.more, false);
  // Another search typed replaces it.
  history.found("#general", "pizza", [result(7)], false);
  assertEquals(history.search?.words, "pizza");
  assertEquals(history.search?.lines.map((r) => r.line), [7]);
  // While one from the search box waits, an older search's answer is not
  // taken for it.
  history.find("#general", "sushi");
  assertEquals(history.found("#general", "pizza", [result(3)], false), false);
  assertEquals(history.search?.words, "sushi");
  assertEquals(history.search?.loading, true);
});

Deno.test("PageHistory shows a refused search's reason with it, and an empty search as such", () => {
  const history = new PageHistory();
  history.find("#general", "x");
  assertEquals(history.refused("Too many requests"), true);
  assertEquals(history.search?.error, "Too many requests");
  assertEquals(history.search?.loading, false);
  assertEquals(history.refused("later error"), false, "nothing waits");
  history.find("#general", "nothing");
  history.found("#general", "nothing", [], true);
  assertEquals(history.search?.lines, []);
  assertEquals(history.search?.more, false, "no more of nothing");
  history.find("#general", "again");
  history.lost();
  assertEquals(history.search?.loading, false);
});

Deno.test("markWords() marks every word searched for, ignoring case, and nothing else", () => {
  assertEquals(markWords("Lunch on Friday?", "friday lunch"), [
    { text: "Lunch", mark: true },
    { text: " on ", mark: false },
    { text: "Friday", mark: true },
    { text: "?", mark: false },
  ]);
  assertEquals(markWords("João e joão", "JOÃO"), [
    { text: "João", mark: true },
    { text: " e ", mark: false },
    { text: "joão", mark: true },
  ]);
  // Search syntax and regular-expression characters are not words.
  assertEquals(markWords("a+b (c)", '"(" * +'), [
    { text: "a+b (c)", mark: false },
  ]);
  assertEquals(markWords("", "x"), []);
  fc.assert(
    fc.property(fc.string(), fc.string(), (text, words) => {
      const parts = markWords(text, words);
      assertEquals(parts.map((p) => p.text).join(""), text);
      assert(parts.every((p) => p.text !== ""));
    }),
  );
});

/** A page that joined #general, whose replay had stored lines 40 and 41. */
function joinedWithHistory(limits?: { rate: number; burst: number }) {
  const state = new WebClientState({ text: pageText("en"), lang: "en" });
  state.submitName("ana");
  state.opened(0);
  state.received(
    JSON.stringify({
      type: "welcome",
      name: "ana",
      room: "#general",
      members: ["ana", "bob"],
      ops: [],
      history: [line(40, "older"), line(41, "newer")],
      server: "chat",
      version: 2,
      ...limits ? { limits } : {},
    }),
    0,
  );
  return state;
}

function sentMessages(effects: WebEffect[]): unknown[] {
  return effects.flatMap((e) => e.kind === "send" ? [e.message] : []);
}

Deno.test("WebClientState shows a replay's stored ids, and asks for older lines under the flood limit", () => {
  const state = joinedWithHistory({ rate: 5, burst: 2 });
  assertEquals(state.scrollback("#general"), "more");
  const ask = state.loadOlder("#general", 40, 10);
  assertEquals(sentMessages(ask), [{
    type: "history",
    room: "#general",
    before: 40,
    limit: SCROLLBACK_LINES,
  }]);
  assertEquals(state.scrollback("#general"), "loading");
  assertEquals(state.loadOlder("#general", 40, 10), [], "one at a time");
  const answer = state.received(
    JSON.stringify({
      type: "history",
      room: "#general",
      lines: [line(38, "ana: way back"), line(39, "before that")],
      more: true,
    }),
    20,
  );
  assertEquals(answer.length, 1);
  const older = answer[0]!;
  assert(older.kind === "older");
  assertEquals(older.room, "#general");
  assertEquals(
    older.entries.map((e) =>
      e.kind === "chat" ? [e.line, e.text, e.history, e.mention] : []
    ),
    [[38, "ana: way back", true, false], [39, "before that", true, false]],
  );
  // Paced as lines are: right after a line, the request waits its turn.
  state.submitLine("one", 21);
  assertEquals(state.loadOlder("#general", 38, 21), []);
  assertEquals(state.waiting, 2);
  assertEquals(sentMessages(state.drain(10_000)), [
    { type: "input", text: "one", room: "#general" },
  ]);
  const drained = state.drain(20_000);
  assertEquals(
    sentMessages(drained).map((m) => (m as { type: string }).type),
    ["history"],
  );
  assertEquals(
    drained.some((e) => e.kind === "unsent" || e.kind === "sent"),
    false,
    "not a line of yours",
  );
});

Deno.test("WebClientState pages back from what was said since you left when the replay before it is empty", () => {
  const state = new WebClientState({ text: pageText("en"), lang: "en" });
  state.submitName("ana");
  state.opened(0);
  state.received(
    JSON.stringify({
      type: "welcome",
      name: "ana",
      room: "#general",
      members: ["ana"],
      ops: [],
      history: [],
      server: "chat",
      version: 2,
    }),
    0,
  );
  assertEquals(state.scrollback("#general"), "start");
  const shown = state.received(
    JSON.stringify({
      type: "catch_up",
      room: "#general",
      since: 1,
      lines: [line(70, "while away"), line(71, "and more")],
    }),
    1,
  );
  assertEquals(
    shown.flatMap((e) =>
      e.kind === "show" && e.entry.kind === "chat" ? [e.entry.line] : []
    ),
    [70, 71],
  );
  assertEquals(state.scrollback("#general"), "more");
  assertEquals(sentMessages(state.loadOlder("#general", 70, 2)), [{
    type: "history",
    room: "#general",
    before: 70,
    limit: SCROLLBACK_LINES,
  }]);
});

Deno.test("WebClientState forgets older lines asked for when the connection drops, and a refused request can be made again", () => {
  const state = joinedWithHistory();
  state.loadOlder("#general", 40, 1);
  state.closed(2);
  assertEquals(state.scrollback("#general"), "more");
  assertEquals(state.loadOlder("#general", 40, 3), [], "not while away");
  const again = joinedWithHistory();
  again.loadOlder("#general", 40, 1);
  const error = again.received(
    JSON.stringify({ type: "error", code: "slow_down", text: "Slow down" }),
    2,
  );
  assertEquals(error.map((e) => e.kind), ["show"], "said in the chat");
  assertEquals(again.scrollback("#general"), "more");
});

Deno.test("WebClientState searches the room in view and takes the answer's lines as results", () => {
  const state = joinedWithHistory();
  assertEquals(state.searchRoom("  ", 1), []);
  const ask = state.searchRoom("lunch", 1);
  assertEquals(sentMessages(ask), [{
    type: "search",
    room: "#general",
    words: "lunch",
  }]);
  assertEquals(state.search?.loading, true);
  state.received(
    JSON.stringify({
      type: "search",
      room: "#general",
      words: "lunch",
      lines: [
        { ...line(30, "lunch\u0007 at\nnoon"), action: true },
        line(10, "lunch?"),
      ],
      more: true,
    }),
    2,
  );
  const search = state.search!;
  assertEquals(
    search.lines.map((r) => [r.line, r.text, r.action]),
    [[30, "lunch at noon", true], [10, "lunch?", false]],
  );
  assertEquals(sentMessages(state.searchMore(3)), [{
    type: "search",
    room: "#general",
    words: "lunch",
    before: 10,
  }]);
  // An error while it waits is the search's, not the chat's.
  assertEquals(
    state.received(
      JSON.stringify({ type: "error", code: "slow_down", text: "Slow down" }),
      4,
    ),
    [],
  );
  assertEquals(state.search?.error, "Slow down");
  state.closeSearch();
  assertEquals(state.search, null);
});

Deno.test("WebClientState shows a search only in its room, and says when it cannot search", () => {
  const state = joinedWithHistory();
  state.searchRoom("lunch", 1);
  state.received(
    JSON.stringify({
      type: "joined",
      room: "#games",
      members: ["ana"],
      ops: ["ana"],
      history: [],
    }),
    2,
  );
  assertEquals(state.room, "#games");
  assertEquals(state.search, null, "the search is #general's");
  assertEquals(state.scrollback("#games"), "start");
  state.closed(3);
  assertEquals(state.searchRoom("x", 4), []);
  assertEquals(state.search?.error, "not connected");
});

Deno.test("WebClientState takes any history or search answer without throwing", () => {
  const junk = fc.oneof(
    fc.constant(undefined),
    fc.constant(null),
    fc.integer(),
    fc.double(),
    fc.string(),
    fc.boolean(),
    fc.array(fc.anything()),
    fc.object(),
  );
  const lineLike = fc.record({
    id: junk,
    from: junk,
    text: junk,
    time: junk,
    action: junk,
  }, { requiredKeys: [] });
  fc.assert(
    fc.property(
      fc.constantFrom("history", "search"),
      fc.record({
        room: fc.oneof(fc.constant("#general"), junk),
        words: fc.oneof(fc.constant("lunch"), junk),
        lines: fc.oneof(fc.array(fc.oneof(lineLike, junk)), junk),
        more: junk,
      }, { requiredKeys: [] }),
      (type, body) => {
        const state = joinedWithHistory();
        state.loadOlder("#general", 40, 1);
        state.searchRoom("lunch", 1);
        const message = { ...body, type } as unknown as ServerMessage;
        const effects = state.received(JSON.stringify(message), 2);
        for (const effect of effects) {
          if (effect.kind !== "older") continue;
          for (const entry of effect.entries) {
            assert(entry.kind === "chat" && entry.line > 0 && entry.line < 40);
          }
        }
        for (const result of state.search?.lines ?? []) {
          assert(result.line > 0 && typeof result.text === "string");
        }
      },
    ),
    { numRuns: 500 },
  );
});
