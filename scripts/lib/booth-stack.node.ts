/**
 * A whole booth installation on one machine, made of the real processes: a central (demo-central:
 * the demo sites, the demo experts' face registry made for today, today's draw), a SoftHSM2 token
 * made at start-up standing in for the seated expert's USB key (a test CA and the expert's
 * certificate with the day's code name as CN; the trust folder holds the CAs), and the booth host at
 * the booth where a demo expert of the blind project is seated today, enrolled through its own API,
 * sent the rosters and faces (publish-rosters --experts) and the project's material (generated tender
 * PDFs with the bidders' names inside, publish-project). The demo (`npm start`), the booth's
 * end-to-end tests and the booth benchmark all start it the same way.
 *
 * Liveness: `liveness` is the booth config's `livenessChallenges`. A fake camera made from a still
 * registration photo cannot blink or turn its head, so it can log in only with 0 challenges — a
 * test-only setting (booth-config.ts; the booth logs a warning). The E2E that drives Chromium's fake
 * camera uses 0, and shows separately that with liveness on the same photo is refused.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { DEVICE_STORE_FILE } from '@kawei/shared/device/device-app-services.node.ts';
import { DeviceStore } from '@kawei/shared/device/device-store.node.ts';
import { connectHost, type HostClient } from '@kawei/shared/host/host-client.node.ts';
import { buildNeedles, type Needle } from '@kawei/shared/tender/blind-match.ts';
import { createTestToken, type TestToken } from './softhsm-token.node.ts';
import { run, startDemoCentral, type DemoCentral, type DrawSeat, type StackExpert } from './demo-central.node.ts';
import { ENTRY, REPO_ROOT, startNode, type AppListening, type Running } from './processes.node.ts';
import { bilingual } from '@kawei/shared/i18n/bilingual.ts';

const DEMO_PROJECT_ENTRY = join(REPO_ROOT, 'scripts/make-demo-project.node.ts');
/** The demo token's user PIN (SoftHSM2), typed on the booth's PIN pad. */
export const DEMO_TOKEN_PIN = '123456';

export interface BoothStackOptions {
  dir: string;
  /** A central to attach to (the demo shares one with the gate); a new one in `dir` otherwise. */
  central?: DemoCentral;
  /** Active liveness challenges per face check (default 3). 0 only for a still-photo camera: test-only. */
  liveness?: number;
  /** Pages of each generated tender PDF (default 300; at least 8). */
  pages?: number;
  /** Random face re-checks while working (default the booth's 20–40 min); tests may shorten it. */
  recheckIntervalMs?: { minMs: number; maxMs: number };
  centralPort?: number;
  boothPort?: number;
  quiet?: boolean;
  /** Echo of each step, for the demo's console. */
  log?: (line: string) => void;
}

export interface BoothStackMaterial {
  project: string;
  dir: string;
  blind: boolean;
  files: { file: string; bidder: string; pages: number; bytes: number; sha256: string }[];
}

export interface BoothStack {
  readonly date: string;
  readonly central: DemoCentral;
  readonly centralUrl: string;
  /** The booth host now running (a new one after restartBooth). */
  readonly booth: Running<AppListening>;
  /** A client of the running booth host (reconnected after restartBooth). */
  readonly client: HostClient;
  readonly boothId: string;
  readonly boothDeviceId: string;
  readonly boothDataDir: string;
  /** The seat of today's draw this booth serves: expert, code name, project, room, label. */
  readonly seat: DrawSeat;
  /** The seated expert, with the registration photo a fake camera is made from. */
  readonly expert: StackExpert;
  readonly token: TestToken;
  /** The CA that issued the expert's certificate, as PEM (for `openssl cms -verify -CAfile`). */
  readonly caPem: string;
  readonly material: BoothStackMaterial;
  /** The project's bidders' real names and aliases (never to reach the renderer of a blind project). */
  readonly bidderNames: string[];
  /** The blind matcher's needles for those names (normalised forms, short forms without 有限公司 …). */
  readonly bidderNeedles: Needle[];
  /** What the central stored from the booth, of one event type. */
  centralEvents(type: string): Promise<{ seq: number; type: string; payload: Record<string, unknown> }[]>;
  /** What the booth's own sync log holds, of one event type (read from its store). */
  boothEvents(type: string): { seq: number; type: string; payload: Record<string, unknown> }[];
  stopCentral(): Promise<void>;
  startCentral(): Promise<void>;
  /**
   * Stops the booth host (SIGKILL with `kill`, as a crash or power cut) and starts it again on the
   * same data and port; with `liveness`, under a config with that many challenges from now on.
   */
  restartBooth(o?: { kill?: boolean; liveness?: number }): Promise<void>;
  stop(): Promise<void>;
}

const demoProjectLine = z.object({
  event: z.literal('demo-project'),
  projects: z.array(
    z.object({
      project: z.string(),
      dir: z.string(),
      blind: z.boolean(),
      files: z.array(z.object({ file: z.string(), bidder: z.string(), pages: z.number(), bytes: z.number() })),
    }),
  ),
});
const projectJsonSchema = z.object({ bidders: z.array(z.object({ code: z.string(), name: z.string(), aliases: z.array(z.string()) })) });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The inbox message types the booth has stored (its device store, read from this process). */
function inboxTypes(dataDir: string): string[] {
  const file = join(dataDir, DEVICE_STORE_FILE);
  if (!existsSync(file)) return [];
  const store = DeviceStore.open(file);
  try {
    return store.inbox().map((m) => m.type);
  } finally {
    store.close();
  }
}

export async function startBoothStack(o: BoothStackOptions): Promise<BoothStack> {
  const log = o.log ?? (() => undefined);
  const central = o.central ?? (await startDemoCentral({ dir: o.dir, quiet: o.quiet ?? true, log, ...(o.centralPort !== undefined ? { centralPort: o.centralPort } : {}) }));
  const ownCentral = o.central === undefined;
  mkdirSync(o.dir, { recursive: true });

  // The booth of an expert seated on a blind project today (the demo day flags GC-01 blind), whose
  // face is in the registry.
  const withPhoto = (s: DrawSeat) => central.experts.some((e) => e.id === s.expert);
  const seat = central.seats.find((s) => central.blind.includes(s.project) && withPhoto(s)) ?? central.seats.find(withPhoto);
  if (!seat) throw new Error("no demo expert with a face is seated today: the booth has nobody to log in");
  const expert = central.experts.find((e) => e.id === seat.expert)!;
  const boothId = `${seat.room}-${seat.label}`;

  log(bilingual('demo.stack.usbKey', { codename: seat.codename }));
  const token = await createTestToken({ dir: join(o.dir, 'token'), codeName: seat.codename, label: 'expert-key', pin: DEMO_TOKEN_PIN });
  const caPem = join(token.trustDir, 'ca-1.pem');

  const configFile = join(o.dir, 'booth-config.json');
  const writeConfig = (liveness: number) =>
    writeFileSync(
      configFile,
      `${JSON.stringify(
        {
          pkcs11Module: token.modulePath,
          trustDir: token.trustDir,
          tokenPollMs: 200,
          livenessChallenges: liveness,
          ...(o.recheckIntervalMs ? { recheckIntervalMs: o.recheckIntervalMs } : {}),
        },
        null,
        2,
      )}\n`,
    );
  writeConfig(o.liveness ?? 3);

  const boothDataDir = join(o.dir, 'booth');
  let boothPort = o.boothPort ?? 0;
  let booth: Running<AppListening>;
  let client: HostClient;
  const startBooth = async (): Promise<void> => {
    booth = await startNode<AppListening>(
      ENTRY.boothHost,
      ['--data', boothDataDir, '--port', String(boothPort), '--config', configFile, '--link-interval', '300'],
      { label: 'booth', quiet: o.quiet ?? true, env: token.env, timeoutMs: 60_000 },
    );
    boothPort = Number(new URL(booth.ready.url).port);
    client = await connectHost(booth.ready.launchUrl);
  };

  log(bilingual('demo.stack.startBooth', { booth: boothId }));
  await startBooth();
  const code = (JSON.parse(await central.cli('enrol-code', '--booth', boothId, '--json')) as { code: string }).code;
  const status = await client!.call<{ provisioning: string; deviceId?: string }>('enrol', {
    centralUrl: central.centralUrl,
    code,
    centralFingerprint: central.centralFingerprint,
  });
  if (status.provisioning !== 'enrolled' || !status.deviceId) throw new Error('the booth did not enrol');
  const boothDeviceId = status.deviceId;

  log(bilingual('demo.stack.publishRosters'));
  await central.publishRosters();

  const pages = o.pages ?? 300;
  log(bilingual('demo.stack.tenders', { pages, project: seat.project }));
  const made = demoProjectLine.parse(
    JSON.parse((await run(DEMO_PROJECT_ENTRY, [join(o.dir, 'material'), '--day', central.dayFile, '--pages', String(pages)], 'make-demo-project')).trim().split('\n').at(-1) ?? ''),
  );
  const project = made.projects.find((p) => p.project === seat.project);
  if (!project) throw new Error(`make-demo-project made no material for ${seat.project}`);
  await central.cli('publish-project', '--result', central.resultFile, '--project', seat.project, '--material', project.dir);
  const material: BoothStackMaterial = {
    ...project,
    files: project.files.map((f) => ({ ...f, sha256: createHash('sha256').update(readFileSync(f.file)).digest('hex') })),
  };
  const bidders = projectJsonSchema.parse(JSON.parse(readFileSync(join(project.dir, 'project.json'), 'utf8'))).bidders;

  // Ready: roster, face and project in the booth's inbox, every tender file downloaded and checked
  // (listFiles answers only to a logged-in expert, so the files are looked for on the booth's disk).
  const until = Date.now() + 120_000;
  for (;;) {
    let types: string[] = [];
    try {
      types = inboxTypes(boothDataDir);
    } catch {
      // the booth is writing: look again
    }
    const files = material.files.every((f) => existsSync(join(boothDataDir, 'tender-files', `${f.sha256}.sealed`)));
    if (['roster.booth', 'faces.booth', 'project.booth'].every((t) => types.includes(t)) && files) break;
    if (Date.now() > until) throw new Error(`the booth never got its day (inbox: ${types.join(', ')}; files on disk: ${files})`);
    await sleep(300);
  }

  const boothEvents = (type: string) => {
    const store = DeviceStore.open(join(boothDataDir, DEVICE_STORE_FILE));
    try {
      return store
        .eventsAfter(0, 100_000)
        .filter((e) => e.type === type)
        .map((e) => ({ seq: e.seq, type: e.type, payload: e.payload as Record<string, unknown> }));
    } finally {
      store.close();
    }
  };

  return {
    date: central.date,
    central,
    centralUrl: central.centralUrl,
    get booth() {
      return booth;
    },
    get client() {
      return client;
    },
    boothId,
    boothDeviceId,
    boothDataDir,
    seat,
    expert,
    token,
    caPem,
    material,
    bidderNames: bidders.flatMap((b) => [b.name, ...b.aliases]),
    bidderNeedles: buildNeedles(bidders),
    centralEvents: (type) => central.events(boothDeviceId, type),
    boothEvents,
    startCentral: () => central.startCentral(),
    stopCentral: () => central.stopCentral(),
    async restartBooth(r = {}) {
      client.close();
      if (r.kill) {
        const gone = new Promise<void>((resolve) => booth.child.once('exit', () => resolve()));
        booth.child.kill('SIGKILL');
        await gone;
      } else {
        await booth.stop();
      }
      if (r.liveness !== undefined) writeConfig(r.liveness);
      await startBooth();
    },
    async stop() {
      client.close();
      await booth.stop();
      if (ownCentral) await central.stop();
    },
  };
}
