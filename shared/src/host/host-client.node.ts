/**
 * A Node client for an app host's WebSocket API (ws-protocol.ts): what the renderer does in the
 * browser, done from a script. The demo uses it to enrol the gate without a person at the screen,
 * and the gate benchmark to drive `checkFace` against a real host process. It presents itself with
 * the page's own Origin, as a browser would, and the launch secret from the URL fragment.
 */
import WebSocket from 'ws';
import type { CallResult } from '../contract/contract.ts';
import { HOST_WS_PATH, SECRET_FRAGMENT_KEY, hostFrameSchema } from './ws-protocol.ts';

export interface HostClient {
  call<T = unknown>(name: string, input: unknown): Promise<T>;
  /** The raw result (ok or error) instead of throwing on an error. */
  callResult(name: string, input: unknown): Promise<CallResult>;
  onEvent(cb: (channel: string, payload: unknown) => void): () => void;
  close(): void;
}

export class HostCallError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(`${code}: ${message}`);
    this.name = 'HostCallError';
  }
}

/** `launchUrl` as printed by the host (`http://127.0.0.1:PORT/#k=SECRET`). */
export async function connectHost(launchUrl: string): Promise<HostClient> {
  const url = new URL(launchUrl);
  const secret = new URLSearchParams(url.hash.slice(1)).get(SECRET_FRAGMENT_KEY);
  if (!secret) throw new Error(`the launch URL has no #${SECRET_FRAGMENT_KEY}= secret: ${launchUrl}`);
  const ws = new WebSocket(`ws://${url.host}${HOST_WS_PATH}`, { origin: `${url.protocol}//${url.host}` });
  const pending = new Map<number, (r: CallResult) => void>();
  const listeners = new Set<(channel: string, payload: unknown) => void>();
  let nextId = 1;

  await new Promise<void>((resolve, reject) => {
    ws.once('error', reject);
    ws.once('close', (code, reason) => reject(new Error(`host closed the socket: ${code} ${reason.toString()}`)));
    ws.once('open', () => ws.send(JSON.stringify({ t: 'hello', secret })));
    ws.on('message', (data: WebSocket.RawData) => {
      const frame = hostFrameSchema.safeParse(JSON.parse(data.toString()));
      if (!frame.success) return;
      const f = frame.data;
      if (f.t === 'ready') resolve();
      else if (f.t === 'result') {
        pending.get(f.id)?.(f.result as CallResult);
        pending.delete(f.id);
      } else for (const cb of listeners) cb(f.channel, f.payload);
    });
  });
  ws.removeAllListeners('error');
  ws.removeAllListeners('close');
  ws.on('close', () => {
    for (const resolve of pending.values()) resolve({ ok: false, error: { code: 'INTERNAL', message: 'host connection closed' } });
    pending.clear();
  });

  const callResult = (name: string, input: unknown): Promise<CallResult> =>
    new Promise((resolve) => {
      const id = nextId++;
      pending.set(id, resolve);
      ws.send(JSON.stringify({ t: 'call', id, name, input }));
    });

  return {
    callResult,
    async call<T>(name: string, input: unknown): Promise<T> {
      const r = await callResult(name, input);
      if (!r.ok) throw new HostCallError(r.error.code, r.error.message);
      return r.value as T;
    },
    onEvent(cb) {
      listeners.add(cb);
      return () => listeners.delete(cb);
    },
    close: () => ws.close(),
  };
}
