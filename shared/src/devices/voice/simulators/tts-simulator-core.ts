/**
 * What both TTS chip simulators share: speak for a time proportional to the text, answer status
 * queries with BUSY/IDLE, acknowledge accepted frames, and keep a log of what was spoken.
 */
import { ChipReply } from '../chip-status.ts';
import type { ByteTransport } from '../voice-queue.ts';

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
    void this.port.write(Uint8Array.of(byte));
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
