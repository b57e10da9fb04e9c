import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { WebSocket } from 'ws';
import type { EnrolResponse } from '@kawei/shared/api/central-http.ts';
import { DEVICE_AUTH_HEADERS, centralResponseMessage } from '@kawei/shared/api/device-auth.ts';
import { publicKeyFromBase64, verifyText } from '@kawei/shared/crypto/ed25519.node.ts';
import { sha256Hex } from '@kawei/shared/crypto/hash.node.ts';
import { canonicalJson } from '@kawei/shared/sync/canonical-json.ts';
import { eventHash, genesisHash } from '@kawei/shared/sync/event-chain.node.ts';
import { MAX_EVENT_PAYLOAD_BYTES, MAX_PUSH_BODY_BYTES, type SyncEvent } from '@kawei/shared/sync/sync-event.ts';
import {
  MAX_PULL_WAIT_MS,
  downstreamMessageSchema,
  headResponseSchema,
  pullResponseSchema,
  pushResponseSchema,
  streamFrameSchema,
  SYNC_ADMIN_PATHS,
  SYNC_PATHS,
  type DownstreamMessage,
  type StreamFrame,
} from '@kawei/shared/sync/sync-http.ts';
import { MessageHub } from '../src/sync/message-hub.node.ts';
import { runCli } from './cli-process.ts';
import { TestDevice, isCentralSignature } from './device-signer.ts';
import { EventChain, pushRequest, resealed, tampered } from './event-chain-builder.ts';
import { enrolOverHttp, operatorHeaders, startTestCentral, type TestCentral } from './server-fixtures.ts';
import { useTempDir } from './temp-dir.ts';

const tempDir = useTempDir();
let central: TestCentral;
let dataDir: string;
let hub: MessageHub;
const openSockets: WebSocket[] = [];
afterEach(async () => {
  for (const ws of openSockets.splice(0)) ws.terminate();
  await central.close();
});

interface Booth {
  device: TestDevice;
  enrolment: EnrolResponse;
  chain: EventChain;
}

/** A central (with a fast-polling message hub) and one enrolled booth with an empty event log. */
async function startWithBooth(options: { pollMs?: number; streamPingMs?: number } = {}): Promise<Booth> {
  dataDir = tempDir();
  hub = new MessageHub(options.pollMs ?? 1000);
  central = await startTestCentral(dataDir, undefined, { messageHub: hub, streamPingMs: options.streamPingMs });
  return enrolBooth('room-3-A1');
}

async function enrolBooth(boothId: string): Promise<Booth> {
  const device = new TestDevice();
  const enrolment = await enrolOverHttp(central, device, { kind: 'booth', boothId });
  return { device, enrolment, chain: new EventChain(device.deviceId, device.privateKey) };
}

function pushBody(events: readonly SyncEvent[], sentAt = Date.now()): string {
  return JSON.stringify(pushRequest(events, sentAt));
}

async function push(booth: Booth, body: string): Promise<LightMyRequestResponse & { nonce: string }> {
  const request = booth.device.signedRequest({ method: 'POST', url: SYNC_PATHS.push, body });
  const res = await central.app.inject(request);
  expectSignedByCentral(booth, res, request.nonce);
  return Object.assign(res, { nonce: request.nonce });
}

async function signedGet(booth: Booth, url: string): Promise<LightMyRequestResponse> {
  const request = booth.device.signedRequest({ method: 'GET', url });
  const res = await central.app.inject(request);
  expectSignedByCentral(booth, res, request.nonce);
  return res;
}

function expectSignedByCentral(booth: Booth, res: LightMyRequestResponse, nonce: string): void {
  const signature = res.headers[DEVICE_AUTH_HEADERS.centralSignature];
  expect(
    isCentralSignature(booth.enrolment.centralPublicKey, {
      nonce,
      status: res.statusCode,
      body: res.body,
      signature: typeof signature === 'string' ? signature : undefined,
    }),
  ).toBe(true);
}

function errorOf(res: { json(): unknown }): { code: string; message: string; details?: unknown } {
  return (res.json() as { error: { code: string; message: string; details?: unknown } }).error;
}

/** What a refusal must leave untouched: the head, the stored events. */
async function storeState(deviceId: string) {
  return {
    head: await central.store.getDeviceHead(deviceId),
    count: await central.store.countEvents(deviceId),
    hashes: (await central.store.listEvents(deviceId, 1, 10_000)).map((e) => e.hash),
  };
}

async function createMessage(deviceId: string | null, text: string): Promise<DownstreamMessage> {
  const res = await central.app.inject({
    method: 'POST',
    url: SYNC_ADMIN_PATHS.messages,
    headers: operatorHeaders(),
    payload: { deviceId, type: 'notice.text', payload: { text } },
  });
  expect(res.statusCode).toBe(201);
  return downstreamMessageSchema.parse(res.json());
}

describe('POST /api/sync/push', () => {
  it('stores a batch, acknowledges it with the central signature and keeps events whose hash recomputes', async () => {
    const booth = await startWithBooth();
    const events = booth.chain.append(5);
    const res = await push(booth, pushBody(events));
    expect(res.statusCode).toBe(200);
    expect(pushResponseSchema.parse(res.json())).toEqual({ ackedSeq: 5, ackedHash: events[4]!.hash, stored: 5, duplicates: 0 });
    const stored = await central.store.listEvents(booth.device.deviceId, 1, 100);
    expect(stored.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    for (const event of stored) expect(eventHash(event)).toBe(event.hash);
    expect(await central.store.listAlerts()).toEqual([]);
  });

  it('accepts a full batch of 500 events, far over the 64 KiB limit of other routes', async () => {
    const booth = await startWithBooth();
    const body = pushBody(booth.chain.append(500));
    expect(body.length).toBeGreaterThan(64 * 1024);
    const res = await push(booth, body);
    expect([res.statusCode, res.json()]).toEqual([200, expect.objectContaining({ ackedSeq: 500, stored: 500 })]);
  });

  it('acknowledges a batch re-sent after a lost answer as duplicates, and an overlapping one in part', async () => {
    const booth = await startWithBooth();
    const events = booth.chain.append(5);
    expect((await push(booth, pushBody(events))).statusCode).toBe(200); // the answer is "lost"
    const again = await push(booth, pushBody(events)); // same events, a new request
    expect([again.statusCode, again.json()]).toEqual([200, { ackedSeq: 5, ackedHash: events[4]!.hash, stored: 0, duplicates: 5 }]);
    booth.chain.append(3);
    const overlap = await push(booth, pushBody(booth.chain.range(4, 8)));
    expect(overlap.json()).toEqual({ ackedSeq: 8, ackedHash: booth.chain.head.hash, stored: 3, duplicates: 2 });
    expect(await central.store.countEvents(booth.device.deviceId)).toBe(8);
  });

  it('refuses a gap with 409 SYNC_GAP and where to resend from, changing nothing and raising no alert', async () => {
    const booth = await startWithBooth();
    booth.chain.append(7);
    await push(booth, pushBody(booth.chain.range(1, 3)));
    const before = await storeState(booth.device.deviceId);
    const res = await push(booth, pushBody(booth.chain.range(6, 7)));
    expect(res.statusCode).toBe(409);
    expect(errorOf(res)).toMatchObject({ code: 'SYNC_GAP', details: { expectedSeq: 4, ackedSeq: 3 } });
    expect(await storeState(booth.device.deviceId)).toEqual(before);
    expect(await central.store.listAlerts()).toEqual([]);
  });

  it('records the clock skew of each batch with its events', async () => {
    const booth = await startWithBooth();
    central.clock.offsetMs = 90_000; // the device's clock is 90 s behind the central's
    const sentAt = Date.now();
    await push(booth, pushBody(booth.chain.append(2), sentAt));
    const stored = await central.store.listEvents(booth.device.deviceId, 1, 10);
    for (const event of stored) {
      expect(event.clockSkewMs).toBeGreaterThanOrEqual(90_000);
      expect(event.receivedAt - event.clockSkewMs).toBe(sentAt);
    }
  });

  describe('refuses bad input clearly and changes nothing', () => {
    /**
     * Stores events 1..3 first, then sends `bad` (built from the booth's chain) and checks the answer,
     * that head and events are unchanged, and that a 422 raised exactly one alert of `alertKind`.
     */
    async function expectRefusal(
      bad: (booth: Booth) => string | Promise<string>,
      expected: { status: number; code: string; alertKind?: string; seq?: number; reason?: string },
    ) {
      const booth = await startWithBooth();
      await push(booth, pushBody(booth.chain.append(3)));
      const before = await storeState(booth.device.deviceId);
      const res = await push(booth, await bad(booth));
      expect([res.statusCode, errorOf(res).code]).toEqual([expected.status, expected.code]);
      expect(await storeState(booth.device.deviceId)).toEqual(before);
      const alerts = await central.store.listAlerts();
      if (expected.alertKind === undefined) {
        expect(alerts).toEqual([]);
        return res;
      }
      expect(alerts).toHaveLength(1);
      expect(alerts[0]).toMatchObject({ deviceId: booth.device.deviceId, kind: expected.alertKind });
      expect(alerts[0]!.detail).toMatchObject({ seq: expected.seq, reason: expected.reason });
      expect(errorOf(res).details).toEqual({ seq: expected.seq, reason: expected.reason });
      return res;
    }

    it('a forged signature: 422 SYNC_EVENT_FORGED', async () => {
      const impostor = new TestDevice();
      await expectRefusal(
        (b) => {
          const [e4, e5] = b.chain.append(2);
          return pushBody([e4!, resealed(e5!, {}, impostor.privateKey)]);
        },
        { status: 422, code: 'SYNC_EVENT_FORGED', alertKind: 'sync.event_forged', seq: 5, reason: 'bad-signature' },
      );
    });

    it('a payload tampered with after signing: 422 SYNC_EVENT_FORGED', async () => {
      await expectRefusal(
        (b) => pushBody([tampered(b.chain.append(1)[0]!, { payload: { score: 100 } })]),
        { status: 422, code: 'SYNC_EVENT_FORGED', alertKind: 'sync.event_forged', seq: 4, reason: 'hash-mismatch' },
      );
    });

    it('an event of another device, even correctly signed by it: 422 SYNC_EVENT_FORGED', async () => {
      await expectRefusal(
        async () => {
          const other = await enrolBooth('room-3-A2');
          other.chain.append(4);
          return pushBody(other.chain.range(4, 4));
        },
        { status: 422, code: 'SYNC_EVENT_FORGED', alertKind: 'sync.event_forged', seq: 4, reason: 'wrong-device' },
      );
    });

    it('an event with a payload over the limit: 422 SYNC_EVENT_FORGED', async () => {
      await expectRefusal(
        (b) => {
          const event = b.chain.append(1)[0]!;
          return pushBody([resealed(event, { payload: { blob: 'x'.repeat(MAX_EVENT_PAYLOAD_BYTES) } }, b.device.privateKey)]);
        },
        { status: 422, code: 'SYNC_EVENT_FORGED', alertKind: 'sync.event_forged', seq: 4, reason: 'payload-too-large' },
      );
    });

    it('a chain broken inside the batch: 422 SYNC_CHAIN_BROKEN', async () => {
      await expectRefusal(
        (b) => {
          const [e4, e5, e6] = b.chain.append(3);
          return pushBody([e4!, e5!, resealed(e6!, { prevHash: e4!.hash }, b.device.privateKey)]);
        },
        { status: 422, code: 'SYNC_CHAIN_BROKEN', alertKind: 'sync.chain_broken', seq: 6, reason: 'prev-hash-differs-within-batch' },
      );
    });

    it('a batch that does not link to the stored head: 422 SYNC_CHAIN_BROKEN', async () => {
      await expectRefusal(
        (b) => {
          const other = b.chain.fork(2);
          other.append(3); // 3', 4', 5': validly sealed, but 4' follows 3', not the stored 3
          return pushBody(other.range(4, 5));
        },
        { status: 422, code: 'SYNC_CHAIN_BROKEN', alertKind: 'sync.chain_broken', seq: 4, reason: 'prev-hash-differs-from-stored-head' },
      );
    });

    it('a different event under a stored seq: 422 SYNC_SEQ_CONFLICT', async () => {
      await expectRefusal(
        (b) => {
          const other = b.chain.fork(1);
          other.append(4, (seq) => ({ payload: { rewritten: seq } }));
          return pushBody(other.range(1, 5));
        },
        { status: 422, code: 'SYNC_SEQ_CONFLICT', alertKind: 'sync.seq_conflict', seq: 2, reason: 'differs-from-stored-event' },
      );
    });

    it('an out-of-order batch: 400 BAD_INPUT', async () => {
      const res = await expectRefusal(
        (b) => {
          const [e4, e5, e6] = b.chain.append(3);
          return pushBody([e4!, e6!, e5!]);
        },
        { status: 400, code: 'BAD_INPUT' },
      );
      expect(errorOf(res).details).toEqual({ seq: 6, expectedSeq: 5 });
    });

    it('malformed JSON: 400 BAD_INPUT', async () => {
      await expectRefusal((b) => pushBody(b.chain.append(1)).slice(0, -10), { status: 400, code: 'BAD_INPUT' });
    });

    it('a body that is not a push request: 400 BAD_INPUT', async () => {
      await expectRefusal(() => JSON.stringify({ sentAt: 1, events: [] }), { status: 400, code: 'BAD_INPUT' });
      expect(errorOf(await push(await enrolBooth('room-3-B1'), JSON.stringify({ events: 'x' }))).message).toMatch(/^sync push: /);
    });

    it(`a body over ${MAX_PUSH_BODY_BYTES / 1024 / 1024} MiB: 413 BAD_INPUT`, async () => {
      await expectRefusal(
        (b) => JSON.stringify({ sentAt: 1, events: b.chain.append(1), padding: 'x'.repeat(MAX_PUSH_BODY_BYTES) }),
        { status: 413, code: 'BAD_INPUT' },
      );
    });
  });

  it('refuses the same signed request played again (REQUEST_REPLAYED) and changes nothing', async () => {
    const booth = await startWithBooth();
    const request = booth.device.signedRequest({ method: 'POST', url: SYNC_PATHS.push, body: pushBody(booth.chain.append(3)) });
    expect((await central.app.inject(request)).statusCode).toBe(200);
    const before = await storeState(booth.device.deviceId);
    booth.chain.append(1);
    const replayed = await central.app.inject(request);
    expect([replayed.statusCode, errorOf(replayed).code]).toEqual([401, 'REQUEST_REPLAYED']);
    expect(await storeState(booth.device.deviceId)).toEqual(before);
  });

  it('refuses a request without device authentication, and keeps the 64 KiB limit on other routes', async () => {
    const booth = await startWithBooth();
    const body = pushBody(booth.chain.append(1));
    const anonymous = await central.app.inject({ method: 'POST', url: SYNC_PATHS.push, headers: { 'content-type': 'application/json' }, payload: body });
    expect([anonymous.statusCode, errorOf(anonymous).code]).toEqual([401, 'UNAUTHORIZED']);
    expect(await central.store.countEvents(booth.device.deviceId)).toBe(0);

    const big = await central.app.inject({
      method: 'POST',
      url: SYNC_ADMIN_PATHS.messages,
      headers: operatorHeaders(),
      payload: { deviceId: null, type: 'notice.text', payload: { text: 'x'.repeat(70 * 1024) } },
    });
    expect([big.statusCode, errorOf(big).code]).toEqual([413, 'BAD_INPUT']);
  });
});

describe('GET /api/sync/head', () => {
  it('tells a device where to resume: genesis before its first event, then its last stored event', async () => {
    const booth = await startWithBooth();
    const empty = await signedGet(booth, SYNC_PATHS.head);
    expect(headResponseSchema.parse(empty.json())).toEqual({ ackedSeq: 0, ackedHash: genesisHash(booth.device.deviceId) });
    await push(booth, pushBody(booth.chain.append(4)));
    expect((await signedGet(booth, SYNC_PATHS.head)).json()).toEqual({ ackedSeq: 4, ackedHash: booth.chain.head.hash });
  });
});

describe('operator: messages and alerts', () => {
  it('signs each message over its canonical body with the central key, for one device or all', async () => {
    const booth = await startWithBooth();
    const message = await createMessage(booth.device.deviceId, '请到 3 号评标室');
    const { cursor: _cursor, signature, ...body } = message;
    const key = publicKeyFromBase64(booth.enrolment.centralPublicKey)!;
    expect(verifyText(key, canonicalJson(body), signature)).toBe(true);
    expect((await createMessage(null, 'to all')).deviceId).toBeNull();

    const unknown = await central.app.inject({
      method: 'POST',
      url: SYNC_ADMIN_PATHS.messages,
      headers: operatorHeaders(),
      payload: { deviceId: 'dev-nobody', type: 'notice.text', payload: { text: 'x' } },
    });
    expect([unknown.statusCode, errorOf(unknown).code]).toEqual([404, 'NOT_FOUND']);
    const anonymous = await central.app.inject({ method: 'POST', url: SYNC_ADMIN_PATHS.messages, payload: { deviceId: null, type: 'a.b', payload: {} } });
    expect(anonymous.statusCode).toBe(401);
  });

  it('lists alerts newest first, for one device on request', async () => {
    const booth = await startWithBooth();
    const forged = tampered(booth.chain.append(1)[0]!, { payload: { changed: true } });
    await push(booth, pushBody([forged]));
    const res = await central.app.inject({ method: 'GET', url: SYNC_ADMIN_PATHS.alerts, headers: operatorHeaders() });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      alerts: [
        {
          id: expect.any(Number),
          deviceId: booth.device.deviceId,
          kind: 'sync.event_forged',
          detail: expect.objectContaining({ seq: 1, reason: 'hash-mismatch', eventId: forged.id }),
          createdAt: expect.any(Number),
        },
      ],
    });
    const other = await central.app.inject({ method: 'GET', url: `${SYNC_ADMIN_PATHS.alerts}?deviceId=dev-other`, headers: operatorHeaders() });
    expect(other.json()).toEqual({ alerts: [] });
    expect((await central.app.inject({ method: 'GET', url: SYNC_ADMIN_PATHS.alerts })).statusCode).toBe(401);
  });
});

describe('GET /api/sync/pull (long poll)', () => {
  it('returns the backlog after the cursor at once: own messages and broadcasts, not other devices’', async () => {
    const booth = await startWithBooth();
    const other = await enrolBooth('room-3-A2');
    const m1 = await createMessage(booth.device.deviceId, 'one');
    await createMessage(other.device.deviceId, 'not for this booth');
    const m3 = await createMessage(null, 'everyone');
    const all = pullResponseSchema.parse((await signedGet(booth, `${SYNC_PATHS.pull}?cursor=0&waitMs=5000`)).json());
    expect(all).toEqual({ messages: [m1, m3], cursor: m3.cursor });
    const after = (await signedGet(booth, `${SYNC_PATHS.pull}?cursor=${m1.cursor}`)).json();
    expect(after).toEqual({ messages: [m3], cursor: m3.cursor });
  });

  it('waits for a message and answers as soon as one is created', async () => {
    // Only the in-process wake-up can answer with the message: the store poll and the wait's end are
    // both far away, and a poll that ran out would answer with no messages.
    const booth = await startWithBooth({ pollMs: 60_000 });
    const polling = signedGet(booth, `${SYNC_PATHS.pull}?cursor=0&waitMs=${MAX_PULL_WAIT_MS}`);
    await until(() => hub.size === 1);
    await createMessage(null, 'wake up');
    const res = await polling;
    expect(res.json()).toMatchObject({ messages: [{ payload: { text: 'wake up' } }] });
    expect(hub.size).toBe(0);
  });

  it('answers with no messages and the same cursor when the wait is over', async () => {
    const booth = await startWithBooth();
    const polling = signedGet(booth, `${SYNC_PATHS.pull}?cursor=7&waitMs=300`);
    await until(() => hub.size === 1); // it waits…
    const res = await polling; // …and answers when the wait is over, with nothing new
    expect(res.json()).toEqual({ messages: [], cursor: 7 });
    expect(hub.size).toBe(0);
  });

  it('refuses a bad query with BAD_INPUT', async () => {
    const booth = await startWithBooth();
    const res = await signedGet(booth, `${SYNC_PATHS.pull}?cursor=-1&waitMs=99999999`);
    expect([res.statusCode, errorOf(res).code]).toEqual([400, 'BAD_INPUT']);
  });

  it('leaves no waiter behind when the client goes away, and answers at once when the server closes', async () => {
    const booth = await startWithBooth();
    const url = await listen();
    const request = booth.device.signedRequest({ method: 'GET', url: `${SYNC_PATHS.pull}?cursor=0&waitMs=30000` });
    const abort = new AbortController();
    const abandoned = fetch(url + request.url, { headers: request.headers, signal: abort.signal }).catch(() => 'aborted');
    await until(() => hub.size === 1);
    abort.abort();
    expect(await abandoned).toBe('aborted');
    await until(() => hub.size === 0);

    const second = booth.device.signedRequest({ method: 'GET', url: `${SYNC_PATHS.pull}?cursor=0&waitMs=30000` });
    const waiting = fetch(url + second.url, { headers: second.headers });
    await until(() => hub.size === 1);
    // Close resolves although the client (undici) keeps its connections alive: the server ends every
    // connection it is not answering on (connection-drain.node.ts; http-abuse.test.ts holds open
    // silent and keep-alive sockets to prove it). No stopwatch: a loaded machine is slow, not wrong.
    await central.app.close();
    const res = await waiting;
    expect([res.status, await res.json()]).toEqual([200, { messages: [], cursor: 0 }]);
  });
});

describe('GET /api/sync/stream (WebSocket)', () => {
  it('proves the central in the 101, sends the backlog, says live, then sends new messages as they come', async () => {
    const booth = await startWithBooth({ pollMs: 60_000 });
    const url = await listen();
    const m1 = await createMessage(booth.device.deviceId, 'backlog 1');
    const m2 = await createMessage(null, 'backlog 2');
    const stream = await openStream(booth, url, 0);
    expect(stream.centralSignatureValid).toBe(true);
    expect(await stream.next(3)).toEqual([
      { t: 'message', message: m1 },
      { t: 'message', message: m2 },
      { t: 'live', cursor: m2.cursor },
    ]);
    const live = await createMessage(booth.device.deviceId, 'live');
    await createMessage((await enrolBooth('room-3-A2')).device.deviceId, 'for another booth');
    const broadcast = await createMessage(null, 'live to all');
    expect(await stream.next(2)).toEqual([
      { t: 'message', message: live },
      { t: 'message', message: broadcast },
    ]);
  });

  it('resumes after a cursor', async () => {
    const booth = await startWithBooth();
    const url = await listen();
    const m1 = await createMessage(null, 'seen');
    const m2 = await createMessage(null, 'not yet seen');
    const stream = await openStream(booth, url, m1.cursor);
    expect(await stream.next(2)).toEqual([{ t: 'message', message: m2 }, { t: 'live', cursor: m2.cursor }]);
  });

  it('delivers a message the operator CLI appended from its own process, by polling the store', async () => {
    const booth = await startWithBooth({ pollMs: 200 });
    const url = await listen();
    const stream = await openStream(booth, url, 0);
    expect(await stream.next(1)).toEqual([{ t: 'live', cursor: 0 }]);
    const cli = await runCli(['message', '--device', booth.device.deviceId, '--type', 'notice.text', '--text', '请暂停评标', '--data', dataDir]);
    expect(cli.code).toBe(0);
    expect(cli.stdout).toContain('queued message');
    const [frame] = await stream.next(1);
    expect(frame).toMatchObject({ t: 'message', message: { deviceId: booth.device.deviceId, payload: { text: '请暂停评标' } } });
  });

  it('refuses an upgrade that is not correctly signed, with the JSON error and the central signature', async () => {
    const booth = await startWithBooth();
    const url = await listen();
    const good = booth.device.signedRequest({ method: 'GET', url: `${SYNC_PATHS.stream}?cursor=0` });
    const forged = { ...good.headers, [DEVICE_AUTH_HEADERS.signature]: good.headers[DEVICE_AUTH_HEADERS.signature]!.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) };
    const refused = await refusedUpgrade(url + `${SYNC_PATHS.stream}?cursor=0`, forged);
    expect([refused.status, JSON.parse(refused.body).error.code]).toEqual([401, 'SIGNATURE_INVALID']);
    expect(isCentralSignature(booth.enrolment.centralPublicKey, { nonce: good.nonce, status: 401, body: refused.body, signature: refused.signature })).toBe(true);

    const anonymous = await refusedUpgrade(url + SYNC_PATHS.stream, {});
    expect([anonymous.status, JSON.parse(anonymous.body).error.code]).toEqual([401, 'UNAUTHORIZED']);

    // Signed for another cursor than the one asked for: the path with its query is what is signed.
    const otherQuery = await refusedUpgrade(url + `${SYNC_PATHS.stream}?cursor=5`, good.headers);
    expect(JSON.parse(otherQuery.body).error.code).toBe('SIGNATURE_INVALID');

    const stream = await openStream(booth, url, 0, good);
    expect(stream.centralSignatureValid).toBe(true);
    const replayed = await refusedUpgrade(url + good.url, good.headers);
    expect([replayed.status, JSON.parse(replayed.body).error.code]).toEqual([401, 'REQUEST_REPLAYED']);

    const nowhere = await refusedUpgrade(url + '/api/nowhere', {});
    expect([nowhere.status, JSON.parse(nowhere.body).error.code]).toEqual([404, 'UNKNOWN_CALL']);
  });

  it('pings its peers and closes every stream when the server closes', async () => {
    const booth = await startWithBooth({ streamPingMs: 100 });
    const url = await listen();
    const stream = await openStream(booth, url, 0);
    await new Promise<void>((resolve) => stream.ws.once('ping', () => resolve()));
    const closed = new Promise<number>((resolve) => stream.ws.once('close', (code) => resolve(code)));
    await central.app.close();
    expect(await closed).toBe(1001);
    expect(hub.size).toBe(0);
  });
});

async function listen(): Promise<string> {
  await central.app.listen({ host: '127.0.0.1', port: 0 });
  return `http://127.0.0.1:${(central.app.server.address() as AddressInfo).port}`;
}

interface OpenStream {
  ws: WebSocket;
  centralSignatureValid: boolean;
  /** The next `count` frames (waits for them). */
  next(count: number): Promise<StreamFrame[]>;
}

async function openStream(
  booth: Booth,
  baseUrl: string,
  cursor: number,
  signed = booth.device.signedRequest({ method: 'GET', url: `${SYNC_PATHS.stream}?cursor=${cursor}` }),
): Promise<OpenStream> {
  const ws = new WebSocket(baseUrl.replace(/^http/, 'ws') + signed.url, { headers: signed.headers });
  openSockets.push(ws);
  const frames: StreamFrame[] = [];
  const waiters: (() => void)[] = [];
  ws.on('message', (data) => {
    frames.push(streamFrameSchema.parse(JSON.parse(String(data))));
    for (const wake of waiters.splice(0)) wake();
  });
  let centralSignatureValid = false;
  ws.once('upgrade', (res) => {
    const signature = res.headers[DEVICE_AUTH_HEADERS.centralSignature];
    const key = publicKeyFromBase64(booth.enrolment.centralPublicKey)!;
    centralSignatureValid =
      typeof signature === 'string' && verifyText(key, centralResponseMessage(signed.nonce, 101, sha256Hex('')), signature);
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return {
    ws,
    centralSignatureValid,
    async next(count) {
      const deadline = Date.now() + 10_000;
      while (frames.length < count) {
        if (Date.now() > deadline) throw new Error(`waited for ${count} frames, got ${JSON.stringify(frames)}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 200);
        });
      }
      return frames.splice(0, count);
    },
  };
}

function refusedUpgrade(url: string, headers: Record<string, string>): Promise<{ status: number; body: string; signature: string | undefined }> {
  const ws = new WebSocket(url.replace(/^http/, 'ws'), { headers });
  openSockets.push(ws);
  return new Promise((resolve, reject) => {
    ws.once('open', () => reject(new Error('the upgrade was accepted')));
    ws.once('error', () => {}); // the refused handshake also surfaces here
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => {
        const signature = res.headers[DEVICE_AUTH_HEADERS.centralSignature];
        resolve({ status: res.statusCode ?? 0, body, signature: typeof signature === 'string' ? signature : undefined });
      });
    });
  });
}

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
