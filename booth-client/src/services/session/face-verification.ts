/**
 * One face verification of the expert seated here, frame by frame: active liveness first (a
 * LivenessSession whose challenge order comes from the caller's random source, CSPRNG in production),
 * then quality, then 1:1 against the template. The login, every random re-check and every unlock run
 * one of these; the caller decides what a pass or a failure means.
 *
 * - No face: fed to the liveness session (it fails 'face_lost' after its grace); without liveness, no
 *   face for FACE_GONE_MS. Either way the result is `gone` — someone who walks off has not failed.
 * - Several faces: guidance `several_faces`; on SEVERAL_FACES_FRAMES frames in a row the verification
 *   starts afresh (a passed liveness does not carry over to whoever is in front now).
 * - A face box that jumps between frames is another face: start afresh.
 * - After liveness, a frame of good quality is embedded and compared (FACE_MATCH_THRESHOLD); no match
 *   on `noMatchFrames` good frames in a row is the failure `no_match` (one blurred frame is no verdict).
 *
 * Pure: the caller brings the frame, the grey image's quality and an embed function.
 */
import type { Box, FaceObservation, FrameObservation, QualityReason, QualityReport } from '@kawei/shared/face/face-types.ts';
import { createChallengeSequence, LivenessSession, type LivenessChallengeKind, type LivenessFailure } from '@kawei/shared/face/liveness.ts';
import { FACE_MATCH_THRESHOLD, match1to1 } from '@kawei/shared/face/matching.ts';

export const FACE_GONE_MS = 1500;
export const SEVERAL_FACES_FRAMES = 2;
export const NO_MATCH_FRAMES = 2;

export type VerificationStep =
  | {
      kind: 'guidance';
      quality: QualityReason | null;
      challenge: LivenessChallengeKind | null;
      progress: number;
    }
  | { kind: 'passed'; similarity: number }
  | { kind: 'failed'; reason: 'liveness_failed'; liveness: LivenessFailure; similarity: null }
  | { kind: 'failed'; reason: 'no_match'; similarity: number }
  | { kind: 'gone' };

export interface VerificationOptions {
  /** 0 = no liveness (test-only; see booth-config.ts). */
  challenges: number;
  random: () => number;
  noMatchFrames?: number;
  threshold?: number;
}

export interface VerificationFrame {
  frame: FrameObservation;
  /** assessQuality of the frame with light and blur (computed by the caller only when asked). */
  quality: () => QualityReport;
  embed: (face: FaceObservation) => Float32Array;
  template: Float32Array;
}

function jumped(a: Box, b: Box): boolean {
  const dx = b.x + b.width / 2 - (a.x + a.width / 2);
  const dy = b.y + b.height / 2 - (a.y + a.height / 2);
  const grow = Math.max(b.width / a.width, a.width / b.width);
  return Math.hypot(dx, dy) > 0.6 * a.width || grow > 1.5;
}

export class FaceVerification {
  private liveness: LivenessSession | null = null;
  private livenessPassed: boolean;
  private lastBox: Box | null = null;
  private lastFaceAt: number | null = null;
  private several = 0;
  private misses = 0;
  private bestMiss = -1;

  constructor(private readonly o: VerificationOptions) {
    this.livenessPassed = o.challenges === 0;
  }

  private restart(): void {
    this.liveness = null;
    this.livenessPassed = this.o.challenges === 0;
    this.lastBox = null;
    this.misses = 0;
    this.bestMiss = -1;
  }

  push(input: VerificationFrame): VerificationStep {
    const { frame } = input;
    const faces = frame.faces;
    if (faces.length === 0) {
      this.several = 0;
      if (this.liveness && !this.livenessPassed) {
        const st = this.liveness.push(frame);
        if (st.status === 'failed') return { kind: 'gone' };
      } else if (this.lastFaceAt !== null && frame.t - this.lastFaceAt > FACE_GONE_MS) {
        return { kind: 'gone' };
      }
      return this.guide('no_face');
    }
    if (faces.length > 1) {
      if (++this.several >= SEVERAL_FACES_FRAMES) this.restart();
      return this.guide('several_faces');
    }
    this.several = 0;
    const face = faces[0] as FaceObservation;
    if (this.lastBox && jumped(this.lastBox, face.box)) this.restart();
    this.lastBox = face.box;
    this.lastFaceAt = frame.t;

    if (!this.livenessPassed) {
      this.liveness ??= new LivenessSession(createChallengeSequence(this.o.random, { count: this.o.challenges }));
      const st = this.liveness.push(frame);
      if (st.status === 'failed') {
        if (st.reason === 'face_lost') return { kind: 'gone' };
        return { kind: 'failed', reason: 'liveness_failed', liveness: st.reason ?? 'timeout', similarity: null };
      }
      if (st.status !== 'passed') {
        const q = st.status === 'baseline' ? input.quality() : null;
        return this.guide(q && !q.ok ? (q.reason ?? null) : null, st.challenge?.kind ?? null, st.progress);
      }
      this.livenessPassed = true;
    }

    const quality = input.quality();
    if (!quality.ok) return this.guide(quality.reason ?? null, null, 1);
    const m = match1to1(input.embed(face), input.template, this.o.threshold ?? FACE_MATCH_THRESHOLD, quality);
    if (m.decision === 'match') return { kind: 'passed', similarity: m.similarity };
    this.bestMiss = Math.max(this.bestMiss, m.similarity);
    if (++this.misses >= (this.o.noMatchFrames ?? NO_MATCH_FRAMES)) return { kind: 'failed', reason: 'no_match', similarity: this.bestMiss };
    return this.guide(null, null, 1);
  }

  private guide(quality: QualityReason | null, challenge: LivenessChallengeKind | null = null, progress = 0): VerificationStep {
    return { kind: 'guidance', quality, challenge, progress: Math.max(0, Math.min(1, progress)) };
  }
}
