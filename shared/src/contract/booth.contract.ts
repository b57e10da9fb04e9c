import { z } from 'zod';
import { defineContract } from './contract.ts';
import { boothStatusSchema, enrolInputSchema, noInputSchema } from './device-status.ts';
import {
  boothSessionSchema,
  cameraFrameInputSchema,
  cameraFrameOutputSchema,
  commitmentSchema,
  fileIdInputSchema,
  outlineNodeSchema,
  pageImageSchema,
  pageInputSchema,
  pinInputSchema,
  saveScoreInputSchema,
  scoreSheetSchema,
  searchHitSchema,
  searchInputSchema,
  signResultSchema,
  tenderFileSchema,
  textLayerSchema,
} from './booth-session.ts';
import { chairStepInputSchema, chairVoteInputSchema, reviewViewSchema, savePreliminaryInputSchema } from './booth-review.ts';
import { refuseToSignInputSchema, reportViewSchema, signReportInputSchema, submitDissentInputSchema } from './booth-report.ts';

/** The booth client's API table: bound to ipcMain in Electron and to the Node host's WebSocket. */
export const boothContract = defineContract(
  'booth',
  {
    getStatus: { input: noInputSchema, output: boothStatusSchema },
    enrol: { input: enrolInputSchema, output: boothStatusSchema },
    /** Ask the link monitor to contact the central now instead of at its next tick. */
    checkLink: { input: noInputSchema, output: boothStatusSchema },

    getSession: { input: noInputSchema, output: boothSessionSchema },
    /** One camera frame: face login, random re-checks, presence (second face, absence). */
    cameraFrame: { input: cameraFrameInputSchema, output: cameraFrameOutputSchema },
    /** Ends the expert's session (back to the idle screen); a submitted sheet stays submitted. */
    logout: { input: noInputSchema, output: boothSessionSchema },

    getCommitment: { input: noInputSchema, output: commitmentSchema },
    /** Signs the commitment letter with the USB key (PIN from the on-screen keypad). */
    signCommitment: { input: pinInputSchema, output: signResultSchema },

    listFiles: { input: noInputSchema, output: z.array(tenderFileSchema) },
    getPage: { input: pageInputSchema, output: pageImageSchema },
    getTextLayer: { input: pageInputSchema.omit({ scale: true }), output: textLayerSchema },
    getOutline: { input: fileIdInputSchema, output: z.array(outlineNodeSchema) },
    searchFile: { input: searchInputSchema, output: z.array(searchHitSchema) },

    getScoreSheet: { input: noInputSchema, output: scoreSheetSchema },
    /** Autosave: every change is stored before the answer. */
    saveScore: { input: saveScoreInputSchema, output: scoreSheetSchema },
    /** Freezes the sheet and signs it (canonical JSON, detached CMS) with the USB key. */
    submitScores: { input: pinInputSchema, output: signResultSchema },

    /** The committee's review (booth-review.ts): the step, the rules, the preliminary sheet, the committee. */
    getReview: { input: noInputSchema, output: reviewViewSchema },
    castChairVote: { input: chairVoteInputSchema, output: reviewViewSchema },
    /** Autosave of one preliminary verdict, durable before the answer. */
    savePreliminary: { input: savePreliminaryInputSchema, output: reviewViewSchema },
    /** Freezes the preliminary review and signs it with the USB key. */
    submitPreliminary: { input: pinInputSchema, output: signResultSchema },
    /** The chair's steps: start the detailed review, send a sheet back for re-check, confirm the results. */
    chairStep: { input: chairStepInputSchema, output: reviewViewSchema },

    /** The evaluation report (booth-report.ts): its step, the PDF on screen, who has signed. */
    getReport: { input: noInputSchema, output: reportViewSchema },
    /** A dissent (signed with the USB key) or "no dissent", against the draft on screen. */
    submitDissent: { input: submitDissentInputSchema, output: reportViewSchema },
    /** Signs the report on screen (PAdES, or a detached CMS for an SM2 key) when it is this member's turn. */
    signReport: { input: signReportInputSchema, output: reportViewSchema },
    /** Refuses to sign, with the reason (recorded in the report's record). */
    refuseToSign: { input: refuseToSignInputSchema, output: reportViewSchema },
  },
  {
    status: boothStatusSchema,
    /** Pushed on every phase change, token insert/removal, re-check due. */
    session: boothSessionSchema,
    /** Pushed whenever the review changes (a save, a signature, a committee message from the central). */
    review: reviewViewSchema,
    /** Pushed whenever the report changes (a message from the central, a download, a signature). */
    report: reportViewSchema,
  },
);
export type BoothContract = typeof boothContract;
