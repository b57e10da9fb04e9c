import Database from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { privateKeyFromPkcs8, publicKeyFromBase64, verifyText } from '@kawei/shared/crypto/ed25519.node.ts';
import { canonicalJson } from '@kawei/shared/sync/canonical-json.ts';
import { COMMITTEE_BOOTH_MESSAGE, REVIEW_EVENTS, committeeBoothPayloadSchema, type CommitteeBoothPayload } from '@kawei/shared/committee/committee-events.ts';
import { evaluationRulesSchema, type EvaluationRulesInput } from '@kawei/shared/committee/evaluation-rules.ts';
import { SYNC_PATHS, type DownstreamMessage } from '@kawei/shared/sync/sync-http.ts';
import type { SyncEvent } from '@kawei/shared/sync/sync-event.ts';
import { buildCentralServer } from '../src/server.node.ts';
import { createCommitteeService, type CentralCommitteeService } from '../src/committee/committee-service.node.ts';
import { openCommitteeFromStore } from '../src/committee/open-committee.node.ts';
import { runCli } from '../src/cli/run-cli.node.ts';
import type { SqliteCentralStore } from '../src/storage/sqlite-central-store.node.ts';
import { pushRequest } from './event-chain-builder.ts';
import { openDemoStore } from './store-fixtures.ts';
import { useTempDir } from './temp-dir.ts';
import { enrolBooths, ROOM_3_BOOTHS, seatedDraw, type EnrolledBooth } from './committee/seated-committee.node.ts';
import { BIDS, COMPREHENSIVE, DATE, PROJECT, openedPayload, preliminaryPayload, scoresFor, sheetPayload, stepPayload, votePayload, withRules } from './committee/committee-fixtures.ts';

/**
 * The committee through a real central (Fastify server on a SQLite store): three booth devices,
 * enrolled at demo booths and sealing their events with their own keys, push the review events over
 * signed HTTP; the committee service judges them into the central's ledger and sends each booth its
 * committee.booth view; the operator reads the results and verifies the record with the CLI.
 */
const tempDir = useTempDir();

const CODENAMES = ['K01', 'K02', 'K03'] as const;
/** The committee of three at room 3's first booths. */
const drawResult = () => seatedDraw(ROOM_3_BOOTHS.slice(0, 3));

type Booth = EnrolledBooth;

interface Central {
  dir: string;
  store: SqliteCentralStore;
  app: FastifyInstance;
  committee: CentralCommitteeService;
  booths: Booth[];
  push(booth: Booth, type: string, payload: Record<string, unknown>): Promise<void>;
  cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  messages(booth: Booth, type?: string): Promise<DownstreamMessage[]>;
  lastView(booth: Booth): Promise<CommitteeBoothPayload>;
  close(): Promise<void>;
}

const opened: Central[] = [];
afterEach(async () => {
  for (const c of opened.splice(0)) await c.close();
});

async function startCentral(options: { open?: boolean; members?: number; rules?: EvaluationRulesInput; serverMadeCommittee?: boolean } = {}): Promise<Central> {
  const members = options.members ?? 3;
  const dir = tempDir();
  const store = await openDemoStore(dir);
  const booths = await enrolBooths(store, ROOM_3_BOOTHS.slice(0, members));
  const identity = await store.getCentralIdentity();
  const privateKey = privateKeyFromPkcs8(identity.privateKeyPkcs8);
  const committee = createCommitteeService({ store, privateKey, centralId: identity.centralId, now: Date.now });
  // Catch-up is driven by the tests (an hour between runs on its own).
  const app = options.serverMadeCommittee
    ? buildCentralServer({ store, committeeCatchUpMs: 50 })
    : buildCentralServer({ store, committee, committeeCatchUpMs: 3_600_000 });
  await app.ready();
  if (options.open !== false) {
    const rules = evaluationRulesSchema.parse(options.rules ?? COMPREHENSIVE);
    expect(
      await openCommitteeFromStore({ store, privateKey, centralId: identity.centralId, now: Date.now }, { result: seatedDraw(ROOM_3_BOOTHS.slice(0, members)), project: PROJECT, rules, bids: BIDS, blind: true }),
    ).toEqual({ members, alternates: 2 });
  }
  const central: Central = {
    dir,
    store,
    app,
    committee,
    booths,
    push: async (booth, type, payload) => {
      const events: SyncEvent[] = booth.chain.append(1, () => ({ type, payload: payload as SyncEvent['payload'] }));
      const res = await app.inject(booth.device.signedRequest({ method: 'POST', url: SYNC_PATHS.push, body: JSON.stringify(pushRequest(events)) }));
      expect(res.statusCode, res.body).toBe(200);
      await committee.idle();
    },
    cli: async (args) => {
      let stdout = '';
      let stderr = '';
      const code = await runCli([...args, '--data', dir], { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } });
      return { code, stdout, stderr };
    },
    messages: async (booth, type) => (await store.messagesAfter(booth.device.deviceId, 0, 10_000)).filter((m) => type === undefined || m.type === type),
    lastView: async (booth) => committeeBoothPayloadSchema.parse((await central.messages(booth, COMMITTEE_BOOTH_MESSAGE)).at(-1)!.payload),
    close: async () => {
      await app.close();
      await store.close();
    },
  };
  opened.push(central);
  return central;
}

/** The committee the fixtures' payloads were written for (same rules, bids and code names). */
const OPENED = openedPayload({ members: 3 });

async function ledgerTypes(central: Central): Promise<string[]> {
  return (await central.store.listLedger({ project: PROJECT })).map((e) => e.type);
}

describe('the committee through the central', () => {
  it('opens, judges pushed review events into its signed ledger, refuses what the rules refuse, and sends every booth the results', async () => {
    const central = await startCentral();
    const [k1, k2, k3] = central.booths as [Booth, Booth, Booth];
    const identity = await central.store.getCentralIdentity();
    const centralKey = publicKeyFromBase64(identity.publicKey)!;

    // Opening: every member's booth has its first view, signed by the central.
    for (const booth of central.booths) {
      const [first] = await central.messages(booth, COMMITTEE_BOOTH_MESSAGE);
      expect(first).toBeDefined();
      const { cursor: _cursor, signature, ...body } = first!;
      void _cursor;
      expect(verifyText(centralKey, canonicalJson(body), signature)).toBe(true);
      expect(committeeBoothPayloadSchema.parse(first!.payload)).toMatchObject({ codename: booth.codename, stage: 'preliminary', rulesSha256: OPENED.rulesSha256 });
    }
    // Opening again with the same material changes nothing.
    const rules = evaluationRulesSchema.parse(COMPREHENSIVE);
    const deps = { store: central.store, privateKey: privateKeyFromPkcs8(identity.privateKeyPkcs8), centralId: identity.centralId, now: Date.now };
    await openCommitteeFromStore(deps, { result: drawResult(), project: PROJECT, rules, bids: BIDS, blind: true });
    expect(await ledgerTypes(central)).toEqual(['committee.opened']);

    await central.push(k1, REVIEW_EVENTS.chairVote, votePayload('K01', 'K02'));
    await central.push(k2, REVIEW_EVENTS.chairVote, votePayload('K02', 'K02'));
    await central.push(k3, REVIEW_EVENTS.chairVote, votePayload('K03', 'K01'));
    await central.push(k1, REVIEW_EVENTS.preliminarySigned, preliminaryPayload(OPENED, 'K01', { C: { licence: 'licence expired' } }));
    await central.push(k2, REVIEW_EVENTS.preliminarySigned, preliminaryPayload(OPENED, 'K02', { C: { bond: 'no bid bond' } }));
    await central.push(k3, REVIEW_EVENTS.preliminarySigned, preliminaryPayload(OPENED, 'K03'));
    expect((await central.lastView(k3)).stage).toBe('preliminary_done');
    // Not the chair: refused, and the refusal is on the record.
    await central.push(k1, REVIEW_EVENTS.chairStep, stepPayload('K01', { step: 'start_detailed' }));
    const refused = (await central.store.listLedger({ project: PROJECT })).at(-1)!;
    expect(refused).toMatchObject({ type: 'committee.refused', payload: { device: k1.device.deviceId, seq: 3, reason: 'not_chair', codename: 'K01' } });
    // A second opening is refused once the committee has decided something.
    await expect(openCommitteeFromStore(deps, { result: drawResult(), project: PROJECT, rules, bids: BIDS, blind: false })).rejects.toMatchObject({ code: 'COMMITTEE_REFUSED' });

    await central.push(k2, REVIEW_EVENTS.chairStep, stepPayload('K02', { step: 'start_detailed' }));
    const passed = (await central.lastView(k1)).passed;
    expect(passed).toEqual(['A', 'B', 'D']);
    for (const [i, booth] of central.booths.entries()) await central.push(booth, REVIEW_EVENTS.scoresSubmitted, sheetPayload(OPENED, booth.codename, scoresFor(passed, i)));

    // Every booth sees the same results, experts as 评委1…3, bids by code.
    const views = await Promise.all(central.booths.map((b) => central.lastView(b)));
    for (const [i, view] of views.entries()) {
      expect(view).toMatchObject({ stage: 'results', codename: CODENAMES[i] });
      expect(view.results?.judges).toEqual(['评委1', '评委2', '评委3']);
      expect(view.results?.resultsSha256).toBe(views[0]!.results?.resultsSha256);
      expect(JSON.stringify(view)).not.toContain('expert-0');
    }
    const types = await ledgerTypes(central);
    expect(types.filter((t) => t === 'committee.accepted')).toHaveLength(10);
    expect(types.filter((t) => t === 'committee.refused')).toHaveLength(1);

    // The operator's view, text and JSON: code names, never the experts' ids.
    const text = await central.cli(['results', '--project', PROJECT]);
    expect([text.code, text.stderr]).toEqual([0, '']);
    expect(text.stdout).not.toContain('expert-0');
    expect(text.stdout).toContain('K02');
    if (process.env['SHOW_RESULTS']) process.stderr.write(text.stdout);
    for (const heading of ['评标委员会', '阶段 stage: 已汇总 / aggregated', '评分矩阵 score matrix', '排名 ranking', '评委1', '否决 rejected: C']) expect(text.stdout).toContain(heading);
    const json = await central.cli(['results', '--project', PROJECT, '--date', DATE, '--json']);
    expect(json.code).toBe(0);
    expect(json.stdout).not.toContain('expert-0');
    expect(JSON.parse(json.stdout)).toMatchObject({ stage: 'results' });
    const verified = await central.cli(['results', 'verify', '--project', PROJECT, '--json']);
    expect([verified.code, JSON.parse(verified.stdout)]).toEqual([0, expect.objectContaining({ ok: true, faults: [], committeeEvents: 12, boothEvents: 11, stage: 'results' })]);
    const verifiedText = await central.cli(['results', 'verify', '--project', PROJECT]);
    expect(verifiedText.code).toBe(0);
    expect(verifiedText.stdout).toContain('核验通过');

    // The centre confirms the results it was shown: final, every booth told, still re-derivable.
    const digest = (JSON.parse(json.stdout) as { resultsSha256: string }).resultsSha256;
    const stale = await central.cli(['committee', 'confirm', '--project', PROJECT, '--results', 'f'.repeat(64), '--operator', 'op-1', '--why', 'signed report']);
    expect([stale.code, stale.stderr]).toEqual([1, expect.stringContaining('STALE_RESULTS')]);
    const confirmed = await central.cli(['committee', 'confirm', '--project', PROJECT, '--results', digest, '--operator', 'op-1', '--why', 'signed report']);
    expect([confirmed.code, confirmed.stderr]).toEqual([0, '']);
    expect((await central.lastView(k1)).stage).toBe('final');
    expect((await central.store.listLedger({ project: PROJECT })).at(-1)).toMatchObject({ type: 'committee.results_confirmed', payload: { resultsSha256: digest, operator: 'op-1', why: 'signed report' } });
    expect((await central.cli(['results', 'verify', '--project', PROJECT])).code).toBe(0);
  });

  it("refuses an operator's act the rules forbid, with the reason, and records an allowed one with who and why", async () => {
    const central = await startCentral();
    const [k1, k2, k3] = central.booths as [Booth, Booth, Booth];
    for (const booth of [k1, k2, k3]) await central.push(booth, REVIEW_EVENTS.chairVote, votePayload(booth.codename, 'K02'));
    const refused = await central.cli(['committee', 'chair', '--project', PROJECT, '--codename', 'K01', '--operator', 'op-1', '--why', 'test']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/CHAIR_ALREADY_NAMED|WRONG_STAGE/);
    expect(refused.stderr).not.toContain('    at ');
    const missing = await central.cli(['committee', 'chair', '--project', PROJECT, '--codename', 'K01']);
    expect(missing.code).toBe(2);
    const nothing = await central.cli(['results', '--project', 'NO-SUCH']);
    expect(nothing.code).toBe(2);

    // Replace K03 (absent) by the first alternate, at the same booth, under a fresh code name.
    const replaced = await central.cli(['committee', 'replace', '--project', PROJECT, '--codename', 'K03', '--reason', 'absent', '--alternate', 'alt-1', '--operator', 'op-1', '--why', 'did not arrive']);
    expect([replaced.code, replaced.stderr]).toEqual([0, '']);
    const entry = (await central.store.listLedger({ project: PROJECT })).at(-1)!;
    expect(entry).toMatchObject({ type: 'committee.replaced', payload: { codename: 'K03', reason: 'absent', operator: 'op-1', why: 'did not arrive', replacement: { expert: 'alt-1', booth: 'room-3-A3', device: k3.device.deviceId } } });
    const newName = (entry.payload['replacement'] as { codename: string }).codename;
    expect(newName).toMatch(/^[A-HJKMNP-Z]{2}-[2-9]{2}$/);
    const roster = (await central.messages(k3, 'roster.booth')).at(-1)!;
    expect(roster.payload).toMatchObject({ expert: 'alt-1', codename: newName, project: PROJECT, room: 'room-3', label: 'A3', date: DATE });
    expect((await central.lastView(k3)).codename).toBe(newName);
    // The leaver's later events are refused.
    await central.push(k3, REVIEW_EVENTS.preliminarySigned, preliminaryPayload(OPENED, 'K03'));
    expect((await central.store.listLedger({ project: PROJECT })).at(-1)).toMatchObject({ type: 'committee.refused', payload: { reason: 'replaced' } });
    const verified = await central.cli(['results', 'verify', '--project', PROJECT]);
    expect([verified.code, verified.stdout]).toEqual([0, expect.stringContaining('核验通过')]);
  });

  it('judges events stored while the committee was not listening, and events that arrived before it opened, on catch-up', async () => {
    const central = await startCentral({ open: false });
    const [k1, k2] = central.booths as [Booth, Booth, Booth];
    // Before the committee opens: stored, not judged.
    await central.push(k1, REVIEW_EVENTS.chairVote, votePayload('K01', 'K02'));
    expect(await central.store.listLedger({})).toEqual([]);
    const identity = await central.store.getCentralIdentity();
    const deps = { store: central.store, privateKey: privateKeyFromPkcs8(identity.privateKeyPkcs8), centralId: identity.centralId, now: Date.now };
    await openCommitteeFromStore(deps, { result: drawResult(), project: PROJECT, rules: evaluationRulesSchema.parse(COMPREHENSIVE), bids: BIDS, blind: true });
    expect(await ledgerTypes(central)).toEqual(['committee.opened', 'committee.accepted']);

    // Stored straight into the store (a crash between ingest and judging): the ledger does not name it…
    const events = k2.chain.append(1, () => ({ type: REVIEW_EVENTS.chairVote, payload: votePayload('K02', 'K02') as SyncEvent['payload'] }));
    expect(await central.store.ingestBatch({ deviceId: k2.device.deviceId, events, receivedAt: Date.now(), clockSkewMs: 0 })).toMatchObject({ kind: 'stored' });
    expect(await ledgerTypes(central)).toHaveLength(2);
    // …until catch-up, which judges it once, however often it runs.
    await central.committee.catchUp();
    await central.committee.catchUp();
    const ledger = await central.store.listLedger({ project: PROJECT });
    expect(ledger.map((e) => e.type)).toEqual(['committee.opened', 'committee.accepted', 'committee.accepted']);
    expect(ledger[2]!.payload).toMatchObject({ device: k2.device.deviceId, seq: 1, codename: 'K02' });
    expect((await central.lastView(k2)).chairVotes).toBe(2);
  });

  it('results verify catches a tampered ledger row', async () => {
    const central = await startCentral();
    const [k1] = central.booths as [Booth, Booth, Booth];
    await central.push(k1, REVIEW_EVENTS.chairVote, votePayload('K01', 'K02'));
    expect((await central.cli(['results', 'verify', '--project', PROJECT])).code).toBe(0);

    const raw = new Database(`${central.dir}/central.sqlite`);
    try {
      const row = raw.prepare('SELECT seq, payload_json FROM committee_ledger WHERE type = ?').get('committee.accepted') as { seq: number; payload_json: string };
      raw.prepare('UPDATE committee_ledger SET payload_json = ? WHERE seq = ?').run(row.payload_json.replace('"K01"', '"K02"'), row.seq);
    } finally {
      raw.close();
    }
    const tampered = await central.cli(['results', 'verify', '--project', PROJECT, '--json']);
    expect(tampered.code).toBe(1);
    const report = JSON.parse(tampered.stdout) as { ok: boolean; faults: { code: string; seq: number | null }[] };
    expect(report.ok).toBe(false);
    expect(report.faults).toContainEqual({ code: 'CHAIN_BROKEN', seq: 2, detail: 'hash-mismatch' });
    const text = await central.cli(['results', 'verify', '--project', PROJECT]);
    expect([text.code, text.stdout]).toEqual([1, expect.stringContaining('CHAIN_BROKEN')]);
  });

  it('sends the results to every booth of a nine-expert committee once the last sheet is in (and reports how long that took)', async () => {
    const rules = withRules(COMPREHENSIVE, { preliminary: [] });
    const central = await startCentral({ members: 9, rules });
    const nine = openedPayload({ rules, members: 9 });
    const bids = BIDS.map((b) => b.code);
    const sheets = central.booths.map((booth, i) => sheetPayload(nine, booth.codename, scoresFor(bids, i)));
    // Eight sheets in a burst, as booths sign at once: the views go out once the burst is judged.
    await Promise.all(central.booths.slice(0, 8).map((booth, i) => central.push(booth, REVIEW_EVENTS.scoresSubmitted, sheets[i]!)));
    expect((await central.lastView(central.booths[0]!)).stage).toBe('detailed');
    const before = await Promise.all(central.booths.map(async (b) => (await central.messages(b, COMMITTEE_BOOTH_MESSAGE)).length));

    const started = performance.now();
    await central.push(central.booths[8]!, REVIEW_EVENTS.scoresSubmitted, sheets[8]!);
    const views = await Promise.all(central.booths.map((b) => central.lastView(b)));
    const elapsedMs = performance.now() - started;
    for (const view of views) expect(view).toMatchObject({ stage: 'results', results: { judges: Array.from({ length: 9 }, (_, i) => `评委${i + 1}`) } });
    const after = await Promise.all(central.booths.map(async (b) => (await central.messages(b, COMMITTEE_BOOTH_MESSAGE)).length));
    expect(after.map((n, i) => n - before[i]!)).toEqual(Array.from({ length: 9 }, () => 1));
    process.stderr.write(`[committee] last sheet pushed → results stored for all 9 booths: ${elapsedMs.toFixed(1)} ms\n`);
  });

  it('the server makes its own committee when ready: pushed events are judged, and events stored behind its back are caught up', async () => {
    const central = await startCentral({ serverMadeCommittee: true });
    const [k1, k2] = central.booths as [Booth, Booth, Booth];
    const types = () => ledgerTypes(central);
    const events = k1.chain.append(1, () => ({ type: REVIEW_EVENTS.chairVote, payload: votePayload('K01', 'K02') as SyncEvent['payload'] }));
    const res = await central.app.inject(k1.device.signedRequest({ method: 'POST', url: SYNC_PATHS.push, body: JSON.stringify(pushRequest(events)) }));
    expect(res.statusCode).toBe(200);
    await vi.waitFor(async () => expect(await types()).toEqual(['committee.opened', 'committee.accepted']), { timeout: 20_000, interval: 50 });
    await vi.waitFor(async () => expect((await central.lastView(k1)).chairVotes).toBe(1), { timeout: 20_000, interval: 50 });

    const behind = k2.chain.append(1, () => ({ type: REVIEW_EVENTS.chairVote, payload: votePayload('K02', 'K02') as SyncEvent['payload'] }));
    await central.store.ingestBatch({ deviceId: k2.device.deviceId, events: behind, receivedAt: Date.now(), clockSkewMs: 0 });
    await vi.waitFor(async () => expect(await types()).toEqual(['committee.opened', 'committee.accepted', 'committee.accepted']), { timeout: 20_000, interval: 50 });
  });
});
