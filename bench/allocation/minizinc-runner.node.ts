import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { DayInput } from '@kawei/central/draw/day-schema.ts';

/**
 * The reference for the seat allocation (issue #4, "Baseline"): bench/allocation/seating.mzn, the
 * same seating rules as a MiniZinc model, solved by Gecode through Debian's `minizinc` package.
 *
 * `buildSeatingData` turns a DayInput and the drawn experts into the model's data (JSON);
 * `solveSeating` runs
 *   minizinc --solver gecode --time-limit MS --json-stream --output-mode json --output-time --statistics
 * and returns the best seating found, the status (OPTIMAL: proven; SATISFIED: a solution, the time
 * limit stopped the proof; UNKNOWN: no solution before the limit; UNSATISFIABLE) and the times.
 */
export const MODEL_FILE = join(dirname(fileURLToPath(import.meta.url)), 'seating.mzn');

/** The drawn experts of one project (the draw's `draws[]` entries; alternates are not seated). */
export interface DrawnExperts {
  project: string;
  experts: string[];
}

export interface ModelSeat {
  expert: string;
  project: string;
  site: string;
  room: string;
  row: number;
  col: number;
  label: string;
}

export type GecodeStatus = 'OPTIMAL' | 'SATISFIED' | 'UNKNOWN' | 'UNSATISFIABLE' | 'ERROR';

export interface GecodeOutcome {
  status: GecodeStatus;
  /** The time limit ended the run (status SATISFIED or UNKNOWN). */
  timedOut: boolean;
  /** The best seating found, or null when there is none. */
  seats: ModelSeat[] | null;
  /** Of the best solution: distinct rooms per project summed, rooms hosting one project, the weighted objective. */
  distinctRooms: number | null;
  singleProjectRooms: number | null;
  objective: number | null;
  solutions: number;
  /** Wall-clock of the minizinc process: start to exit (compilation, Gecode, output). */
  wallMs: number;
  /** MiniZinc's compilation to FlatZinc, and Gecode's own init + search, as it reports them. */
  flattenMs: number | null;
  solveMs: number | null;
  /** Since the process started, when the best solution was printed. */
  bestAtMs: number | null;
  timeLimitMs: number;
  /** What minizinc said on stderr and any error message: for diagnosing an ERROR. */
  messages: string[];
}

interface ModelData {
  nB: number;
  nR: number;
  nP: number;
  nE: number;
  nK: number;
  booth_room: number[];
  booth_y: number[];
  booth_x: number[];
  expert_project: number[];
  expert_booths: { set: number[] }[];
  expert_rooms: { set: number[] }[];
  pair_project: number[];
  pair_room: number[];
}

interface Booth {
  site: string;
  room: string;
  row: number;
  col: number;
  label: string;
}

export interface SeatingData {
  data: ModelData;
  /** booths[b − 1] is booth b of the model. */
  booths: Booth[];
  /** experts[e − 1] is expert e of the model. */
  experts: { id: string; project: string }[];
}

/** Row letter + column number, rows and columns zero-based: (0, 0) is A1. */
export function boothLabel(row: number, col: number): string {
  return `${String.fromCharCode(65 + row)}${col + 1}`;
}

/**
 * The model's data. Only enabled booths at sites some drawn expert can reach are listed; rooms are
 * numbered in input order (site by site). Each room sits on a shared plane below the previous one
 * with two empty rows between, so booths of different rooms are never within one step.
 */
export function buildSeatingData(input: DayInput, drawn: readonly DrawnExperts[]): SeatingData {
  const expertById = new Map(input.experts.map((e) => [e.id, e]));
  const drawnExperts = drawn.flatMap((d) => d.experts.map((id) => ({ id, project: d.project })));
  const reachable = new Set<string>();
  for (const { id } of drawnExperts) {
    const expert = expertById.get(id);
    if (!expert) throw new Error(`drawn expert ${id} is not in the day's experts`);
    for (const s of expert.sites) reachable.add(s);
  }
  // rooms one below the other, two empty rows between; an even stride keeps 2×2 blocks aligned per room
  const maxRows = Math.max(1, ...input.sites.flatMap((s) => s.rooms.map((r) => r.rows)));
  const stride = maxRows + 2 + (maxRows % 2);

  const booths: Booth[] = [];
  const boothRoom: number[] = [];
  const boothY: number[] = [];
  const boothX: number[] = [];
  /** site id → [{ room number, booth numbers }] */
  const siteRooms = new Map<string, { room: number; booths: number[] }[]>();
  let roomCount = 0;
  for (const site of input.sites) {
    if (!reachable.has(site.id) || siteRooms.has(site.id)) continue;
    const rooms: { room: number; booths: number[] }[] = [];
    for (const room of site.rooms) {
      const disabled = new Set(room.disabled);
      const numbers: number[] = [];
      const roomNumber = roomCount + 1;
      for (let row = 0; row < room.rows; row++) {
        for (let col = 0; col < room.cols; col++) {
          const label = boothLabel(row, col);
          if (disabled.has(label)) continue;
          booths.push({ site: site.id, room: room.id, row, col, label });
          boothRoom.push(roomNumber);
          boothY.push(roomCount * stride + row);
          boothX.push(col);
          numbers.push(booths.length);
        }
      }
      if (numbers.length === 0) continue; // a room with every booth disabled takes no one
      roomCount++;
      rooms.push({ room: roomNumber, booths: numbers });
    }
    siteRooms.set(site.id, rooms);
  }

  const projectNumber = new Map(drawn.map((d, i) => [d.project, i + 1]));
  const expertBooths: { set: number[] }[] = [];
  const expertRooms: { set: number[] }[] = [];
  const projectRooms = drawn.map(() => new Set<number>());
  for (const { id, project } of drawnExperts) {
    const sites = [...new Set(expertById.get(id)!.sites)];
    const rooms = sites.flatMap((s) => siteRooms.get(s) ?? []);
    expertBooths.push({ set: rooms.flatMap((r) => r.booths).sort((a, b) => a - b) });
    const roomNumbers = rooms.map((r) => r.room).sort((a, b) => a - b);
    expertRooms.push({ set: roomNumbers });
    for (const r of roomNumbers) projectRooms[projectNumber.get(project)! - 1]!.add(r);
  }
  const pairProject: number[] = [];
  const pairRoom: number[] = [];
  projectRooms.forEach((rooms, i) => {
    for (const r of [...rooms].sort((a, b) => a - b)) {
      pairProject.push(i + 1);
      pairRoom.push(r);
    }
  });

  return {
    data: {
      nB: booths.length,
      nR: roomCount,
      nP: drawn.length,
      nE: drawnExperts.length,
      nK: pairProject.length,
      booth_room: boothRoom,
      booth_y: boothY,
      booth_x: boothX,
      expert_project: drawnExperts.map((e) => projectNumber.get(e.project)!),
      expert_booths: expertBooths,
      expert_rooms: expertRooms,
      pair_project: pairProject,
      pair_room: pairRoom,
    },
    booths,
    experts: drawnExperts,
  };
}

/** Whether `minizinc` is on the PATH and knows Gecode. */
export function minizincAvailable(): boolean {
  const solvers = spawnSync('minizinc', ['--solvers'], { encoding: 'utf8' });
  return solvers.status === 0 && /org\.gecode\.gecode/.test(solvers.stdout);
}

/** The `minizinc --version` line, for the record. */
export function minizincVersion(): string {
  const v = spawnSync('minizinc', ['--version'], { encoding: 'utf8' });
  return v.status === 0 ? (v.stdout.match(/version\s+([\d.]+)/)?.[1] ?? 'unknown') : 'absent';
}

interface StreamMessage {
  type?: string;
  status?: string;
  time?: number;
  message?: string;
  what?: string;
  output?: { json?: { booth?: number[]; distinct_rooms?: number; single_project_rooms?: number; objective?: number } };
  statistics?: Record<string, unknown>;
}

export interface SolveOptions {
  /** minizinc's --time-limit, compilation included. */
  timeLimitMs: number;
  /** Gecode threads (-p); 1 by default, like our allocator. */
  threads?: number;
}

export async function solveSeating(input: DayInput, drawn: readonly DrawnExperts[], options: SolveOptions): Promise<GecodeOutcome> {
  const built = buildSeatingData(input, drawn);
  const dir = mkdtempSync(join(tmpdir(), 'kawei-seating-'));
  try {
    const dataFile = join(dir, 'day.json');
    writeFileSync(dataFile, JSON.stringify(built.data));
    const args = [
      '--solver', 'gecode',
      '--time-limit', String(options.timeLimitMs),
      '-p', String(options.threads ?? 1),
      '--json-stream', '--output-mode', 'json', '--output-time', '--statistics',
      MODEL_FILE, dataFile,
    ];
    const run = await runMinizinc(args, options.timeLimitMs + 60_000);
    return interpret(run, built, options.timeLimitMs);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface RawRun {
  stdout: string;
  stderr: string;
  code: number | null;
  wallMs: number;
  killed: boolean;
}

function runMinizinc(args: string[], hardLimitMs: number): Promise<RawRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('minizinc', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let killed = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    // minizinc enforces --time-limit itself; this is only a guard against a hung process
    const guard = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, hardLimitMs);
    child.once('error', (error) => {
      clearTimeout(guard);
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(guard);
      resolve({ stdout, stderr, code, wallMs: performance.now() - started, killed });
    });
  });
}

function interpret(run: RawRun, built: SeatingData, timeLimitMs: number): GecodeOutcome {
  const messages: string[] = [];
  let best: StreamMessage | null = null;
  let solutions = 0;
  let finalStatus: string | null = null;
  let flattenMs: number | null = null;
  let solveMs: number | null = null;
  for (const line of run.stdout.split('\n')) {
    if (line.trim() === '') continue;
    let message: StreamMessage;
    try {
      message = JSON.parse(line) as StreamMessage;
    } catch {
      messages.push(line);
      continue;
    }
    switch (message.type) {
      case 'solution':
        solutions++;
        best = message;
        break;
      case 'status':
        finalStatus = message.status ?? null;
        break;
      case 'statistics': {
        const s = message.statistics ?? {};
        if (typeof s['flatTime'] === 'number') flattenMs = s['flatTime'] * 1000;
        if (typeof s['solveTime'] === 'number') solveMs = ((s['initTime'] as number | undefined) ?? 0) * 1000 + s['solveTime'] * 1000;
        break;
      }
      case 'warning':
        break; // Debian's minizinc warns about Gecode's overridden globals on every run
      case 'error':
        messages.push(`${message.what ?? 'error'}: ${message.message ?? ''}`);
        break;
      default:
        break;
    }
  }
  if (run.stderr.trim() !== '') messages.push(run.stderr.trim());

  let status: GecodeStatus;
  if (finalStatus === 'OPTIMAL_SOLUTION') status = 'OPTIMAL';
  else if (finalStatus === 'UNSATISFIABLE') status = 'UNSATISFIABLE';
  else if (finalStatus === 'ERROR' || (run.code !== 0 && !run.killed)) status = 'ERROR';
  else if (best) status = 'SATISFIED';
  else status = 'UNKNOWN';
  // no final status with a solution, or UNKNOWN: the time limit (or our guard) ended the search
  const timedOut = status === 'SATISFIED' || status === 'UNKNOWN' || run.killed;

  const json = best?.output?.json;
  let seats: ModelSeat[] | null = null;
  if (json?.booth) {
    if (json.booth.length !== built.experts.length) throw new Error(`minizinc returned ${json.booth.length} booths for ${built.experts.length} experts`);
    seats = json.booth.map((b, i) => {
      const booth = built.booths[b - 1];
      const expert = built.experts[i]!;
      if (!booth) throw new Error(`minizinc returned booth ${b} of ${built.booths.length}`);
      return { expert: expert.id, project: expert.project, site: booth.site, room: booth.room, row: booth.row, col: booth.col, label: booth.label };
    });
  }
  return {
    status,
    timedOut,
    seats,
    distinctRooms: json?.distinct_rooms ?? null,
    singleProjectRooms: json?.single_project_rooms ?? null,
    objective: json?.objective ?? null,
    solutions,
    wallMs: run.wallMs,
    flattenMs,
    solveMs,
    bestAtMs: best?.time ?? null,
    timeLimitMs,
    messages,
  };
}
