/**
 * A whole booth installation on one machine, made of the real processes: a central (demo-central:
 * the demo sites, the demo experts' face registry made for today, today's draw), a SoftHSM2 token
 * made at start-up standing in for the seated expert's USB key (a test CA and the expert's
 * certificate with the day's code name as CN; the trust folder holds the CAs), and the booth host at
 * the booth where a demo expert of the blind project is seated today, enrolled through its own API,
 * sent the rosters and faces (publish-rosters --experts) and the project's material (generated tender
 * PDFs with the bidders' names inside, publish-project). The booth's end-to-end tests and the booth
 * benchmark start it (startBoothStack: one booth, plain criteria). The demo (`npm start`) starts
 * every booth of one committee the same way (startCommitteeStack: one host per seat of the project,
 * one after another, then the material with the evaluation rules and the opening record, which
 * opens the committee).
 *
 * Liveness: `liveness` is the booth config's `livenessChallenges`. A fake camera made from a still
 * registration photo cannot blink or turn its head, so it can log in only with 0 challenges — a
 * test-only setting (booth-config.ts; the booth logs a warning). The E2E that drives Chromium's fake
 * camera uses 0, and shows separately that with liveness on the same photo is refused.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
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
  /**
   * Publish the demo's evaluation rules and opening record (default false: the plain criteria, so the
   * one seated expert scores and signs alone, as before the committee review; a committee of one
   * booth among several seats would wait for the others). startCommitteeStack always publishes them.
   */
  rules?: boolean;
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

/** A booth host of the demo stack: its own SoftHSM2 token and config, started and enrolled on its seat's booth. */
export interface BoothHost {
  /** The booth host now running (a new one after restart). */
  readonly booth: Running<AppListening>;
  /** A client of the running booth host (reconnected after restart). */
  readonly client: HostClient;
  readonly boothId: string;
  readonly boothDeviceId: string;
  readonly boothDataDir: string;
  readonly seat: DrawSeat;
  readonly expert: StackExpert;
  readonly token: TestToken;
  readonly caPem: string;
  restart(o?: { kill?: boolean; liveness?: number }): Promise<void>;
  stop(): Promise<void>;
}

interface BoothHostOptions {
  dir: string;
  central: DemoCentral;
  seat: DrawSeat;
  liveness?: number;
  recheckIntervalMs?: { minMs: number; maxMs: number };
  boothPort?: number;
  quiet?: boolean;
  log: (line: string) => void;
}

/**
 * Makes the seated expert's token (test CA, certificate under the code name), writes the booth's
 * config, starts the booth host and enrols it on the seat's booth through its own API. Nothing is
 * published yet: the caller publishes rosters and material once every booth it wants is enrolled.
 */
async function startBoothHost(o: BoothHostOptions): Promise<BoothHost> {
  const { central, seat } = o;
  const expert = central.experts.find((e) => e.id === seat.expert);
  if (!expert) throw new Error(`${seat.expert} (seated in ${seat.room}-${seat.label}) has no face in the demo registry: nobody could log in there`);
  const boothId = `${seat.room}-${seat.label}`;
  mkdirSync(o.dir, { recursive: true });

  o.log(bilingual('demo.stack.usbKey', { codename: seat.codename }));
  const token = await createTestToken({ dir: join(o.dir, 'token'), codeName: seat.codename, label: 'expert-key', pin: DEMO_TOKEN_PIN });
  const caPem = join(token.trustDir, 'ca-1.pem');
  // The central checks the report's signatures against its own trust folder (serve --trust, re-read when it changes).
  for (const name of readdirSync(token.trustDir)) copyFileSync(join(token.trustDir, name), join(central.trustDir, `${seat.codename}-${name}`));

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
      { label: `booth ${boothId}`, quiet: o.quiet ?? true, env: token.env, timeoutMs: 60_000 },
    );
    boothPort = Number(new URL(booth.ready.url).port);
    client = await connectHost(booth.ready.launchUrl);
  };

  o.log(bilingual('demo.stack.startBooth', { booth: boothId }));
  await startBooth();
  const code = (JSON.parse(await central.cli('enrol-code', '--booth', boothId, '--json')) as { code: string }).code;
  const status = await client!.call<{ provisioning: string; deviceId?: string }>('enrol', {
    centralUrl: central.centralUrl,
    code,
    centralFingerprint: central.centralFingerprint,
  });
  if (status.provisioning !== 'enrolled' || !status.deviceId) throw new Error(`the booth ${boothId} did not enrol`);
  const boothDeviceId = status.deviceId;

  return {
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
    async restart(r = {}) {
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
    },
  };
}

/** What publish-project --json said about the committee it opened (or why it did not). */
const committeeSummarySchema = z.union([
  z.object({ opened: z.literal(true), method: z.string(), members: z.number(), alternates: z.number() }),
  z.object({ opened: z.literal(false), why: z.string() }),
]);
export type PublishedCommittee = z.infer<typeof committeeSummarySchema>;

interface PublishedProject {
  material: BoothStackMaterial;
  bidders: { code: string; name: string; aliases: string[] }[];
  committee: PublishedCommittee;
}

/**
 * Generates the demo material of `project` (make-demo-project) and publishes it (publish-project):
 * files and criteria, and with `rules` the evaluation rules and the opening record (which opens the
 * committee once every booth of the project is enrolled).
 */
async function publishDemoProject(
  central: DemoCentral,
  o: { dir: string; project: string; pages: number; rules: boolean; log: (line: string) => void },
): Promise<PublishedProject> {
  const { project, pages } = o;
  o.log(bilingual('demo.stack.tenders', { pages, project }));
  const args = [join(o.dir, 'material'), '--day', central.dayFile, '--pages', String(pages), ...(o.rules ? [] : ['--criteria-only'])];
  const made = demoProjectLine.parse(JSON.parse((await run(DEMO_PROJECT_ENTRY, args, 'make-demo-project')).trim().split('\n').at(-1) ?? ''));
  const madeProject = made.projects.find((p) => p.project === project);
  if (!madeProject) throw new Error(`make-demo-project made no material for ${project}`);
  const summary = JSON.parse(await central.cli('publish-project', '--result', central.resultFile, '--project', project, '--material', madeProject.dir, '--json')) as {
    committee?: unknown;
  };
  const material: BoothStackMaterial = {
    ...madeProject,
    files: madeProject.files.map((f) => ({ ...f, sha256: createHash('sha256').update(readFileSync(f.file)).digest('hex') })),
  };
  const bidders = projectJsonSchema.parse(JSON.parse(readFileSync(join(madeProject.dir, 'project.json'), 'utf8'))).bidders;
  return { material, bidders, committee: committeeSummarySchema.parse(summary.committee) };
}

/**
 * Waits until the booth holds its day: roster, face and project in its inbox, every tender file
 * downloaded and checked (listFiles answers only to a logged-in expert, so the files are looked for
 * on the booth's disk).
 */
async function untilBoothHasItsDay(boothDataDir: string, material: BoothStackMaterial): Promise<void> {
  const until = Date.now() + 120_000;
  for (;;) {
    let types: string[] = [];
    try {
      types = inboxTypes(boothDataDir);
    } catch {
      // the booth is writing: look again
    }
    const files = material.files.every((f) => existsSync(join(boothDataDir, 'tender-files', `${f.sha256}.sealed`)));
    if (['roster.booth', 'faces.booth', 'project.booth'].every((t) => types.includes(t)) && files) return;
    if (Date.now() > until) throw new Error(`the booth never got its day (inbox: ${types.join(', ')}; files on disk: ${files})`);
    await sleep(300);
  }
}

function boothEventsOf(boothDataDir: string, type: string): { seq: number; type: string; payload: Record<string, unknown> }[] {
  const store = DeviceStore.open(join(boothDataDir, DEVICE_STORE_FILE));
  try {
    return store
      .eventsAfter(0, 100_000)
      .filter((e) => e.type === type)
      .map((e) => ({ seq: e.seq, type: e.type, payload: e.payload as Record<string, unknown> }));
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

  const host = await startBoothHost({
    dir: o.dir,
    central,
    seat,
    log,
    ...(o.liveness !== undefined ? { liveness: o.liveness } : {}),
    ...(o.recheckIntervalMs ? { recheckIntervalMs: o.recheckIntervalMs } : {}),
    ...(o.boothPort !== undefined ? { boothPort: o.boothPort } : {}),
    ...(o.quiet !== undefined ? { quiet: o.quiet } : {}),
  });

  log(bilingual('demo.stack.publishRosters'));
  await central.publishRosters();
  const { material, bidders } = await publishDemoProject(central, { dir: o.dir, project: seat.project, pages: o.pages ?? 300, rules: o.rules ?? false, log });
  await untilBoothHasItsDay(host.boothDataDir, material);

  return {
    date: central.date,
    central,
    centralUrl: central.centralUrl,
    get booth() {
      return host.booth;
    },
    get client() {
      return host.client;
    },
    boothId: host.boothId,
    boothDeviceId: host.boothDeviceId,
    boothDataDir: host.boothDataDir,
    seat,
    expert: host.expert,
    token: host.token,
    caPem: host.caPem,
    material,
    bidderNames: bidders.flatMap((b) => [b.name, ...b.aliases]),
    bidderNeedles: buildNeedles(bidders),
    centralEvents: (type) => central.events(host.boothDeviceId, type),
    boothEvents: (type) => boothEventsOf(host.boothDataDir, type),
    startCentral: () => central.startCentral(),
    stopCentral: () => central.stopCentral(),
    restartBooth: (r) => host.restart(r),
    async stop() {
      await host.stop();
      if (ownCentral) await central.stop();
    },
  };
}

export interface CommitteeStackOptions {
  dir: string;
  /** The demo's central; its day must seat the committee's experts on booths (demo-central `committeeDay`). */
  central: DemoCentral;
  /** The project whose committee to seat (default: the first blind project of the day). */
  project?: string;
  liveness?: number;
  pages?: number;
  /** One port per booth, in seat order (0 or absent: any free port). */
  boothPorts?: readonly number[];
  quiet?: boolean;
  log?: (line: string) => void;
}

export interface CommitteeStack {
  readonly project: string;
  /** One booth host per seat of the project, in the draw's seat order. */
  readonly booths: readonly BoothHost[];
  readonly material: BoothStackMaterial;
  /** What publish-project said about the committee it opened. */
  readonly committee: PublishedCommittee;
  boothEvents(host: BoothHost, type: string): { seq: number; type: string; payload: Record<string, unknown> }[];
  stop(): Promise<void>;
}

/**
 * Every booth of one project's committee: one booth host per seat of the project (own SoftHSM2
 * token, own config, own data folder), started and enrolled ONE AFTER ANOTHER — each host loads the
 * face pipeline at start-up, and two cores cannot load several at once without the others timing
 * out — then the rosters and faces, then the project's material published once, so the committee
 * opens with every booth enrolled. Every seated expert must have a face in the demo registry.
 */
export async function startCommitteeStack(o: CommitteeStackOptions): Promise<CommitteeStack> {
  const log = o.log ?? (() => undefined);
  const { central } = o;
  const project = o.project ?? central.blind[0] ?? central.seats[0]?.project;
  const seats = central.seats.filter((s) => s.project === project);
  if (project === undefined || seats.length === 0) throw new Error('the demo day seats no committee');
  const booths: BoothHost[] = [];
  try {
    for (const [i, seat] of seats.entries()) {
      const port = o.boothPorts?.[i];
      booths.push(
        await startBoothHost({
          dir: join(o.dir, `booth-${seat.room}-${seat.label}`),
          central,
          seat,
          log,
          ...(o.liveness !== undefined ? { liveness: o.liveness } : {}),
          ...(port !== undefined ? { boothPort: port } : {}),
          ...(o.quiet !== undefined ? { quiet: o.quiet } : {}),
        }),
      );
    }
    log(bilingual('demo.stack.publishRosters'));
    await central.publishRosters();
    const { material, committee } = await publishDemoProject(central, { dir: o.dir, project, pages: o.pages ?? 300, rules: true, log });
    for (const b of booths) await untilBoothHasItsDay(b.boothDataDir, material);
    return {
      project,
      booths,
      material,
      committee,
      boothEvents: (host, type) => boothEventsOf(host.boothDataDir, type),
      async stop() {
        for (const b of booths) await b.stop();
      },
    };
  } catch (error) {
    for (const b of booths) await b.stop();
    throw error;
  }
}
