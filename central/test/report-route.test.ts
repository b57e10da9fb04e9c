import { createHash } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { publicKeyFromBase64, verifyText } from '@kawei/shared/crypto/ed25519.node.ts';
import { sha256Hex } from '@kawei/shared/crypto/hash.node.ts';
import { DEVICE_AUTH_HEADERS, centralResponseMessage } from '@kawei/shared/api/device-auth.ts';
import { reportFilePath } from '@kawei/shared/report/report-view.ts';
import { deviceReportRoutes, type ReportFileSource } from '../src/http/routes/device-report.node.ts';
import { centralKeysLoader } from '../src/http/central-keys.node.ts';
import { acceptRawJsonBodies } from '../src/http/raw-json-body.node.ts';
import { httpErrorAnswer } from '../src/http/http-errors.ts';
import { sendJson } from '../src/http/json-reply.node.ts';
import type { SqliteCentralStore } from '../src/storage/sqlite-central-store.node.ts';
import { TestDevice } from './device-signer.ts';
import { addCode, attempt, openDemoStore } from './store-fixtures.ts';
import { useTempDir } from './temp-dir.ts';

/**
 * The booths' report route on a Fastify of its own (the route and device authentication as the
 * server installs them, the error answers as the server gives them), with a report service stand-in
 * that answers by device: what the service decides is its own test's (H3b); here, what the route
 * does with the answer.
 */
const tempDir = useTempDir();

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

const open: { app: FastifyInstance; store: SqliteCentralStore }[] = [];
afterEach(async () => {
  for (const { app, store } of open.splice(0)) {
    await app.close();
    await store.close();
  }
});

async function enrol(store: SqliteCentralStore, code: string, boothId: string): Promise<TestDevice> {
  const device = new TestDevice();
  await addCode(store, code, { kind: 'booth', boothId }, { createdAt: Date.now() });
  const enrolment = await store.consumeEnrolmentCode(attempt(code, 'booth', device, Date.now()));
  device.deviceId = enrolment.device.id;
  return device;
}

async function central(source: () => ReportFileSource | null) {
  const store = await openDemoStore(tempDir());
  const app = Fastify();
  app.setErrorHandler((error, _request, reply) => {
    const answer = httpErrorAnswer(error);
    return sendJson(reply, answer.status, answer.body);
  });
  acceptRawJsonBodies(app);
  await app.register(deviceReportRoutes, { store, now: Date.now, centralKeys: centralKeysLoader(store), report: source });
  open.push({ app, store });
  return { app, store, publicKey: (await store.getCentralIdentity()).publicKey };
}

describe('GET REPORT_FILE_PATH (a booth fetches a report PDF)', () => {
  it('sends the bytes the service gives a member\'s booth, signed over their SHA-256; the same 404 for unknown and not yours', async () => {
    const pdf = new Uint8Array(Buffer.from('%PDF-1.7\n% 评标报告 draft\n%%EOF\n'));
    const big = new Uint8Array(3 * 1024 * 1024).fill(0x25);
    const files = new Map([
      [sha(pdf), pdf],
      [sha(big), big],
    ]);
    let member = '';
    const asked: [string, string][] = [];
    const { app, store, publicKey } = await central(() => ({
      fileForDevice: async (deviceId, sha256) => {
        asked.push([deviceId, sha256]);
        return deviceId === member ? (files.get(sha256) ?? null) : null;
      },
    }));
    const seated = await enrol(store, 'REPORT01', 'room-3-A1');
    const other = await enrol(store, 'REPORT02', 'room-3-A2');
    member = seated.deviceId;
    const get = async (device: TestDevice, hash: string) => {
      const request = device.signedRequest({ method: 'GET', url: reportFilePath(hash) });
      return { request, res: await app.inject(request) };
    };

    for (const bytes of [pdf, big]) {
      const { request, res } = await get(seated, sha(bytes));
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('application/pdf');
      expect(res.headers['cache-control']).toBe('no-store');
      expect(sha(res.rawPayload)).toBe(sha(bytes));
      const signature = res.headers[DEVICE_AUTH_HEADERS.centralSignature] as string;
      expect(verifyText(publicKeyFromBase64(publicKey)!, centralResponseMessage(request.nonce, 200, sha(bytes)), signature)).toBe(true);
      expect(verifyText(publicKeyFromBase64(publicKey)!, centralResponseMessage(request.nonce, 200, sha256Hex('x')), signature)).toBe(false);
    }
    expect(asked.at(-1)).toEqual([seated.deviceId, sha(big)]);

    const unknownHash = 'e3'.repeat(32);
    const unknown = (await get(seated, unknownHash)).res;
    const notYours = (await get(other, sha(pdf))).res;
    expect(unknown.statusCode).toBe(404);
    expect(notYours.statusCode).toBe(404);
    expect(notYours.body.replace(sha(pdf), unknownHash)).toBe(unknown.body);
    expect(unknown.json()).toEqual({ error: { code: 'NOT_FOUND', message: `no report file ${unknownHash} for this device` } });
    // Refusals are signed too (over their JSON body), as on every device route.
    expect(notYours.headers[DEVICE_AUTH_HEADERS.centralSignature]).toEqual(expect.any(String));
  });

  it('refuses a name that is not a SHA-256, an unsigned request, and answers 404 while there is no report service', async () => {
    let service: ReportFileSource | null = null;
    const { app, store } = await central(() => service);
    const device = await enrol(store, 'REPORT03', 'room-3-A3');
    const bad = await app.inject(device.signedRequest({ method: 'GET', url: reportFilePath('ABC') }));
    expect([bad.statusCode, bad.json().error.code]).toEqual([400, 'BAD_INPUT']);
    const unsigned = await app.inject({ method: 'GET', url: reportFilePath('e3'.repeat(32)) });
    expect([unsigned.statusCode, unsigned.json().error.code]).toEqual([401, 'UNAUTHORIZED']);
    const none = await app.inject(device.signedRequest({ method: 'GET', url: reportFilePath('e3'.repeat(32)) }));
    expect([none.statusCode, none.json().error.code]).toEqual([404, 'NOT_FOUND']);

    // Bytes that do not hash to their name are never sent under it.
    service = { fileForDevice: async () => new Uint8Array([1, 2, 3]) };
    const altered = await app.inject(device.signedRequest({ method: 'GET', url: reportFilePath('e3'.repeat(32)) }));
    expect([altered.statusCode, altered.json().error.code]).toEqual([500, 'INTERNAL']);
  });
});
