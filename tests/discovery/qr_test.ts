// Checks src/discovery/qr.ts: the QR matrix of a web address, and that
// the half-block drawing holds exactly that matrix (read back module by
// module), with its quiet zone, in both colour modes.

import { assert, assertEquals, assertThrows } from "@std/assert";
import { qrMatrix, qrRows, renderQr } from "../../src/discovery/qr.ts";
import { readHalfBlocks } from "./_half_blocks.ts";

Deno.test("qrMatrix() gives a square with the three finder patterns", () => {
  const matrix = qrMatrix("http://192.168.1.23:50002");
  const size = matrix.length;
  assert(size >= 21 && (size - 17) % 4 === 0, `size ${size}`);
  for (const row of matrix) assertEquals(row.length, size);
  for (const [r, c] of [[0, 0], [0, size - 7], [size - 7, 0]]) {
    // The outer ring of each 7x7 finder is dark, the ring inside it light.
    assertEquals(matrix[r!]!.slice(c!, c! + 7), Array(7).fill(true));
    assertEquals(matrix[r! + 1]![c! + 1], false);
    assertEquals(matrix[r! + 3]![c! + 3], true);
  }
  assertEquals(
    qrRows("http://192.168.1.23:50002")[0],
    matrix[0]!.map((d) => d ? "1" : "0").join(""),
  );
});

Deno.test("renderQr() draws the matrix with a quiet zone of 2, light modules as blocks without colour", () => {
  const matrix = qrMatrix("http://[fd00::23]:50002");
  const size = matrix.length;
  const lines = renderQr(matrix);
  assertEquals(lines.length, Math.ceil((size + 4) / 2));
  const drawn = readHalfBlocks(lines);
  for (let r = 0; r < size + 4; r++) {
    for (let c = 0; c < size + 4; c++) {
      const dark = matrix[r - 2]?.[c - 2] === true;
      assertEquals(drawn[r]![c], !dark, `module ${r - 2},${c - 2}`);
    }
  }
});

Deno.test("renderQr() with colour draws dark modules black on white", () => {
  const matrix = qrMatrix("http://10.0.0.5:50002");
  const lines = renderQr(matrix, { color: true });
  for (const line of lines) {
    assert(line.startsWith("\x1b[30;107m") && line.endsWith("\x1b[0m"));
  }
  const drawn = readHalfBlocks(lines);
  assertEquals(drawn[2]!.slice(2, 2 + matrix.length), matrix[0]);
  assertEquals(drawn[0]!.every((d) => !d), true);
});

Deno.test("qrMatrix() refuses a text no QR code holds", () => {
  assertThrows(() => qrMatrix("x".repeat(4000)), RangeError, "too long");
});
