import { describe, expect, it } from 'vitest';
import { committeeBoothPayloadSchema } from '@kawei/shared/committee/committee-events.ts';
import { bidderView, boothViews, replayCommittee } from '../../src/committee/committee-state.ts';
import { BIDS, committeeRun, COMPREHENSIVE, openedPayload, refusedWith, scoresFor, withRules } from './committee-fixtures.ts';

describe('a comprehensive committee of three, chair by vote', () => {
  it('goes from preliminary review to confirmed results, rejecting by majority with the votes kept under code names', () => {
    const opened = openedPayload({ members: 3 });
    const run = committeeRun(opened);
    expect(run.state.stage).toBe('preliminary');

    // The chair vote runs beside the preliminary review.
    expect(refusedWith(run.vote('K01', 'K02'))).toBe('accepted');
    expect(refusedWith(run.vote('K02', 'K02'))).toBe('accepted');
    expect(run.state.chair).toBeNull();
    expect(refusedWith(run.vote('K03', 'K01'))).toBe('accepted');
    expect(run.state.chair).toEqual({ codename: 'K02', by: 'vote', operator: null, why: '' });

    // C fails for two of three: rejected; D fails for one: passes.
    expect(refusedWith(run.preliminary('K01', { C: { licence: 'licence expired' } }))).toBe('accepted');
    expect(refusedWith(run.preliminary('K02', { C: { bond: 'no bid bond' }, D: { bond: 'bond short' } }))).toBe('accepted');
    expect(run.state.stage).toBe('preliminary');
    expect(refusedWith(run.preliminary('K03'))).toBe('accepted');
    expect(run.state.stage).toBe('preliminary_done');
    expect(run.state.passed).toEqual(['A', 'B', 'D']);
    const c = run.state.decisions.find((d) => d.bid === 'C');
    expect(c).toEqual({ bid: 'C', rejected: true, votes: { K01: true, K02: true, K03: false }, reasons: ['Licence: licence expired', 'Bid bond: no bid bond'] });
    expect(run.state.decisions.find((d) => d.bid === 'D')?.rejected).toBe(false);

    // Only the chair starts the detailed review.
    expect(refusedWith(run.step('K01', { step: 'start_detailed' }))).toBe('not_chair');
    expect(refusedWith(run.step('K02', { step: 'start_detailed' }))).toBe('accepted');
    expect(run.state.stage).toBe('detailed');

    const passed = run.state.passed;
    for (const [i, codename] of ['K01', 'K02', 'K03'].entries()) {
      expect(refusedWith(run.sheet(codename, scoresFor(passed, i)))).toBe('accepted');
    }
    expect(run.state.stage).toBe('results');
    const results = run.state.results;
    expect(results?.judges).toEqual(['评委1', '评委2', '评委3']);
    expect(results?.rows.map((r) => r.bid).sort()).toEqual(['A', 'B', 'D']);
    expect(results?.rows.every((r) => r.totals.length === 3 && r.score !== null)).toBe(true);
    expect(run.state.resultsSha256).toMatch(/^[0-9a-f]{64}$/);

    // Every booth sees the same results; the views are valid messages.
    const views = boothViews(run.state);
    expect([...views.keys()].sort()).toEqual(['device-01', 'device-02', 'device-03']);
    for (const view of views.values()) {
      expect(committeeBoothPayloadSchema.safeParse(view).success).toBe(true);
      expect(view.results?.resultsSha256).toBe(run.state.resultsSha256);
      expect(view.rejected).toEqual([{ bid: 'C', reasons: c?.reasons, votes: { K01: true, K02: true, K03: false } }]);
    }

    // A losing bidder sees nothing before confirmation.
    expect(bidderView(run.state, 'C')).toBeNull();
    expect(bidderView(run.state, 'B')).toBeNull();

    expect(refusedWith(run.step('K02', { step: 'confirm_results', resultsSha256: 'f'.repeat(64) }))).toBe('stale_revision');
    expect(refusedWith(run.step('K02', { step: 'confirm_results', resultsSha256: run.state.resultsSha256 }))).toBe('accepted');
    expect(run.state.stage).toBe('final');
    const last = results?.rows.at(-1);
    expect(bidderView(run.state, last?.bid ?? '')).toEqual({ bid: last?.bid, score: last?.score, rank: last?.rank, of: 3 });
    expect(bidderView(run.state, 'C')).toBeNull();

    // The record replays to the same state.
    expect(replayCommittee(run.entries, run.lookup)).toEqual(run.state);
  });
});

describe('a lowest-price committee of nine, chair named by the centre', () => {
  it('ranks the passed bids by evaluated price as soon as the preliminary review is decided; ties share a rank', () => {
    const rules = withRules(COMPREHENSIVE, { method: 'lowest_price', items: [], groups: [], price: null }, { chair: 'centre' });
    const bids = [
      { code: 'A', price: 1_000_000, evaluatedPrice: 980_000 },
      { code: 'B', price: 950_000 },
      { code: 'C', price: 900_000, evaluatedPrice: 950_000 },
      { code: 'D', price: 800_000 },
    ];
    const opened = openedPayload({ rules, bids, members: 9 });
    const run = committeeRun(opened);
    // By the centre: no vote.
    expect(refusedWith(run.vote('K01', 'K01'))).toBe('wrong_stage');
    // Five of nine fail D: rejected.
    for (let i = 1; i <= 9; i++) {
      const codename = `K0${i}`;
      const fails: Record<string, Record<string, string>> = i <= 5 ? { D: { licence: 'no licence' } } : {};
      expect(refusedWith(run.preliminary(codename, fails))).toBe('accepted');
    }
    expect(run.state.stage).toBe('results');
    expect(run.state.passed).toEqual(['A', 'B', 'C']);
    expect(run.state.results?.rows.map((r) => [r.bid, r.rank, r.tied, r.score])).toEqual([
      ['B', 1, true, null],
      ['C', 1, true, null],
      ['A', 3, false, null],
    ]);
    // The centre names the chair; the chair confirms.
    expect(run.act({ kind: 'name_chair', codename: 'K09', operator: 'op', why: 'eldest' })).toEqual({ ok: true });
    expect(run.act({ kind: 'name_chair', codename: 'K01', operator: 'op', why: 'again' })).toMatchObject({ ok: false, code: 'CHAIR_ALREADY_NAMED' });
    expect(refusedWith(run.vote('K02', 'K02'))).toBe('chair_already_named');
    expect(refusedWith(run.sheet('K01', {}))).toBe('wrong_stage');
    expect(refusedWith(run.step('K09', { step: 'confirm_results', resultsSha256: run.state.resultsSha256 }))).toBe('accepted');
    expect(run.state.stage).toBe('final');
    expect(replayCommittee(run.entries, run.lookup)).toEqual(run.state);
  });
});

describe('the chair vote', () => {
  it('a tie names nobody until the centre names a chair', () => {
    const opened = openedPayload({ members: 4, bids: BIDS });
    const run = committeeRun(opened);
    run.vote('K01', 'K01');
    run.vote('K02', 'K01');
    run.vote('K03', 'K03');
    run.vote('K04', 'K03');
    expect(run.state.chair).toBeNull();
    expect(run.act({ kind: 'name_chair', codename: 'K99', operator: 'op', why: 'tie' })).toMatchObject({ ok: false, code: 'NOT_A_MEMBER' });
    expect(run.act({ kind: 'name_chair', codename: 'K03', operator: 'op', why: 'tie broken by the centre' })).toEqual({ ok: true });
    expect(run.state.chair).toEqual({ codename: 'K03', by: 'centre', operator: 'op', why: 'tie broken by the centre' });
    for (const view of boothViews(run.state).values()) {
      expect(view.chair).toBe('K03');
      expect(view.chairVotes).toBe(4);
      expect(view.members.filter((m) => m.chair).map((m) => m.codename)).toEqual(['K03']);
    }
  });
});

describe('plain criteria (no preliminary items)', () => {
  it('starts at the detailed review with every bid and accepts version 1 sheets', () => {
    const rules = withRules(COMPREHENSIVE, {
      preliminary: [],
      groups: [{ id: 'all', name: 'All' }],
      items: [
        { id: 'q', group: 'all', name: 'Quality', kind: 'subjective', max: 60 },
        { id: 'p', group: 'all', name: 'Price', kind: 'subjective', max: 40 },
      ],
      price: null,
    });
    const opened = openedPayload({ rules, members: 3 });
    const run = committeeRun(opened);
    expect(run.state.stage).toBe('detailed');
    expect(run.state.passed).toEqual(['A', 'B', 'C', 'D']);
    for (const [i, codename] of ['K01', 'K02', 'K03'].entries()) {
      const scores = Object.fromEntries(opened.bids.map((b, j) => [b.code, { q: 40 + i + j, p: 30 - j }]));
      const sheet = {
        kind: 'kawei.score-sheet',
        version: 1,
        date: opened.date,
        project: opened.project,
        ...(i === 0 ? {} : { codename }),
        criteria: [
          { id: 'q', name: 'Quality', max: 60 },
          { id: 'p', name: 'Price', max: 40 },
        ],
        bidders: ['A', 'B', 'C', 'D'],
        scores,
        notes: {},
        savedAt: 1,
      };
      const payload = { date: opened.date, project: opened.project, sheet, sheetSha256: 'a'.repeat(64), signedAt: 1, signer: 'CN=x', cms: 'x', signed: { kind: 'score-sheet', content: '{}', contentSha256: 'b'.repeat(64), cms: 'x', signer: { subject: 's', issuer: 'i', serial: '1' }, signedAt: '2026-12-07T09:00:00.000Z' } };
      // The first sheet names no code name: the booth device's seat says who it is.
      expect(refusedWith(run.booth(`device-0${i + 1}`, 'booth.scores_submitted', payload))).toBe('accepted');
    }
    expect(run.state.stage).toBe('results');
    expect(run.state.results?.rows).toHaveLength(4);
  });
});
