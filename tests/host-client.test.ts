/**
 * The Node client of an app host's WebSocket API against a real booth host process: it calls the
 * contract as the renderer would, a wrong launch secret is refused by the host, hostile frames from a
 * process without the secret do not stop it, and the secret is printed only when asked for.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { connectHost, HostCallError } from '@kawei/shared/host/host-client.node.ts';
import { HOST_WS_PATH } from '@kawei/shared/host/ws-protocol.ts';
import { ENTRY, REPO_ROOT, startNode, type AppListening, type Running } from '../scripts/lib/processes.node.ts';

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

  it('outlives a 2 MB frame and invalid UTF-8 from a process without the secret', async () => {
    const url = new URL(host.ready.url);
    const hostile = async (payload: Buffer) => {
      const ws = new WebSocket(`ws://${url.host}${HOST_WS_PATH}`, { origin: url.origin });
      ws.on('error', () => undefined);
      await new Promise((resolve) => ws.once('open', resolve));
      const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
      ws.send(payload, { binary: false });
      return closed;
    };
    // 1009, or a reset (1006) when the host stops reading while the client is still writing the frame.
    expect([1009, 1006]).toContain(await hostile(Buffer.alloc(2 * 1024 * 1024, 0x61)));
    expect(await hostile(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]))).toBe(1007);
    expect(host.child.exitCode).toBeNull();
    const client = await connectHost(host.ready.launchUrl);
    try {
      await expect(client.call('getStatus', {})).resolves.toMatchObject({ provisioning: 'unprovisioned' });
    } finally {
      client.close();
    }
  });
});

describe('host command line', () => {
  it('prints the page URL without the launch secret unless --print-launch-url asks for it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kawei-host-quiet-'));
    const child = spawn(process.execPath, ['--import', 'tsx', ENTRY.boothHost, '--data', dir, '--port', '0'], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    try {
      const lines: string[] = [];
      await new Promise<void>((resolve, reject) => {
        child.once('exit', (code) => reject(new Error(`the host exited with ${code}`)));
        createInterface({ input: child.stdout! }).on('line', (line) => {
          lines.push(line);
          if (line.includes('"listening"')) resolve();
        });
      });
      const listening = JSON.parse(lines.at(-1)!) as Record<string, unknown>;
      expect(listening).toMatchObject({ event: 'listening', app: 'booth' });
      expect(listening).not.toHaveProperty('launchUrl');
      expect(lines.join('\n')).not.toMatch(/#k=/);
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve(null)));
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
