import { describe, expect, it } from 'vitest';
import { parseChipReplies } from '../../src/devices/voice/chip-status.ts';
import { SYN6288_STATUS, SYN6288_STOP, Syn6288Parser, encodeSyn6288Text } from '../../src/devices/voice/syn6288.ts';
import { XFS5152_STATUS, Xfs5152Parser, encodeXfs5152Text } from '../../src/devices/voice/xfs5152.ts';
import { mulberry32 as rng } from '../../src/random/mulberry32.ts';


const CASES = 20_000;
const CHARS = [...'请到3号评标室A5号卡位专家签到开标一二三四五六七八九十abcXYZ0123456789，。'];

function randomBytes(next: () => number, max: number, avoidFd: boolean): Uint8Array {
  const out = new Uint8Array(Math.floor(next() * max));
  for (let i = 0; i < out.length; i++) {
    // Bias towards header and small length bytes so that false starts are common.
    const r = next();
    let b = r < 0.1 ? 0xfd : r < 0.2 ? 0x00 : r < 0.25 ? 0x02 : Math.floor(next() * 256);
    if (avoidFd && b === 0xfd) b = 0x00;
    out[i] = b;
  }
  return out;
}

function randomText(next: () => number): string {
  const n = 1 + Math.floor(next() * 40);
  let s = '';
  for (let i = 0; i < n; i++) s += CHARS[Math.floor(next() * CHARS.length)] ?? 'x';
  return s;
}

const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

/** Feeds `bytes` in random chunks, then flushes; returns the raw frames found. */
function feed(
  parser: { push(b: Uint8Array): { raw: Uint8Array }[]; flush(): { raw: Uint8Array }[] },
  bytes: Uint8Array,
  next: () => number,
): Uint8Array[] {
  const found: Uint8Array[] = [];
  let i = 0;
  while (i < bytes.length) {
    const n = 1 + Math.floor(next() * 16);
    for (const f of parser.push(bytes.subarray(i, i + n))) found.push(f.raw);
    i += n;
  }
  for (const f of parser.flush()) found.push(f.raw);
  return found;
}

const contains = (frames: Uint8Array[], frame: Uint8Array): boolean =>
  frames.some((f) => f.length === frame.length && f.every((b, k) => b === frame[k]));

/** Whether `part` occurs inside `whole`. */
const within = (whole: Uint8Array, part: Uint8Array): boolean => {
  for (let i = 0; i + part.length <= whole.length; i++) {
    if (part.every((b, k) => b === whole[i + k])) return true;
  }
  return false;
};

describe('voice parsers under arbitrary bytes (seeded)', () => {
  it(`SYN6288: ${CASES} random streams never throw, and a valid frame inside garbage is found`, () => {
    const next = rng(0x6288);
    let missed = 0;
    let straddled = 0;
    for (let c = 0; c < CASES; c++) {
      const frame = next() < 0.8 ? encodeSyn6288Text(randomText(next), { music: Math.floor(next() * 16) }) : next() < 0.5 ? SYN6288_STATUS : SYN6288_STOP;
      const before = randomBytes(next, 48, false);
      const after = randomBytes(next, 48, false);
      const found = feed(new Syn6288Parser(), concat(before, frame, after), next);
      if (contains(found, frame)) continue;
      missed++;
      // A one-byte XOR cannot tell a frame from garbage that happens to form a valid frame running
      // into the real one; such a miss must be explained by exactly that straddling frame.
      if (found.some((f) => !within(before, f) && !within(after, f))) straddled++;
    }
    expect(missed).toBe(straddled);
    expect(missed).toBeLessThanOrEqual(CASES / 2000);
  });

  it(`XFS5152: ${CASES} random streams never throw; a frame inside FD-free garbage is found`, () => {
    const next = rng(0x5152);
    let missed = 0;
    for (let c = 0; c < CASES; c++) {
      const frame = next() < 0.8 ? encodeXfs5152Text(randomText(next), { volume: Math.floor(next() * 11) }) : XFS5152_STATUS;
      // With no check byte, garbage that itself looks like a frame header can swallow what follows:
      // the property is stated for garbage without 0xFD (the arbitrary-bytes case is the next test).
      const stream = concat(randomBytes(next, 48, true), frame, randomBytes(next, 48, true));
      if (!contains(feed(new Xfs5152Parser(), stream, next), frame)) missed++;
    }
    expect(missed).toBe(0);
  });

  it(`both parsers and the reply parser take ${CASES} fully arbitrary streams without throwing`, () => {
    const next = rng(42);
    for (let c = 0; c < CASES; c++) {
      const bytes = randomBytes(next, 300, false);
      expect(() => {
        feed(new Syn6288Parser(), bytes, next);
        feed(new Xfs5152Parser(), bytes, next);
        parseChipReplies(bytes);
      }).not.toThrow();
    }
  });
});
