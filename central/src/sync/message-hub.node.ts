import type { DownstreamMessage } from '@kawei/shared/sync/sync-http.ts';

/** How often live streams and long polls look in the store for messages nobody told them about. */
export const DEFAULT_MESSAGE_POLL_MS = 1000;

export interface MessageWaiter {
  deviceId: string;
  /** Called when a message for this device (or for all) may have been appended; query the store. */
  wake(): void;
  /** Called once when the hub closes (server shutdown): answer or close now. */
  close(): void;
}

/**
 * Wakes the central's live streams and long polls when a downstream message is appended.
 *
 * Two paths, because a message can be appended by this process or by another one:
 *   - in-process: createDownstreamMessage (HTTP admin route) calls `publish`, which wakes the
 *     waiters of that device (all waiters for a broadcast) at once;
 *   - fallback: while anyone waits, a timer wakes every waiter each `pollMs` (1 s by default) and
 *     they ask the store for messages after their cursor. This is how a message appended by the
 *     operator CLI, which writes the SQLite file from its own process, reaches a running server's
 *     streams within about a second.
 * A multi-process deployment on PostgreSQL would replace the fallback by LISTEN/NOTIFY (appendMessage
 * NOTIFYing a channel every central process LISTENs on) and keep the poll only as a safety net.
 *
 * Waiters only ever re-read the store; the hub carries no message content, so a missed or extra
 * wake-up costs one query, never a lost or duplicated message.
 */
export class MessageHub {
  private readonly waiters = new Set<MessageWaiter>();
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(readonly pollMs: number = DEFAULT_MESSAGE_POLL_MS) {}

  /** Registers a waiter; call the returned function to remove it (safe to call more than once). */
  subscribe(waiter: MessageWaiter): () => void {
    if (this.closed) {
      queueMicrotask(() => waiter.close());
      return () => {};
    }
    this.waiters.add(waiter);
    this.timer ??= setInterval(() => this.wakeAll(), this.pollMs).unref();
    return () => {
      this.waiters.delete(waiter);
      if (this.waiters.size === 0 && this.timer) {
        clearInterval(this.timer);
        this.timer = null;
      }
    };
  }

  /** A message was appended in this process: wake whoever it is for. */
  publish(message: Pick<DownstreamMessage, 'deviceId'>): void {
    for (const waiter of [...this.waiters]) {
      if (message.deviceId === null || message.deviceId === waiter.deviceId) waiter.wake();
    }
  }

  /** Number of registered waiters (tests check that disconnected clients leave none behind). */
  get size(): number {
    return this.waiters.size;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Server shutdown: every waiter is told to finish now; later subscribers are closed at once. */
  close(): void {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const waiter of waiters) waiter.close();
  }

  private wakeAll(): void {
    for (const waiter of [...this.waiters]) waiter.wake();
  }
}
