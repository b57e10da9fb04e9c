/**
 * The evaluation report's record (issue #14, docs/REPORT.md), in the committee's style: every fact is
 * an event, and the report's state (central/src/report/) is a pure function of them.
 *
 * 1. Booth events (upstream sync, sealed by the booth's device key, in its hash chain):
 *    - `report.dissent`       the member's answer in the dissent window: a dissent (保留意见) with its
 *                             reasons, signed with the USB key (detached CMS over canonical JSON,
 *                             kind 'report-dissent'), or null for "no dissent"
 *    - `report.signed`        the member's signature of the report: a CMS over the bytes of `headSha256`
 *                             with the member's placeholder added (PAdES, format 'pades'), or — for an
 *                             SM2 key, which PAdES readers cannot check — a detached CMS over the head
 *                             PDF itself (format 'cms-detached'), kept beside the PDF
 *    - `report.sign_refused`  the member refuses to sign, with the reason (recorded in the report's record)
 * 2. The central's own entries (`report.*`) in the committee's ledger (the same chain,
 *    committee-ledger.node.ts): it renders the draft and the final PDF, ACCEPTS or REFUSES each booth
 *    event, takes the supervisor's signature and adds the centre's annexes.
 *
 * The PAdES placeholder is deterministic (shared/src/report/pdf-signature.node.ts): given the head
 * PDF, the field name, the signer's name and the signing time, booth and central build the same bytes,
 * so the booth sends only its CMS and the central rebuilds the signed PDF and checks it.
 */
import { z } from 'zod';
import { signedDocumentSchema } from '../signing/canonical-signing.ts';
import { DISSENT_TEXT_MAX } from './report-view.ts';

export * from './report-view.ts';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);
const epochMs = z.number().int().min(0);
const codename = z.string().min(1).max(32);
const fieldName = z.string().regex(/^[A-Za-z0-9_-]{1,40}$/);
/** Base64 of a DER CMS; a CMS with a CA chain is a few KB, the PAdES placeholder holds 32 KB. */
const cmsBase64 = z.string().min(16).max(44_000).regex(/^[A-Za-z0-9+/]+={0,2}$/);
/** Whole seconds (the PDF's /M and the CMS signingTime carry no fractions). */
const signingTime = z.iso.datetime().refine((s) => Date.parse(s) % 1000 === 0, 'whole seconds');

// ── booth events ────────────────────────────────────────────────────────────────────────────────

export const REPORT_BOOTH_EVENTS = {
  dissent: 'report.dissent',
  signed: 'report.signed',
  signRefused: 'report.sign_refused',
} as const;
export const BOOTH_REPORT_EVENT_TYPES = Object.values(REPORT_BOOTH_EVENTS);

const boothEventBase = { date: isoDate, project: z.string().min(1), codename };

export const DISSENT_DOCUMENT_KIND = 'kawei.report-dissent';
/** What a member signs as a dissent: the reasons, against the draft read. */
export const dissentDocumentSchema = z
  .object({
    kind: z.literal(DISSENT_DOCUMENT_KIND),
    version: z.literal(1),
    date: isoDate,
    project: z.string().min(1),
    codename,
    /** The draft the member read. */
    draftSha256: sha256Hex,
    text: z.string().trim().min(1).max(DISSENT_TEXT_MAX),
  })
  .strict();
export type DissentDocument = z.infer<typeof dissentDocumentSchema>;

export const reportDissentPayloadSchema = z
  .object({
    ...boothEventBase,
    draftSha256: sha256Hex,
    /** Null: "no dissent" (无保留意见). */
    dissent: z
      .object({
        document: dissentDocumentSchema,
        signed: signedDocumentSchema.extend({ kind: z.literal('report-dissent') }),
      })
      .strict()
      .nullable(),
  })
  .strict();
export type ReportDissentPayload = z.infer<typeof reportDissentPayloadSchema>;

export const REPORT_SIGNATURE_FORMATS = ['pades', 'cms-detached'] as const;
export type ReportSignatureFormat = (typeof REPORT_SIGNATURE_FORMATS)[number];

export const reportSignedPayloadSchema = z
  .object({
    ...boothEventBase,
    /** The PDF the member signed on top of (the head the central named). */
    headSha256: sha256Hex,
    format: z.enum(REPORT_SIGNATURE_FORMATS),
    /** PAdES: the field the placeholder added (the booth view's fieldName). */
    fieldName,
    /** PAdES: the /M of the signature dictionary and the CMS signingTime. */
    signingTime,
    /** PAdES: the /Name of the signature dictionary: the member's code name. */
    signerName: z.string().min(1).max(64),
    cms: cmsBase64,
  })
  .strict();
export type ReportSignedPayload = z.infer<typeof reportSignedPayloadSchema>;

export const reportSignRefusedPayloadSchema = z
  .object({ ...boothEventBase, headSha256: sha256Hex, reason: z.string().trim().min(1).max(1000) })
  .strict();
export type ReportSignRefusedPayload = z.infer<typeof reportSignRefusedPayloadSchema>;

// ── the central's ledger entries ────────────────────────────────────────────────────────────────

export const REPORT_EVENTS = {
  rendered: 'report.rendered',
  accepted: 'report.accepted',
  refused: 'report.refused',
  dissentClosed: 'report.dissent_closed',
  supervisorSigned: 'report.supervisor_signed',
  annexed: 'report.annexed',
  unsignedRecorded: 'report.unsigned_recorded',
} as const;

const centralBase = { date: isoDate, project: z.string().min(1) };
const pdfRef = { sha256: sha256Hex, bytes: z.number().int().min(1) };
const operator = { operator: z.string().min(1).max(64), why: z.string().trim().min(1).max(500) };

/**
 * The central rendered the draft (at the results' confirmation) or the final PDF (when the dissent
 * window closed: the draft's content plus the dissents). The PDF is stored under its hash.
 */
export const reportRenderedPayloadSchema = z
  .object({
    ...centralBase,
    kind: z.enum(['draft', 'final']),
    ...pdfRef,
    /** The confirmed results the report states. */
    resultsSha256: sha256Hex,
    renderedAt: epochMs,
    /** The layout's version (central/src/report/): a re-render with the same version gives the same bytes. */
    renderer: z.string().min(1).max(32),
  })
  .strict();
export type ReportRenderedPayload = z.infer<typeof reportRenderedPayloadSchema>;

export const REPORT_REFUSAL_REASONS = [
  'not_seated',
  'wrong_stage',
  'wrong_draft',
  'not_your_turn',
  'stale_head',
  'already_answered',
  'already_signed',
  'malformed',
  'bad_signature',
  'certificate_rejected',
] as const;
export type ReportRefusalReason = (typeof REPORT_REFUSAL_REASONS)[number];

const eventRef = {
  device: z.string().min(1),
  seq: z.number().int().min(1),
  hash: sha256Hex,
  type: z.string().min(1),
  codename: codename.nullable(),
};
/** A booth report event accepted; a PAdES signature names the new head (the signed PDF stored under its hash). */
export const reportAcceptedPayloadSchema = z.object({ ...centralBase, ...eventRef, headAfter: z.object(pdfRef).strict().nullable() }).strict();
export const reportRefusedPayloadSchema = z
  .object({ ...centralBase, ...eventRef, reason: z.enum(REPORT_REFUSAL_REASONS), detail: z.string().max(500) })
  .strict();

/** The centre closed the dissent window; members who had not answered are recorded as having none. */
export const reportDissentClosedPayloadSchema = z.object({ ...centralBase, draftSha256: sha256Hex, ...operator }).strict();

/**
 * The centre records that a member on turn did not sign (absent, unwell, gone without a word) so the
 * others can go on: like a refusal, with the operator's reason. Refusing without written reasons
 * counts as agreeing (Regulation on the Implementation of the Bidding Law, art. 53); the record says
 * who decided it and why.
 */
export const reportUnsignedRecordedPayloadSchema = z.object({ ...centralBase, codename, headSha256: sha256Hex, ...operator }).strict();

/** The supervisor (监标人) signed last, at the centre (`kawei-central report sign`). */
export const reportSupervisorSignedPayloadSchema = z
  .object({
    ...centralBase,
    headSha256: sha256Hex,
    format: z.enum(REPORT_SIGNATURE_FORMATS),
    fieldName,
    signingTime,
    /** The supervisor's name as signed (/Name): supervisors sign under their own name. */
    signerName: z.string().min(1).max(64),
    cms: cmsBase64,
    headAfter: z.object(pdfRef).strict().nullable(),
    operator: z.string().min(1).max(64),
  })
  .strict();

/**
 * An annex the centre added and signed with its seal (a detached CMS over the annex PDF):
 * - `unblinding` (揭标): bid code → bidder name, for blind projects, after the last signature;
 * - `identities`: code name → expert, sealed for the supervisors (never shown in a booth).
 */
export const REPORT_ANNEX_KINDS = ['unblinding', 'identities'] as const;
export type ReportAnnexKind = (typeof REPORT_ANNEX_KINDS)[number];
export const reportAnnexedPayloadSchema = z
  .object({
    ...centralBase,
    kind: z.enum(REPORT_ANNEX_KINDS),
    /** The annex PDF. */
    ...pdfRef,
    /** The centre's detached CMS over it (stored under its hash). */
    cmsSha256: sha256Hex,
    /** `identities`: the annex encrypted (CMS EnvelopedData) for these certificates' holders (SHA-256 of each DER); [] when none is configured. */
    sealedFor: z.array(sha256Hex).max(16),
    /** `identities` sealed: the EnvelopedData, stored under its hash; null otherwise. */
    envelopeSha256: sha256Hex.nullable(),
  })
  .strict();
export type ReportAnnexedPayload = z.infer<typeof reportAnnexedPayloadSchema>;
