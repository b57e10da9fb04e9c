/**
 * The Node client of an app host's WebSocket API against a real booth host process: it calls the
 * contract as the renderer would, and a wrong launch secret is refused by the host.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectHost, HostCallError } from '@kawei/shared/host/host-client.node.ts';
import { ENTRY, startNode, type AppListening, type Running } from '../scripts/lib/processes.node.ts';

describe('host client', () => {
  let dir: string;
  let host: Running<AppListening>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kawei-host-client-'));
    host = await startNode<AppListening>(ENTRY.boothHost, ['--data', dir, '--port', '0'], { label: 'booth', quiet: true });
  }, 60_000);

  afterAll(async () => {
    await host?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('calls the contract with the launch secret', async () => {
    const client = await connectHost(host.ready.launchUrl);
    try {
      const status = await client.call<{ provisioning: string }>('getStatus', {});
      expect(status.provisioning).toBe('unprovisioned');
      const bad = await client.callResult('enrol', { centralUrl: 'ftp://x', code: '' });
      expect(bad.ok).toBe(false);
      await expect(client.call('noSuchCall', {})).rejects.toBeInstanceOf(HostCallError);
    } finally {
      client.close();
    }
  });

  it('is refused with a wrong secret', async () => {
    const wrong = host.ready.launchUrl.replace(/#k=.*/, '#k=not-the-secret');
    await expect(connectHost(wrong)).rejects.toThrow(/4401/);
  });
});
