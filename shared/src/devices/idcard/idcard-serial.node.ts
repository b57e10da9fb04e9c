// Binds the ID card reader driver and simulator to a serialport SerialPort (a real UART or a pty).
// Opening, reopening after unplug and health belong to the port manager; this only adapts bytes.

import type { SerialPort } from 'serialport';
import { serialPortTransport } from '../serial-port-transport.node.ts';
import type { IdCardSimulator } from './idcard-simulator.ts';

export { serialPortTransport };

/** SAM_V modules ship at 115200 8N1 (some are set to 9600 by their integrators). */
export const IDCARD_DEFAULT_BAUD = 115200;

/** Runs a simulator on the device end of a port: requests in, answers out. Returns a detach function. */
export function attachSimulatorToPort(sim: IdCardSimulator, port: SerialPort): () => void {
  return sim.attach(serialPortTransport(port));
}
