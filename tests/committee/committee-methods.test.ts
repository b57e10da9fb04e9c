import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScoreSheet } from '@kawei/shared/contract/booth-session.ts';
import { requireTool } from '../support/require-tool.node.ts';
import { startCommitteeStack, type CommitteeStack } from '../support/committee-stack.node.ts';
import { comprehensiveRules, lowestPriceRules, openingBids } from '../support/committee-rules.node.ts';
import { allPass, chairStep, committeeIn, doPreliminary, doSheet, fillSheet, resultsEverywhere, stageEverywhere, type Scores } from '../support/committee-flow.node.ts';
import { refusalsIn, resultsJson, type Json } from '../support/committee-record.node.ts';
import { until, type CommitteeBooth } from '../support/committee-booth.node.ts';

/**
 * Two committees of real parts on one central (tests/support/committee-stack.node.ts):
 *
 * - P-LOW, 经评审的最低投标价法: preliminary review only; D failed by every member is rejected; the
 *   passed bids are ranked by evaluated price, A and B equal → tied; the centre names the chair and
 *   confirms the results from the CLI.
 * - P-REP, 综合评分法 without preliminary review: a member leaves and is replaced by the drawn
 *   alternate at the same booth (`kawei-central committee replace`); the sheet the leaver signed
 *   with the central away arrives after the replacement and is refused, as is a chair vote in the
 *   leaver's name; the replacement starts clean and keeps the leaver's judge number; A and B, same
 *   price and same scores, tie. Then a stale sheet after a re-check is refused, and a sheet from a
 *   booth not seated on the committee.
 *
 * Refused means: the event is stored at the central (nothing lost) and the committee's record (the
 * ledger, `kawei-central results --json`) says refused, with the reason.
 */
const LOW = 'P-LOW';
const REP = 'P-REP';
const LOW_BIDS = openingBids([900_000, 870_000, 860_000, 800_000], [880_000, 880_000, 850_000, 800_000]);
const REP_BIDS = openingBids([1_000_000, 1_000_000, 1_100_000]);
let stack: CommitteeStack;
let low: CommitteeBooth[];
let rep: CommitteeBooth[];

beforeAll(async () => {
  requireTool('softhsm2', 'openssl');
  stack = await startCommitteeStack({
    projects: [
      { id: LOW, members: 3, alternates: 1, rules: lowestPriceRules({ chair: 'centre' }), bids: LOW_BIDS },
      { id: REP, members: 3, alternates: 2, rules: { ...comprehensiveRules(), preliminary: [] }, bids: REP_BIDS },
    ],
  });
  low = stack.boothsOf(LOW);
  rep = stack.boothsOf(REP);
}, 180_000);
afterAll(async () => {
  await stack?.stop();
});

const operator = ['--operator', 'test-operator', '--why', '测试 / test'];

/** The refusal the record holds for an event of `device` of `type` (polled until there is one). */
async function refusalOf(project: string, device: string, type: string, seq?: number): Promise<Json> {
  const record = await until(
    `a refusal of ${type} from ${device}`,
    () => resultsJson(stack, project),
    (r) => refusalsIn(r).some((x) => x['device'] === device && x['type'] === type && (seq === undefined || x['seq'] === seq)),
    30_000,
    300,
  );
  return refusalsIn(record).find((x) => x['device'] === device && x['type'] === type && (seq === undefined || x['seq'] === seq))!;
}

/** The events the central stored from a device, of one type (nothing lost). */
async function storedAtCentral(device: string, type: string): Promise<{ seq: number }[]> {
  return (JSON.parse(await stack.cli('events', '--device', device, '--type', type, '--json')) as { events: { seq: number }[] }).events;
}

describe('lowest evaluated price (经评审的最低投标价法)', { timeout: 120_000 }, () => {
  it('rejects the bid every member failed and ranks the others by evaluated price, equal prices tied', async () => {
    await stageEverywhere(low, 'preliminary', 30_000);
    for (const b of low) {
      const v = allPass(['A', 'B', 'C', 'D'], ['Q1', 'C1']);
      v['D']!['Q1'] = `${b.codename}: 营业执照经营范围不符`;
      await doPreliminary(b, v);
    }
    const views = await resultsEverywhere(low, undefined, 30_000);
    for (const v of views) {
      expect(v.committee!.stage).toBe('results'); // no detailed review for this method
      expect(v.committee!.rejected.map((r) => r.bid)).toEqual(['D']);
      expect(Object.values(v.committee!.rejected[0]!.votes)).toEqual([true, true, true]);
      const rows = v.committee!.results!.rows;
      expect(rows.map((r) => [r.bid, r.rank, r.tied])).toEqual([
        ['C', 1, false],
        ['A', 2, true],
        ['B', 2, true],
      ]);
      expect(rows.every((r) => r.score === null && r.totals.length === 0)).toBe(true);
      expect(rows.find((r) => r.bid === 'A')!.evaluatedPrice).toBe(880_000);
    }
  });

  it('the centre names the chair and confirms the results from the CLI', async () => {
    await stack.cli('committee', 'chair', '--project', LOW, '--codename', low[1]!.codename, ...operator);
    await Promise.all(low.map((b) => committeeIn(b, 'the chair', (c) => c.chair === low[1]!.codename)));
    const text = await stack.cli('results', '--project', LOW);
    expect(text).toMatch(/C/);
    await stack.cli('committee', 'confirm', '--project', LOW, ...operator);
    const views = await stageEverywhere(low, 'final');
    expect(views.map((v) => v.step)).toEqual(['final', 'final', 'final']);
    // a second chair named by the centre is refused (exit 1, with the reason)
    const twice = await stack.cliRaw('committee', 'chair', '--project', LOW, '--codename', low[2]!.codename, ...operator);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toMatch(/WRONG_STAGE|CHAIR_ALREADY_NAMED/);
  });
});

describe('a replacement, ties and refused input (综合评分法)', { timeout: 120_000 }, () => {
  /** Same scores for A and B (same price too): a tie the tie-breaks cannot separate. */
  const sheet = (t1: number): Scores => ({
    A: { T1: t1, T2: 7, B1: 2, B2: 3 },
    B: { T1: t1, T2: 7, B1: 2, B2: 3 },
    C: { T1: t1 - 2, T2: 6, B1: 2, B2: 0 },
  });
  let replacement: CommitteeBooth;
  let replacementCodename = '';

  it('starts at the detailed review (no preliminary items); two members vote and sign', async () => {
    const views = await stageEverywhere(rep, 'detailed', 30_000);
    expect(views.map((v) => v.step)).toEqual(['detailed', 'detailed', 'detailed']);
    for (const b of rep.slice(0, 2)) await b.call('castChairVote', { candidate: rep[0]!.codename });
    await doSheet(rep[0]!, sheet(14));
    await doSheet(rep[1]!, sheet(13));
  });

  it("replaces the member who left by the alternate at the same booth: a copied sheet from that booth is refused, nothing lost; the replacement starts clean", async () => {
    const leaver = rep[2]!;
    const judgeBefore = (await leaver.review()).committee!.members.find((x) => x.codename === leaver.codename)!.judge;
    // The leaver had begun (a draft, not signed) and leaves; the centre seats the first alternate.
    await fillSheet(leaver, { A: { T1: 11, T2: 6 } });
    const alternate = stack.result.draws.find((d) => d.project === REP)!.alternates[0]!;
    const out = JSON.parse(
      await stack.cli('committee', 'replace', '--project', REP, '--codename', leaver.codename, '--reason', 'absent', '--alternate', alternate, '--json', ...operator),
    ) as Json;
    const members = (out['members'] ?? []) as Json[];
    replacementCodename = String(members.map((x) => x['codename']).find((c) => typeof c === 'string' && !rep.some((b) => b.codename === c)) ?? '');
    expect(replacementCodename).not.toBe('');

    // Another member's signed sheet sent again from the leaver's booth: the code name the committee
    // reads is the signed one, and that member sits at another booth — refused, and kept.
    const copied = rep[1]!.events('booth.scores_submitted')[0]!.payload;
    const seq = await leaver.forge('booth.scores_submitted', { ...copied, codename: leaver.codename });
    expect(await refusalOf(REP, leaver.deviceId, 'booth.scores_submitted', seq)).toMatchObject({ reason: 'not_seated', codename: rep[1]!.codename });
    expect((await storedAtCentral(leaver.deviceId, 'booth.scores_submitted')).map((e) => e.seq)).toContain(seq);

    // The alternate sits down at the same booth (its roster came from the central).
    replacement = leaver;
    await until('the replacement roster at the booth', () => replacement.inboxTypes().filter((t) => t === 'roster.booth').length, (n) => n >= 2, 30_000, 200);
    // `committee replace` sends the roster but not the alternate's face template (its own note says
    // so); without it nobody can log in at the booth. Sent here through the central's own message
    // function until the central does it (reported).
    await stack.sendFaceTemplate(replacement.deviceId, alternate);
    await until('the alternate face template at the booth', () => replacement.inboxTypes().filter((t) => t === 'faces.booth').length, (n) => n >= 2, 30_000, 200);
    await replacement.call('logout').catch(() => undefined);
    await replacement.login();
    const view = await committeeIn(replacement, 'the replacement seated', (c) => c.codename === replacementCodename, 30_000);
    expect(view.step).toBe('detailed');
    expect(view.committee!.members.find((x) => x.codename === replacementCodename)!.judge).toBe(judgeBefore);
    expect(view.committee!.members.map((x) => x.codename)).not.toContain(leaver.seat.codename);
    const fresh = await replacement.call<ScoreSheet>('getScoreSheet');
    expect(fresh.status).toBe('draft');
    // starts clean: none of the leaver's draft scores
    expect.soft(Object.values(fresh.scores).flatMap((row) => Object.values(row)).filter((v) => v !== null)).toEqual([]);
  });

  it("refuses a chair vote in the replaced member's name", async () => {
    const seq = await replacement.forge('review.chair_vote', { date: stack.date, project: REP, codename: rep[2]!.seat.codename, candidate: rep[0]!.codename });
    await replacement.login();
    expect(await refusalOf(REP, replacement.deviceId, 'review.chair_vote', seq)).toMatchObject({ reason: 'replaced' });
  });

  it('the replacement votes and signs; A and B tie (same score, same price); results in every booth', async () => {
    await replacement.call('castChairVote', { candidate: rep[0]!.codename });
    await doSheet(replacement, sheet(12));
    const views = await resultsEverywhere(rep, undefined, 30_000);
    const rows = views[0]!.committee!.results!.rows;
    expect(rows.map((r) => [r.bid, r.rank, r.tied])).toEqual([
      ['A', 1, true],
      ['B', 1, true],
      ['C', 3, false],
    ]);
    expect(rows[0]!.score).toBe(rows[1]!.score);
    expect(views[0]!.committee!.results!.judges).toHaveLength(3);
    await Promise.all(rep.map((b) => committeeIn(b, 'the chair', (c) => c.chair === rep[0]!.codename)));
  });

  it('refuses a stale sheet after a re-check (the revision-1 sheet again); the revised sheet counts', async () => {
    const member = rep[1]!;
    const first = member.events('booth.scores_submitted')[0]!;
    const before = (await member.review()).committee!.results!.resultsSha256;
    await chairStep(rep[0]!, 'request_recheck', { codename: member.codename, reason: 'other', cells: [{ bid: 'C', item: 'T1' }], note: '请复核' });
    await committeeIn(member, 'revision 2', (c) => c.revision === 2);
    // the revision-1 sheet again, as a confused booth would send it
    const seq = await member.forge('booth.scores_submitted', first.payload);
    await member.login();
    // The central names it by what it is first: the very document it already counted (a copy of an
    // accepted sheet) is already_submitted; another revision-1 document would be stale_revision.
    expect(await refusalOf(REP, member.deviceId, 'booth.scores_submitted', seq)).toMatchObject({ reason: expect.stringMatching(/^(stale_revision|already_submitted)$/) });
    await until('the revision 2 draft', () => member.call<ScoreSheet>('getScoreSheet'), (s) => s.revision === 2 && s.status === 'draft');
    await fillSheet(member, { C: { T1: 12 } });
    await member.call('submitScores', { pin: member.key.pin });
    const views = await resultsEverywhere(rep, before, 30_000);
    expect(views[0]!.committee!.results!.rows.find((r) => r.bid === 'C')!.totals).toContain(20);
    expect((await storedAtCentral(member.deviceId, 'booth.scores_submitted')).length).toBe(3);
  });

  it('refuses a sheet from a booth not seated on the committee (not_seated)', async () => {
    const outsider = low[0]!;
    const sheetEvent = rep[0]!.events('booth.scores_submitted')[0]!;
    const seq = await outsider.forge('booth.scores_submitted', sheetEvent.payload);
    await outsider.login();
    expect(await refusalOf(REP, outsider.deviceId, 'booth.scores_submitted', seq)).toMatchObject({ reason: 'not_seated' });
    expect((await storedAtCentral(outsider.deviceId, 'booth.scores_submitted')).map((e) => e.seq)).toContain(seq);
    // the committee's results did not move
    const record = await resultsJson(stack, REP);
    expect(((record['results'] as Json | null)?.['rows'] as unknown[] | undefined)?.length).toBe(3);
  });
});
