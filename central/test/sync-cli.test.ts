import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { publicKeyFromBase64, verifyText } from '@kawei/shared/crypto/ed25519.node.ts';
import { canonicalJson } from '@kawei/shared/sync/canonical-json.ts';
import { downstreamMessageSchema } from '@kawei/shared/sync/sync-http.ts';
import { SqliteCentralStore } from '../src/storage/sqlite-central-store.node.ts';
import { runCli } from './cli-process.ts';
import { enrolDevice } from './sync-store.contract.ts';
import { useTempDir } from './temp-dir.ts';

const tempDir = useTempDir();

describe('kawei-central message and alerts', () => {
  it('queues signed messages for one device or all, and refuses bad arguments with exit 2', async () => {
    const data = tempDir();
    const store = SqliteCentralStore.open(join(data, 'central.sqlite'));
    const device = await enrolDevice(store);
    const { publicKey } = await store.getCentralIdentity();
    await store.close();

    const one = await runCli(['message', '--device', device.deviceId, '--type', 'notice.text', '--text', '请到 3 号评标室', '--json', '--data', data]);
    expect(one.code).toBe(0);
    const { cursor: _cursor, signature, ...body } = downstreamMessageSchema.parse(JSON.parse(one.stdout));
    expect(body).toMatchObject({ deviceId: device.deviceId, type: 'notice.text', payload: { text: '请到 3 号评标室' } });
    expect(verifyText(publicKeyFromBase64(publicKey)!, canonicalJson(body), signature)).toBe(true);

    const all = await runCli(['message', '--all', '--type', 'notice.text', '--text', 'everyone', '--data', data]);
    expect([all.code, all.stdout]).toEqual([0, expect.stringMatching(/^已排队消息 .*（发往 全部设备，序号 2）\nqueued message .* for all devices \(cursor 2\)\n$/)]);

    for (const args of [
      ['message', '--type', 'notice.text', '--text', 'x'], // neither --device nor --all
      ['message', '--all', '--device', device.deviceId, '--type', 'notice.text', '--text', 'x'],
      ['message', '--all', '--text', 'x'], // no --type
      ['message', '--all', '--type', 'Not Dotted', '--text', 'x'],
      ['message', '--device', 'dev-nobody', '--type', 'notice.text', '--text', 'x'],
    ]) {
      const refused = await runCli([...args, '--data', data]);
      expect([args, refused.code, refused.stderr]).toEqual([args, 2, expect.stringMatching(/^错误：.*\nerror: /)]);
    }
  });

  it('lists alerts newest first, as text or as the admin API document', async () => {
    const data = tempDir();
    const store = SqliteCentralStore.open(join(data, 'central.sqlite'));
    const device = await enrolDevice(store);
    expect((await runCli(['alerts', '--data', data])).stdout).toContain('no alerts');
    const older = await store.raiseAlert({ deviceId: device.deviceId, kind: 'sync.chain_broken', detail: { seq: 4 }, createdAt: Date.now() });
    const newer = await store.raiseAlert({ deviceId: device.deviceId, kind: 'sync.event_forged', detail: { seq: 9, reason: 'bad-signature' }, createdAt: Date.now() });
    await store.close();

    const text = await runCli(['alerts', '--data', data]);
    expect(text.code).toBe(0);
    const lines = text.stdout.trimEnd().split('\n');
    expect(lines[1]).toMatch(new RegExp(`^${newer.id} +\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d +${device.deviceId} +sync\\.event_forged +\\{"seq":9,"reason":"bad-signature"\\}$`));
    expect(lines[2]).toContain('sync.chain_broken');
    const json = await runCli(['alerts', '--json', '--limit', '1', '--data', data]);
    expect(JSON.parse(json.stdout)).toEqual({ alerts: [newer] });
    expect(older.id).toBeLessThan(newer.id);
  });
});
