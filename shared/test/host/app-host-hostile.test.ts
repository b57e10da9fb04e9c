import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect as connectTcp, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { z } from 'zod';
import { createDispatcher, defineContract, EventHub } from '../../src/contract/contract.ts';
import { startAppHost, type AppHost } from '../../src/host/app-host.node.ts';
import { HOST_WS_PATH, MAX_CLIENT_FRAME_BYTES, WS_CLOSE } from '../../src/host/ws-protocol.ts';

/**
 * What any local process can throw at the host without the launch secret: oversized frames, invalid
 * UTF-8, bytes that are not WebSocket at all, a crowd of sockets, headers sent one byte at a time.
 * Before the hardening one 2 MB frame killed the process (an 'error' event with no listener). After
 * each probe the host must still be up and answer the real renderer.
 */
const contract = defineContract(
  'demo',
  { echo: { input: z.object({ text: z.string().max(10) }).strict(), output: z.object({ text: z.string() }) } },
  {},
);
const SECRET = 'hostile-test-secret-0123456789';
const LIMITS = { maxPendingSockets: 4, maxSockets: 4, helloTimeoutMs: 300, headersTimeoutMs: 300 };

let host: AppHost;
let origin: string;
const uncaught: unknown[] = [];
const logged: string[] = [];
const onUncaught = (error: unknown) => uncaught.push(error);

beforeAll(async () => {
  // vitest would report an uncaught error too; collecting them lets each test say which probe did it.
  process.on('uncaughtException', onUncaught);
  const dir = mkdtempSync(join(tmpdir(), 'kawei-host-hostile-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>t</title>');
  host = await startAppHost({
    contract,
    dispatch: createDispatcher(contract, { echo: async ({ text }) => ({ text: text.toUpperCase() }) }),
    events: new EventHub(contract),
    rendererDir: dir,
    secret: SECRET,
    limits: LIMITS,
    log: (message) => logged.push(message),
  });
  origin = `http://127.0.0.1:${host.port}`;
});
afterAll(async () => {
  process.off('uncaughtException', onUncaught);
  await host.close();
});

function open(): WebSocket {
  const ws = new WebSocket(`ws://127.0.0.1:${host.port}${HOST_WS_PATH}`, { origin });
  // The attacker's side may see errors too (a reset socket); they are not what is tested.
  ws.on('error', () => undefined);
  return ws;
}

function opened(ws: WebSocket): Promise<void> {
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('close', (code) => reject(new Error(`closed before open: ${code}`)));
  });
}

function closed(ws: WebSocket): Promise<number> {
  if (ws.readyState === ws.CLOSED) return Promise.resolve(-1);
  return new Promise((resolve) => ws.once('close', (code) => resolve(code)));
}

/** The real renderer: hello with the secret, one call, the answer. */
async function realCall(): Promise<unknown> {
  const ws = open();
  await opened(ws);
  const answer = new Promise<unknown>((resolve, reject) => {
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as Record<string, unknown>;
      if (frame['t'] === 'ready') ws.send(JSON.stringify({ t: 'call', id: 1, name: 'echo', input: { text: 'alive' } }));
      if (frame['t'] === 'result') resolve(frame['result']);
    });
    ws.once('close', (code) => reject(new Error(`the host closed the real client: ${code}`)));
  });
  ws.send(JSON.stringify({ t: 'hello', secret: SECRET }));
  try {
    return await answer;
  } finally {
    ws.close();
  }
}

async function expectHostServes(): Promise<void> {
  await expect(realCall()).resolves.toEqual({ ok: true, value: { text: 'ALIVE' } });
  expect((await fetch(host.url)).status).toBe(200);
  expect(uncaught).toEqual([]);
}

function rawSocket(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connectTcp(host.port, '127.0.0.1', () => resolve(socket));
    socket.on('error', reject);
  });
}

/** Resolves when the host has closed the socket. Reads (and drops) what it says meanwhile: a paused
 * socket would never see the end. */
function socketEnded(socket: Socket): Promise<void> {
  socket.resume();
  if (socket.destroyed) return Promise.resolve();
  return new Promise((resolve) => socket.once('close', () => resolve()));
}

/**
 * The host answers an oversized frame with close 1009, but it stops reading at the limit: a client still
 * writing the rest of its frame may see the connection reset (1006) before that close frame arrives.
 * Either way the socket is gone; what matters is that the host goes on serving.
 */
const OVERSIZE_CLOSE_CODES = [1009, 1006];

describe('app host under hostile local clients', () => {
  it('survives a frame twice the size limit, sent before hello', async () => {
    const ws = open();
    await opened(ws);
    ws.send(Buffer.alloc(2 * 1024 * 1024, 0x61), { binary: false });
    expect(OVERSIZE_CLOSE_CODES).toContain(await closed(ws));
    await expectHostServes();
    expect(logged).toContain('unauthenticated socket: Max payload size exceeded');
  });

  it('survives an oversized frame from an authenticated socket too', async () => {
    const ws = open();
    await opened(ws);
    const ready = new Promise<void>((resolve) => ws.once('message', () => resolve()));
    ws.send(JSON.stringify({ t: 'hello', secret: SECRET }));
    await ready;
    ws.send(Buffer.alloc(MAX_CLIENT_FRAME_BYTES + 1, 0x20), { binary: false });
    expect(OVERSIZE_CLOSE_CODES).toContain(await closed(ws));
    await expectHostServes();
  });

  it('survives a text frame of invalid UTF-8', async () => {
    const ws = open();
    await opened(ws);
    ws.send(Buffer.from([0x7b, 0xff, 0xfe, 0xc3, 0x28, 0x7d]), { binary: false });
    expect(await closed(ws)).toBe(1007);
    await expectHostServes();
  });

  it('survives garbage after the upgrade and garbage instead of HTTP', async () => {
    const upgraded = await rawSocket();
    const key = randomBytes(16).toString('base64');
    const answered = new Promise<string>((resolve) => upgraded.once('data', (d) => resolve(String(d))));
    upgraded.write(
      `GET ${HOST_WS_PATH} HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\nOrigin: ${origin}\r\nUpgrade: websocket\r\n` +
        `Connection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
    expect(await answered).toMatch(/^HTTP\/1\.1 101/);
    // Unmasked, reserved bits set, unknown opcode: every rule of RFC 6455 framing broken at once.
    upgraded.write(randomBytes(4096).fill(0xff, 0, 1));
    await socketEnded(upgraded);

    const notHttp = await rawSocket();
    notHttp.write(randomBytes(2048));
    await socketEnded(notHttp);
    await expectHostServes();
  });

  it('bounds the sockets waiting for hello and still lets the real renderer in', async () => {
    const crowd = Array.from({ length: 20 }, () => open());
    const closes = crowd.map((ws) => closed(ws));
    await Promise.all(crowd.map((ws) => opened(ws).catch(() => undefined)));
    await expectHostServes();
    // The oldest ones were dismissed to make room; at most the bound are still waiting.
    const stillOpen = crowd.filter((ws) => ws.readyState === ws.OPEN).length;
    expect(stillOpen).toBeLessThanOrEqual(LIMITS.maxPendingSockets);
    // and those are dismissed when their hello does not come.
    expect(new Set(await Promise.all(closes))).toEqual(new Set([WS_CLOSE.helloTimeout, WS_CLOSE.tooManySockets]));
  });

  it('bounds the authenticated sockets: the newest renderer wins, the oldest is closed', async () => {
    const sessions: WebSocket[] = [];
    const closeCodes: Promise<number>[] = [];
    for (let i = 0; i < LIMITS.maxSockets + 2; i++) {
      const ws = open();
      closeCodes.push(closed(ws));
      await opened(ws);
      const ready = new Promise<void>((resolve) => ws.once('message', () => resolve()));
      ws.send(JSON.stringify({ t: 'hello', secret: SECRET }));
      await ready;
      sessions.push(ws);
    }
    expect(await closeCodes[0]).toBe(WS_CLOSE.tooManySockets);
    expect(await closeCodes[1]).toBe(WS_CLOSE.tooManySockets);
    expect(sessions.slice(2).every((ws) => ws.readyState === ws.OPEN)).toBe(true);
    for (const ws of sessions) ws.close();
    await expectHostServes();
  });

  it('drops a slowloris that never finishes its headers, and one that never says hello', async () => {
    const slow = await rawSocket();
    slow.write(`GET ${HOST_WS_PATH} HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\n`);
    const drip = setInterval(() => slow.write('X-a: b\r\n'), 50);
    await socketEnded(slow);
    clearInterval(drip);

    const silent = open();
    await opened(silent);
    expect(await closed(silent)).toBe(WS_CLOSE.helloTimeout);
    await expectHostServes();
  });

  it('closes an unauthenticated socket on its first bad frame, without waiting for the close handshake', async () => {
    const upgraded = await rawSocket();
    const key = randomBytes(16).toString('base64');
    const answered = new Promise<string>((resolve) => upgraded.once('data', (d) => resolve(String(d))));
    upgraded.write(
      `GET ${HOST_WS_PATH} HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\nOrigin: ${origin}\r\nUpgrade: websocket\r\n` +
        `Connection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
    await answered;
    // A well-formed masked text frame "{}" that is not a hello; the attacker then ignores the close frame.
    const mask = randomBytes(4);
    const payload = Buffer.from('{}');
    const masked = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!));
    upgraded.write(Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, masked]));
    await socketEnded(upgraded);
    await expectHostServes();
  });
});
