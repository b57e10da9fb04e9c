import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../src/sync/canonical-json.ts';

describe('canonical JSON', () => {
  it('sorts keys at every depth and writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'x' } })).toBe('{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}');
  });

  it('gives the same text for the same value however it was built', () => {
    const one = JSON.parse('{"名称":"投标人甲","score":{"tech":30.5,"price":20}}');
    const two = { score: { price: 20, tech: 30.5 }, 名称: '投标人甲' };
    expect(canonicalJson(one)).toBe(canonicalJson(two));
  });

  it('refuses what JSON would silently change', () => {
    for (const bad of [{ a: undefined }, { a: NaN }, { a: Infinity }, { a: () => 1 }, new Date(0), { a: 1n }]) {
      expect(() => canonicalJson(bad)).toThrow(TypeError);
    }
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow(/cycle/);
  });

  it('allows the same object twice when it is not a cycle', () => {
    const shared = { x: 1 };
    expect(canonicalJson({ a: shared, b: shared })).toBe('{"a":{"x":1},"b":{"x":1}}');
  });
});
