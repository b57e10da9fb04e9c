import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CENTRAL_PATHS } from '@kawei/shared/api/central-http.ts';
import { BODY_LIMIT_BYTES } from '../src/server.node.ts';
import { startTestCentral, type TestCentral } from './server-fixtures.ts';
import { useTempDir } from './temp-dir.ts';

const tempDir = useTempDir();
let central: TestCentral;
beforeEach(async () => {
  central = await startTestCentral(tempDir());
});
afterEach(async () => {
  await central.close();
});

async function post(payload: string, contentType = 'application/json') {
  const res = await central.app.inject({ method: 'POST', url: CENTRAL_PATHS.enrol, headers: { 'content-type': contentType }, payload });
  return { status: res.statusCode, type: res.headers['content-type'], json: res.json() as unknown };
}

describe('error answers', () => {
  it('answers malformed JSON with a clean BAD_INPUT', async () => {
    expect(await post('{"code": "ABCD-')).toEqual({
      status: 400,
      type: 'application/json; charset=utf-8',
      json: { error: { code: 'BAD_INPUT', message: 'request body is not valid JSON' } },
    });
  });

  it('answers an oversized body with 413', async () => {
    const huge = JSON.stringify({ code: 'ABCD-EFGH', padding: 'x'.repeat(BODY_LIMIT_BYTES) });
    expect(await post(huge)).toEqual({
      status: 413,
      type: 'application/json; charset=utf-8',
      json: { error: { code: 'BAD_INPUT', message: 'request body is too large' } },
    });
  });

  it('refuses bodies that are not JSON', async () => {
    expect(await post('code=ABCD-EFGH', 'application/x-www-form-urlencoded')).toMatchObject({
      status: 415,
      json: { error: { code: 'BAD_INPUT' } },
    });
  });

  it('answers an unknown route with UNKNOWN_CALL', async () => {
    const res = await central.app.inject({ method: 'GET', url: '/api/nothing-here' });
    expect([res.statusCode, res.json()]).toEqual([404, { error: { code: 'UNKNOWN_CALL', message: 'no route GET /api/nothing-here' } }]);
  });

  it('answers an internal failure with INTERNAL and no details', async () => {
    await central.app.ready();
    await central.store.close(); // the database is gone: every query now throws
    const res = await central.app.inject({ method: 'GET', url: CENTRAL_PATHS.adminDevices, headers: { authorization: 'Bearer x' } });
    expect([res.statusCode, res.json()]).toEqual([500, { error: { code: 'INTERNAL', message: 'internal error' } }]);
  });
});
