import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { REVIEW_EVENTS } from '@kawei/shared/committee/committee-events.ts';
import { evaluationRulesSchema } from '@kawei/shared/committee/evaluation-rules.ts';
import { privateKeyFromPkcs8 } from '@kawei/shared/crypto/ed25519.node.ts';
import { REPORT_BOOTH_EVENTS, REPORT_BOOTH_MESSAGE, reportBoothPayloadSchema, reportFilePath } from '@kawei/shared/report/report-events.ts';
import { SYNC_PATHS } from '@kawei/shared/sync/sync-http.ts';
import type { SyncEvent } from '@kawei/shared/sync/sync-event.ts';
import { openCommitteeFromStore } from '../../src/committee/open-committee.node.ts';
import { buildCentralServer } from '../../src/server.node.ts';
import type { SqliteCentralStore } from '../../src/storage/sqlite-central-store.node.ts';
import { pushRequest } from '../event-chain-builder.ts';
import { openDemoStore } from '../store-fixtures.ts';
import { useTempDir } from '../temp-dir.ts';
import { BIDS, COMPREHENSIVE, DATE, openedPayload, preliminaryPayload, PROJECT, scoresFor, sheetPayload, stepPayload, votePayload } from '../committee/committee-fixtures.ts';
import { enrolBooths, ROOM_3_BOOTHS, seatedDraw } from '../committee/seated-committee.node.ts';

/**
 * The report inside the central's server: the server makes the committee with the report service as
 * its pipeline (the store keeps report files), the booths push over signed HTTP, the draft appears
 * once the chair confirms, each member's booth fetches it by hash over the device route, a booth
 * that is not on the committee gets the same 404 as for an unknown hash.
 */
const tempDir = useTempDir();
/** Three seated, the fourth enrolled but not on the committee. */
const BOOTHS = ROOM_3_BOOTHS.slice(0, 4);
const OPENED = openedPayload({ members: 3 });

const opened: { app: FastifyInstance; store: SqliteCentralStore }[] = [];
afterEach(async () => {
  for (const { app, store } of opened.splice(0)) {
    await app.close();
    await store.close();
  }
});

describe('the report in the central server', () => {
  it('renders the draft when the chair confirms, judges pushed report events, and serves the PDF to the committee booths only', async () => {
    const dir = tempDir();
    const store = await openDemoStore(dir);
    const enrolled = await enrolBooths(store, BOOTHS);
    const devices = enrolled.map((b) => b.device);
    const chains = enrolled.map((b) => b.chain);
    const app = buildCentralServer({ store, dataDir: dir, committeeCatchUpMs: 100, reportTrustList: () => null });
    opened.push({ app, store });
    await app.ready();
    const identity = await store.getCentralIdentity();
    await openCommitteeFromStore(
      { store, privateKey: privateKeyFromPkcs8(identity.privateKeyPkcs8), centralId: identity.centralId, now: Date.now },
      { result: seatedDraw(BOOTHS.slice(0, 3)), project: PROJECT, rules: evaluationRulesSchema.parse(COMPREHENSIVE), bids: BIDS, blind: true },
    );
    const ledger = async () => (await store.listLedger({ project: PROJECT })).map((e) => e.type);
    const push = async (i: number, type: string, payload: Record<string, unknown>) => {
      const before = (await ledger()).length;
      const events: SyncEvent[] = chains[i]!.append(1, () => ({ type, payload: payload as SyncEvent['payload'] }));
      const res = await app.inject(devices[i]!.signedRequest({ method: 'POST', url: SYNC_PATHS.push, body: JSON.stringify(pushRequest(events)) }));
      expect(res.statusCode, res.body).toBe(200);
      await vi.waitFor(async () => expect((await ledger()).length).toBeGreaterThan(before), { timeout: 20_000, interval: 25 });
    };

    for (const i of [0, 1, 2]) await push(i, REVIEW_EVENTS.chairVote, votePayload(`K0${i + 1}`, 'K02'));
    for (const i of [0, 1, 2]) await push(i, REVIEW_EVENTS.preliminarySigned, preliminaryPayload(OPENED, `K0${i + 1}`));
    await push(1, REVIEW_EVENTS.chairStep, stepPayload('K02', { step: 'start_detailed' }));
    for (const i of [0, 1, 2]) await push(i, REVIEW_EVENTS.scoresSubmitted, sheetPayload(OPENED, `K0${i + 1}`, scoresFor(BIDS.map((b) => b.code), i)));
    const committeeView = (await store.messagesAfter(devices[0]!.deviceId, 0, 10_000)).filter((m) => m.type === 'committee.booth').at(-1)!;
    const resultsSha256 = (committeeView.payload as { results: { resultsSha256: string } }).results.resultsSha256;
    await push(1, REVIEW_EVENTS.chairStep, stepPayload('K02', { step: 'confirm_results', resultsSha256 }));

    // The draft follows the confirmation, and every member's booth hears of it.
    await vi.waitFor(async () => expect(await ledger()).toContain('report.rendered'), { timeout: 60_000, interval: 50 });
    const view = async (i: number) => {
      const last = (await store.messagesAfter(devices[i]!.deviceId, 0, 10_000)).filter((m) => m.type === REPORT_BOOTH_MESSAGE).at(-1);
      return last === undefined ? null : reportBoothPayloadSchema.parse(last.payload);
    };
    await vi.waitFor(async () => expect((await view(2))?.stage).toBe('dissent'), { timeout: 20_000, interval: 50 });
    const draft = (await view(0))!.draft;
    expect(await view(3)).toBeNull();

    const get = (i: number, sha256: string) => app.inject(devices[i]!.signedRequest({ method: 'GET', url: reportFilePath(sha256) }));
    const mine = await get(0, draft.sha256);
    expect(mine.statusCode).toBe(200);
    expect(createHash('sha256').update(mine.rawPayload).digest('hex')).toBe(draft.sha256);
    const stranger = await get(3, draft.sha256);
    const unknown = await get(0, 'e'.repeat(64));
    expect([stranger.statusCode, unknown.statusCode]).toEqual([404, 404]);
    expect(JSON.parse(stranger.body).error.code).toBe(JSON.parse(unknown.body).error.code);

    // A report event pushed over HTTP is judged in the committee's pipeline.
    await push(0, REPORT_BOOTH_EVENTS.dissent, { date: DATE, project: PROJECT, codename: 'K01', draftSha256: draft.sha256, dissent: null });
    expect((await store.listLedger({ project: PROJECT })).at(-1)).toMatchObject({ type: 'report.accepted', payload: { codename: 'K01' } });
    await vi.waitFor(async () => expect((await view(1))?.members.map((m) => m.dissent)).toEqual(['none', 'pending', 'pending']), { timeout: 20_000, interval: 50 });
  }, 120_000);
});
