/**
 * The evaluation report (评标报告, issue #14) as a booth's screen sees it: the `report.booth`
 * downstream message the central sends every seated member's booth once the committee's results are
 * final. Pure zod, no signing code: the booth's contract (and so its sandboxed preload bundle) imports
 * these. The events and the central's ledger entries are in report-events.ts, which re-exports this.
 *
 * Privacy: members by code name and as 评委n; bids by code in blind projects. Nothing here carries a
 * real name. The PDFs themselves are fetched by hash (REPORT_FILE_PATH), never carried in a message.
 */
import { z } from 'zod';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);
const codename = z.string().min(1).max(32);

/** The longest dissent (保留意见) a member can enter. */
export const DISSENT_TEXT_MAX = 4000;

export const REPORT_BOOTH_MESSAGE = 'report.booth';

/** A booth fetches a report PDF by its SHA-256 (device-authenticated; only booths of the committee). */
export const REPORT_FILE_PATH = '/api/device/report/:sha256';
export function reportFilePath(sha256: string): string {
  return REPORT_FILE_PATH.replace(':sha256', sha256);
}

/**
 * Where the report stands.
 * - `dissent`: the draft is out; every member reads it and either enters a dissent (保留意见, with
 *   reasons, signed with the USB key) or says they have none. The window closes when every member
 *   has answered, or when the centre closes it (an operator, with a reason).
 * - `signing`: the final PDF (the draft plus the dissents) is fixed; members sign it one at a time, in
 *   the order the central serialises (seat order, 评委1…n: `turn`), each signature an incremental
 *   PAdES update on top of the previous one (`head`). A member may refuse, with a reason, instead.
 * - `supervisor`: every member has signed or refused; the supervisor (监标人) signs last, at the centre.
 * - `signed`: every signature is in; the centre has added its annexes (揭标 for blind projects).
 */
export const REPORT_STAGES = ['dissent', 'signing', 'supervisor', 'signed'] as const;
export type ReportStage = (typeof REPORT_STAGES)[number];

export const DISSENT_STATES = ['pending', 'none', 'dissent'] as const;
export const SIGNATURE_STATES = ['pending', 'signed', 'refused'] as const;

/** A PDF the booth can fetch: its hash (what is shown and signed is checked against it) and size. */
export const reportPdfRefSchema = z.object({ sha256: sha256Hex, bytes: z.number().int().min(1) }).strict();
export type ReportPdfRef = z.infer<typeof reportPdfRefSchema>;

export const reportMemberSchema = z
  .object({
    codename,
    /** 评委n (seat order). */
    judge: z.string(),
    chair: z.boolean(),
    dissent: z.enum(DISSENT_STATES),
    signature: z.enum(SIGNATURE_STATES),
  })
  .strict();
export type ReportMember = z.infer<typeof reportMemberSchema>;

export const reportBoothPayloadSchema = z
  .object({
    date: isoDate,
    project: z.string().min(1),
    /** The member seated at this booth. */
    codename,
    /** Bumps with every change (the central's ledger seq); the booth keeps the newest. */
    version: z.number().int().min(0),
    stage: z.enum(REPORT_STAGES),
    /** The draft every member reads in the dissent window. */
    draft: reportPdfRefSchema,
    /** The final PDF (draft + dissents), once the window closed; null before. */
    final: reportPdfRefSchema.nullable(),
    /** What the next signature goes on top of: the final PDF with every signature so far. Null before signing. */
    head: reportPdfRefSchema.nullable(),
    members: z.array(reportMemberSchema),
    /** Whose turn it is to sign (code name); null outside `signing`. */
    turn: codename.nullable(),
    /** The PDF signature field this booth's member signs into (`kawei-judge-3`). */
    fieldName: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/),
  })
  .strict();
export type ReportBoothPayload = z.infer<typeof reportBoothPayloadSchema>;

/** The signature field of seat n (评委n); the supervisor's is SUPERVISOR_FIELD. */
export function judgeFieldName(judge: number): string {
  return `kawei-judge-${judge}`;
}
export const SUPERVISOR_FIELD = 'kawei-supervisor';
