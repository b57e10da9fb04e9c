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
import { CHAIR_STEPS, recheckTargetSchema } from './committee-view.ts';

// The shapes a booth's screen also sees (the committee message, re-check reasons, chair steps) live in
// committee-view.ts, which imports no signing code (the booth's preload bundles the contract).
export * from './committee-view.ts';

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

export const chairStepPayloadSchema = z.discriminatedUnion('step', [
  z.object({ ...boothEventBase, step: z.literal(CHAIR_STEPS[0]) }).strict(),
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
