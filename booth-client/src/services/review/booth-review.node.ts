/**
 * The booth's trusted side of the committee's review (issue #13): the preliminary review (autosaved,
 * signed with the USB key), the chair vote, the chair's steps, the committee's messages from the
 * central, and the review view the screen shows (booth-review.ts `ReviewView`). The detailed review
 * is the score sheet (scoring/score-sheet.node.ts), which follows `plan()`.
 *
 * Durability as for the score sheet: every save commits before the answer; a signature, its sync
 * event and the frozen state commit in ONE transaction; the committee's newest message is stored in
 * the transaction that stores it in the inbox. Nothing lives only in memory (except "signing now"):
 * a booth that crashes in any stage resumes where it was.
 *
 * Committee messages (`committee.booth`): validated (a bad one is logged and skipped, never thrown:
 * a throw would roll the inbox back and refuse the message forever), kept when newer than the stored
 * one, for today's seat and project only.
 *
 * Every piece of it is the seated member's (the seat's code name): when the centre replaces a member
 * (`committee replace`), the alternate seated at this booth starts on an empty preliminary review,
 * chair vote and committee view, and the leaver's signed work stays stored as it was (void, but kept).
 */
import { createHash } from 'node:crypto';
import type { ProjectBoothPayload } from '@kawei/shared/api/booth-roster.ts';
import {
  chairStepPayloadSchema,
  chairVotePayloadSchema,
  COMMITTEE_BOOTH_MESSAGE,
  committeeBoothPayloadSchema,
  PRELIMINARY_DOCUMENT_KIND,
  preliminarySignedPayloadSchema,
  REVIEW_EVENTS,
  type CommitteeBoothPayload,
} from '@kawei/shared/committee/committee-events.ts';
import { rulesSha256 } from '@kawei/shared/committee/rules-digest.node.ts';
import { preliminaryProblems } from '@kawei/shared/committee/sheet-rules.ts';
import {
  chairStepInputSchema,
  chairVoteInputSchema,
  savePreliminaryInputSchema,
  type PreliminarySheet,
  type ReviewView,
} from '@kawei/shared/contract/booth-review.ts';
import { pinInputSchema } from '@kawei/shared/contract/booth-session.ts';
import { ApiError, badInput, describeZodError } from '@kawei/shared/errors.ts';
import type { SqliteDatabase } from '@kawei/shared/store/sqlite.node.ts';
import { canonicalJson, type JsonValue } from '@kawei/shared/sync/canonical-json.ts';
import type { EventPayload } from '@kawei/shared/sync/event-log.node.ts';
import { applyOnce, seatMismatch, type InboxMessage } from '../committee-message.node.ts';
import { boothDay } from '../roster/booth-day.ts';
import type { BoothSeat } from '../roster/booth-roster.node.ts';
import type { SignOutput } from '../scoring/score-sheet.node.ts';
import { detailedBidders, projectReview, type ProjectReview } from './review-rules.ts';
import { reviewStep } from './review-step.ts';
import { ReviewStore, type PreliminaryRow } from './review-store.node.ts';
import { sheetPlan, type SheetPlan } from './sheet-plan.node.ts';

export type CommitteeIngestOutcome = 'applied' | 'older' | 'duplicate' | 'not_for_this_seat' | 'malformed' | 'not_for_review';

export interface BoothReviewOptions {
  database: SqliteDatabase;
  now: () => number;
  /** Today's seat from the roster (logged in or not): which committee messages concern this booth. */
  seatToday: () => BoothSeat | null;
  /** The project's material for a seat (real names stay on the trusted side: only codes leave). */
  material: (seat: BoothSeat) => ProjectBoothPayload | null;
  /** The score sheet's status and revision, when there is one for the project. */
  sheetState: () => { status: 'draft' | 'submitted'; revision: number } | null;
  /** Signs the canonical JSON of `value` with the USB key as a preliminary review. */
  sign: (value: unknown, pin: string) => Promise<SignOutput>;
  /** Appends a sync-log event and answers its seq; called inside this module's transactions. */
  record: (type: string, payload: EventPayload) => number;
  /** The central is reachable right now. */
  online: () => boolean;
  /** The booth label, put into the signed preliminary review. */
  boothLabel: () => string;
  log?: (message: string) => void;
}

export interface PreliminarySubmission {
  document: Record<string, unknown>;
  signature: SignOutput;
  eventSeq: number | null;
}

export class BoothReview {
  readonly store: ReviewStore;
  private readonly log: (message: string) => void;
  /** The preliminary review being signed right now (saves wait for the outcome). */
  private signing: string | null = null;

  constructor(private readonly o: BoothReviewOptions) {
    this.store = new ReviewStore(o.database);
    this.log = o.log ?? ((m) => console.warn(`[booth review] ${m}`));
  }

  // ── committee messages ─────────────────────────────────────────────────────────────────────────

  /**
   * Applies one downstream message inside the inbox transaction. Never throws: a message this booth
   * cannot use is logged and remembered as skipped (applied_message), the booth goes on.
   */
  ingest(message: InboxMessage): CommitteeIngestOutcome {
    if (message.type !== COMMITTEE_BOOTH_MESSAGE) return 'not_for_review';
    return applyOnce(this.o.database, message, this.o.now(), this.log, (id, payload) => this.applyCommittee(id, payload));
  }

  private applyCommittee(id: string, payload: unknown): CommitteeIngestOutcome {
    const parsed = committeeBoothPayloadSchema.safeParse(payload);
    if (!parsed.success) {
      this.log(`${COMMITTEE_BOOTH_MESSAGE} ${id} malformed, refused: ${describeZodError(parsed.error)}`);
      return 'malformed';
    }
    const p = parsed.data;
    const mismatch = seatMismatch(p, boothDay(this.o.now()), this.o.seatToday());
    if (mismatch !== null) {
      this.log(`${COMMITTEE_BOOTH_MESSAGE} ${id} refused: ${mismatch}`);
      return 'not_for_this_seat';
    }
    return this.store.putCommittee(p, id, this.o.now()) ? 'applied' : 'older';
  }

  /** The committee's newest message for a seat's project (only if it names the seat's code name). */
  committee(seat: BoothSeat): CommitteeBoothPayload | null {
    const c = this.store.committee(seat.date, seat.project, seat.codename);
    return c !== null && c.codename === seat.codename ? c : null;
  }

  /** What the score sheet follows for the seat's project (null: no material). */
  plan(seat: BoothSeat): SheetPlan | null {
    const material = this.o.material(seat);
    return material ? sheetPlan(material, this.committee(seat)) : null;
  }

  // ── the view ───────────────────────────────────────────────────────────────────────────────────

  private context(seat: BoothSeat): { review: ProjectReview; committee: CommitteeBoothPayload | null } {
    const material = this.o.material(seat);
    if (!material) throw new ApiError('WRONG_PHASE', 'there is no project material on this booth yet');
    return { review: projectReview(material), committee: this.committee(seat) };
  }

  view(seat: BoothSeat): ReviewView {
    const { review, committee } = this.context(seat);
    const { rules } = review;
    const hasPreliminary = rules.preliminary.length > 0;
    const preliminary = hasPreliminary ? this.preliminarySheet(seat, review) : null;
    const vote = this.store.chairVote(seat.date, seat.project, seat.codename);
    const chairVote = vote?.candidate ?? null;
    const { step, waitingFor } = reviewStep({
      rules,
      codename: seat.codename,
      preliminaryDone: !hasPreliminary || preliminary?.status === 'submitted',
      detailedOpen: detailedBidders(review, committee) !== null,
      sheet: this.o.sheetState(),
      committee,
      chairVote,
    });
    return {
      method: rules.method,
      rules: { preliminary: rules.preliminary, groups: rules.groups, items: rules.items, price: rules.price, settings: rules.settings },
      bids: review.openingBids,
      step,
      preliminary,
      committee,
      chairVote,
      isChair: committee !== null && committee.chair === seat.codename,
      waitingFor,
      offline: !this.o.online(),
    };
  }

  private preliminarySheet(seat: BoothSeat, review: ProjectReview): PreliminarySheet {
    const row = this.store.preliminary(seat.date, seat.project, seat.codename);
    const stored = this.store.verdicts(row.sheet_key);
    const verdicts: PreliminarySheet['verdicts'] = {};
    for (const bid of review.bidCodes) {
      verdicts[bid] = {};
      for (const item of review.rules.preliminary) verdicts[bid][item.id] = stored[bid]?.[item.id] ?? { pass: null, reason: '' };
    }
    return {
      status: row.status,
      verdicts,
      problems: row.status === 'submitted' ? [] : preliminaryProblems(review.rules.preliminary, review.bidCodes, verdicts),
      savedAt: row.saved_at,
      submittedAt: row.submitted_at,
    };
  }

  // ── preliminary review ─────────────────────────────────────────────────────────────────────────

  savePreliminary(seat: BoothSeat, input: unknown): ReviewView {
    const parsed = savePreliminaryInputSchema.safeParse(input);
    if (!parsed.success) throw badInput(parsed.error, 'savePreliminary');
    const { bid, item, pass, reason } = parsed.data;
    const { review } = this.context(seat);
    if (review.rules.preliminary.length === 0) throw new ApiError('WRONG_PHASE', 'this project has no preliminary review');
    const row = this.store.preliminary(seat.date, seat.project, seat.codename);
    if (row.status === 'submitted' || this.signing === row.sheet_key) throw new ApiError('SHEET_FROZEN', 'the preliminary review is signed and cannot change');
    if (!review.bidCodes.includes(bid)) throw new ApiError('BAD_INPUT', `no bid ${bid} in this project`);
    if (!review.rules.preliminary.some((i) => i.id === item)) throw new ApiError('BAD_INPUT', `no preliminary item ${item} in this project`);
    this.store.saveVerdict(row.sheet_key, bid, item, pass, reason, this.o.now());
    return this.view(seat);
  }

  /** The value that is signed (canonical JSON): every verdict decided, a reason on every fail. */
  private preliminaryDocument(seat: BoothSeat, review: ProjectReview, row: PreliminaryRow): Record<string, unknown> {
    const stored = this.store.verdicts(row.sheet_key);
    const verdicts: Record<string, Record<string, { pass: boolean; reason: string }>> = {};
    for (const bid of review.bidCodes) {
      verdicts[bid] = {};
      for (const item of review.rules.preliminary) {
        const v = stored[bid]?.[item.id];
        verdicts[bid][item.id] = { pass: v?.pass === true, reason: (v?.reason ?? '').trim() };
      }
    }
    return {
      kind: PRELIMINARY_DOCUMENT_KIND,
      version: 1,
      date: seat.date,
      project: seat.project,
      codename: seat.codename,
      booth: this.o.boothLabel(),
      rulesSha256: rulesSha256(review.rules),
      verdicts,
      savedAt: row.saved_at,
    };
  }

  async submitPreliminary(seat: BoothSeat, pin: string): Promise<{ signedAt: number; signer: string; eventSeq: number }> {
    const parsedPin = pinInputSchema.safeParse({ pin });
    if (!parsedPin.success) throw badInput(parsedPin.error, 'submitPreliminary');
    const { review } = this.context(seat);
    if (review.rules.preliminary.length === 0) throw new ApiError('WRONG_PHASE', 'this project has no preliminary review');
    const row = this.store.preliminary(seat.date, seat.project, seat.codename);
    if (this.signing === row.sheet_key) throw new ApiError('WRONG_PHASE', 'the preliminary review is being signed');
    if (row.status === 'submitted') throw new ApiError('SHEET_FROZEN', 'the preliminary review is already signed');
    const sheet = this.preliminarySheet(seat, review);
    if (sheet.problems.length > 0) {
      throw new ApiError('PRELIMINARY_INCOMPLETE', `${sheet.problems.length} verdict(s) still block the signature`, { problems: sheet.problems });
    }
    const document = this.preliminaryDocument(seat, review, row);
    const documentJson = canonicalJson(document as JsonValue);
    this.signing = row.sheet_key;
    let signature: SignOutput;
    let eventSeq: number | null;
    try {
      signature = await this.o.sign(document, parsedPin.data.pin);
      // Frozen, signed and recorded for the central: all of it, or none.
      eventSeq = this.o.database
        .transaction(() => {
          const now = this.store.preliminary(seat.date, seat.project, seat.codename);
          if (canonicalJson(this.preliminaryDocument(seat, review, now) as JsonValue) !== documentJson) return null;
          const payload = preliminarySignedPayloadSchema.parse({
            date: seat.date,
            project: seat.project,
            codename: seat.codename,
            document,
            documentSha256: createHash('sha256').update(documentJson).digest('hex'),
            signedAt: signature.signedAt,
            signer: signature.signer,
            cms: signature.cmsBase64,
            signed: signature.document,
          });
          // The raw document (not the parsed copy) goes into the event: its canonical JSON is the signed bytes.
          const seq = this.o.record(REVIEW_EVENTS.preliminarySigned, { ...payload, document: document as JsonValue } as unknown as EventPayload);
          if (!this.store.freezePreliminary(row.sheet_key, signature.signedAt, documentJson, JSON.stringify(signature), seq)) {
            throw new ApiError('INTERNAL', 'the preliminary review was frozen meanwhile');
          }
          return seq;
        })
        .immediate();
    } finally {
      this.signing = null;
    }
    if (eventSeq === null) throw new ApiError('INTERNAL', 'the preliminary review changed while it was being signed; sign again');
    return { signedAt: signature.signedAt, signer: signature.signer, eventSeq };
  }

  /** Trusted side (tests, audit): the signed preliminary review. */
  preliminarySubmission(seat: BoothSeat): PreliminarySubmission | null {
    const row = this.store.preliminary(seat.date, seat.project, seat.codename);
    if (row.status !== 'submitted' || row.document_json === null || row.signature_json === null) return null;
    return {
      document: JSON.parse(row.document_json) as Record<string, unknown>,
      signature: JSON.parse(row.signature_json) as SignOutput,
      eventSeq: row.event_seq,
    };
  }

  // ── chair ──────────────────────────────────────────────────────────────────────────────────────

  castChairVote(seat: BoothSeat, input: unknown): ReviewView {
    const parsed = chairVoteInputSchema.safeParse(input);
    if (!parsed.success) throw badInput(parsed.error, 'castChairVote');
    const { candidate } = parsed.data;
    const { review, committee } = this.context(seat);
    if (review.rules.settings.chair !== 'vote') throw new ApiError('WRONG_PHASE', 'the centre names the chair of this committee');
    if (this.store.chairVote(seat.date, seat.project, seat.codename)) throw new ApiError('WRONG_PHASE', 'this booth has already voted for the chair');
    if (committee !== null) {
      if (committee.chair !== null) throw new ApiError('WRONG_PHASE', `the chair is already ${committee.chair}`);
      if (!committee.members.some((m) => m.codename === candidate)) throw new ApiError('BAD_INPUT', `${candidate} is not a member of this committee`);
    }
    const payload = chairVotePayloadSchema.parse({ date: seat.date, project: seat.project, codename: seat.codename, candidate });
    const at = this.o.now();
    this.o.database
      .transaction(() => {
        const seq = this.o.record(REVIEW_EVENTS.chairVote, payload);
        this.store.putChairVote(seat.date, seat.project, seat.codename, candidate, at, seq);
      })
      .immediate();
    return this.view(seat);
  }

  chairStep(seat: BoothSeat, input: unknown): ReviewView {
    const parsed = chairStepInputSchema.safeParse(input);
    if (!parsed.success) throw badInput(parsed.error, 'chairStep');
    const step = parsed.data;
    const { committee } = this.context(seat);
    if (committee === null) throw new ApiError('REVIEW_WAITING', 'the committee has not been heard from yet');
    if (committee.chair !== seat.codename) throw new ApiError('NOT_CHAIR', `${seat.codename} is not the chair of this committee`);
    const taken = this.store.chairSteps(seat.date, seat.project, seat.codename);
    switch (step.step) {
      case 'start_detailed':
        if (committee.stage === 'preliminary') throw new ApiError('REVIEW_WAITING', 'the preliminary reviews are not all in');
        if (committee.stage !== 'preliminary_done') throw new ApiError('WRONG_PHASE', `the committee is at ${committee.stage}`);
        if (taken.some((t) => t.step === 'start_detailed')) throw new ApiError('WRONG_PHASE', 'the detailed review is already started');
        break;
      case 'request_recheck':
        if (!['blocked', 'results', 'recheck'].includes(committee.stage)) throw new ApiError('WRONG_PHASE', `no re-check at ${committee.stage}`);
        if (!committee.members.some((m) => m.codename === step.recheck.codename)) {
          throw new ApiError('BAD_INPUT', `${step.recheck.codename} is not a member of this committee`);
        }
        break;
      case 'confirm_results':
        if (committee.stage !== 'results' || committee.results === null) throw new ApiError('WRONG_PHASE', `no results to confirm at ${committee.stage}`);
        if (committee.results.resultsSha256 !== step.resultsSha256) throw new ApiError('WRONG_PHASE', 'these are not the current results');
        break;
    }
    const payload = chairStepPayloadSchema.parse({ ...step, date: seat.date, project: seat.project, codename: seat.codename });
    const at = this.o.now();
    this.o.database
      .transaction(() => {
        const seq = this.o.record(REVIEW_EVENTS.chairStep, payload as unknown as EventPayload);
        this.store.putChairStep(seat.date, seat.project, seat.codename, seq, step.step, payload, at);
      })
      .immediate();
    return this.view(seat);
  }

}
