/**
 * The demo's central, made of the real process: its SQLite file seeded with the demo sites, the demo
 * experts' face registry (made for today, Asia/Shanghai), today's draw, and `kawei-central serve`
 * listening on 127.0.0.1. The gate stack (gate-stack.node.ts) and the booth stack
 * (booth-stack.node.ts) each start one when they are not given one; the demo (`npm start`) starts
 * one and hands it to both, so the gate and the booth report to the same central.
 *
 * `committeeDay`: the demo's review needs one committee of three experts with faces, but the demo
 * registry holds five faces (make-demo-experts.node.ts) and its day seats GC-01 with two. The day is
 * then reshaped before the draw (committeeOfThree): GC-01 takes over ZF-02's need (one 造价 expert,
 * E203, the only one there is) and ZF-02 leaves the day. Everything the gate shows stays as it
 * was: three experts seated at site-city, one at site-county, E204 in the pool unseated.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { gateDay } from '../../gate-kiosk/src/services/check/gate-day.ts';
import { dayInputSchema, type DayInput } from '../../central/src/draw/day-schema.ts';
import { ENTRY, REPO_ROOT, fingerprintOf, runNode, startNode, type Listening, type Running } from './processes.node.ts';
import { bilingual } from '@kawei/shared/i18n/bilingual.ts';

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

/** One seat of today's draw (draw-result.json). */
export interface DrawSeat {
  expert: string;
  project: string;
  site: string;
  room: string;
  label: string;
  codename: string;
}

export interface DemoCentralOptions {
  dir: string;
  centralPort?: number;
  quiet?: boolean;
  /** Reshape the day so that the blind project GC-01 seats a committee of three (see above). */
  committeeDay?: boolean;
  /** Echo of each step, for the demo's console. */
  log?: (line: string) => void;
}

/** The project whose committee the demo reviews, and the project whose needs (and so expert) it takes over. */
const COMMITTEE_PROJECT = 'GC-01';
const ABSORBED_PROJECT = 'ZF-02';

/** The demo day with GC-01's committee grown to three (see the module comment). */
export function committeeOfThree(day: DayInput): DayInput {
  const absorbed = day.projects.find((p) => p.id === ABSORBED_PROJECT)?.needs ?? [];
  return dayInputSchema.parse({
    ...day,
    projects: day.projects
      .filter((p) => p.id !== ABSORBED_PROJECT)
      .map((p) => (p.id === COMMITTEE_PROJECT ? { ...p, needs: [...p.needs, ...absorbed] } : p)),
  });
}

export interface DemoCentral {
  readonly date: string;
  readonly centralUrl: string;
  /** SHA-256 of the central's TLS key (what enrol-code prints); devices enrol with it and pin it. */
  readonly centralFingerprint: string;
  readonly centralData: string;
  /**
   * The central's trust folder for the report's signatures (`serve --trust`, read again when it
   * changes): the CAs of the booths' USB keys are copied in as their tokens are made.
   */
  readonly trustDir: string;
  /** The running central's process id (undefined while stopped). */
  readonly pid: number | undefined;
  /** The face registry folder (experts.json + photos), the stranger taken out. */
  readonly registryDir: string;
  readonly dayFile: string;
  readonly resultFile: string;
  readonly experts: StackExpert[];
  readonly seats: DrawSeat[];
  /** The projects the draw marks blind (暗标). */
  readonly blind: string[];
  /** A face no device has a template for. */
  readonly strangerPhoto: string;
  /** `kawei-central ARGS --data …`; stdout, or an error with what it said. */
  cli(...args: string[]): Promise<string>;
  /** publish-rosters --experts: the draw's rosters and faces to every enrolled gate and booth. */
  publishRosters(): Promise<void>;
  /** What the central stored from one device, of one event type. */
  events(deviceId: string, type: string): Promise<{ seq: number; type: string; payload: Record<string, unknown> }[]>;
  stopCentral(): Promise<void>;
  startCentral(): Promise<void>;
  stop(): Promise<void>;
}

export async function run(entry: string, args: string[], what: string): Promise<string> {
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
const resultSchema = z.object({
  seats: z.array(z.object({ expert: z.string(), project: z.string(), site: z.string(), room: z.string(), label: z.string(), codename: z.string() })),
  blind: z.array(z.string()),
});

export async function startDemoCentral(o: DemoCentralOptions): Promise<DemoCentral> {
  const log = o.log ?? (() => undefined);
  const date = gateDay(Date.now());
  const centralData = join(o.dir, 'central');
  const cli = (...args: string[]) => run(ENTRY.central, [...args, '--data', centralData], `kawei-central ${args[0] ?? ''}`);
  mkdirSync(o.dir, { recursive: true });

  log(bilingual('demo.stack.seedCentral'));
  await cli('seed-demo');

  log(bilingual('demo.stack.experts'));
  const registryDir = join(o.dir, 'experts');
  const made = demoExpertsLine.parse(JSON.parse((await run(DEMO_EXPERTS_ENTRY, [registryDir, '--date', date], 'make-demo-experts')).trim().split('\n').at(-1) ?? ''));
  // face-api's demo photos hold only five usable, mutually distinct faces, all of them demo experts.
  // The stranger is one of them taken out of the registry: no device has a template for that face.
  const strangerId = made.experts.find((e) => e.id === STRANGER_ID)?.id;
  if (!strangerId) throw new Error(`the demo experts lack ${STRANGER_ID}`);
  const strangerPhoto = join(o.dir, 'stranger.jpg');
  renameSync(join(registryDir, 'photos', strangerId, '1.jpg'), strangerPhoto);
  rmSync(join(registryDir, 'photos', strangerId), { recursive: true, force: true });
  const registryFile = join(registryDir, 'experts.json');
  const registry = z.array(z.object({ id: z.string() }).passthrough()).parse(JSON.parse(readFileSync(registryFile, 'utf8')));
  writeFileSync(registryFile, JSON.stringify(registry.filter((e) => e.id !== strangerId), null, 2));

  let dayFile = made.day;
  if (o.committeeDay) {
    dayFile = join(o.dir, 'day-committee.json');
    writeFileSync(dayFile, `${JSON.stringify(committeeOfThree(dayInputSchema.parse(JSON.parse(readFileSync(made.day, 'utf8')))), null, 2)}\n`);
  }

  log(bilingual('demo.stack.draw', { date }));
  const secretFile = join(o.dir, 'draw-secret.txt');
  const resultFile = join(o.dir, 'draw-result.json');
  await run(DRAW_ENTRY, ['commit', '--input', dayFile, '--secret-out', secretFile], 'kawei-draw commit');
  await run(DRAW_ENTRY, ['draw', '--input', dayFile, '--secret-file', secretFile, '--public-value', `demo ${date}`, '--out', resultFile], 'kawei-draw draw');
  const result = resultSchema.parse(JSON.parse(readFileSync(resultFile, 'utf8')));
  const experts: StackExpert[] = made.experts.filter((e) => e.id !== strangerId).map((e) => {
    const s = result.seats.find((x) => x.expert === e.id);
    return { id: e.id, photo: e.photo, seat: s ? { site: s.site, room: s.room, label: s.label } : null };
  });

  const trustDir = join(o.dir, 'central-trust');
  mkdirSync(trustDir, { recursive: true });
  let centralProc: Running<Listening> | null = null;
  let centralPort = o.centralPort ?? 0;
  let centralFingerprint = '';
  const startCentral = async (): Promise<void> => {
    centralProc = await startNode<Listening>(ENTRY.central, ['serve', '--data', centralData, '--host', '127.0.0.1', '--port', String(centralPort), '--trust', trustDir, '--experts', registryDir], {
      label: 'central',
      quiet: o.quiet ?? true,
    });
    centralPort = Number(new URL(centralProc.ready.url).port);
    // The key lives in the data directory: a restarted central presents the same one.
    centralFingerprint = fingerprintOf(centralProc);
  };
  await startCentral();
  const stopCentral = async (): Promise<void> => {
    await centralProc?.stop();
    centralProc = null;
  };

  return {
    date,
    centralUrl: `https://127.0.0.1:${centralPort}`,
    centralFingerprint,
    centralData,
    trustDir,
    get pid() {
      return (centralProc as Running<Listening> | null)?.child.pid;
    },
    registryDir,
    dayFile,
    resultFile,
    experts,
    seats: result.seats,
    blind: result.blind,
    strangerPhoto,
    cli,
    async publishRosters() {
      await cli('publish-rosters', '--result', resultFile, '--experts', registryDir, '--day', dayFile);
    },
    async events(deviceId, type) {
      const out = await cli('events', '--device', deviceId, '--type', type, '--json');
      return (JSON.parse(out) as { events: { seq: number; type: string; payload: Record<string, unknown> }[] }).events;
    },
    startCentral,
    stopCentral,
    stop: stopCentral,
  };
}
