/**
 * The committee's record: every fact of a committee's review is an event, and the committee's state
 * (central/src/committee/committee-state.ts) is a pure function of them. Two sources:
 *
 * 1. Booth events (upstream sync, sealed by the booth's device key, in its hash chain):
 *    - `review.chair_vote`            the expert's vote for the chair (a code name; never a name)
 *    - `review.preliminary_signed`    the preliminary review (资格性/符合性审查) of every bid, signed with
 *                                     the USB key like the score sheet (detached CMS over canonical JSON)
 *    - `booth.scores_submitted`       the score sheet (existing event; document version 2 carries the
 *                                     revision and the rules' hash)
 *    - `review.chair_step`            the chair starts a committee step (detailed review, re-check,
 *                                     confirm the results)
 * 2. The central's own acts (`committee.*`), appended to the central's ledger: a hash chain in the
 *    SyncEvent format (deviceId = the central's id) sealed by the central's key, so the same
 *    checkChain verifies it. The ledger also ACCEPTS or REFUSES each booth event (by device, seq and
 *    hash, with the reason), which fixes the order in which the committee saw them. Replaying the
 *    ledger with the booth events it names rebuilds the state exactly.
 *
 * Every shape names experts by code name only. `expert` ids appear in central-only events
 * (committee.opened, committee.replaced), which never leave the central except in the sealed archive.
 */
import { z } from 'zod';
import { signedDocumentSchema } from '../signing/canonical-signing.ts';
import { evaluationRulesSchema, openingBidSchema } from './evaluation-rules.ts';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);
const epochMs = z.number().int().min(0);
const codename = z.string().min(1).max(32);
const bidCode = z.string().min(1).max(16);
const itemId = z.string().min(1).max(32);

// ── booth events ────────────────────────────────────────────────────────────────────────────────

export const REVIEW_EVENTS = {
  chairVote: 'review.chair_vote',
  preliminarySigned: 'review.preliminary_signed',
  scoresSubmitted: 'booth.scores_submitted',
  chairStep: 'review.chair_step',
} as const;
export const BOOTH_REVIEW_EVENT_TYPES = Object.values(REVIEW_EVENTS);

const boothEventBase = { date: isoDate, project: z.string().min(1), codename };

export const chairVotePayloadSchema = z.object({ ...boothEventBase, candidate: codename }).strict();
export type ChairVotePayload = z.infer<typeof chairVotePayloadSchema>;

export const PRELIMINARY_DOCUMENT_KIND = 'kawei.preliminary-review';
/** One expert's preliminary review of one bid on one item: a fail needs a reason (the rejection's why). */
export const preliminaryVerdictSchema = z.object({ pass: z.boolean(), reason: z.string().trim().max(500).default('') }).strict();
export const preliminaryDocumentSchema = z.looseObject({
  kind: z.literal(PRELIMINARY_DOCUMENT_KIND),
  version: z.literal(1),
  date: isoDate,
  project: z.string().min(1),
  codename,
  booth: z.string(),
  /** SHA-256 of canonicalJson(the rules the booth reviewed under): a sheet under other rules is refused. */
  rulesSha256: sha256Hex,
  /** verdicts[bid][item] */
  verdicts: z.record(bidCode, z.record(itemId, preliminaryVerdictSchema)),
  savedAt: epochMs.nullable(),
});
export type PreliminaryDocument = z.infer<typeof preliminaryDocumentSchema>;

export const preliminarySignedPayloadSchema = z
  .object({
    ...boothEventBase,
    document: preliminaryDocumentSchema,
    /** SHA-256 of the document's canonical JSON. */
    documentSha256: sha256Hex,
    signedAt: epochMs,
    signer: z.string(),
    cms: z.string().min(1),
    signed: signedDocumentSchema.extend({ kind: z.literal('preliminary-review') }),
  })
  .strict();
export type PreliminarySignedPayload = z.infer<typeof preliminarySignedPayloadSchema>;

/**
 * Version 2 of the signed score sheet (version 1 in signed-submissions.ts, still accepted): the
 * revision (1, then +1 for every re-check the committee sent back) and the rules' hash. `criteria`
 * carries the scoring items (id, name, max, group, kind); `bidders` only the bids that passed the
 * preliminary review.
 */
export const SCORE_SHEET_VERSION = 2;

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

export const chairStepPayloadSchema = z.discriminatedUnion('step', [
  z.object({ ...boothEventBase, step: z.literal('start_detailed') }).strict(),
  z.object({ ...boothEventBase, step: z.literal('request_recheck'), recheck: recheckTargetSchema }).strict(),
  z.object({ ...boothEventBase, step: z.literal('confirm_results'), resultsSha256: sha256Hex }).strict(),
]);
export type ChairStepPayload = z.infer<typeof chairStepPayloadSchema>;

// ── the central's ledger ────────────────────────────────────────────────────────────────────────

export const COMMITTEE_EVENTS = {
  opened: 'committee.opened',
  accepted: 'committee.accepted',
  refused: 'committee.refused',
  chairNamed: 'committee.chair_named',
  recheckRequested: 'committee.recheck_requested',
  replaced: 'committee.replaced',
  resultsConfirmed: 'committee.results_confirmed',
} as const;

export const committeeMemberSchema = z
  .object({
    codename,
    /** The roster's expert id (central only). */
    expert: z.string().min(1),
    /** The booth (central booth id) and its device, as the roster was sent. */
    booth: z.string().min(1),
    device: z.string().min(1),
  })
  .strict();
export type CommitteeMember = z.infer<typeof committeeMemberSchema>;

const centralBase = { date: isoDate, project: z.string().min(1) };

/** Publishing a project's material opens (or re-opens, with new rules before any review) its committee. */
export const committeeOpenedPayloadSchema = z
  .object({
    ...centralBase,
    blind: z.boolean(),
    rules: evaluationRulesSchema,
    rulesSha256: sha256Hex,
    /** The opening record: every bid by code with its price. */
    bids: z.array(openingBidSchema).min(1),
    members: z.array(committeeMemberSchema).min(1),
    /** The drawn alternates (expert ids, in the draw's order). */
    alternates: z.array(z.string().min(1)),
  })
  .strict();
export type CommitteeOpenedPayload = z.infer<typeof committeeOpenedPayloadSchema>;

/** A booth event the committee took into account, or refused (with why); by reference to the stored event. */
const eventRef = {
  device: z.string().min(1),
  seq: z.number().int().min(1),
  hash: sha256Hex,
  type: z.string().min(1),
  codename: codename.nullable(),
};
export const committeeAcceptedPayloadSchema = z.object({ ...centralBase, ...eventRef }).strict();
export const REFUSAL_REASONS = [
  'not_seated',
  'replaced',
  'wrong_stage',
  'stale_revision',
  'already_submitted',
  'not_chair',
  'chair_already_named',
  'rules_changed',
  'malformed',
  'invalid_sheet',
  'unknown_bid',
  'unknown_candidate',
  'blocked',
] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];
export const committeeRefusedPayloadSchema = z.object({ ...centralBase, ...eventRef, reason: z.enum(REFUSAL_REASONS), detail: z.string().max(500) }).strict();

const operator = { operator: z.string().min(1).max(64), why: z.string().trim().min(1).max(500) };
/** By 'vote': the votes decided it (operator null). By 'centre': an operator named the chair, saying why. */
export const chairNamedPayloadSchema = z
  .object({ ...centralBase, codename, by: z.enum(['vote', 'centre']), operator: z.string().max(64).nullable(), why: z.string().max(500) })
  .strict();
export const recheckRequestedPayloadSchema = z.object({ ...centralBase, recheck: recheckTargetSchema, ...operator }).strict();
export const REPLACEMENT_REASONS = ['absent', 'recused', 'ill', 'other'] as const;
export const replacedPayloadSchema = z
  .object({
    ...centralBase,
    /** The member who left: that member's work is void from here on. */
    codename,
    reason: z.enum(REPLACEMENT_REASONS),
    replacement: committeeMemberSchema,
    ...operator,
  })
  .strict();
export const resultsConfirmedPayloadSchema = z.object({ ...centralBase, resultsSha256: sha256Hex, ...operator }).strict();

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
