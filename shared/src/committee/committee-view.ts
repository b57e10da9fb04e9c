/**
 * The committee as a booth's screen sees it: the `committee.booth` downstream message, the chair's
 * steps and the re-check reasons. Pure zod, no signing code: the booth's contract (and so its sandboxed
 * preload bundle) imports these. The events and the central's ledger are in committee-events.ts, which
 * re-exports everything here.
 */
import { z } from 'zod';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);
const codename = z.string().min(1).max(32);
const bidCode = z.string().min(1).max(16);
const itemId = z.string().min(1).max(32);

export const CHAIR_STEPS = ['start_detailed', 'request_recheck', 'confirm_results'] as const;
export type ChairStep = (typeof CHAIR_STEPS)[number];

/**
 * Re-check reasons (复核, Order 87 art. 64): the reason codes the supervision data schema uses for a
 * changed score, 01–05.
 */
export const RECHECK_REASONS = ['sum_error', 'out_of_range', 'objective_mismatch', 'abnormal_score', 'other'] as const;
export type RecheckReason = (typeof RECHECK_REASONS)[number];
export const RECHECK_REASON_CODES: Record<RecheckReason, string> = {
  sum_error: '01',
  out_of_range: '02',
  objective_mismatch: '03',
  abnormal_score: '04',
  other: '05',
};

export const recheckTargetSchema = z
  .object({
    /** Whose sheet goes back. */
    codename,
    reason: z.enum(RECHECK_REASONS),
    /** The cells concerned (empty: the whole sheet). */
    cells: z.array(z.object({ bid: bidCode, item: itemId }).strict()).max(500).default([]),
    note: z.string().trim().max(500).default(''),
  })
  .strict();
export type RecheckTarget = z.infer<typeof recheckTargetSchema>;


// ── what the central tells each booth (downstream message) ─────────────────────────────────────

export const COMMITTEE_BOOTH_MESSAGE = 'committee.booth';

/**
 * Where the committee stands. The chair is not a stage: members review while the chair is being
 * chosen (a booth with the central away can always go on with its own work); the chair is needed to
 * start the detailed review and to confirm the results. A project without preliminary items starts
 * at 'detailed' (the plain `criteria` of earlier versions).
 */
export const COMMITTEE_STAGES = [
  /** Every member reviews every bid pass/fail and signs. */
  'preliminary',
  /** Preliminary reviews are in, rejections decided; the chair starts the detailed review. */
  'preliminary_done',
  /** Every member scores the bids that passed and signs. */
  'detailed',
  /** All sheets are in, but aggregation is refused (objective items differ) until re-checked. */
  'blocked',
  /** Sheets sent back for re-check are being revised. */
  'recheck',
  /** Aggregated; the chair (or the centre) confirms the results. */
  'results',
  /** Results confirmed: final, the report can be made. */
  'final',
] as const;
export type CommitteeStage = (typeof COMMITTEE_STAGES)[number];

/** One row of the results, as the booths see them: bids by code, experts as 评委1…n. */
export const resultRowSchema = z
  .object({
    bid: bidCode,
    /** Each expert's total (the order of `judges`); null for lowest_price. */
    totals: z.array(z.number().nullable()),
    /** Mean of the experts' totals (after trimming), rounded. */
    expertScore: z.number().nullable(),
    priceScore: z.number().nullable(),
    /** Comprehensive: expertScore + priceScore. Lowest price: null. */
    score: z.number().nullable(),
    price: z.number(),
    evaluatedPrice: z.number(),
    /** 1-based; equal ranks for a tie that the tie-breaks could not separate. */
    rank: z.number().int().min(1),
    tied: z.boolean(),
    recommended: z.boolean(),
  })
  .strict();
export type ResultRow = z.infer<typeof resultRowSchema>;

export const committeeBoothPayloadSchema = z
  .object({
    date: isoDate,
    project: z.string().min(1),
    /** The code name seated at this booth (a replaced member's booth gets the replacement's). */
    codename,
    /** Bumps with every change of the committee; the booth keeps the newest. */
    version: z.number().int().min(0),
    rulesSha256: sha256Hex,
    stage: z.enum(COMMITTEE_STAGES),
    /** The members by code name, with whether each has done the current stage's part. */
    members: z.array(z.object({ codename, judge: z.string(), done: z.boolean(), chair: z.boolean() }).strict()),
    chair: codename.nullable(),
    /** Chair votes so far (how many; who voted for whom is shown after the vote). */
    chairVotes: z.number().int().min(0),
    /** Bids rejected by the committee, with the reasons the failing experts gave and who voted how. */
    rejected: z.array(z.object({ bid: bidCode, reasons: z.array(z.string()), votes: z.record(codename, z.boolean()) }).strict()),
    /** Bids that go on to detailed review. */
    passed: z.array(bidCode),
    /** The revision this booth's sheet must have (1, +1 per re-check sent back), and why it went back. */
    revision: z.number().int().min(1),
    recheck: recheckTargetSchema.nullable(),
    /** The committee's problems, for the chair (e.g. objective item 2.1 differs on bid B). */
    flags: z.array(z.object({ kind: z.string(), bid: bidCode.nullable(), item: itemId.nullable(), judge: z.string().nullable(), detail: z.string() }).strict()),
    /** Shown once aggregated. */
    results: z.object({ judges: z.array(z.string()), rows: z.array(resultRowSchema), resultsSha256: sha256Hex }).strict().nullable(),
  })
  .strict();
export type CommitteeBoothPayload = z.infer<typeof committeeBoothPayloadSchema>;
