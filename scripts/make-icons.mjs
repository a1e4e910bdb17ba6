// Draws the app icons (a house with a glowing hearth) as PNGs with no image library: RGBA pixels,
// zlib-deflated into a minimal PNG. Run once; the PNGs are committed under hub/web/static/.
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (buf) => {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type, data) => {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
};

function icon(size) {
  const px = (x, y) => {
    const u = x / size;
    const v = y / size;
    const bg = [31, 41, 55];
    const roofTop = 0.22;
    const inRoof = v >= roofTop && v <= 0.48 && Math.abs(u - 0.5) <= (v - roofTop) * 1.25;
    const inWalls = v > 0.46 && v <= 0.8 && u >= 0.27 && u <= 0.73;
    const inFire = v > 0.58 && v <= 0.8 && Math.abs(u - 0.5) <= (v - 0.58) * 0.9 + 0.02;
    if (inFire) return [249, 115, 22];
    if (inRoof || inWalls) return [245, 239, 230];
    return bg;
  };
  const raw = Buffer.alloc((size * 4 + 1) * size);
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    for (let x = 0; x < size; x++) {
      const [r, g, b] = px(x, y);
      raw.set([r, g, b, 255], y * (size * 4 + 1) + 1 + x * 4);
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

for (const size of [192, 512])
  writeFileSync(new URL(`../hub/web/static/icon-${size}.png`, import.meta.url), icon(size));
