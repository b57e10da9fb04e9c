/**
 * Reading the committee's record the way an operator does: `kawei-central results --project P --json`
 * (the state, the matrix, the flags, the ranking, code names only), and the refusals the central's
 * ledger keeps for booth events it would not count. The JSON is read loosely on purpose (the
 * central's own shape is its business); what the tests assert is named here once.
 */
import type { CommitteeStack } from './committee-stack.node.ts';

export type Json = Record<string, unknown>;

export async function resultsJson(stack: CommitteeStack, project: string): Promise<Json> {
  return (await stack.results(project)) as Json;
}

/** Every object anywhere in `value` (depth first), for finding records whatever they are nested in. */
export function objectsIn(value: unknown): Json[] {
  const out: Json[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === 'object') {
      out.push(v as Json);
      Object.values(v).forEach(walk);
    }
  };
  walk(value);
  return out;
}

/** The refusals the record holds: objects with a `reason` among the committee's refusal reasons. */
export function refusalsIn(record: unknown): Json[] {
  const reasons = new Set(['not_seated', 'replaced', 'wrong_stage', 'stale_revision', 'already_submitted', 'not_chair', 'chair_already_named', 'rules_changed', 'malformed', 'invalid_sheet', 'unknown_bid', 'unknown_candidate', 'blocked']);
  return objectsIn(record).filter((o) => typeof o['reason'] === 'string' && reasons.has(o['reason']) && ('seq' in o || 'device' in o || 'type' in o));
}
