import { defineContract } from './contract.ts';
import { enrolInputSchema, gateStatusSchema, noInputSchema } from './device-status.ts';
import {
  ackAlertInputSchema,
  checkEventSchema,
  checkFaceInputSchema,
  checkFaceOutputSchema,
  manualOpenInputSchema,
  manualOpenOutputSchema,
  monitorSchema,
  staffLoginInputSchema,
  staffLoginOutputSchema,
  staffTokenInputSchema,
} from './gate-check.ts';
import { z } from 'zod';

/** The gate kiosk's API table: bound to ipcMain in Electron and to the Node host's WebSocket. */
export const gateContract = defineContract(
  'gate',
  {
    getStatus: { input: noInputSchema, output: gateStatusSchema },
    enrol: { input: enrolInputSchema, output: gateStatusSchema },
    checkLink: { input: noInputSchema, output: gateStatusSchema },
    /** One camera frame in; guidance, or the decision (devices already driven), out. */
    checkFace: { input: checkFaceInputSchema, output: checkFaceOutputSchema },
    /** Gate staff: PIN → a short-lived token for the monitor calls. */
    staffLogin: { input: staffLoginInputSchema, output: staffLoginOutputSchema },
    staffLogout: { input: staffTokenInputSchema, output: z.object({}) },
    getMonitor: { input: staffTokenInputSchema, output: monitorSchema },
    /** Opens the turnstile or door without a face check; the reason is logged as an event. */
    manualOpen: { input: manualOpenInputSchema, output: manualOpenOutputSchema },
    ackAlert: { input: ackAlertInputSchema, output: z.object({}) },
  },
  {
    status: gateStatusSchema,
    /** A decision was made: the kiosk screen shows it (no identity in it). */
    check: checkEventSchema,
  },
);
export type GateContract = typeof gateContract;
