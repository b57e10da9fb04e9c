/**
 * What both TTS chip simulators share: speak for a time proportional to the text, answer status
 * queries with BUSY/IDLE, acknowledge accepted frames, and keep a log of what was spoken.
 */
import { ChipReply } from '../chip-status.ts';
import type { ByteTransport } from '../voice-queue.ts';
import { stripXfs5152Tags } from '../xfs5152.ts';

export interface SpokenUtterance {
  /** Decoded text with inline tags removed. */
  text: string;
  /** Inline tags found in the text, e.g. "[v9]". */
  tags: string[];
  startedAt: number;
  endedAt?: number;
  /** True when a new synthesis frame cut this one short (what a real chip does). */
  interrupted: boolean;
}

export interface SimulatorOptions {
  /** Speaking time per character (tags not counted). */
  msPerChar?: number;
  /** Send IDLE by itself when an utterance ends (the XFS5152 does). */
  announceIdle?: boolean;
  /** Send INIT when started. */
  announceInit?: boolean;
}

export class TtsSimulatorCore {
  readonly spoken: SpokenUtterance[] = [];
  /** Synthesis frames that arrived while the chip was still speaking. */
  overlaps = 0;
  statusQueries = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private paused = false;
  private endsAt = 0;
  private remainingMs = 0;
  private readonly msPerChar: number;
  private readonly announceIdle: boolean;

  constructor(
    private readonly port: ByteTransport,
    options: SimulatorOptions,
  ) {
    this.msPerChar = options.msPerChar ?? 200;
    this.announceIdle = options.announceIdle ?? false;
    if (options.announceInit === true) this.reply(ChipReply.init);
  }

  get busy(): boolean {
    return this.timer !== undefined || this.paused;
  }

  reply(byte: number): void {
    // A chip whose line is gone (unplugged, test torn down) just loses its answer, as hardware does.
    this.port.write(Uint8Array.of(byte)).catch(() => undefined);
  }

  private current(): SpokenUtterance | undefined {
    const last = this.spoken.at(-1);
    return last !== undefined && last.endedAt === undefined ? last : undefined;
  }

  private finish(interrupted: boolean): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.paused = false;
    const now = this.current();
    if (now === undefined) return;
    now.endedAt = Date.now();
    now.interrupted = interrupted;
  }

  synthesize(text: string, tags: string[]): void {
    this.reply(ChipReply.ack);
    if (this.busy) {
      this.overlaps++;
      this.finish(true);
    }
    this.spoken.push({ text, tags, startedAt: Date.now(), interrupted: false });
    this.speakFor([...text].length * this.msPerChar);
  }

  status(): void {
    this.statusQueries++;
    this.reply(ChipReply.ack);
    this.reply(this.busy ? ChipReply.busy : ChipReply.idle);
  }

  stop(): void {
    this.reply(ChipReply.ack);
    this.finish(true);
  }

  /** Pause holds the utterance (still BUSY) with its remaining time; resume continues it. */
  pause(): void {
    this.reply(ChipReply.ack);
    if (this.timer === undefined) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.remainingMs = Math.max(0, this.endsAt - Date.now());
    this.paused = true;
  }

  resume(): void {
    this.reply(ChipReply.ack);
    if (!this.paused) return;
    this.paused = false;
    this.speakFor(this.remainingMs);
  }

  private speakFor(ms: number): void {
    this.endsAt = Date.now() + ms;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.finish(false);
      if (this.announceIdle) this.reply(ChipReply.idle);
    }, ms);
  }

  bad(): void {
    this.reply(ChipReply.error);
  }

  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** What a chip does with one command frame, whichever chip it is. */
export type ChipAction = 'synthesize' | 'status' | 'stop' | 'pause' | 'resume' | 'bad';

/**
 * A TTS chip on the other end of a byte transport: its own parser turns bytes into frames, the chip's
 * command table turns frames into actions, and the core speaks by the clock and answers. Each chip
 * supplies only the parser and the table.
 */
export abstract class TtsChipSimulator<F extends { text?: string }> {
  private readonly core: TtsSimulatorCore;
  private readonly unsubscribe: () => void;

  protected constructor(
    port: ByteTransport,
    options: SimulatorOptions,
    private readonly parser: { push(bytes: Uint8Array): F[]; discarded: number },
    actionOf: (frame: F) => ChipAction,
  ) {
    this.core = new TtsSimulatorCore(port, options);
    this.unsubscribe = port.onData((bytes) => {
      for (const frame of this.parser.push(bytes)) {
        const action = actionOf(frame);
        if (action !== 'synthesize') this.core[action]();
        else if (frame.text === undefined) this.core.bad();
        else {
          const { text, tags } = stripXfs5152Tags(frame.text);
          this.core.synthesize(text, tags);
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

  /** Bytes the parser discarded as noise. */
  get noise(): number {
    return this.parser.discarded;
  }

  close(): void {
    this.unsubscribe();
    this.core.dispose();
  }
}
