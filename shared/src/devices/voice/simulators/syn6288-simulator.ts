/** A SYN6288 on the other end of a byte transport: parses frames, speaks (by the clock), answers. */
import { Syn6288Command, Syn6288Parser, type Syn6288Frame } from '../syn6288.ts';
import type { ByteTransport } from '../voice-queue.ts';
import { TtsChipSimulator, type ChipAction, type SimulatorOptions } from './tts-simulator-core.ts';

const ACTIONS: Partial<Record<number, ChipAction>> = {
  [Syn6288Command.synthesize]: 'synthesize',
  [Syn6288Command.status]: 'status',
  [Syn6288Command.stop]: 'stop',
  [Syn6288Command.pause]: 'pause',
  [Syn6288Command.resume]: 'resume',
  [Syn6288Command.powerDown]: 'stop',
};

export class Syn6288Simulator extends TtsChipSimulator<Syn6288Frame> {
  constructor(port: ByteTransport, options: SimulatorOptions = {}) {
    super(port, options, new Syn6288Parser(), (frame) => ACTIONS[frame.command] ?? 'bad');
  }
}
