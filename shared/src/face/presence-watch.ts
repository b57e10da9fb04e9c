/**
 * Who is in the booth during an evaluation: a pure state machine fed the detector's frames and the
 * matcher's identity verdicts, raising one event per incident.
 *
 * - `second_face`: two or more faces in view for `secondFaceMs`. The incident lasts until at most one
 *   face has been seen for `clearMs`; brief drops of the second face inside it do not raise it again.
 * - `absent`: no face for `absentMs` (default 10 s); `t` is the first frame without a face.
 * - `returned`: after `absent`, a face seen for `returnMs` without a gap; `t` is its first frame. A single
 *   spurious detection in an empty booth does not end the absence.
 * - `different_person`: `differentCount` (default 2) identity verdicts in a row say "not the expert who
 *   logged in"; `t` is the first of them. Raised again only after a verdict of "same" or a return.
 *
 * Frames (and verdicts) must come in time order each; the two streams are independent. The watch
 * starts with the expert present (the session begins with a face login).
 */
import type { FrameObservation } from './face-types.ts';

export const PRESENCE_EVENTS = ['second_face', 'absent', 'returned', 'different_person'] as const;
export type PresenceEventType = (typeof PRESENCE_EVENTS)[number];

export type PresenceEvent =
  | { readonly type: 'second_face'; readonly t: number; readonly faces: number }
  | { readonly type: 'absent'; readonly t: number }
  | { readonly type: 'returned'; readonly t: number; readonly absentMs: number }
  /** `similarity`: the highest among the run's verdicts (the matcher's most generous reading). */
  | { readonly type: 'different_person'; readonly t: number; readonly similarity: number };

/** What the matcher said about the face in the booth against the expert who logged in. */
export interface IdentityVerdict {
  readonly t: number;
  readonly same: boolean;
  readonly similarity: number;
}

/**
 * Defaults: a second face for 1.5 s (someone leaning in to talk or read, not a person walking past the
 * booth's edge in one or two frames); 10 s without a face (the "N seconds"; long enough to
 * bend down for a document); 1 s of a face to count a return (≈ 12 consecutive detections, no false
 * positive lasts that long); 3 s of one face to close a second-face incident.
 */
export interface PresenceOptions {
  readonly secondFaceMs?: number;
  readonly clearMs?: number;
  readonly absentMs?: number;
  readonly returnMs?: number;
  readonly differentCount?: number;
}

export const PRESENCE_DEFAULTS: Required<PresenceOptions> = {
  secondFaceMs: 1500,
  clearMs: 3000,
  absentMs: 10_000,
  returnMs: 1000,
  differentCount: 2,
};

export interface PresenceSnapshot {
  readonly present: boolean;
  /** When the current absence (raised or not yet) began. */
  readonly noFaceSince?: number;
  /** A second-face incident is open (raised). */
  readonly secondFace: boolean;
  readonly differentPerson: boolean;
}

export class PresenceWatch {
  private readonly o: Required<PresenceOptions>;
  private lastFrameT = -Infinity;
  private lastVerdictT = -Infinity;

  private present = true;
  private noFaceSince: number | null = null;
  private absentFrom = 0;
  private faceSince: number | null = null;

  private multiSince: number | null = null;
  private singleSince: number | null = null;
  private secondRaised = false;

  private differentRun: IdentityVerdict[] = [];
  private differentRaised = false;

  constructor(options: PresenceOptions = {}) {
    this.o = { ...PRESENCE_DEFAULTS, ...options };
  }

  get snapshot(): PresenceSnapshot {
    return {
      present: this.present,
      ...(this.noFaceSince !== null ? { noFaceSince: this.noFaceSince } : {}),
      secondFace: this.secondRaised,
      differentPerson: this.differentRaised,
    };
  }

  /** Take one frame; returns the events it raises (usually none). */
  observe(frame: FrameObservation): PresenceEvent[] {
    if (frame.t < this.lastFrameT) throw new RangeError(`frames out of order: ${frame.t} after ${this.lastFrameT}`);
    this.lastFrameT = frame.t;
    const { t } = frame;
    const n = frame.faces.length;
    const events: PresenceEvent[] = [];

    // Second face.
    if (n >= 2) {
      this.multiSince ??= t;
      this.singleSince = null;
      if (!this.secondRaised && t - this.multiSince >= this.o.secondFaceMs) {
        this.secondRaised = true;
        events.push({ type: 'second_face', t: this.multiSince, faces: n });
      }
    } else if (this.multiSince !== null) {
      this.singleSince ??= t;
      if (t - this.singleSince >= this.o.clearMs) {
        this.multiSince = null;
        this.singleSince = null;
        this.secondRaised = false;
      }
    }

    // Absence and return.
    if (this.present) {
      if (n === 0) {
        this.noFaceSince ??= t;
        if (t - this.noFaceSince >= this.o.absentMs) {
          this.present = false;
          this.absentFrom = this.noFaceSince;
          events.push({ type: 'absent', t: this.noFaceSince });
        }
      } else {
        this.noFaceSince = null;
      }
    } else if (n === 0) {
      this.faceSince = null;
    } else {
      this.faceSince ??= t;
      if (t - this.faceSince >= this.o.returnMs) {
        events.push({ type: 'returned', t: this.faceSince, absentMs: this.faceSince - this.absentFrom });
        this.present = true;
        this.noFaceSince = null;
        this.faceSince = null;
        // Whoever sat down must be recognised afresh.
        this.differentRun = [];
        this.differentRaised = false;
      }
    }
    return events;
  }

  /** Take one identity verdict from the matcher; returns `different_person` when it completes a run. */
  verdict(v: IdentityVerdict): PresenceEvent[] {
    if (v.t < this.lastVerdictT) throw new RangeError(`verdicts out of order: ${v.t} after ${this.lastVerdictT}`);
    this.lastVerdictT = v.t;
    if (v.same) {
      this.differentRun = [];
      this.differentRaised = false;
      return [];
    }
    this.differentRun.push(v);
    if (this.differentRaised || this.differentRun.length < this.o.differentCount) return [];
    this.differentRaised = true;
    const first = this.differentRun[0] as IdentityVerdict;
    return [{ type: 'different_person', t: first.t, similarity: Math.max(...this.differentRun.map((r) => r.similarity)) }];
  }
}
