import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CENTRAL_PATHS,
  devicesResponseSchema,
  enrolResponseSchema,
  ENROL_CODE_ALPHABET,
} from '@kawei/shared/api/central-http.ts';
import { DEVICE_AUTH_HEADERS } from '@kawei/shared/api/device-auth.ts';
import { SqliteCentralStore } from '../src/storage/sqlite-central-store.node.ts';
import { TestDevice, isCentralSignature } from './device-signer.ts';
import { attempt } from './store-fixtures.ts';
import { runCli, startServe, type Serving } from './cli-process.ts';
import { useTempDir } from './temp-dir.ts';
import { centralHttpsJson } from '@kawei/shared/device/pinned-tls.node.ts';

const tempDir = useTempDir();
const CODE_PATTERN = new RegExp(`^[${ENROL_CODE_ALPHABET}]{4}-[${ENROL_CODE_ALPHABET}]{4}$`);
let serving: Serving | null = null;
afterEach(async () => {
  if (serving && serving.child.exitCode === null) {
    serving.child.kill('SIGKILL');
    await serving.exited;
  }
  serving = null;
});

describe('kawei-central serve with the operator commands beside it', () => {
  it('serves on the port it reports, shares its file with seed-demo and enrol-code, and enrols over real HTTP', async () => {
    const data = join(tempDir(), 'central');
    serving = await startServe(['--data', data, '--port', '0']);
    const port = Number(new URL(serving.url).port);
    expect(port).toBeGreaterThan(0);
    expect(new URL(serving.url).hostname).toBe('127.0.0.1');

    const tokenFile = join(data, 'operator-token');
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    expect(serving.stderr()).toContain(tokenFile);

    const seeded = await runCli(['seed-demo', '--data', data]);
    expect(seeded.code).toBe(0);
    const issued = await runCli(['enrol-code', '--booth', 'room-5-B3', '--json', '--data', data]);
    expect(issued.code).toBe(0);
    const { code, centralFingerprint } = JSON.parse(issued.stdout) as { code: string; centralFingerprint: string };
    expect(code).toMatch(CODE_PATTERN);
    // enrol-code names the key serve presents.
    expect(centralFingerprint).toBe(serving.fingerprint);

    const device = new TestDevice();
    const enrolled = await centralHttpsJson(serving.url + CENTRAL_PATHS.enrol, serving.fingerprint, {
      json: device.enrolRequest(code, 'booth'),
    });
    expect(enrolled.status).toBe(201);
    const enrolment = enrolResponseSchema.parse(enrolled.body);
    expect(enrolment).toMatchObject({ centralId: serving.centralId, position: { booth: { id: 'room-5-B3' } } });
    device.deviceId = enrolment.deviceId;

    const request = device.signedRequest({ method: 'GET', url: CENTRAL_PATHS.deviceMe });
    const me = await centralHttpsJson(serving.url + request.url, serving.fingerprint, { headers: request.headers });
    expect(me.status).toBe(200);
    const signature = me.headers[DEVICE_AUTH_HEADERS.centralSignature];
    expect(
      isCentralSignature(enrolment.centralPublicKey, {
        nonce: request.nonce,
        status: 200,
        body: me.text,
        signature: typeof signature === 'string' ? signature : undefined,
      }),
    ).toBe(true);

    const token = readFileSync(tokenFile, 'utf8').trim();
    const devices = await centralHttpsJson(serving.url + CENTRAL_PATHS.adminDevices, serving.fingerprint, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(devicesResponseSchema.parse(devices.body).devices.map((d) => d.id)).toEqual([enrolment.deviceId]);

    serving.child.kill('SIGTERM');
    expect(await serving.exited).toBe(0);
  });

  it('keeps the operator token across restarts', async () => {
    const data = join(tempDir(), 'central');
    serving = await startServe(['--data', data, '--port', '0']);
    const token = readFileSync(join(data, 'operator-token'), 'utf8');
    serving.child.kill('SIGINT');
    expect(await serving.exited).toBe(0);

    serving = await startServe(['--data', data, '--port', '0']);
    expect(readFileSync(join(data, 'operator-token'), 'utf8')).toBe(token);
    expect(serving.stderr()).not.toContain('operator token created');
    const sites = await centralHttpsJson(serving.url + CENTRAL_PATHS.adminSites, serving.fingerprint, {
      headers: { authorization: `Bearer ${token.trim()}` },
    });
    expect(sites.status).toBe(200);
  });
});

describe('kawei-central operator commands', () => {
  // These two start the CLI as its own process a dozen times each (about 2 s a start, more on a busy CI machine).
  it('prints codes for people, lists and revokes devices', async () => {
    const data = tempDir();
    expect((await runCli(['seed-demo', '--data', data])).stdout).toContain('added 2 sites, 3 rooms, 24 booths, 2 gates');
    expect((await runCli(['seed-demo', '--data', data])).stdout).toContain('added 0 sites, 0 rooms, 0 booths, 0 gates');

    const sites = await runCli(['sites', '--data', data]);
    expect(sites.stdout).toMatch(/3号评标室 {2}\[room-3\] {2}3×3\n {6}room-3-A1 {2}room-3-A2 {2}room-3-A3\n/);
    expect(sites.stdout).toContain('[gate-room-3]');

    const human = await runCli(['enrol-code', '--gate', 'gate-room-3', '--ttl', '90', '--data', data]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^注册码 \/ enrolment code: +[A-Z0-9]{4}-[A-Z0-9]{4}$/m);
    expect(human.stdout).toMatch(/^有效期至 \/ expires: +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d（90 分钟/m);
    expect((await runCli(['devices', '--data', data])).stdout).toContain('no devices');

    // A device enrolled with a CLI-made code (through the store, as the server would), then revoked.
    const { code } = JSON.parse((await runCli(['enrol-code', '--booth', 'room-3-C3', '--json', '--data', data])).stdout) as {
      code: string;
    };
    const store = SqliteCentralStore.open(join(data, 'central.sqlite'));
    const { device } = await store.consumeEnrolmentCode(attempt(code, 'booth', new TestDevice(), Date.now()));
    await store.close();
    const listed = await runCli(['devices', '--data', data]);
    expect(listed.stdout).toMatch(new RegExp(`^${device.id} +booth +room-3-C3 +在用 active +booth-pc +0\\.1\\.0-test `, 'm'));
    const revoked = await runCli(['revoke', device.id, '--data', data]);
    expect([revoked.code, revoked.stdout]).toEqual([0, expect.stringMatching(new RegExp(`^已停用设备 ${device.id}.*\nrevoked device ${device.id} \\(booth room-3-C3\\)`))]);
    expect((await runCli(['devices', '--data', data])).stdout).toMatch(new RegExp(`^${device.id} +booth +room-3-C3 +停用 revoked `, 'm'));
    const asJson = devicesResponseSchema.parse(JSON.parse((await runCli(['devices', '--json', '--data', data])).stdout));
    expect(asJson.devices).toMatchObject([{ id: device.id, status: 'revoked', target: { kind: 'booth', boothId: 'room-3-C3' } }]);
  }, 120_000);

  it('exits 2 with Chinese first, then English, on bad arguments', async () => {
    const data = tempDir();
    await runCli(['seed-demo', '--data', data]);
    const cases: [string[], RegExp][] = [
      [['bogus'], /^错误：未知命令：bogus\nerror: unknown command: bogus\n/],
      [[], /^错误：缺少命令\nerror: no command given\n/],
      [['enrol-code', '--data', data], /^错误：请指定 --booth.*\nerror: give exactly one of --booth ID or --gate ID\n/],
      [['enrol-code', '--booth', 'room-3-A1', '--gate', 'gate-entrance', '--data', data], /^错误：.*\nerror: give exactly one/],
      [['enrol-code', '--booth', 'room-3-Z9', '--data', data], /^错误：未找到.*\nerror: booth "room-3-Z9" does not exist\n/],
      [['enrol-code', '--booth', 'room-3-A1', '--ttl', 'soon', '--data', data], /^错误：.*\nerror: enrol-code: ttlMinutes: /],
      [['revoke', '--data', data], /^错误：revoke 需要参数 DEVICE_ID\nerror: revoke needs DEVICE_ID\n/],
      [['revoke', 'dev-nobody', '--data', data], /^错误：.*\nerror: device "dev-nobody" does not exist\n/],
      [['sites', '--verbose', '--data', data], /^错误：sites 的参数有误：.*\nerror: bad arguments for sites: /],
      [['serve', '--port', '70000', '--data', data], /^错误：端口.*\nerror: --port must be an integer from 0 to 65535: 70000\n/],
    ];
    for (const [args, expected] of cases) {
      const run = await runCli(args);
      expect([args, run.code, run.stderr]).toEqual([args, 2, expect.stringMatching(expected)]);
      expect(run.stdout).toBe('');
    }
  }, 120_000);

  it('runs through bin/kawei-central.mjs from any directory', async () => {
    const run = await runCli(['--help'], { bin: true, cwd: tempDir() });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('kawei-central enrol-code (--booth ID | --gate ID)');
  });
});
