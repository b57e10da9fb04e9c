import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { z } from 'zod';
import { createDispatcher, defineContract, EventHub } from '../src/contract/contract.ts';
import { startAppHost, type AppHost } from '../src/host/app-host.node.ts';
import { HOST_WS_PATH, WS_CLOSE } from '../src/host/ws-protocol.ts';

const contract = defineContract(
  'demo',
  { echo: { input: z.object({ text: z.string().max(10) }).strict(), output: z.object({ text: z.string() }) } },
  { ping: z.object({ n: z.number() }) },
);
const SECRET = 'test-secret-0123456789';

let host: AppHost;
let events: EventHub<typeof contract>;
let origin: string;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kawei-host-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>t</title>');
  writeFileSync(join(tmpdir(), 'kawei-outside.txt'), 'outside');
  events = new EventHub(contract);
  host = await startAppHost({
    contract,
    dispatch: createDispatcher(contract, { echo: async ({ text }) => ({ text: text.toUpperCase() }) }),
    events,
    rendererDir: dir,
    secret: SECRET,
  });
  origin = `http://127.0.0.1:${host.port}`;
});
afterAll(() => host.close());

function connect(headers: Record<string, string> = { origin }): WebSocket {
  return new WebSocket(`ws://127.0.0.1:${host.port}${HOST_WS_PATH}`, { headers });
}

/** Collects frames until the socket closes or `until` says stop. */
function session(ws: WebSocket, script: (frame: Record<string, unknown>, ws: WebSocket) => boolean) {
  return new Promise<{ frames: Record<string, unknown>[]; closeCode: number | null; closeReason: string }>(
    (resolve) => {
      const frames: Record<string, unknown>[] = [];
      ws.on('message', (data) => {
        const frame = JSON.parse(String(data)) as Record<string, unknown>;
        frames.push(frame);
        if (script(frame, ws)) {
          ws.close();
        }
      });
      ws.on('close', (code, reason) => resolve({ frames, closeCode: code, closeReason: String(reason) }));
      ws.on('error', () => resolve({ frames, closeCode: null, closeReason: 'error' }));
    },
  );
}

describe('app host', () => {
  it('binds to loopback only and puts the secret in the fragment', () => {
    expect(host.url).toBe(`http://127.0.0.1:${host.port}/`);
    expect(host.launchUrl).toBe(`${host.url}#k=${SECRET}`);
  });

  it('serves the renderer with a strict CSP and cross-origin isolation', async () => {
    const res = await fetch(host.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("object-src 'none'");
    expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(res.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
  });

  it('refuses path traversal and foreign Host headers', async () => {
    expect((await fetch(`${host.url}..%2fkawei-outside.txt`)).status).toBe(404);
    expect((await fetch(`${host.url}%2e%2e/%2e%2e/etc/passwd`)).status).toBe(404);
    const rebound = await new Promise<number>((resolve) => {
      import('node:http').then(({ request }) => {
        request({ host: '127.0.0.1', port: host.port, path: '/', headers: { host: 'evil.example:80' } }, (res) =>
          resolve(res.statusCode ?? 0),
        ).end();
      });
    });
    expect(rebound).toBe(421);
  });

  it('answers calls after the right secret, with typed errors for bad input, and pushes events', async () => {
    const ws = connect();
    ws.on('open', () => ws.send(JSON.stringify({ t: 'hello', secret: SECRET })));
    const result = await session(ws, (frame, socket) => {
      if (frame['t'] === 'ready') {
        socket.send(JSON.stringify({ t: 'call', id: 1, name: 'echo', input: { text: 'abc' } }));
        socket.send(JSON.stringify({ t: 'call', id: 2, name: 'echo', input: { text: 'far too long text' } }));
        socket.send(JSON.stringify({ t: 'call', id: 3, name: 'constructor', input: {} }));
      }
      if (frame['t'] === 'result' && frame['id'] === 3) events.emit('ping', { n: 7 });
      return frame['t'] === 'event';
    });
    const byId = Object.fromEntries(result.frames.filter((f) => f['t'] === 'result').map((f) => [f['id'], f['result']]));
    expect(byId[1]).toEqual({ ok: true, value: { text: 'ABC' } });
    expect(byId[2]).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });
    expect(byId[3]).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CALL' } });
    expect(result.frames.at(-1)).toEqual({ t: 'event', channel: 'ping', payload: { n: 7 } });
  });

  it('closes the socket on a wrong secret and never answers the call behind it', async () => {
    const ws = connect();
    ws.on('open', () => {
      ws.send(JSON.stringify({ t: 'hello', secret: 'guess' }));
      ws.send(JSON.stringify({ t: 'call', id: 1, name: 'echo', input: { text: 'x' } }));
    });
    const result = await session(ws, () => false);
    expect(result.closeCode).toBe(WS_CLOSE.unauthorised);
    expect(result.frames).toEqual([]);
  });

  it('refuses a call before hello, and a malformed frame', async () => {
    const early = connect();
    early.on('open', () => early.send(JSON.stringify({ t: 'call', id: 1, name: 'echo', input: { text: 'x' } })));
    expect((await session(early, () => false)).closeCode).toBe(WS_CLOSE.unauthorised);

    const garbage = connect();
    garbage.on('open', () => garbage.send('{not json'));
    expect((await session(garbage, () => false)).closeCode).toBe(WS_CLOSE.badFrame);
  });

  it('refuses a WebSocket from another origin or with no origin at all', async () => {
    for (const headers of [{ origin: 'http://evil.example' }, {} as Record<string, string>]) {
      const ws = connect(headers);
      const outcome = await new Promise<string>((resolve) => {
        ws.on('open', () => resolve('open'));
        ws.on('error', (error) => resolve(String(error.message)));
      });
      expect(outcome).toContain('403');
    }
  });
});
