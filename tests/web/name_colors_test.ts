// Checks the page's name colours: 16 hues evenly spaced in OKLCH, at one
// lightness and chroma per theme (src/web/style.css), each inside the sRGB
// gamut and with a WCAG contrast of at least 4.5 against every background
// a name is shown on, in the light theme and in the dark one.

import { assert, assertEquals } from "@std/assert";
import { NAME_COLORS, nameHue } from "../../src/web/web_client_state.js";

/** Fails unless `actual` is within `tolerance` of `expected`. */
function assertNear(actual: number, expected: number, tolerance: number) {
  assert(
    Math.abs(actual - expected) <= tolerance,
    `${actual} is not within ${tolerance} of ${expected}`,
  );
}

const CSS = await Deno.readTextFile(
  new URL("../../src/web/style.css", import.meta.url),
);

/** The custom properties of the first block that `start` opens. */
function properties(start: string): Record<string, string> {
  const at = CSS.indexOf(start);
  assert(at >= 0, start);
  const body = CSS.slice(at, CSS.indexOf("}", at));
  return Object.fromEntries(
    [...body.matchAll(/(--[\w-]+):\s*([^;]+);/g)].map((m) => [m[1]!, m[2]!]),
  );
}

const LIGHT = properties(":root {");
const DARK = properties("@media (prefers-color-scheme: dark)");

/** Backgrounds a name is drawn on: the page, your lines, mentions, privates. */
const BACKGROUNDS = ["--bg", "--own", "--mention", "--private"];

type Rgb = [number, number, number];

/** OKLCH to linear sRGB (Björn Ottosson's OKLab matrices). */
function oklchToLinear(l: number, c: number, hue: number): Rgb {
  const a = c * Math.cos((hue * Math.PI) / 180);
  const b = c * Math.sin((hue * Math.PI) / 180);
  const l1 = (l + 0.3963377774 * a + 0.2158037573 * b) ** 3;
  const m1 = (l - 0.1055613458 * a - 0.0638541728 * b) ** 3;
  const s1 = (l - 0.0894841775 * a - 1.291485548 * b) ** 3;
  return [
    4.0767416621 * l1 - 3.3077115913 * m1 + 0.2309699292 * s1,
    -1.2684380046 * l1 + 2.6097574011 * m1 - 0.3413193965 * s1,
    -0.0041960863 * l1 - 0.7034186147 * m1 + 1.707614701 * s1,
  ];
}

/** Linear sRGB to OKLab, to measure how far apart two colours look. */
function linearToOklab([r, g, b]: Rgb): Rgb {
  const l = Math.cbrt(0.4122214708 * r + 0.5363325363 * g + 0.0514459929 * b);
  const m = Math.cbrt(0.2119034982 * r + 0.6806995451 * g + 0.1073969566 * b);
  const s = Math.cbrt(0.0883024619 * r + 0.2817188376 * g + 0.6299787005 * b);
  return [
    0.2104542553 * l + 0.793617785 * m - 0.0040720468 * s,
    1.9779984951 * l - 2.428592205 * m + 0.4505937099 * s,
    0.0259040371 * l + 0.7827717662 * m - 0.808675766 * s,
  ];
}

const encode = (x: number) =>
  x <= 0.0031308 ? 12.92 * x : 1.055 * x ** (1 / 2.4) - 0.055;
const decode = (x: number) =>
  x <= 0.04045 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;

/** What the screen shows: 8 bits a channel, back to linear light. */
function quantised(linear: Rgb): Rgb {
  return linear.map((x) =>
    decode(Math.round(encode(Math.min(1, Math.max(0, x))) * 255) / 255)
  ) as Rgb;
}

function hexToLinear(hex: string): Rgb {
  assert(/^#[0-9a-f]{6}$/i.test(hex), hex);
  return [1, 3, 5].map((i) =>
    decode(parseInt(hex.slice(i, i + 2), 16) / 255)
  ) as Rgb;
}

/** WCAG 2 relative luminance and contrast ratio. */
const luminance = ([r, g, b]: Rgb) => 0.2126 * r + 0.7152 * g + 0.0722 * b;
function contrast(a: Rgb, b: Rgb): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

function palette(theme: Record<string, string>): Rgb[] {
  const l = Number(theme["--name-l"]);
  const c = Number(theme["--name-c"]);
  assert(l > 0 && l < 1 && c > 0, JSON.stringify(theme));
  return Array.from(
    { length: NAME_COLORS },
    (_, slot) => oklchToLinear(l, c, nameHue(slot)),
  );
}

for (const [theme, values] of [["light", LIGHT], ["dark", DARK]] as const) {
  Deno.test(`every name colour keeps a contrast of at least 4.5 on every background in the ${theme} theme`, () => {
    const colors = palette(values);
    let worst = Infinity;
    for (const [slot, color] of colors.entries()) {
      for (const channel of color) {
        assert(
          channel >= -1e-4 && channel <= 1 + 1e-4,
          `colour ${slot} is inside sRGB, so every browser shows it alike`,
        );
      }
      for (const background of BACKGROUNDS) {
        const ratio = contrast(
          quantised(color),
          hexToLinear(values[background]!),
        );
        worst = Math.min(worst, ratio);
        assert(ratio >= 4.5, `colour ${slot} on ${background}: ${ratio}`);
      }
    }
    assert(worst < 7, "and not so dark (or light) that hues fade");
  });

  Deno.test(`the ${theme} theme's 16 name colours are evenly spaced: same lightness and chroma, neighbours equally far apart`, () => {
    assertEquals(NAME_COLORS, 16);
    const colors = palette(values).map((c) => linearToOklab(quantised(c)));
    const steps = colors.map((color, i) => {
      const next = colors[(i + 1) % colors.length]!;
      return Math.hypot(...color.map((x, k) => x - next[k]!));
    });
    const mean = steps.reduce((a, b) => a + b) / steps.length;
    for (const step of steps) assertNear(step, mean, mean * 0.1);
    const lightness = colors.map(([l]) => l);
    for (const l of lightness) assertNear(l, lightness[0]!, 0.005);
    for (let slot = 0; slot < NAME_COLORS; slot++) {
      assertNear(
        (nameHue((slot + 1) % NAME_COLORS) - nameHue(slot) + 360) % 360,
        22.5,
        1e-9,
      );
    }
  });
}
