import { describe, expect, it } from 'vitest';
import { COMMITTEE_EVENTS, committeeBoothPayloadSchema } from '@kawei/shared/committee/committee-events.ts';
import { boothViews, replayCommittee, resultsJson, type LedgerEntry } from '../../src/committee/committee-state.ts';
import { BIDS, committeeRun, COMPREHENSIVE, DATE, openedPayload, PROJECT, refusedWith, scoresFor, withRules } from './committee-fixtures.ts';

function nineMemberCommittee() {
  const rules = withRules(COMPREHENSIVE, {}, { trim: 'highest_lowest', recommend: 2 });
  const run = committeeRun(openedPayload({ rules, members: 9, alternates: ['alt-1'] }));
  const codenames = run.state.members.map((m) => m.codename);
  for (const [i, codename] of codenames.entries()) run.vote(codename, i < 5 ? 'K03' : 'K04');
  for (const [i, codename] of codenames.entries()) run.preliminary(codename, i < 4 ? { B: { bond: 'late' } } : {});
  run.step('K03', { step: 'start_detailed' });
  for (const [i, codename] of codenames.entries()) run.sheet(codename, scoresFor(run.state.passed, i));
  return run;
}

describe('replay and the views', () => {
  it('a committee of nine: same entries, same state; no expert id in any booth view or the results JSON', () => {
    const run = nineMemberCommittee();
    expect(run.state.chair?.codename).toBe('K03');
    // Four of nine fail B: no majority, B passes.
    expect(run.state.passed).toEqual(['A', 'B', 'C', 'D']);
    expect(run.state.stage).toBe('results');
    expect(run.state.results?.judges).toHaveLength(9);
    expect(run.state.results?.rows.filter((r) => r.recommended).length).toBeLessThanOrEqual(2);

    const first = replayCommittee(run.entries, run.lookup);
    const second = replayCommittee(run.entries, run.lookup);
    expect(first).toEqual(second);
    expect(first).toEqual(run.state);
    expect(first.problems).toEqual([]);
    expect(first.version).toBe(run.entries.length);

    const views = boothViews(first);
    expect(views.size).toBe(9);
    for (const [device, view] of views) {
      expect(committeeBoothPayloadSchema.parse(view)).toEqual(view);
      expect(first.members.find((m) => m.device === device)?.codename).toBe(view.codename);
      expect(view.members.map((m) => m.judge)).toEqual(Array.from({ length: 9 }, (_, i) => `评委${i + 1}`));
    }
    const published = JSON.stringify([...views.values()]) + JSON.stringify(resultsJson(first));
    expect(published).not.toMatch(/expert-\d|alt-1/);
    expect(published).toContain('K03');
  });

  it('a record naming a missing booth event, or accepting what the rules refuse, is reported and skipped', () => {
    const run = nineMemberCommittee();
    const entries = run.entries;
    const accepted = entries.filter((e) => e.type === COMMITTEE_EVENTS.accepted);
    const lastSheet = accepted.at(-1) as LedgerEntry;
    const missing = replayCommittee(entries, (device, seq) => (device === 'device-09' && seq === 3 ? undefined : run.lookup(device, seq)));
    expect(missing.problems).toHaveLength(1);
    expect(missing.problems[0]?.en).toMatch(/device-09#3/);
    expect(missing.stage).toBe('detailed');
    expect(lastSheet).toBeDefined();

    // An acceptance entered twice: the second one disagrees with the rules.
    const doubled = [...entries, { ...lastSheet, seq: entries.length + 1 }];
    const replayed = replayCommittee(doubled, run.lookup);
    expect(replayed.problems.map((p) => p.en)).toEqual([expect.stringMatching(/already_submitted/)]);
    expect(replayed.sheets).toHaveLength(9);
  });

  it('refuses a record that does not begin with committee.opened', () => {
    expect(() => replayCommittee([], () => undefined)).toThrow(/committee\.opened/);
    expect(() => replayCommittee([{ seq: 1, type: COMMITTEE_EVENTS.accepted, payload: {}, at: 1 }], () => undefined)).toThrow(/committee\.opened/);
  });

  it('reports rules that do not hash to the digest the opening states', () => {
    const opened = { ...openedPayload({ members: 3 }), rulesSha256: '0'.repeat(64) };
    const state = replayCommittee([{ seq: 1, type: COMMITTEE_EVENTS.opened, payload: opened, at: 1 }], () => undefined);
    expect(state.problems.map((p) => p.en)).toEqual([expect.stringMatching(/rulesSha256/)]);
    expect(replayCommittee([{ seq: 1, type: COMMITTEE_EVENTS.opened, payload: openedPayload({ members: 3 }), at: 1 }], () => undefined).problems).toEqual([]);
  });

  it('a re-opening counts before any review is accepted, and is ignored after', () => {
    const run = committeeRun(openedPayload({ members: 3 }));
    const reopened = openedPayload({ members: 5 });
    const early = replayCommittee([...run.entries, { seq: 2, type: COMMITTEE_EVENTS.opened, payload: reopened, at: 2 }], run.lookup);
    expect(early.members).toHaveLength(5);
    expect(early.openedSeq).toBe(2);
    run.vote('K01', 'K01');
    const late = replayCommittee([...run.entries, { seq: run.entries.length + 1, type: COMMITTEE_EVENTS.opened, payload: reopened, at: 9 }], run.lookup);
    expect(late.members).toHaveLength(3);
    expect(late.problems).toHaveLength(1);
  });

  it('ties: equal scores and equal prices share a rank', () => {
    const bids = [
      { code: 'X', price: 500_000 },
      { code: 'Y', price: 500_000 },
      { code: 'Z', price: 400_000 },
    ];
    const rules = withRules(COMPREHENSIVE, { preliminary: [] }, { recommend: 1 });
    const run = committeeRun(openedPayload({ rules, bids, members: 3 }));
    expect(run.state.stage).toBe('detailed');
    for (const [i, codename] of ['K01', 'K02', 'K03'].entries()) {
      const scores = { X: { plan: 28, service: 15, iso: 2 }, Y: { plan: 28, service: 15, iso: 2 }, Z: { plan: 12 + i, service: 5, iso: 0 } };
      expect(refusedWith(run.sheet(codename, scores))).toBe('accepted');
    }
    expect(run.state.results?.rows.map((r) => [r.bid, r.rank, r.tied, r.recommended])).toEqual([
      ['X', 1, true, true],
      ['Y', 1, true, true],
      ['Z', 3, false, false],
    ]);
  });

  it('the results JSON carries the matrix by seat, the flags, the sheets and the ranking', () => {
    const run = committeeRun(openedPayload({ members: 3, bids: BIDS }));
    const json = resultsJson(run.state) as Record<string, unknown>;
    expect(json).toMatchObject({ date: DATE, project: PROJECT, stage: 'preliminary', matrix: [], results: null });
    const full = resultsJson(nineMemberCommittee().state) as { matrix: { judge: string; scores: Record<string, Record<string, number>> }[]; results: { rows: unknown[] } };
    expect(full.matrix).toHaveLength(9);
    expect(full.matrix[0]?.judge).toBe('评委1');
    expect(full.matrix[0]?.scores.A).toEqual({ plan: 24, service: 14, iso: 2 });
    expect(full.results.rows).toHaveLength(4);
  });
});
