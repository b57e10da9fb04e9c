import { defineContract } from './contract.ts';
import { boothStatusSchema, enrolInputSchema, noInputSchema } from './device-status.ts';

/** The booth client's API table: bound to ipcMain in Electron and to the Node host's WebSocket. */
export const boothContract = defineContract(
  'booth',
  {
    getStatus: { input: noInputSchema, output: boothStatusSchema },
    enrol: { input: enrolInputSchema, output: boothStatusSchema },
    /** Ask the link monitor to contact the central now instead of at its next tick. */
    checkLink: { input: noInputSchema, output: boothStatusSchema },
  },
  {
    status: boothStatusSchema,
  },
);
export type BoothContract = typeof boothContract;
