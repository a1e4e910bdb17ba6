// Colour conversions for lights: Hearth speaks `#rrggbb`; Home Assistant lights speak "r,g,b" or
// {r,g,b}, and Zigbee bulbs (through Zigbee2MQTT) CIE 1931 xy. The xy conversion is the usual
// sRGB (D65) matrix with gamma, so a colour sent and reported back comes out close to itself.

export type Rgb = [number, number, number];

export function hexToRgb(hex: string): Rgb {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

export function rgbToHex([r, g, b]: Rgb): string {
  const c = (v: number) =>
    Math.max(0, Math.min(255, Math.round(v)))
      .toString(16)
      .padStart(2, '0');
  return `#${c(r)}${c(g)}${c(b)}`;
}

const toLinear = (c: number) => {
  const v = c / 255;
  return v > 0.04045 ? ((v + 0.055) / 1.055) ** 2.4 : v / 12.92;
};
const fromLinear = (v: number) => 255 * (v <= 0.0031308 ? 12.92 * v : 1.055 * v ** (1 / 2.4) - 0.055);

export function rgbToXy(rgb: Rgb): { x: number; y: number } {
  const [r, g, b] = rgb.map(toLinear) as Rgb;
  const X = r * 0.4124 + g * 0.3576 + b * 0.1805;
  const Y = r * 0.2126 + g * 0.7152 + b * 0.0722;
  const Z = r * 0.0193 + g * 0.1192 + b * 0.9505;
  const sum = X + Y + Z;
  if (sum === 0) return { x: 0.3127, y: 0.329 };
  return { x: Number((X / sum).toFixed(4)), y: Number((Y / sum).toFixed(4)) };
}

/** At full brightness: the brightest colour of that chromaticity. */
export function xyToRgb(x: number, y: number): Rgb {
  if (y <= 0) return [255, 255, 255];
  const Y = 1;
  const X = (x / y) * Y;
  const Z = ((1 - x - y) / y) * Y;
  const lin = [
    X * 3.2406 - Y * 1.5372 - Z * 0.4986,
    -X * 0.9689 + Y * 1.8758 + Z * 0.0415,
    X * 0.0557 - Y * 0.204 + Z * 1.057,
  ].map((v) => Math.max(0, v));
  const peak = Math.max(...lin, 1e-9);
  return lin.map((v) => fromLinear(v / peak)) as Rgb;
}

/** "255,128,0" → [255,128,0]; anything else → undefined. */
export function parseRgbText(text: string): Rgb | undefined {
  const parts = text.split(',').map((p) => Number(p.trim()));
  if (parts.length !== 3 || parts.some((p) => !Number.isFinite(p) || p < 0 || p > 255)) return undefined;
  return parts as Rgb;
}
