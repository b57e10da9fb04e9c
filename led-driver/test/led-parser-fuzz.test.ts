import { describe, expect, it } from 'vitest';
import { createAlphaProtocol, createBxProtocol, type LedDisplayProtocol } from '../src/led-display.ts';
import { BxParser } from '../src/onbon/bx-parser.ts';
import { AlphaParser } from '../src/alpha/alpha-sign.ts';
import { LedPanelSimulator } from '../src/simulator/led-panel-simulator.ts';
import { mulberry32 as rng } from '@kawei/shared/random/mulberry32.ts';


const CASES = 20_000;
// Bytes that matter to the framings are over-represented so garbage often looks like frames.
const INTERESTING = [0xa5, 0xa6, 0x5a, 0x5b, 0x00, 0x01, 0x02, 0x03, 0x04, 0x1b, 0x01, 0x02];

function garbage(r: () => number, max: number): Uint8Array {
  const n = Math.floor(r() * max);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = r() < 0.3 ? (INTERESTING[Math.floor(r() * INTERESTING.length)] as number) : Math.floor(r() * 256);
  return out;
}

/** Feed `bytes` in random-sized chunks. */
function feed<T>(r: () => number, bytes: Uint8Array, push: (c: Uint8Array) => T[]): T[] {
  const out: T[] = [];
  for (let i = 0; i < bytes.length; ) {
    const n = 1 + Math.floor(r() * 64);
    out.push(...push(bytes.subarray(i, i + n)));
    i += n;
  }
  return out;
}

describe('parsers on arbitrary bytes (seeded)', () => {
  it(`never throw over ${CASES} random inputs`, () => {
    const r = rng(0x5eed);
    const bx = new BxParser();
    const alpha = new AlphaParser();
    const sims = [new LedPanelSimulator({ protocol: 'onbon-bx' }), new LedPanelSimulator({ protocol: 'alpha' })];
    for (let c = 0; c < CASES; c++) {
      const g = garbage(r, 200);
      expect(() => {
        bx.push(g);
        alpha.push(g);
        for (const s of sims) s.receive(g);
      }).not.toThrow();
    }
    expect(bx.stats.droppedBytes + bx.stats.rejected).toBeGreaterThan(0);
  });
});

const POOL = [...'0123456789ABCDEFGHIJZ[] 号评标室请稍候暂停开始'];

function randomText(r: () => number, ascii: boolean): string {
  const n = 1 + Math.floor(r() * 16);
  let s = '';
  for (let i = 0; i < n; i++) {
    const ch = POOL[Math.floor(r() * POOL.length)] as string;
    s += ascii && ch.charCodeAt(0) > 0x7e ? 'x' : ch;
  }
  return s;
}

function embedded(proto: () => LedDisplayProtocol, ascii: boolean, seed: number): void {
  const r = rng(seed);
  const host = proto();
  const listener = proto();
  for (let c = 0; c < CASES; c++) {
    const expected: { area: number; text: string }[] = [];
    const parts: Uint8Array[] = [];
    const frames = 1 + Math.floor(r() * 3);
    for (let k = 0; k < frames; k++) {
      parts.push(garbage(r, 40));
      const area = Math.floor(r() * 32);
      const text = randomText(r, ascii);
      expected.push({ area, text });
      parts.push(host.encodeShowText(area, text));
    }
    parts.push(garbage(r, 40));
    const wire = Uint8Array.from(parts.flatMap((p) => [...p]));
    const found = feed(r, wire, (ch) => listener.parser.push(ch));
    // Every embedded frame is found, in order; garbage may add extra (rejected) candidates only.
    let j = 0;
    for (const f of found) {
      const e = expected[j];
      if (e && f.kind === 'show' && f.area === e.area && f.text === e.text) j++;
    }
    if (j !== expected.length) throw new Error(`case ${c}: found ${j} of ${expected.length} frames`);
  }
}

describe('valid frames embedded in garbage are all found (seeded)', () => {
  it(`Onbon BX A7 06 (font area), ${CASES} cases`, () => embedded(() => createBxProtocol(), false, 0xb5));
  it(`Onbon BX A7 00 (page area), ${CASES} cases`, () => embedded(() => createBxProtocol({ textCommand: 'page' }), false, 0xb6));
  it(`Alpha, ${CASES} cases`, () => embedded(() => createAlphaProtocol({ nulCount: 5 }), true, 0xa1));
});
