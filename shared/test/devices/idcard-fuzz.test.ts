import { describe, expect, it } from 'vitest';
import { encodeReadPayload, encodeResponse, ResponseParser, RequestParser, encodeRequest } from '../../src/devices/idcard/idcard-protocol.ts';
import { mulberry32 as rng } from '../../src/random/mulberry32.ts';


const CASES = 20_000;
const FRAGMENTS = [[0xaa], [0xaa, 0xaa], [0xaa, 0xaa, 0xaa], [0xaa, 0xaa, 0xaa, 0x96], [0x96, 0x69], [0xaa, 0xaa, 0xaa, 0x96, 0x69, 0xff, 0xff]];

function garbage(r: () => number, max: number): number[] {
  const out: number[] = [];
  const n = Math.floor(r() * max);
  while (out.length < n) {
    if (r() < 0.15) out.push(...(FRAGMENTS[Math.floor(r() * FRAGMENTS.length)] ?? []));
    else out.push(Math.floor(r() * 256));
  }
  return out;
}

function randomFrame(r: () => number): Uint8Array {
  const kind = r();
  if (kind < 0.1) {
    const text = new Uint8Array(256).map(() => Math.floor(r() * 256));
    const photo = new Uint8Array(1024).map(() => Math.floor(r() * 256));
    return encodeResponse(0x90, encodeReadPayload(text, photo));
  }
  const data = new Uint8Array(Math.floor(r() * 20)).map(() => Math.floor(r() * 256));
  return encodeResponse(Math.floor(r() * 256), data);
}

function feed(p: ResponseParser, bytes: Uint8Array, r: () => number): string[] {
  const found: string[] = [];
  let i = 0;
  while (i < bytes.length) {
    const n = 1 + Math.floor(r() * 300);
    for (const e of p.push(bytes.subarray(i, i + n))) if (e.kind === 'frame') found.push(Buffer.from(e.frame.raw).toString('hex'));
    i += n;
  }
  return found;
}

describe('ID card parser property tests (seeded)', () => {
  it(`never throws on ${CASES} arbitrary byte streams, fed in random chunks`, () => {
    const r = rng(0x1dca2d);
    const p = new ResponseParser();
    const q = new RequestParser();
    for (let c = 0; c < CASES; c++) {
      const bytes = Uint8Array.from(garbage(r, 400));
      expect(() => feed(p, bytes, r)).not.toThrow();
      expect(() => q.push(bytes)).not.toThrow();
      expect(p.buffered).toBeLessThanOrEqual(4096 + 7);
    }
  });

  it(`finds every valid frame embedded in garbage (${CASES} cases)`, () => {
    const r = rng(0x96690001);
    for (let c = 0; c < CASES; c++) {
      const p = new ResponseParser();
      const expected: string[] = [];
      const stream: number[] = [];
      const count = 1 + Math.floor(r() * 3);
      for (let k = 0; k < count; k++) {
        stream.push(...garbage(r, 60));
        const f = randomFrame(r);
        expected.push(Buffer.from(f).toString('hex'));
        stream.push(...f);
      }
      stream.push(...garbage(r, 20).filter((b) => b !== 0xaa));
      const found = feed(p, Uint8Array.from(stream), r);
      // Every real frame appears, in order (a chance-valid frame inside garbage may also appear).
      let j = 0;
      for (const f of found) if (f === expected[j]) j++;
      if (j !== expected.length) throw new Error(`case ${c}: found ${j}/${expected.length}`);
    }
  });

  it('parses request frames in garbage on the device side', () => {
    const r = rng(7);
    for (let c = 0; c < 2000; c++) {
      const q = new RequestParser();
      const cmd = Math.floor(r() * 256);
      const para = Math.floor(r() * 256);
      const bytes = Uint8Array.from([...garbage(r, 50), ...encodeRequest(cmd, para)]);
      const got = q.push(bytes);
      expect(got.some((g) => g.command === cmd && g.parameter === para)).toBe(true);
    }
  });
});
