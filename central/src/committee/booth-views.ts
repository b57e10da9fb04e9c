/**
 * What the committee's state shows outside the central: the `committee.booth` message for each
 * seated member's booth, and the data a losing bidder may see. Experts appear by code name and as
 * 评委n (their seat), bids by code; no expert id ever leaves here.
 */
import type { CommitteeBoothPayload } from '@kawei/shared/committee/committee-events.ts';
import { pairLine } from '@kawei/shared/i18n/bilingual.ts';
import { activeMembers, judgeLabel, memberByCodename, memberDone, requiredRevisionOf } from './committee-progress.ts';
import type { CommitteeState } from './committee-types.ts';

/** device → the message for the booth there, one per seated member. */
export function boothViews(state: CommitteeState): Map<string, CommitteeBoothPayload> {
  const seated = activeMembers(state).sort((a, b) => a.judge - b.judge);
  const chair = state.chair?.codename ?? null;
  const members = seated.map((m) => ({ codename: m.codename, judge: judgeLabel(m.judge), done: memberDone(state, m), chair: m.codename === chair }));
  const chairVotes = seated.filter((m) => state.chairVotes[m.codename] !== undefined).length;
  const rejected = state.decisions.filter((d) => d.rejected).map((d) => ({ bid: d.bid, reasons: d.reasons, votes: d.votes }));
  const flags = (state.aggregate?.flags ?? []).map((f) => {
    const judge = f.judge === null ? null : memberByCodename(state, f.judge);
    return { kind: f.kind, bid: f.bid, item: f.item, judge: judge === undefined || judge === null ? null : judgeLabel(judge.judge), detail: pairLine(f.detail) };
  });
  const results = state.results === null ? null : { judges: state.results.judges, rows: state.results.rows, resultsSha256: state.results.resultsSha256 };
  const views = new Map<string, CommitteeBoothPayload>();
  for (const member of seated) {
    const revision = requiredRevisionOf(state, member.codename);
    const recheck = revision > 1 ? (state.rechecks.findLast((r) => r.target.codename === member.codename)?.target ?? null) : null;
    views.set(member.device, {
      date: state.opened.date,
      project: state.opened.project,
      codename: member.codename,
      version: state.version,
      rulesSha256: state.opened.rulesSha256,
      stage: state.stage,
      members,
      chair,
      chairVotes,
      rejected,
      passed: state.passed,
      revision,
      recheck,
      flags,
      results,
    });
  }
  return views;
}

/**
 * A bidder's own line once the results are confirmed (Order 87 art. 69: a losing supplier learns
 * only its own score and rank): null before that, and for a bid that was rejected or not ranked.
 */
export function bidderView(state: CommitteeState, bid: string): { bid: string; score: number | null; rank: number; of: number } | null {
  if (state.stage !== 'final' || state.results === null) return null;
  const row = state.results.rows.find((r) => r.bid === bid);
  if (row === undefined) return null;
  return { bid, score: row.score, rank: row.rank, of: state.results.rows.length };
}
