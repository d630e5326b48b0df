#!/usr/bin/env node
// Writes assets/icon.png (512×512 RGBA): an Airy-like PSF on a dark rounded square, circled by a
// two-arrow "cycle" ring. Pure Node (zlib + CRC), no downloads: `node assets/make-icon.mjs`.
import { deflateSync } from 'node:zlib';
import { writeFileSync, renameSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const N = 512;
const px = new Uint8Array(N * N * 4);

function crc32(buf) {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
function besselJ1(x) {
  // Numerical integral J1(x) = 1/π ∫0^π cos(t − x sin t) dt (accurate enough for an icon).
  let s = 0;
  const m = 64;
  for (let i = 0; i < m; i++) {
    const t = ((i + 0.5) / m) * Math.PI;
    s += Math.cos(t - x * Math.sin(t));
  }
  return s / m;
}
function blend(i, r, g, b, a) {
  px[i] = px[i] * (1 - a) + r * a;
  px[i + 1] = px[i + 1] * (1 - a) + g * a;
  px[i + 2] = px[i + 2] * (1 - a) + b * a;
}

const c = (N - 1) / 2;
for (let y = 0; y < N; y++) {
  for (let x = 0; x < N; x++) {
    const i = (y * N + x) * 4;
    // Rounded square with antialiased edge.
    const dx = Math.max(Math.abs(x - c) - (N / 2 - 96), 0);
    const dy = Math.max(Math.abs(y - c) - (N / 2 - 96), 0);
    const edge = 88 - Math.hypot(dx, dy);
    const alpha = Math.min(Math.max(edge + 0.5, 0), 1);
    const shade = 30 - 10 * (y / N);
    px[i] = shade; px[i + 1] = shade + 3; px[i + 2] = shade + 8; px[i + 3] = Math.round(alpha * 255);
    // Airy pattern (log-ish display) in the centre.
    const r = Math.hypot(x - c, y - c);
    const v = r < 1e-6 ? 0.5 : besselJ1(r / 14) / (r / 14);
    const airy = Math.pow(4 * v * v, 0.35);
    if (r < 170) blend(i, 90 + 160 * airy, 200 + 55 * airy, 255, Math.min(airy, 1) * alpha);
    // Cycle ring: two arcs with a gap, each ending in an arrow head.
    const ang = Math.atan2(y - c, x - c);
    const inGap = Math.abs(Math.sin(ang)) > 0.97;
    const ringD = Math.abs(r - 196);
    if (ringD < 9 && !inGap) blend(i, 255, 176, 64, Math.min(9 - ringD, 1) * alpha);
  }
}
// Arrow heads at the two gaps (top going right, bottom going left).
for (const [ax, ay, dir] of [[c + 40, c - 196, 1], [c - 40, c + 196, -1]]) {
  for (let y = -26; y <= 26; y++) {
    for (let x = 0; x <= 30; x++) {
      if (Math.abs(y) <= 26 - x * 0.87) {
        const X = Math.round(ax + dir * x), Y = Math.round(ay + y);
        blend((Y * N + X) * 4, 255, 176, 64, 1);
      }
    }
  }
}

const raw = Buffer.alloc((N * 4 + 1) * N);
for (let y = 0; y < N; y++) {
  raw[y * (N * 4 + 1)] = 0;
  Buffer.from(px.buffer, y * N * 4, N * 4).copy(raw, y * (N * 4 + 1) + 1);
}
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(N, 0); ihdr.writeUInt32BE(N, 4);
ihdr[8] = 8; ihdr[9] = 6; ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0;
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0)),
]);
const target = fileURLToPath(new URL('./icon.png', import.meta.url));
writeFileSync(target + '.tmp', png);
renameSync(target + '.tmp', target);
console.log(`wrote ${target} (${png.length} bytes)`);
