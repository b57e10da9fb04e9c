/**
 * The evaluation report as the booth's screen sees it (issue #14, docs/REPORT.md): read the draft,
 * enter a dissent or say there is none, then — when it is this member's turn — read the final PDF
 * and sign it with the USB key (or refuse, with a reason).
 *
 * The pages are shown through the tender viewer's calls (getPage, getTextLayer) with the file id
 * `REPORT_FILE_ID`: the booth renders the very bytes whose hash the view names, and signs only those.
 * Privacy: members by code name and 评委n; bids by code in blind projects.
 */
import { z } from 'zod';
import { DISSENT_TEXT_MAX, reportBoothPayloadSchema, REPORT_STAGES } from '../report/report-view.ts';

/** The tender viewer's file id for the report PDF this booth shows now (draft, or the head to sign). */
export const REPORT_FILE_ID = 'report';

/**
 * What this expert does now:
 * - `none`: no report yet (the committee's results are not final);
 * - `fetching`: the report is being downloaded and checked (progress in `download`);
 * - `dissent`: read the draft; enter a dissent or say there is none;
 * - `wait_dissent`: answered; waiting for the other members (or the centre) to close the window;
 * - `wait_turn`: the final PDF is fixed; another member signs now (`turn`);
 * - `sign`: this member's turn: read and sign (or refuse);
 * - `done`: signed or refused; waiting for the others and the supervisor;
 * - `signed`: every signature is in.
 */
export const REPORT_STEPS = ['none', 'fetching', 'dissent', 'wait_dissent', 'wait_turn', 'sign', 'done', 'signed'] as const;
export type ReportStep = (typeof REPORT_STEPS)[number];

export const reportViewSchema = z.object({
  step: z.enum(REPORT_STEPS),
  stage: z.enum(REPORT_STAGES).nullable(),
  /** The report as the central last told this booth; null: nothing yet. */
  report: reportBoothPayloadSchema.nullable(),
  /** The PDF on screen now (REPORT_FILE_ID): its hash and pages; null while none is here. */
  shown: z.object({ sha256: z.string(), bytes: z.number().int(), pages: z.number().int().min(1), kind: z.enum(['draft', 'head']) }).nullable(),
  /** Download progress of the PDF to show, when one is being fetched. */
  download: z.object({ received: z.number().int(), total: z.number().int() }).nullable(),
  /** This member's own dissent as entered (kept locally until the central has it), or null. */
  myDissent: z.object({ text: z.string(), signedAt: z.number().nullable(), none: z.boolean() }).nullable(),
  /** This member's signature, once made (signedAt) or refused (reason). */
  mySignature: z.object({ signedAt: z.number().nullable(), refused: z.string().nullable() }).nullable(),
  /** Code name whose turn it is to sign, when another member's. */
  turn: z.string().nullable(),
  /** Why something could not be done (a download that failed, a hash that did not match), to show. */
  problem: z.object({ code: z.string(), zh: z.string(), en: z.string() }).nullable(),
  /** The central is unreachable right now. */
  offline: z.boolean(),
});
export type ReportView = z.infer<typeof reportViewSchema>;

export const submitDissentInputSchema = z.object({
  /** Null: "no dissent" (无保留意见, no PIN needed: the event is sealed by the booth's key). */
  text: z.string().trim().min(1).max(DISSENT_TEXT_MAX).nullable(),
  /** The PIN from the keypad: required with a dissent (it is signed with the USB key). */
  pin: z.string().regex(/^\d{4,16}$/, '4–16 digits').optional(),
  /** The draft the member read (REPORT_CHANGED when the draft on screen is not the current one). */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

export const signReportInputSchema = z.object({
  pin: z.string().regex(/^\d{4,16}$/, '4–16 digits'),
  /** The PDF the member read and means to sign (REPORT_CHANGED when it is not the current head). */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

export const refuseToSignInputSchema = z.object({
  reason: z.string().trim().min(1).max(1000),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
