import type { KeyObject } from 'node:crypto';
import type { WebSocket } from 'ws';
import { ApiError, type ErrorCode } from '../errors.ts';
import { verifyText } from '../crypto/ed25519.node.ts';
import type { CentralClient, DeviceCredentials } from '../device/central-client.node.ts';
import { Backoff } from './backoff.ts';
import { canonicalJson } from './canonical-json.ts';
import type { EventLog } from './event-log.node.ts';
import { streamFrameSchema, type DownstreamMessage } from './sync-http.ts';

export type PullTransport = 'stream' | 'long-poll';
export interface PullStatus {
  state: 'connecting' | 'live' | 'backoff' | 'stopped';
  transport: PullTransport;
  cursor: number;
  lastError: ErrorCode | null;
}

export interface PullClientOptions {
  log: EventLog;
  client: CentralClient;
  credentials: DeviceCredentials;
  onMessage?: (message: DownstreamMessage) => void;
  onStatus?: (status: PullStatus) => void;
  backoff?: Backoff;
  /** How long the central may hold a long poll. */
  longPollWaitMs?: number;
  /** After the stream fails this many times in a row, fall back to long polling for a while. */
  streamFailuresBeforeFallback?: number;
}

/** Long polls made before trying the WebSocket stream again. */
const LONG_POLLS_BEFORE_STREAM_RETRY = 5;

/**
 * The central's data for this device (rosters, assignments, commands) arrives here, in cursor order,
 * exactly once: each message is verified against the central key pinned at enrolment, then stored
 * together with the advanced cursor in one transaction (EventLog.receiveMessage). The transport is a
 * WebSocket stream (backlog from the cursor, then live); when streams keep failing — a proxy that
 * strips upgrades, say — it long-polls over plain HTTP, and tries the stream again now and then.
 * A device that was offline for hours simply resumes from its cursor.
 */
export class PullClient {
  private running = false;
  private loop: Promise<void> | null = null;
  private socket: WebSocket | null = null;
  private closeStream: (() => void) | null = null;
  private cancelPoll: AbortController | null = null;
  private wake: (() => void) | null = null;
  private readonly backoff: Backoff;
  private streamFailures = 0;
  private longPollsLeft = 0;
  private current: PullStatus;

  constructor(private readonly options: PullClientOptions) {
    this.backoff = options.backoff ?? new Backoff(250, 30_000);
    this.current = { state: 'stopped', transport: 'stream', cursor: options.log.syncState().pullCursor, lastError: null };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.socket?.terminate();
    this.closeStream?.();
    this.cancelPoll?.abort();
    this.wake?.();
    await this.loop;
    this.update({ state: 'stopped' });
  }

  /** The central is reachable again: end a back-off now. */
  retryNow(): void {
    this.wake?.();
  }

  status(): PullStatus {
    return this.current;
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        if (this.longPollsLeft > 0) {
          this.longPollsLeft--;
          await this.longPollOnce();
        } else {
          await this.streamUntilClosed();
        }
        this.backoff.reset();
      } catch (error) {
        if (!this.running) break;
        const code: ErrorCode = error instanceof ApiError ? error.code : 'INTERNAL';
        this.update({ state: 'backoff', lastError: code });
        if (this.current.transport === 'stream' && ++this.streamFailures >= (this.options.streamFailuresBeforeFallback ?? 3)) {
          this.streamFailures = 0;
          this.longPollsLeft = LONG_POLLS_BEFORE_STREAM_RETRY;
        }
        await this.sleep(this.backoff.next());
      }
    }
  }

  private async longPollOnce(): Promise<void> {
    this.update({ state: 'connecting', transport: 'long-poll' });
    const { client, credentials } = this.options;
    this.cancelPoll = new AbortController();
    const answer = await client
      .pull(credentials, this.current.cursor, this.options.longPollWaitMs ?? 25_000, this.cancelPoll.signal)
      .finally(() => (this.cancelPoll = null));
    this.update({ state: 'live', lastError: null });
    for (const message of answer.messages) this.apply(message);
  }

  /** Resolves when the central closes the stream; rejects if it cannot be opened or says something wrong. */
  private async streamUntilClosed(): Promise<void> {
    this.update({ state: 'connecting', transport: 'stream' });
    let failure: unknown = null;
    let socket: WebSocket | null = null;
    const closed = new Promise<void>((resolve) => {
      this.closeStream = resolve;
    });
    socket = await this.options.client.openStream(this.options.credentials, this.current.cursor, (text) => {
      if (failure) return;
      try {
        const frame = streamFrameSchema.parse(JSON.parse(text));
        if (frame.t === 'live') this.update({ state: 'live', lastError: null });
        else this.apply(frame.message);
      } catch (error) {
        failure = error instanceof ApiError ? error : new ApiError('CENTRAL_BAD_RESPONSE', 'malformed stream frame');
        socket?.terminate();
        this.closeStream?.();
      }
    });
    if (!this.running) {
      // stop() ran while the stream was opening.
      socket.terminate();
      return;
    }
    this.socket = socket;
    this.streamFailures = 0;
    socket.once('close', () => this.closeStream?.());
    socket.once('error', () => this.closeStream?.());
    await closed;
    this.socket = null;
    this.closeStream = null;
    if (failure) throw failure;
    if (this.running) throw new ApiError('CENTRAL_UNREACHABLE', 'the stream closed');
  }

  /** Verifies and stores one message; a message that is not genuinely ours stops the stream. */
  private apply(message: DownstreamMessage): void {
    const { log, credentials } = this.options;
    if (message.deviceId !== null && message.deviceId !== credentials.deviceId) {
      throw new ApiError('CENTRAL_BAD_RESPONSE', `message ${message.id} is addressed to another device`);
    }
    const body = {
      id: message.id,
      deviceId: message.deviceId,
      type: message.type,
      payload: message.payload,
      createdAt: message.createdAt,
    };
    if (!verifyText(credentials.centralPublicKey as KeyObject, canonicalJson(body), message.signature)) {
      throw new ApiError('CENTRAL_BAD_RESPONSE', `message ${message.id} is not signed by this device's central`);
    }
    if (message.cursor <= this.current.cursor) return; // already applied: a resent backlog
    const fresh = log.receiveMessage(message);
    this.update({ cursor: message.cursor });
    if (fresh) this.options.onMessage?.(message);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
      const timer = setTimeout(finish, ms);
      timer.unref();
      this.wake = finish;
    });
  }

  private update(change: Partial<PullStatus>): void {
    const next = { ...this.current, ...change };
    if (JSON.stringify(next) === JSON.stringify(this.current)) return;
    this.current = next;
    this.options.onStatus?.(next);
  }
}
