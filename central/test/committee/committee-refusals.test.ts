import { describe, expect, it } from 'vitest';
import { REFUSAL_REASONS, type RefusalReason } from '@kawei/shared/committee/committee-events.ts';
import { judgeBoothEvent, replayCommittee } from '../../src/committee/committee-state.ts';
import { committeeRun, openedPayload, preliminaryPayload, refusedWith, scoresFor, sheetPayload, votePayload, type CommitteeRun } from './committee-fixtures.ts';

describe('refusals: every reason, each with a clear detail, none of them changing the committee', () => {
  const seen = new Set<RefusalReason>();
  const expectRefused = (run: CommitteeRun, judged: ReturnType<CommitteeRun['booth']>, reason: RefusalReason, detail?: RegExp): void => {
    expect(refusedWith(judged)).toBe(reason);
    if (!judged.accept) {
      expect(judged.detail.length).toBeGreaterThan(0);
      expect(judged.detail.length).toBeLessThanOrEqual(500);
      if (detail) expect(judged.detail).toMatch(detail);
    }
    expect(run.state.refusals.at(-1)?.reason).toBe(reason);
    seen.add(reason);
  };

  it('refuses bad booth events at every stage', () => {
    const opened = openedPayload({ members: 3 });
    const run = committeeRun(opened);
    const before = (): unknown => ({ ...run.state, refusals: [], version: 0 });

    // Shape.
    const snapshot = before();
    expectRefused(run, run.booth('device-01', 'review.chair_vote', { codename: 'K01' }), 'malformed', /malformed/);
    expectRefused(run, run.booth('device-01', 'review.something', { codename: 'K01' }), 'malformed', /not a review event/);
    const lying = preliminaryPayload(opened, 'K01');
    expectRefused(run, run.booth('device-01', 'review.preliminary_signed', { ...lying, codename: 'K02' }), 'malformed', /codename/);
    expectRefused(run, run.booth('device-01', 'review.chair_vote', { ...votePayload('K01', 'K01'), project: 'P-other' }), 'malformed', /P-other/);
    expect(before()).toEqual(snapshot);

    // Who.
    expectRefused(run, run.booth('device-01', 'review.chair_vote', votePayload('K77', 'K01')), 'not_seated', /K77/);
    expectRefused(run, run.booth('device-02', 'review.chair_vote', votePayload('K01', 'K01')), 'not_seated', /booth device/);
    expectRefused(run, run.vote('K01', 'K99'), 'unknown_candidate', /K99/);
    expect(refusedWith(run.vote('K01', 'K01'))).toBe('accepted');
    expectRefused(run, run.vote('K01', 'K02'), 'already_submitted');
    run.vote('K02', 'K01');
    run.vote('K03', 'K01');
    expectRefused(run, run.vote('K03', 'K02'), 'chair_already_named');

    // Preliminary review.
    expectRefused(run, run.sheet('K01', scoresFor(['A', 'B', 'C', 'D'], 0)), 'wrong_stage');
    expectRefused(run, run.booth('device-01', 'review.preliminary_signed', preliminaryPayload(opened, 'K01', {}, { rulesSha256: 'c'.repeat(64) })), 'rules_changed');
    expectRefused(run, run.preliminary('K01', { B: { bond: ' ' } }), 'invalid_sheet', /reason/);
    const extraBid = preliminaryPayload(opened, 'K01');
    const doc = extraBid.document as { verdicts: Record<string, unknown> };
    doc.verdicts = { ...doc.verdicts, Z: { licence: { pass: true, reason: '' } } };
    expectRefused(run, run.booth('device-01', 'review.preliminary_signed', extraBid), 'unknown_bid', /Z/);
    expectRefused(run, run.step('K01', { step: 'start_detailed' }), 'wrong_stage');
    run.preliminary('K01', { C: { licence: 'expired' } });
    expectRefused(run, run.preliminary('K01'), 'already_submitted');
    run.preliminary('K02', { C: { licence: 'expired' } });
    run.preliminary('K03');
    expect(run.state.passed).toEqual(['A', 'B', 'D']);

    // The chair's steps.
    expectRefused(run, run.step('K02', { step: 'start_detailed' }), 'not_chair', /K02/);
    run.step('K01', { step: 'start_detailed' });
    expectRefused(run, run.step('K01', { step: 'start_detailed' }), 'wrong_stage');

    // Score sheets.
    const bids = run.state.passed;
    expectRefused(run, run.sheet('K01', scoresFor(bids, 0), { rulesSha256: 'd'.repeat(64) }), 'rules_changed');
    expectRefused(run, run.sheet('K01', scoresFor(bids, 0), { revision: 2 }), 'stale_revision', /revision 1/);
    expectRefused(run, run.sheet('K01', scoresFor(['A', 'B', 'C', 'D'], 0)), 'unknown_bid', /C/);
    expectRefused(run, run.sheet('K01', scoresFor(['A', 'B'], 0)), 'invalid_sheet', /D/);
    expectRefused(run, run.sheet('K01', scoresFor(bids, 0, (bid, item) => (bid === 'B' && item === 'plan' ? null : undefined))), 'invalid_sheet', /missing|not scored/);
    expectRefused(run, run.sheet('K01', scoresFor(bids, 0, (bid, item) => (bid === 'A' && item === 'iso' ? 1 : undefined))), 'invalid_sheet', /item iso: not a score/);
    // 28 of 30 needs a note.
    expectRefused(run, run.sheet('K01', scoresFor(bids, 0, (bid, item) => (item === 'plan' ? 28 : undefined)), { notes: {} }), 'invalid_sheet', /note/);
    // In tier B (12 … 23.5), 25 is outside the tier the expert chose.
    expectRefused(run, run.sheet('K01', scoresFor(bids, 0), { tiers: { A: { plan: 'B' } } }), 'invalid_sheet', /tier/);
    expect(run.state.sheets).toEqual([]);

    run.sheet('K01', scoresFor(bids, 0));
    run.sheet('K02', scoresFor(bids, 1));
    run.sheet('K03', scoresFor(bids, 2, (bid, item) => (bid === 'B' && item === 'iso' ? 2 : undefined)));
    expect(run.state.stage).toBe('blocked');
    expectRefused(run, run.step('K01', { step: 'confirm_results', resultsSha256: 'e'.repeat(64) }), 'blocked');
    run.step('K01', { step: 'request_recheck', recheck: { codename: 'K03', reason: 'objective_mismatch', cells: [{ bid: 'B', item: 'iso' }], note: '' } });
    expectRefused(run, run.step('K01', { step: 'request_recheck', recheck: { codename: 'K01', reason: 'other', cells: [{ bid: 'C', item: 'plan' }], note: '' } }), 'unknown_bid');
    run.sheet('K03', scoresFor(bids, 2), { revision: 2 });
    expect(run.state.stage).toBe('results');
    expectRefused(run, run.step('K01', { step: 'confirm_results', resultsSha256: 'e'.repeat(64) }), 'stale_revision');
    run.act({ kind: 'replace', codename: 'K02', reason: 'absent', replacement: { codename: 'K10', expert: 'alt-1', booth: 'b', device: 'device-10' }, operator: 'op', why: 'left' });
    expectRefused(run, run.booth('device-02', 'booth.scores_submitted', sheetPayload(opened, 'K02', scoresFor(bids, 1))), 'replaced');

    // A booth event accepted once is not accepted twice.
    const event = run.lookup('device-10', 1);
    expect(event).toBeUndefined();
    run.sheet('K10', scoresFor(bids, 1));
    const accepted = run.lookup('device-10', 1);
    expect(accepted).toBeDefined();
    expect(judgeBoothEvent(run.state, accepted as NonNullable<typeof accepted>)).toMatchObject({ accept: false, reason: 'already_submitted' });

    expect([...REFUSAL_REASONS].filter((r) => !seen.has(r))).toEqual([]);
    expect(replayCommittee(run.entries, run.lookup)).toEqual(run.state);
  });
});
