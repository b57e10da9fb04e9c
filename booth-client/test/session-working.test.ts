/**
 * The expert at work: random face re-checks (passed, failed), a second face, an empty booth, a
 * different person in the chair, and the unlock by a fresh face check with the key in. Real face
 * pipeline, a SoftHSM2 key (the commitment is really signed to reach `working`), the central away:
 * everything must be in the sync log, waiting to be sent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTool } from '../../tests/support/require-tool.node.ts';
import type { BoothSession } from '@kawei/shared/contract/booth-session.ts';
import type { BoothStatus } from '@kawei/shared/contract/device-status.ts';
import type { FacePipeline } from '@kawei/shared/face/face-pipeline.node.ts';
import type { TestToken } from '../../scripts/lib/softhsm-token.node.ts';
import {
  closeSuite,
  enrolledBoothDir,
  facesPayload,
  framesUntil,
  loadKeyAndFaces,
  logEvents,
  openBooth,
  waitFor,
  type Booth,
  type Faces,
} from './booth-test-kit.node.ts';

describe('while working', () => {
  beforeAll(() => requireTool('softhsm2', 'openssl'));
  let token: TestToken;
  let pipeline: FacePipeline;
  let faces: Faces;

  beforeAll(async () => {
    ({ token, pipeline, faces } = await loadKeyAndFaces());
  }, 120_000);

  afterAll(() => {
    closeSuite(pipeline);
  });

  async function working(config: Record<string, unknown> = {}): Promise<Booth> {
    const booth = openBooth(enrolledBoothDir({ faces: facesPayload(faces.template, pipeline.model) }), pipeline, {
      trustDir: token.trustDir,
      ...config,
    });
    await framesUntil(booth, faces.expert, (o) => o.notice === 'logged_in', 10);
    await waitFor('the key', () => booth.services.signer.tokenView().present);
    await booth.call('signCommitment', { pin: token.pin });
    expect((await booth.call<BoothSession>('getSession')).phase).toBe('working');
    return booth;
  }

  it('a random re-check falls due, is pushed, and passes on the expert; the next one, faced by someone else, fails and locks; the expert unlocks', async () => {
    const booth = await working({ recheckIntervalMs: { minMs: 2000, maxMs: 3000 } });
    try {
      const dueAfter = await framesUntil(booth, faces.expert, (o) => o.guidance !== null || o.notice !== null, 40);
      expect(booth.sessions.some((s) => s.phase === 'working' && s.recheckDue)).toBe(true);
      // due after 2–3 s of frames at 150 ms
      expect(dueAfter.length).toBeGreaterThanOrEqual(2000 / 150 - 1);
      expect(dueAfter.length).toBeLessThanOrEqual(3000 / 150 + 2);
      const passed = dueAfter.at(-1)!.notice === 'recheck_passed' ? dueAfter : await framesUntil(booth, faces.expert, (o) => o.notice !== null, 10);
      expect(passed.at(-1)!.notice).toBe('recheck_passed');
      expect(await booth.call<BoothSession>('getSession')).toMatchObject({ phase: 'working', recheckDue: false });
      expect(booth.events('booth.recheck').map((e) => e.payload.result)).toEqual(['due', 'passed']);

      // the next re-check falls due while the chair is empty for a moment; a stranger answers it
      const seen = booth.sessions.length;
      await framesUntil(booth, faces.blank, () => booth.sessions.slice(seen).some((x) => x.recheckDue), 40);
      const failed = await framesUntil(booth, faces.other, (o) => o.notice !== null, 10);
      expect(failed.at(-1)).toMatchObject({ phase: 'locked', notice: 'recheck_failed' });
      expect(await booth.call<BoothSession>('getSession')).toMatchObject({ phase: 'locked', lockReason: 'recheck_failed', recheckDue: false });
      expect(booth.events('booth.recheck').at(-1)!.payload).toMatchObject({ result: 'failed', reason: 'no_match' });
      expect(await booth.error('listFiles')).toBe('WRONG_PHASE');

      // the expert comes back: a fresh face check with the key in → working again
      await framesUntil(booth, faces.expert, (o) => o.notice === 'logged_in', 30);
      expect(await booth.call<BoothSession>('getSession')).toMatchObject({ phase: 'working', lockReason: null });
      expect(booth.events('booth.unlocked').at(-1)!.payload).toMatchObject({ lockReason: 'recheck_failed', to: 'working' });
    } finally {
      await booth.services.close();
    }
  });

  it('a second face for 1.5 s is reported (no lock); an empty booth for the absence limit locks expert_absent until the face check on return', async () => {
    const booth = await working({ absenceLimitS: 3 });
    try {
      for (let i = 0; i < 14; i++) await booth.frame(faces.two);
      const second = booth.events('booth.presence').filter((e) => e.payload.kind === 'second_face');
      expect(second).toHaveLength(1);
      expect(second[0]!.payload.faces).toBeGreaterThanOrEqual(2);
      expect((await booth.call<BoothSession>('getSession')).phase).toBe('working');

      const gone = await framesUntil(booth, faces.blank, (o) => o.phase === 'locked', 40);
      expect(gone.length * 150).toBeGreaterThanOrEqual(3000);
      expect(await booth.call<BoothSession>('getSession')).toMatchObject({ phase: 'locked', lockReason: 'expert_absent', codename: null });
      expect(booth.events('booth.presence').at(-1)!.payload).toMatchObject({ kind: 'absent', limitS: 3 });

      await framesUntil(booth, faces.expert, (o) => o.notice === 'logged_in', 30);
      expect(await booth.call<BoothSession>('getSession')).toMatchObject({ phase: 'working' });
      expect(booth.events('booth.unlocked').at(-1)!.payload).toMatchObject({ lockReason: 'expert_absent' });
    } finally {
      await booth.services.close();
    }
  });

  it('a different person in the chair locks different_person; every fact is in the sync log while the central is away', async () => {
    const booth = await working();
    try {
      for (let i = 0; i < 5; i++) await booth.frame(faces.expert, 300);
      const out = await framesUntil(booth, faces.other, (o) => o.phase === 'locked', 20, 300);
      expect(out.length * 300).toBeGreaterThanOrEqual(1000);
      expect(await booth.call<BoothSession>('getSession')).toMatchObject({ phase: 'locked', lockReason: 'different_person' });
      const presence = booth.events('booth.presence').at(-1)!;
      expect(presence.payload).toMatchObject({ kind: 'different_person' });
      expect(presence.payload.similarity).toBeLessThan(0.88);

      const all = logEvents(booth.dir).map((e) => e.type);
      expect(all.filter((t) => t.startsWith('booth.'))).toEqual(['booth.login', 'booth.commitment_signed', 'booth.presence', 'booth.locked']);
      const status = await booth.call<BoothStatus>('getStatus');
      expect(status.provisioning).toBe('enrolled');
      if (status.provisioning === 'enrolled') {
        expect(status.sync.ackedSeq).toBe(0);
        expect(status.sync.pending).toBe(all.length);
        expect(status.link.state).not.toBe('online');
      }
    } finally {
      await booth.services.close();
    }
  });
});
