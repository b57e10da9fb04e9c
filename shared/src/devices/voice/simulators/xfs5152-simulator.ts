/** An XFS5152 (iFlytek) on the other end of a byte transport: parses frames, speaks (by the clock), answers. */
import { Xfs5152Command, Xfs5152Parser, type Xfs5152Frame } from '../xfs5152.ts';
import type { ByteTransport } from '../voice-queue.ts';
import { TtsChipSimulator, type ChipAction, type SimulatorOptions } from './tts-simulator-core.ts';

const ACTIONS: Partial<Record<number, ChipAction>> = {
  [Xfs5152Command.synthesize]: 'synthesize',
  [Xfs5152Command.status]: 'status',
  [Xfs5152Command.stop]: 'stop',
  [Xfs5152Command.pause]: 'pause',
  [Xfs5152Command.resume]: 'resume',
  [Xfs5152Command.wake]: 'resume',
  [Xfs5152Command.powerDown]: 'stop',
};

export class Xfs5152Simulator extends TtsChipSimulator<Xfs5152Frame> {
  constructor(port: ByteTransport, options: SimulatorOptions = {}) {
    // The XFS5152 announces itself at power-up and says when it has finished speaking.
    super(port, { announceIdle: true, announceInit: true, ...options }, new Xfs5152Parser(), (frame) => ACTIONS[frame.command] ?? 'bad');
  }
}
