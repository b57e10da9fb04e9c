/**
 * Active liveness from the FaceMesh over time: the person performs a short random sequence of
 * challenges (blink, turn left, turn right, nod), each within its own time limit.
 *
 * What defeats what:
 * - A photo held up (moved, turned, tilted): its mesh moves as one flat sheet, so the eye aspect ratio and
 *   the 3D pose do not change, and every motion of its points is explained by one 2D affine transform.
 *   No challenge is accepted without "parallax": the challenge's peak frame must depart from the best
 *   affine fit to the baseline by at least `minParallax` (eyelids closing, the nose moving across the
 *   cheeks). A session that times out having never shown parallax fails as 'no_motion'.
 * - A replayed recording: the order is drawn at random per session (18 orders of three with a blink),
 *   each step has a short window, and a clear move that is not the one asked for (a turn or a nod
 *   when something else is asked) fails the session as 'wrong_action'. Natural blinks never count as
 *   wrong.
 * - A second person or a swap: more than one face fails at once ('several_faces'); a face box that
 *   jumps or changes size between consecutive frames fails as 'face_swapped'; no face for longer than
 *   `faceLostMs` fails as 'face_lost'.
 *
 * Angles are relative to the person's own baseline (the median over the first frames, when they look
 * at the camera), and the blink threshold is relative to their own open-eye ratio.
 *
 * Pure: fed FrameObservations in time order; `random` is the caller's (cryptoRandom() in production,
 * seeded in tests).
 */
import { eyeAspect } from './eye-aspect.ts';
import type { FaceObservation, FrameObservation, Point3 } from './face-types.ts';
import { estimateHeadPose } from './head-pose.ts';
import { LEFT_EYE, PARALLAX_POINTS, RIGHT_EYE } from './landmark-indices.ts';

export const LIVENESS_CHALLENGES = ['blink', 'turn_left', 'turn_right', 'nod'] as const;
export type LivenessChallengeKind = (typeof LIVENESS_CHALLENGES)[number];

export const LIVENESS_FAILURES = ['timeout', 'several_faces', 'face_lost', 'no_motion', 'wrong_action', 'face_swapped'] as const;
export type LivenessFailure = (typeof LIVENESS_FAILURES)[number];

export interface LivenessChallenge {
  readonly kind: LivenessChallengeKind;
  /** From the moment the challenge is shown. */
  readonly timeLimitMs: number;
}

/**
 * Time limits. A prompted blink takes ≈ 0.5–1.5 s from reading the prompt; a head turn out and back
 * ≈ 1.5–2.5 s; 4 s leaves room for a slow reader while keeping a replay's timing tight.
 */
export const DEFAULT_TIME_LIMITS_MS: Readonly<Record<LivenessChallengeKind, number>> = {
  blink: 4000,
  turn_left: 4500,
  turn_right: 4500,
  nod: 4500,
};

export interface ChallengeSequenceOptions {
  /** 1…4 distinct challenges; default 3. */
  readonly count?: number;
  /** Always include a blink (the one move a photo cannot imitate by tilting); default true. */
  readonly requireBlink?: boolean;
  readonly timeLimitsMs?: Partial<Record<LivenessChallengeKind, number>>;
}

/** A uniform 0…1 from the platform's CSPRNG (Web Crypto: present in Node ≥ 19 and in the renderer). */
export function cryptoRandom(): number {
  const words = new Uint32Array(2);
  globalThis.crypto.getRandomValues(words);
  // 53 random bits, as Math.random() would give.
  return ((words[0] as number) * 2 ** 21 + ((words[1] as number) >>> 11)) / 2 ** 53;
}

/** `count` distinct challenges in random order (Fisher–Yates on the caller's random source). */
export function createChallengeSequence(random: () => number, options: ChallengeSequenceOptions = {}): LivenessChallenge[] {
  const count = options.count ?? 3;
  if (!Number.isInteger(count) || count < 1 || count > LIVENESS_CHALLENGES.length) {
    throw new RangeError(`count must be 1…${LIVENESS_CHALLENGES.length}, got ${count}`);
  }
  const requireBlink = options.requireBlink ?? true;
  const pick = (items: LivenessChallengeKind[]): LivenessChallengeKind => {
    const i = Math.min(items.length - 1, Math.floor(random() * items.length));
    return items.splice(i, 1)[0] as LivenessChallengeKind;
  };
  const pool = LIVENESS_CHALLENGES.filter((k) => !requireBlink || k !== 'blink');
  const chosen: LivenessChallengeKind[] = requireBlink ? ['blink'] : [];
  while (chosen.length < count) chosen.push(pick(pool));
  // Shuffle so the blink is not always first.
  const order: LivenessChallengeKind[] = [];
  while (chosen.length > 0) order.push(pick(chosen));
  const limits = { ...DEFAULT_TIME_LIMITS_MS, ...options.timeLimitsMs };
  return order.map((kind) => ({ kind, timeLimitMs: limits[kind] }));
}

/**
 * Thresholds, chosen as follows:
 * - blink: closed when the mean EAR falls below (1 − 0.4) of the open baseline (closed eyes measure
 *   ≈ 0.1–0.3 of open, a squint ≈ 0.7), open again above 0.85 of it, within 1 s (a prompted blink lasts
 *   0.1–0.5 s; eyes shut longer are not a blink);
 * - turn: 18° of yaw from the baseline (inside the ±15–20° a person turns without effort, and beyond
 *   the ±5° of yaw a person wobbles when holding still), then back within 8°;
 * - nod: 12° of pitch down (a nod is a smaller motion than a turn), then back within 8°;
 * - wrong action: a turn (≥ 18° yaw) when it is not asked, a pitch change ≥ 15° during a turn or a
 *   blink;
 * - parallax: RMS distance of PARALLAX_POINTS from the best affine fit to the baseline, over the
 *   baseline's outer-eye-corner distance. Measured on the fixture mesh (136 px between the outer eye
 *   corners): 0.5 px of jitter ≈ 0.007, and a photo slid, turned and scaled in its plane the same; lids
 *   at the blink threshold ≈ 0.019, shut ≈ 0.042; an 18° turn ≈ 0.075; a 12° nod ≈ 0.045 (even a 5°
 *   head wobble ≈ 0.02). 0.015 is twice the jitter and below every accepted move;
 * - face swap: the box centre moves more than 0.6 of the box width, or the width changes by more than
 *   ×1.5, from one face frame to the next (at ≥ 8 frames/s a head moves far less);
 * - face lost: 600 ms without a face (one or two detector misses are tolerated).
 */
export interface LivenessOptions {
  readonly baselineFrames?: number;
  readonly baselineTimeoutMs?: number;
  /** Baseline frames must be roughly frontal. */
  readonly baselineMaxAngle?: number;
  readonly blinkCloseRatio?: number;
  readonly blinkOpenRatio?: number;
  readonly blinkMaxMs?: number;
  readonly turnDeg?: number;
  readonly nodDeg?: number;
  readonly returnDeg?: number;
  readonly wrongPitchDeg?: number;
  readonly minParallax?: number;
  readonly maxJump?: number;
  readonly maxSizeChange?: number;
  readonly faceLostMs?: number;
}

export const LIVENESS_DEFAULTS: Required<LivenessOptions> = {
  baselineFrames: 5,
  baselineTimeoutMs: 5000,
  baselineMaxAngle: 20,
  blinkCloseRatio: 0.6,
  blinkOpenRatio: 0.85,
  blinkMaxMs: 1000,
  turnDeg: 18,
  nodDeg: 12,
  returnDeg: 8,
  wrongPitchDeg: 15,
  minParallax: 0.015,
  maxJump: 0.6,
  maxSizeChange: 1.5,
  faceLostMs: 600,
};

export type LivenessStatus = 'baseline' | 'challenge' | 'passed' | 'failed';

export interface LivenessState {
  readonly status: LivenessStatus;
  /** Index of the current challenge (= challenges passed so far). */
  readonly index: number;
  readonly challenge?: LivenessChallenge;
  /** 0…1 over the whole sequence, half a step when the move is made and not yet returned from. */
  readonly progress: number;
  /** When the current challenge times out (frame clock). */
  readonly deadline?: number;
  readonly reason?: LivenessFailure;
  /** Time of the last frame taken into account. */
  readonly t?: number;
  /** Largest parallax seen so far (for logs). */
  readonly maxParallax: number;
}

type Phase = 'rest' | 'moved';

interface Measure {
  readonly ear: number;
  readonly yaw: number;
  readonly pitch: number;
  readonly parallax: number;
}

/** Least-squares 2D affine map from `from` to `to`, then the RMS of the residuals. */
export function affineResidual(from: readonly (readonly [number, number])[], to: readonly (readonly [number, number])[]): number {
  const n = from.length;
  // Normal equations for [a b c] with x' = a x + b y + c (same matrix for y').
  let sxx = 0, sxy = 0, syy = 0, sx = 0, sy = 0;
  let tx = 0, ty = 0, txx = 0, txy = 0, tyx = 0, tyy = 0;
  for (let i = 0; i < n; i++) {
    const [x, y] = from[i] as readonly [number, number];
    const [u, v] = to[i] as readonly [number, number];
    sxx += x * x; sxy += x * y; syy += y * y; sx += x; sy += y;
    txx += x * u; tyx += y * u; tx += u;
    txy += x * v; tyy += y * v; ty += v;
  }
  const m = [[sxx, sxy, sx], [sxy, syy, sy], [sx, sy, n]] as const;
  const solve = (r: readonly [number, number, number]): [number, number, number] => {
    const det = (a: readonly (readonly number[])[]): number =>
      (a[0]![0]! * (a[1]![1]! * a[2]![2]! - a[1]![2]! * a[2]![1]!) -
        a[0]![1]! * (a[1]![0]! * a[2]![2]! - a[1]![2]! * a[2]![0]!) +
        a[0]![2]! * (a[1]![0]! * a[2]![1]! - a[1]![1]! * a[2]![0]!));
    const d = det(m);
    if (Math.abs(d) < 1e-12) return [1, 0, 0];
    const col = (k: number): number[][] => m.map((row, i) => row.map((v, j) => (j === k ? r[i]! : v)));
    return [det(col(0)) / d, det(col(1)) / d, det(col(2)) / d];
  };
  const [a, b, c] = solve([txx, tyx, tx]);
  const [d, e, f] = solve([txy, tyy, ty]);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const [x, y] = from[i] as readonly [number, number];
    const [u, v] = to[i] as readonly [number, number];
    sum += (a * x + b * y + c - u) ** 2 + (d * x + e * y + f - v) ** 2;
  }
  return Math.sqrt(sum / n);
}

function parallaxPoints(mesh: readonly Point3[]): [number, number][] {
  return PARALLAX_POINTS.map((i) => {
    const p = mesh[i] as Point3;
    return [p[0], p[1]];
  });
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

export class LivenessSession {
  readonly challenges: readonly LivenessChallenge[];
  private readonly o: Required<LivenessOptions>;
  private current: LivenessState;
  private baseline: { ear: number; yaw: number; pitch: number; points: [number, number][]; scale: number } | null = null;
  private readonly baselineFrames: { ear: number; yaw: number; pitch: number; points: [number, number][]; scale: number }[] = [];
  private startedAt: number | null = null;
  private lastFace: { t: number; face: FaceObservation } | null = null;
  private lastT = -Infinity;
  private phase: Phase = 'rest';
  private movedAt = 0;
  private challengeStart = 0;
  private maxParallax = 0;

  constructor(challenges: readonly LivenessChallenge[], options: LivenessOptions = {}) {
    if (challenges.length === 0) throw new RangeError('a liveness session needs at least one challenge');
    this.challenges = challenges;
    this.o = { ...LIVENESS_DEFAULTS, ...options };
    this.current = { status: 'baseline', index: 0, progress: 0, maxParallax: 0 };
  }

  get state(): LivenessState {
    return this.current;
  }

  /** Take the next frame (frames must come in time order) and return the new state. */
  push(frame: FrameObservation): LivenessState {
    const s = this.current;
    if (s.status === 'passed' || s.status === 'failed') return s;
    if (frame.t < this.lastT) throw new RangeError(`frames out of order: ${frame.t} after ${this.lastT}`);
    this.lastT = frame.t;
    this.startedAt ??= frame.t;

    if (frame.faces.length > 1) return this.fail('several_faces', frame.t);
    const face = frame.faces[0];
    if (!face) {
      const since = this.lastFace?.t ?? this.startedAt;
      if (this.lastFace && frame.t - since > this.o.faceLostMs) return this.fail('face_lost', frame.t);
      return this.tick(frame.t);
    }
    if (this.lastFace && this.jumped(this.lastFace.face, face)) return this.fail('face_swapped', frame.t);
    if (this.lastFace && frame.t - this.lastFace.t > this.o.faceLostMs) return this.fail('face_lost', frame.t);
    this.lastFace = { t: frame.t, face };

    const ear = eyeAspect(face.mesh).mean;
    const pose = estimateHeadPose(face.mesh);
    const points = parallaxPoints(face.mesh);

    if (s.status === 'baseline') {
      if (Math.abs(pose.yaw) <= this.o.baselineMaxAngle && Math.abs(pose.pitch) <= this.o.baselineMaxAngle) {
        const outer = [face.mesh[RIGHT_EYE.outer], face.mesh[LEFT_EYE.outer]] as [Point3, Point3];
        const scale = Math.hypot(outer[1][0] - outer[0][0], outer[1][1] - outer[0][1]);
        this.baselineFrames.push({ ear, yaw: pose.yaw, pitch: pose.pitch, points, scale });
      }
      if (this.baselineFrames.length >= this.o.baselineFrames) {
        const n = this.baselineFrames.length;
        const meanPoints = PARALLAX_POINTS.map((_, i) => {
          let x = 0;
          let y = 0;
          for (const f of this.baselineFrames) {
            x += (f.points[i] as [number, number])[0];
            y += (f.points[i] as [number, number])[1];
          }
          return [x / n, y / n] as [number, number];
        });
        this.baseline = {
          ear: median(this.baselineFrames.map((f) => f.ear)),
          yaw: median(this.baselineFrames.map((f) => f.yaw)),
          pitch: median(this.baselineFrames.map((f) => f.pitch)),
          points: meanPoints,
          scale: median(this.baselineFrames.map((f) => f.scale)),
        };
        return this.startChallenge(0, frame.t);
      }
      if (frame.t - this.startedAt > this.o.baselineTimeoutMs) return this.fail('timeout', frame.t);
      return this.set({ ...s, t: frame.t });
    }

    const b = this.baseline as NonNullable<LivenessSession['baseline']>;
    const m: Measure = {
      ear,
      yaw: pose.yaw - b.yaw,
      pitch: pose.pitch - b.pitch,
      parallax: affineResidual(b.points, points) / b.scale,
    };
    this.maxParallax = Math.max(this.maxParallax, m.parallax);
    return this.step(m, frame.t);
  }

  private step(m: Measure, t: number): LivenessState {
    const s = this.current;
    const challenge = s.challenge as LivenessChallenge;
    const o = this.o;
    const b = this.baseline as NonNullable<LivenessSession['baseline']>;
    const live = m.parallax >= o.minParallax;
    let done = false;

    switch (challenge.kind) {
      case 'blink': {
        if (Math.abs(m.yaw) >= o.turnDeg || Math.abs(m.pitch) >= o.wrongPitchDeg) return this.fail('wrong_action', t);
        const closed = m.ear < b.ear * o.blinkCloseRatio;
        if (this.phase === 'rest' && closed && live) {
          this.phase = 'moved';
          this.movedAt = t;
        } else if (this.phase === 'moved') {
          if (t - this.movedAt > o.blinkMaxMs) this.phase = 'rest';
          else if (m.ear > b.ear * o.blinkOpenRatio) done = true;
        }
        break;
      }
      case 'turn_left':
      case 'turn_right': {
        const sign = challenge.kind === 'turn_left' ? 1 : -1;
        const toward = m.yaw * sign;
        if (toward <= -o.turnDeg) return this.fail('wrong_action', t);
        if (Math.abs(m.pitch) >= o.wrongPitchDeg && toward < o.turnDeg / 2) return this.fail('wrong_action', t);
        if (this.phase === 'rest' && toward >= o.turnDeg && live) this.phase = 'moved';
        else if (this.phase === 'moved' && Math.abs(m.yaw) <= o.returnDeg) done = true;
        break;
      }
      case 'nod': {
        if (Math.abs(m.yaw) >= o.turnDeg) return this.fail('wrong_action', t);
        if (this.phase === 'rest' && m.pitch <= -o.nodDeg && live) this.phase = 'moved';
        else if (this.phase === 'moved' && Math.abs(m.pitch) <= o.returnDeg) done = true;
        break;
      }
    }

    if (done) {
      const next = s.index + 1;
      if (next >= this.challenges.length) {
        return this.set({ status: 'passed', index: next, progress: 1, t, maxParallax: this.maxParallax });
      }
      return this.startChallenge(next, t);
    }
    return this.tick(t);
  }

  /** Time passes: check the deadline and refresh progress. */
  private tick(t: number): LivenessState {
    const s = this.current;
    if (s.status === 'baseline') {
      if (this.startedAt !== null && t - this.startedAt > this.o.baselineTimeoutMs) return this.fail('timeout', t);
      return this.set({ ...s, t });
    }
    if (s.deadline !== undefined && t > s.deadline) {
      return this.fail(this.maxParallax < this.o.minParallax ? 'no_motion' : 'timeout', t);
    }
    const progress = (s.index + (this.phase === 'moved' ? 0.5 : 0)) / this.challenges.length;
    return this.set({ ...s, progress, t, maxParallax: this.maxParallax });
  }

  private startChallenge(index: number, t: number): LivenessState {
    const challenge = this.challenges[index] as LivenessChallenge;
    this.phase = 'rest';
    this.challengeStart = t;
    return this.set({
      status: 'challenge',
      index,
      challenge,
      progress: index / this.challenges.length,
      deadline: this.challengeStart + challenge.timeLimitMs,
      t,
      maxParallax: this.maxParallax,
    });
  }

  private jumped(a: FaceObservation, b: FaceObservation): boolean {
    const ca = [a.box.x + a.box.width / 2, a.box.y + a.box.height / 2];
    const cb = [b.box.x + b.box.width / 2, b.box.y + b.box.height / 2];
    const move = Math.hypot((cb[0] as number) - (ca[0] as number), (cb[1] as number) - (ca[1] as number));
    const size = Math.max(b.box.width / a.box.width, a.box.width / b.box.width);
    return move > this.o.maxJump * a.box.width || size > this.o.maxSizeChange;
  }

  private fail(reason: LivenessFailure, t: number): LivenessState {
    const s = this.current;
    return this.set({
      status: 'failed',
      index: s.index,
      ...(s.challenge ? { challenge: s.challenge } : {}),
      progress: s.progress,
      reason,
      t,
      maxParallax: this.maxParallax,
    });
  }

  private set(state: LivenessState): LivenessState {
    this.current = state;
    return state;
  }
}
