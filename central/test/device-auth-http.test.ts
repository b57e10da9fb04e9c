import { afterEach, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { CENTRAL_PATHS, deviceMeResponseSchema, type EnrolResponse } from '@kawei/shared/api/central-http.ts';
import { DEVICE_AUTH_HEADERS, REQUEST_WINDOW_MS } from '@kawei/shared/api/device-auth.ts';
import { centralKeysLoader } from '../src/http/central-keys.node.ts';
import { deviceOf, installDeviceAuth } from '../src/http/device-auth.node.ts';
import { sendJson } from '../src/http/json-reply.node.ts';
import { TestDevice, isCentralSignature } from './device-signer.ts';
import { enrolOverHttp, operatorHeaders, startTestCentral, type TestCentral } from './server-fixtures.ts';
import { useTempDir } from './temp-dir.ts';

const tempDir = useTempDir();
const ECHO_PATH = '/api/device/echo';
let central: TestCentral;
afterEach(async () => {
  await central.close();
});

/**
 * A central with one extra device-authenticated POST route, registered exactly as later routes
 * will be, so body signing (and the hook's reuse) is tested on a route that takes a body.
 */
async function startCentralWithEcho(): Promise<TestCentral> {
  return startTestCentral(tempDir(), (app, deps) => {
    app.register(async (scope) => {
      installDeviceAuth(scope, { ...deps, centralKeys: centralKeysLoader(deps.store) });
      scope.post(ECHO_PATH, async (request, reply) => sendJson(reply, 200, { deviceId: deviceOf(request).id, got: request.body }));
    });
  });
}

async function enrolledDevice(): Promise<{ device: TestDevice; enrolment: EnrolResponse }> {
  const device = new TestDevice();
  const enrolment = await enrolOverHttp(central, device, { kind: 'booth', boothId: 'room-3-A1' });
  return { device, enrolment };
}

function errorCode(res: LightMyRequestResponse): string {
  return (res.json() as { error: { code: string } }).error.code;
}

function signedByCentral(res: LightMyRequestResponse, nonce: string, enrolment: EnrolResponse): boolean {
  const signature = res.headers[DEVICE_AUTH_HEADERS.centralSignature];
  return isCentralSignature(enrolment.centralPublicKey, {
    nonce,
    status: res.statusCode,
    body: res.body,
    signature: typeof signature === 'string' ? signature : undefined,
  });
}

describe('device-authenticated requests', () => {
  it('answers a correctly signed request, signed by the central over the nonce, and stamps last_seen_at', async () => {
    central = await startCentralWithEcho();
    const { device, enrolment } = await enrolledDevice();
    const request = device.signedRequest({ method: 'GET', url: CENTRAL_PATHS.deviceMe });
    const res = await central.app.inject(request);
    expect(res.statusCode).toBe(200);
    expect(deviceMeResponseSchema.parse(res.json())).toMatchObject({
      deviceId: device.deviceId,
      position: { kind: 'booth', booth: { id: 'room-3-A1', label: 'A1' } },
    });
    expect(signedByCentral(res, request.nonce, enrolment)).toBe(true);
    expect(signedByCentral(res, 'another-nonce-0000000000', enrolment)).toBe(false);
    expect((await central.store.getDevice(device.deviceId))!.lastSeenAt).toEqual(expect.any(Number));
  });

  it('covers the body: a signed POST passes, the same request with a tampered body does not', async () => {
    central = await startCentralWithEcho();
    const { device, enrolment } = await enrolledDevice();
    const request = device.signedRequest({ method: 'POST', url: ECHO_PATH, body: '{"seat":"A1"}' });
    const ok = await central.app.inject(request);
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ deviceId: device.deviceId, got: { seat: 'A1' } });

    const signedFor = device.signedRequest({ method: 'POST', url: ECHO_PATH, body: '{"seat":"A1"}' });
    const tampered = await central.app.inject({ ...signedFor, payload: '{"seat":"A2"}' });
    expect([tampered.statusCode, errorCode(tampered)]).toEqual([401, 'SIGNATURE_INVALID']);
    expect(signedByCentral(tampered, signedFor.nonce, enrolment)).toBe(true);
  });

  it('refuses a forged signature, another path, a changed timestamp — and a forgery does not burn the nonce', async () => {
    central = await startCentralWithEcho();
    const { device, enrolment } = await enrolledDevice();
    const impostor = new TestDevice();
    const forged = impostor.signedRequest({ method: 'GET', url: CENTRAL_PATHS.deviceMe, deviceId: device.deviceId });
    const res = await central.app.inject(forged);
    expect([res.statusCode, errorCode(res)]).toEqual([401, 'SIGNATURE_INVALID']);
    expect(signedByCentral(res, forged.nonce, enrolment)).toBe(true);

    const forHealth = device.signedRequest({ method: 'GET', url: CENTRAL_PATHS.health });
    expect(errorCode(await central.app.inject({ ...forHealth, url: CENTRAL_PATHS.deviceMe }))).toBe('SIGNATURE_INVALID');

    const genuine = device.signedRequest({ method: 'GET', url: CENTRAL_PATHS.deviceMe });
    const shifted = { ...genuine.headers, [DEVICE_AUTH_HEADERS.timestamp]: String(Date.now() + 1000) };
    expect(errorCode(await central.app.inject({ ...genuine, headers: shifted }))).toBe('SIGNATURE_INVALID');

    // The impostor's nonce was not recorded: the real device may still use it.
    const sameNonce = device.signedRequest({ method: 'GET', url: CENTRAL_PATHS.deviceMe, nonce: forged.nonce });
    expect((await central.app.inject(sameNonce)).statusCode).toBe(200);
  });

  it('refuses a replayed request', async () => {
    central = await startCentralWithEcho();
    const { device, enrolment } = await enrolledDevice();
    const request = device.signedRequest({ method: 'GET', url: CENTRAL_PATHS.deviceMe });
    expect((await central.app.inject(request)).statusCode).toBe(200);
    const replay = await central.app.inject(request);
    expect([replay.statusCode, errorCode(replay)]).toEqual([401, 'REQUEST_REPLAYED']);
    expect(signedByCentral(replay, request.nonce, enrolment)).toBe(true);
  });

  it('refuses timestamps outside the window in either direction, and accepts them just inside', async () => {
    central = await startCentralWithEcho();
    const { device, enrolment } = await enrolledDevice();
    // The central's clock stands still, so the window's edges are tested to the millisecond and a
    // slow machine cannot move a request across them.
    const frozenAt = Date.now();
    Object.defineProperty(central.clock, 'offsetMs', { get: () => frozenAt - Date.now(), configurable: true });
    for (const offset of [-REQUEST_WINDOW_MS - 1, REQUEST_WINDOW_MS + 1]) {
      const request = device.signedRequest({ method: 'GET', url: CENTRAL_PATHS.deviceMe, timestamp: frozenAt + offset });
      const res = await central.app.inject(request);
      expect([res.statusCode, errorCode(res)]).toEqual([401, 'REQUEST_STALE']);
      expect(signedByCentral(res, request.nonce, enrolment)).toBe(true);
    }
    for (const offset of [-REQUEST_WINDOW_MS, REQUEST_WINDOW_MS]) {
      const request = device.signedRequest({ method: 'GET', url: CENTRAL_PATHS.deviceMe, timestamp: frozenAt + offset });
      expect((await central.app.inject(request)).statusCode).toBe(200);
    }
  });

  it('remembers a nonce for as long as its request could still pass the timestamp check', async () => {
    central = await startCentralWithEcho();
    const { device } = await enrolledDevice();
    const captured = device.signedRequest({ method: 'GET', url: CENTRAL_PATHS.deviceMe, timestamp: Date.now() + REQUEST_WINDOW_MS - 1000 });
    expect((await central.app.inject(captured)).statusCode).toBe(200);
    central.clock.offsetMs = 2 * REQUEST_WINDOW_MS - 2000; // still inside the window of the (future) timestamp
    expect(errorCode(await central.app.inject(captured))).toBe('REQUEST_REPLAYED');
  });

  it('refuses a revoked device with a signed DEVICE_REVOKED', async () => {
    central = await startCentralWithEcho();
    const { device, enrolment } = await enrolledDevice();
    const revoke = await central.app.inject({
      method: 'POST',
      url: CENTRAL_PATHS.adminRevokeDevice.replace(':id', device.deviceId),
      headers: operatorHeaders(),
    });
    expect(revoke.statusCode).toBe(200);
    const request = device.signedRequest({ method: 'GET', url: CENTRAL_PATHS.deviceMe });
    const res = await central.app.inject(request);
    expect([res.statusCode, errorCode(res)]).toEqual([403, 'DEVICE_REVOKED']);
    expect(signedByCentral(res, request.nonce, enrolment)).toBe(true);
  });

  it('refuses an unknown device and missing or malformed headers, unsigned', async () => {
    central = await startCentralWithEcho();
    const { device } = await enrolledDevice();
    const stranger = new TestDevice();
    const unknown = await central.app.inject(stranger.signedRequest({ method: 'GET', url: CENTRAL_PATHS.deviceMe, deviceId: 'dev-000000000000' }));
    expect([unknown.statusCode, errorCode(unknown)]).toEqual([401, 'DEVICE_UNKNOWN']);
    expect(unknown.headers[DEVICE_AUTH_HEADERS.centralSignature]).toBeUndefined();

    const bare = await central.app.inject({ method: 'GET', url: CENTRAL_PATHS.deviceMe });
    expect([bare.statusCode, errorCode(bare)]).toEqual([401, 'UNAUTHORIZED']);

    const request = device.signedRequest({ method: 'GET', url: CENTRAL_PATHS.deviceMe, nonce: 'short' });
    const badNonce = await central.app.inject(request);
    expect([badNonce.statusCode, errorCode(badNonce)]).toEqual([401, 'UNAUTHORIZED']);
    expect(badNonce.headers[DEVICE_AUTH_HEADERS.centralSignature]).toBeUndefined();
  });
});
