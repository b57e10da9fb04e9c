import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { privateKeyFromPkcs8 } from '@kawei/shared/crypto/ed25519.node.ts';
import { REVIEW_EVENTS, type CommitteeMember } from '@kawei/shared/committee/committee-events.ts';
import { evaluationRulesSchema } from '@kawei/shared/committee/evaluation-rules.ts';
import { rulesSha256 } from '@kawei/shared/committee/rules-digest.node.ts';
import type { SyncEvent } from '@kawei/shared/sync/sync-event.ts';
import { createCommitteeService, type CentralCommitteeService } from '../src/committee/committee-service.node.ts';
import { appendToLedger } from '../src/committee/committee-ledger.node.ts';
import { verifyCommittee } from '../src/committee/verify-committee.node.ts';
import type { SqliteCentralStore } from '../src/storage/sqlite-central-store.node.ts';
import { TestDevice } from './device-signer.ts';
import { EventChain } from './event-chain-builder.ts';
import { addCode, attempt, openDemoStore } from './store-fixtures.ts';
import { useTempDir } from './temp-dir.ts';
import { BIDS, COMPREHENSIVE, DATE, PROJECT, votePayload } from './committee/committee-fixtures.ts';

/**
 * The committee at scale: catch-up passes that read only what was stored since the last one (and
 * still leave nothing unjudged), and `results verify` stepping once through a long ledger.
 */
const counter = vi.hoisted(() => ({ applied: 0 }));
vi.mock('../src/committee/committee-reducer.ts', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../src/committee/committee-reducer.ts')>();
  return {
    ...actual,
    applyLedgerEntry: (...args: Parameters<typeof actual.applyLedgerEntry>) => {
      counter.applied++;
      return actual.applyLedgerEntry(...args);
    },
  };
});

const tempDir = useTempDir();
const BOOTHS = ['room-3-A1', 'room-3-A2', 'room-3-A3', 'room-3-B1', 'room-3-B2', 'room-3-B3', 'room-3-C1', 'room-3-C2', 'room-3-C3'];
const codenameOf = (i: number) => `K${String(i + 1).padStart(2, '0')}`;
const RULES = evaluationRulesSchema.parse(COMPREHENSIVE);

/** Rows the store handed the committee, by kind. */
interface Reads {
  ledger: number;
  reviewEvents: number;
}

interface Central {
  dir: string;
  store: SqliteCentralStore;
  reads: Reads;
  /** A committee service on the counting store ("a process"). */
  service(): CentralCommitteeService;
  devices: { codename: string; device: TestDevice; chain: EventChain }[];
  members: CommitteeMember[];
  /** Stores a booth's events straight into the store (the service not told). */
  store9(i: number, payloads: Record<string, unknown>[]): Promise<SyncEvent[]>;
  failAppends: { left: number };
}

const opened: Central[] = [];
afterEach(async () => {
  for (const c of opened.splice(0)) await c.store.close();
});

async function startCentral(): Promise<Central> {
  const dir = tempDir();
  const store = await openDemoStore(dir);
  const devices: Central['devices'] = [];
  for (const [i, boothId] of BOOTHS.entries()) {
    const device = new TestDevice();
    const code = `CODE${i}AAA`.slice(0, 8);
    await addCode(store, code, { kind: 'booth', boothId });
    device.deviceId = (await store.consumeEnrolmentCode(attempt(code, 'booth', device))).device.id;
    devices.push({ codename: codenameOf(i), device, chain: new EventChain(device.deviceId, device.privateKey) });
  }
  const members = devices.map((d, i) => ({ codename: d.codename, expert: `expert-${i + 1}`, booth: BOOTHS[i]!, device: d.device.deviceId }));
  const reads: Reads = { ledger: 0, reviewEvents: 0 };
  const failAppends = { left: 0 };
  // Counts the rows catch-up reads; fails ledger appends while asked to.
  const counting = new Proxy(store, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver) as unknown;
      if (typeof value !== 'function') return value;
      const method = value as (...args: unknown[]) => unknown;
      return async (...args: unknown[]) => {
        if (name === 'appendLedgerEvent' && failAppends.left > 0) {
          failAppends.left--;
          throw new Error('disk full (test)');
        }
        const result = await method.apply(target, args);
        if (name === 'listLedger') reads.ledger += (result as unknown[]).length;
        if (name === 'listEventsByTypes' || name === 'listDeviceEventsByTypes') reads.reviewEvents += (result as unknown[]).length;
        return result;
      };
    },
  });
  const identity = await store.getCentralIdentity();
  const privateKey = privateKeyFromPkcs8(identity.privateKeyPkcs8);
  const central: Central = {
    dir,
    store,
    reads,
    failAppends,
    members,
    devices,
    service: () => createCommitteeService({ store: counting, privateKey, centralId: identity.centralId, now: Date.now }),
    store9: async (i, payloads) => {
      const d = devices[i]!;
      let k = 0;
      const events = d.chain.append(payloads.length, () => ({ type: REVIEW_EVENTS.chairVote, payload: payloads[k++] as SyncEvent['payload'] }));
      expect(await store.ingestBatch({ deviceId: d.device.deviceId, events, receivedAt: Date.now(), clockSkewMs: 0 })).toMatchObject({ kind: 'stored' });
      return events;
    },
  };
  opened.push(central);
  return central;
}

const vote = (project: string, codename: string, candidate: string) => ({ ...votePayload(codename, candidate), project });
const projectOf = (n: number) => `P-${String(n).padStart(4, '0')}`;

async function openCommittees(central: Central, service: CentralCommitteeService, projects: readonly string[]): Promise<void> {
  for (const project of projects) await service.open({ date: DATE, project, blind: false, rules: RULES, bids: BIDS, members: central.members, alternates: [] });
}

async function accepted(central: Central): Promise<number> {
  return (await central.store.listLedger({})).filter((e) => e.type === 'committee.accepted' || e.type === 'committee.refused').length;
}

describe('catch-up reads only what is new, and leaves nothing unjudged', () => {
  it('after the first (full) pass, a pass with nothing new reads no ledger entry and no review event; new events are read and judged', async () => {
    const central = await startCentral();
    const projects = Array.from({ length: 5 }, (_, n) => projectOf(n));
    const setup = central.service();
    await openCommittees(central, setup, projects);
    // Every member votes in every committee, stored while no one listened.
    for (let i = 0; i < 9; i++) await central.store9(i, projects.map((p) => vote(p, codenameOf(i), 'K01')));

    const service = central.service();
    await service.catchUp();
    await service.catchUp(); // reads the verdicts the first pass appended
    expect(await accepted(central)).toBe(45);
    central.reads.ledger = central.reads.reviewEvents = 0;
    await service.catchUp();
    // Before: the whole ledger (50 entries) and all 45 review events, every 3 s.
    expect(central.reads).toEqual({ ledger: 0, reviewEvents: 0 });

    await central.store9(3, [vote(projects[0]!, 'K04', 'K02')]);
    await service.catchUp();
    expect(central.reads.reviewEvents).toBe(1);
    expect(await accepted(central)).toBe(46);
    const last = (await central.store.listLedger({})).at(-1)!;
    expect(last).toMatchObject({ type: 'committee.refused', payload: { reason: 'chair_already_named', codename: 'K04' } });
  });

  it('judges, once its committee opens (in another process), an event a pass found with no committee', async () => {
    const central = await startCentral();
    const service = central.service();
    await central.store9(0, [vote('LATE', 'K01', 'K02')]);
    await service.catchUp();
    expect(await accepted(central)).toBe(0);
    // The CLI opens it (its own service, full pass: judges it there); this one must not judge it again.
    const cli = central.service();
    await openCommittees(central, cli, ['LATE']);
    expect(await accepted(central)).toBe(1);
    await service.catchUp();
    expect(await accepted(central)).toBe(1);

    // Opened without a judging pass in the other process (a crash right after the opening): this one judges it.
    await central.store9(1, [vote('LATER', 'K02', 'K02')]);
    await service.catchUp();
    await appendToLedger(
      { store: central.store, privateKey: privateKeyFromPkcs8((await central.store.getCentralIdentity()).privateKeyPkcs8), centralId: (await central.store.getCentralIdentity()).centralId, now: Date.now },
      async () => ({ type: 'committee.opened', date: DATE, project: 'LATER', payload: openedFor('LATER', central.members) }),
    );
    central.reads.reviewEvents = 0;
    await service.catchUp();
    expect(central.reads.reviewEvents).toBe(0);
    expect((await central.store.listLedger({ project: 'LATER' })).map((e) => e.type)).toEqual(['committee.opened', 'committee.accepted']);
  });

  it('tries again, on the next pass, an event whose judging failed while a pass skipped it (the device head already seen)', async () => {
    const central = await startCentral();
    const service = central.service();
    await openCommittees(central, service, [PROJECT]);
    await service.catchUp();
    const [event] = await central.store9(0, [vote(PROJECT, 'K01', 'K02')]);
    // The sync route stored it and is judging it; its append fails while a pass runs (and sees the head move).
    central.failAppends.left = 1;
    await Promise.all([service.onBoothEvents(central.devices[0]!.device.deviceId, [event!]), service.catchUp()]);
    expect(central.failAppends.left).toBe(0);
    await service.catchUp();
    const ledger = await central.store.listLedger({ project: PROJECT });
    expect(ledger.map((e) => e.type)).toEqual(['committee.opened', 'committee.accepted']);
    expect(ledger[1]!.payload).toMatchObject({ device: central.devices[0]!.device.deviceId, seq: 1 });
  });

  it('reports what a pass costs on many committees (COMMITTEE_SCALE committees × 9 members)', async () => {
    const committees = Number(process.env['COMMITTEE_SCALE'] ?? 20);
    const central = await startCentral();
    const projects = Array.from({ length: committees }, (_, n) => projectOf(n));
    const setupStarted = performance.now();
    const setup = central.service();
    await openCommittees(central, setup, projects);
    const stored = [];
    for (let i = 0; i < 9; i++) stored.push(await central.store9(i, projects.flatMap((p) => [vote(p, codenameOf(i), 'K01'), vote(p, codenameOf(i), 'K02')])));
    // Judged as the sync route does, one committee at a time.
    for (const [n] of projects.entries()) for (const [i, events] of stored.entries()) await setup.onBoothEvents(central.devices[i]!.device.deviceId, events.slice(2 * n, 2 * n + 2));
    await setup.idle();
    const setupMs = performance.now() - setupStarted;
    expect(await accepted(central)).toBe(committees * 18);
    // A restarted server: its first pass reads everything, judges nothing; the later ones read what is new.
    const service = central.service();
    const first = performance.now();
    await service.catchUp();
    const firstMs = performance.now() - first;
    expect(await accepted(central)).toBe(committees * 18);
    const figures: string[] = [];
    for (let run = 0; run < 3; run++) {
      central.reads.ledger = central.reads.reviewEvents = 0;
      const started = performance.now();
      await service.catchUp();
      figures.push(`${(performance.now() - started).toFixed(1)} ms (ledger ${central.reads.ledger}, review events ${central.reads.reviewEvents})`);
    }
    process.stderr.write(
      `[committee catch-up] ${committees} committees × 9 members, ${committees * 18} review events, ${committees * 19} ledger entries; setup ${setupMs.toFixed(0)} ms; first pass ${firstMs.toFixed(1)} ms; passes with nothing new: ${figures.join('; ')}\n`,
    );
  }, 600_000);
});

describe('results verify steps once through a long ledger', () => {
  async function longLedger() {
    const central = await startCentral();
    const service = central.service();
    await openCommittees(central, service, [PROJECT]);
    // Each member votes, then 30 more times (refused): a ledger of 1 + 9 × 31 entries.
    for (let i = 0; i < 9; i++) {
      const events = await central.store9(i, Array.from({ length: 31 }, (_, n) => vote(PROJECT, codenameOf(i), codenameOf((i + n) % 4))));
      await service.onBoothEvents(central.devices[i]!.device.deviceId, events);
    }
    await service.idle();
    return central;
  }

  /** Rewrites the ledger from `from` on with these entries, sealed again with the central's key (a chain that checks). */
  async function reseal(central: Central, from: number, entries: { type: string; date: string; project: string; payload: Record<string, unknown> }[]) {
    const raw = new Database(`${central.dir}/central.sqlite`);
    try {
      raw.prepare('DELETE FROM committee_ledger WHERE seq >= ?').run(from);
    } finally {
      raw.close();
    }
    const identity = await central.store.getCentralIdentity();
    const deps = { store: central.store, privateKey: privateKeyFromPkcs8(identity.privateKeyPkcs8), centralId: identity.centralId, now: Date.now };
    for (const entry of entries) await appendToLedger(deps, async () => entry);
  }

  it('applies each entry once, and finds nothing wrong in a true record', async () => {
    const central = await longLedger();
    const ledger = await central.store.listLedger({ project: PROJECT });
    expect(ledger).toHaveLength(1 + 9 * 31);
    counter.applied = 0;
    const report = await verifyCommittee(central.store, DATE, PROJECT);
    expect(report.faults).toEqual([]);
    expect(report).toMatchObject({ committeeEvents: 280, boothEvents: 279 });
    // Before: every prefix replayed again (~39 000 steps for 280 entries).
    expect(counter.applied).toBe(ledger.length - 1);
  });

  it('catches a re-ordered entry and a re-sealed verdict, at their seq', async () => {
    const central = await longLedger();
    const ledger = await central.store.listLedger({ project: PROJECT });
    const asEntry = (e: (typeof ledger)[number]) => ({ type: e.type, date: e.date, project: e.project, payload: e.payload });
    // K05's second vote (refused: already voted) moved before its first (accepted).
    const firstOf5 = ledger.findIndex((e) => e.payload['codename'] === 'K05');
    const moved = [...ledger];
    const [second] = moved.splice(firstOf5 + 1, 1);
    moved.splice(firstOf5, 0, second!);
    expect(second!.type).toBe('committee.refused');
    await reseal(central, ledger[firstOf5]!.seq, moved.slice(firstOf5).map(asEntry));
    const reordered = await verifyCommittee(central.store, DATE, PROJECT);
    expect(reordered.faults).toEqual([{ code: 'VERDICT_DIFFERS', seq: ledger[firstOf5]!.seq, detail: 'recorded refused:already_submitted, re-derived accepted' }]);

    // A refusal's reason changed near the end, and sealed again.
    await reseal(central, ledger[firstOf5]!.seq, ledger.slice(firstOf5).map(asEntry));
    expect((await verifyCommittee(central.store, DATE, PROJECT)).faults).toEqual([]);
    const late = ledger.length - 3;
    const tampered = { ...asEntry(ledger[late]!), payload: { ...ledger[late]!.payload, reason: 'not_seated' } };
    await reseal(central, ledger[late]!.seq, [tampered, ...ledger.slice(late + 1).map(asEntry)]);
    const report = await verifyCommittee(central.store, DATE, PROJECT);
    expect(report.faults).toEqual([{ code: 'VERDICT_DIFFERS', seq: ledger[late]!.seq, detail: expect.stringMatching(/^recorded refused:not_seated, re-derived refused:/) }]);
  });
});

function openedFor(project: string, members: CommitteeMember[]): Record<string, unknown> {
  return JSON.parse(JSON.stringify({ date: DATE, project, blind: false, rules: RULES, bids: BIDS, members, alternates: [], rulesSha256: rulesSha256(RULES) })) as Record<string, unknown>;
}
