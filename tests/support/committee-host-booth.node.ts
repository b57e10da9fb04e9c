/**
 * A committee member's booth as a real booth host process (booth-client/src/host.node.ts): the screen
 * a browser opens at its launch URL, and the same API over the host's WebSocket for the test. Its USB
 * key is a SoftHSM2 token of its own (the host is its own process: its own SOFTHSM2_CONF). Liveness
 * is off in its config (a still-photo camera cannot blink: test-only, booth-config.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connectHost, type HostClient } from '@kawei/shared/host/host-client.node.ts';
import type { ReviewView } from '@kawei/shared/contract/booth-review.ts';
import { ENTRY, startNode, type AppListening, type Running } from '../../scripts/lib/processes.node.ts';
import { createTestToken, type TestToken } from '../../scripts/lib/softhsm-token.node.ts';
import type { BoothSeat } from './committee-booth.node.ts';

export class CommitteeHostBooth {
  host!: Running<AppListening>;
  client!: HostClient;
  deviceId = '';
  private port = 0;

  private constructor(
    readonly seat: BoothSeat,
    readonly dataDir: string,
    readonly token: TestToken,
    private readonly configFile: string,
  ) {}

  static async create(seat: BoothSeat, dir: string, pin: string): Promise<CommitteeHostBooth> {
    mkdirSync(dir, { recursive: true });
    const token = await createTestToken({ dir: join(dir, 'token'), codeName: seat.codename, label: 'expert-key', pin, cas: 1, keyType: 'ec' });
    const configFile = join(dir, 'booth-config.json');
    writeFileSync(
      configFile,
      JSON.stringify({ pkcs11Module: token.modulePath, trustDir: token.trustDir, tokenPollMs: 200, livenessChallenges: 0, absenceLimitS: 3600, recheckIntervalMs: { minMs: 14_400_000, maxMs: 14_400_000 } }),
    );
    const booth = new CommitteeHostBooth(seat, join(dir, 'data'), token, configFile);
    await booth.start();
    return booth;
  }

  get boothId(): string {
    return `${this.seat.room}-${this.seat.label}`;
  }

  get codename(): string {
    return this.seat.codename;
  }

  get launchUrl(): string {
    return this.host.ready.launchUrl;
  }

  async start(): Promise<void> {
    this.host = await startNode<AppListening>(
      ENTRY.boothHost,
      ['--data', this.dataDir, '--port', String(this.port), '--config', this.configFile, '--link-interval', '250'],
      { label: `booth ${this.boothId}`, quiet: true, env: this.token.env, timeoutMs: 60_000 },
    );
    this.port = Number(new URL(this.host.ready.url).port);
    this.client = await connectHost(this.host.ready.launchUrl);
  }

  call<T>(name: string, input: unknown = {}): Promise<T> {
    return this.client.call<T>(name, input);
  }

  review(): Promise<ReviewView> {
    return this.call<ReviewView>('getReview');
  }

  async enrol(centralUrl: string, code: string, centralFingerprint: string): Promise<void> {
    const status = await this.call<{ provisioning: string; deviceId?: string }>('enrol', { centralUrl, code, centralFingerprint });
    if (status.provisioning !== 'enrolled' || !status.deviceId) throw new Error(`booth ${this.boothId} did not enrol: ${JSON.stringify(status)}`);
    this.deviceId = status.deviceId;
  }

  async stop(): Promise<void> {
    this.client?.close();
    await this.host?.stop();
  }
}
