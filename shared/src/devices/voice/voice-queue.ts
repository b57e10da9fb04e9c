/**
 * Driver-side utterance queue for the serial TTS chips. It owns no port: it talks to a byte transport
 * (a serial port, a pty, an in-memory pipe). One utterance at a time: send the synthesis frame, then
 * ask the chip for its status until it answers IDLE (or announces IDLE by itself), within a time-out;
 * only then the next. A chip that never comes back idle is told to stop and the queue moves on.
 */
import type { ByteTransport } from '../byte-transport.ts';
import { ChipReply, parseChipReplies } from './chip-status.ts';
import type { ChipReplyKind } from './chip-status.ts';
import { SYN6288_STATUS, SYN6288_STOP, encodeSyn6288Text } from './syn6288.ts';
import type { UtteranceOptions, UtteranceOutcome, UtteranceResult, VoiceOutput } from './voice-output.ts';
import { XFS5152_STATUS, XFS5152_STOP, encodeXfs5152Text } from './xfs5152.ts';

export type { ByteTransport, UtteranceOptions, UtteranceOutcome, UtteranceResult };

/** What the queue needs from a chip model. */
export interface VoiceChip {
  readonly name: string;
  encode(text: string, options: UtteranceOptions): Uint8Array;
  readonly statusQuery: Uint8Array;
  readonly stop: Uint8Array;
  /** Whether the chip sends IDLE by itself when it finishes an utterance. */
  readonly announcesIdle: boolean;
}

const scale = (value: number, max: number): number => Math.round((Math.min(10, Math.max(0, value)) * max) / 10);

/** SYN6288 tags: volume [v0…16], speed [t0…5], digits [n1]. */
export const syn6288Chip: VoiceChip = {
  name: 'SYN6288',
  encode(text, options) {
    let tags = '';
    if (options.volume !== undefined) tags += `[v${scale(options.volume, 16)}]`;
    if (options.speed !== undefined) tags += `[t${scale(options.speed, 5)}]`;
    if (options.digitsAsNumbers === true) tags += '[n1]';
    return encodeSyn6288Text(tags + text);
  },
  statusQuery: SYN6288_STATUS,
  stop: SYN6288_STOP,
  announcesIdle: false,
};

/** XFS5152 tags: volume [v0…10], speed [s0…10], digits [n1]. */
export const xfs5152Chip: VoiceChip = {
  name: 'XFS5152',
  encode(text, options) {
    return encodeXfs5152Text(text, {
      ...(options.volume !== undefined ? { volume: scale(options.volume, 10) } : {}),
      ...(options.speed !== undefined ? { speed: scale(options.speed, 10) } : {}),
      ...(options.digitsAsNumbers === true ? { digits: 1 as const } : {}),
    });
  },
  statusQuery: XFS5152_STATUS,
  stop: XFS5152_STOP,
  announcesIdle: true,
};

export interface VoiceQueueOptions {
  /** How often to ask for status while the chip speaks. */
  pollIntervalMs?: number;
  /** How long to wait for one status reply. */
  replyTimeoutMs?: number;
  /** Longest an utterance may take before the queue stops the chip and moves on. */
  utteranceTimeoutMs?: number;
}

interface Job {
  text: string;
  options: UtteranceOptions;
  resolve: (result: UtteranceResult) => void;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class VoiceQueue implements VoiceOutput {
  /** The chip's name. */
  readonly name: string;
  private readonly jobs: Job[] = [];
  private running = false;
  private waiter: ((kind: ChipReplyKind) => boolean) | undefined;
  /** Replies that arrived while nobody was waiting, oldest first. */
  private readonly replies: ChipReplyKind[] = [];
  private readonly unsubscribe: () => void;
  private readonly poll: number;
  private readonly replyTimeout: number;
  private readonly utteranceTimeout: number;

  constructor(
    private readonly transport: ByteTransport,
    private readonly chip: VoiceChip,
    options: VoiceQueueOptions = {},
  ) {
    this.name = chip.name;
    this.poll = options.pollIntervalMs ?? 50;
    this.replyTimeout = options.replyTimeoutMs ?? 500;
    this.utteranceTimeout = options.utteranceTimeoutMs ?? 30_000;
    this.unsubscribe = transport.onData((bytes) => {
      for (const kind of parseChipReplies(bytes)) {
        if (this.waiter === undefined) this.replies.push(kind);
        else this.waiter(kind);
      }
    });
  }

  /** Number of utterances waiting (not counting the one being spoken). */
  get pending(): number {
    return this.jobs.length;
  }

  /** Queues an utterance; resolves once the chip is idle again (or the time-out passed). */
  speak(text: string, options: UtteranceOptions = {}): Promise<UtteranceResult> {
    return new Promise((resolve) => {
      this.jobs.push({ text, options, resolve });
      if (!this.running) void this.run();
    });
  }

  close(): void {
    this.unsubscribe();
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      for (let job = this.jobs.shift(); job !== undefined; job = this.jobs.shift()) {
        job.resolve(await this.say(job));
      }
    } finally {
      this.running = false;
    }
  }

  /** Resolves with the next buffered or arriving reply of one of `kinds` (others are consumed and
   * skipped), or undefined after `ms`. */
  private next(kinds: readonly ChipReplyKind[], ms: number): Promise<ChipReplyKind | undefined> {
    for (let kind = this.replies.shift(); kind !== undefined; kind = this.replies.shift()) {
      if (kinds.includes(kind)) return Promise.resolve(kind);
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        resolve(undefined);
      }, ms);
      this.waiter = (kind) => {
        if (!kinds.includes(kind)) return true;
        clearTimeout(timer);
        this.waiter = undefined;
        resolve(kind);
        return true;
      };
    });
  }

  private async say(job: Job): Promise<UtteranceResult> {
    const startedAt = Date.now();
    const done = (outcome: UtteranceOutcome): UtteranceResult => ({ text: job.text, outcome, startedAt, endedAt: Date.now() });
    let frame: Uint8Array;
    try {
      frame = this.chip.encode(job.text, job.options);
    } catch {
      return done('error');
    }
    const deadline = startedAt + this.utteranceTimeout;
    this.replies.length = 0; // anything still buffered belongs to the previous utterance
    await this.transport.write(frame);
    if ((await this.next(['ack', 'error'], this.replyTimeout)) === 'error') return done('error');
    while (Date.now() < deadline) {
      // An IDLE the chip announces by itself during the pause counts as well as a polled one.
      if ((await this.next(['idle'], this.poll)) === 'idle') return done('spoken');
      await this.transport.write(this.chip.statusQuery);
      const answer = await this.next(['busy', 'idle'], Math.min(this.replyTimeout, Math.max(1, deadline - Date.now())));
      if (answer === 'idle') {
        // A chip that also announces IDLE may have done so while our query was on the wire: then
        // the query's own answer is still to come. Take it now so it cannot end the next utterance.
        if (this.chip.announcesIdle) await this.next(['busy', 'idle'], this.replyTimeout);
        return done('spoken');
      }
    }
    await this.transport.write(this.chip.stop);
    await sleep(this.poll);
    return done('timeout');
  }
}

export { ChipReply };
