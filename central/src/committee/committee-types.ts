/**
 * The committee's state, as replayed from the central's ledger (committee-state.ts). Plain data (no
 * Maps, no classes), so two replays of the same record compare deep-equal and the state prints as
 * JSON. Experts appear by code name; the roster's expert ids stay in `members` (central only: the
 * booth and results views never copy them).
 */
import type { AggregateResult } from '@kawei/shared/committee/aggregate.ts';
import type {
  CommitteeMember,
  CommitteeOpenedPayload,
  CommitteeStage,
  PreliminaryDocument,
  RecheckTarget,
  REPLACEMENT_REASONS,
  RefusalReason,
  ResultRow,
} from '@kawei/shared/committee/committee-events.ts';
import type { MessagePair } from '@kawei/shared/i18n/bilingual.ts';
import type { ScoreSheetContent } from './score-sheet-documents.ts';

/** One entry of the central's ledger for one project (committee.* events), in ledger order. */
export interface LedgerEntry {
  seq: number;
  type: string;
  payload: unknown;
  at: number;
}

/** A booth event as stored by the central's sync store. */
export interface BoothEventRecord {
  device: string;
  seq: number;
  hash: string;
  type: string;
  payload: unknown;
}
export type BoothEventLookup = (device: string, seq: number) => BoothEventRecord | undefined;

export interface MemberRecord extends CommitteeMember {
  /** The seat number: 评委n. A replacement takes the leaver's. */
  judge: number;
  active: boolean;
  /** Code name of the member who took this seat over, when this one left. */
  replacedBy: string | null;
  /** Code name of the member this one replaced. */
  replaces: string | null;
}

/** Where a stage document came from: the booth event the ledger accepted. */
export interface EventOrigin {
  device: string;
  /** The booth's event seq. */
  seq: number;
  hash: string;
  /** The ledger entry that accepted it. */
  ledgerSeq: number;
}

export interface PreliminaryRecord extends EventOrigin {
  codename: string;
  document: PreliminaryDocument;
  documentSha256: string;
  signedAt: number;
  /** The member was replaced while the preliminary review still ran: this review no longer counts. */
  void: boolean;
}

export interface SheetRecord extends EventOrigin {
  codename: string;
  revision: number;
  sheet: ScoreSheetContent;
  /** The member was replaced: this sheet no longer counts (kept in the record all the same). */
  void: boolean;
}

export interface BidDecision {
  bid: string;
  rejected: boolean;
  /** Per member (code name): true = that member failed the bid on some item, i.e. voted to reject. */
  votes: Record<string, boolean>;
  /** The reasons the failing members wrote ("item: reason"), in member order. */
  reasons: string[];
}

export type ActBy = { kind: 'chair'; codename: string } | { kind: 'centre'; operator: string; why: string };

export interface RecheckRecord {
  target: RecheckTarget;
  /** The revision the member's sheet must now have. */
  revision: number;
  by: ActBy;
  ledgerSeq: number;
}

export interface ReplacementRecord {
  leaver: string;
  replacement: string;
  judge: number;
  reason: (typeof REPLACEMENT_REASONS)[number];
  operator: string;
  why: string;
  /** The stage the committee was at when the member left. */
  stage: CommitteeStage;
  ledgerSeq: number;
}

export interface RefusalRecord {
  device: string;
  seq: number;
  type: string;
  codename: string | null;
  reason: RefusalReason;
  detail: string;
  ledgerSeq: number;
}

/** The results as every booth sees them: experts as 评委n in seat order; digest over exactly this. */
export interface PublishedResults {
  judges: string[];
  rows: ResultRow[];
  resultsSha256: string;
}

export interface CommitteeState {
  opened: CommitteeOpenedPayload;
  /** Ledger seq of the (last) committee.opened. */
  openedSeq: number;
  /** Seated members in the opening order, then replacements in the order they joined. */
  members: MemberRecord[];
  stage: CommitteeStage;
  chair: { codename: string; by: 'vote' | 'centre'; operator: string | null; why: string } | null;
  /** voter code name → candidate code name (active members only count). */
  chairVotes: Record<string, string>;
  preliminary: PreliminaryRecord[];
  /** Latched once every seated member's preliminary review is in (or at opening when the rules have none). */
  preliminaryDecided: boolean;
  /** Every bid of the opening record once decided (empty when the rules have no preliminary items). */
  decisions: BidDecision[];
  /** Bids that go on to detailed review (or, lowest price, to the ranking), in the opening order. */
  passed: string[];
  /** The chair started the detailed review (true from the start when the rules have no preliminary items). */
  detailedStarted: boolean;
  /** Every sheet version accepted, in ledger order. */
  sheets: SheetRecord[];
  /** code name → the revision its sheet must have (1 unless sent back). */
  requiredRevision: Record<string, number>;
  rechecks: RecheckRecord[];
  replacements: ReplacementRecord[];
  /** The aggregation of the current sheets, once every seated member's sheet is current. */
  aggregate: AggregateResult | null;
  /** Published form of the aggregate (null while blocked or not aggregated). */
  results: PublishedResults | null;
  resultsSha256: string | null;
  confirmed: { resultsSha256: string; by: ActBy; ledgerSeq: number } | null;
  /** Booth events accepted, "device#seq" → ledger seq (a second acceptance is refused). */
  acceptedEvents: Record<string, number>;
  refusals: RefusalRecord[];
  /** Inconsistencies found while replaying (a ledger entry naming a missing event, …): the state skips them. */
  problems: MessagePair[];
  /** The last ledger seq applied. */
  version: number;
}
