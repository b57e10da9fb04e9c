/** An XFS5152 (iFlytek) on the other end of a byte transport: parses frames, speaks (by the clock), answers. */
import { Xfs5152Command, Xfs5152Parser, stripXfs5152Tags } from '../xfs5152.ts';
import type { ByteTransport } from '../voice-queue.ts';
import { TtsSimulatorCore } from './tts-simulator-core.ts';
import type { SimulatorOptions, SpokenUtterance } from './tts-simulator-core.ts';

export class Xfs5152Simulator {
  private readonly parser = new Xfs5152Parser();
  private readonly core: TtsSimulatorCore;
  private readonly unsubscribe: () => void;

  constructor(port: ByteTransport, options: SimulatorOptions = {}) {
    this.core = new TtsSimulatorCore(port, { announceIdle: true, announceInit: true, ...options });
    this.unsubscribe = port.onData((bytes) => {
      for (const frame of this.parser.push(bytes)) {
        switch (frame.command) {
          case Xfs5152Command.synthesize:
            if (frame.text === undefined) this.core.bad();
            else {
              const { text, tags } = stripXfs5152Tags(frame.text);
              this.core.synthesize(text, tags);
            }
            break;
          case Xfs5152Command.status:
            this.core.status();
            break;
          case Xfs5152Command.stop:
            this.core.stop();
            break;
          case Xfs5152Command.pause:
            this.core.pause();
            break;
          case Xfs5152Command.resume:
            this.core.resume();
            break;
          case Xfs5152Command.wake:
            this.core.resume();
            break;
          case Xfs5152Command.powerDown:
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
