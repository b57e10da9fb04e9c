import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTool } from '../../../tests/support/require-tool.node.ts';
import { sm3 } from '../../src/signing/sm3.ts';
import { openssl } from './sm2-openssl.node.ts';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('SM3 (GB/T 32905)', () => {
  it('gives the standard’s two examples: "abc" and "abcd" × 16', () => {
    expect(hex(sm3(ascii('abc')))).toBe('66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0');
    expect(hex(sm3(ascii('abcd'.repeat(16))))).toBe('debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732');
  });

  it('is 32 bytes for the empty input and does not touch its input', () => {
    const input = Uint8Array.of(1, 2, 3);
    expect(sm3(new Uint8Array(0))).toHaveLength(32);
    sm3(input);
    expect([...input]).toEqual([1, 2, 3]);
    // a view into a larger buffer hashes only its own bytes
    const big = Uint8Array.of(9, 9, ...ascii('abc'), 9);
    expect(hex(sm3(big.subarray(2, 5)))).toBe(hex(sm3(ascii('abc'))));
  });
});

describe('SM3 against openssl dgst -sm3', () => {
  beforeAll(() => requireTool('openssl-sm2'));
  const dir = mkdtempSync(join(tmpdir(), 'kawei-sm3-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('agrees on random inputs of every length 0..300 (block boundaries 55/56/63/64/65 included) and a few large ones', async () => {
    const lengths = [...Array.from({ length: 301 }, (_, i) => i), 1000, 4096 + 7, 1024 * 1024 + 3];
    const files = lengths.map((length, i) => {
      const name = `in-${i}-${length}.bin`;
      const data = new Uint8Array(randomBytes(length));
      writeFileSync(join(dir, name), data);
      return { name, data };
    });
    // One openssl run for all files: `-r` prints "<hex> *<file>" per file.
    const result = await openssl(['dgst', '-sm3', '-r', ...files.map((f) => f.name)], dir);
    expect(result.ok, result.output).toBe(true);
    const theirs = new Map(
      result.stdout
        .trim()
        .split('\n')
        .map((line) => {
          const [digest, file] = line.trim().split(/\s+\*?/);
          return [file!, digest!] as const;
        }),
    );
    expect(theirs.size).toBe(files.length);
    for (const f of files) expect(hex(sm3(f.data)), f.name).toBe(theirs.get(f.name));
  });
});
