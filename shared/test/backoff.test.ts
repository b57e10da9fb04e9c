import { describe, expect, it } from 'vitest';
import { Backoff } from '../src/sync/backoff.ts';

describe('back-off with full jitter', () => {
  it('doubles its ceiling per failure up to the maximum, and jitters below it', () => {
    const ceilings: number[] = [];
    const top = new Backoff(100, 1000, () => 0.999999);
    for (let i = 0; i < 6; i++) ceilings.push(top.next());
    expect(ceilings).toEqual([99, 199, 399, 799, 999, 999]);
    const bottom = new Backoff(100, 1000, () => 0);
    expect([bottom.next(), bottom.next()]).toEqual([0, 0]);
  });

  it('starts over after a success', () => {
    const b = new Backoff(100, 1000, () => 0.5);
    b.next();
    b.next();
    b.reset();
    expect(b.next()).toBe(50);
  });
});
