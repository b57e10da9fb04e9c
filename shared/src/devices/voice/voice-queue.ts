/**
 * Driver-side utterance queue for the serial TTS chips. It owns no port: it talks to a byte transport
 * (a serial port, a pty, an in-memory pipe). One utterance at a time: send the synthesis frame, then
 * ask the chip for its status until it answers IDLE (or announces IDLE by itself), within a time-out;
 * only then the next. A chip that never comes back idle is told to stop and the queue moves on.
 */
import { ChipReply, parseChipReplies } from './chip-status.ts';
import type { ChipReplyKind } from './chip-status.ts';
import { SYN6288_STATUS, SYN6288_STOP, encodeSyn6288Text } from './syn6288.ts';
import { XFS5152_STATUS, XFS5152_STOP, encodeXfs5152Text } from './xfs5152.ts';

export interface ByteTransport {
  write(bytes: Uint8Array): Promise<void>;
  /** Registers the receive callback; returns a function that removes it. */
  onData(cb: (bytes: Uint8Array) => void): () => void;
}

export interface UtteranceOptions {
  /** 0 (quietest) … 10 (loudest). */
  volume?: number;
  /** 0 (slowest) … 10 (fastest). */
  speed?: number;
  /** Read digits one by one ("3号" stays "三号", "A5" reads "A五"). */
  digitsAsNumbers?: boolean;
}

/** What the queue needs from a chip model. */
export interface VoiceChip {
  readonly name: string;
  encode(text: string, options: UtteranceOptions): Uint8Array;
  readonly statusQuery: Uint8Array;
  readonly stop: Uint8Array;
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
};

export interface VoiceQueueOptions {
  /** How often to ask for status while the chip speaks. */
  pollIntervalMs?: number;
  /** How long to wait for one status reply. */
  replyTimeoutMs?: number;
  /** Longest an utterance may take before the queue stops the chip and moves on. */
  utteranceTimeoutMs?: number;
}

export type UtteranceOutcome = 'spoken' | 'timeout' | 'error';

export interface UtteranceResult {
  text: string;
  outcome: UtteranceOutcome;
  startedAt: number;
  endedAt: number;
}

interface Job {
  text: string;
  options: UtteranceOptions;
  resolve: (result: UtteranceResult) => void;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class VoiceQueue {
  private readonly jobs: Job[] = [];
  private running = false;
  private waiter: ((kind: ChipReplyKind) => void) | undefined;
  private readonly unsubscribe: () => void;
  private readonly poll: number;
  private readonly replyTimeout: number;
  private readonly utteranceTimeout: number;

  constructor(
    private readonly transport: ByteTransport,
    private readonly chip: VoiceChip,
    options: VoiceQueueOptions = {},
  ) {
    this.poll = options.pollIntervalMs ?? 50;
    this.replyTimeout = options.replyTimeoutMs ?? 500;
    this.utteranceTimeout = options.utteranceTimeoutMs ?? 30_000;
    this.unsubscribe = transport.onData((bytes) => {
      for (const kind of parseChipReplies(bytes)) this.waiter?.(kind);
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

  /** Resolves with the first reply of one of `kinds`, or undefined after `ms`. */
  private next(kinds: readonly ChipReplyKind[], ms: number): Promise<ChipReplyKind | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        resolve(undefined);
      }, ms);
      this.waiter = (kind) => {
        if (!kinds.includes(kind)) return;
        clearTimeout(timer);
        this.waiter = undefined;
        resolve(kind);
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
    const accepted = this.next(['ack', 'error'], this.replyTimeout);
    await this.transport.write(frame);
    if ((await accepted) === 'error') return done('error');
    while (Date.now() < deadline) {
      // An IDLE the chip announces by itself during the pause counts as well as a polled one.
      const spontaneous = await this.next(['idle'], this.poll);
      if (spontaneous === 'idle') return done('spoken');
      const answer = this.next(['busy', 'idle'], Math.min(this.replyTimeout, Math.max(1, deadline - Date.now())));
      await this.transport.write(this.chip.statusQuery);
      if ((await answer) === 'idle') return done('spoken');
    }
    await this.transport.write(this.chip.stop);
    await sleep(this.poll);
    return done('timeout');
  }
}

export { ChipReply };
