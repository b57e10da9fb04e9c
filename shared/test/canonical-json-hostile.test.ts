import { describe, expect, it } from 'vitest';
import { canonicalJson, MAX_CANONICAL_DEPTH } from '../src/sync/canonical-json.ts';

/**
 * What a device must never seal (issue 12 §3): a key that does not read back as the same object
 * once copied, or nesting the central refuses. Refused when the document is made, never after it
 * has entered an append-only log that it would block.
 */
describe('canonical JSON refuses what the other end could not verify', () => {
  it('refuses a __proto__ key at any depth, and constructor.prototype', () => {
    expect(() => canonicalJson(JSON.parse('{"__proto__":{"isAdmin":true}}'))).toThrow(/__proto__/);
    expect(() => canonicalJson(JSON.parse('{"a":[{"b":{"__proto__":1}}]}'))).toThrow(/__proto__/);
    expect(() => canonicalJson(JSON.parse('{"constructor":{"prototype":{"x":1}}}'))).toThrow(/constructor/);
    // Ordinary keys that merely look alike are fine.
    expect(canonicalJson({ constructor: 'x', proto: 1, prototype: 2 })).toBe('{"constructor":"x","proto":1,"prototype":2}');
  });

  it(`writes ${MAX_CANONICAL_DEPTH} levels and refuses one more, without overflowing the stack`, () => {
    const nest = (levels: number): unknown => (levels === 1 ? [] : [nest(levels - 1)]);
    expect(() => canonicalJson(nest(MAX_CANONICAL_DEPTH))).not.toThrow();
    expect(() => canonicalJson(nest(MAX_CANONICAL_DEPTH + 1))).toThrow(/at most 64 levels/);
    let deep: unknown = 1;
    for (let i = 0; i < 50_000; i++) deep = { a: deep };
    expect(() => canonicalJson(deep)).toThrow(TypeError);
  });
});
