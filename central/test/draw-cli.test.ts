import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import { jsonSchema, runDrawCli } from '../src/draw/cli.node.ts';
import { dayInputSchema, drawResultSchema, type DayInput } from '../src/draw/day-schema.ts';
import { DrawRng } from '../src/draw/prng.ts';

const repo = join(import.meta.dirname, '..', '..');

function cli(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = runDrawCli(args, (s) => (stdout += s), (s) => (stderr += s));
  return { code, stdout, stderr };
}

const day: DayInput = {
  date: '2026-11-23',
  sites: [{ id: 'site-a', rooms: [{ id: 'r1', rows: 3, cols: 3, disabled: [] }, { id: 'r2', rows: 3, cols: 3, disabled: ['A1'] }] }],
  experts: Array.from({ length: 12 }, (_, i) => ({ id: `x${i}`, specialties: ['造价'], employer: `u${i % 4}`, sites: ['site-a'] })),
  projects: [
    { id: 'p1', category: 'engineering', techWeight: 0.3, needs: [{ specialty: '造价', count: 3 }], alternates: 1, bidders: [{ id: 'b1', name: '甲', org: 'u0' }], blind: false },
  ],
  conflicts: [],
};

describe('kawei-draw', () => {
  it('commits, draws and verifies; a changed result fails verification with exit 1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kawei-draw-cli-'));
    writeFileSync(join(dir, 'day.json'), JSON.stringify(day));
    const commit = cli(['commit', '--input', join(dir, 'day.json'), '--secret-out', join(dir, 'secret')]);
    expect(commit.code).toBe(0);
    const { commitment } = JSON.parse(commit.stdout) as { commitment: string };
    expect(cli(['draw', '--input', join(dir, 'day.json'), '--secret-file', join(dir, 'secret'), '--public-value', '42', '--out', join(dir, 'r.json')]).code).toBe(0);
    const result = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')) as { commitment: string; seats: { label: string }[] };
    expect(result.commitment).toBe(commitment); // published before, matched after
    const args = ['verify', '--input', join(dir, 'day.json'), '--secret-file', join(dir, 'secret'), '--public-value', '42', '--result', join(dir, 'r.json')];
    expect(cli(args).code).toBe(0);
    result.seats[0]!.label = result.seats[0]!.label === 'C3' ? 'C2' : 'C3';
    writeFileSync(join(dir, 'r.json'), JSON.stringify(result));
    const changed = cli(args);
    expect(changed.code).toBe(1);
    expect(changed.stdout).toMatch(/seats\[0\]\.label/);
  });

  it('says which project fails and why, and exits 1 without a result', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kawei-draw-cli-'));
    const impossible = { ...day, projects: [{ ...day.projects[0]!, needs: [{ specialty: '造价', count: 20 }] }] };
    writeFileSync(join(dir, 'day.json'), JSON.stringify(impossible));
    const out = cli(['draw', '--input', join(dir, 'day.json'), '--secret', 'ab'.repeat(32), '--out', join(dir, 'r.json')]);
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/p1/);
    const { failures } = JSON.parse(out.stdout) as { failures: { project: string; reason: string; needed: number; specialty?: string }[] };
    expect(failures[0]).toMatchObject({ project: 'p1', reason: 'too_few_experts', specialty: '造价', needed: 20, available: 9 });
    expect(failures.every((f) => f.project === 'p1')).toBe(true);
  });

  it('refuses bad files and arguments with exit 2 and a Chinese-then-English message', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kawei-draw-cli-'));
    writeFileSync(join(dir, 'bad.json'), '{"date":"not a date"');
    expect(cli(['draw', '--input', join(dir, 'bad.json'), '--secret', 'ab'.repeat(32)])).toMatchObject({ code: 2, stderr: expect.stringMatching(/不是有效的 JSON[\s\S]*not valid JSON/) });
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ ...day, date: '23/11/2026' }));
    expect(cli(['draw', '--input', join(dir, 'bad.json'), '--secret', 'ab'.repeat(32)]).code).toBe(2);
    writeFileSync(join(dir, 'day.json'), JSON.stringify(day));
    expect(cli(['draw', '--input', join(dir, 'day.json'), '--secret', 'short']).code).toBe(2);
    expect(cli(['nope']).code).toBe(2);
  });

  it('publishes JSON Schemas in docs/draw that match the code and accept real files', () => {
    for (const [file, schema] of [['day.schema.json', jsonSchema(dayInputSchema, 'input')], ['result.schema.json', jsonSchema(drawResultSchema, 'output')]] as const) {
      expect(JSON.parse(readFileSync(join(repo, 'docs/draw', file), 'utf8')), `docs/draw/${file} is stale: run npm run draw -- schema --out docs/draw`).toEqual(schema);
    }
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    expect(ajv.validate(JSON.parse(readFileSync(join(repo, 'docs/draw/day.schema.json'), 'utf8')), day)).toBe(true);
    expect(ajv.validate(JSON.parse(readFileSync(join(repo, 'docs/draw/day.schema.json'), 'utf8')), { ...day, experts: 'x' })).toBe(false);
  });
});

describe('the draw generator', () => {
  it('is xoshiro128** exactly: same outputs as the published C reference compiled here', () => {
    const rng = new DrawRng('00'.repeat(32), 'experts');
    const state = (rng as unknown as { s0: number; s1: number; s2: number; s3: number });
    const seedWords = [state.s0, state.s1, state.s2, state.s3];
    const ours = Array.from({ length: 12 }, () => rng.nextU32());
    const dir = mkdtempSync(join(tmpdir(), 'kawei-xoshiro-'));
    // The reference algorithm as published by Blackman & Vigna (xoshiro128starstar.c).
    writeFileSync(
      join(dir, 'x.c'),
      `#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
static inline uint32_t rotl(const uint32_t x, int k) { return (x << k) | (x >> (32 - k)); }
static uint32_t s[4];
uint32_t next(void) {
  const uint32_t result = rotl(s[1] * 5, 7) * 9;
  const uint32_t t = s[1] << 9;
  s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t; s[3] = rotl(s[3], 11);
  return result;
}
int main(int argc, char **argv) {
  for (int i = 0; i < 4; i++) s[i] = (uint32_t)strtoul(argv[i + 1], 0, 10);
  for (int i = 0; i < 12; i++) printf("%u\\n", next());
  return 0;
}
`,
    );
    try {
      execFileSync('cc', ['-O2', '-o', join(dir, 'x'), join(dir, 'x.c')]);
    } catch {
      console.warn('skipped: no C compiler to build the xoshiro128** reference');
      return;
    }
    const reference = execFileSync(join(dir, 'x'), seedWords.map(String), { encoding: 'utf8' }).trim().split('\n').map(Number);
    expect(ours).toEqual(reference);
  });

  it('draws integers without modulo bias and shuffles every permutation', () => {
    const rng = new DrawRng('11'.repeat(32), 'test');
    const counts = new Map<string, number>();
    for (let i = 0; i < 24_000; i++) {
      const key = rng.shuffle([1, 2, 3, 4]).join('');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(counts.size).toBe(24); // all 4! orders occur
    for (const n of counts.values()) expect(Math.abs(n - 1000)).toBeLessThan(150);
    expect(() => rng.int(0)).toThrow(RangeError);
  });
});
