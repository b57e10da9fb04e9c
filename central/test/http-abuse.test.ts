import { connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { WebSocket } from 'ws';
import { CENTRAL_PATHS, enrolResponseSchema, type EnrolTarget } from '@kawei/shared/api/central-http.ts';
import { BOOTH_FILE_PATH } from '@kawei/shared/api/booth-roster.ts';
import { sha256Hex } from '@kawei/shared/crypto/hash.node.ts';
import { signText } from '@kawei/shared/crypto/ed25519.node.ts';
import { canonicalJson } from '@kawei/shared/sync/canonical-json.ts';
import { hashedPart, type SyncEvent } from '@kawei/shared/sync/sync-event.ts';
import { SYNC_PATHS } from '@kawei/shared/sync/sync-http.ts';
import { buildCentralServer } from '../src/server.node.ts';
import { issueEnrolCode } from '../src/enrolment/enrol-codes.node.ts';
import { DEFAULT_SERVER_LIMITS, type ServerLimits } from '../src/http/server-limits.ts';
import { STREAM_REPLACED_CLOSE_CODE } from '../src/http/routes/sync-stream.node.ts';
import { storeFile, writeGrant } from '../src/projects/project-files.node.ts';
import { terminalSafe } from '../src/cli/terminal-safe.ts';
import type { SqliteCentralStore } from '../src/storage/sqlite-central-store.node.ts';
import { TestDevice } from './device-signer.ts';
import { EventChain, pushRequest } from './event-chain-builder.ts';
import { OPERATOR_TOKEN, operatorHeaders } from './server-fixtures.ts';
import { openDemoStore } from './store-fixtures.ts';
import { useTempDir } from './temp-dir.ts';

/**
 * The probes of issue 12 §3 against the central's HTTP surface, each a regression test: guessing
 * enrolment codes, big bodies from strangers, slow or silent connections, unlimited streams and
 * polls, deep or __proto__-carrying JSON, control characters in a hostname, and the file route
 * telling "not yours" from "no such file".
 */

const tempDir = useTempDir();
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Central {
  app: FastifyInstance;
  store: SqliteCentralStore;
  clock: { offsetMs: number };
  now: () => number;
  dataDir: string;
  url: () => Promise<string>;
}

async function startCentral(limits: Partial<ServerLimits> = {}): Promise<Central> {
  const dataDir = tempDir();
  const store = await openDemoStore(dataDir);
  await store.setOperatorTokenHashIfAbsent(sha256Hex(OPERATOR_TOKEN));
  const clock = { offsetMs: 0 };
  const now = () => Date.now() + clock.offsetMs;
  const app = buildCentralServer({ store, now, dataDir, limits });
  cleanups.push(async () => {
    await app.close();
    await store.close();
  });
  let listening: string | null = null;
  return {
    app,
    store,
    clock,
    now,
    dataDir,
    url: async () => {
      if (listening === null) {
        await app.listen({ host: '127.0.0.1', port: 0 });
        listening = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
      }
      return listening;
    },
  };
}

async function enrol(central: Central, target: EnrolTarget, device = new TestDevice()): Promise<TestDevice> {
  const { code } = await issueEnrolCode(central.store, { target, ttlMinutes: 60, now: central.now() });
  const res = await central.app.inject({ method: 'POST', url: CENTRAL_PATHS.enrol, payload: device.enrolRequest(code, target.kind) });
  expect(res.statusCode).toBe(201);
  device.deviceId = enrolResponseSchema.parse(res.json()).deviceId;
  return device;
}

function errorOf(res: { json(): unknown }): { code: string; message: string; details?: Record<string, unknown> } {
  return (res.json() as { error: { code: string; message: string; details?: Record<string, unknown> } }).error;
}

const WRONG_CODE = 'ABCD-EFGH';

function wrongEnrol(central: Central, remoteAddress = '10.0.0.9'): Promise<LightMyRequestResponse> {
  return central.app.inject({
    method: 'POST',
    url: CENTRAL_PATHS.enrol,
    remoteAddress,
    payload: new TestDevice().enrolRequest(WRONG_CODE, 'booth'),
  });
}

/** Raw HTTP over TCP: what a hostile client sends, byte by byte. */
function rawSocket(url: string): Promise<{ socket: Socket; write: (text: string) => void; received: () => string; closed: Promise<void> }> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1');
    let received = '';
    socket.on('data', (chunk) => (received += chunk.toString('latin1')));
    socket.on('error', () => {});
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    cleanups.push(() => void socket.destroy());
    socket.once('connect', () => resolve({ socket, write: (text) => void socket.write(text), received: () => received, closed }));
    socket.once('error', reject);
  });
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('enrolment codes cannot be guessed', () => {
  const policy = (over: Partial<ServerLimits['enrolThrottle']>): Partial<ServerLimits> => ({
    enrolThrottle: { ...DEFAULT_SERVER_LIMITS.enrolThrottle, ...over },
  });

  it('locks a guessing address out with 429 RATE_LIMITED and Retry-After, alerts once, and lets it try again later', async () => {
    const central = await startCentral(policy({ maxFailures: 3, windowMs: 60_000, lockoutMs: 60_000, maxLockoutMs: 600_000 }));
    for (let i = 0; i < 3; i++) expect(errorOf(await wrongEnrol(central)).code).toBe('ENROL_CODE_INVALID');

    const locked = await wrongEnrol(central);
    expect(locked.statusCode).toBe(429);
    expect(locked.headers['retry-after']).toBe('60');
    expect(errorOf(locked)).toMatchObject({ code: 'RATE_LIMITED', details: { endpoint: 'enrol', scope: 'source', retryAfterSeconds: 60 } });

    // Even a right code is refused from that address while it is locked out; another address enrols.
    const { code } = await issueEnrolCode(central.store, { target: { kind: 'booth', boothId: 'room-3-A1' }, ttlMinutes: 60, now: central.now() });
    const right = { method: 'POST' as const, url: CENTRAL_PATHS.enrol, payload: new TestDevice().enrolRequest(code, 'booth') };
    expect((await central.app.inject({ ...right, remoteAddress: '10.0.0.9' })).statusCode).toBe(429);
    expect((await central.app.inject({ ...right, remoteAddress: '10.0.0.10' })).statusCode).toBe(201);

    const alerts = await central.store.listAlerts();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ kind: 'security.throttled', deviceId: null, detail: { endpoint: 'enrol', scope: 'source', source: '10.0.0.9', failures: 3 } });

    central.clock.offsetMs += 61_000;
    expect(errorOf(await wrongEnrol(central)).code).toBe('ENROL_CODE_INVALID');
    // The second lockout of the same address lasts twice as long.
    for (let i = 0; i < 2; i++) await wrongEnrol(central);
    expect((await wrongEnrol(central)).headers['retry-after']).toBe('120');
  });

  it('locks everyone out when many addresses guess together, and alerts', async () => {
    const central = await startCentral(
      policy({ maxFailures: 100, global: { maxFailures: 5, windowMs: 60_000, lockoutMs: 30_000 } }),
    );
    for (let i = 0; i < 5; i++) expect((await wrongEnrol(central, `10.0.1.${i}`)).statusCode).toBe(404);
    const fresh = await wrongEnrol(central, '10.0.2.1');
    expect([fresh.statusCode, errorOf(fresh).details?.['scope']]).toEqual([429, 'global']);
    expect((await central.store.listAlerts()).map((a) => a.detail['scope'])).toEqual(['global']);
  });

  it('throttles wrong operator tokens the same way', async () => {
    const central = await startCentral({ operatorThrottle: { ...DEFAULT_SERVER_LIMITS.operatorThrottle, maxFailures: 2 } });
    const get = (token: string) => central.app.inject({ method: 'GET', url: CENTRAL_PATHS.adminDevices, headers: operatorHeaders(token), remoteAddress: '10.0.0.7' });
    expect((await get('wrong-1')).statusCode).toBe(401);
    expect((await get('wrong-2')).statusCode).toBe(401);
    expect((await get(OPERATOR_TOKEN)).statusCode).toBe(429);
    expect((await central.store.listAlerts())[0]).toMatchObject({ kind: 'security.throttled', detail: { endpoint: 'operator' } });
  });
});

describe('a stranger’s body is neither read nor parsed', () => {
  /** Sends only the headers of a request announcing `length` bytes; resolves with the answer's status line. */
  async function headersOnly(url: string, lines: string[]): Promise<string> {
    const socket = await rawSocket(url);
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    await until(() => socket.received().includes('\r\n\r\n'));
    return socket.received().split('\r\n')[0]!;
  }

  it('refuses an unknown device’s 8 MiB push from its headers, before the body arrives', async () => {
    const central = await startCentral();
    const status = await headersOnly(await central.url(), [
      `POST ${SYNC_PATHS.push} HTTP/1.1`,
      'Host: central',
      'Content-Type: application/json',
      `Content-Length: ${8 * 1024 * 1024}`,
      'X-Kawei-Device: dev-nobody',
      `X-Kawei-Timestamp: ${Date.now()}`,
      'X-Kawei-Nonce: nonce-nonce-nonce-nonce',
      'X-Kawei-Signature: AAAA',
    ]);
    expect(status).toBe('HTTP/1.1 401 Unauthorized');
  });

  it('lets a revoked device send only a small body, and refuses operator routes without a token before their body', async () => {
    const central = await startCentral();
    const booth = await enrol(central, { kind: 'booth', boothId: 'room-3-A1' });
    await central.store.revokeDevice(booth.deviceId, central.now());
    const signed = booth.signedRequest({ method: 'POST', url: SYNC_PATHS.push, body: '{}' });
    const url = await central.url();
    const headerLines = Object.entries(signed.headers).filter(([name]) => name !== 'content-type').map(([name, value]) => `${name}: ${value}`);
    const revoked = await headersOnly(url, [`POST ${SYNC_PATHS.push} HTTP/1.1`, 'Host: central', 'Content-Type: application/json', `Content-Length: ${1024 * 1024}`, ...headerLines]);
    expect(revoked).toBe('HTTP/1.1 413 Payload Too Large');

    const admin = await headersOnly(url, [`POST ${CENTRAL_PATHS.adminSites} HTTP/1.1`, 'Host: central', 'Content-Type: application/json', 'Content-Length: 60000']);
    expect(admin).toBe('HTTP/1.1 401 Unauthorized');

    const enrolBody = await headersOnly(url, [`POST ${CENTRAL_PATHS.enrol} HTTP/1.1`, 'Host: central', 'Content-Type: application/json', `Content-Length: ${32 * 1024}`]);
    expect(enrolBody).toBe('HTTP/1.1 413 Payload Too Large');
  });
});

describe('connections cannot be held open', () => {
  it('closes a connection whose headers never finish (slowloris)', async () => {
    const central = await startCentral({ headersTimeoutMs: 300, connectionsCheckingIntervalMs: 50 });
    const socket = await rawSocket(await central.url());
    socket.write('GET /api/health HTTP/1.1\r\nHost: central\r\nX-Slow: ');
    const drip = setInterval(() => socket.write('a'), 50);
    cleanups.push(() => clearInterval(drip));
    await socket.closed;
    expect(socket.received()).toMatch(/^HTTP\/1\.1 408/);
  });

  it('sets the Node server’s timeouts and connection cap', async () => {
    const central = await startCentral();
    const server = central.app.server as typeof central.app.server & { connectionsCheckingInterval: number };
    expect([server.headersTimeout, server.requestTimeout, server.keepAliveTimeout, server.maxRequestsPerSocket, server.maxConnections]).toEqual([
      DEFAULT_SERVER_LIMITS.headersTimeoutMs,
      DEFAULT_SERVER_LIMITS.requestTimeoutMs,
      DEFAULT_SERVER_LIMITS.keepAliveTimeoutMs,
      DEFAULT_SERVER_LIMITS.maxRequestsPerSocket,
      DEFAULT_SERVER_LIMITS.maxConnections,
    ]);
    expect(server.timeout).toBe(DEFAULT_SERVER_LIMITS.connectionTimeoutMs);
  });

  it('closes at once although clients hold silent and keep-alive connections open', async () => {
    const central = await startCentral();
    const url = await central.url();
    // What undici leaves behind: a spare connection that never sent a byte…
    const silent = await rawSocket(url);
    // …and a keep-alive connection that has been answered and stays open.
    const kept = await rawSocket(url);
    kept.write('GET /api/health HTTP/1.1\r\nHost: central\r\nConnection: keep-alive\r\n\r\n');
    await until(() => kept.received().includes('"ok":true'));
    // Without the drain, close waited for the clients to give up (forever, for these two).
    await central.app.close();
    await Promise.all([silent.closed, kept.closed]);
  });
});

describe('streams and long polls per device', () => {
  it('answers a device’s older long poll when it starts one more than allowed', async () => {
    const central = await startCentral({ longPollsPerDevice: 1 });
    const booth = await enrol(central, { kind: 'booth', boothId: 'room-3-A1' });
    const poll = () => central.app.inject(booth.signedRequest({ method: 'GET', url: `${SYNC_PATHS.pull}?cursor=0&waitMs=30000` }));
    const first = poll();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const second = poll();
    const answered = await first;
    expect([answered.statusCode, answered.json()]).toEqual([200, { messages: [], cursor: 0 }]);
    await central.app.close();
    expect((await second).statusCode).toBe(200);
  });

  it('refuses new waits with 429 when the server holds its maximum', async () => {
    const central = await startCentral({ maxWaiters: 1 });
    const a = await enrol(central, { kind: 'booth', boothId: 'room-3-A1' });
    const b = await enrol(central, { kind: 'booth', boothId: 'room-3-A2' });
    const waiting = central.app.inject(a.signedRequest({ method: 'GET', url: `${SYNC_PATHS.pull}?cursor=0&waitMs=30000` }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const refused = await central.app.inject(b.signedRequest({ method: 'GET', url: `${SYNC_PATHS.pull}?cursor=0&waitMs=30000` }));
    expect([refused.statusCode, errorOf(refused).code, refused.headers['retry-after']]).toEqual([429, 'RATE_LIMITED', '5']);
    // A poll that need not wait is still answered.
    expect((await central.app.inject(b.signedRequest({ method: 'GET', url: `${SYNC_PATHS.pull}?cursor=0` }))).statusCode).toBe(200);
    await central.app.close();
    expect((await waiting).statusCode).toBe(200);
  });

  it('replaces a device’s stream by its newer one', async () => {
    const central = await startCentral();
    const booth = await enrol(central, { kind: 'booth', boothId: 'room-3-A1' });
    const url = (await central.url()).replace(/^http/, 'ws');
    const open = async () => {
      const signed = booth.signedRequest({ method: 'GET', url: `${SYNC_PATHS.stream}?cursor=0` });
      const ws = new WebSocket(url + signed.url, { headers: signed.headers });
      cleanups.push(() => ws.terminate());
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      return ws;
    };
    const older = await open();
    const closed = new Promise<number>((resolve) => older.once('close', (code) => resolve(code)));
    const newer = await open();
    expect(await closed).toBe(STREAM_REPLACED_CLOSE_CODE);
    expect(newer.readyState).toBe(WebSocket.OPEN);
  });
});

describe('hostile JSON', () => {
  it('refuses a 20,000-deep body with 400 BAD_INPUT, signed or not', async () => {
    const central = await startCentral();
    const booth = await enrol(central, { kind: 'booth', boothId: 'room-3-A1' });
    const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
    const pushed = await central.app.inject(booth.signedRequest({ method: 'POST', url: SYNC_PATHS.push, body: `{"sentAt":1,"events":${deep}}` }));
    expect([pushed.statusCode, errorOf(pushed).code]).toEqual([400, 'BAD_INPUT']);
    expect(errorOf(pushed).message).toMatch(/nests 20001 levels deep; at most 100/);

    // The same depth inside an event's payload once overflowed the stack of the checks after the parser (500).
    const [event] = new EventChain(booth.deviceId, booth.privateKey).append(1, () => ({ payload: { PAYLOAD: 1 } }));
    const deepPayload = JSON.stringify(pushRequest([event!])).replace('{"PAYLOAD":1}', `${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`);
    const inPayload = await central.app.inject(booth.signedRequest({ method: 'POST', url: SYNC_PATHS.push, body: deepPayload }));
    expect([inPayload.statusCode, errorOf(inPayload).code]).toEqual([400, 'BAD_INPUT']);

    const nested = `${'{"a":'.repeat(2000)}1${'}'.repeat(2000)}`;
    const enrolled = await central.app.inject({ method: 'POST', url: CENTRAL_PATHS.enrol, headers: { 'content-type': 'application/json' }, payload: nested });
    expect([enrolled.statusCode, errorOf(enrolled).code]).toEqual([400, 'BAD_INPUT']);
  });

  it('refuses an event with a __proto__ key clearly, and the device’s following events still sync', async () => {
    const central = await startCentral();
    const booth = await enrol(central, { kind: 'booth', boothId: 'room-3-A1' });
    const chain = new EventChain(booth.deviceId, booth.privateKey);
    const push = (body: string) => central.app.inject(booth.signedRequest({ method: 'POST', url: SYNC_PATHS.push, body }));
    expect((await push(JSON.stringify(pushRequest(chain.append(2))))).statusCode).toBe(200);

    // A device cannot seal such an event any more: it is refused when made, never enters its log.
    expect(() => chain.append(1, () => ({ payload: JSON.parse('{"__proto__":{"isAdmin":true}}') }))).toThrow(/__proto__/);
    expect(chain.head.seq).toBe(2);

    // One sealed before the fix (its hash covers the key) is refused at the central with BAD_INPUT:
    // no SYNC_EVENT_FORGED, no alert, nothing stored.
    const poisoned = sealedWithRawPayload(chain, '{"__proto__":{"isAdmin":true},"n":3}', booth);
    const refused = await push(JSON.stringify(pushRequest([{ ...poisoned, payload: { PAYLOAD: 1 } }])).replace('{"PAYLOAD":1}', '{"__proto__":{"isAdmin":true},"n":3}'));
    expect([refused.statusCode, errorOf(refused).code]).toEqual([400, 'BAD_INPUT']);
    expect(errorOf(refused).message).toMatch(/events\[0\]\.payload\.__proto__/);
    expect(await central.store.listAlerts()).toEqual([]);

    // constructor.prototype is refused alike.
    const ctor = await push(JSON.stringify(pushRequest([{ ...poisoned, payload: { PAYLOAD: 1 } }])).replace('{"PAYLOAD":1}', '{"constructor":{"prototype":{"x":1}}}'));
    expect(errorOf(ctor).code).toBe('BAD_INPUT');

    const next = await push(JSON.stringify(pushRequest(chain.append(2))));
    expect([next.statusCode, next.json()]).toMatchObject([200, { ackedSeq: 4, stored: 2 }]);
  });
});

/** An event sealed over a payload given as raw JSON text: what a device could make before canonical JSON refused __proto__. */
function sealedWithRawPayload(chain: EventChain, rawPayload: string, device: TestDevice): SyncEvent {
  const template = chain.fork(chain.head.seq).append(1, () => ({ payload: { PAYLOAD: 1 } }))[0]!;
  const text = canonicalJson(hashedPart(template)).replace('{"PAYLOAD":1}', rawPayload);
  const hash = createHash('sha256').update(text).digest('hex');
  return { ...template, hash, signature: signText(device.privateKey, hash) };
}

describe('device-supplied text', () => {
  it('refuses control characters in hostname and app version at enrolment', async () => {
    const central = await startCentral();
    for (const overrides of [{ hostname: 'booth\u001b[2J\u001b[31mPWNED' }, { hostname: 'a\nFAKE LOG LINE' }, { appVersion: '1.0\u202e' }]) {
      const { code } = await issueEnrolCode(central.store, { target: { kind: 'booth', boothId: 'room-3-A1' }, ttlMinutes: 60, now: central.now() });
      const res = await central.app.inject({ method: 'POST', url: CENTRAL_PATHS.enrol, payload: new TestDevice().enrolRequest(code, 'booth', overrides) });
      expect([res.statusCode, errorOf(res).code]).toEqual([400, 'BAD_INPUT']);
      expect(errorOf(res).message).toMatch(/control characters/);
    }
    expect(await central.store.listDevices()).toEqual([]);
  });

  it('escapes control characters for the terminal and keeps the rest', () => {
    expect(terminalSafe('booth\u001b[2J 甲\r\n\u202e')).toBe('booth\\x1b[2J 甲\\x0d\\x0a\\u202e');
  });
});

describe('the file route', () => {
  it('answers "not yours" exactly like "no such file"', async () => {
    const central = await startCentral();
    const seated = await enrol(central, { kind: 'booth', boothId: 'room-3-A1' });
    const other = await enrol(central, { kind: 'booth', boothId: 'room-3-A2' });
    const gate = await enrol(central, { kind: 'gate', gateId: 'gate-entrance' });
    const bytes = Buffer.from('%PDF-1.4 tender');
    const hash = sha256Hex(bytes);
    storeFile(central.dataDir, hash, bytes);
    writeGrant(central.dataDir, {
      date: '2026-11-22',
      project: 'P-1',
      booths: ['room-3-A1'],
      files: [{ sha256: hash, bytes: bytes.length, bidder: 'A', title: 't' }],
      publishedAt: 1,
    });
    const get = (device: TestDevice, sha: string) => central.app.inject(device.signedRequest({ method: 'GET', url: BOOTH_FILE_PATH.replace(':sha256', sha) }));
    expect((await get(seated, hash)).statusCode).toBe(200);

    const unknownHash = 'e3'.repeat(32);
    const unknownAnswer = await get(other, unknownHash);
    const answers = [await get(other, hash), await get(gate, hash)];
    for (const answer of answers) {
      expect(answer.statusCode).toBe(unknownAnswer.statusCode);
      expect(answer.body.replace(hash, unknownHash)).toBe(unknownAnswer.body);
    }
    expect(errorOf(unknownAnswer)).toEqual({ code: 'NOT_FOUND', message: `no file ${unknownHash} for this device` });
  });
});
