/**
 * The two signed documents a booth sends the central as sync events, as the booth records them
 * (booth-client/src/services/session/booth-session.node.ts and scoring/score-sheet.node.ts, which
 * build these payloads; the shapes are written down here so the central can check them):
 *
 * - `booth.commitment_signed`: the commitment letter (评标承诺书). `document` is the signer's
 *   `SignedDocument`: its `content` is the canonical JSON of the letter that was signed.
 * - `booth.scores_submitted`: the score sheet. `sheet` is the very object that was signed (its
 *   canonical JSON is the signed bytes); `signed` is the signer's `SignedDocument` over it.
 *
 * Both carry the detached CMS in `cms` (base64 DER). The expert appears by the day's code name; the
 * commitment event also carries the expert id of the roster, never a name. That id is NOT signed (the
 * letter names the code name only): the central checks it, with the code name and project, against the
 * `roster.booth` it sent the booth for that day (central/src/results/verify-submissions.ts). These
 * schemas validate only: rebuild signed bytes from the raw JSON, never from a parsed copy (zod drops
 * unknown keys).
 */
import { z } from 'zod';
import { signedDocumentSchema } from '../signing/canonical-signing.ts';
import { recheckTargetSchema, SCORE_SHEET_VERSION } from '../committee/committee-events.ts';

export const COMMITMENT_SIGNED_EVENT = 'booth.commitment_signed';
export const SCORES_SUBMITTED_EVENT = 'booth.scores_submitted';
export const SIGNED_SUBMISSION_EVENTS = [COMMITMENT_SIGNED_EVENT, SCORES_SUBMITTED_EVENT] as const;

export const COMMITMENT_LETTER_TYPE = 'kawei.commitment-letter';
export const SCORE_SHEET_DOCUMENT_KIND = 'kawei.score-sheet';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);
const epochMs = z.number().int().min(0);

/** The letter as signed (booth-client commitment-letter.ts `CommitmentDocument`). */
export const commitmentLetterSchema = z.looseObject({
  type: z.literal(COMMITMENT_LETTER_TYPE),
  version: z.literal(1),
  title: z.string().min(1),
  codename: z.string().min(1),
  project: z.string().min(1),
  date: isoDate,
  room: z.string(),
  booth: z.string(),
  text: z.string().min(1),
});
export type CommitmentLetter = z.infer<typeof commitmentLetterSchema>;

export const commitmentSignedPayloadSchema = z.object({
  /** The roster's expert id (never a name). Outside the signature: only the roster vouches for it. */
  expert: z.string().min(1),
  codename: z.string().min(1),
  project: z.string().min(1),
  date: isoDate,
  /** Subject CN of the signing certificate. */
  signer: z.string(),
  /** Epoch ms of the CMS signingTime. */
  signedAt: epochMs,
  cms: z.string().min(1),
  document: signedDocumentSchema.extend({ kind: z.literal('commitment-letter') }),
});
export type CommitmentSignedPayload = z.infer<typeof commitmentSignedPayloadSchema>;

/**
 * The score sheet as signed (score-sheet.node.ts `documentOf`): bidders by code only, never names.
 * Version 1, or version 2 (issue #13, committee-events.ts SCORE_SHEET_VERSION) which adds the
 * revision, the rules' hash, the chosen tiers and the totals the sheet states: optional here, so the
 * signature check reads both; the committee checks version 2's own fields with
 * `scoreSheetDocumentV2Schema` below.
 */
export const scoreSheetDocumentSchema = z.looseObject({
  kind: z.literal(SCORE_SHEET_DOCUMENT_KIND),
  version: z.union([z.literal(1), z.literal(2)]),
  date: isoDate,
  project: z.string().min(1),
  /** Present when the booth knew its identity: the day's code name (or null) and the booth label. */
  codename: z.string().min(1).nullable().optional(),
  booth: z.string().optional(),
  criteria: z.array(z.looseObject({ id: z.string().min(1), name: z.string(), max: z.number() })),
  bidders: z.array(z.string().min(1)),
  scores: z.record(z.string(), z.record(z.string(), z.number().nullable())),
  notes: z.record(z.string(), z.record(z.string(), z.string())),
  savedAt: epochMs.nullable(),
  rulesSha256: sha256Hex.optional(),
  revision: z.number().int().min(1).optional(),
  tiers: z.record(z.string(), z.record(z.string(), z.string())).optional(),
  totals: z.record(z.string(), z.number()).optional(),
});
export type ScoreSheetDocument = z.infer<typeof scoreSheetDocumentSchema>;

const cells = <T extends z.ZodType>(value: T) => z.record(z.string(), z.record(z.string(), value));

/**
 * Version 2 of the score sheet as signed (issue #13; booth-client score-sheet.node.ts `documentOf`
 * builds it, the central's committee reads it: central/src/committee/score-sheet-documents.ts). A
 * member of a committee signs it, so unlike version 1 it always states:
 *
 * - `codename` and `booth`: the day's code name (the committee's member) and the booth label;
 * - `rulesSha256`: the hash of the evaluation rules the sheet was scored under (rules-digest.node.ts);
 * - `revision`: 1, then +1 for each re-check (复核) the committee asked for; `recheck` is the
 *   re-check this revision answers (null for revision 1; older documents may leave it out);
 * - `criteria`: the rules' scoring items (group and kind as the rules say; no price item);
 * - `tiers`: per bid and item, the tier (优/良/中/差 label) chosen, where one was;
 * - `totals`: the sum per bid the sheet states (the committee checks it against the cells).
 *
 * Bids by code only, never names. Loose: fields added later are kept and covered by the signature.
 */
export const scoreSheetDocumentV2Schema = z.looseObject({
  kind: z.literal(SCORE_SHEET_DOCUMENT_KIND),
  version: z.literal(SCORE_SHEET_VERSION),
  date: isoDate,
  project: z.string().min(1),
  codename: z.string().min(1).max(32),
  booth: z.string(),
  rulesSha256: sha256Hex,
  revision: z.number().int().min(1),
  recheck: recheckTargetSchema.nullable().optional(),
  criteria: z.array(
    z.looseObject({ id: z.string().min(1), name: z.string(), max: z.number(), group: z.string().optional(), kind: z.enum(['objective', 'subjective']).optional() }),
  ),
  bidders: z.array(z.string().min(1)),
  scores: cells(z.number().nullable()),
  notes: cells(z.string()),
  tiers: cells(z.string()).optional(),
  totals: z.record(z.string(), z.number()).optional(),
  savedAt: epochMs.nullable(),
});
export type ScoreSheetDocumentV2 = z.infer<typeof scoreSheetDocumentV2Schema>;

export const scoresSubmittedPayloadSchema = z.object({
  date: isoDate,
  project: z.string().min(1),
  sheet: scoreSheetDocumentSchema,
  /** SHA-256 of the sheet's canonical JSON, hex. */
  sheetSha256: sha256Hex,
  signedAt: epochMs,
  signer: z.string(),
  cms: z.string().min(1),
  signed: signedDocumentSchema.extend({ kind: z.literal('score-sheet') }),
});
export type ScoresSubmittedPayload = z.infer<typeof scoresSubmittedPayloadSchema>;
