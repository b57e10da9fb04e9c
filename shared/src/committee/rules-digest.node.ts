import { createHash } from 'node:crypto';
import { canonicalJson, type JsonValue } from '../sync/canonical-json.ts';
import type { EvaluationRules } from './evaluation-rules.ts';

/**
 * The rules' fingerprint: SHA-256 (hex) of the canonical JSON of the rules as parsed (defaults filled
 * in). Booth and central compute it the same way; every signed stage document carries it, so a sheet
 * made under other rules than the committee's is recognised and refused.
 */
export function rulesSha256(rules: EvaluationRules): string {
  return createHash('sha256')
    .update(canonicalJson(rules as unknown as JsonValue))
    .digest('hex');
}
