/**
 * The expert's session in the booth: the phase machine, the camera frames that drive it, the USB
 * key's presence, and the commitment letter. Every change of the session is pushed (`publish`) as
 * the contract's `session` event; every fact the central must know is appended to the sync log
 * (durable before the answer, delivered whenever the central is reachable).
 *
 * Phases (shared/src/contract/booth-session.ts):
 *
 *   idle ──face──▶ login ──liveness + 1:1 pass──▶ commitment ──signCommitment──▶ working ──(submit)──▶ submitted
 *                                                                         (committee's re-check) ◀──────────┘
 *     ▲              │ no face 3 s                                                   │ logout: idle, progress kept
 *     └──────────────┘                                                               ▼
 *   any phase ──(token removed, re-check failed, different person, absent, 3 login failures)──▶ locked
 *
 * Rules:
 * - Login (idle/login): exactly one face, quality guidance, active liveness (challenge order from the
 *   CSPRNG), then 1:1 against the template of the expert the roster seats HERE today. A refusal (no
 *   match on two good frames, or liveness failed) costs one of three attempts (`booth.login_failed`)
 *   and pauses 1.5 s; the third locks `login_failures` and calls staff (`booth.staff_called`). No
 *   roster (or no template) for today → notice `no_roster`; a roster for another booth → notice
 *   `not_seated_here`; the phase stays idle. Failures are stored per day: a restart gives no more.
 * - Working/submitted: a PresenceWatch on every frame — a second face raises `booth.presence`
 *   (second_face, no lock: someone leaning in is for staff to judge); no face for the configured
 *   absence limit locks `expert_absent` (the files must not lie open in an empty booth) and the face
 *   check that unlocks it is the re-check on return; about once a second a good single-face frame is
 *   compared with the template (a looser "same person" bar, PRESENCE_SAME_THRESHOLD) and two
 *   "different" verdicts in a row lock `different_person`. Random re-checks: after a uniform random
 *   wait in the configured range `recheckDue` turns true (pushed) and the next frames run liveness +
 *   1:1; pass → `recheck_passed`, the next one is scheduled; failure → locked `recheck_failed`. All
 *   recorded as `booth.recheck` / `booth.presence`.
 * - USB key: its presence is polled (BoothSigner). Removal while logged in (commitment, working,
 *   submitted) locks `token_removed` at once (`booth.token_removed`).
 * - Unlock: a fresh face verification of the same expert (liveness + 1:1) — and, once the commitment
 *   is signed or when the key was what locked it, the key present (the bound key after the
 *   commitment). Face and key may come in either order; the face counts for UNLOCK_WINDOW_MS. The
 *   expert goes back to where the day's progress says: commitment if not signed, working, or
 *   submitted. A face login of an expert whose commitment is signed but whose key is absent also
 *   lands on the lock screen (`token_removed`) until the key is inserted. Locks survive a restart.
 * - logout: from commitment/working/submitted (and cancels a login) → idle; progress is kept.
 *   A locked screen cannot be logged out.
 */
import { ApiError } from '@kawei/shared/errors.ts';
import { COMMITMENT_SIGNED_EVENT } from '@kawei/shared/api/signed-submissions.ts';
import type { BoothPhase, BoothSession as BoothSessionView, CameraFrameOutput } from '@kawei/shared/contract/booth-session.ts';
import type { BoothPosition } from '@kawei/shared/domain/topology.ts';
import type { FacePipeline } from '@kawei/shared/face/face-pipeline.node.ts';
import type { FaceObservation, FrameObservation, RgbaImage } from '@kawei/shared/face/face-types.ts';
import { decodeImage } from '@kawei/shared/face/image-decode.node.ts';
import { cryptoRandom } from '@kawei/shared/face/liveness.ts';
import { cosineSimilarity } from '@kawei/shared/face/matching.ts';
import { PresenceWatch, type PresenceEvent } from '@kawei/shared/face/presence-watch.ts';
import { assessQuality, toGray } from '@kawei/shared/face/quality.ts';
import type { JsonValue } from '@kawei/shared/sync/canonical-json.ts';
import type { EventPayload } from '@kawei/shared/sync/event-log.node.ts';
import type { SyncEvent } from '@kawei/shared/sync/sync-event.ts';
import type { BoothConfig } from '../booth-config.ts';
import { boothDay } from '../roster/booth-day.ts';
import type { BoothRoster, BoothSeat, ProjectMaterial } from '../roster/booth-roster.node.ts';
import type { BoothSignature, BoothSignKind, TokenView } from '../signing/booth-signer.node.ts';
import { commitmentDocument, commitmentSha256, type CommitmentDocument } from './commitment-letter.ts';
import { FaceVerification, type VerificationStep } from './face-verification.ts';
import type { LockReason, SessionStore } from './session-store.node.ts';

export const MAX_LOGIN_ATTEMPTS = 3;
/** After a refused attempt, frames are not judged for this long (the message stays readable). */
export const RETRY_PAUSE_MS = 1500;
/** In the login phase, no face for this long returns to the idle screen. */
export const LOGIN_GONE_MS = 3000;
/** A passed face check waits this long for the USB key to unlock. */
export const UNLOCK_WINDOW_MS = 120_000;
/** Passive identity check while working: at most one embedding per this interval. */
export const VERDICT_EVERY_MS = 1000;
/**
 * The passive "still the same person" bar. Lower than the login threshold (0.925) on purpose: these
 * are frames of someone reading, not looking at the camera, and a false `different_person` locks an
 * honest expert out mid-work. 0.88 lies below the genuine pairs' 5th percentile (0.924) and above the
 * median impostor (0.843) in docs/FACE.md; the random re-checks hold the full threshold.
 */
export const PRESENCE_SAME_THRESHOLD = 0.88;

export const BOOTH_EVENTS = {
  login: 'booth.login',
  loginFailed: 'booth.login_failed',
  staffCalled: 'booth.staff_called',
  locked: 'booth.locked',
  unlocked: 'booth.unlocked',
  unlockFailed: 'booth.unlock_failed',
  recheck: 'booth.recheck',
  presence: 'booth.presence',
  tokenRemoved: 'booth.token_removed',
  commitmentSigned: COMMITMENT_SIGNED_EVENT,
  logout: 'booth.logout',
} as const;

/** What the session needs of the USB key (BoothSigner in production). */
export interface SessionKey {
  tokenView(): TokenView;
  onTokenChange(listener: (token: TokenView) => void): () => void;
  bind(serial: string | null): Promise<void>;
  sign(kind: BoothSignKind, value: unknown, pin: string): Promise<BoothSignature>;
}

export interface BoothSessionOptions {
  config: BoothConfig;
  roster: BoothRoster;
  store: SessionStore;
  key: SessionKey;
  /** The loaded face pipeline, or a throw (FACE_ENGINE_UNAVAILABLE). */
  pipeline: () => Promise<FacePipeline>;
  /** Where this booth stands (from enrolment); null when not enrolled. */
  position: () => BoothPosition | null;
  /** Appends to the sync log (DeviceIdentityService.recordEvent). */
  record: (type: string, payload: EventPayload) => SyncEvent;
  /**
   * One transaction of the booth's database (DeviceStore.transaction): the store's change and the
   * event that reports it commit together. Without it (tests of the session alone) `fn` just runs.
   */
  transaction?: <T>(fn: () => T) => T;
  publish: (session: BoothSessionView) => void;
  now?: () => number;
  random?: () => number;
  log?: (message: string) => void;
}

type Seating = { kind: 'ok'; seat: BoothSeat; template: Float32Array } | { kind: 'no_roster' } | { kind: 'not_seated_here'; seat: BoothSeat };

type Notice = CameraFrameOutput['notice'];
type Guidance = CameraFrameOutput['guidance'];

const LOGGED_IN: readonly BoothPhase[] = ['commitment', 'working', 'submitted'];

export class BoothSession {
  private phase: BoothPhase = 'idle';
  private lockReason: LockReason | null = null;
  /** The seat of the expert logged in (or locked out); kept through a lock for the unlock. */
  private active: BoothSeat | null = null;
  private attemptsLeft = MAX_LOGIN_ATTEMPTS;
  /** The roster's seat this session last followed (followRoster): a new one starts the booth over. */
  private seatedFor: BoothSeat | null = null;
  private verification: FaceVerification | null = null;
  private pauseUntil = 0;
  private lastFaceAt = 0;
  private recheckDue = false;
  private nextRecheckAt: number | null = null;
  private presence: PresenceWatch | null = null;
  private lastVerdictAt = -Infinity;
  private faceVerifiedAt: number | null = null;
  private token: TokenView;
  private readonly warnedNoTemplate = new Set<string>();
  private queue: Promise<unknown> = Promise.resolve();
  private readonly timer: NodeJS.Timeout;
  private readonly stopToken: () => void;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly log: (message: string) => void;
  private readonly transaction: <T>(fn: () => T) => T;

  constructor(private readonly o: BoothSessionOptions) {
    this.now = o.now ?? Date.now;
    this.transaction = o.transaction ?? ((fn) => fn());
    this.random = o.random ?? cryptoRandom;
    this.log = o.log ?? ((m) => console.warn(`[booth session] ${m}`));
    this.token = o.key.tokenView();
    // A lock or a bound key of today survives a restart.
    const seat = o.roster.seat(boothDay(this.now()));
    this.seatedFor = seat;
    if (seat) {
      const p = o.store.progress(seat.date, seat.expert);
      this.attemptsLeft = Math.max(0, MAX_LOGIN_ATTEMPTS - p.loginFailures);
      if (p.tokenSerial !== null) void o.key.bind(p.tokenSerial);
      if (p.lockReason !== null) {
        this.active = seat;
        this.phase = 'locked';
        this.lockReason = p.lockReason;
      }
    }
    this.stopToken = o.key.onTokenChange((t) => this.onToken(t));
    this.timer = setInterval(() => this.tick(), 1000);
    this.timer.unref();
  }

  // ── the session as the screen sees it ──────────────────────────────────────────────────────────

  get currentPhase(): BoothPhase {
    return this.phase;
  }

  /** Today's seat of the expert logged in, for the trusted-side services (files, scoring). */
  get seat(): BoothSeat | null {
    return LOGGED_IN.includes(this.phase) ? this.active : null;
  }

  material(): ProjectMaterial | null {
    const s = this.active;
    return s ? this.o.roster.project(s.date, s.project) : null;
  }

  commitmentSigned(): boolean {
    const s = this.active ?? this.o.roster.seat(boothDay(this.now()));
    return s !== null && this.o.store.progress(s.date, s.expert).commitment !== null;
  }

  view(): BoothSessionView {
    const pos = this.o.position();
    const shown = LOGGED_IN.includes(this.phase) ? this.active : null;
    const material = shown ? this.o.roster.project(shown.date, shown.project) : null;
    return {
      phase: this.phase,
      boothLabel: pos?.booth.label ?? '',
      roomName: pos?.room.name ?? '',
      codename: shown?.codename ?? null,
      project: shown
        ? {
            code: shown.project,
            title: shown.blind ? null : (material?.title ?? null),
            blind: shown.blind,
            startsAt: material?.startsAt ?? null,
            endsAt: material?.endsAt ?? null,
          }
        : null,
      loginAttemptsLeft: this.attemptsLeft,
      lockReason: this.phase === 'locked' ? this.lockReason : null,
      recheckDue: this.recheckDue,
      token: { present: this.token.present, label: this.token.label },
      commitmentSigned: this.commitmentSigned(),
    };
  }

  private publish(): void {
    try {
      this.o.publish(this.view());
    } catch (error) {
      this.log(`the session event could not be published: ${(error as Error).message}`);
    }
  }

  // ── camera frames ──────────────────────────────────────────────────────────────────────────────

  /** One frame. Frames are processed one at a time, in arrival order (one tfjs engine). */
  cameraFrame(input: { image: string; capturedAt: number }): Promise<CameraFrameOutput> {
    const run = this.queue.then(() => this.process(input.image));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async process(base64: string): Promise<CameraFrameOutput> {
    const started = performance.now();
    const pipeline = await this.o.pipeline();
    let image: RgbaImage;
    try {
      image = decodeImage(Buffer.from(base64, 'base64'));
    } catch (error) {
      throw new ApiError('IMAGE_UNREADABLE', `the frame is not a readable JPEG: ${(error as Error).message}`);
    }
    const now = this.now();
    const frame = await pipeline.observe(image, { t: now });
    this.tick();
    let gray: ReturnType<typeof toGray> | null = null;
    const ctx: FrameContext = {
      now,
      frame,
      quality: () => assessQuality(frame, (gray ??= toGray(image))),
      embed: (face) => {
        const [e] = pipeline.embed(image, [face]);
        if (!e) throw new Error('the pipeline returned no embedding');
        return e;
      },
    };
    let out: { guidance: Guidance; notice: Notice };
    switch (this.phase) {
      case 'idle':
      case 'login':
        out = this.loginFrame(ctx);
        break;
      case 'locked':
        out = this.unlockFrame(ctx);
        break;
      case 'working':
      case 'submitted':
        out = this.workFrame(ctx);
        break;
      case 'commitment':
        out = { guidance: null, notice: null };
        break;
    }
    return { phase: this.phase, guidance: out.guidance, notice: out.notice, processingMs: performance.now() - started };
  }

  private seating(): Seating {
    const seat = this.o.roster.seat(boothDay(this.now()));
    if (!seat) return { kind: 'no_roster' };
    const pos = this.o.position();
    if (pos && (pos.room.id !== seat.room || pos.booth.label !== seat.label)) return { kind: 'not_seated_here', seat };
    let template: Float32Array | null = null;
    try {
      template = this.o.roster.template(seat.date, seat.expert);
    } catch (error) {
      this.log(`today's template cannot be used: ${(error as Error).message}`);
    }
    if (!template) {
      const key = `${seat.date}:${seat.expert}`;
      if (!this.warnedNoTemplate.has(key)) {
        this.warnedNoTemplate.add(key);
        this.log(`no face template for the expert seated here on ${seat.date}: login impossible until faces.booth arrives`);
      }
      return { kind: 'no_roster' };
    }
    return { kind: 'ok', seat, template };
  }

  private verify(ctx: FrameContext, template: Float32Array): VerificationStep {
    this.verification ??= new FaceVerification({ challenges: this.o.config.livenessChallenges, random: this.random });
    return this.verification.push({ frame: ctx.frame, quality: ctx.quality, embed: ctx.embed, template });
  }

  private loginFrame(ctx: FrameContext): { guidance: Guidance; notice: Notice } {
    const faces = ctx.frame.faces.length;
    if (faces === 0) {
      if (this.phase === 'login') {
        if (this.verification) {
          const st = this.seatingTemplate();
          if (st) {
            const step = this.verify(ctx, st);
            if (step.kind === 'gone') this.verification = null;
          }
        }
        if (ctx.now - this.lastFaceAt > LOGIN_GONE_MS) {
          this.verification = null;
          this.setPhase('idle');
          return { guidance: null, notice: null };
        }
        return { guidance: { quality: 'no_face', challenge: null, progress: 0 }, notice: null };
      }
      return { guidance: null, notice: null };
    }
    const seating = this.seating();
    if (seating.kind !== 'ok') {
      if (this.phase !== 'idle') this.setPhase('idle');
      return { guidance: null, notice: seating.kind };
    }
    if (ctx.now < this.pauseUntil) return { guidance: null, notice: null };
    this.lastFaceAt = ctx.now;
    if (this.phase === 'idle') this.setPhase('login');
    const step = this.verify(ctx, seating.template);
    switch (step.kind) {
      case 'guidance':
        return { guidance: { quality: step.quality, challenge: step.challenge, progress: step.progress }, notice: null };
      case 'gone':
        this.verification = null;
        return { guidance: null, notice: null };
      case 'passed':
        this.verification = null;
        this.loggedIn(seating.seat, step.similarity);
        return { guidance: null, notice: 'logged_in' };
      case 'failed':
        this.verification = null;
        return { guidance: null, notice: this.loginFailed(seating.seat, step) };
    }
  }

  private seatingTemplate(): Float32Array | null {
    const s = this.seating();
    return s.kind === 'ok' ? s.template : null;
  }

  private loggedIn(seat: BoothSeat, similarity: number): void {
    const now = this.now();
    this.attemptsLeft = MAX_LOGIN_ATTEMPTS;
    this.active = seat;
    const target = this.resumeTarget();
    this.transaction(() => {
      this.o.store.setLoginFailures(seat.date, seat.expert, 0);
      this.record(BOOTH_EVENTS.login, {
        expert: seat.expert,
        codename: seat.codename,
        project: seat.project,
        date: seat.date,
        similarity: round4(similarity),
        liveness: this.o.config.livenessChallenges,
        to: target,
        at: now,
      });
    });
    if (this.keyNeeded(null) && !this.token.present) {
      // Face proved; the key the commitment was signed with is missing: the lock screen asks for it.
      this.lock('token_removed', { faceVerifiedAt: now, from: 'login' });
      return;
    }
    this.enter(target);
  }

  private loginFailed(seat: BoothSeat, step: Extract<VerificationStep, { kind: 'failed' }>): Notice {
    const now = this.now();
    const failures = this.o.store.progress(seat.date, seat.expert).loginFailures + 1;
    this.attemptsLeft = Math.max(0, MAX_LOGIN_ATTEMPTS - failures);
    this.pauseUntil = now + RETRY_PAUSE_MS;
    // The count that survives a restart and the event that reports it: together.
    this.transaction(() => {
      this.o.store.setLoginFailures(seat.date, seat.expert, failures);
      this.record(BOOTH_EVENTS.loginFailed, {
        expert: seat.expert,
        date: seat.date,
        reason: step.reason,
        liveness: step.reason === 'liveness_failed' ? step.liveness : null,
        similarity: step.similarity === null ? null : round4(step.similarity),
        attempt: failures,
        attemptsLeft: this.attemptsLeft,
        at: now,
      });
    });
    if (this.attemptsLeft === 0) {
      this.record(BOOTH_EVENTS.staffCalled, { reason: 'login_failures', expert: seat.expert, date: seat.date, failures, at: now });
      this.active = seat;
      this.lock('login_failures', { from: this.phase });
      return 'staff_called';
    }
    this.publish();
    return step.reason === 'no_match' ? 'login_refused' : 'liveness_failed';
  }

  private unlockFrame(ctx: FrameContext): { guidance: Guidance; notice: Notice } {
    const seat = this.active;
    if (!seat) return { guidance: null, notice: null };
    if (this.faceVerifiedAt !== null && ctx.now - this.faceVerifiedAt <= UNLOCK_WINDOW_MS) {
      // Face done; waiting for the key (the screen says so from session.token).
      return { guidance: null, notice: null };
    }
    this.faceVerifiedAt = null;
    if (ctx.frame.faces.length === 0 && !this.verification) return { guidance: null, notice: null };
    if (ctx.now < this.pauseUntil) return { guidance: null, notice: null };
    let template: Float32Array | null = null;
    try {
      template = this.o.roster.template(seat.date, seat.expert);
    } catch (error) {
      this.log(`the template cannot be used for the unlock: ${(error as Error).message}`);
    }
    if (!template) return { guidance: null, notice: 'no_roster' };
    const step = this.verify(ctx, template);
    switch (step.kind) {
      case 'guidance':
        return { guidance: { quality: step.quality, challenge: step.challenge, progress: step.progress }, notice: null };
      case 'gone':
        this.verification = null;
        return { guidance: null, notice: null };
      case 'passed': {
        this.verification = null;
        this.faceVerifiedAt = ctx.now;
        if (this.tryUnlock(step.similarity)) return { guidance: null, notice: 'logged_in' };
        if (this.lockReason !== 'token_removed') {
          // What still keeps the screen locked is the key: say so.
          this.lockReason = 'token_removed';
          this.o.store.setLock(seat.date, seat.expert, 'token_removed');
          this.publish();
        }
        return { guidance: null, notice: null };
      }
      case 'failed': {
        this.verification = null;
        this.pauseUntil = ctx.now + RETRY_PAUSE_MS;
        this.record(BOOTH_EVENTS.unlockFailed, {
          expert: seat.expert,
          date: seat.date,
          lockReason: this.lockReason,
          reason: step.reason,
          liveness: step.reason === 'liveness_failed' ? step.liveness : null,
          similarity: step.similarity === null ? null : round4(step.similarity),
          at: ctx.now,
        });
        return { guidance: null, notice: step.reason === 'no_match' ? 'login_refused' : 'liveness_failed' };
      }
    }
  }

  /** Whether an unlock (or a login) needs the USB key present. */
  private keyNeeded(reason: LockReason | null): boolean {
    return reason === 'token_removed' || this.commitmentSigned();
  }

  private tryUnlock(similarity: number | null): boolean {
    const seat = this.active;
    if (this.phase !== 'locked' || !seat || this.faceVerifiedAt === null) return false;
    if (this.now() - this.faceVerifiedAt > UNLOCK_WINDOW_MS) return false;
    if (this.keyNeeded(this.lockReason) && !this.token.present) return false;
    const reason = this.lockReason;
    const target = this.resumeTarget();
    if (reason === 'login_failures') this.attemptsLeft = MAX_LOGIN_ATTEMPTS;
    this.transaction(() => {
      this.o.store.setLock(seat.date, seat.expert, null);
      if (reason === 'login_failures') this.o.store.setLoginFailures(seat.date, seat.expert, 0);
      this.record(BOOTH_EVENTS.unlocked, {
        expert: seat.expert,
        date: seat.date,
        lockReason: reason,
        to: target,
        similarity: similarity === null ? null : round4(similarity),
        at: this.now(),
      });
    });
    this.lockReason = null;
    this.faceVerifiedAt = null;
    this.enter(target);
    return true;
  }

  private workFrame(ctx: FrameContext): { guidance: Guidance; notice: Notice } {
    const seat = this.active as BoothSeat;
    const watch = (this.presence ??= this.newWatch());
    for (const event of watch.observe(ctx.frame)) {
      if (this.onPresence(seat, event)) return { guidance: null, notice: null };
    }
    const faces = ctx.frame.faces;
    let template: Float32Array | null = null;
    try {
      template = this.o.roster.template(seat.date, seat.expert);
    } catch (error) {
      this.log(`the template cannot be used while working: ${(error as Error).message}`);
    }
    if (!template) return { guidance: null, notice: null };

    if (this.recheckDue) {
      const step = this.verify(ctx, template);
      switch (step.kind) {
        case 'guidance':
          return { guidance: { quality: step.quality, challenge: step.challenge, progress: step.progress }, notice: null };
        case 'gone':
          this.verification = null;
          return { guidance: { quality: 'no_face', challenge: null, progress: 0 }, notice: null };
        case 'passed':
          this.verification = null;
          this.recheckDue = false;
          this.scheduleRecheck();
          this.record(BOOTH_EVENTS.recheck, { expert: seat.expert, date: seat.date, result: 'passed', similarity: round4(step.similarity), at: ctx.now });
          this.publish();
          return { guidance: null, notice: 'recheck_passed' };
        case 'failed':
          this.verification = null;
          this.record(BOOTH_EVENTS.recheck, {
            expert: seat.expert,
            date: seat.date,
            result: 'failed',
            reason: step.reason,
            liveness: step.reason === 'liveness_failed' ? step.liveness : null,
            similarity: step.similarity === null ? null : round4(step.similarity),
            at: ctx.now,
          });
          this.lock('recheck_failed', { from: this.phase });
          return { guidance: null, notice: 'recheck_failed' };
      }
    }

    if (faces.length === 1 && ctx.now - this.lastVerdictAt >= VERDICT_EVERY_MS) {
      const quality = ctx.quality();
      if (quality.ok) {
        this.lastVerdictAt = ctx.now;
        const similarity = cosineSimilarity(ctx.embed(faces[0] as FaceObservation), template);
        for (const event of watch.verdict({ t: ctx.now, same: similarity >= PRESENCE_SAME_THRESHOLD, similarity })) {
          if (this.onPresence(seat, event)) return { guidance: null, notice: null };
        }
      }
    }
    return { guidance: null, notice: null };
  }

  private newWatch(): PresenceWatch {
    return new PresenceWatch({ absentMs: this.o.config.absenceLimitS * 1000 });
  }

  /** Records a presence event; true when it locked the screen. */
  private onPresence(seat: BoothSeat, event: PresenceEvent): boolean {
    const base = { expert: seat.expert, date: seat.date, at: event.t };
    switch (event.type) {
      case 'second_face':
        this.record(BOOTH_EVENTS.presence, { ...base, kind: 'second_face', faces: event.faces });
        return false;
      case 'absent':
        this.record(BOOTH_EVENTS.presence, { ...base, kind: 'absent', limitS: this.o.config.absenceLimitS });
        this.lock('expert_absent', { from: this.phase });
        return true;
      case 'returned':
        this.record(BOOTH_EVENTS.presence, { ...base, kind: 'returned', absentMs: event.absentMs });
        return false;
      case 'different_person':
        this.record(BOOTH_EVENTS.presence, { ...base, kind: 'different_person', similarity: round4(event.similarity) });
        this.lock('different_person', { from: this.phase });
        return true;
    }
  }

  // ── phases ─────────────────────────────────────────────────────────────────────────────────────

  /** Where the expert's day stands: commitment until signed, then working, or submitted. */
  private resumeTarget(): 'commitment' | 'working' | 'submitted' {
    const seat = this.active;
    if (!seat) return 'commitment';
    const p = this.o.store.progress(seat.date, seat.expert);
    if (p.commitment === null) return 'commitment';
    return p.submittedAt === null ? 'working' : 'submitted';
  }

  private enter(phase: 'commitment' | 'working' | 'submitted'): void {
    const wasWatching = this.phase === 'working' || this.phase === 'submitted';
    this.phase = phase;
    this.verification = null;
    if (phase !== 'commitment' && !wasWatching) {
      this.presence = this.newWatch();
      this.lastVerdictAt = -Infinity;
      this.recheckDue = false;
      this.scheduleRecheck();
    }
    this.publish();
  }

  private setPhase(phase: 'idle' | 'login'): void {
    if (this.phase === phase) return;
    this.phase = phase;
    this.publish();
  }

  private lock(reason: LockReason, extra: { from: string; faceVerifiedAt?: number }): void {
    const seat = this.active;
    this.phase = 'locked';
    this.lockReason = reason;
    this.recheckDue = false;
    this.nextRecheckAt = null;
    this.presence = null;
    this.verification = null;
    this.faceVerifiedAt = extra.faceVerifiedAt ?? null;
    this.transaction(() => {
      if (seat) this.o.store.setLock(seat.date, seat.expert, reason);
      this.record(BOOTH_EVENTS.locked, { reason, from: extra.from, expert: seat?.expert ?? null, date: seat?.date ?? null, at: this.now() });
    });
    this.publish();
  }

  private scheduleRecheck(): void {
    const { minMs, maxMs } = this.o.config.recheckIntervalMs;
    this.nextRecheckAt = this.now() + minMs + Math.floor(this.random() * (maxMs - minMs + 1));
  }

  /** Time passes: a re-check falls due (also run by a 1 s timer, so it is pushed without frames). */
  private tick(): void {
    if ((this.phase !== 'working' && this.phase !== 'submitted') || this.recheckDue || this.nextRecheckAt === null) return;
    if (this.now() < this.nextRecheckAt) return;
    this.recheckDue = true;
    this.verification = null;
    const seat = this.active as BoothSeat;
    this.record(BOOTH_EVENTS.recheck, { expert: seat.expert, date: seat.date, result: 'due', at: this.now() });
    this.publish();
  }

  private onToken(token: TokenView): void {
    const before = this.token;
    this.token = token;
    const removed = before.present && !token.present;
    if (removed && (LOGGED_IN.includes(this.phase) || this.phase === 'locked')) {
      const seat = this.active;
      this.record(BOOTH_EVENTS.tokenRemoved, {
        expert: seat?.expert ?? null,
        date: seat?.date ?? null,
        label: before.label,
        phase: this.phase,
        at: this.now(),
      });
      if (this.phase !== 'locked') {
        this.lock('token_removed', { from: this.phase });
        return;
      }
    }
    if (token.present && this.phase === 'locked' && this.tryUnlock(null)) return;
    this.publish();
  }

  // ── calls ──────────────────────────────────────────────────────────────────────────────────────

  logout(): BoothSessionView {
    if (this.phase === 'locked') throw new ApiError('WRONG_PHASE', 'a locked screen is unlocked by a face check, not logged out');
    if (LOGGED_IN.includes(this.phase)) {
      const seat = this.active as BoothSeat;
      this.record(BOOTH_EVENTS.logout, { expert: seat.expert, date: seat.date, from: this.phase, at: this.now() });
    }
    this.active = null;
    this.presence = null;
    this.verification = null;
    this.recheckDue = false;
    this.nextRecheckAt = null;
    this.phase = 'idle';
    this.publish();
    return this.view();
  }

  private commitmentFacts(): CommitmentDocument {
    const seat = this.active as BoothSeat;
    const pos = this.o.position();
    return commitmentDocument({
      codename: seat.codename,
      project: seat.project,
      date: seat.date,
      roomName: pos?.room.name ?? seat.room,
      boothLabel: pos?.booth.label ?? seat.label,
    });
  }

  async getCommitment(): Promise<{ text: string; sha256: string; signedAt: number | null }> {
    if (!LOGGED_IN.includes(this.phase) || !this.active) throw new ApiError('WRONG_PHASE', `the commitment letter is shown after login (phase ${this.phase})`);
    const p = this.o.store.progress(this.active.date, this.active.expert);
    if (p.commitment) {
      const signed = JSON.parse(p.commitment.document.content) as CommitmentDocument;
      return { text: signed.text, sha256: p.commitment.document.contentSha256, signedAt: p.commitment.signedAt };
    }
    const doc = this.commitmentFacts();
    return { text: doc.text, sha256: await commitmentSha256(doc), signedAt: null };
  }

  async signCommitment(pin: string): Promise<{ signedAt: number; signer: string; eventSeq: number }> {
    if (this.phase !== 'commitment' || !this.active) {
      throw new ApiError('WRONG_PHASE', `the commitment is signed in the commitment phase (phase ${this.phase})`);
    }
    const seat = this.active;
    const doc = this.commitmentFacts();
    const signature = await this.o.key.sign('commitment', doc, pin);
    // Signed is signed: the letter is recorded even if the screen locked while the key worked. The
    // event for the central and the booth's own record of it commit together, or neither does.
    const event = this.transaction(() => {
      const recorded = this.o.record(BOOTH_EVENTS.commitmentSigned, {
        expert: seat.expert,
        codename: seat.codename,
        project: seat.project,
        date: seat.date,
        signer: signature.signer,
        signedAt: signature.signedAt,
        cms: signature.cmsBase64,
        document: signature.document as unknown as JsonValue,
      });
      this.o.store.saveCommitment(seat.date, seat.expert, {
        document: signature.document,
        signedAt: signature.signedAt,
        eventSeq: recorded.seq,
        tokenSerial: signature.tokenSerial,
      });
      return recorded;
    });
    await this.o.key.bind(signature.tokenSerial);
    if (this.phase === 'commitment') this.enter('working');
    else this.publish();
    return { signedAt: signature.signedAt, signer: signature.signer, eventSeq: event.seq };
  }

  /** The score sheet was signed and frozen (called by the scoring wiring): working → submitted. */
  markSubmitted(at: number): void {
    const seat = this.active;
    if (!seat) return;
    this.o.store.markSubmitted(seat.date, seat.expert, at);
    if (this.phase === 'working') {
      this.phase = 'submitted';
      this.publish();
    }
  }

  /**
   * The committee sent the signed sheet back for re-check (the sheet's reopening cleared the stored
   * "submitted" mark in the same transaction): submitted → working, so the expert revises and signs
   * again. A restart lands in working too (resumeTarget reads the cleared mark).
   */
  reopenForRecheck(): void {
    if (this.phase === 'submitted') {
      this.phase = 'working';
      this.publish();
    }
  }

  /**
   * The roster changed (a downstream `roster.booth` applied; called after its commit). When it no
   * longer seats the member this session belongs to — the centre replaced them (`committee replace`)
   * and seated an alternate here — that member is logged out (also off a lock screen: the lock and
   * the day's progress stay stored under their expert id, for the audit), and the booth starts over
   * for the member now seated: their own login attempts, lock and bound key (none, for a fresh
   * alternate). Nothing of the leaver's — their "submitted" mark, commitment or key — carries over.
   */
  followRoster(): void {
    const seat = this.o.roster.seat(boothDay(this.now()));
    const same = (a: BoothSeat | null, b: BoothSeat | null) => a !== null && b !== null && a.expert === b.expert && a.codename === b.codename;
    if (this.seatedFor !== null && same(this.seatedFor, seat)) return;
    this.seatedFor = seat;
    const leaver = this.active;
    if (leaver !== null && same(leaver, seat)) return;
    if (leaver !== null && LOGGED_IN.concat('locked').includes(this.phase)) {
      this.record(BOOTH_EVENTS.logout, { expert: leaver.expert, date: leaver.date, from: this.phase, reason: 'reseated', at: this.now() });
    }
    this.active = null;
    this.presence = null;
    this.verification = null;
    this.recheckDue = false;
    this.nextRecheckAt = null;
    this.faceVerifiedAt = null;
    this.lockReason = null;
    this.phase = 'idle';
    this.attemptsLeft = MAX_LOGIN_ATTEMPTS;
    let serial: string | null = null;
    if (seat) {
      const p = this.o.store.progress(seat.date, seat.expert);
      this.attemptsLeft = Math.max(0, MAX_LOGIN_ATTEMPTS - p.loginFailures);
      serial = p.tokenSerial;
      if (p.lockReason !== null) {
        this.active = seat;
        this.phase = 'locked';
        this.lockReason = p.lockReason;
      }
    }
    void this.o.key.bind(serial);
    this.publish();
  }

  /** Throws WRONG_PHASE unless the phase is one of `phases`. */
  requirePhase(phases: readonly BoothPhase[], what: string): BoothSeat {
    if (!phases.includes(this.phase) || !this.active) throw new ApiError('WRONG_PHASE', `${what} is not available in phase ${this.phase}`);
    return this.active;
  }

  private record(type: string, payload: EventPayload): SyncEvent | null {
    try {
      return this.o.record(type, payload);
    } catch (error) {
      this.log(`${type} could not be recorded: ${(error as Error).message}`);
      return null;
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    this.stopToken();
    await this.queue.catch(() => undefined);
  }
}

interface FrameContext {
  now: number;
  frame: FrameObservation;
  quality: () => ReturnType<typeof assessQuality>;
  embed: (face: FaceObservation) => Float32Array;
}

const round4 = (v: number): number => Math.round(v * 10_000) / 10_000;
