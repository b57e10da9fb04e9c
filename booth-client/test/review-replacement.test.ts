/**
 * A member replaced mid-day (`kawei-central committee replace`, docs/REVIEW.md "Replacement"): the
 * alternate is seated at the SAME booth by a new roster.booth (another expert, another code name).
 * The booth's review state is the seated member's: the alternate starts on an empty preliminary
 * review and score sheet, saves and signs them; the leaver is logged out, and the leaver's signed
 * preliminary review, sheet, versions, chair vote and committee view stay in the database untouched
 * (void, but kept: evidence). Real SQLite, a SoftHSM2 token, the real face pipeline, openssl.
 *
 * Also: booth migration 3 moves the rows of a booth upgraded mid-day under the member they belong to.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { requireTool } from '../../tests/support/require-tool.node.ts';
import type { CommitteeBoothPayload } from '@kawei/shared/committee/committee-events.ts';
import type { ReviewView } from '@kawei/shared/contract/booth-review.ts';
import type { BoothSession, ScoreSheet } from '@kawei/shared/contract/booth-session.ts';
import { DEVICE_SCHEMA } from '@kawei/shared/device/device-store.node.ts';
import type { FacePipeline } from '@kawei/shared/face/face-pipeline.node.ts';
import { signedDocumentSchema } from '@kawei/shared/signing/canonical-signing.ts';
import { openDeviceDatabase } from '@kawei/shared/store/device-database.node.ts';
import type { TestToken } from '../../scripts/lib/softhsm-token.node.ts';
import { BOOTH_SCHEMA, openBoothDatabase } from '../src/services/booth-database.node.ts';
import { ReviewStore } from '../src/services/review/review-store.node.ts';
import { createScoreSheet } from '../src/services/scoring/score-sheet.node.ts';
import {
  clock,
  closeSuite,
  CODENAME,
  enrolledBoothDir,
  EXPERT,
  facesPayload,
  framesUntil,
  loadKeyAndFaces,
  openBooth,
  opensslVerify,
  PROJECT,
  projectPayload,
  removeTempDirs,
  rosterPayload,
  tempDir,
  TODAY,
  waitFor,
  type Booth,
  type Faces,
} from './booth-test-kit.node.ts';
import { committeeMessage, OTHERS, rulesProject } from './review-fixtures.node.ts';

const ALTERNATE = { expert: 'exp-alt', codename: 'RP-51' };

/** The committee's message to the alternate: the leaver's seat (评委1) is theirs now. */
function toAlternate(over: Partial<CommitteeBoothPayload>): CommitteeBoothPayload {
  const chair = over.chair ?? null;
  return committeeMessage({
    codename: ALTERNATE.codename,
    members: [ALTERNATE.codename, ...OTHERS].map((codename, i) => ({ codename, judge: `评委${i + 1}`, done: false, chair: codename === chair })),
    ...over,
  });
}

describe('a member replaced at this booth (SoftHSM2, openssl, messages through the inbox)', () => {
  beforeAll(() => requireTool('softhsm2', 'openssl'));
  let token: TestToken;
  let pipeline: FacePipeline;
  let faces: Faces;
  let cursor = 5000;

  beforeAll(async () => {
    ({ token, pipeline, faces } = await loadKeyAndFaces());
  }, 120_000);

  afterAll(() => {
    closeSuite(pipeline);
  });

  const ca = () => join(token.trustDir, 'ca-1.pem');
  const reopen = (booth: Booth): Booth => openBooth(booth.dir, pipeline, { trustDir: token.trustDir });

  async function logIn(booth: Booth): Promise<void> {
    await waitFor('the key to be seen', () => booth.services.signer.tokenView().present);
    await framesUntil(booth, faces.expert, (o) => o.notice === 'logged_in', 10);
    if ((await booth.call<BoothSession>('getSession')).phase === 'commitment') await booth.call('signCommitment', { pin: token.pin });
  }
  function send(booth: Booth, payload: unknown, type = 'committee.booth'): boolean {
    cursor += 1;
    return booth.services.receiveMessage({ cursor, id: `central-msg-${cursor}`, type, payload: payload as never, createdAt: clock.t });
  }
  const review = (booth: Booth) => booth.call<ReviewView>('getReview');
  const sheet = (booth: Booth) => booth.call<ScoreSheet>('getScoreSheet');
  const fillPreliminary = async (booth: Booth) => {
    for (const bid of ['A', 'B', 'C']) for (const item of ['licence', 'bond']) await booth.call('savePreliminary', { bid, item, pass: true });
  };
  const fillSheet = async (booth: Booth, plan: number) => {
    for (const bid of ['A', 'C']) {
      await booth.call('saveScore', { bidder: bid, criterion: 'iso', value: 2 });
      await booth.call('saveScore', { bidder: bid, criterion: 'plan', value: plan, tier: '良' });
      await booth.call('saveScore', { bidder: bid, criterion: 'service', value: 7 });
    }
  };

  it('the alternate starts on an empty preliminary review and sheet, saves and signs them; the leaver is logged out and their signed rows stay', async () => {
    let booth = openBooth(enrolledBoothDir({ faces: facesPayload(faces.template, pipeline.model), project: rulesProject() }), pipeline, {
      trustDir: token.trustDir,
    });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      // The leaver: preliminary signed, chair vote, the detailed sheet signed.
      await logIn(booth);
      await fillPreliminary(booth);
      await booth.call('submitPreliminary', { pin: token.pin });
      send(booth, committeeMessage({ version: 1, stage: 'preliminary_done', done: [CODENAME, ...OTHERS] }));
      await booth.call('castChairVote', { candidate: OTHERS[0] });
      send(booth, committeeMessage({ version: 2, stage: 'detailed', chair: OTHERS[0], passed: ['A', 'C'] }));
      await fillSheet(booth, 15);
      await booth.call('submitScores', { pin: token.pin });
      expect((await booth.call<BoothSession>('getSession')).phase).toBe('submitted');
      const leaverSheet = booth.events('booth.scores_submitted')[0]!;

      // The centre replaces HK-37: the alternate's roster and face template for this booth.
      expect(send(booth, rosterPayload({ expert: ALTERNATE.expert, codename: ALTERNATE.codename }), 'roster.booth')).toBe(true);
      expect(send(booth, facesPayload(faces.template, pipeline.model, { expert: ALTERNATE.expert }), 'faces.booth')).toBe(true);
      // The leaver is logged out at once; nothing of theirs is served any more.
      expect(await booth.call<BoothSession>('getSession')).toMatchObject({ phase: 'idle', codename: null });
      expect(booth.events('booth.logout').at(-1)?.payload).toMatchObject({ expert: EXPERT, from: 'submitted', reason: 'reseated' });
      expect(await booth.error('getScoreSheet')).toBe('WRONG_PHASE');
      // The leaver's committee messages are no longer this seat's; the alternate's are.
      send(booth, committeeMessage({ version: 3, stage: 'detailed', chair: OTHERS[0], passed: ['A', 'C'] }));
      expect(warn.mock.calls.map((c) => c.join(' ')).join('\n')).toMatch(/refused: it is for JS-2026-0418 \/ HK-37, this booth seats JS-2026-0418 \/ RP-51/);
      send(booth, toAlternate({ version: 3, stage: 'detailed', chair: OTHERS[0], passed: ['A', 'C'] }));

      // The alternate logs in: their own day (commitment first, not the leaver's "submitted").
      await framesUntil(booth, faces.expert, (o) => o.notice === 'logged_in', 10);
      expect(await booth.call<BoothSession>('getSession')).toMatchObject({ phase: 'commitment', codename: ALTERNATE.codename, commitmentSigned: false });
      await booth.call('signCommitment', { pin: token.pin });
      expect((await booth.call<BoothSession>('getSession')).phase).toBe('working');

      const clean = await review(booth);
      expect(clean).toMatchObject({ step: 'detailed', chairVote: null, committee: { codename: ALTERNATE.codename, version: 3 } });
      expect(clean.preliminary?.status).toBe('draft');
      expect(Object.values(clean.preliminary!.verdicts).flatMap((v) => Object.values(v)).every((v) => v.pass === null && v.reason === '')).toBe(true);
      const fresh = await sheet(booth);
      expect(fresh).toMatchObject({ status: 'draft', revision: 1, bidders: ['A', 'C'], savedAt: null });
      expect(filledOf(fresh)).toEqual([]);

      // The alternate saves and signs both (no SHEET_FROZEN from the leaver's signatures).
      await fillPreliminary(booth);
      await booth.call('submitPreliminary', { pin: token.pin });
      await fillSheet(booth, 13);
      const signed = await booth.call<{ eventSeq: number }>('submitScores', { pin: token.pin });
      expect((await booth.call<BoothSession>('getSession')).phase).toBe('submitted');
      const alternateSheet = booth.events('booth.scores_submitted').find((e) => e.seq === signed.eventSeq)!;
      expect(alternateSheet.payload.sheet).toMatchObject({ codename: ALTERNATE.codename, revision: 1, scores: { A: { plan: 13 }, C: { plan: 13 } } });
      const signedDoc = signedDocumentSchema.parse(alternateSheet.payload.signed);
      expect((await opensslVerify(token.dir, signedDoc.content, signedDoc.cms, ca())).ok).toBe(true);
      const preliminaries = booth.events('review.preliminary_signed').map((e) => e.payload['codename']);
      expect(preliminaries).toEqual([CODENAME, ALTERNATE.codename]);

      // A restart: the alternate's own signed sheet, never the leaver's.
      await booth.services.close();
      booth = reopen(booth);
      await logIn(booth);
      expect(await booth.call<BoothSession>('getSession')).toMatchObject({ phase: 'submitted', codename: ALTERNATE.codename });
      expect(await sheet(booth)).toMatchObject({ status: 'submitted', scores: { A: { plan: 13 } } });
      expect(booth.services.sheet.versions().map((v) => (v.document as { codename: string }).codename)).toEqual([ALTERNATE.codename]);
      await booth.services.close();

      // The leaver's rows, as they were signed.
      const db = new Database(join(booth.dir, 'device.sqlite'), { readonly: true });
      try {
        const sheets = db.prepare('SELECT codename, status, document_json FROM sheet WHERE date = ? AND project = ? ORDER BY codename').all(TODAY, PROJECT) as {
          codename: string;
          status: string;
          document_json: string;
        }[];
        expect(sheets.map((s) => [s.codename, s.status])).toEqual([
          [CODENAME, 'submitted'],
          [ALTERNATE.codename, 'submitted'],
        ]);
        expect(JSON.parse(sheets[0]!.document_json)).toEqual(leaverSheet.payload.sheet);
        const versions = db.prepare('SELECT s.codename, v.revision FROM sheet_version v JOIN sheet s USING (sheet_key) ORDER BY s.codename').all();
        expect(versions).toEqual([
          { codename: CODENAME, revision: 1 },
          { codename: ALTERNATE.codename, revision: 1 },
        ]);
        const leaverCells = db.prepare("SELECT count(*) AS n FROM cell JOIN sheet USING (sheet_key) WHERE sheet.codename = ? AND cell.criterion = 'plan' AND cell.value = 15").get(CODENAME);
        expect(leaverCells).toEqual({ n: 2 });
        const prelim = db.prepare('SELECT codename, status FROM preliminary ORDER BY codename').all();
        expect(prelim).toEqual([
          { codename: CODENAME, status: 'submitted' },
          { codename: ALTERNATE.codename, status: 'submitted' },
        ]);
        expect(db.prepare('SELECT codename, candidate FROM chair_vote').all()).toEqual([{ codename: CODENAME, candidate: OTHERS[0] }]);
        expect(db.prepare('SELECT codename, version FROM committee_view ORDER BY codename').all()).toEqual([
          { codename: CODENAME, version: 2 },
          { codename: ALTERNATE.codename, version: 3 },
        ]);
        const days = db.prepare('SELECT expert, submitted_at IS NOT NULL AS submitted FROM session_day ORDER BY expert').all();
        expect(days).toEqual([
          { expert: EXPERT, submitted: 1 },
          { expert: ALTERNATE.expert, submitted: 1 },
        ]);
      } finally {
        db.close();
      }
    } finally {
      warn.mockRestore();
      await booth.services.close();
    }
  });
});

describe('booth migration 3 (the review by member)', () => {
  afterAll(() => removeTempDirs());

  /** A booth database at migration 2 (the version before this one), with a day's review in it. */
  function boothAtVersion2(): string {
    const dir = tempDir('kawei-booth-v2-');
    const { db } = openDeviceDatabase({ dataDir: dir, parts: [DEVICE_SCHEMA, { ...BOOTH_SCHEMA, migrations: BOOTH_SCHEMA.migrations.slice(0, 2) }] });
    const at = clock.t;
    const committee = committeeMessage({ version: 4, stage: 'preliminary' });
    db.prepare(`INSERT INTO seat (date, payload_json, message_id, received_at) VALUES (?, ?, 'm1', ?)`).run(TODAY, JSON.stringify(rosterPayload()), at);
    db.prepare(
      `INSERT INTO sheet (sheet_key, date, project, criteria_json, bidders_json, status, saved_at) VALUES (?, ?, ?, ?, '["A","B"]', 'draft', ?)`,
    ).run(`${TODAY}/${PROJECT}`, TODAY, PROJECT, JSON.stringify([{ id: 'tech', name: '技术', max: 50 }]), at);
    db.prepare(`INSERT INTO cell (sheet_key, bidder, criterion, value, saved_at) VALUES (?, 'A', 'tech', 41.5, ?)`).run(`${TODAY}/${PROJECT}`, at);
    // A day no longer in the seat table: nobody's.
    db.prepare(`INSERT INTO sheet (sheet_key, date, project, criteria_json, bidders_json, status) VALUES ('2020-01-01/OLD', '2020-01-01', 'OLD', '[]', '[]', 'draft')`).run();
    db.prepare(`INSERT INTO preliminary (sheet_key, date, project, status, saved_at) VALUES (?, ?, ?, 'draft', ?)`).run(`${TODAY}/${PROJECT}`, TODAY, PROJECT, at);
    db.prepare(`INSERT INTO preliminary_verdict (sheet_key, bid, item, pass, reason, saved_at) VALUES (?, 'A', 'licence', 1, '', ?)`).run(`${TODAY}/${PROJECT}`, at);
    db.prepare(`INSERT INTO committee_view (date, project, version, payload_json, message_id, received_at) VALUES (?, ?, 4, ?, 'm2', ?)`).run(
      TODAY,
      PROJECT,
      JSON.stringify(committee),
      at,
    );
    db.prepare(`INSERT INTO chair_step (date, project, event_seq, step, payload_json, taken_at) VALUES (?, ?, 7, 'start_detailed', ?, ?)`).run(
      TODAY,
      PROJECT,
      JSON.stringify({ step: 'start_detailed', date: TODAY, project: PROJECT, codename: CODENAME }),
      at,
    );
    db.close();
    return dir;
  }

  it('moves the rows under the member seated that day; another member sees none of them', () => {
    const dir = boothAtVersion2();
    const { db } = openBoothDatabase(dir);
    try {
      expect(db.prepare('SELECT sheet_key, codename FROM sheet ORDER BY date').all()).toEqual([
        { sheet_key: '2020-01-01/OLD', codename: '' },
        { sheet_key: `${TODAY}/${PROJECT}`, codename: CODENAME },
      ]);
      const store = new ReviewStore(db);
      const prelim = store.preliminary(TODAY, PROJECT, CODENAME);
      expect(prelim.sheet_key).toBe(`${TODAY}/${PROJECT}`);
      expect(store.verdicts(prelim.sheet_key)).toEqual({ A: { licence: { pass: true, reason: '' } } });
      expect(store.committee(TODAY, PROJECT, CODENAME)?.version).toBe(4);
      expect(store.chairSteps(TODAY, PROJECT, CODENAME).map((s) => s.eventSeq)).toEqual([7]);

      const sheet = createScoreSheet({ dataDir: dir, database: db, sign: () => Promise.reject(new Error('no key')), record: () => 0 });
      sheet.setProject(projectPayload() as never, undefined, CODENAME);
      expect(sheet.get().scores.A).toMatchObject({ tech: 41.5 });

      // Someone else seated here: nothing of the above.
      const other = ALTERNATE.codename;
      expect(store.verdicts(store.preliminary(TODAY, PROJECT, other).sheet_key)).toEqual({});
      expect(store.committee(TODAY, PROJECT, other)).toBeNull();
      expect(store.chairSteps(TODAY, PROJECT, other)).toEqual([]);
      sheet.setProject(projectPayload() as never, undefined, other);
      expect(filledOf(sheet.get())).toEqual([]);
      // and the member's own is still there
      sheet.setProject(projectPayload() as never, undefined, CODENAME);
      expect(sheet.get().scores.A).toMatchObject({ tech: 41.5 });
      sheet.close();
    } finally {
      db.close();
    }
  });
});

const filledOf = (s: ScoreSheet) => Object.values(s.scores).flatMap((row) => Object.values(row)).filter((v) => v !== null);
