/**
 * The booth's face login end to end in Node: the real face pipeline on faces cut from face-api's demo
 * photos, the day's roster and template in the device inbox, real SQLite, the central away for the
 * whole file (every fact must still be in the sync log). No USB key is inserted here (an empty
 * SoftHSM2 token folder): the login does not need one before the commitment is signed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFacePipeline, type FacePipeline } from '@kawei/shared/face/face-pipeline.node.ts';
import {
  clock,
  CODENAME,
  enrolledBoothDir,
  facesPayload,
  framesUntil,
  loadFaces,
  noTokenConf,
  openBooth,
  PROJECT,
  removeTempDirs,
  rosterPayload,
  TODAY,
  type Faces,
} from './booth-test-kit.node.ts';
import type { BoothSession } from '@kawei/shared/contract/booth-session.ts';

let pipeline: FacePipeline;
let faces: Faces;

beforeAll(async () => {
  noTokenConf();
  pipeline = await loadFacePipeline();
  faces = await loadFaces(pipeline);
}, 120_000);

afterAll(() => {
  pipeline?.dispose();
  removeTempDirs();
});

const dayWithFace = () => ({ faces: facesPayload(faces.template, pipeline.model) });

describe('face login', () => {
  it('the seated expert logs in (liveness off: test-only) and lands on the commitment letter; the idle screen showed only the booth', async () => {
    const booth = openBooth(enrolledBoothDir(dayWithFace()), pipeline);
    try {
      const idle = await booth.call<BoothSession>('getSession');
      expect(idle).toMatchObject({ phase: 'idle', boothLabel: 'A2', roomName: '3号评标室', codename: null, project: null, loginAttemptsLeft: 3 });
      expect(idle.token.present).toBe(false);
      // the empty booth: nothing asked, nothing happens
      expect(await booth.frame(faces.blank)).toMatchObject({ phase: 'idle', guidance: null, notice: null });

      const o = await booth.frame(faces.expert);
      expect(o).toMatchObject({ phase: 'commitment', notice: 'logged_in' });
      const s = await booth.call<BoothSession>('getSession');
      expect(s).toMatchObject({ phase: 'commitment', codename: CODENAME, commitmentSigned: false, lockReason: null });
      // blind project: the title is withheld
      expect(s.project).toMatchObject({ code: PROJECT, blind: true, title: null });
      expect(booth.sessions.map((x) => x.phase)).toEqual(['login', 'commitment']);

      const [login] = booth.events('booth.login');
      expect(login!.payload).toMatchObject({ expert: 'exp-a', codename: CODENAME, project: PROJECT, to: 'commitment', liveness: 0 });
      expect(login!.payload.similarity).toBeGreaterThan(0.925);

      // the commitment letter names the code name and the project, never the expert
      const letter = await booth.call<{ text: string; sha256: string; signedAt: number | null }>('getCommitment');
      expect(letter.text).toContain('评标专家承诺书');
      expect(letter.text).toContain(CODENAME);
      expect(letter.text).toContain(PROJECT);
      expect(letter.text).not.toContain('exp-a');
      expect(letter.signedAt).toBeNull();

      // files and scores before the commitment: COMMITMENT_REQUIRED
      expect(await booth.error('listFiles')).toBe('COMMITMENT_REQUIRED');
      expect(await booth.error('getPage', { fileId: 'x', page: 1, scale: 1 })).toBe('COMMITMENT_REQUIRED');
      expect(await booth.error('saveScore', { bidder: 'A', criterion: 'tech', value: 10 })).toBe('COMMITMENT_REQUIRED');
      expect(await booth.error('submitScores', { pin: '123456' })).toBe('COMMITMENT_REQUIRED');

      // logout: back to idle, recorded
      expect(await booth.call<BoothSession>('logout')).toMatchObject({ phase: 'idle', codename: null });
      expect(booth.events('booth.logout')).toHaveLength(1);
      expect(await booth.error('getCommitment')).toBe('WRONG_PHASE');
      // before login nothing of the project answers
      expect(await booth.error('listFiles')).toBe('WRONG_PHASE');
      expect(await booth.error('getScoreSheet')).toBe('WRONG_PHASE');
      expect(await booth.error('signCommitment', { pin: '123456' })).toBe('WRONG_PHASE');
    } finally {
      await booth.services.close();
    }
  });

  it('an evaluation into the night: restarted at 00:30 the booth still has the day (seat, face, login); at 04:00 the day is over', async () => {
    const booth = openBooth(enrolledBoothDir(dayWithFace()), pipeline);
    const saved = clock.t;
    try {
      expect(await booth.frame(faces.expert)).toMatchObject({ phase: 'commitment', notice: 'logged_in' });
      await booth.services.close();
      // 00:30 China Standard Time on the calendar day after TODAY (UTC+8, no daylight saving).
      const [y, m, d] = TODAY.split('-').map(Number) as [number, number, number];
      clock.t = Date.UTC(y, m - 1, d + 1, 0 - 8, 30);
      const night = openBooth(booth.dir, pipeline);
      try {
        expect(await night.call<BoothSession>('getSession')).toMatchObject({ phase: 'idle', boothLabel: 'A2' });
        expect(await night.frame(faces.expert)).toMatchObject({ phase: 'commitment', notice: 'logged_in' });
        expect((await night.call<BoothSession>('getSession')).codename).toBe(CODENAME);
      } finally {
        await night.services.close();
      }
      // 04:00: the next evaluation day, which has no seat here.
      clock.t = Date.UTC(y, m - 1, d + 1, 4 - 8, 0);
      const morning = openBooth(booth.dir, pipeline);
      try {
        expect(await morning.frame(faces.expert)).toMatchObject({ phase: 'idle', notice: 'no_roster' });
      } finally {
        await morning.services.close();
      }
    } finally {
      clock.t = saved;
    }
  });

  it('a different face is refused, each attempt counted; the third locks the booth and calls staff', async () => {
    const booth = openBooth(enrolledBoothDir(dayWithFace()), pipeline);
    try {
      const notices: string[] = [];
      await framesUntil(booth, faces.other, (o) => {
        if (o.notice) notices.push(o.notice);
        return o.phase === 'locked';
      });
      expect(notices).toEqual(['login_refused', 'login_refused', 'staff_called']);
      const s = await booth.call<BoothSession>('getSession');
      expect(s).toMatchObject({ phase: 'locked', lockReason: 'login_failures', loginAttemptsLeft: 0, codename: null });
      const failed = booth.events('booth.login_failed');
      expect(failed.map((e) => e.payload.attempt)).toEqual([1, 2, 3]);
      expect(failed.every((e) => e.payload.reason === 'no_match' && (e.payload.similarity as number) < 0.925)).toBe(true);
      expect(booth.events('booth.staff_called')[0]!.payload).toMatchObject({ reason: 'login_failures', failures: 3 });
      expect(booth.events('booth.locked')[0]!.payload).toMatchObject({ reason: 'login_failures' });
      expect(booth.events('booth.login')).toHaveLength(0);
      // a locked screen cannot be logged out of
      expect(await booth.error('logout')).toBe('WRONG_PHASE');
      // the stranger keeps trying: each try is recorded, the screen stays locked
      await framesUntil(booth, faces.other, (o) => o.notice === 'login_refused');
      expect(booth.events('booth.unlock_failed')).toHaveLength(1);
      expect((await booth.call<BoothSession>('getSession')).phase).toBe('locked');

      // a restart does not unlock and gives no new attempts
      await booth.services.close();
      const again = openBooth(booth.dir, pipeline);
      try {
        expect(await again.call<BoothSession>('getSession')).toMatchObject({ phase: 'locked', lockReason: 'login_failures', loginAttemptsLeft: 0 });
        // the seated expert, helped by staff, unlocks with a fresh face check
        await framesUntil(again, faces.expert, (o) => o.notice === 'logged_in', 20);
        expect(await again.call<BoothSession>('getSession')).toMatchObject({ phase: 'commitment', loginAttemptsLeft: 3, lockReason: null });
        expect(again.events('booth.unlocked')[0]!.payload).toMatchObject({ lockReason: 'login_failures', to: 'commitment' });
      } finally {
        await again.services.close();
      }
    } finally {
      await booth.services.close();
    }
  });

  it('a still photo of the seated expert fails active liveness (random challenges, no motion) and costs an attempt', async () => {
    const booth = openBooth(enrolledBoothDir(dayWithFace()), pipeline, { livenessChallenges: 3 });
    try {
      const out = await framesUntil(booth, faces.expert, (o) => o.notice !== null, 80);
      const challenges = out.map((o) => o.guidance?.challenge).filter((c) => c);
      expect(challenges.length).toBeGreaterThan(0);
      expect(challenges[0]).toMatch(/^(blink|turn_left|turn_right|nod)$/);
      expect(out.at(-1)).toMatchObject({ phase: 'login', notice: 'liveness_failed' });
      expect(await booth.call<BoothSession>('getSession')).toMatchObject({ phase: 'login', loginAttemptsLeft: 2 });
      expect(booth.events('booth.login_failed')[0]!.payload).toMatchObject({ reason: 'liveness_failed', liveness: 'no_motion', attempt: 1 });
      expect(booth.events('booth.login')).toHaveLength(0);
    } finally {
      await booth.services.close();
    }
  });

  it('no roster today → no_roster; a roster for another booth → not_seated_here; the screen stays idle', async () => {
    const none = openBooth(enrolledBoothDir({ roster: null, project: null }), pipeline);
    const elsewhere = openBooth(enrolledBoothDir({ ...dayWithFace(), roster: rosterPayload({ label: 'C3' }) }), pipeline);
    const yesterday = openBooth(enrolledBoothDir({ ...dayWithFace(), roster: rosterPayload({ date: '2020-01-02' }) }), pipeline);
    const noTemplate = openBooth(enrolledBoothDir({}), pipeline);
    try {
      expect(await none.frame(faces.expert)).toMatchObject({ phase: 'idle', notice: 'no_roster', guidance: null });
      expect(await elsewhere.frame(faces.expert)).toMatchObject({ phase: 'idle', notice: 'not_seated_here' });
      expect(await yesterday.frame(faces.expert)).toMatchObject({ phase: 'idle', notice: 'no_roster' });
      expect(await noTemplate.frame(faces.expert)).toMatchObject({ phase: 'idle', notice: 'no_roster' });
      for (const b of [none, elsewhere, yesterday, noTemplate]) expect(b.events('booth.login')).toHaveLength(0);
    } finally {
      for (const b of [none, elsewhere, yesterday, noTemplate]) await b.services.close();
    }
  });

  it('without the face pipeline cameraFrame answers FACE_ENGINE_UNAVAILABLE; a broken frame IMAGE_UNREADABLE', async () => {
    const broken = openBooth(enrolledBoothDir(dayWithFace()), Promise.reject(new Error('models missing')));
    const booth = openBooth(enrolledBoothDir(dayWithFace()), pipeline);
    try {
      expect(await broken.error('cameraFrame', { image: faces.blank, capturedAt: 1 })).toBe('FACE_ENGINE_UNAVAILABLE');
      expect(await broken.call<BoothSession>('getSession')).toMatchObject({ phase: 'idle' });
      expect(await booth.error('cameraFrame', { image: Buffer.from('not a jpeg at all').toString('base64'), capturedAt: 1 })).toMatch(
        /IMAGE_UNREADABLE|BAD_INPUT/,
      );
    } finally {
      await broken.services.close();
      await booth.services.close();
    }
  });
});
