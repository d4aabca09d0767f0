/**
 * SHA-1 (FIPS 180-4, https://doi.org/10.6028/NIST.FIPS.180-4 §6.1) of a
 * message that fits one 64-byte block (at most 55 bytes), written as base64
 * (RFC 4648 §4) straight into an output buffer. The Community ID hash input
 * is 12 to 40 bytes, so each line's ID is one block: done here, it makes no
 * Buffer, no hash object and no string, where `crypto.hash` makes all three
 * per call. Checked against node:crypto in test/unit/enrich/sha1.test.ts.
 */
import type { ByteWriter } from '../output/byte-writer.ts';

/** Longest message one padded block holds: 64 - 1 (0x80) - 8 (length). */
const MAX_ONE_BLOCK_BYTES = 55;

/** Base64 characters of a 20-byte digest: 27 and one `=`. */
const DIGEST_BASE64_CHARS = 28;

/** The message schedule, reused. */
const W = new Int32Array(80);

/** The digest of the last call, big-endian words. */
const H = new Int32Array(5);

/** RFC 4648 base64 alphabet by 6-bit value. */
const BASE64 = Buffer.from(
  'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/',
  'latin1'
);

/** Fills W[0..15] with the padded block of `input[0, length)`. */
function loadBlock(input: Uint8Array, length: number): void {
  W.fill(0, 0, 16);
  for (let at = 0; at < length; at++) {
    const i = at >> 2;
    W[i] = W[i]! | (input[at]! << (24 - 8 * (at & 3)));
  }
  const last = length >> 2;
  W[last] = W[last]! | (0x80 << (24 - 8 * (length & 3)));
  W[15] = length * 8; // bit length; W[14], its high word, stays 0
}

/** SHA-1 of one padded block into {@link H}. */
function compress(): void {
  for (let t = 16; t < 80; t++) {
    const x = W[t - 3]! ^ W[t - 8]! ^ W[t - 14]! ^ W[t - 16]!;
    W[t] = (x << 1) | (x >>> 31);
  }
  let a = 0x67452301;
  let b = 0xefcdab89 | 0;
  let c = 0x98badcfe | 0;
  let d = 0x10325476;
  let e = 0xc3d2e1f0 | 0;
  // The four 20-round stages, each with its function f and constant K.
  for (let t = 0; t < 20; t++) {
    const f = (b & c) | (~b & d);
    const temp = (((a << 5) | (a >>> 27)) + f + e + 0x5a827999 + W[t]!) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = temp;
  }
  for (let t = 20; t < 40; t++) {
    const f = b ^ c ^ d;
    const temp = (((a << 5) | (a >>> 27)) + f + e + 0x6ed9eba1 + W[t]!) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = temp;
  }
  for (let t = 40; t < 60; t++) {
    const f = (b & c) | (b & d) | (c & d);
    const temp =
      (((a << 5) | (a >>> 27)) + f + e + (0x8f1bbcdc | 0) + W[t]!) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = temp;
  }
  for (let t = 60; t < 80; t++) {
    const f = b ^ c ^ d;
    const temp =
      (((a << 5) | (a >>> 27)) + f + e + (0xca62c1d6 | 0) + W[t]!) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = temp;
  }
  H[0] = (0x67452301 + a) | 0;
  H[1] = ((0xefcdab89 | 0) + b) | 0;
  H[2] = ((0x98badcfe | 0) + c) | 0;
  H[3] = (0x10325476 + d) | 0;
  H[4] = ((0xc3d2e1f0 | 0) + e) | 0;
}

/** Byte `i` (0-19) of the digest in {@link H}. */
function digestByte(i: number): number {
  return (H[i >> 2]! >>> (24 - 8 * (i & 3))) & 0xff;
}

/**
 * Appends base64(SHA-1(`input[0, length)`)), 28 characters, to `out`.
 *
 * @param length - 0 to 55 bytes
 * @throws RangeError when `length` does not fit one block (a caller bug)
 * @example writeSha1Base64(Buffer.from('abc'), 3, out) // qZk+NkcGgWq6PiVxeFDCbJzQ2J0=
 */
function writeSha1Base64(
  input: Uint8Array,
  length: number,
  out: ByteWriter
): void {
  if (length > MAX_ONE_BLOCK_BYTES) {
    throw new RangeError(
      `writeSha1Base64: ${length} bytes do not fit one block (at most ${MAX_ONE_BLOCK_BYTES})`
    );
  }
  loadBlock(input, length);
  compress();
  out.reserve(DIGEST_BASE64_CHARS);
  const target = out.buffer;
  let at = out.length;
  for (let i = 0; i < 18; i += 3) {
    const n =
      (digestByte(i) << 16) | (digestByte(i + 1) << 8) | digestByte(i + 2);
    target[at++] = BASE64[n >>> 18]!;
    target[at++] = BASE64[(n >>> 12) & 63]!;
    target[at++] = BASE64[(n >>> 6) & 63]!;
    target[at++] = BASE64[n & 63]!;
  }
  const n = (digestByte(18) << 8) | digestByte(19);
  target[at++] = BASE64[n >>> 10]!;
  target[at++] = BASE64[(n >>> 4) & 63]!;
  target[at++] = BASE64[(n << 2) & 63]!;
  target[at++] = 0x3d; // =
  out.length = at;
}

export { MAX_ONE_BLOCK_BYTES, writeSha1Base64 };
