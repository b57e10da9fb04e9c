import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CENTRAL_PATHS,
  createEnrolCodeResponseSchema,
  devicesResponseSchema,
  sitesResponseSchema,
} from '@kawei/shared/api/central-http.ts';
import { TestDevice } from './device-signer.ts';
import { enrolOverHttp, operatorHeaders, startTestCentral, type TestCentral } from './server-fixtures.ts';
import { useTempDir } from './temp-dir.ts';

const tempDir = useTempDir();
let central: TestCentral;
beforeEach(async () => {
  central = await startTestCentral(tempDir());
});
afterEach(async () => {
  await central.close();
});

async function admin(method: 'GET' | 'POST', url: string, body?: unknown, token?: string) {
  const res = await central.app.inject({
    method,
    url,
    headers: operatorHeaders(token),
    ...(body === undefined ? {} : { payload: body as object }),
  });
  return { status: res.statusCode, json: res.json() as Record<string, unknown> & { error?: { code: string } } };
}

describe('operator authentication', () => {
  it('refuses every admin route without the right bearer token', async () => {
    const routes = [
      ['GET', CENTRAL_PATHS.adminSites],
      ['POST', CENTRAL_PATHS.adminSites],
      ['POST', CENTRAL_PATHS.adminRooms],
      ['POST', CENTRAL_PATHS.adminGates],
      ['POST', CENTRAL_PATHS.adminEnrolmentCodes],
      ['GET', CENTRAL_PATHS.adminDevices],
      ['POST', CENTRAL_PATHS.adminRevokeDevice.replace(':id', 'dev-1')],
    ] as const;
    // Each route from its own address: more than 10 failures from one address are throttled (http-abuse.test.ts).
    for (const [i, [method, url]] of routes.entries()) {
      const remoteAddress = `10.0.0.${i + 1}`;
      const none = await central.app.inject({ method, url, remoteAddress });
      expect([url, none.statusCode, none.json()]).toEqual([url, 401, { error: { code: 'UNAUTHORIZED', message: expect.any(String) } }]);
      const wrong = await central.app.inject({ method, url, remoteAddress, headers: operatorHeaders('not-the-token') });
      expect([url, wrong.statusCode]).toEqual([url, 401]);
    }
    expect((await admin('GET', CENTRAL_PATHS.adminSites)).status).toBe(200);
  });
});

describe('topology administration', () => {
  it('creates a site, a room with its booths and a room door, and lists them as a tree', async () => {
    expect(await admin('POST', CENTRAL_PATHS.adminSites, { id: 'site-x', name: '新区分中心' })).toEqual({
      status: 201,
      json: { id: 'site-x', name: '新区分中心' },
    });
    const room = await admin('POST', CENTRAL_PATHS.adminRooms, { id: 'room-x2', siteId: 'site-x', number: 2 });
    expect(room.status).toBe(201);
    expect(room.json).toMatchObject({ name: '2号评标室', rows: 3, cols: 3 });
    expect((room.json['booths'] as unknown[]).length).toBe(9);
    const gate = await admin('POST', CENTRAL_PATHS.adminGates, { siteId: 'site-x', name: '2号室门禁', role: 'room_door', roomId: 'room-x2' });
    expect(gate.status).toBe(201);

    const { sites } = sitesResponseSchema.parse((await admin('GET', CENTRAL_PATHS.adminSites)).json);
    expect(sites.map((s) => s.id)).toEqual(['site-city', 'site-county', 'site-x']);
    expect(sites[2]).toMatchObject({ rooms: [{ id: 'room-x2' }], gates: [{ id: gate.json['id'], roomId: 'room-x2' }] });
  });

  it('answers conflicts with 409, unknown references with 404 and invalid input with 400', async () => {
    expect(await admin('POST', CENTRAL_PATHS.adminSites, { id: 'site-city', name: '重复' })).toMatchObject({
      status: 409,
      json: { error: { code: 'BAD_INPUT' } },
    });
    expect(await admin('POST', CENTRAL_PATHS.adminRooms, { siteId: 'site-city', number: 3 })).toMatchObject({ status: 409 });
    expect(await admin('POST', CENTRAL_PATHS.adminRooms, { siteId: 'site-nowhere', number: 1 })).toMatchObject({
      status: 404,
      json: { error: { code: 'NOT_FOUND' } },
    });
    expect(await admin('POST', CENTRAL_PATHS.adminGates, { siteId: 'site-city', name: '门', role: 'room_door' })).toMatchObject({
      status: 400,
      json: { error: { code: 'BAD_INPUT', message: expect.stringContaining('roomId') } },
    });
    expect(await admin('POST', CENTRAL_PATHS.adminRooms, { siteId: 'site-city', number: 9, rows: 27 })).toMatchObject({
      status: 400,
      json: { error: { code: 'BAD_INPUT', message: expect.stringContaining('rows') } },
    });
  });
});

describe('enrolment codes and devices', () => {
  it('issues a code that enrols, lists the device and revokes it', async () => {
    const frozenAt = Date.now(); // the central's clock stands still: the expiry is exact, on any machine
    Object.defineProperty(central.clock, 'offsetMs', { get: () => frozenAt - Date.now(), configurable: true });
    const issued = await admin('POST', CENTRAL_PATHS.adminEnrolmentCodes, { target: { kind: 'gate', gateId: 'gate-entrance' }, ttlMinutes: 30 });
    expect(issued.status).toBe(201);
    const code = createEnrolCodeResponseSchema.parse(issued.json);
    expect(code.expiresAt).toBe(frozenAt + 30 * 60_000);

    const device = new TestDevice();
    const enrol = await central.app.inject({ method: 'POST', url: CENTRAL_PATHS.enrol, payload: device.enrolRequest(code.code, 'gate') });
    expect(enrol.statusCode).toBe(201);
    const deviceId = (enrol.json() as { deviceId: string }).deviceId;

    const listed = devicesResponseSchema.parse((await admin('GET', CENTRAL_PATHS.adminDevices)).json);
    expect(listed.devices).toEqual([
      expect.objectContaining({ id: deviceId, kind: 'gate', target: { kind: 'gate', gateId: 'gate-entrance' }, status: 'active' }),
    ]);
    const revoked = await admin('POST', CENTRAL_PATHS.adminRevokeDevice.replace(':id', deviceId));
    expect(revoked).toMatchObject({ status: 200, json: { device: { id: deviceId, status: 'revoked' } } });
  });

  it('refuses codes for unknown positions and revoking unknown devices', async () => {
    expect(await admin('POST', CENTRAL_PATHS.adminEnrolmentCodes, { target: { kind: 'booth', boothId: 'room-3-D1' } })).toMatchObject({
      status: 404,
      json: { error: { code: 'NOT_FOUND' } },
    });
    expect(await admin('POST', CENTRAL_PATHS.adminEnrolmentCodes, { target: { kind: 'seat', boothId: 'room-3-A1' } })).toMatchObject({
      status: 400,
    });
    expect(await admin('POST', CENTRAL_PATHS.adminRevokeDevice.replace(':id', 'dev-nobody'))).toMatchObject({
      status: 404,
      json: { error: { code: 'NOT_FOUND' } },
    });
    expect(await admin('POST', CENTRAL_PATHS.adminRevokeDevice.replace(':id', '-bad'))).toMatchObject({
      status: 400,
      json: { error: { code: 'BAD_INPUT' } },
    });
  });

  it('lets a replacement device take a booth once the operator has revoked the old one', async () => {
    const old = new TestDevice();
    await enrolOverHttp(central, old, { kind: 'booth', boothId: 'room-5-C3' });
    await expect(enrolOverHttp(central, new TestDevice(), { kind: 'booth', boothId: 'room-5-C3' })).rejects.toThrow(/POSITION_TAKEN/);
    await admin('POST', CENTRAL_PATHS.adminRevokeDevice.replace(':id', old.deviceId));
    const replacement = await enrolOverHttp(central, new TestDevice(), { kind: 'booth', boothId: 'room-5-C3' });
    expect(replacement.position).toMatchObject({ booth: { id: 'room-5-C3' } });
  });
});
