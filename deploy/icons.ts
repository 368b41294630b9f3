// Draws the app icons: a licence card with a check mark. `npx tsx deploy/icons.ts` rewrites
// deploy/appPackage/color.png (192×192, full colour) and outline.png (32×32, white on transparent), as
// https://learn.microsoft.com/microsoftteams/platform/concepts/build-and-test/apps-package#app-icons asks.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { encodePng, type Image } from './png';

const BRAND = [0x29, 0x5b, 0xc8]; // the colour icon's background

type Point = [number, number];

function segmentDistance(p: Point, a: Point, b: Point): number {
  const [px, py] = [p[0] - a[0], p[1] - a[1]];
  const [dx, dy] = [b[0] - a[0], b[1] - a[1]];
  const t = Math.max(0, Math.min(1, (px * dx + py * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - t * dx, py - t * dy);
}

/** Signed distance to a rounded rectangle centred at 0.5, 0.5. */
function roundedRect(p: Point, halfW: number, halfH: number, r: number): number {
  const qx = Math.abs(p[0] - 0.5) - halfW + r;
  const qy = Math.abs(p[1] - 0.5) - halfH + r;
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r;
}

/** How much of the glyph covers a point of the unit square (inside = true). */
function inGlyph(p: Point): boolean {
  const card = Math.abs(roundedRect(p, 0.4, 0.3, 0.07)) <= 0.045;
  const check = segmentDistance(p, [0.31, 0.5], [0.44, 0.63]) <= 0.05 || segmentDistance(p, [0.44, 0.63], [0.69, 0.38]) <= 0.05;
  return card || check;
}

/** Renders the glyph at `scale` of the square, 4×4 supersampled; returns coverage 0–1 per pixel. */
function coverage(size: number, scale: number): Float64Array {
  const out = new Float64Array(size * size);
  const n = 4;
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      let hits = 0;
      for (let sy = 0; sy < n; sy++)
        for (let sx = 0; sx < n; sx++) {
          const u = ((x + (sx + 0.5) / n) / size - 0.5) / scale + 0.5;
          const v = ((y + (sy + 0.5) / n) / size - 0.5) / scale + 0.5;
          if (inGlyph([u, v])) hits++;
        }
      out[y * size + x] = hits / (n * n);
    }
  return out;
}

export function drawIcons(): { color: Image; outline: Image } {
  const outlineCover = coverage(32, 1);
  const outline = new Uint8Array(32 * 32 * 4);
  outlineCover.forEach((c, i) => outline.set(c > 0 ? [255, 255, 255, Math.round(c * 255)] : [0, 0, 0, 0], i * 4));
  const colorCover = coverage(192, 0.7);
  const color = new Uint8Array(192 * 192 * 4);
  colorCover.forEach((c, i) => color.set([...BRAND.map((b) => Math.round(b + (255 - b) * c)), 255], i * 4));
  return { color: { width: 192, height: 192, pixels: color }, outline: { width: 32, height: 32, pixels: outline } };
}

if (require.main === module) {
  const dir = path.join(__dirname, 'appPackage');
  const { color, outline } = drawIcons();
  writeFileSync(path.join(dir, 'color.png'), encodePng(color));
  writeFileSync(path.join(dir, 'outline.png'), encodePng(outline));
  console.log(`Wrote ${dir}/color.png and outline.png`);
}
