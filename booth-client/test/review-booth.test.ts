/**
 * The committee's review through the booth's services, end to end: the real SQLite, a SoftHSM2 token
 * as the expert's key, the real face pipeline for the login, `openssl cms -verify` as the independent
 * check of every signature, and committee.booth messages fed through the inbox as the pull client
 * stores them. The central is away throughout (offline): the booth goes on with its own work.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { requireTool } from '../../tests/support/require-tool.node.ts';
import {
  chairStepPayloadSchema,
  chairVotePayloadSchema,
  preliminarySignedPayloadSchema,
} from '@kawei/shared/committee/committee-events.ts';
import type { ReviewView } from '@kawei/shared/contract/booth-review.ts';
import type { BoothSession, ScoreSheet } from '@kawei/shared/contract/booth-session.ts';
import type { FacePipeline } from '@kawei/shared/face/face-pipeline.node.ts';
import { signedDocumentSchema } from '@kawei/shared/signing/canonical-signing.ts';
import { canonicalJson } from '@kawei/shared/sync/canonical-json.ts';
import { createHash } from 'node:crypto';
import type { TestToken } from '../../scripts/lib/softhsm-token.node.ts';
import {
  clock,
  closeSuite,
  CODENAME,
  enrolledBoothDir,
  facesPayload,
  framesUntil,
  loadKeyAndFaces,
  openBooth,
  opensslVerify,
  projectPayload,
  waitFor,
  type Booth,
  type Faces,
} from './booth-test-kit.node.ts';
import { committeeMessage, OTHERS, RULES_SHA256, rulesProject } from './review-fixtures.node.ts';

const NAMES = ['恒通', '华宇', '东方园林'];

describe('the committee review in the booth (SoftHSM2, openssl, messages through the inbox)', () => {
  beforeAll(() => requireTool('softhsm2', 'openssl'));
  let token: TestToken;
  let pipeline: FacePipeline;
  let faces: Faces;
  let cursor = 1000;

  beforeAll(async () => {
    ({ token, pipeline, faces } = await loadKeyAndFaces());
  }, 120_000);

  afterAll(() => {
    closeSuite(pipeline);
  });

  const ca = () => join(token.trustDir, 'ca-1.pem');
  const newBooth = (project: Record<string, unknown> = rulesProject()): Booth =>
    openBooth(enrolledBoothDir({ faces: facesPayload(faces.template, pipeline.model), project }), pipeline, { trustDir: token.trustDir });
  const reopen = (booth: Booth): Booth => openBooth(booth.dir, pipeline, { trustDir: token.trustDir });

  /** Logs in (the key first: once the commitment is signed the login needs it) and signs the commitment when due. */
  async function logIn(booth: Booth, commit = true): Promise<void> {
    await waitFor('the key to be seen', () => booth.services.signer.tokenView().present);
    await framesUntil(booth, faces.expert, (o) => o.notice === 'logged_in', 10);
    if (commit && (await booth.call<BoothSession>('getSession')).phase === 'commitment') await booth.call('signCommitment', { pin: token.pin });
  }

  /** A committee.booth message as the pull client stores it (inbox + applied in that transaction), then what follows its commit. */
  function send(booth: Booth, payload: unknown, type = 'committee.booth'): boolean {
    cursor += 1;
    return booth.services.receiveMessage({ cursor, id: `central-msg-${cursor}`, type, payload: payload as never, createdAt: clock.t });
  }
  const reviewEvents = (booth: Booth): ReviewView[] => {
    const seen: ReviewView[] = [];
    booth.services.events.subscribe((channel, payload) => {
      if (channel === 'review') seen.push(payload as ReviewView);
    });
    return seen;
  };
  const review = (booth: Booth) => booth.call<ReviewView>('getReview');
  const sheet = (booth: Booth) => booth.call<ScoreSheet>('getScoreSheet');
  const fillPreliminary = async (booth: Booth) => {
    for (const bid of ['A', 'B', 'C']) for (const item of ['licence', 'bond']) await booth.call('savePreliminary', { bid, item, pass: true });
  };
  const verify = async (content: string, cms: string) => (await opensslVerify(token.dir, content, cms, ca())).ok;

  it('preliminary: incomplete refused with its problems, then signed with the key (openssl verifies), frozen with its event in one go; resumes after a crash', async () => {
    let booth = newBooth();
    try {
      // The same gating as the score sheet: logged in, the commitment signed.
      expect(await booth.error('getReview')).toBe('WRONG_PHASE');
      await logIn(booth, false);
      for (const [call, input] of [
        ['getReview', {}],
        ['savePreliminary', { bid: 'A', item: 'licence', pass: true }],
        ['submitPreliminary', { pin: token.pin }],
        ['castChairVote', { candidate: OTHERS[0] }],
        ['chairStep', { step: 'start_detailed' }],
      ] as const) {
        expect(await booth.error(call, input)).toBe('COMMITMENT_REQUIRED');
      }
      await booth.call('signCommitment', { pin: token.pin });
      const first = await review(booth);
      expect(first).toMatchObject({ method: 'comprehensive', step: 'preliminary', offline: true, committee: null, chairVote: null, isChair: false, waitingFor: [] });
      expect(first.bids.map((b) => b.code)).toEqual(['A', 'B', 'C']);
      expect(first.preliminary?.problems).toHaveLength(6);
      for (const name of NAMES) expect(JSON.stringify(first)).not.toContain(name);
      // The detailed sheet waits for the committee.
      expect(await sheet(booth)).toMatchObject({ bidders: [], status: 'draft', revision: 1 });
      expect(await booth.error('saveScore', { bidder: 'A', criterion: 'plan', value: 10 })).toBe('REVIEW_WAITING');
      expect(await booth.error('submitScores', { pin: token.pin })).toBe('REVIEW_WAITING');

      await fillPreliminary(booth);
      const failed = await booth.call<ReviewView>('savePreliminary', { bid: 'B', item: 'bond', pass: false });
      expect(failed.preliminary?.problems).toEqual([{ bid: 'B', item: 'bond', problem: 'reason_required' }]);
      expect(await booth.error('savePreliminary', { bid: 'Z', item: 'bond', pass: true })).toBe('BAD_INPUT');
      expect(await booth.error('savePreliminary', { bid: 'A', item: 'nope', pass: true })).toBe('BAD_INPUT');
      const refused = await booth.services.dispatch('submitPreliminary', { pin: token.pin });
      expect(refused.ok).toBe(false);
      if (!refused.ok) {
        expect(refused.error.code).toBe('PRELIMINARY_INCOMPLETE');
        expect(refused.error.details).toMatchObject({ problems: [{ bid: 'B', item: 'bond', problem: 'reason_required' }] });
      }
      expect(booth.events('review.preliminary_signed')).toHaveLength(0);

      // The reason, then a crash (no logout, no shutdown step): every acknowledged verdict is back.
      await booth.call('savePreliminary', { bid: 'B', item: 'bond', pass: false, reason: '未按要求提交投标保证金' });
      await booth.services.close();
      booth = reopen(booth);
      await logIn(booth);
      const resumed = await review(booth);
      expect(resumed.step).toBe('preliminary');
      expect(resumed.preliminary?.verdicts.B?.bond).toEqual({ pass: false, reason: '未按要求提交投标保证金' });
      expect(resumed.preliminary?.problems).toEqual([]);

      expect(await booth.error('submitPreliminary', { pin: '999999' })).toBe('PIN_INCORRECT');
      expect((await review(booth)).preliminary?.status).toBe('draft');
      const pushed = reviewEvents(booth);
      const signed = await booth.call<{ signedAt: number; signer: string; eventSeq: number }>('submitPreliminary', { pin: token.pin });
      expect(signed.signer).toBe(CODENAME);
      expect(pushed.at(-1)).toMatchObject({ step: 'wait_preliminary' });

      const [event] = booth.events('review.preliminary_signed');
      expect(event!.seq).toBe(signed.eventSeq);
      const payload = preliminarySignedPayloadSchema.parse(event!.payload);
      expect(payload).toMatchObject({ codename: CODENAME, signer: CODENAME, signedAt: signed.signedAt });
      expect(payload.document).toMatchObject({ kind: 'kawei.preliminary-review', version: 1, codename: CODENAME, rulesSha256: RULES_SHA256 });
      expect(payload.document.verdicts.B?.bond).toEqual({ pass: false, reason: '未按要求提交投标保证金' });
      // The signed bytes are the canonical JSON of the event's document; openssl checks them with the CA.
      expect(payload.signed.content).toBe(canonicalJson(event!.payload.document as never));
      expect(payload.documentSha256).toBe(createHash('sha256').update(payload.signed.content).digest('hex'));
      expect(await verify(payload.signed.content, payload.cms)).toBe(true);
      expect(await verify(payload.signed.content.replace('未按要求', '已按要求'), payload.cms)).toBe(false);
      for (const name of NAMES) expect(payload.signed.content).not.toContain(name);

      expect(await booth.error('savePreliminary', { bid: 'A', item: 'licence', pass: false })).toBe('SHEET_FROZEN');
      expect(await booth.error('submitPreliminary', { pin: token.pin })).toBe('SHEET_FROZEN');
      // Frozen after a restart too; the step waits (nothing from the central yet).
      await booth.services.close();
      booth = reopen(booth);
      await logIn(booth);
      expect(await review(booth)).toMatchObject({ step: 'wait_preliminary', preliminary: { status: 'submitted' }, waitingFor: [] });
      expect(booth.events('review.preliminary_signed')).toHaveLength(1);
    } finally {
      await booth.services.close();
    }
  });

  it('committee messages: newest version wins, a bad one is refused and logged; the detailed sheet follows the passed bids, objective options and tiers refused or accepted; version 2 signed', async () => {
    let booth = newBooth();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      await logIn(booth);
      await fillPreliminary(booth);
      await booth.call('submitPreliminary', { pin: token.pin });
      const pushed = reviewEvents(booth);

      send(booth, committeeMessage({ version: 3, done: [CODENAME, OTHERS[0]] }));
      expect(pushed.at(-1)).toMatchObject({ step: 'wait_preliminary', waitingFor: [OTHERS[1]] });
      // An older version after a newer one changes nothing; malformed and foreign messages are refused, logged, and the inbox goes on.
      send(booth, committeeMessage({ version: 2, stage: 'detailed', passed: ['A', 'B', 'C'] }));
      send(booth, { ...committeeMessage({ version: 9 }), stage: 'voting' });
      send(booth, committeeMessage({ version: 10, codename: 'XX-99' }));
      send(booth, committeeMessage({ version: 11, project: 'OTHER-1' }));
      const waiting = await review(booth);
      expect(waiting).toMatchObject({ step: 'wait_preliminary', waitingFor: [OTHERS[1]], committee: { version: 3 } });
      const logged = warn.mock.calls.map((c) => c.join(' ')).join('\n');
      expect(logged).toMatch(/committee\.booth central-msg-\d+ malformed, refused/);
      expect(logged).toMatch(/committee\.booth central-msg-\d+ refused: it is for JS-2026-0418 \/ XX-99/);
      expect(logged).toMatch(/refused: it is for OTHER-1/);

      // Rejections decided, no chair yet: the chair vote waits for everyone (this booth included until it votes).
      send(booth, committeeMessage({ version: 4, stage: 'preliminary_done', done: [CODENAME, ...OTHERS], rejected: [{ bid: 'B', reasons: ['保证金'], votes: { [CODENAME]: true } }] }));
      expect((await review(booth)).waitingFor).toEqual([CODENAME, ...OTHERS]);
      expect(await sheet(booth)).toMatchObject({ bidders: [] });

      send(booth, committeeMessage({ version: 5, stage: 'detailed', chair: OTHERS[0], passed: ['A', 'C'] }));
      expect(pushed.at(-1)).toMatchObject({ step: 'detailed' });
      const s = await sheet(booth);
      expect(s.bidders).toEqual(['A', 'C']);
      expect(s.criteria.map((c) => c.id)).toEqual(['iso', 'plan', 'service']); // the price is computed, not typed
      expect(s.criteria[0]).toMatchObject({ kind: 'objective', options: [0, 2], description: '提供有效证书得2分，否则0分', group: 'biz' });
      expect(s.criteria[1]).toMatchObject({ kind: 'subjective', tiers: [{ label: '优', min: 16, max: 20 }, { label: '良' }, { label: '中' }, { label: '差' }] });
      expect(await booth.error('saveScore', { bidder: 'B', criterion: 'plan', value: 10 })).toBe('SCORE_INVALID'); // rejected bid

      const problem = (v: ScoreSheet, bidder: string, criterion: string) => v.problems.find((p) => p.bidder === bidder && p.criterion === criterion)?.problem ?? null;
      expect(problem(await booth.call('saveScore', { bidder: 'A', criterion: 'iso', value: 1 }), 'A', 'iso')).toBe('not_an_option');
      expect(problem(await booth.call('saveScore', { bidder: 'A', criterion: 'iso', value: 2 }), 'A', 'iso')).toBeNull();
      expect(problem(await booth.call('saveScore', { bidder: 'A', criterion: 'plan', value: 14, tier: '优' }), 'A', 'plan')).toBe('outside_tiers');
      expect(problem(await booth.call('saveScore', { bidder: 'A', criterion: 'plan', value: 14, tier: '良' }), 'A', 'plan')).toBeNull();
      expect(await booth.error('saveScore', { bidder: 'A', criterion: 'plan', value: 14, tier: '甲' })).toBe('SCORE_INVALID');
      expect(await booth.error('saveScore', { bidder: 'A', criterion: 'service', value: 5, tier: '优' })).toBe('SCORE_INVALID');
      const refused = await booth.services.dispatch('submitScores', { pin: token.pin });
      expect(!refused.ok && refused.error.code).toBe('SHEET_INCOMPLETE');

      // A crash mid-detailed: the scores and the chosen tier are back, the committee's message too.
      await booth.services.close();
      booth = reopen(booth);
      await logIn(booth);
      const back = await sheet(booth);
      expect(back.scores.A).toMatchObject({ iso: 2, plan: 14 });
      expect(back.tiers.A).toEqual({ plan: '良' });
      expect((await review(booth)).step).toBe('detailed');

      await booth.call('saveScore', { bidder: 'A', criterion: 'service', value: 6 });
      await booth.call('saveScore', { bidder: 'C', criterion: 'iso', value: 0 });
      await booth.call('saveScore', { bidder: 'C', criterion: 'plan', value: 9, tier: '中' });
      await booth.call('saveScore', { bidder: 'C', criterion: 'service', value: 5.5 });
      const result = await booth.call<{ eventSeq: number }>('submitScores', { pin: token.pin });
      expect(await booth.call<BoothSession>('getSession')).toMatchObject({ phase: 'submitted' });
      expect(await review(booth)).toMatchObject({ step: 'wait_results', waitingFor: [...OTHERS] });

      const [event] = booth.events('booth.scores_submitted');
      expect(event!.seq).toBe(result.eventSeq);
      const doc = event!.payload.sheet as Record<string, unknown>;
      expect(doc).toMatchObject({
        kind: 'kawei.score-sheet',
        version: 2,
        codename: CODENAME,
        rulesSha256: RULES_SHA256,
        revision: 1,
        recheck: null,
        bidders: ['A', 'C'],
        scores: { A: { iso: 2, plan: 14, service: 6 }, C: { iso: 0, plan: 9, service: 5.5 } },
        tiers: { A: { plan: '良' }, C: { plan: '中' } },
        totals: { A: 22, C: 14.5 },
      });
      expect((doc.criteria as { id: string }[]).map((c) => c.id)).toEqual(['iso', 'plan', 'service']);
      const signedDoc = signedDocumentSchema.parse(event!.payload.signed);
      expect(signedDoc.content).toBe(canonicalJson(doc as never));
      expect(await verify(signedDoc.content, signedDoc.cms)).toBe(true);
    } finally {
      warn.mockRestore();
      await booth.services.close();
    }
  });

  it('re-check: revision 2 with its reason reopens the signed sheet (session back to working, also after a restart), signed again; both versions kept and verified', async () => {
    let booth = newBooth();
    try {
      await logIn(booth);
      await fillPreliminary(booth);
      await booth.call('submitPreliminary', { pin: token.pin });
      send(booth, committeeMessage({ version: 1, stage: 'detailed', passed: ['A'], done: [CODENAME, ...OTHERS] }));
      await booth.call('saveScore', { bidder: 'A', criterion: 'iso', value: 2 });
      await booth.call('saveScore', { bidder: 'A', criterion: 'plan', value: 19.5, tier: '优', note: '方案完整，工期措施具体' });
      await booth.call('saveScore', { bidder: 'A', criterion: 'service', value: 8 });
      await booth.call('submitScores', { pin: token.pin });
      expect((await booth.call<BoothSession>('getSession')).phase).toBe('submitted');

      const recheck = { codename: CODENAME, reason: 'abnormal_score' as const, cells: [{ bid: 'A', item: 'plan' }], note: '与其他评委平均分相差超过30%，请复核' };
      send(booth, committeeMessage({ version: 2, stage: 'recheck', passed: ['A'], chair: OTHERS[0], revision: 2, recheck }));
      await waitFor('the session back to working', () => booth.sessions.at(-1)?.phase === 'working');
      expect(await booth.call<BoothSession>('getSession')).toMatchObject({ phase: 'working' });
      const reopened = await sheet(booth);
      expect(reopened).toMatchObject({ status: 'draft', revision: 2, recheck, scores: { A: { plan: 19.5 } } });
      expect((await review(booth)).step).toBe('detailed');
      // The same message again (a resent backlog) changes nothing.
      expect(send(booth, committeeMessage({ version: 2, stage: 'recheck', passed: ['A'], revision: 2, recheck }))).toBe(true);
      expect((await sheet(booth)).revision).toBe(2);

      // A crash during the re-check: the booth resumes in working, the draft of revision 2 with its reason.
      await booth.services.close();
      booth = reopen(booth);
      await logIn(booth);
      expect(await booth.call<BoothSession>('getSession')).toMatchObject({ phase: 'working' });
      expect(await sheet(booth)).toMatchObject({ status: 'draft', revision: 2, recheck: { reason: 'abnormal_score' } });

      await booth.call('saveScore', { bidder: 'A', criterion: 'plan', value: 15, tier: '良' });
      await booth.call('submitScores', { pin: token.pin });
      expect(await booth.call<BoothSession>('getSession')).toMatchObject({ phase: 'submitted' });
      const versions = booth.services.sheet.versions();
      expect(versions.map((v) => v.revision)).toEqual([1, 2]);
      expect(versions[1]!.recheck).toEqual(recheck);
      expect(versions[0]!.document).toMatchObject({ revision: 1, scores: { A: { plan: 19.5 } }, totals: { A: 29.5 } });
      expect(versions[1]!.document).toMatchObject({ revision: 2, recheck, scores: { A: { plan: 15 } }, totals: { A: 25 } });
      const events = booth.events('booth.scores_submitted');
      expect(events.map((e) => (e.payload.sheet as { revision: number }).revision)).toEqual([1, 2]);
      for (const e of events) {
        const signed = signedDocumentSchema.parse(e.payload.signed);
        expect(await verify(signed.content, signed.cms)).toBe(true);
      }

      // Aggregated, then confirmed.
      const results = { judges: ['评委1', '评委2', '评委3'], rows: [], resultsSha256: 'a'.repeat(64) };
      send(booth, committeeMessage({ version: 3, stage: 'results', chair: OTHERS[0], passed: ['A'], revision: 2, results }));
      expect(await review(booth)).toMatchObject({ step: 'results', waitingFor: [OTHERS[0]] });
      send(booth, committeeMessage({ version: 4, stage: 'final', chair: OTHERS[0], passed: ['A'], revision: 2, results }));
      expect((await review(booth)).step).toBe('final');
    } finally {
      await booth.services.close();
    }
  });

  it('chair: a vote cast offline is kept (and shown after a restart) until the central has it; steps refused when not the chair, recorded when the committee names this booth', async () => {
    let booth = newBooth();
    try {
      await logIn(booth);
      const voted = await booth.call<ReviewView>('castChairVote', { candidate: OTHERS[0] });
      expect(voted).toMatchObject({ chairVote: OTHERS[0], offline: true });
      expect(await booth.error('castChairVote', { candidate: CODENAME })).toBe('WRONG_PHASE');
      const [vote] = booth.events('review.chair_vote');
      expect(chairVotePayloadSchema.parse(vote!.payload)).toMatchObject({ codename: CODENAME, candidate: OTHERS[0] });
      const pending = (await booth.call<{ provisioning: string; sync: { pending: number } }>('getStatus')).sync.pending;
      expect(pending).toBeGreaterThan(0); // waits in the sync log for the central

      await booth.services.close();
      booth = reopen(booth);
      await logIn(booth);
      expect((await review(booth)).chairVote).toBe(OTHERS[0]);
      expect(booth.events('review.chair_vote')).toHaveLength(1);

      expect(await booth.error('chairStep', { step: 'start_detailed' })).toBe('REVIEW_WAITING'); // nothing from the committee yet
      // The central had the votes: another member is chair.
      send(booth, committeeMessage({ version: 1, stage: 'preliminary_done', chair: OTHERS[0], chairVotes: 3, done: [CODENAME, ...OTHERS] }));
      expect(await booth.error('chairStep', { step: 'start_detailed' })).toBe('NOT_CHAIR');
      expect(await review(booth)).toMatchObject({ isChair: false, chairVote: OTHERS[0] });
      expect(booth.events('review.chair_step')).toHaveLength(0);

      // The committee names this booth (e.g. the centre did).
      send(booth, committeeMessage({ version: 2, stage: 'preliminary', chair: CODENAME, done: [CODENAME] }));
      expect(await booth.error('chairStep', { step: 'start_detailed' })).toBe('REVIEW_WAITING');
      send(booth, committeeMessage({ version: 3, stage: 'preliminary_done', chair: CODENAME, done: [CODENAME, ...OTHERS] }));
      const started = await booth.call<ReviewView>('chairStep', { step: 'start_detailed' });
      expect(started.isChair).toBe(true);
      const [step] = booth.events('review.chair_step');
      expect(chairStepPayloadSchema.parse(step!.payload)).toEqual({ date: expect.any(String), project: expect.any(String), codename: CODENAME, step: 'start_detailed' });
      expect(await booth.error('chairStep', { step: 'start_detailed' })).toBe('WRONG_PHASE');
      expect(await booth.error('chairStep', { step: 'confirm_results', resultsSha256: 'b'.repeat(64) })).toBe('WRONG_PHASE');
      expect(await booth.error('chairStep', { step: 'request_recheck', recheck: { codename: 'XX-99', reason: 'other' } })).toBe('WRONG_PHASE');

      const results = { judges: ['评委1', '评委2', '评委3'], rows: [], resultsSha256: 'c'.repeat(64) };
      send(booth, committeeMessage({ version: 4, stage: 'results', chair: CODENAME, passed: ['A'], results }));
      expect(await booth.error('chairStep', { step: 'request_recheck', recheck: { codename: 'XX-99', reason: 'other' } })).toBe('BAD_INPUT');
      await booth.call('chairStep', { step: 'request_recheck', recheck: { codename: OTHERS[1], reason: 'abnormal_score', cells: [{ bid: 'A', item: 'plan' }] } });
      expect(await booth.error('chairStep', { step: 'confirm_results', resultsSha256: 'b'.repeat(64) })).toBe('WRONG_PHASE');
      await booth.call('chairStep', { step: 'confirm_results', resultsSha256: 'c'.repeat(64) });
      const steps = booth.events('review.chair_step').map((e) => chairStepPayloadSchema.parse(e.payload).step);
      expect(steps).toEqual(['start_detailed', 'request_recheck', 'confirm_results']);
    } finally {
      await booth.services.close();
    }
  });

  it('a project with plain criteria is reviewed as before: no preliminary, all bidders at once, the version 1 document', async () => {
    const booth = newBooth(projectPayload());
    try {
      await logIn(booth);
      const view = await review(booth);
      expect(view).toMatchObject({ method: 'comprehensive', step: 'detailed', preliminary: null, bids: [] });
      expect(await booth.error('savePreliminary', { bid: 'A', item: 'x', pass: true })).toBe('WRONG_PHASE');
      const s = await sheet(booth);
      expect(s).toMatchObject({ bidders: ['A', 'B'], revision: 1, recheck: null, tiers: { A: {}, B: {} } });
      expect(s.criteria.map((c) => [c.id, c.name, c.max])).toEqual([
        ['tech', '技术', 50],
        ['biz', '商务', 20],
        ['price', '价格', 30],
      ]);
      const values: Record<string, number> = { tech: 30, biz: 10, price: 20 };
      for (const bidder of s.bidders) for (const c of s.criteria) await booth.call('saveScore', { bidder, criterion: c.id, value: values[c.id] });
      await booth.call('submitScores', { pin: token.pin });
      const [event] = booth.events('booth.scores_submitted');
      const doc = event!.payload.sheet as Record<string, unknown>;
      expect(doc.version).toBe(1);
      expect(doc.criteria).toEqual([
        { id: 'tech', name: '技术', max: 50 },
        { id: 'biz', name: '商务', max: 20 },
        { id: 'price', name: '价格', max: 30 },
      ]);
      expect(Object.keys(doc).sort()).toEqual(['bidders', 'booth', 'codename', 'criteria', 'date', 'kind', 'notes', 'project', 'savedAt', 'scores', 'version']);
      expect(await review(booth)).toMatchObject({ step: 'wait_results' });
    } finally {
      await booth.services.close();
    }
  });
});

