// The few DER (ASN.1) encodings an X.509 certificate needs, and a reader for the fields the hub
// takes back out of one. Enough for the certificates the hub issues itself; not a general parser.

/** One encoded element: tag, length, content. */
export function tlv(tag: number, content: Buffer): Buffer {
  const n = content.length;
  if (n < 0x80) return Buffer.concat([Buffer.from([tag, n]), content]);
  const len: number[] = [];
  for (let rest = n; rest > 0; rest = Math.floor(rest / 256)) len.unshift(rest % 256);
  return Buffer.concat([Buffer.from([tag, 0x80 | len.length, ...len]), content]);
}

export const seq = (...items: Buffer[]) => tlv(0x30, Buffer.concat(items));
export const set = (...items: Buffer[]) => tlv(0x31, Buffer.concat(items));
export const octets = (content: Buffer) => tlv(0x04, content);
export const bool = (value: boolean) => tlv(0x01, Buffer.from([value ? 0xff : 0]));
/** A context-specific tag: constructed for EXPLICIT wrappers, primitive for IMPLICIT strings. */
export const tagged = (n: number, content: Buffer, constructed = true) =>
  tlv((constructed ? 0xa0 : 0x80) | n, content);

/** A non-negative INTEGER from its big-endian bytes, in the minimal form DER demands. */
export function uint(bytes: Buffer): Buffer {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  const body = bytes.subarray(i);
  return tlv(0x02, (body[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), body]) : body);
}

export function oid(dotted: string): Buffer {
  const [a = 0, b = 0, ...rest] = dotted.split('.').map(Number);
  const out = [40 * a + b];
  for (const arc of rest) {
    const groups = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) groups.unshift(0x80 | (v & 0x7f));
    out.push(...groups);
  }
  return tlv(0x06, Buffer.from(out));
}

/** A named-bit BIT STRING (key usage): bit 0 is the most significant; trailing zeros dropped. */
export function namedBits(bits: number[]): Buffer {
  const last = Math.max(...bits);
  const bytes = Buffer.alloc(Math.floor(last / 8) + 1);
  for (const b of bits) bytes[b >> 3] = (bytes[b >> 3] ?? 0) | (0x80 >> (b & 7));
  return tlv(0x03, Buffer.concat([Buffer.from([7 - (last & 7)]), bytes]));
}

export const bitString = (content: Buffer) => tlv(0x03, Buffer.concat([Buffer.from([0]), content]));

/** PrintableString when the text allows it, else UTF8String (as other X.509 writers choose). */
export const directoryString = (text: string) =>
  tlv(/^[A-Za-z0-9 '()+,\-./:=?]*$/.test(text) ? 0x13 : 0x0c, Buffer.from(text, 'utf8'));

/** UTCTime through 2049, GeneralizedTime after (RFC 5280 4.1.2.5), to the second, in UTC. */
export function time(at: Date): Buffer {
  const iso = at.toISOString().replace(/[-:T]|\.\d+/g, '');
  return at.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(iso.slice(2))) : tlv(0x18, Buffer.from(iso));
}

export interface Element {
  tag: number;
  /** The whole element, tag and length included. */
  raw: Buffer;
  content: Buffer;
}

/** The elements inside a constructed element's content, in order. */
export function children(content: Buffer): Element[] {
  const out: Element[] = [];
  let i = 0;
  while (i < content.length) {
    const tag = content[i] ?? 0;
    let len = content[i + 1] ?? 0;
    let start = i + 2;
    if (len & 0x80) {
      const count = len & 0x7f;
      len = 0;
      for (let k = 0; k < count; k++) len = len * 256 + (content[start + k] ?? 0);
      start += count;
    }
    if (start + len > content.length) throw new Error('truncated DER element');
    out.push({ tag, raw: content.subarray(i, start + len), content: content.subarray(start, start + len) });
    i = start + len;
  }
  return out;
}
