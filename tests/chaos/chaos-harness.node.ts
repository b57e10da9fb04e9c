import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { DeviceStore } from '@kawei/shared/device/device-store.node.ts';
import { EventLog } from '@kawei/shared/sync/event-log.node.ts';
import { checkChain, type EventFault } from '@kawei/shared/sync/event-chain.node.ts';
import { privateKeyFromPkcs8, publicKeyFromBase64 } from '@kawei/shared/crypto/ed25519.node.ts';
import type { SyncEvent } from '@kawei/shared/sync/sync-event.ts';
import { openStore, type KaweiStore } from '@kawei/central/storage/open-store.node.ts';
import { ENTRY, REPO_ROOT, runNode } from '../../scripts/lib/processes.node.ts';
import { startThrowawayPostgres } from '../../scripts/lib/postgres.node.ts';
import { FaultProxy, NO_FAULTS, type CutKind, type FaultMode, type ProxyStats } from './fault-proxy.node.ts';
import { Prng } from './prng.ts';

/**
 * The chaos run behind issue #3's proof: real processes, real kills, a misbehaving network, and at
 * the end a comparison of every device's own log with what the central stored.
 *
 *   central   `central/src/cli.node.ts serve` on a data dir (SQLite) or PostgreSQL, SIGKILLed and
 *             restarted at random on the same data and the same port;
 *   devices   N × tests/chaos/device-process.node.ts (a booth's real identity service and sender),
 *             appending `chaos.tick` events continuously, SIGKILLed and restarted at random;
 *   network   every device byte goes through the FaultProxy, whose fault mode changes every few
 *             cycles and which is cut ('refuse' or 'blackhole') and restored at random.
 *
 * One cycle = the actions drawn for it (each at a random moment inside the cycle) and the appends
 * that happen meanwhile. The plan is drawn from `Prng(seed).fork('plan')` with a fixed number of
 * draws per cycle, so the sequence of actions is a pure function of the seed; the proxy draws each
 * connection's fate from the same seed (see prng.ts for what a seed can and cannot replay).
 *
 * At the end everything is restored, every device drains (its sender acknowledged up to its head,
 * then the central's head is read and must match), every process is stopped, and the logs are read
 * from the files: each device's SQLite log (the appended count comes from there, never from what a
 * process printed: a SIGKILL can lose a print, not a durable append) and the central's store.
 */

export type ChaosStore = 'sqlite' | 'postgres';

export interface ChaosOptions {
  cycles: number;
  seed: number;
  devices: number;
  /** Appends per device per cycle, on average (the device appends every mean-cycle / this ms). */
  eventsPerCycle: number;
  store: ChaosStore;
  /** Cycle length is drawn uniformly from this range. */
  cycleMs?: { min: number; max: number };
  /** How long devices get to drain at the end. */
  drainTimeoutMs?: number;
  /** Progress lines (a line every `progressEvery` cycles, and the phases). */
  log?: (line: string) => void;
  progressEvery?: number;
  /**
   * After the planned cycles, keep cycling (at most MAX_COVERAGE_CYCLES) in the mode of any network
   * fault that has not fired yet, so a short run still meets every fault. On by default.
   */
  ensureEveryFault?: boolean;
  /**
   * Keep every device appending (faults off, nobody killed) until each has appended at least this
   * many ticks: on a loaded machine restarts eat the planned cycles and a run could prove nothing.
   */
  minTicksPerDevice?: number;
  /** The fault modes to rotate through (names of CHAOS_MODES; all by default). */
  modes?: readonly string[];
  /** Keep the temporary directory (also kept automatically when the run found a problem). */
  keepDir?: boolean;
}

export interface DeviceReport {
  label: string;
  deviceId: string;
  /** Events in the device's own log (all types: chaos.tick, device.started, device.link_changed). */
  local: number;
  /** Events the central stored for this device. */
  stored: number;
  /** Local events the central does not have (count, and the first few seqs). */
  lost: number;
  lostSeqs: number[];
  /** Rows beyond one per seq, events the device never made, or one event id stored twice. */
  duplicated: number;
  /** Same seq, different hash. */
  mismatched: number;
  /** checkChain over the central's events, with the key from the central's devices table. */
  chainIntact: boolean;
  chainFault: EventFault | null;
  /** The device's own log, checked the same way with its own key. */
  localChainIntact: boolean;
  /** chaos.tick events in the log, and whether their n run 1, 2, 3… without a gap or a repeat. */
  ticks: number;
  ticksContiguous: boolean;
  /** Ticks the process reported appended that its log does not hold (a durability failure). */
  printedButMissing: number;
  starts: number;
  kills: number;
  drained: boolean;
  drainStatus: unknown;
}

export interface ChaosReport {
  seed: number;
  store: ChaosStore;
  cycles: number;
  /** Extra cycles run after the planned ones so that every network fault fired (see ensureEveryFault). */
  coverageCycles: number;
  devices: number;
  /** Events in all device logs, read from their files. */
  appended: number;
  /** Events in the central's store for these devices. */
  stored: number;
  lost: number;
  duplicated: number;
  mismatched: number;
  chainIntact: boolean;
  /** Every device acknowledged up to its head, and the central's head (read after the device was
   * stopped) equals the head of the device's log file. */
  drained: boolean;
  perDevice: DeviceReport[];
  actions: {
    centralKills: number;
    centralRestarts: number;
    deviceKills: number;
    deviceRestarts: number;
    cuts: Record<CutKind, number>;
    modeChanges: number;
    modes: Record<string, number>;
  };
  proxy: ProxyStats;
  timing: { setupMs: number; cyclesMs: number; drainMs: number; totalMs: number };
  /** Set when the run could not be made (PostgreSQL not available). */
  skipped?: string;
  /** Set when something was off: where the data and the logs were kept, and the last faults. */
  evidence?: {
    dir: string;
    lastActions: string[];
    lastFaults: string[];
    logTails: Record<string, string>;
  };
}

/** The fault modes the run cycles through (each connection's fate is drawn under the current one). */
export const CHAOS_MODES: Record<string, Partial<FaultMode>> = {
  clean: NO_FAULTS,
  drops: { drop: 0.4 },
  'lost-acks': { drop: 0.6, dropKinds: ['lost-ack', 'partial-response'] },
  delays: { delay: 0.5, delayMaxMs: 150 },
  duplicates: { duplicate: 0.6 },
  reorder: { reorder: 0.5, reorderMaxHoldMs: 800 },
  mixed: { drop: 0.2, delay: 0.3, delayMaxMs: 100, duplicate: 0.25, reorder: 0.25, reorderMaxHoldMs: 500 },
};

/**
 * Change the fault mode every this many cycles, walking a seeded shuffle of all modes: long enough for
 * a mode to meet some traffic (a sender backing off sends little), short enough to visit every mode
 * several times in a short run.
 */
const MODE_CYCLES = 2;
/** The network faults every run must have met, and the mode that provokes each. */
export const FAULT_KINDS = ['drop', 'lost-ack', 'duplicate', 'reorder', 'delay'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];
const COVERAGE_MODE: Record<FaultKind, string> = {
  drop: 'drops',
  'lost-ack': 'lost-acks',
  duplicate: 'duplicates',
  reorder: 'reorder',
  delay: 'delays',
};
const MAX_COVERAGE_CYCLES = 40;

/** The network faults that have not fired yet, by these stats. */
export function missingFaults(stats: ProxyStats): FaultKind[] {
  const fired: Record<FaultKind, boolean> = {
    drop: stats.drops.total > 0,
    'lost-ack': stats.lostAcks > 0,
    duplicate: stats.duplicated > 0,
    reorder: stats.reordered + stats.reorderTimeouts > 0,
    delay: stats.delayedChunks > 0,
  };
  return FAULT_KINDS.filter((k) => !fired[k]);
}

/** Booths of the demo topology (resources/demo/demo-topology.json), one per device. */
const BOOTHS = ['room-3', 'room-5'].flatMap((room) =>
  ['A', 'B', 'C'].flatMap((row) => [1, 2, 3].map((col) => `${room}-${row}${col}`)),
);
const DEVICE_ENTRY = join(REPO_ROOT, 'tests/chaos/device-process.node.ts');

interface JsonLine {
  event?: string;
  [key: string]: unknown;
}

/** Every child still running, so that a harness process that exits (a failed test run, an uncaught error) leaves none behind. */
const living = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of living) child.kill('SIGKILL');
});

/** A child process under tsx whose stdout is JSON lines and whose stderr goes to a log file. */
class Child {
  readonly process: ChildProcess;
  readonly exited: Promise<void>;
  private readonly waiters: { match: (line: JsonLine) => boolean; resolve: (line: JsonLine) => void }[] = [];

  constructor(entry: string, args: string[], logFile: string, onLine: (line: JsonLine) => void) {
    const log: WriteStream = createWriteStream(logFile, { flags: 'a' });
    this.process = spawn(process.execPath, ['--import', 'tsx', entry, ...args], {
      cwd: REPO_ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, NODE_ENV: 'test' },
    });
    living.add(this.process);
    this.process.stdin!.on('error', () => undefined);
    this.process.stderr!.pipe(log);
    this.exited = new Promise((resolve) =>
      this.process.once('exit', (code, signal) => {
        living.delete(this.process);
        log.write(`--- exit ${code ?? signal}\n`);
        resolve();
      }),
    );
    createInterface({ input: this.process.stdout! }).on('line', (text) => {
      let line: JsonLine;
      try {
        line = JSON.parse(text) as JsonLine;
      } catch {
        log.write(`[stdout] ${text}\n`);
        return;
      }
      onLine(line);
      for (const w of [...this.waiters]) {
        if (w.match(line)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    });
  }

  get alive(): boolean {
    return this.process.exitCode === null && this.process.signalCode === null;
  }

  /** The first line matching `match`, or null if the process exits or the time runs out first. */
  waitFor(match: (line: JsonLine) => boolean, timeoutMs: number): Promise<JsonLine | null> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(null), timeoutMs);
      const done = (line: JsonLine | null) => {
        clearTimeout(timer);
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        resolve(line);
      };
      const waiter = { match, resolve: done };
      this.waiters.push(waiter);
      void this.exited.then(() => done(null));
    });
  }

  send(command: string): void {
    if (this.alive) this.process.stdin!.write(`${command}\n`);
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.alive) this.process.kill(signal);
    const timer = setTimeout(() => this.process.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(timer);
  }
}

/**
 * A process the harness wants up or down. `intent` is what the plan said (and is what the next
 * decisions depend on, so they do not depend on how fast a start was); `child` is what is running.
 */
abstract class Managed {
  intent: 'up' | 'down' = 'down';
  child: Child | null = null;
  starting: Promise<void> | null = null;
  starts = 0;
  kills = 0;
  downSince = 0;
  private generation = 0;

  constructor(
    readonly name: string,
    protected readonly logFile: string,
  ) {}

  protected abstract launch(): Promise<Child>;

  /** Starts (again); a kill during the start wins. */
  up(): void {
    this.intent = 'up';
    const generation = ++this.generation;
    this.starts += 1;
    this.starting = (async () => {
      for (let attempt = 1; generation === this.generation; attempt++) {
        try {
          const child = await this.launch();
          if (generation !== this.generation) {
            await child.kill();
            return;
          }
          this.child = child;
          return;
        } catch (error) {
          if (attempt >= 8 || generation !== this.generation) throw error;
          await sleep(250 * attempt);
        }
      }
    })().finally(() => {
      if (generation === this.generation) this.starting = null;
    });
    this.starting.catch(() => undefined);
  }

  /** SIGKILL, whatever it is doing (running, or still starting). */
  async down(cycle: number): Promise<void> {
    this.intent = 'down';
    this.downSince = cycle;
    this.generation += 1;
    this.kills += 1;
    const child = this.child;
    this.child = null;
    this.starting = null;
    await Promise.all([child?.kill('SIGKILL'), this.killLaunching()]);
  }

  /** Ensures it is up and ready (used at the end). */
  async ready(): Promise<void> {
    if (this.intent !== 'up' || (!this.starting && !this.child?.alive)) this.up();
    await this.starting;
    if (!this.child?.alive) {
      this.up();
      await this.starting;
    }
  }

  async stop(signal: NodeJS.Signals): Promise<void> {
    this.generation += 1;
    this.intent = 'down';
    await this.killLaunching(signal);
    await this.child?.kill(signal);
    this.child = null;
  }

  protected launching: Child | null = null;
  private async killLaunching(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const launching = this.launching;
    this.launching = null;
    await launching?.kill(signal);
  }
}

class CentralProcess extends Managed {
  port = 0;

  constructor(
    private readonly dataDir: string,
    private readonly storeArgs: string[],
    logFile: string,
  ) {
    super('central', logFile);
  }

  protected async launch(): Promise<Child> {
    const child = new Child(
      ENTRY.central,
      ['serve', '--data', this.dataDir, '--port', String(this.port), ...this.storeArgs],
      this.logFile,
      () => undefined,
    );
    this.launching = child;
    const line = await child.waitFor((l) => l.event === 'listening', 30_000);
    if (this.launching === child) this.launching = null;
    if (!line) {
      await child.kill();
      throw new Error('central did not start listening');
    }
    this.port = Number(new URL(String(line['url'])).port);
    return child;
  }
}

class DeviceProcess extends Managed {
  deviceId = '';
  /** The highest tick n any incarnation reported appended (after recordEvent returned). */
  printedMaxN = 0;
  drainStatus: unknown = null;

  constructor(
    readonly label: string,
    private readonly dataDir: string,
    private readonly centralUrl: string,
    private readonly code: string,
    private readonly fingerprint: string,
    public everyMs: number,
    logFile: string,
  ) {
    super(label, logFile);
  }

  dataDirPath(): string {
    return this.dataDir;
  }

  protected async launch(): Promise<Child> {
    const args = ['--data', this.dataDir, '--central', this.centralUrl, '--code', this.code, '--fingerprint', this.fingerprint];
    args.push('--label', this.label, '--every-ms', String(this.everyMs), '--link-ms', '1000');
    const child = new Child(DEVICE_ENTRY, args, this.logFile, (line) => {
      if (line.event === 'appended' && typeof line['n'] === 'number') this.printedMaxN = Math.max(this.printedMaxN, line['n']);
    });
    this.launching = child;
    const ready = await child.waitFor((l) => l.event === 'ready', 30_000);
    if (this.launching === child) this.launching = null;
    if (!ready) {
      await child.kill();
      if (child.process.exitCode === 3) throw new Error(`${this.label}: enrolment refused (see ${this.logFile})`);
      throw new Error(`${this.label}: not ready`);
    }
    this.deviceId = String(ready['deviceId']);
    return child;
  }
}

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const started = Date.now();
  const log = options.log ?? (() => undefined);
  const cycleMs = options.cycleMs ?? { min: 120, max: 360 };
  const drainTimeoutMs = options.drainTimeoutMs ?? 120_000;
  if (options.devices > BOOTHS.length) throw new RangeError(`at most ${BOOTHS.length} devices`);
  const meanCycle = (cycleMs.min + cycleMs.max) / 2;
  const everyMs = Math.max(5, Math.round(meanCycle / Math.max(0.01, options.eventsPerCycle)));

  const dir = mkdtempSync(join(tmpdir(), 'kawei-chaos-'));
  const centralData = join(dir, 'central');
  const plan = new Prng(options.seed).fork('plan');
  const actions: ChaosReport['actions'] = {
    centralKills: 0,
    centralRestarts: 0,
    deviceKills: 0,
    deviceRestarts: 0,
    cuts: { refuse: 0, blackhole: 0 },
    modeChanges: 0,
    modes: {},
  };
  const actionLog: string[] = [];
  const note = (cycle: number, what: string) => {
    actionLog.push(`cycle ${cycle}: ${what}`);
    if (actionLog.length > 300) actionLog.shift();
  };

  let pg: { url: string; stop(): Promise<void> } | null = null;
  let proxy: FaultProxy | null = null;
  let central: CentralProcess | null = null;
  const devices: DeviceProcess[] = [];
  let keep = options.keepDir ?? false;

  try {
    // ---- setup: storage, central, proxy, enrolled devices (all clean) ----
    let storeArgs: string[] = [];
    if (options.store === 'postgres') {
      const started = await startThrowawayPostgres();
      pg = started;
      storeArgs = ['--store', 'postgres', '--pg-url', started.url];
    }
    const seeded = await runNode(ENTRY.central, ['seed-demo', '--data', centralData, ...storeArgs]);
    if (seeded.code !== 0) throw new Error(`seed-demo failed: ${seeded.stderr}`);
    const codes: string[] = [];
    let fingerprint = '';
    for (let i = 0; i < options.devices; i++) {
      const out = await runNode(ENTRY.central, ['enrol-code', '--booth', BOOTHS[i]!, '--json', '--data', centralData, ...storeArgs]);
      if (out.code !== 0) throw new Error(`enrol-code failed: ${out.stderr}`);
      const issued = JSON.parse(out.stdout) as { code: string; centralFingerprint: string };
      codes.push(issued.code);
      fingerprint = issued.centralFingerprint;
    }
    central = new CentralProcess(centralData, storeArgs, join(dir, 'central.log'));
    central.up();
    await central.starting;
    proxy = await FaultProxy.start({ target: { port: central.port }, seed: options.seed });
    for (let i = 0; i < options.devices; i++) {
      const label = `device-${i + 1}`;
      // The proxy works on TCP: the devices' TLS, pinned to the central's key, passes through it.
      devices.push(new DeviceProcess(label, join(dir, label), proxy.tlsUrl, codes[i]!, fingerprint, everyMs, join(dir, `${label}.log`)));
    }
    await Promise.all(devices.map((d) => (d.up(), d.starting)));
    const setupMs = Date.now() - started;
    log(`chaos: seed ${options.seed}, ${options.devices} devices, ${options.cycles} cycles, store ${options.store}, dir ${dir}`);

    // ---- cycles ----
    const modeNames = options.modes ? [...options.modes] : Object.keys(CHAOS_MODES);
    for (const name of modeNames) if (!CHAOS_MODES[name]) throw new Error(`unknown chaos mode "${name}"`);
    let modeQueue: string[] = [];
    let cutSince = -1;
    const forced = {
      centralKill: Math.floor(options.cycles * 0.3),
      deviceKill: Math.floor(options.cycles * 0.2),
      cut: Math.floor(options.cycles * 0.5),
    };
    const cyclesStarted = Date.now();
    for (let cycle = 0; cycle < options.cycles; cycle++) {
      const duration = plan.int(cycleMs.min, cycleMs.max);
      const at = () => plan.int(0, duration - 1);
      const timed: Promise<unknown>[] = [];
      const schedule = (offset: number, fn: () => unknown) =>
        timed.push(sleep(offset).then(() => fn()));

      // fault mode: every MODE_CYCLES cycles, the next of a seeded shuffle of all modes
      if (cycle % MODE_CYCLES === 0) {
        if (modeQueue.length === 0) modeQueue = shuffle(modeNames, plan);
        const name = modeQueue.shift()!;
        proxy.setMode(CHAOS_MODES[name]!);
        actions.modeChanges += 1;
        actions.modes[name] = (actions.modes[name] ?? 0) + 1;
        note(cycle, `mode ${name}`);
      }

      // cut / restore
      const cutDraw = plan.next();
      const cutKind: CutKind = plan.chance(0.5) ? 'refuse' : 'blackhole';
      const cutAt = at();
      if (cutSince < 0 && (cutDraw < 0.05 || (cycle === forced.cut && actions.cuts.refuse + actions.cuts.blackhole === 0))) {
        cutSince = cycle;
        actions.cuts[cutKind] += 1;
        note(cycle, `cut ${cutKind}`);
        schedule(cutAt, () => proxy!.cut(cutKind));
      } else if (cutSince >= 0 && (cutDraw < 0.35 || cycle - cutSince >= 8)) {
        cutSince = -1;
        note(cycle, 'restore');
        schedule(cutAt, () => proxy!.restore());
      }

      // the central
      const centralDraw = plan.next();
      const centralAt = at();
      const c = central;
      if (c.intent === 'up' && (centralDraw < 0.07 || (cycle === forced.centralKill && actions.centralKills === 0))) {
        actions.centralKills += 1;
        note(cycle, 'kill central');
        c.intent = 'down';
        c.downSince = cycle;
        schedule(centralAt, () => c.down(cycle));
      } else if (c.intent === 'down' && (centralDraw < 0.45 || cycle - c.downSince >= 6)) {
        actions.centralRestarts += 1;
        note(cycle, 'restart central');
        c.intent = 'up';
        schedule(centralAt, () => c.up());
      }

      // the devices
      devices.forEach((d, i) => {
        const draw = plan.next();
        const offset = at();
        if (d.intent === 'up' && (draw < 0.12 || (cycle === forced.deviceKill + i && d.kills === 0))) {
          actions.deviceKills += 1;
          note(cycle, `kill ${d.label}`);
          d.intent = 'down';
          d.downSince = cycle;
          schedule(offset, () => d.down(cycle));
        } else if (d.intent === 'down' && (draw < 0.5 || cycle - d.downSince >= 6)) {
          actions.deviceRestarts += 1;
          note(cycle, `restart ${d.label}`);
          d.intent = 'up';
          schedule(offset, () => d.up());
        }
      });

      await sleep(duration);
      await Promise.all(timed);
      if (options.progressEvery && (cycle + 1) % options.progressEvery === 0) {
        const s = proxy.stats();
        log(
          `cycle ${cycle + 1}/${options.cycles}: central kills ${actions.centralKills}, device kills ${actions.deviceKills}, ` +
            `drops ${s.drops.total} (lost acks ${s.lostAcks}), duplicates ${s.duplicated}, reorders ${s.reordered + s.reorderTimeouts}, ` +
            `delayed chunks ${s.delayedChunks}, cuts ${s.cuts}`,
        );
      }
    }

    // ---- coverage: a short run may not have met every fault; cycle on in the missing ones' modes ----
    let coverageCycles = 0;
    if (options.ensureEveryFault ?? true) {
      const missing = () => missingFaults(proxy!.stats());
      if (missing().length > 0) {
        proxy.restore();
        cutSince = -1;
        await central.ready();
        await Promise.all(devices.map((d) => d.ready()));
      }
      while (missing().length > 0 && coverageCycles < MAX_COVERAGE_CYCLES) {
        const name = COVERAGE_MODE[missing()[0]!];
        proxy.setMode(CHAOS_MODES[name]!);
        actions.modeChanges += 1;
        actions.modes[name] = (actions.modes[name] ?? 0) + 1;
        note(options.cycles + coverageCycles, `coverage: mode ${name}`);
        for (let i = 0; i < MODE_CYCLES; i++) await sleep(plan.int(cycleMs.min, cycleMs.max));
        coverageCycles += MODE_CYCLES;
      }
      if (coverageCycles > 0) log(`chaos: ${coverageCycles} coverage cycles for faults the planned cycles had not met`);
    }
    const minTicks = options.minTicksPerDevice ?? 0;
    if (devices.some((d) => d.printedMaxN < minTicks)) {
      proxy.restore();
      proxy.setMode(NO_FAULTS);
      cutSince = -1;
      await central.ready();
      await Promise.all(devices.map((d) => d.ready()));
      let tickCycles = 0;
      while (devices.some((d) => d.printedMaxN < minTicks) && tickCycles < MAX_COVERAGE_CYCLES) {
        await sleep(plan.int(cycleMs.min, cycleMs.max));
        tickCycles += 1;
      }
      note(options.cycles + coverageCycles, `coverage: ${tickCycles} quiet cycles until every device appended ${minTicks} ticks`);
      coverageCycles += tickCycles;
    }
    const cyclesMs = Date.now() - cyclesStarted;

    // ---- drain: everything back, every device acknowledged up to its head ----
    const drainStarted = Date.now();
    proxy.restore();
    proxy.setMode(NO_FAULTS);
    log('chaos: restoring everything and draining');
    await central.ready();
    const headsMatch = await drainDevices(devices, drainTimeoutMs, () => openCentral(options.store, centralData, pg?.url), log);
    const drainMs = Date.now() - drainStarted;
    await central.stop('SIGTERM');
    const perDevice = await compare(devices, await openCentral(options.store, centralData, pg?.url), headsMatch);
    const sum = (key: 'local' | 'stored' | 'lost' | 'duplicated' | 'mismatched') =>
      perDevice.reduce((n, d) => n + d[key], 0);
    const report: ChaosReport = {
      seed: options.seed,
      store: options.store,
      cycles: options.cycles,
      coverageCycles,
      devices: options.devices,
      appended: sum('local'),
      stored: sum('stored'),
      lost: sum('lost'),
      duplicated: sum('duplicated'),
      mismatched: sum('mismatched'),
      chainIntact: perDevice.every((d) => d.chainIntact),
      drained: perDevice.every((d) => d.drained),
      perDevice,
      actions,
      proxy: proxy.stats(),
      timing: { setupMs, cyclesMs, drainMs, totalMs: Date.now() - started },
    };
    const suspicious =
      report.lost > 0 ||
      report.duplicated > 0 ||
      report.mismatched > 0 ||
      !report.chainIntact ||
      !report.drained ||
      perDevice.some((d) => !d.localChainIntact || !d.ticksContiguous || d.printedButMissing > 0);
    if (suspicious) {
      keep = true;
      report.evidence = evidence(dir, actionLog, proxy, devices);
    }
    log(
      `chaos: appended ${report.appended}, stored ${report.stored}, lost ${report.lost}, duplicated ${report.duplicated}, ` +
        `chain ${report.chainIntact ? 'intact' : 'BROKEN'}${suspicious ? `; evidence kept in ${dir}` : ''}`,
    );
    return report;
  } catch (error) {
    keep = true;
    const tails = proxy ? evidence(dir, actionLog, proxy, devices) : null;
    throw new Error(
      `chaos run failed (seed ${options.seed}, dir kept: ${dir}): ${error instanceof Error ? error.message : String(error)}` +
        (tails ? `\nlast actions:\n${tails.lastActions.slice(-20).join('\n')}` : ''),
      { cause: error },
    );
  } finally {
    await Promise.allSettled([...devices.map((d) => d.stop('SIGKILL')), central?.stop('SIGKILL')]);
    await proxy?.close().catch(() => undefined);
    await pg?.stop().catch(() => undefined);
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}

function shuffle<T>(items: readonly T[], rng: Prng): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

async function openCentral(store: ChaosStore, centralData: string, pgUrl: string | undefined): Promise<KaweiStore> {
  return store === 'sqlite'
    ? openStore({ backend: 'sqlite', databaseFile: join(centralData, 'central.sqlite') })
    : openStore({ backend: 'postgres', url: pgUrl! });
}

/**
 * Brings every device to rest with the central holding its whole log. Each round: start the devices
 * that are not settled (without appending), tell them to drain, wait for "synced", SIGKILL them, and
 * compare each device's head, read from its file, with the central's. A device whose link monitor
 * appended a `device.link_changed` between "synced" and the kill is simply not settled yet: it gets
 * another round. A device that cannot drain in `timeoutMs` stays unsettled (reported, not hidden).
 */
async function drainDevices(
  devices: readonly DeviceProcess[],
  timeoutMs: number,
  openCentralStore: () => Promise<KaweiStore>,
  log: (line: string) => void,
): Promise<Map<string, boolean>> {
  const settled = new Map<string, boolean>();
  const deadline = Date.now() + timeoutMs;
  for (let round = 1; round <= 5; round++) {
    const pending = devices.filter((d) => !settled.get(d.label));
    if (pending.length === 0) break;
    const left = Math.max(5_000, deadline - Date.now());
    await Promise.all(
      pending.map(async (d) => {
        if (round > 1) d.everyMs = 0; // further rounds only deliver, they do not append
        await d.ready();
        const child = d.child!;
        const answer = child.waitFor((l) => l.event === 'synced' || l.event === 'sync-timeout', left + 10_000);
        child.send(`drain ${left}`);
        d.drainStatus = (await answer) ?? { event: 'no answer' };
      }),
    );
    // Stopped abruptly, like every other stop in this run: the log on disk is what counts.
    await Promise.all(pending.map((d) => d.stop('SIGKILL')));
    const central = await openCentralStore();
    try {
      for (const d of pending) {
        const local = DeviceStore.open(join(d.dataDirPath(), 'device.sqlite'));
        try {
          const head = local.logHead('');
          const remote = await central.getDeviceHead(d.deviceId);
          const ok = remote.seq === head.seq && remote.hash === head.hash;
          settled.set(d.label, ok);
          if (!ok) log(`chaos: drain round ${round}: ${d.label} local head ${head.seq}, central head ${remote.seq}`);
        } finally {
          local.close();
        }
      }
    } finally {
      await central.close();
    }
    if (Date.now() > deadline) break;
  }
  return settled;
}

/** Compares each device's log (from its file) with what the central stored; closes `central`. */
async function compare(
  devices: readonly DeviceProcess[],
  central: KaweiStore,
  headsMatch: Map<string, boolean>,
): Promise<DeviceReport[]> {
  try {
    const reports: DeviceReport[] = [];
    for (const d of devices) {
      const deviceStore = DeviceStore.open(join(d.dataDirPath(), 'device.sqlite'));
      let localEvents: SyncEvent[];
      let localChainIntact: boolean;
      let deviceId: string;
      try {
        const identity = deviceStore.identity();
        if (!identity) throw new Error(`${d.label}: no identity in its data dir`);
        deviceId = identity.deviceId;
        const privateKey = privateKeyFromPkcs8(identity.privateKeyPkcs8);
        localEvents = EventLog.open(deviceStore, deviceId, privateKey).allEvents();
        localChainIntact =
          checkChain(localEvents, deviceId, publicKeyFromBase64(identity.publicKey)!) === null &&
          (localEvents[0]?.seq ?? 1) === 1;
      } finally {
        deviceStore.close();
      }

      const record = await central.getDevice(deviceId);
      const key = record ? publicKeyFromBase64(record.publicKey) : null;
      const stored: SyncEvent[] = [];
      for (let from = 1; ; ) {
        const page = await central.listEvents(deviceId, from, 5000);
        stored.push(...page.map(envelope));
        if (page.length < 5000) break;
        from = page[page.length - 1]!.seq + 1;
      }
      const count = await central.countEvents(deviceId);

      const localBySeq = new Map(localEvents.map((e) => [e.seq, e]));
      const storedSeqs = new Map<number, number>();
      for (const e of stored) storedSeqs.set(e.seq, (storedSeqs.get(e.seq) ?? 0) + 1);
      const lostSeqs = localEvents.filter((e) => !storedSeqs.has(e.seq)).map((e) => e.seq);
      const repeatedSeqs = [...storedSeqs.values()].reduce((n, k) => n + (k - 1), 0);
      const extra = stored.filter((e) => !localBySeq.has(e.seq)).length;
      const ids = new Set(stored.map((e) => e.id));
      const repeatedIds = stored.length - ids.size;
      const uncounted = Math.max(0, count - stored.length); // rows the ordered listing did not return
      const mismatched = stored.filter((e) => {
        const mine = localBySeq.get(e.seq);
        return mine !== undefined && mine.hash !== e.hash;
      }).length;
      const chainFault = key ? checkChain(stored, deviceId, key) : ({ kind: 'wrong-device', seq: 0 } as EventFault);
      const ticks = localEvents.filter((e) => e.type === 'chaos.tick').map((e) => Number(e.payload['n']));
      const tickSet = new Set(ticks);
      let printedButMissing = 0;
      for (let n = 1; n <= d.printedMaxN; n++) if (!tickSet.has(n)) printedButMissing += 1;

      const drainLine = d.drainStatus as JsonLine | null;
      reports.push({
        label: d.label,
        deviceId,
        local: localEvents.length,
        stored: count,
        lost: lostSeqs.length,
        lostSeqs: lostSeqs.slice(0, 20),
        duplicated: repeatedSeqs + extra + repeatedIds + uncounted,
        mismatched,
        chainIntact: chainFault === null && (stored[0]?.seq ?? 1) === 1,
        chainFault,
        localChainIntact,
        ticks: ticks.length,
        ticksContiguous: ticks.every((n, i) => n === i + 1),
        printedButMissing,
        starts: d.starts,
        kills: d.kills,
        drained: drainLine?.event === 'synced' && headsMatch.get(d.label) === true,
        drainStatus: drainLine,
      });
    }
    return reports;
  } finally {
    await central.close();
  }
}

/** A stored event back to its wire envelope (what the device signed), for checkChain. */
function envelope(e: SyncEvent): SyncEvent {
  return {
    v: e.v,
    id: e.id,
    deviceId: e.deviceId,
    seq: e.seq,
    type: e.type,
    payload: e.payload,
    deviceTime: e.deviceTime,
    prevHash: e.prevHash,
    hash: e.hash,
    signature: e.signature,
  };
}

function evidence(dir: string, actionLog: string[], proxy: FaultProxy, devices: readonly DeviceProcess[]): NonNullable<ChaosReport['evidence']> {
  const tail = (file: string) => {
    if (!existsSync(file)) return '';
    return readFileSync(file, 'utf8').split('\n').slice(-40).join('\n');
  };
  const logTails: Record<string, string> = { central: tail(join(dir, 'central.log')) };
  for (const d of devices) logTails[d.label] = tail(join(dir, `${d.label}.log`));
  return {
    dir,
    lastActions: actionLog.slice(-60),
    lastFaults: proxy
      .recent()
      .slice(-100)
      .map((r) => `${new Date(r.at).toISOString()} conn ${r.conn}: ${r.fault}`),
    logTails,
  };
}
