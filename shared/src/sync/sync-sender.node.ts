import { z } from 'zod';
import { ApiError, type ErrorCode } from '../errors.ts';
import type { CentralClient, DeviceCredentials } from '../device/central-client.node.ts';
import { Backoff } from './backoff.ts';
import type { EventLog } from './event-log.node.ts';
import { MAX_BATCH_EVENTS } from './sync-event.ts';
import { syncGapDetailsSchema } from './sync-http.ts';

export const SENDER_STATES = ['idle', 'sending', 'backoff', 'refused', 'stopped'] as const;
export type SenderState = (typeof SENDER_STATES)[number];

export interface SenderStatus {
  state: SenderState;
  lastSeq: number;
  ackedSeq: number;
  pending: number;
  lastError: ErrorCode | null;
  lastAckAt: number | null;
}

export interface SyncSenderOptions {
  log: EventLog;
  client: CentralClient;
  credentials: DeviceCredentials;
  batchSize?: number;
  backoff?: Backoff;
  now?: () => number;
  onStatus?: (status: SenderStatus) => void;
}

/**
 * Pushes the event log to the central: in order, one batch at a time, each acknowledged before the
 * next. The acknowledgement is the central's ackedSeq, saved durably; after any crash the sender
 * first asks the central where it stands (GET head) and resumes from there. A batch whose answer was
 * lost is simply sent again: the central drops what it already has and acknowledges it.
 *
 * Refusals it can act on it acts on (SYNC_GAP: resend from the sequence the central expects).
 * Refusals it cannot fix (a forged or broken chain, a revoked device) put it in `refused`, retrying
 * rarely, because only a person can mend them; everything else is "the central is away": back off
 * with jitter and try again, woken early by a new event.
 */
export class SyncSender {
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private pendingWake: 'kick' | 'retry' | null = null;
  private readonly backoff: Backoff;
  private readonly now: () => number;
  private state: SenderState = 'stopped';
  private lastError: ErrorCode | null = null;
  private lastAckAt: number | null = null;
  private resumed = false;
  private readonly drainWaiters = new Set<() => void>();

  constructor(private readonly options: SyncSenderOptions) {
    this.backoff = options.backoff ?? new Backoff(250, 30_000);
    this.now = options.now ?? Date.now;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.setState('stopped');
    this.wake?.();
    await this.loop;
  }

  /** A new event was appended: an idle sender sends it now. */
  kick(): void {
    this.pendingWake ??= 'kick';
    this.wake?.();
  }

  /** The central is reachable again (the link monitor saw it): stop backing off and send now. */
  retryNow(): void {
    this.pendingWake = 'retry';
    this.wake?.();
  }

  status(): SenderStatus {
    const head = this.options.log.head();
    const acked = this.options.log.acked();
    return {
      state: this.state,
      lastSeq: head.seq,
      ackedSeq: acked.seq,
      pending: head.seq - acked.seq,
      lastError: this.lastError,
      lastAckAt: this.lastAckAt,
    };
  }

  /** Resolves when everything appended so far is acknowledged (or rejects after timeoutMs). */
  waitForDrain(timeoutMs: number): Promise<void> {
    if (this.status().pending === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.drainWaiters.delete(done);
        reject(new Error(`sync not drained after ${timeoutMs} ms: ${JSON.stringify(this.status())}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      this.drainWaiters.add(done);
    });
  }

  private async run(): Promise<void> {
    while (this.running) {
      const delay = await this.step();
      if (!this.running) break;
      if (delay === 0) continue;
      await this.sleep(delay);
    }
  }

  /** One attempt. Returns how long to wait before the next (0: at once; Infinity: until kicked). */
  private async step(): Promise<number> {
    const { log, client, credentials } = this.options;
    try {
      if (!this.resumed) {
        await this.resumeFromCentral();
        this.resumed = true;
      }
      const acked = log.acked();
      const batch = log.eventsAfter(acked.seq, this.options.batchSize ?? MAX_BATCH_EVENTS);
      if (batch.length === 0) {
        this.setState('idle');
        this.notifyDrained();
        return Infinity;
      }
      this.setState('sending');
      const answer = await client.push(credentials, { sentAt: this.now(), events: batch });
      this.acknowledge(answer.ackedSeq, answer.ackedHash);
      this.backoff.reset();
      this.lastError = null;
      return 0;
    } catch (error) {
      return this.handleFailure(error);
    }
  }

  /** After a start (or a crash), take the central's head as the acknowledgement if it fits our log. */
  private async resumeFromCentral(): Promise<void> {
    const head = await this.options.client.head(this.options.credentials);
    this.adoptCentralHead(head.ackedSeq, head.ackedHash);
  }

  private adoptCentralHead(seq: number, hash: string): void {
    const local = this.options.log.hashAt(seq);
    if (local === null) {
      // The central holds more of this device's log than the device does: the local log was lost
      // or restored from an old copy. Sending anything now would fork the chain.
      throw new ApiError('SYNC_SEQ_CONFLICT', `the central holds events up to ${seq}, beyond this device's log`);
    }
    if (local !== hash) {
      throw new ApiError('SYNC_CHAIN_BROKEN', `the central's event ${seq} differs from this device's`);
    }
    this.acknowledge(seq, hash);
  }

  private acknowledge(seq: number, hash: string): void {
    this.options.log.setAcked(seq, hash);
    this.lastAckAt = this.now();
    this.emit();
  }

  private handleFailure(error: unknown): number {
    const code: ErrorCode = error instanceof ApiError ? error.code : 'INTERNAL';
    this.lastError = code;
    if (code === 'SYNC_GAP' && error instanceof ApiError) {
      const details = syncGapDetailsSchema.safeParse(error.details);
      if (details.success) {
        try {
          const ackedSeq = details.data.expectedSeq - 1;
          this.adoptCentralHead(ackedSeq, this.options.log.hashAt(ackedSeq) ?? '');
          return 0;
        } catch {
          this.setState('refused');
          return this.backoff.longest();
        }
      }
    }
    if (UNFIXABLE.has(code)) {
      this.resumed = false; // ask the central again before the next try: an operator may have fixed it
      this.setState('refused');
      return this.backoff.longest();
    }
    this.resumed = false;
    this.setState('backoff');
    return this.backoff.next();
  }

  /**
   * Waits `ms` (Infinity: until woken). A kick (new event) ends an idle wait; a retry (the central is
   * reachable again) also ends a back-off. Neither ends the long wait of a refused log, and a kick
   * never shortens a back-off: the central is away, and knocking once per event would hammer it.
   */
  private sleep(ms: number): Promise<void> {
    if (this.wakes(this.pendingWake)) {
      this.pendingWake = null;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const finish = () => {
        if (timer) clearTimeout(timer);
        this.wake = null;
        this.pendingWake = null;
        resolve();
      };
      const timer = Number.isFinite(ms) ? setTimeout(finish, ms) : null;
      timer?.unref();
      this.wake = () => {
        if (!this.running || this.wakes(this.pendingWake)) finish();
      };
    });
  }

  private wakes(reason: 'kick' | 'retry' | null): boolean {
    if (reason === 'kick') return this.state === 'idle';
    if (reason === 'retry') return this.state === 'idle' || this.state === 'backoff';
    return false;
  }

  private setState(state: SenderState): void {
    if (this.state === state) return;
    this.state = state;
    this.emit();
  }

  private emit(): void {
    this.options.onStatus?.(this.status());
  }

  private notifyDrained(): void {
    for (const done of this.drainWaiters) done();
    this.drainWaiters.clear();
  }
}

/** Refusals that retrying cannot fix: only a person (operator or technician) can. */
const UNFIXABLE: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'SYNC_EVENT_FORGED',
  'SYNC_CHAIN_BROKEN',
  'SYNC_SEQ_CONFLICT',
  'DEVICE_REVOKED',
  'DEVICE_UNKNOWN',
]);

export const senderStatusSchema = z.object({
  state: z.enum(SENDER_STATES),
  lastSeq: z.number().int().min(0),
  ackedSeq: z.number().int().min(0),
  pending: z.number().int().min(0),
  lastError: z.string().nullable(),
  lastAckAt: z.number().nullable(),
});
