/**
 * The gate's face check, frame by frame, on the trusted side. The renderer sends camera frames; this
 * answers guidance (keep looking, the quality problem, the liveness challenge) until it can decide,
 * then drives the devices and answers the decision. Identity never leaves: the outcome carries a
 * seat or a reason, the sync log carries the expert's id, the journal a masked name.
 *
 * Per frame:
 *  1. decode the JPEG (IMAGE_UNREADABLE), observe with tracking (frames are a sequence);
 *  2. cooldown after a decision: answer `cooldown` until no face has been seen for FACE_GONE_MS, or,
 *     once `cooldownMs` has passed, a different face is in front (the same face standing there never
 *     gets a second decision);
 *  3. several faces on SEVERAL_FACES_FRAMES consecutive frames → refused several_faces;
 *  4. liveness when the role asks for it (entrance by default): one LivenessSession per person in
 *     front, its challenge order drawn from the CSPRNG; guidance shows the challenge and progress;
 *     a failed session → refused liveness_failed (a person who simply walks away starts afresh);
 *  5. quality (assessQuality with light and blur) → guidance with the reason;
 *  6. embed, then 1:N over today's face set — or, after an ID card was read (人证一致), 1:1 against
 *     the card holder's template; no match on UNKNOWN_FRAMES consecutive frames → refused;
 *  7. decide (gate-decision.ts); a pass pulses the relay (no opening → device_fault), then the LED
 *     and voice announce the seat, a refusal where to go or why. The decision is recorded as a
 *     `gate.check` event in the sync log (durable before the answer), in the journal, raises an
 *     alert when refused, and is published as the `check` event.
 */
import { createHash, randomUUID } from 'node:crypto';
import { ApiError } from '@kawei/shared/errors.ts';
import type { CheckOutcome, SeatView } from '@kawei/shared/contract/gate-check.ts';
import type { FacePipeline } from '@kawei/shared/face/face-pipeline.node.ts';
import type { Box, FaceObservation, QualityReason, RgbaImage } from '@kawei/shared/face/face-types.ts';
import { decodeImage } from '@kawei/shared/face/image-decode.node.ts';
import { createChallengeSequence, cryptoRandom, LivenessSession, type LivenessChallengeKind } from '@kawei/shared/face/liveness.ts';
import { cosineSimilarity, FACE_MATCH_THRESHOLD, match1to1, search1toN } from '@kawei/shared/face/matching.ts';
import { assessQuality, toGray } from '@kawei/shared/face/quality.ts';
import type { SyncEvent } from '@kawei/shared/sync/sync-event.ts';
import type { EventPayload } from '@kawei/shared/sync/event-log.node.ts';
import type { GateConfig } from '../gate-config.ts';
import type { PassageResult } from '../devices/gate-devices.node.ts';
import { captureThumbnail } from '../monitor/thumbnail.node.ts';
import type { GateJournal } from '../monitor/gate-journal.node.ts';
import type { FaceSet, GateRoster } from '../roster/gate-roster.node.ts';
import { refusalAnnouncement, type Announcement } from './announcements.ts';
import { afterPassage, decide, type CardFacts, type Decision, type GateStanding } from './gate-decision.ts';
import { gateDay } from './gate-day.ts';

/** No face for this long ends a cooldown (the person has gone through or stepped away). */
export const FACE_GONE_MS = 1500;
/** An unknown face (or a face that is not the card holder's) must be seen on this many frames in a row. */
export const UNKNOWN_FRAMES = 2;
/** Several faces must be seen on this many frames in a row (a detector glitch is no refusal). */
export const SEVERAL_FACES_FRAMES = 2;
/** A card read waits this long for its holder's face. */
export const CARD_WINDOW_MS = 30_000;
/** The same-person test during a cooldown. */
const SAME_PERSON_THRESHOLD = FACE_MATCH_THRESHOLD;

export const GATE_CHECK_EVENT = 'gate.check';

/** What the check flow needs of the devices (GateDevices in production). */
export interface CheckDevices {
  readonly hasRelay: boolean;
  readonly ledMaxCells: number;
  openPassage(): Promise<PassageResult>;
  announce(voiceText: string, ledText: string): Promise<void>;
}

export interface FaceCheckOptions {
  pipeline: FacePipeline;
  roster: GateRoster;
  journal: GateJournal;
  devices: CheckDevices;
  config: GateConfig;
  /** Where the gate stands (from the enrolled position); null when not enrolled. */
  standing: () => GateStanding | null;
  /** Appends to the sync log (DeviceIdentityService.recordEvent). */
  record: (type: string, payload: EventPayload) => SyncEvent;
  /** One transaction of the gate's database: the `gate.check` event and the journal's entry (anti-passback) commit together. */
  transaction?: <T>(fn: () => T) => T;
  /** Publishes the public `check` event. */
  publish: (outcome: CheckOutcome, at: number) => void;
  seatAnnouncement: (seat: SeatView, maxCells: number) => Announcement;
  now?: () => number;
  log?: (message: string) => void;
}

export interface CheckFaceResult {
  outcome: CheckOutcome;
  capturedAt: number;
  processingMs: number;
}

interface Candidate {
  liveness: LivenessSession | null;
  livenessPassed: boolean;
  lastBox: Box | null;
  unknownFrames: number;
  severalFrames: number;
}

interface Cooldown {
  checkId: string;
  decidedAt: number;
  lastFaceAt: number;
  embedding: Float32Array | null;
}

const freshCandidate = (): Candidate => ({ liveness: null, livenessPassed: false, lastBox: null, unknownFrames: 0, severalFrames: 0 });

export function idNumberHash(date: string, idNumber: string): string {
  return createHash('sha256').update(`${date}:${idNumber}`).digest('hex');
}

/** A face box that jumps or changes size between frames is another face (liveness.ts uses the same test). */
function jumped(a: Box, b: Box): boolean {
  const move = Math.hypot(b.x + b.width / 2 - (a.x + a.width / 2), b.y + b.height / 2 - (a.y + a.height / 2));
  const size = Math.max(b.width / a.width, a.width / b.width);
  return move > 0.6 * a.width || size > 1.5;
}

export class FaceCheck {
  private cooldown: Cooldown | null = null;
  private candidate: Candidate = freshCandidate();
  private card: { idNumber: string; readAt: number } | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly pending = new Set<Promise<void>>();
  private readonly now: () => number;
  private readonly log: (message: string) => void;
  /** When the last camera frame arrived (the camera tile). */
  lastFrameAt: number | null = null;

  constructor(private readonly o: FaceCheckOptions) {
    this.now = o.now ?? Date.now;
    this.log = o.log ?? ((m) => console.warn(`[gate check] ${m}`));
  }

  /** Liveness for this gate: the config's, or by role (entrance active, room door off). */
  livenessMode(standing: GateStanding): 'off' | 'active' {
    return this.o.config.liveness ?? (standing.role === 'area_entrance' ? 'active' : 'off');
  }

  /** An ID card was read (only used when the config has idCard: 'optional'). */
  cardRead(card: { idNumber: string; readAt: number }): void {
    if (this.o.config.idCard === 'off') return;
    this.card = { idNumber: card.idNumber, readAt: this.now() };
  }

  /** One frame. Frames are processed one at a time, in arrival order (one tfjs engine). */
  checkFace(input: { image: string; capturedAt: number }): Promise<CheckFaceResult> {
    const run = this.queue.then(() => this.process(input));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Waits for announcements still being spoken or shown. */
  async settle(): Promise<void> {
    await this.queue;
    await Promise.allSettled([...this.pending]);
  }

  private async process(input: { image: string; capturedAt: number }): Promise<CheckFaceResult> {
    const started = performance.now();
    const outcome = await this.frame(input.image);
    return { outcome, capturedAt: input.capturedAt, processingMs: performance.now() - started };
  }

  private async frame(base64: string): Promise<CheckOutcome> {
    const standing = this.o.standing();
    if (!standing) throw new ApiError('NOT_ENROLLED', 'the gate is not enrolled: it does not know where it stands');
    const now = this.now();
    this.lastFrameAt = now;
    let image: RgbaImage;
    try {
      image = decodeImage(Buffer.from(base64, 'base64'));
    } catch (error) {
      throw new ApiError('IMAGE_UNREADABLE', `the frame is not a readable JPEG: ${(error as Error).message}`);
    }
    const frame = await this.o.pipeline.observe(image, { t: now });
    const faces = frame.faces;
    if (this.card && now - this.card.readAt > CARD_WINDOW_MS) this.card = null;

    if (this.cooldown) {
      const c = this.cooldown;
      if (faces.length === 0) {
        if (now - c.lastFaceAt < FACE_GONE_MS) return { kind: 'cooldown', lastCheckId: c.checkId };
        this.cooldown = null;
        this.candidate = freshCandidate();
        return this.guidance('no_face');
      }
      const same = faces.length === 1 && c.embedding !== null && this.sameFace(image, faces[0] as FaceObservation, c.embedding);
      c.lastFaceAt = now;
      if (same || now - c.decidedAt < this.o.config.cooldownMs) return { kind: 'cooldown', lastCheckId: c.checkId };
      this.cooldown = null;
      this.candidate = freshCandidate();
    }

    const cand = this.candidate;
    if (faces.length === 0) {
      cand.unknownFrames = 0;
      cand.severalFrames = 0;
      if (cand.liveness && !cand.livenessPassed) {
        const st = cand.liveness.push(frame);
        if (st.status === 'failed') this.candidate = freshCandidate(); // walked away: start afresh
      } else if (cand.livenessPassed) {
        this.candidate = freshCandidate();
      }
      return this.guidance('no_face');
    }
    if (faces.length > 1) {
      cand.unknownFrames = 0;
      if (++cand.severalFrames < SEVERAL_FACES_FRAMES) return this.guidance('several_faces');
      return this.finish(decide(this.facts(standing, now, { facesInFrame: faces.length })), { image, face: null, similarity: null, embedding: null, now });
    }
    cand.severalFrames = 0;
    const face = faces[0] as FaceObservation;

    if (cand.lastBox && jumped(cand.lastBox, face.box)) {
      // Someone else stepped in: whatever the previous person achieved does not carry over.
      this.candidate = freshCandidate();
    }
    const current = this.candidate;
    current.lastBox = face.box;

    if (this.livenessMode(standing) === 'active' && !current.livenessPassed) {
      current.liveness ??= new LivenessSession(createChallengeSequence(cryptoRandom));
      const st = current.liveness.push(frame);
      if (st.status === 'failed') {
        if (st.reason === 'face_lost') {
          this.candidate = freshCandidate();
          return this.guidance(null);
        }
        return this.finish(decide(this.facts(standing, now, { liveness: 'failed' })), { image, face, similarity: null, embedding: null, now });
      }
      if (st.status !== 'passed') {
        const quality = st.status === 'baseline' ? assessQuality(frame, toGray(image)) : null;
        return this.guidance(quality && !quality.ok ? (quality.reason ?? null) : null, st.challenge?.kind ?? null, st.progress);
      }
      current.livenessPassed = true;
    }

    const quality = assessQuality(frame, toGray(image));
    const progress = current.livenessPassed ? 1 : 0;
    if (!quality.ok) return this.guidance(quality.reason ?? null, null, progress);

    const [embedding] = this.o.pipeline.embed(image, [face]);
    if (!embedding) throw new Error('the pipeline returned no embedding');
    const today = gateDay(now);
    const faceSet = this.faceSet(today);
    const roster = this.o.roster.roster(today);
    const livenessFact = this.livenessMode(standing) === 'active' ? 'passed' : 'not_required';

    let person: ReturnType<FaceSet['people']['get']> | null = null;
    let similarity: number | null = null;
    let card: CardFacts = { kind: 'none' };
    if (faceSet && roster) {
      if (this.card) {
        const holder = faceSet.byIdNumberHash.get(idNumberHash(today, this.card.idNumber)) ?? null;
        const template = holder === null ? undefined : faceSet.template(holder);
        const m = template ? match1to1(embedding, template, FACE_MATCH_THRESHOLD, quality) : null;
        similarity = m ? m.similarity : null;
        const faceIsHolder = m?.decision === 'match';
        if (faceIsHolder && holder !== null) person = faceSet.people.get(holder) ?? null;
        card = { kind: 'read', holder, faceIsHolder };
      } else {
        const m = search1toN(embedding, faceSet.index, FACE_MATCH_THRESHOLD, quality);
        similarity = Number.isFinite(m.similarity) ? m.similarity : null;
        if (m.decision === 'match' && m.personId !== undefined) person = faceSet.people.get(m.personId) ?? null;
      }
      if (!person && ++current.unknownFrames < UNKNOWN_FRAMES) return this.guidance(null, null, progress);
    }
    const decision = decide({
      ...this.facts(standing, now, { liveness: livenessFact }),
      roster,
      facesReady: faceSet !== null,
      person,
      card,
    });
    return this.finish(decision, { image, face, similarity, embedding, now, cardUsed: card.kind === 'read' });
  }

  private facts(standing: GateStanding, now: number, over: { facesInFrame?: number; liveness?: 'passed' | 'failed' | 'not_required' }) {
    const today = gateDay(now);
    return {
      gate: standing,
      today,
      roster: this.o.roster.roster(today),
      facesReady: this.faceSet(today) !== null,
      facesInFrame: over.facesInFrame ?? 1,
      liveness: over.liveness ?? 'not_required',
      person: null,
      card: { kind: 'none' } as CardFacts,
      passedToday: new Set(this.o.journal.passes(today).keys()),
    };
  }

  private faceSet(date: string): FaceSet | null {
    try {
      return this.o.roster.faceSet(date);
    } catch (error) {
      this.log(`today's face set cannot be used: ${(error as Error).message}`);
      return null;
    }
  }

  private sameFace(image: RgbaImage, face: FaceObservation, embedding: Float32Array): boolean {
    const [probe] = this.o.pipeline.embed(image, [face]);
    return probe !== undefined && cosineSimilarity(probe, embedding) >= SAME_PERSON_THRESHOLD;
  }

  private guidance(quality: QualityReason | null, challenge: LivenessChallengeKind | null = null, progress = 0): CheckOutcome {
    return { kind: 'guidance', quality, challenge, progress: Math.max(0, Math.min(1, progress)), cardRead: this.card !== null };
  }

  private async finish(
    decision: Decision,
    ctx: { image: RgbaImage; face: FaceObservation | null; similarity: number | null; embedding: Float32Array | null; now: number; cardUsed?: boolean },
  ): Promise<CheckOutcome> {
    const checkId = randomUUID();
    const { now } = ctx;
    const today = gateDay(now);
    let final = decision;
    let passage: PassageResult | null = null;
    if (decision.kind === 'pass' && this.o.devices.hasRelay) {
      passage = await this.o.devices.openPassage();
      final = afterPassage(decision, passage);
    }
    const seat = final.kind === 'pass' ? final.seat : null;
    const redirect = final.kind === 'refused' ? final.redirect : null;
    const reason = final.kind === 'refused' ? final.reason : null;
    const expert = final.expert;
    const similarity = ctx.similarity === null ? null : Math.round(ctx.similarity * 10_000) / 10_000;

    // Tell the expert at once: the passage (if any) is already open, so the record below cannot
    // precede it anyway; it is durable before this call answers and before the screen shows it.
    const maxCells = this.o.devices.ledMaxCells;
    const announcement =
      final.kind === 'pass'
        ? this.o.seatAnnouncement(final.seat, maxCells)
        : refusalAnnouncement(final.reason, final.redirect, (s) => this.o.seatAnnouncement(s, maxCells));
    const speaking = this.o.devices.announce(announcement.voice, announcement.led).catch((error: unknown) => {
      this.log(`announcement failed: ${(error as Error).message}`);
    });
    this.pending.add(speaking);
    void speaking.finally(() => this.pending.delete(speaking));
    // Let the LED and voice frames reach their ports before the synchronous SQLite writes below
    // hold the event loop (measured: the LED frame otherwise waited for them, bench/gate.bench.ts).
    await new Promise((resolve) => setImmediate(resolve));

    const person = expert === null ? null : (this.faceSet(today)?.people.get(expert) ?? null);
    const entry = final.kind === 'pass' ? this.o.roster.roster(today)?.entries.find((e) => e.expert === expert) : undefined;
    let capture: string | null = null;
    try {
      capture = captureThumbnail(ctx.image, ctx.face?.box);
    } catch (error) {
      this.log(`capture thumbnail failed: ${(error as Error).message}`);
    }

    // The central's record and the gate's own (the anti-passback set): one transaction.
    (this.o.transaction ?? ((fn: () => void) => fn()))(() => {
      this.o.record(GATE_CHECK_EVENT, {
        checkId,
        decision: final.kind,
        reason,
        expert,
        similarity,
        at: now,
        seat: seat === null ? null : { room: seat.roomId, roomNumber: seat.roomNumber, label: seat.label },
        redirect: redirect === null ? null : { room: redirect.roomId, label: redirect.label, site: redirect.siteName ?? null },
        card: ctx.cardUsed === true,
        relay: passage === null ? null : passage.ok ? 'opened' : (passage.error ?? 'failed'),
      });

      this.o.journal.addEntry({
        checkId,
        date: today,
        at: now,
        decision: final.kind,
        reason,
        expert,
        maskedName: person?.maskedName ?? null,
        codename: entry?.codename ?? (final.kind === 'pass' ? final.codename : null),
        seat: seat ?? (redirect ? { roomId: redirect.roomId, roomNumber: redirect.roomNumber, roomName: redirect.roomName, label: redirect.label } : null),
        similarity,
        capture,
        note: null,
      });
      if (final.kind === 'refused') this.o.journal.addAlert({ date: today, at: now, kind: final.reason, checkId, device: null });
    });

    this.cooldown = { checkId, decidedAt: now, lastFaceAt: now, embedding: ctx.embedding };
    this.candidate = freshCandidate();
    this.card = null;

    const outcome: CheckOutcome =
      final.kind === 'pass'
        ? { kind: 'pass', checkId, seat: final.seat, announcement: announcement.voice }
        : { kind: 'refused', checkId, reason: final.reason, redirect: final.redirect };
    this.o.publish(outcome, now);
    return outcome;
  }
}
