import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { CentralClient, credentialsFrom } from '@kawei/shared/device/central-client.node.ts';
import { DeviceIdentityService } from '@kawei/shared/device/device-identity.node.ts';
import { DeviceStore } from '@kawei/shared/device/device-store.node.ts';
import { privateKeyFromPkcs8 } from '@kawei/shared/crypto/ed25519.node.ts';
import { ENTRY, fingerprintOf, runNode, startNode, type Listening } from '../scripts/lib/processes.node.ts';
import { summarise, type BenchResult } from './bench.ts';

/**
 * What device authentication costs at the central: sequential signed GET /api/device/me (Ed25519
 * sign on the device, verify + nonce insert with synchronous=FULL + signed answer at the central,
 * verify again on the device) against GET /api/health (no auth, no storage) on the same central
 * process, same loopback, same run.
 */
const REQUESTS = Number(process.env['KAWEI_BENCH_REQUESTS'] ?? 2000);
const WARMUP = 200;

export async function run(): Promise<BenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'kawei-bench-auth-'));
  const data = join(dir, 'central');
  await runNode(ENTRY.central, ['seed-demo', '--data', data]);
  const central = await startNode<Listening>(ENTRY.central, ['serve', '--data', data, '--port', '0'], {
    label: 'central',
    quiet: true,
  });
  try {
    const url = central.ready.url.replace(/\/$/, '');
    const out = await runNode(ENTRY.central, ['enrol-code', '--booth', 'room-3-A1', '--json', '--data', data]);
    const store = DeviceStore.open(join(dir, 'device', 'device.sqlite'));
    const identity = new DeviceIdentityService({ kind: 'booth', store, appVersion: 'bench', linkIntervalMs: 3_600_000 });
    await identity.enrol(url, (JSON.parse(out.stdout) as { code: string }).code, fingerprintOf(central));
    await identity.close();
    const id = store.identity()!;
    const credentials = credentialsFrom({
      deviceId: id.deviceId,
      privateKey: privateKeyFromPkcs8(id.privateKeyPkcs8),
      centralPublicKey: id.centralPublicKey,
    });
    const client = new CentralClient(url, { tlsPin: fingerprintOf(central) });

    const time = async (fn: () => Promise<unknown>) => {
      for (let i = 0; i < WARMUP; i++) await fn();
      const samples: number[] = [];
      const started = performance.now();
      for (let i = 0; i < REQUESTS; i++) {
        const t0 = performance.now();
        await fn();
        samples.push(performance.now() - t0);
      }
      const seconds = (performance.now() - started) / 1000;
      return { ...summarise(samples), perSecond: Math.round(REQUESTS / seconds) };
    };

    const health = await time(() => client.health());
    const signed = await time(() => client.deviceMe(credentials));
    store.close();
    return {
      metrics: {
        requests: REQUESTS,
        signed_p50_ms: signed.p50,
        signed_p95_ms: signed.p95,
        signed_p99_ms: signed.p99,
        signed_per_second: signed.perSecond,
        ratio_p50_vs_baseline: Math.round((signed.p50 / health.p50) * 100) / 100,
        ratio_throughput_vs_baseline: Math.round((signed.perSecond / health.perSecond) * 100) / 100,
      },
      baseline: {
        description: 'GET /api/health on the same central process (no signature, no storage)',
        metrics: { p50_ms: health.p50, p95_ms: health.p95, p99_ms: health.p99, per_second: health.perSecond },
      },
    };
  } finally {
    await central.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
