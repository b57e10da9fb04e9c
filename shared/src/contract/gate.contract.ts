import { defineContract } from './contract.ts';
import { enrolInputSchema, gateStatusSchema, noInputSchema } from './device-status.ts';

/** The gate kiosk's API table: bound to ipcMain in Electron and to the Node host's WebSocket. */
export const gateContract = defineContract(
  'gate',
  {
    getStatus: { input: noInputSchema, output: gateStatusSchema },
    enrol: { input: enrolInputSchema, output: gateStatusSchema },
    checkLink: { input: noInputSchema, output: gateStatusSchema },
  },
  {
    status: gateStatusSchema,
  },
);
export type GateContract = typeof gateContract;
