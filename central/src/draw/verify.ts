import { canonicalJson } from '@kawei/shared/sync/canonical-json.ts';
import type { DayInput, DrawResult } from './day-schema.ts';
import { runDraw, type Reveal } from './run-draw.ts';

/**
 * Anyone's check of a published draw: re-run it from the input and the revealed values and compare
 * with the published result, byte for byte (canonical JSON). The differences are listed by path.
 */
export function verifyDraw(input: DayInput, reveal: Reveal, published: unknown): { ok: true } | { ok: false; diff: string[] } {
  const again = runDraw(input, reveal);
  if (!again.ok) return { ok: false, diff: again.failures.map((f) => `the input cannot be drawn: ${f.message}`) };
  if (canonicalJson(again.result) === canonicalJson(published)) return { ok: true };
  return { ok: false, diff: differences(again.result, published, '').slice(0, 50) };
}

function differences(expected: unknown, actual: unknown, path: string): string[] {
  if (canonicalJson(expected) === canonicalJson(actual)) return [];
  const bothObjects =
    typeof expected === 'object' && expected !== null && typeof actual === 'object' && actual !== null;
  if (!bothObjects || Array.isArray(expected) !== Array.isArray(actual)) {
    return [`${path || '(root)'}: expected ${short(expected)}, found ${short(actual)}`];
  }
  const keys = new Set([...Object.keys(expected as object), ...Object.keys(actual as object)]);
  return [...keys].flatMap((k) =>
    differences((expected as Record<string, unknown>)[k], (actual as Record<string, unknown>)[k], `${path}${Array.isArray(expected) ? `[${k}]` : `.${k}`}`),
  );
}

function short(value: unknown): string {
  if (value === undefined) return '(nothing)';
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

export type { DrawResult };
