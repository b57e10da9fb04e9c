/**
 * What follows from the committee's facts, applied after every ledger entry (committee-reducer.ts):
 *
 * - the chair by vote: once every seated member has voted, the candidate with the most votes; a tie
 *   names nobody (the centre names the chair then);
 * - the preliminary decision: once every seated member's preliminary review is in, each member who
 *   failed a bid on any item votes to reject it, and the committee's rule (isRejected) decides;
 * - the aggregation: once every seated member's sheet is at its required revision (lowest price: as
 *   soon as the preliminary decision is made, there are no sheets);
 * - the stage, derived from the above (never stored as a fact of its own).
 *
 * The first two are latched (decided once, kept when members change later); the aggregation and the
 * stage are recomputed from the current facts.
 */
import { createHash } from 'node:crypto';
import { aggregate, type ExpertSheet } from '@kawei/shared/committee/aggregate.ts';
import type { CommitteeStage, ResultRow } from '@kawei/shared/committee/committee-events.ts';
import type { EvaluationRules, ScoringItem } from '@kawei/shared/committee/evaluation-rules.ts';
import { isRejected } from '@kawei/shared/committee/sheet-rules.ts';
import { translate } from '@kawei/shared/i18n/messages.ts';
import { canonicalJson, type JsonValue } from '@kawei/shared/sync/canonical-json.ts';
import type { BidDecision, CommitteeState, MemberRecord, PublishedResults, SheetRecord } from './committee-types.ts';

/** The items an expert types: every scoring item except those of the price group (computed from the opening record). */
export function typedItems(rules: EvaluationRules): ScoringItem[] {
  const priceGroup = rules.price?.group ?? null;
  return rules.items.filter((item) => item.group !== priceGroup);
}

export function activeMembers(state: CommitteeState): MemberRecord[] {
  return state.members.filter((m) => m.active);
}

export function memberByCodename(state: CommitteeState, codename: string): MemberRecord | undefined {
  return state.members.find((m) => m.codename === codename);
}

export function requiredRevisionOf(state: CommitteeState, codename: string): number {
  return state.requiredRevision[codename] ?? 1;
}

/** The member's sheet at the revision now required, if accepted (and not void). */
export function currentSheet(state: CommitteeState, codename: string): SheetRecord | undefined {
  const revision = requiredRevisionOf(state, codename);
  return state.sheets.find((s) => !s.void && s.codename === codename && s.revision === revision);
}

export function hasPreliminary(state: CommitteeState, codename: string): boolean {
  return state.preliminary.some((p) => !p.void && p.codename === codename);
}

/** 评委n, as results and booths name a seat. */
export function judgeLabel(seat: number): string {
  return translate('zh-CN', 'committeeRecord.judgeLabel', { n: seat });
}

/** Whether the member has done the current stage's part (the booths' "waiting for" list). */
export function memberDone(state: CommitteeState, member: MemberRecord): boolean {
  switch (state.stage) {
    case 'preliminary':
      return hasPreliminary(state, member.codename);
    case 'detailed':
    case 'recheck':
    case 'blocked':
    case 'results':
      return state.opened.rules.method === 'lowest_price' || currentSheet(state, member.codename) !== undefined;
    case 'preliminary_done':
    case 'final':
      return true;
  }
}

export function settle(state: CommitteeState): CommitteeState {
  let next = decideChairByVote(state);
  next = decidePreliminary(next);
  next = aggregateIfComplete(next);
  return { ...next, stage: stageOf(next) };
}

function decideChairByVote(state: CommitteeState): CommitteeState {
  if (state.chair !== null || state.opened.rules.settings.chair !== 'vote') return state;
  const seated = activeMembers(state);
  const votes = seated.map((m) => state.chairVotes[m.codename]);
  if (votes.some((v) => v === undefined)) return state;
  const tally = new Map<string, number>();
  for (const candidate of votes as string[]) tally.set(candidate, (tally.get(candidate) ?? 0) + 1);
  const most = Math.max(...tally.values());
  const leaders = [...tally].filter(([, n]) => n === most).map(([candidate]) => candidate);
  if (leaders.length !== 1) return state;
  return { ...state, chair: { codename: leaders[0] as string, by: 'vote', operator: null, why: '' } };
}

function decidePreliminary(state: CommitteeState): CommitteeState {
  if (state.preliminaryDecided) return state;
  const seated = activeMembers(state);
  const reviews = seated.map((m) => state.preliminary.find((p) => !p.void && p.codename === m.codename));
  if (reviews.some((r) => r === undefined)) return state;
  const { rules, bids } = state.opened;
  const itemNames = new Map(rules.preliminary.map((item) => [item.id, item.name]));
  const decisions: BidDecision[] = bids.map(({ code }) => {
    const votes: Record<string, boolean> = {};
    const reasons: string[] = [];
    seated.forEach((member, i) => {
      const verdicts = reviews[i]?.document.verdicts[code] ?? {};
      const fails = rules.preliminary.filter((item) => verdicts[item.id]?.pass === false);
      votes[member.codename] = fails.length > 0;
      for (const item of fails) reasons.push(`${itemNames.get(item.id) ?? item.id}: ${verdicts[item.id]?.reason ?? ''}`);
    });
    const rejectVotes = Object.values(votes).filter(Boolean).length;
    return { bid: code, rejected: isRejected(rules.settings.rejection, rejectVotes, seated.length), votes, reasons };
  });
  const passed = decisions.filter((d) => !d.rejected).map((d) => d.bid);
  return { ...state, preliminaryDecided: true, decisions, passed };
}

/** Every seated member's sheet is at its required revision (lowest price: no sheets, always). */
function sheetsComplete(state: CommitteeState): boolean {
  if (state.opened.rules.method === 'lowest_price') return true;
  return activeMembers(state).every((m) => currentSheet(state, m.codename) !== undefined);
}

function readyToAggregate(state: CommitteeState): boolean {
  if (!state.preliminaryDecided) return false;
  if (state.opened.rules.method === 'lowest_price') return true;
  return state.detailedStarted && sheetsComplete(state);
}

function aggregateIfComplete(state: CommitteeState): CommitteeState {
  if (!readyToAggregate(state)) return state.aggregate === null ? state : { ...state, aggregate: null, results: null, resultsSha256: null };
  const seated = activeMembers(state);
  const items = typedItems(state.opened.rules);
  const sheets: ExpertSheet[] =
    state.opened.rules.method === 'lowest_price'
      ? []
      : seated.map((m) => expertSheetOf(m.codename, currentSheet(state, m.codename) as SheetRecord, state.passed, items));
  const result = aggregate({ rules: state.opened.rules, bids: state.opened.bids, passed: state.passed, sheets });
  const results = result.blocked ? null : publish(result.judges, result.rows, seated);
  return { ...state, aggregate: result, results, resultsSha256: results?.resultsSha256 ?? null };
}

function expertSheetOf(codename: string, record: SheetRecord, passed: readonly string[], items: readonly ScoringItem[]): ExpertSheet {
  const scores: Record<string, Record<string, number | null>> = {};
  for (const bid of passed) {
    const row: Record<string, number | null> = {};
    for (const item of items) row[item.id] = record.sheet.scores[bid]?.[item.id] ?? null;
    scores[bid] = row;
  }
  const totals = record.sheet.totals;
  return totals === null ? { judge: codename, scores } : { judge: codename, scores, totals };
}

/**
 * The results in seat order (评委1…n) instead of code-name order, and their digest: SHA-256 of the
 * canonical JSON of {judges, rows}, the very object every booth is shown, so a booth can recompute it
 * and the chair's confirmation names exactly what was seen.
 */
function publish(codenames: readonly string[], rows: readonly ResultRow[], seated: readonly MemberRecord[]): PublishedResults {
  const order = seated.filter((m) => codenames.includes(m.codename)).sort((a, b) => a.judge - b.judge);
  const columns = order.map((m) => codenames.indexOf(m.codename));
  const judges = order.map((m) => judgeLabel(m.judge));
  const published = rows.map((row) => ({ ...row, totals: row.totals.length === 0 ? [] : columns.map((c) => row.totals[c] ?? null) }));
  return { judges, rows: published, resultsSha256: resultsDigest(judges, published) };
}

export function resultsDigest(judges: readonly string[], rows: readonly ResultRow[]): string {
  return createHash('sha256')
    .update(canonicalJson({ judges, rows } as unknown as JsonValue))
    .digest('hex');
}

function stageOf(state: CommitteeState): CommitteeStage {
  if (state.confirmed !== null) return 'final';
  if (!state.preliminaryDecided) return 'preliminary';
  const blockedOrResults: CommitteeStage = state.aggregate?.blocked ? 'blocked' : 'results';
  if (state.opened.rules.method === 'lowest_price') return blockedOrResults;
  if (!state.detailedStarted) return 'preliminary_done';
  if (state.aggregate !== null) return blockedOrResults;
  const recheckPending = activeMembers(state).some((m) => requiredRevisionOf(state, m.codename) > 1 && currentSheet(state, m.codename) === undefined);
  return recheckPending ? 'recheck' : 'detailed';
}
