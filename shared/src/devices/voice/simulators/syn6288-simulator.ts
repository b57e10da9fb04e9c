/** A SYN6288 on the other end of a byte transport: parses frames, speaks (by the clock), answers. */
import { Syn6288Command, Syn6288Parser } from '../syn6288.ts';
import { stripXfs5152Tags } from '../xfs5152.ts';
import type { ByteTransport } from '../voice-queue.ts';
import { TtsSimulatorCore } from './tts-simulator-core.ts';
import type { SimulatorOptions, SpokenUtterance } from './tts-simulator-core.ts';

export class Syn6288Simulator {
  private readonly parser = new Syn6288Parser();
  private readonly core: TtsSimulatorCore;
  private readonly unsubscribe: () => void;

  constructor(port: ByteTransport, options: SimulatorOptions = {}) {
    this.core = new TtsSimulatorCore(port, options);
    this.unsubscribe = port.onData((bytes) => {
      for (const frame of this.parser.push(bytes)) {
        switch (frame.command) {
          case Syn6288Command.synthesize:
            if (frame.text === undefined) this.core.bad();
            else {
              const { text, tags } = stripXfs5152Tags(frame.text);
              this.core.synthesize(text, tags);
            }
            break;
          case Syn6288Command.status:
            this.core.status();
            break;
          case Syn6288Command.stop:
            this.core.stop();
            break;
          case Syn6288Command.pause:
            this.core.pause();
            break;
          case Syn6288Command.resume:
            this.core.resume();
            break;
          case Syn6288Command.powerDown:
            this.core.stop();
            break;
          default:
            this.core.bad();
        }
      }
    });
  }

  get spoken(): readonly SpokenUtterance[] {
    return this.core.spoken;
  }

  get overlaps(): number {
    return this.core.overlaps;
  }

  get statusQueries(): number {
    return this.core.statusQueries;
  }

  get noise(): number {
    return this.parser.discarded;
  }

  close(): void {
    this.unsubscribe();
    this.core.dispose();
  }
}
