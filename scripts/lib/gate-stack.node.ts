/**
 * A whole gate installation on one machine, made of the real processes: a central on its SQLite
 * file with the demo sites, the demo experts' face registry and today's draw; the entrance gate's
 * host with its turnstile relay, LED panel and SYN6288 voice simulated on socat pty pairs; the gate
 * enrolled and sent today's roster and faces over the sync. The demo (`npm start`), the gate's
 * end-to-end test and the gate benchmark all start it the same way. The central comes from
 * demo-central.node.ts: its own, or one shared with the booth stack (the demo).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSimulator, type RunningSimulator } from '@kawei/led-driver/cli/simulate.node.ts';
import type { GateMonitor } from '@kawei/shared/contract/gate-check.ts';
import { connectHost, type HostClient } from '@kawei/shared/host/host-client.node.ts';
import { hashStaffPin } from '../../gate-kiosk/src/services/staff/staff-sessions.ts';
import { startDemoCentral, type DemoCentral, type StackExpert } from './demo-central.node.ts';
import { ENTRY, startNode, type AppListening, type Running } from './processes.node.ts';
import { bilingual } from '@kawei/shared/i18n/bilingual.ts';

export type { StackExpert } from './demo-central.node.ts';

export const DEMO_GATE_ID = 'gate-entrance';
export const DEMO_STAFF_PIN = '246810';

export interface GateStackOptions {
  dir: string;
  /** A central to attach to (the demo shares one with the booth); a new one in `dir` otherwise. */
  central?: DemoCentral;
  /** Which demo gate to install (default the evaluation-area entrance). */
  gateId?: string;
  liveness?: 'off' | 'active';
  centralPort?: number;
  gatePort?: number;
  quiet?: boolean;
  /** Echo of each step, for the demo's console. */
  log?: (line: string) => void;
}

export interface GateStack {
  readonly date: string;
  readonly centralUrl: string;
  readonly centralData: string;
  readonly central: DemoCentral;
  readonly gate: Running<AppListening>;
  readonly client: HostClient;
  readonly gateDeviceId: string;
  readonly sims: { relay: RunningSimulator; led: RunningSimulator; voice: RunningSimulator };
  readonly experts: StackExpert[];
  /** A face the gate has no template for. */
  readonly strangerPhoto: string;
  readonly registryDir: string;
  /** The site the gate stands at. */
  readonly site: string;
  stopCentral(): Promise<void>;
  startCentral(): Promise<void>;
  /** What the central stored from the gate, of one event type. */
  centralEvents(type: string): Promise<{ seq: number; type: string; payload: Record<string, unknown> }[]>;
  staffMonitor(): Promise<GateMonitor>;
  stop(): Promise<void>;
}

export async function startGateStack(o: GateStackOptions): Promise<GateStack> {
  const log = o.log ?? (() => undefined);
  const central = o.central ?? (await startDemoCentral({ dir: o.dir, quiet: o.quiet ?? true, log, ...(o.centralPort !== undefined ? { centralPort: o.centralPort } : {}) }));
  const ownCentral = o.central === undefined;
  const { date, centralUrl, experts } = central;
  mkdirSync(o.dir, { recursive: true });

  log(bilingual('demo.stack.simulatedDevices'));
  const simDir = join(o.dir, 'devices');
  mkdirSync(simDir, { recursive: true });
  const sims = {
    relay: await startSimulator('relay', simDir),
    led: await startSimulator('led-bx', simDir),
    voice: await startSimulator('syn6288', simDir),
  };
  const configFile = join(o.dir, 'gate-config.json');
  writeFileSync(
    configFile,
    JSON.stringify(
      {
        liveness: o.liveness ?? 'off',
        cooldownMs: 3000,
        staffPinHash: hashStaffPin(DEMO_STAFF_PIN),
        devices: {
          relay: { path: sims.relay.hostPath, baud: sims.relay.baud, coil: 0, pulseMs: 800 },
          led: { path: sims.led.hostPath, baud: sims.led.baud, protocol: 'onbon-bx', clearAfterMs: 15_000 },
          voice: { chip: 'syn6288', path: sims.voice.hostPath, baud: sims.voice.baud },
        },
      },
      null,
      2,
    ),
  );

  log(bilingual('demo.stack.startGate'));
  const gate = await startNode<AppListening>(
    ENTRY.gateHost,
    ['--data', join(o.dir, 'gate'), '--port', String(o.gatePort ?? 0), '--config', configFile, '--link-interval', '300'],
    { label: 'gate', quiet: o.quiet ?? true },
  );
  const client = await connectHost(gate.ready.launchUrl);
  const code = (JSON.parse(await central.cli('enrol-code', '--gate', o.gateId ?? DEMO_GATE_ID, '--json')) as { code: string }).code;
  const status = await client.call<{ provisioning: string; deviceId?: string; position?: { site: { id: string } } }>('enrol', {
    centralUrl,
    code,
    centralFingerprint: central.centralFingerprint,
  });
  if (status.provisioning !== 'enrolled' || !status.deviceId || !status.position) throw new Error('the gate did not enrol');
  const gateDeviceId = status.deviceId;
  const site = status.position.site.id;

  log(bilingual('demo.stack.publishRosters'));
  await central.publishRosters();

  const staffMonitor = async (): Promise<GateMonitor> => {
    const { staffToken } = await client.call<{ staffToken: string }>('staffLogin', { pin: DEMO_STAFF_PIN });
    try {
      return await client.call<GateMonitor>('getMonitor', { staffToken });
    } finally {
      await client.call('staffLogout', { staffToken });
    }
  };
  // The roster is in once the monitor counts today's rooms.
  const until = Date.now() + 30_000;
  for (;;) {
    const m = await staffMonitor();
    if (m.rosterDate === date && m.rooms.length > 0) break;
    if (Date.now() > until) throw new Error(`the gate never received today's roster (monitor: ${JSON.stringify(m.rooms)})`);
    await new Promise((r) => setTimeout(r, 300));
  }

  return {
    date,
    centralUrl,
    centralData: central.centralData,
    central,
    gate,
    client,
    gateDeviceId,
    sims,
    experts,
    strangerPhoto: central.strangerPhoto,
    registryDir: central.registryDir,
    site,
    startCentral: () => central.startCentral(),
    stopCentral: () => central.stopCentral(),
    centralEvents: (type) => central.events(gateDeviceId, type),
    staffMonitor,
    async stop() {
      client.close();
      await gate.stop();
      if (ownCentral) await central.stop();
      for (const s of Object.values(sims)) await s.close();
    },
  };
}
