/**
 * Synthetic committees for the committee-state tests: a rule set, an opening record, seated members,
 * the booth documents they sign (with fake signatures: the committee does not check CMS), and a
 * `committeeRun` that plays the central's loop — judge each booth event or operator act against the
 * state, append `committee.accepted` / `committee.refused` or the act's entry to a ledger, apply it.
 */
import { createHash } from 'node:crypto';
import {
  COMMITTEE_EVENTS,
  REVIEW_EVENTS,
  committeeOpenedPayloadSchema,
  type CommitteeMember,
  type CommitteeOpenedPayload,
  type RefusalReason,
} from '@kawei/shared/committee/committee-events.ts';
import { evaluationRulesSchema, type EvaluationRules, type EvaluationRulesInput, type OpeningBid } from '@kawei/shared/committee/evaluation-rules.ts';
import { rulesSha256 } from '@kawei/shared/committee/rules-digest.node.ts';
import { canonicalJson } from '@kawei/shared/sync/canonical-json.ts';
import {
  applyLedgerEntry,
  judgeBoothEvent,
  judgeOperatorAct,
  openCommitteeState,
  type BoothEventJudgement,
  type BoothEventRecord,
  type CommitteeState,
  type LedgerEntry,
  type OperatorAct,
  type OperatorActJudgement,
} from '../../src/committee/committee-state.ts';

export const DATE = '2026-12-07';
export const PROJECT = 'P-2026-001';

export const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

export const COMPREHENSIVE: EvaluationRulesInput = {
  method: 'comprehensive',
  preliminary: [
    { id: 'licence', name: 'Licence', kind: 'qualification' },
    { id: 'bond', name: 'Bid bond', kind: 'conformity' },
  ],
  groups: [
    { id: 'tech', name: 'Technical' },
    { id: 'biz', name: 'Business' },
    { id: 'price', name: 'Price' },
  ],
  items: [
    { id: 'plan', group: 'tech', name: 'Plan', kind: 'subjective', max: 30, tiers: [{ label: 'A', min: 24, max: 30 }, { label: 'B', min: 12, max: 23.5 }, { label: 'C', min: 0, max: 11.5 }] },
    { id: 'service', group: 'tech', name: 'Service', kind: 'subjective', max: 20 },
    { id: 'iso', group: 'biz', name: 'ISO 9001', kind: 'objective', max: 2, options: [0, 2] },
  ],
  price: { formula: 'lowest_over_bid', group: 'price', points: 30 },
  settings: {},
};

export const BIDS: OpeningBid[] = [
  { code: 'A', price: 1_000_000 },
  { code: 'B', price: 950_000 },
  { code: 'C', price: 1_100_000 },
  { code: 'D', price: 990_000 },
];

export function withRules(base: EvaluationRulesInput, change: Partial<EvaluationRulesInput>, settings: EvaluationRulesInput['settings'] = {}): EvaluationRulesInput {
  return { ...base, ...change, settings: { ...base.settings, ...settings } };
}

export function membersOf(n: number): CommitteeMember[] {
  return Array.from({ length: n }, (_, i) => {
    const k = String(i + 1).padStart(2, '0');
    return { codename: `K${k}`, expert: `expert-${k}`, booth: `booth-${k}`, device: `device-${k}` };
  });
}

export function openedPayload(input: { rules?: EvaluationRulesInput; bids?: OpeningBid[]; members?: number | CommitteeMember[]; alternates?: string[] } = {}): CommitteeOpenedPayload {
  const rules: EvaluationRules = evaluationRulesSchema.parse(input.rules ?? COMPREHENSIVE);
  const members = typeof input.members === 'object' ? input.members : membersOf(input.members ?? 3);
  return committeeOpenedPayloadSchema.parse({
    date: DATE,
    project: PROJECT,
    blind: true,
    rules,
    rulesSha256: rulesSha256(rules),
    bids: input.bids ?? BIDS,
    members,
    alternates: input.alternates ?? ['alt-1', 'alt-2'],
  });
}

const signedPart = (kind: string, document: unknown) => ({
  kind,
  content: canonicalJson(document),
  contentSha256: sha(canonicalJson(document)),
  cms: 'MIIB',
  signer: { subject: 'CN=test', issuer: 'CN=test CA', serial: '01' },
  signedAt: '2026-12-07T09:00:00.000Z',
});

export function votePayload(codename: string, candidate: string): Record<string, unknown> {
  return { date: DATE, project: PROJECT, codename, candidate };
}

/** verdicts[bid][item]; every bid passes every item unless `fails` says otherwise (bid → item → reason). */
export function preliminaryPayload(
  opened: CommitteeOpenedPayload,
  codename: string,
  fails: Record<string, Record<string, string>> = {},
  change: Record<string, unknown> = {},
): Record<string, unknown> {
  const verdicts = Object.fromEntries(
    opened.bids.map((b) => [
      b.code,
      Object.fromEntries(opened.rules.preliminary.map((item) => {
        const reason = fails[b.code]?.[item.id];
        return [item.id, reason === undefined ? { pass: true, reason: '' } : { pass: false, reason }];
      })),
    ]),
  );
  const document = {
    kind: 'kawei.preliminary-review',
    version: 1,
    date: DATE,
    project: PROJECT,
    codename,
    booth: 'booth',
    rulesSha256: opened.rulesSha256,
    verdicts,
    savedAt: 1,
    ...change,
  };
  return {
    date: DATE,
    project: PROJECT,
    codename,
    document,
    documentSha256: sha(canonicalJson(document)),
    signedAt: 1_000,
    signer: 'CN=test',
    cms: 'MIIB',
    signed: signedPart('preliminary-review', document),
  };
}

export type Scores = Record<string, Record<string, number | null>>;

/** A version 2 score sheet over `bids`; every cell gets a note unless `notes` is given. */
export function sheetPayload(
  opened: CommitteeOpenedPayload,
  codename: string,
  scores: Scores,
  change: { revision?: number; notes?: Record<string, Record<string, string>>; tiers?: Record<string, Record<string, string>>; totals?: Record<string, number>; rulesSha256?: string; bidders?: string[] } = {},
): Record<string, unknown> {
  const priceGroup = opened.rules.price?.group;
  const items = opened.rules.items.filter((i) => i.group !== priceGroup);
  const bidders = change.bidders ?? Object.keys(scores);
  const notes = change.notes ?? Object.fromEntries(bidders.map((b) => [b, Object.fromEntries(items.map((i) => [i.id, 'as the rules say']))]));
  const sheet = {
    kind: 'kawei.score-sheet',
    version: 2,
    date: DATE,
    project: PROJECT,
    codename,
    booth: 'booth',
    rulesSha256: change.rulesSha256 ?? opened.rulesSha256,
    revision: change.revision ?? 1,
    criteria: items.map((i) => ({ id: i.id, name: i.name, max: i.max, group: i.group, kind: i.kind })),
    bidders,
    scores,
    notes,
    tiers: change.tiers ?? {},
    ...(change.totals === undefined ? {} : { totals: change.totals }),
    savedAt: 2,
  };
  return {
    date: DATE,
    project: PROJECT,
    sheet,
    sheetSha256: sha(canonicalJson(sheet)),
    signedAt: 2_000,
    signer: 'CN=test',
    cms: 'MIIB',
    signed: signedPart('score-sheet', sheet),
  };
}

export function stepPayload(codename: string, step: Record<string, unknown>): Record<string, unknown> {
  return { date: DATE, project: PROJECT, codename, ...step };
}

/** The central's loop over a synthetic ledger: what the committee service does, minus storage and signatures. */
export function committeeRun(opened: CommitteeOpenedPayload) {
  const entries: LedgerEntry[] = [{ seq: 1, type: COMMITTEE_EVENTS.opened, payload: opened, at: 1 }];
  const events = new Map<string, BoothEventRecord>();
  const deviceSeq = new Map<string, number>();
  let state = openCommitteeState(entries[0] as LedgerEntry);
  const lookup = (device: string, seq: number): BoothEventRecord | undefined => events.get(`${device}#${seq}`);

  function append(type: string, payload: unknown): void {
    const entry: LedgerEntry = { seq: entries.length + 1, type, payload, at: entries.length + 1 };
    entries.push(entry);
    state = applyLedgerEntry(state, entry, lookup);
  }

  function record(device: string, type: string, payload: unknown): BoothEventRecord {
    const seq = (deviceSeq.get(device) ?? 0) + 1;
    deviceSeq.set(device, seq);
    const event: BoothEventRecord = { device, seq, hash: sha(`${device}#${seq}#${canonicalJson(payload)}`), type, payload };
    events.set(`${device}#${seq}`, event);
    return event;
  }

  /** A booth event judged and entered in the ledger as accepted or refused. */
  function booth(device: string, type: string, payload: unknown): BoothEventJudgement {
    const event = record(device, type, payload);
    const judged = judgeBoothEvent(state, event);
    const ref = { date: DATE, project: PROJECT, device, seq: event.seq, hash: event.hash, type, codename: judged.codename };
    if (judged.accept) append(COMMITTEE_EVENTS.accepted, ref);
    else append(COMMITTEE_EVENTS.refused, { ...ref, reason: judged.reason, detail: judged.detail });
    return judged;
  }

  function act(operatorAct: OperatorAct): OperatorActJudgement {
    const judged = judgeOperatorAct(state, operatorAct);
    if (!judged.ok) return judged;
    const base = { date: DATE, project: PROJECT, operator: operatorAct.operator, why: operatorAct.why };
    switch (operatorAct.kind) {
      case 'name_chair':
        append(COMMITTEE_EVENTS.chairNamed, { ...base, codename: operatorAct.codename, by: 'centre' });
        break;
      case 'request_recheck':
        append(COMMITTEE_EVENTS.recheckRequested, { ...base, recheck: operatorAct.recheck });
        break;
      case 'replace':
        append(COMMITTEE_EVENTS.replaced, { ...base, codename: operatorAct.codename, reason: operatorAct.reason, replacement: operatorAct.replacement });
        break;
      case 'confirm_results':
        append(COMMITTEE_EVENTS.resultsConfirmed, { ...base, resultsSha256: operatorAct.resultsSha256 });
        break;
    }
    return judged;
  }

  const member = (codename: string): CommitteeMember => {
    const found = state.members.find((m) => m.codename === codename);
    if (found === undefined) throw new Error(`no member ${codename}`);
    return found;
  };
  const deviceOf = (codename: string): string => member(codename).device;

  return {
    get state(): CommitteeState {
      return state;
    },
    entries,
    lookup,
    booth,
    act,
    /** The booth event from the member's own device. */
    vote: (codename: string, candidate: string) => booth(deviceOf(codename), REVIEW_EVENTS.chairVote, votePayload(codename, candidate)),
    preliminary: (codename: string, fails: Record<string, Record<string, string>> = {}) =>
      booth(deviceOf(codename), REVIEW_EVENTS.preliminarySigned, preliminaryPayload(opened, codename, fails)),
    sheet: (codename: string, scores: Scores, change: Parameters<typeof sheetPayload>[3] = {}) =>
      booth(deviceOf(codename), REVIEW_EVENTS.scoresSubmitted, sheetPayload(opened, codename, scores, change)),
    step: (codename: string, step: Record<string, unknown>) => booth(deviceOf(codename), REVIEW_EVENTS.chairStep, stepPayload(codename, step)),
  };
}
export type CommitteeRun = ReturnType<typeof committeeRun>;

export function refusedWith(judged: BoothEventJudgement): RefusalReason | 'accepted' {
  return judged.accept ? 'accepted' : judged.reason;
}

/**
 * A sheet where member `i` (0-based) gives bid j: plan 24 + j (tier A), service 14 − j, ISO from the
 * per-bid table (the same for every member: objective).
 */
export const ISO: Record<string, number> = { A: 2, B: 0, C: 2, D: 2 };
export function scoresFor(bids: readonly string[], i: number, change: (bid: string, item: string) => number | null | undefined = () => undefined): Scores {
  return Object.fromEntries(
    bids.map((bid, j) => {
      const base: Record<string, number | null> = { plan: 24 + j + (i % 2) * 0.5, service: 14 - j, iso: ISO[bid] ?? 0 };
      for (const item of Object.keys(base)) {
        const override = change(bid, item);
        if (override !== undefined) base[item] = override;
      }
      return [bid, base];
    }),
  );
}
