import { describe, expect, it } from 'vitest';
import { LinkMonitor } from '../src/device/link-monitor.node.ts';
import { ApiError, type ErrorCode } from '../src/errors.ts';
import type { LinkStatus } from '../src/contract/device-status.ts';

function monitorWith(outcomes: (ErrorCode | 'ok')[]) {
  let clock = 1000;
  const seen: LinkStatus[] = [];
  const monitor = new LinkMonitor({
    intervalMs: 60_000,
    now: () => (clock += 10),
    probe: async () => {
      const next = outcomes.shift();
      if (next !== 'ok') throw new ApiError(next ?? 'INTERNAL', 'probe failed');
    },
    onChange: (link) => seen.push(link),
  });
  return { monitor, seen };
}

describe('link monitor', () => {
  it('goes online, offline with a reason, and keeps the last contact time', async () => {
    const { monitor } = monitorWith(['ok', 'CENTRAL_UNREACHABLE', 'CENTRAL_UNREACHABLE', 'ok']);
    const online = await monitor.checkNow();
    expect(online).toMatchObject({ state: 'online', reason: null });
    const offline = await monitor.checkNow();
    expect(offline).toMatchObject({ state: 'offline', reason: 'CENTRAL_UNREACHABLE', lastContactAt: online.lastContactAt });
    const stillOffline = await monitor.checkNow();
    expect(stillOffline.since).toBe(offline.since); // the outage started once
    const back = await monitor.checkNow();
    expect(back.state).toBe('online');
    expect(back.lastContactAt).toBeGreaterThan(online.lastContactAt ?? 0);
  });

  it('reports refused when the central no longer knows the device', async () => {
    const { monitor } = monitorWith(['DEVICE_REVOKED']);
    expect(await monitor.checkNow()).toMatchObject({ state: 'refused', reason: 'DEVICE_REVOKED' });
  });

  it('treats an answer not signed by our central as offline, not as online', async () => {
    const { monitor } = monitorWith(['CENTRAL_BAD_RESPONSE']);
    expect(await monitor.checkNow()).toMatchObject({ state: 'offline', reason: 'CENTRAL_BAD_RESPONSE' });
  });

  it('shares one probe between concurrent checks', async () => {
    const { monitor, seen } = monitorWith(['ok', 'CENTRAL_UNREACHABLE']);
    const [a, b] = await Promise.all([monitor.checkNow(), monitor.checkNow()]);
    expect(a).toBe(b);
    expect(seen).toHaveLength(1);
  });
});
