import { assertEquals } from "@std/assert";
import {
  clusterEnd,
  clusterStart,
  clusterWidth,
  graphemes,
  textWidth,
} from "../../src/client/text_width.ts";

Deno.test("graphemes() keeps emoji sequences, flags and accents whole", () => {
  assertEquals(graphemes("👨‍👩‍👧🇧🇷e\u0301👍🏽"), ["👨‍👩‍👧", "🇧🇷", "e\u0301", "👍🏽"]);
});

Deno.test("clusterWidth() gives emoji and CJK two columns, marks and isolates none", () => {
  assertEquals(
    [
      "a",
      "ß",
      "ש",
      "م",
      "👍🏽",
      "👨‍👩‍👧",
      "🇧🇷",
      "❤\ufe0f",
      "❤",
      "中",
      "한",
      "ｱ",
      "Ａ",
      "\u2068",
      "\u0301",
    ]
      .map(clusterWidth),
    [1, 1, 1, 1, 2, 2, 2, 2, 1, 2, 2, 1, 2, 0, 0],
  );
});

Deno.test("textWidth() adds up the clusters", () => {
  assertEquals(textWidth("abc"), 3);
  assertEquals(textWidth("中文 ok 👍🏽"), 10);
  assertEquals(textWidth("\u2068محمد\u2069"), 4);
});

Deno.test("clusterStart() and clusterEnd() never cut a cluster", () => {
  const text = "a👍🏽b";
  for (let i = 1; i < 5; i++) assertEquals(clusterStart(text, i), 1);
  assertEquals(clusterEnd(text, 1), 5);
  assertEquals(clusterEnd(text, 3), 5);
  assertEquals(clusterStart(text, 0), 0);
  assertEquals(clusterEnd(text, text.length), text.length);
});
