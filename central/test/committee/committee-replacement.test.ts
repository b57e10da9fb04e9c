import { describe, expect, it } from 'vitest';
import { boothViews, replayCommittee, resultsJson } from '../../src/committee/committee-state.ts';
import { committeeRun, openedPayload, refusedWith, scoresFor } from './committee-fixtures.ts';

const alternate = (codename: string, expert: string, device: string) => ({ codename, expert, booth: 'booth-alt', device });

describe('replacement', () => {
  it('during the detailed review: the leaver’s sheet is void, later events refused; the alternate takes the seat and its number', () => {
    const run = committeeRun(openedPayload({ members: 3, alternates: ['alt-1', 'alt-2'] }));
    for (const codename of ['K01', 'K02', 'K03']) run.vote(codename, 'K01');
    for (const codename of ['K01', 'K02', 'K03']) run.preliminary(codename);
    run.step('K01', { step: 'start_detailed' });
    const bids = run.state.passed;
    run.sheet('K01', scoresFor(bids, 0));
    run.sheet('K02', scoresFor(bids, 1));

    // The replacement sits down at the leaver's booth device.
    const replace = (codename: string, replacement: ReturnType<typeof alternate>) =>
      run.act({ kind: 'replace', codename, reason: 'ill', replacement, operator: 'op', why: 'taken ill' });
    expect(replace('K02', alternate('K10', 'expert-01', 'device-02'))).toMatchObject({ ok: false, code: 'NOT_AN_ALTERNATE' });
    expect(replace('K02', alternate('K10', 'someone', 'device-02'))).toMatchObject({ ok: false, code: 'NOT_AN_ALTERNATE' });
    expect(replace('K02', alternate('K03', 'alt-1', 'device-02'))).toMatchObject({ ok: false, code: 'NOT_AN_ALTERNATE' });
    expect(replace('K77', alternate('K10', 'alt-1', 'device-02'))).toMatchObject({ ok: false, code: 'NOT_A_MEMBER' });
    expect(replace('K02', alternate('K10', 'alt-1', 'device-02'))).toEqual({ ok: true });
    expect(replace('K02', alternate('K11', 'alt-2', 'device-02'))).toMatchObject({ ok: false, code: 'ALREADY_REPLACED' });
    expect(replace('K10', alternate('K11', 'alt-1', 'device-02'))).toMatchObject({ ok: false, code: 'NOT_AN_ALTERNATE' });

    expect(run.state.stage).toBe('detailed');
    expect(run.state.sheets.find((s) => s.codename === 'K02')?.void).toBe(true);
    expect(run.state.members.map((m) => [m.codename, m.judge, m.active])).toEqual([
      ['K01', 1, true],
      ['K02', 2, false],
      ['K03', 3, true],
      ['K10', 2, true],
    ]);

    // The leaver's events from here on are refused, from its device or any other.
    expect(refusedWith(run.booth('device-02', 'booth.scores_submitted', sheetFrom(run, 'K02', bids)))).toBe('replaced');
    expect(refusedWith(run.booth('device-02', 'review.chair_vote', { date: run.state.opened.date, project: run.state.opened.project, codename: 'K02', candidate: 'K01' }))).toBe(
      'replaced',
    );
    // A vote for the leaver is refused too.
    expect(refusedWith(run.vote('K10', 'K02'))).toBe('chair_already_named');

    run.sheet('K03', scoresFor(bids, 2));
    expect(run.state.stage).toBe('detailed');
    expect(refusedWith(run.sheet('K10', scoresFor(bids, 1, (bid, item) => (item === 'service' ? 10 : undefined))))).toBe('accepted');
    expect(run.state.stage).toBe('results');
    // Seat 2 shows the replacement's totals.
    expect(run.state.results?.judges).toEqual(['评委1', '评委2', '评委3']);
    const aggregateJudges = run.state.aggregate?.judges ?? [];
    expect(aggregateJudges).toEqual(['K01', 'K03', 'K10']);
    const row = run.state.results?.rows.find((r) => r.bid === 'A');
    const raw = run.state.aggregate?.rows.find((r) => r.bid === 'A');
    expect(row?.totals).toEqual([raw?.totals[0], raw?.totals[2], raw?.totals[1]]);

    const views = boothViews(run.state);
    expect([...views.keys()].sort()).toEqual(['device-01', 'device-02', 'device-03']);
    expect(views.get('device-02')?.codename).toBe('K10');
    expect(views.get('device-02')?.members.map((m) => [m.judge, m.codename])).toEqual([
      ['评委1', 'K01'],
      ['评委2', 'K10'],
      ['评委3', 'K03'],
    ]);
    const json = JSON.stringify(resultsJson(run.state));
    expect(json).toContain('"replacement":"K10"');
    expect(json).not.toMatch(/expert-|alt-1/);
    expect(replayCommittee(run.entries, run.lookup)).toEqual(run.state);
  });

  it('during the preliminary review: the leaver’s review no longer counts; the replacement reviews before the decision', () => {
    const run = committeeRun(openedPayload({ members: 3 }));
    run.preliminary('K01', { D: { licence: 'none' } });
    run.preliminary('K02', { D: { licence: 'none' } });
    expect(run.act({ kind: 'replace', codename: 'K02', reason: 'recused', replacement: alternate('K10', 'alt-2', 'device-10'), operator: 'op', why: 'conflict of interest' })).toEqual({
      ok: true,
    });
    run.preliminary('K03');
    expect(run.state.stage).toBe('preliminary');
    expect(refusedWith(run.preliminary('K10'))).toBe('accepted');
    expect(run.state.stage).toBe('preliminary_done');
    // D failed by K01 only now: not rejected; K02's vote is not in the record of the decision.
    expect(run.state.decisions.find((d) => d.bid === 'D')).toMatchObject({ rejected: false, votes: { K01: true, K03: false, K10: false } });
  });

  it('a chair who leaves leaves no chair: the committee votes again', () => {
    const run = committeeRun(openedPayload({ members: 3 }));
    for (const codename of ['K01', 'K02', 'K03']) run.vote(codename, 'K02');
    expect(run.state.chair?.codename).toBe('K02');
    run.act({ kind: 'replace', codename: 'K02', reason: 'absent', replacement: alternate('K10', 'alt-1', 'device-10'), operator: 'op', why: 'left' });
    expect(run.state.chair).toBeNull();
    expect(run.state.chairVotes).toEqual({});
    for (const codename of ['K01', 'K03', 'K10']) expect(refusedWith(run.vote(codename, 'K10'))).toBe('accepted');
    expect(run.state.chair?.codename).toBe('K10');
  });
});

function sheetFrom(run: ReturnType<typeof committeeRun>, codename: string, bids: readonly string[]) {
  const { opened } = run.state;
  return {
    date: opened.date,
    project: opened.project,
    sheet: {
      kind: 'kawei.score-sheet',
      version: 2,
      date: opened.date,
      project: opened.project,
      codename,
      booth: 'b',
      rulesSha256: opened.rulesSha256,
      revision: 1,
      criteria: [],
      bidders: bids,
      scores: {},
      notes: {},
      savedAt: 1,
    },
    sheetSha256: 'a'.repeat(64),
    signedAt: 1,
    signer: 'x',
    cms: 'x',
    signed: { kind: 'score-sheet', content: '{}', contentSha256: 'b'.repeat(64), cms: 'x', signer: { subject: 's', issuer: 'i', serial: '1' }, signedAt: '2026-12-07T09:00:00.000Z' },
  };
}
