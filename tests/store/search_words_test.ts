// Checks src/store/search_words.ts: words are runs of letters and digits in
// any script, folded to lower case without accents; a query keeps at most
// 8 distinct words of at most 64 code points.

import { assertEquals } from "@std/assert";
import {
  MAX_SEARCH_WORDS,
  MAX_WORD_LENGTH,
  queryWords,
  searchWords,
} from "../../src/store/search_words.ts";

Deno.test("searchWords() folds case and accents and drops punctuation", () => {
  assertEquals(searchWords("Olá, CAFÉ às 10h!"), ["ola", "cafe", "as", "10h"]);
  assertEquals(searchWords("don't-stop"), ["don", "t", "stop"]);
  assertEquals(searchWords("Привет мир"), ["привет", "мир"]);
  assertEquals(searchWords("東京 タワー"), ["東京", "タワー"]);
  assertEquals(searchWords("🙂 ✨"), []);
});

Deno.test("queryWords() keeps distinct words, at most 8 of at most 64 code points", () => {
  assertEquals(queryWords("a A á b"), ["a", "b"]);
  const many = Array.from({ length: 20 }, (_, i) => `w${i}`).join(" ");
  assertEquals(queryWords(many).length, MAX_SEARCH_WORDS);
  const long = "𝒜".repeat(100);
  assertEquals([...queryWords(long)[0]!].length, MAX_WORD_LENGTH);
});
