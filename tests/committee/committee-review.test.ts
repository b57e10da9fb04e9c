import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReviewView } from '@kawei/shared/contract/booth-review.ts';
import type { ScoreSheet } from '@kawei/shared/contract/booth-session.ts';
import { requireTool } from '../support/require-tool.node.ts';
import { startCommitteeStack, type CommitteeStack } from '../support/committee-stack.node.ts';
import { bidders, comprehensiveRules, openingBids } from '../support/committee-rules.node.ts';
import { allPass, chairStep, committeeIn, doPreliminary, doSheet, fillSheet, resultsEverywhere, stageEverywhere, type Scores } from '../support/committee-flow.node.ts';
import { refusalsIn, resultsJson } from '../support/committee-record.node.ts';
import { until, type CommitteeBooth } from '../support/committee-booth.node.ts';

/**
 * A whole committee of real parts (tests/support/committee-stack.node.ts): `kawei-central serve`,
 * three booths' real services with their own data, enrolment, SoftHSM2 USB keys and face login, the
 * day drawn by kawei-draw, the project's rules and opening record published with publish-project.
 * Everything the experts do goes through the booth's API dispatcher, as the screens do it.
 *
 * The comprehensive project (综合评分法, blind): chair vote; preliminary review where two members
 * fail bid D → rejected by majority, one member fails C → kept; the chair starts the detailed review;
 * a booth restarted mid-stage resumes; the central goes away while two members sign and they catch
 * up; an objective item scored differently blocks aggregation; the chair sends the sheet back; the
 * revised sheet (revision 2) unblocks the results, which every booth and the CLI show; an abnormal
 * score (flagged, not blocking) is sent back and re-signed; the chair confirms. Bad input on the way: a second chair vote, a non-chair's step, a step at the wrong stage.
 */
const P = 'P-CMP';
const BIDS = openingBids([1_280_000, 1_315_000, 1_250_000, 1_400_000]); // A B C D
let stack: CommitteeStack;
let m: CommitteeBooth[]; // the members in seat order
const bidNames = bidders(4).map((b) => b.name);

beforeAll(async () => {
  requireTool('softhsm2', 'openssl');
  stack = await startCommitteeStack({
    projects: [{ id: P, members: 3, alternates: 1, blind: true, rules: comprehensiveRules({ recommend: 2 }), bids: BIDS }],
  });
  m = stack.boothsOf(P);
}, 180_000);
afterAll(async () => {
  await stack?.stop();
});

const judgeOf = (view: ReviewView, codename: string) => view.committee!.members.find((x) => x.codename === codename)!.judge;

/** Item scores T1 T2 B1 B2 per bid, per member (m2's first sheet gives A 0 on the objective B1). */
const SHEETS: Scores[] = [
  { A: { T1: 15, T2: 7, B1: 2, B2: 3 }, B: { T1: 12, T2: 6, B1: 2, B2: 0 }, C: { T1: 10, T2: 5, B1: 0, B2: 3 } },
  { A: { T1: 14, T2: 8, B1: 2, B2: 3 }, B: { T1: 13, T2: 6, B1: 2, B2: 0 }, C: { T1: 11, T2: 5.5, B1: 0, B2: 3 } },
  { A: { T1: 15.5, T2: 7, B1: 0, B2: 3 }, B: { T1: 12.5, T2: 6.5, B1: 2, B2: 0 }, C: { T1: 10, T2: 6, B1: 0, B2: 3 } },
];

describe('a comprehensive committee of three, from the chair vote to confirmed results', { timeout: 120_000 }, () => {
  it('every booth hears the committee open: preliminary stage, the rules and the opening record by code, no bidder name', async () => {
    const views = await stageEverywhere(m, 'preliminary', 30_000);
    for (const [i, v] of views.entries()) {
      expect(v.method).toBe('comprehensive');
      expect(v.step).toBe('preliminary');
      expect(v.committee!.codename).toBe(m[i]!.codename);
      expect(v.committee!.members.map((x) => x.codename).sort()).toEqual(m.map((b) => b.codename).sort());
      expect(v.bids.map((b) => b.code)).toEqual(['A', 'B', 'C', 'D']);
      expect(v.rules.preliminary.map((x) => x.id)).toEqual(['Q1', 'C1']);
      const text = JSON.stringify(v);
      for (const name of bidNames) expect(text).not.toContain(name); // blind: bidders by code only
      expect(text).not.toMatch(/E3\d\d/); // never an expert's id
    }
    expect(new Set(views.map((v) => v.committee!.members.map((x) => x.judge).join()))).toHaveProperty('size', 1);
  });

  it('elects the chair by vote in the booths; a second vote is refused and changes nothing', async () => {
    const chair = m[0]!.codename;
    await m[0]!.call('castChairVote', { candidate: chair });
    await m[1]!.call('castChairVote', { candidate: chair });
    const waiting = await m[2]!.review();
    expect(waiting.committee?.chair ?? null).toBeNull();
    await m[2]!.call('castChairVote', { candidate: m[1]!.codename });
    const views = await Promise.all(m.map((b) => committeeIn(b, 'a chair', (c) => c.chair !== null)));
    expect(views.map((v) => v.committee!.chair)).toEqual([chair, chair, chair]);
    expect(views.map((v) => v.isChair)).toEqual([true, false, false]);

    // two chairs: m2 votes again, for itself — refused, in the booth or by the committee's record
    const again = await m[2]!.services.dispatch('castChairVote', { candidate: m[2]!.codename });
    if (again.ok) {
      await until('the refusal of the second vote', () => resultsJson(stack, P), (r) => refusalsIn(r).some((x) => x['reason'] === 'chair_already_named'));
    } else {
      // the booth itself refuses a second vote (its vote is cast)
      expect(again.error.code).toMatch(/WRONG_PHASE|COMMITTEE_REFUSED|BAD_INPUT/);
    }
    expect((await m[2]!.review()).committee!.chair).toBe(chair);
  });

  it('takes the preliminary reviews; a booth restarted mid-review resumes with its verdicts; two fails reject D, one fail keeps C', async () => {
    const items = ['Q1', 'C1'];
    const bids = ['A', 'B', 'C', 'D'];
    // m0: D fails Q1. m1: D fails C1 (restarted half-way). m2: C fails Q1.
    const v0 = allPass(bids, items);
    v0['D']!['Q1'] = '营业执照已过期';
    const submit0 = await doPreliminary(m[0]!, v0);
    expect(submit0.preliminary?.problems).toEqual([]);

    // the chair cannot start the detailed review while reviews are missing
    const early = await m[0]!.refusal('chairStep', { step: 'start_detailed' });
    expect(early.code).toMatch(/REVIEW_WAITING|COMMITTEE_REFUSED|PRELIMINARY_INCOMPLETE/);

    // m1 saves half, the booth process goes down and comes back: the verdicts are there, the step too
    await doPreliminary(m[1]!, { A: { Q1: true, C1: true }, B: { Q1: true } }, false);
    const incomplete = await m[1]!.refusal('submitPreliminary', { pin: m[1]!.key.pin });
    expect(incomplete.code).toBe('PRELIMINARY_INCOMPLETE');
    await m[1]!.restart();
    await m[1]!.login();
    const resumed = await m[1]!.review();
    expect(resumed.step).toBe('preliminary');
    expect(resumed.preliminary!.status).toBe('draft');
    expect(resumed.preliminary!.verdicts['A']!['C1']!.pass).toBe(true);
    expect(resumed.preliminary!.verdicts['B']!['Q1']!.pass).toBe(true);
    expect(resumed.preliminary!.verdicts['B']!['C1']?.pass ?? null).toBeNull();
    // a fail without a reason is not signed
    await m[1]!.call('savePreliminary', { bid: 'D', item: 'C1', pass: false, reason: '' });
    const noReason = await m[1]!.call<ReviewView>('getReview');
    expect(noReason.preliminary!.problems).toContainEqual({ bid: 'D', item: 'C1', problem: 'reason_required' });
    await doPreliminary(m[1]!, { B: { C1: true }, C: { Q1: true, C1: true }, D: { Q1: true, C1: '未按要求提交投标保证金' } });

    const waiting = await m[0]!.review();
    expect(waiting.step).toBe('wait_preliminary');

    const v2 = allPass(bids, items);
    v2['C']!['Q1'] = '资质证书等级不符';
    await doPreliminary(m[2]!, v2);

    const views = await stageEverywhere(m, 'preliminary_done');
    for (const v of views) {
      expect(v.committee!.passed).toEqual(['A', 'B', 'C']);
      expect(v.committee!.rejected).toHaveLength(1);
      const d = v.committee!.rejected[0]!;
      expect(d.bid).toBe('D');
      expect(d.votes).toEqual({ [m[0]!.codename]: true, [m[1]!.codename]: true, [m[2]!.codename]: false });
      expect(d.reasons.join(' ')).toMatch(/营业执照已过期/);
      expect(d.reasons.join(' ')).toMatch(/未按要求提交投标保证金/);
    }
    // the record keeps who voted how, by code name, and never an expert's id
    const record = await resultsJson(stack, P);
    const text = JSON.stringify(record);
    expect(text).toContain(m[0]!.codename);
    expect(text).toMatch(/"D"/);
    expect(text).not.toMatch(/E3\d\d/);
    // each member's signed preliminary review left the booth as a sealed event
    for (const b of m) expect(b.events('review.preliminary_signed')).toHaveLength(1);
  });

  it('only the chair starts the detailed review; the sheet then lists the bids that passed', async () => {
    const notChair = await m[1]!.refusal('chairStep', { step: 'start_detailed' });
    expect(notChair.code).toBe('NOT_CHAIR');
    await chairStep(m[0]!, 'start_detailed');
    const views = await stageEverywhere(m, 'detailed');
    expect(views.map((v) => v.step)).toEqual(['detailed', 'detailed', 'detailed']);
    for (const b of m) {
      const sheet = await b.call<ScoreSheet>('getScoreSheet');
      expect(sheet.bidders).toEqual(['A', 'B', 'C']);
      expect(sheet.criteria.map((c) => c.id)).toEqual(['T1', 'T2', 'B1', 'B2']);
      expect(sheet.revision).toBe(1);
    }
  });

  it('a score outside the tier the expert chose, or not an objective option, is refused as a problem', async () => {
    const sheet = await m[0]!.call<ScoreSheet>('saveScore', { bidder: 'A', criterion: 'T1', value: 12, tier: '优' });
    expect(sheet.problems).toContainEqual({ bidder: 'A', criterion: 'T1', problem: 'outside_tiers' });
    const objective = await m[0]!.call<ScoreSheet>('saveScore', { bidder: 'A', criterion: 'B1', value: 1, tier: '' });
    expect(objective.problems).toContainEqual({ bidder: 'A', criterion: 'B1', problem: 'not_an_option' });
    await m[0]!.call<ScoreSheet>('saveScore', { bidder: 'A', criterion: 'T1', value: 15, tier: '' });
  });

  it('with the central away the members still sign; back, it blocks aggregation on the objective mismatch and says where', async () => {
    await doSheet(m[0]!, SHEETS[0]!);
    await stack.stopCentral();
    await doSheet(m[1]!, SHEETS[1]!);
    await doSheet(m[2]!, SHEETS[2]!);
    const offline = await until('m2 to see the central away', () => m[2]!.review(), (v) => v.offline, 20_000, 200);
    expect(offline.step).toBe('wait_results');
    await stack.startCentral();

    const views = await stageEverywhere(m, 'blocked', 30_000);
    for (const v of views) {
      expect(v.committee!.results).toBeNull();
      expect(v.committee!.flags).toContainEqual(expect.objectContaining({ kind: 'objective_mismatch', bid: 'A', item: 'B1' }));
    }
    const text = await stack.cli('results', '--project', P);
    expect(text).toMatch(/B1/);
  });

  it('the chair sends the sheet back; the revised sheet (revision 2) is signed and the results appear in every booth and the CLI', async () => {
    const target = m[2]!;
    await chairStep(m[0]!, 'request_recheck', { codename: target.codename, reason: 'objective_mismatch', cells: [{ bid: 'A', item: 'B1' }], note: '客观分应一致' });
    const back = await committeeIn(target, 'the sheet sent back', (c) => c.revision === 2 && c.recheck !== null);
    expect(back.committee!.recheck).toMatchObject({ reason: 'objective_mismatch', cells: [{ bid: 'A', item: 'B1' }] });
    expect(back.step).toBe('detailed');
    const draft = await until('revision 2 draft', () => target.call<ScoreSheet>('getScoreSheet'), (s) => s.revision === 2 && s.status === 'draft');
    expect(draft.recheck?.reason).toBe('objective_mismatch');
    expect(draft.scores['A']!['T1']).toBe(15.5); // the revision starts from the signed sheet

    await fillSheet(target, { A: { B1: 2 } });
    await target.call('submitScores', { pin: target.key.pin });
    const sheets = target.events('booth.scores_submitted');
    expect(sheets).toHaveLength(2); // every version stays signed and stored

    const views = await resultsEverywhere(m, undefined, 30_000);
    const results = views[0]!.committee!.results!;
    expect(new Set(views.map((v) => v.committee!.results!.resultsSha256)).size).toBe(1);
    expect(results.judges).toEqual(['评委1', '评委2', '评委3']);
    expect(results.rows.map((r) => r.bid)).toEqual(['A', 'B', 'C']);
    // The arithmetic, by hand: totals A 27/27/27.5, B 20/21/21, C 18/19.5/19; price 1.25M/price × 30.
    const row = (bid: string) => results.rows.find((r) => r.bid === bid)!;
    expect(row('A')).toMatchObject({ expertScore: 27.17, priceScore: 29.3, score: 56.47, rank: 1, recommended: true, tied: false });
    expect(row('B')).toMatchObject({ expertScore: 20.67, priceScore: 28.52, score: 49.19, rank: 2, recommended: true });
    expect(row('C')).toMatchObject({ expertScore: 18.83, priceScore: 30, score: 48.83, rank: 3, recommended: false });
    const j = views[0]!;
    const col = (codename: string) => results.judges.indexOf(judgeOf(j, codename));
    expect(row('A').totals[col(m[2]!.codename)]).toBe(27.5);
    expect(row('B').totals[col(m[0]!.codename)]).toBe(20);
    expect(views.map((v) => v.step)).toEqual(['results', 'results', 'results']);

    const record = await resultsJson(stack, P);
    expect(JSON.stringify(record)).toContain(results.resultsSha256);
    expect(JSON.stringify(record)).not.toMatch(/E3\d\d/);
    const text = await stack.cli('results', '--project', P);
    expect(text).toMatch(/56\.47/);
    expect(text).toMatch(/评委1/);
  });

  it('an abnormal score is flagged without blocking; the chair sends it back (04), the expert re-signs (revision 3), the results move back', async () => {
    const chair = m[0]!;
    const member = m[1]!;
    const first = (await chair.review()).committee!.results!.resultsSha256;
    // m1 revises C/T1 from 11 to 17 (re-check 05 "other"): 7 above the others' mean 10, 35 % of 20 > 30 %
    await chairStep(chair, 'request_recheck', { codename: member.codename, reason: 'other', cells: [{ bid: 'C', item: 'T1' }], note: '请复核施工方案' });
    await until('revision 2 draft', () => member.call<ScoreSheet>('getScoreSheet'), (s) => s.revision === 2 && s.status === 'draft');
    await fillSheet(member, { C: { T1: 17 } });
    await member.call('submitScores', { pin: member.key.pin });
    const flagged = await resultsEverywhere(m, first, 30_000);
    for (const v of flagged) {
      expect(v.committee!.stage).toBe('results'); // abnormal is not blocking
      expect(v.committee!.flags).toContainEqual(expect.objectContaining({ kind: 'abnormal_score', bid: 'C', item: 'T1' }));
    }
    const rows = flagged[0]!.committee!.results!.rows;
    // C: totals 18 / 25.5 / 19 → 20.83 + 30 = 50.83, now second and recommended; B third
    expect(rows.find((r) => r.bid === 'C')).toMatchObject({ expertScore: 20.83, score: 50.83, rank: 2, recommended: true });
    expect(rows.find((r) => r.bid === 'B')).toMatchObject({ rank: 3, recommended: false });

    const second = flagged[0]!.committee!.results!.resultsSha256;
    await chairStep(chair, 'request_recheck', { codename: member.codename, reason: 'abnormal_score', cells: [{ bid: 'C', item: 'T1' }], note: '评分畸高' });
    const back = await committeeIn(member, 'revision 3', (c) => c.revision === 3 && c.recheck?.reason === 'abnormal_score');
    expect(back.committee!.recheck!.cells).toEqual([{ bid: 'C', item: 'T1' }]);
    await until('revision 3 draft', () => member.call<ScoreSheet>('getScoreSheet'), (s) => s.revision === 3 && s.status === 'draft');
    await fillSheet(member, { C: { T1: 11 } });
    await member.call('submitScores', { pin: member.key.pin });
    const views = await resultsEverywhere(m, second, 30_000);
    expect(views[0]!.committee!.flags.filter((f) => f.kind === 'abnormal_score')).toEqual([]);
    expect(views[0]!.committee!.results!.rows.map((r) => [r.bid, r.score, r.rank])).toEqual([
      ['A', 56.47, 1],
      ['B', 49.19, 2],
      ['C', 48.83, 3],
    ]);
    expect(member.events('booth.scores_submitted')).toHaveLength(3); // every version signed and kept
    const record = await resultsJson(stack, P);
    expect(JSON.stringify(record['rechecks'])).toMatch(/abnormal_score/);
  });

  it('the chair confirms the results by their hash: final everywhere; a stale hash is refused', async () => {
    const view = await m[0]!.review();
    const sha = view.committee!.results!.resultsSha256;
    const stale = await m[0]!.refusal('chairStep', { step: 'confirm_results', resultsSha256: '0'.repeat(64) });
    expect(stale.code).toMatch(/WRONG_PHASE|COMMITTEE_REFUSED|BAD_INPUT/);
    expect((await m[0]!.review()).committee!.stage).toBe('results');
    await chairStep(m[0]!, 'confirm_results', sha);
    const views = await stageEverywhere(m, 'final');
    expect(views.map((v) => v.step)).toEqual(['final', 'final', 'final']);
    expect(views.map((v) => v.committee!.results!.resultsSha256)).toEqual([sha, sha, sha]);
  });

  it('kawei-central results: an unknown project is an argument error (exit 2)', async () => {
    const out = await stack.cliProcess('results', '--project', 'NO-SUCH', '--json');
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/NO-SUCH/);
  });
});
