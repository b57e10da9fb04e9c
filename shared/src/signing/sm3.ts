/**
 * SM3 (GB/T 32905-2016, GM/T 0004-2012): the 国密 hash, 256-bit output, Merkle–Damgård over 64-byte
 * blocks with the same padding as SHA-256. Our own implementation, pure JS (Electron's BoringSSL has
 * no SM3), one-shot only: the signing layer hashes whole documents, attributes and certificates.
 * Checked against the standard's two examples and against `openssl dgst -sm3` (sm3.test.ts).
 */

const IV = Uint32Array.of(0x7380166f, 0x4914b2b9, 0x172442d7, 0xda8a0600, 0xa96f30bc, 0x163138aa, 0xe38dee4d, 0xb0fb0e4e);

const rotl = (x: number, n: number): number => ((x << (n & 31)) | (x >>> (32 - (n & 31)))) >>> 0;
const p0 = (x: number): number => (x ^ rotl(x, 9) ^ rotl(x, 17)) >>> 0;
const p1 = (x: number): number => (x ^ rotl(x, 15) ^ rotl(x, 23)) >>> 0;

/** T_j rotated left by j, precomputed for the 64 rounds. */
const T_ROT = Uint32Array.from({ length: 64 }, (_, j) => rotl(j < 16 ? 0x79cc4519 : 0x7a879d8a, j % 32));

export const SM3_DIGEST_LENGTH = 32;

export function sm3(data: Uint8Array): Uint8Array {
  // Padding: 0x80, zeros up to 56 mod 64, then the bit length as a 64-bit big-endian integer.
  const blocks = Math.ceil((data.length + 9) / 64);
  const padded = new Uint8Array(blocks * 64);
  padded.set(data);
  padded[data.length] = 0x80;
  const view = new DataView(padded.buffer);
  const bits = data.length * 8; // < 2^53 for any array that fits in memory
  view.setUint32(padded.length - 8, Math.floor(bits / 0x1_0000_0000));
  view.setUint32(padded.length - 4, bits >>> 0);

  const v = IV.slice();
  const w = new Uint32Array(68);
  const w1 = new Uint32Array(64);
  for (let offset = 0; offset < padded.length; offset += 64) {
    for (let i = 0; i < 16; i++) w[i] = view.getUint32(offset + i * 4);
    for (let i = 16; i < 68; i++) {
      w[i] = (p1(w[i - 16]! ^ w[i - 9]! ^ rotl(w[i - 3]!, 15)) ^ rotl(w[i - 13]!, 7) ^ w[i - 6]!) >>> 0;
    }
    for (let i = 0; i < 64; i++) w1[i] = (w[i]! ^ w[i + 4]!) >>> 0;

    let a = v[0]!, b = v[1]!, c = v[2]!, d = v[3]!, e = v[4]!, f = v[5]!, g = v[6]!, h = v[7]!;
    for (let j = 0; j < 64; j++) {
      const a12 = rotl(a, 12);
      const ss1 = rotl((a12 + e + T_ROT[j]!) >>> 0, 7);
      const ss2 = (ss1 ^ a12) >>> 0;
      const ff = j < 16 ? a ^ b ^ c : (a & b) | (a & c) | (b & c);
      const gg = j < 16 ? e ^ f ^ g : (e & f) | (~e & g);
      const tt1 = (ff + d + ss2 + w1[j]!) >>> 0;
      const tt2 = (gg + h + ss1 + w[j]!) >>> 0;
      d = c;
      c = rotl(b, 9);
      b = a;
      a = tt1;
      h = g;
      g = rotl(f, 19);
      f = e;
      e = p0(tt2);
    }
    const next = [a, b, c, d, e, f, g, h];
    for (let i = 0; i < 8; i++) v[i] = v[i]! ^ next[i]!;
  }

  const out = new Uint8Array(SM3_DIGEST_LENGTH);
  const outView = new DataView(out.buffer);
  for (let i = 0; i < 8; i++) outView.setUint32(i * 4, v[i]!);
  return out;
}
