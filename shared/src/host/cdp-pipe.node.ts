import type { Readable, Writable } from 'node:stream';

/**
 * The Chrome DevTools Protocol over `--remote-debugging-pipe`: Chromium reads commands on its fd 3 and
 * writes answers and events on its fd 4, each message JSON ended by a NUL byte. Unlike
 * `--remote-debugging-port`, nothing listens on the network and no other process can reach it: the
 * pipes belong to the process that started Chromium. Only what the launcher needs: commands with an
 * optional session (flattened target sessions) and events by name.
 */
export class CdpPipe {
  private nextId = 1;
  private buffered = '';
  private closedReason: string | null = null;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly listeners = new Set<(method: string, params: unknown, sessionId: string | undefined) => void>();

  constructor(
    private readonly toChromium: Writable,
    fromChromium: Readable,
  ) {
    fromChromium.setEncoding('utf8');
    fromChromium.on('data', (chunk: string) => this.receive(chunk));
    fromChromium.on('error', (error: Error) => this.fail(`the DevTools pipe failed: ${error.message}`));
    fromChromium.on('close', () => this.fail('Chromium closed the DevTools pipe'));
    toChromium.on('error', (error: Error) => this.fail(`the DevTools pipe failed: ${error.message}`));
  }

  send<T = unknown>(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<T> {
    if (this.closedReason) return Promise.reject(new Error(this.closedReason));
    const id = this.nextId++;
    const message = JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) });
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.toChromium.write(`${message}\0`);
    });
  }

  onEvent(listener: (method: string, params: unknown, sessionId: string | undefined) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private receive(chunk: string): void {
    this.buffered += chunk;
    let end: number;
    while ((end = this.buffered.indexOf('\0')) >= 0) {
      const text = this.buffered.slice(0, end);
      this.buffered = this.buffered.slice(end + 1);
      let message: { id?: number; method?: string; params?: unknown; sessionId?: string; result?: unknown; error?: { message?: string } };
      try {
        message = JSON.parse(text) as typeof message;
      } catch {
        continue; // Chromium writes only JSON here; a broken message is skipped, not fatal.
      }
      if (typeof message.id === 'number') {
        const waiter = this.pending.get(message.id);
        this.pending.delete(message.id);
        if (message.error) waiter?.reject(new Error(`CDP: ${message.error.message ?? 'error'}`));
        else waiter?.resolve(message.result);
      } else if (typeof message.method === 'string') {
        for (const listener of [...this.listeners]) listener(message.method, message.params, message.sessionId);
      }
    }
  }

  private fail(reason: string): void {
    if (this.closedReason) return;
    this.closedReason = reason;
    for (const waiter of this.pending.values()) waiter.reject(new Error(reason));
    this.pending.clear();
  }
}
