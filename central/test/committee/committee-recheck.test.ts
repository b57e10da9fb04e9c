import { describe, expect, it } from 'vitest';
import { boothViews, replayCommittee } from '../../src/committee/committee-state.ts';
import { committeeRun, openedPayload, refusedWith, scoresFor, type CommitteeRun } from './committee-fixtures.ts';

/** Everyone passes every bid; K01 is voted chair; the detailed review starts. */
function toDetailed(members: number): CommitteeRun {
  const run = committeeRun(openedPayload({ members }));
  const codenames = run.state.members.map((m) => m.codename);
  for (const codename of codenames) run.vote(codename, 'K01');
  for (const codename of codenames) run.preliminary(codename);
  expect(run.step('K01', { step: 'start_detailed' })).toMatchObject({ accept: true });
  expect(run.state.stage).toBe('detailed');
  return run;
}

describe('re-check (复核)', () => {
  it('an objective mismatch blocks the aggregation, says where, and a re-checked revision unblocks it', () => {
    const run = toDetailed(3);
    const bids = run.state.passed;
    run.sheet('K01', scoresFor(bids, 0));
    run.sheet('K02', scoresFor(bids, 1));
    // K03 gives bid A no ISO points where the rule gives 2.
    run.sheet('K03', scoresFor(bids, 2, (bid, item) => (bid === 'A' && item === 'iso' ? 0 : undefined)));
    expect(run.state.stage).toBe('blocked');
    expect(run.state.results).toBeNull();
    const mismatch = run.state.aggregate?.flags.filter((f) => f.kind === 'objective_mismatch');
    expect(mismatch).toHaveLength(1);
    expect(mismatch?.[0]).toMatchObject({ bid: 'A', item: 'iso', blocking: true });
    for (const view of boothViews(run.state).values()) {
      expect(view.stage).toBe('blocked');
      expect(view.results).toBeNull();
      expect(view.flags.some((f) => f.kind === 'objective_mismatch' && f.bid === 'A' && f.item === 'iso' && f.detail.length > 0)).toBe(true);
    }

    // Nothing to confirm while blocked.
    expect(refusedWith(run.step('K01', { step: 'confirm_results', resultsSha256: 'a'.repeat(64) }))).toBe('blocked');
    expect(run.act({ kind: 'confirm_results', resultsSha256: 'a'.repeat(64), operator: 'op', why: 'try' })).toMatchObject({ ok: false, code: 'WRONG_STAGE' });

    // The chair sends K03's sheet back.
    const recheck = { codename: 'K03', reason: 'objective_mismatch', cells: [{ bid: 'A', item: 'iso' }], note: 'ISO certificate is in the bid' };
    expect(refusedWith(run.step('K02', { step: 'request_recheck', recheck }))).toBe('not_chair');
    expect(refusedWith(run.step('K01', { step: 'request_recheck', recheck }))).toBe('accepted');
    expect(run.state.stage).toBe('recheck');
    expect(run.state.requiredRevision).toEqual({ K03: 2 });
    // A second re-check of a sheet already sent back has nothing current to check.
    expect(refusedWith(run.step('K01', { step: 'request_recheck', recheck }))).toBe('wrong_stage');
    const k03View = [...boothViews(run.state).values()].find((v) => v.codename === 'K03');
    expect(k03View).toMatchObject({ revision: 2, recheck: { codename: 'K03', reason: 'objective_mismatch' } });
    expect(k03View?.members.find((m) => m.codename === 'K03')?.done).toBe(false);
    expect(k03View?.members.find((m) => m.codename === 'K01')?.done).toBe(true);

    // The old revision again, a revision from the future, someone else's second sheet: refused.
    expect(refusedWith(run.sheet('K03', scoresFor(bids, 2), { revision: 1 }))).toBe('already_submitted');
    expect(refusedWith(run.sheet('K03', scoresFor(bids, 2), { revision: 3 }))).toBe('stale_revision');
    expect(refusedWith(run.sheet('K02', scoresFor(bids, 1), { revision: 2 }))).toBe('stale_revision');
    expect(refusedWith(run.sheet('K02', scoresFor(bids, 1)))).toBe('already_submitted');

    expect(refusedWith(run.sheet('K03', scoresFor(bids, 2), { revision: 2 }))).toBe('accepted');
    expect(run.state.stage).toBe('results');
    expect(run.state.aggregate?.blocked).toBe(false);
    // Every version is kept, with the re-check that asked for it.
    expect(run.state.sheets.filter((s) => s.codename === 'K03').map((s) => s.revision)).toEqual([1, 2]);
    expect(run.state.rechecks).toEqual([{ target: recheck, revision: 2, by: { kind: 'chair', codename: 'K01' }, ledgerSeq: expect.any(Number) }]);
    expect(replayCommittee(run.entries, run.lookup)).toEqual(run.state);
  });

  it('an abnormal score is flagged without blocking; the centre sends it back and the revised sheet clears it', () => {
    const run = toDetailed(5);
    const bids = run.state.passed;
    for (const [i, codename] of ['K01', 'K02', 'K03', 'K04'].entries()) run.sheet(codename, scoresFor(bids, i));
    // K05 gives B's plan 12 where the others give about 25: |12 − 25| / 30 > 30 %.
    run.sheet('K05', scoresFor(bids, 4, (bid, item) => (bid === 'B' && item === 'plan' ? 12 : undefined)));
    expect(run.state.stage).toBe('results');
    const abnormal = run.state.aggregate?.flags.filter((f) => f.kind === 'abnormal_score');
    expect(abnormal).toEqual([expect.objectContaining({ bid: 'B', item: 'plan', judge: 'K05', blocking: false })]);
    const firstDigest = run.state.resultsSha256;
    expect(firstDigest).not.toBeNull();
    const flagged = [...boothViews(run.state).values()][0]?.flags.find((f) => f.kind === 'abnormal_score');
    expect(flagged?.judge).toBe('评委5');

    expect(
      run.act({ kind: 'request_recheck', recheck: { codename: 'K09', reason: 'abnormal_score', cells: [], note: '' }, operator: 'op', why: 'abnormal' }),
    ).toMatchObject({ ok: false, code: 'NOT_A_MEMBER' });
    expect(
      run.act({ kind: 'request_recheck', recheck: { codename: 'K05', reason: 'abnormal_score', cells: [{ bid: 'Z', item: 'plan' }], note: '' }, operator: 'op', why: 'abnormal' }),
    ).toMatchObject({ ok: false, code: 'WRONG_STAGE' });
    expect(
      run.act({ kind: 'request_recheck', recheck: { codename: 'K05', reason: 'abnormal_score', cells: [{ bid: 'B', item: 'plan' }], note: 'far from the others' }, operator: 'op', why: 'abnormal score' }),
    ).toEqual({ ok: true });
    expect(run.state.stage).toBe('recheck');
    expect(run.state.results).toBeNull();
    // The chair cannot confirm results that are being revised.
    expect(refusedWith(run.step('K01', { step: 'confirm_results', resultsSha256: firstDigest }))).toBe('wrong_stage');

    run.sheet('K05', scoresFor(bids, 4), { revision: 2 });
    expect(run.state.stage).toBe('results');
    expect(run.state.aggregate?.flags.filter((f) => f.kind === 'abnormal_score')).toEqual([]);
    expect(run.state.resultsSha256).not.toBe(firstDigest);
    // The digest the booths saw before the re-check is stale now.
    expect(run.act({ kind: 'confirm_results', resultsSha256: firstDigest as string, operator: 'op', why: 'confirm' })).toMatchObject({ ok: false, code: 'STALE_RESULTS' });
    expect(run.act({ kind: 'confirm_results', resultsSha256: run.state.resultsSha256 as string, operator: 'op', why: 'confirm' })).toEqual({ ok: true });
    expect(run.state.stage).toBe('final');
    expect(run.state.confirmed?.by).toEqual({ kind: 'centre', operator: 'op', why: 'confirm' });
    expect(replayCommittee(run.entries, run.lookup)).toEqual(run.state);
  });

  it('a total the sheet states that is not its sum blocks as a sum error', () => {
    const run = toDetailed(3);
    const bids = run.state.passed;
    run.sheet('K01', scoresFor(bids, 0));
    run.sheet('K02', scoresFor(bids, 1));
    run.sheet('K03', scoresFor(bids, 2), { totals: { A: 1 } });
    expect(run.state.stage).toBe('blocked');
    expect(run.state.aggregate?.flags.some((f) => f.kind === 'sum_error' && f.bid === 'A' && f.judge === 'K03')).toBe(true);
  });
});
