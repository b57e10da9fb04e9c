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
  },
  {
    status: boothStatusSchema,
    /** Pushed on every phase change, token insert/removal, re-check due. */
    session: boothSessionSchema,
  },
);
export type BoothContract = typeof boothContract;
