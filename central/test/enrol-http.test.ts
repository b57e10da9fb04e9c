import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CENTRAL_PATHS,
  ENROL_CODE_ALPHABET,
  enrolResponseSchema,
  healthResponseSchema,
  type EnrolRequest,
} from '@kawei/shared/api/central-http.ts';
import { boothPositionSchema, gatePositionSchema } from '@kawei/shared/domain/topology.ts';
import { apiErrorBodySchema } from '@kawei/shared/errors.ts';
import { TestDevice } from './device-signer.ts';
import { newCode, startTestCentral, type TestCentral } from './server-fixtures.ts';
import { useTempDir } from './temp-dir.ts';

const tempDir = useTempDir();
let central: TestCentral;
beforeEach(async () => {
  central = await startTestCentral(tempDir());
});
afterEach(async () => {
  await central.close();
});

async function postEnrol(request: EnrolRequest | string) {
  const res = await central.app.inject({
    method: 'POST',
    url: CENTRAL_PATHS.enrol,
    headers: { 'content-type': 'application/json' },
    payload: typeof request === 'string' ? request : JSON.stringify(request),
  });
  return { status: res.statusCode, json: res.json() as unknown };
}

function refusal(code: string, status: number) {
  return { status, json: { error: { code, message: expect.any(String) } } };
}

describe('GET /api/health', () => {
  it('answers with the central id and time, without authentication', async () => {
    const res = await central.app.inject({ method: 'GET', url: CENTRAL_PATHS.health });
    expect(res.statusCode).toBe(200);
    const body = healthResponseSchema.parse(res.json());
    expect(body.centralId).toBe((await central.store.getCentralIdentity()).centralId);
    expect(Math.abs(body.time - Date.now())).toBeLessThan(5000);
  });
});

describe('POST /api/enrol', () => {
  it('enrols a booth and tells it where it stands and which central key to pin', async () => {
    const device = new TestDevice();
    const code = await newCode(central, { kind: 'booth', boothId: 'room-3-B2' });
    expect(code).toMatch(new RegExp(`^[${ENROL_CODE_ALPHABET}]{4}-[${ENROL_CODE_ALPHABET}]{4}$`));
    const res = await postEnrol(device.enrolRequest(code, 'booth'));
    expect(res.status).toBe(201);
    const answer = enrolResponseSchema.parse(res.json);
    const position = boothPositionSchema.parse(answer.position);
    expect(position).toEqual({
      kind: 'booth',
      site: { id: 'site-city', name: '市公共资源交易中心' },
      room: { id: 'room-3', siteId: 'site-city', number: 3, name: '3号评标室', rows: 3, cols: 3 },
      booth: { id: 'room-3-B2', roomId: 'room-3', row: 1, col: 1, label: 'B2' },
    });
    const identity = await central.store.getCentralIdentity();
    expect(answer).toMatchObject({ centralId: identity.centralId, centralPublicKey: identity.publicKey });
    expect(await central.store.getDevice(answer.deviceId)).toMatchObject({
      publicKey: device.publicKey,
      hostname: 'booth-pc',
      status: 'active',
      enrolledAt: answer.enrolledAt,
    });
  });

  it('enrols gates: a room door knows its room, the area entrance has none', async () => {
    const door = await postEnrol(new TestDevice().enrolRequest(await newCode(central, { kind: 'gate', gateId: 'gate-room-3' }), 'gate'));
    expect(door.status).toBe(201);
    expect(gatePositionSchema.parse(enrolResponseSchema.parse(door.json).position)).toMatchObject({
      gate: { id: 'gate-room-3', role: 'room_door', roomId: 'room-3' },
      room: { id: 'room-3', number: 3 },
      site: { id: 'site-city' },
    });
    const entrance = await postEnrol(
      new TestDevice().enrolRequest(await newCode(central, { kind: 'gate', gateId: 'gate-entrance' }), 'gate'),
    );
    expect(gatePositionSchema.parse(enrolResponseSchema.parse(entrance.json).position)).toMatchObject({
      gate: { id: 'gate-entrance', role: 'area_entrance', roomId: null },
      room: null,
    });
  });

  it('accepts the code as a technician types it: lower case, spaces, no dash', async () => {
    const code = await newCode(central, { kind: 'booth', boothId: 'room-5-A1' });
    const typed = ` ${code.replace('-', ' ').toLowerCase()} `;
    expect((await postEnrol(new TestDevice().enrolRequest(typed, 'booth'))).status).toBe(201);
  });

  it('refuses unknown, used, expired and wrong-kind codes with distinct codes', async () => {
    expect(await postEnrol(new TestDevice().enrolRequest('ABCD-EFGH', 'booth'))).toMatchObject(
      refusal('ENROL_CODE_INVALID', 404),
    );

    const once = await newCode(central, { kind: 'booth', boothId: 'room-5-A2' });
    expect((await postEnrol(new TestDevice().enrolRequest(once, 'booth'))).status).toBe(201);
    expect(await postEnrol(new TestDevice().enrolRequest(once, 'booth'))).toMatchObject(refusal('ENROL_CODE_USED', 409));

    const gateCode = await newCode(central, { kind: 'gate', gateId: 'gate-entrance' });
    expect(await postEnrol(new TestDevice().enrolRequest(gateCode, 'booth'))).toMatchObject(
      refusal('ENROL_CODE_WRONG_KIND', 400),
    );

    const shortLived = await newCode(central, { kind: 'booth', boothId: 'room-5-A3' }, 1);
    central.clock.offsetMs = 60_000;
    expect(await postEnrol(new TestDevice().enrolRequest(shortLived, 'booth'))).toMatchObject(
      refusal('ENROL_CODE_EXPIRED', 410),
    );
  });

  it('refuses a proof that is not this key signing this code, without spending the code', async () => {
    const code = await newCode(central, { kind: 'booth', boothId: 'room-5-B1' });
    const device = new TestDevice();
    const other = new TestDevice();
    const signedByOther = { ...device.enrolRequest(code, 'booth'), proof: other.enrolRequest(code, 'booth').proof };
    expect(await postEnrol(signedByOther)).toMatchObject(refusal('ENROL_PROOF_INVALID', 401));
    const forAnotherCode = { ...device.enrolRequest(code, 'booth'), proof: device.enrolRequest('ABCD-EFGH', 'booth').proof };
    expect(await postEnrol(forAnotherCode)).toMatchObject(refusal('ENROL_PROOF_INVALID', 401));
    expect((await postEnrol(device.enrolRequest(code, 'booth'))).status).toBe(201);
  });

  it('refuses a second device at an occupied position, and the same key twice', async () => {
    const device = new TestDevice();
    expect((await postEnrol(device.enrolRequest(await newCode(central, { kind: 'booth', boothId: 'room-5-C1' }), 'booth'))).status).toBe(201);
    const second = await newCode(central, { kind: 'booth', boothId: 'room-5-C1' });
    expect(await postEnrol(new TestDevice().enrolRequest(second, 'booth'))).toMatchObject(refusal('POSITION_TAKEN', 409));
    const elsewhere = await newCode(central, { kind: 'booth', boothId: 'room-5-C2' });
    expect(await postEnrol(device.enrolRequest(elsewhere, 'booth'))).toMatchObject(refusal('ALREADY_ENROLLED', 409));
  });

  it('refuses malformed input with BAD_INPUT naming the field', async () => {
    const device = new TestDevice();
    const res = await postEnrol({ ...device.enrolRequest('ABCD-EFGH', 'booth'), code: 'ABC' });
    expect(res).toMatchObject(refusal('BAD_INPUT', 400));
    const error = apiErrorBodySchema.parse((res.json as { error: unknown }).error);
    expect(error.message).toMatch(/^enrol request: code: enrolment codes have 8 characters/);

    const notEd25519 = { ...device.enrolRequest('ABCD-EFGH', 'booth'), publicKey: 'A'.repeat(60) };
    expect(await postEnrol(notEd25519)).toMatchObject(refusal('BAD_INPUT', 400));
    expect(await postEnrol('[1,2,3]')).toMatchObject(refusal('BAD_INPUT', 400));
  });
});
