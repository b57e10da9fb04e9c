/**
 * A whole gate installation on one machine, made of the real processes: a central on its SQLite
 * file with the demo sites, the demo experts' face registry and today's draw; the entrance gate's
 * host with its turnstile relay, LED panel and SYN6288 voice simulated on socat pty pairs; the gate
 * enrolled and sent today's roster and faces over the sync. The demo (`npm start`), the gate's
 * end-to-end test and the gate benchmark all start it the same way.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { startSimulator, type RunningSimulator } from '@kawei/led-driver/cli/simulate.node.ts';
import type { GateMonitor } from '@kawei/shared/contract/gate-check.ts';
import { connectHost, type HostClient } from '@kawei/shared/host/host-client.node.ts';
import { gateDay } from '../../gate-kiosk/src/services/check/gate-day.ts';
import { hashStaffPin } from '../../gate-kiosk/src/services/staff/staff-sessions.ts';
import { ENTRY, REPO_ROOT, runNode, startNode, type AppListening, type Listening, type Running } from './processes.node.ts';

export const DEMO_GATE_ID = 'gate-entrance';
export const DEMO_STAFF_PIN = '246810';
/** The demo expert in the day's pool but never drawn (make-demo-experts.node.ts), used as the stranger. */
const STRANGER_ID = 'E204';
const DRAW_ENTRY = join(REPO_ROOT, 'central/src/draw/main.node.ts');
const DEMO_EXPERTS_ENTRY = join(REPO_ROOT, 'scripts/make-demo-experts.node.ts');

export interface StackExpert {
  id: string;
  /** The registration photo (a fake camera can be made from it). */
  photo: string;
  /** Today's seat, or null when in the pool but not seated. */
  seat: { site: string; room: string; label: string } | null;
}

export interface GateStackOptions {
  dir: string;
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

async function run(entry: string, args: string[], what: string): Promise<string> {
  const out = await runNode(entry, args);
  if (out.code !== 0) throw new Error(`${what} failed (${out.code}):\n${out.stderr}${out.stdout}`);
  return out.stdout;
}

const demoExpertsLine = z.object({
  event: z.literal('demo-experts'),
  dir: z.string(),
  day: z.string(),
  date: z.string(),
  experts: z.array(z.object({ id: z.string(), photo: z.string() })),
});
const seatsSchema = z.object({ seats: z.array(z.object({ expert: z.string(), site: z.string(), room: z.string(), label: z.string() })) });

export async function startGateStack(o: GateStackOptions): Promise<GateStack> {
  const log = o.log ?? (() => undefined);
  const date = gateDay(Date.now());
  const centralData = join(o.dir, 'central');
  const central = (...args: string[]) => run(ENTRY.central, [...args, '--data', centralData], `kawei-central ${args[0] ?? ''}`);
  mkdirSync(o.dir, { recursive: true });

  log('中心初始化 / seeding the central');
  await central('seed-demo');

  log('演示专家与人脸库 / demo experts and face registry');
  const registryDir = join(o.dir, 'experts');
  const made = demoExpertsLine.parse(JSON.parse((await run(DEMO_EXPERTS_ENTRY, [registryDir, '--date', date], 'make-demo-experts')).trim().split('\n').at(-1) ?? ''));
  // face-api's demo photos hold only five usable, mutually distinct faces, all of them demo experts.
  // The stranger is one of them taken out of the registry: the gate has no template for that face.
  const strangerId = made.experts.find((e) => e.id === STRANGER_ID)?.id;
  if (!strangerId) throw new Error(`the demo experts lack ${STRANGER_ID}`);
  const strangerPhoto = join(o.dir, 'stranger.jpg');
  renameSync(join(registryDir, 'photos', strangerId, '1.jpg'), strangerPhoto);
  rmSync(join(registryDir, 'photos', strangerId), { recursive: true, force: true });
  const registryFile = join(registryDir, 'experts.json');
  const registry = z.array(z.object({ id: z.string() }).passthrough()).parse(JSON.parse(readFileSync(registryFile, 'utf8')));
  writeFileSync(registryFile, JSON.stringify(registry.filter((e) => e.id !== strangerId), null, 2));

  log(`当日抽取与座位分配 / today's draw (${date})`);
  const secretFile = join(o.dir, 'draw-secret.txt');
  const resultFile = join(o.dir, 'draw-result.json');
  await run(DRAW_ENTRY, ['commit', '--input', made.day, '--secret-out', secretFile], 'kawei-draw commit');
  await run(DRAW_ENTRY, ['draw', '--input', made.day, '--secret-file', secretFile, '--public-value', `demo ${date}`, '--out', resultFile], 'kawei-draw draw');
  const seats = seatsSchema.parse(JSON.parse(readFileSync(resultFile, 'utf8'))).seats;
  const experts: StackExpert[] = made.experts.filter((e) => e.id !== strangerId).map((e) => {
    const s = seats.find((x) => x.expert === e.id);
    return { id: e.id, photo: e.photo, seat: s ? { site: s.site, room: s.room, label: s.label } : null };
  });

  let centralProc: Running<Listening> | null = null;
  let centralPort = o.centralPort ?? 0;
  const startCentral = async (): Promise<void> => {
    centralProc = await startNode<Listening>(ENTRY.central, ['serve', '--data', centralData, '--host', '127.0.0.1', '--port', String(centralPort)], {
      label: 'central',
      quiet: o.quiet ?? true,
    });
    centralPort = Number(new URL(centralProc.ready.url).port);
  };
  await startCentral();
  const centralUrl = `http://127.0.0.1:${centralPort}`;

  log('模拟闸机设备 / simulated turnstile, LED panel and voice on pty pairs');
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

  log('启动闸机并注册 / starting the gate and enrolling it');
  const gate = await startNode<AppListening>(
    ENTRY.gateHost,
    ['--data', join(o.dir, 'gate'), '--port', String(o.gatePort ?? 0), '--config', configFile, '--link-interval', '300'],
    { label: 'gate', quiet: o.quiet ?? true },
  );
  const client = await connectHost(gate.ready.launchUrl);
  const code = (JSON.parse(await central('enrol-code', '--gate', o.gateId ?? DEMO_GATE_ID, '--json')) as { code: string }).code;
  const status = await client.call<{ provisioning: string; deviceId?: string; position?: { site: { id: string } } }>('enrol', { centralUrl, code });
  if (status.provisioning !== 'enrolled' || !status.deviceId || !status.position) throw new Error('the gate did not enrol');
  const gateDeviceId = status.deviceId;
  const site = status.position.site.id;

  log('下发当日名单与人脸 / publishing rosters and faces');
  await central('publish-rosters', '--result', resultFile, '--experts', registryDir, '--day', made.day);

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
    centralData,
    gate,
    client,
    gateDeviceId,
    sims,
    experts,
    strangerPhoto,
    registryDir,
    site,
    startCentral,
    stopCentral: async () => {
      await centralProc?.stop();
      centralProc = null;
    },
    async centralEvents(type) {
      const out = await central('events', '--device', gateDeviceId, '--type', type, '--json');
      return (JSON.parse(out) as { events: { seq: number; type: string; payload: Record<string, unknown> }[] }).events;
    },
    staffMonitor,
    async stop() {
      client.close();
      await gate.stop();
      await centralProc?.stop();
      for (const s of Object.values(sims)) await s.close();
    },
  };
}
