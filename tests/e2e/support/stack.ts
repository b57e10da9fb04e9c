import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ENTRY,
  fingerprintOf,
  runNode,
  startNode,
  type AppListening,
  type Listening,
  type Running,
} from '../../../scripts/lib/processes.node.ts';

/**
 * A real stack for a browser test: a central process on its own SQLite file, seeded with the demo
 * topology, and fresh booth and gate hosts. Everything on 127.0.0.1, everything stopped afterwards.
 */
export class Stack {
  readonly dir = mkdtempSync(join(tmpdir(), 'kawei-e2e-'));
  readonly centralData = join(this.dir, 'central');
  central: Running<Listening> | null = null;
  private centralPort = 0;
  /** SHA-256 of the central's TLS key (kept in its data directory, so the same after a restart). */
  centralFingerprint = '';
  private readonly apps: Running<AppListening>[] = [];

  async startCentral(): Promise<string> {
    if (this.centralPort === 0) await this.cli(['seed-demo']);
    this.central = await startNode<Listening>(
      ENTRY.central,
      ['serve', '--data', this.centralData, '--host', '127.0.0.1', '--port', String(this.centralPort)],
      { label: 'central', quiet: true },
    );
    this.centralPort = Number(new URL(this.central.ready.url).port);
    this.centralFingerprint = fingerprintOf(this.central);
    return this.centralUrl;
  }

  get centralUrl(): string {
    return `https://127.0.0.1:${this.centralPort}`;
  }

  async stopCentral(): Promise<void> {
    await this.central?.stop();
    this.central = null;
  }

  async cli(args: string[]): Promise<string> {
    const out = await runNode(ENTRY.central, [...args, '--data', this.centralData]);
    if (out.code !== 0) throw new Error(`kawei-central ${args.join(' ')} failed (${out.code}): ${out.stderr}`);
    return out.stdout;
  }

  async enrolCode(kind: 'booth' | 'gate', id: string): Promise<string> {
    const out = JSON.parse(await this.cli(['enrol-code', `--${kind}`, id, '--json'])) as { code: string };
    return out.code;
  }

  async startApp(app: 'booth' | 'gate'): Promise<AppListening> {
    const running = await startNode<AppListening>(
      app === 'booth' ? ENTRY.boothHost : ENTRY.gateHost,
      ['--data', join(this.dir, `${app}-${this.apps.length}`), '--link-interval', '300'],
      { label: app, quiet: true },
    );
    this.apps.push(running);
    return running.ready;
  }

  async stop(): Promise<void> {
    await Promise.all(this.apps.map((a) => a.stop()));
    await this.stopCentral();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
