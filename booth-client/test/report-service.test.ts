/**
 * The booth's report service (report/booth-report.node.ts) on its own: the booth's real database and
 * tender-file viewer, a stand-in `fetchPdf` that can fail, send the wrong bytes or a file that is no
 * PDF, and an SM2 key (a software SM2 signer behind the BoothSigner's provider seam: SoftHSM2 has no
 * SM2) — which signs the report as a detached CMS over the head, not PAdES.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTool } from '../../tests/support/require-tool.node.ts';
import type { ReportView } from '@kawei/shared/contract/booth-report.ts';
import { ApiError } from '@kawei/shared/errors.ts';
import { reportDissentPayloadSchema, reportSignedPayloadSchema, type ReportBoothPayload } from '@kawei/shared/report/report-events.ts';
import { verifyDetachedCms } from '@kawei/shared/signing/cms.ts';
import { verifySignedDocument } from '@kawei/shared/signing/canonical-signing.ts';
import type { TokenProvider } from '@kawei/shared/signing/signer.ts';
import { SigningError } from '@kawei/shared/signing/signing-errors.ts';
import { createSoftSm2Signer } from '@kawei/shared/signing/soft-sm2-signer.node.ts';
import { trustListFromCertificates, type TrustList } from '@kawei/shared/signing/trust-list.ts';
import type { SqliteDatabase } from '@kawei/shared/store/sqlite.node.ts';
import { canonicalJson } from '@kawei/shared/sync/canonical-json.ts';
import { makeSm2Pki, type Sm2Pki } from '../../shared/test/signing/sm2-openssl.node.ts';
import { openBoothDatabase } from '../src/services/booth-database.node.ts';
import { createBoothFiles, type BoothFiles } from '../src/services/files/booth-files.node.ts';
import { BoothReport } from '../src/services/report/booth-report.node.ts';
import { boothDay } from '../src/services/roster/booth-day.ts';
import { BoothSigner } from '../src/services/signing/booth-signer.node.ts';
import { makeReportPdf, ref, reportMessage, sha256Of } from './report-kit.node.ts';

// A fixed instant (whole seconds) just ahead of now: OpenSSL's test certificates are valid from the moment they are made.
const NOW = (Math.floor(Date.now() / 1000) + 30) * 1000;
const TODAY = boothDay(NOW);
const PROJECT = 'JS-2026-0418';
const SEAT = { date: TODAY, project: PROJECT, codename: 'HK-37' };

let root = '';
let pki: Sm2Pki;
let trust: TrustList;
let draft: Uint8Array;
let final: Uint8Array;

beforeAll(async () => {
  requireTool('openssl-sm2');
  root = mkdtempSync(join(tmpdir(), 'kawei-report-service-'));
  mkdirSync(join(root, 'pki'));
  pki = await makeSm2Pki(join(root, 'pki'));
  trust = trustListFromCertificates([pki.root.certPem]);
  draft = await makeReportPdf('DRAFT report', 3);
  final = await makeReportPdf('FINAL report', 4);
}, 60_000);

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

/** The SM2 key in a "USB key": one token, the software signer opened with PIN 123456. */
function sm2Provider(): TokenProvider {
  return {
    kind: 'skf',
    listTokens: async () => [
      { slot: '1', label: 'sm2-key', serial: 'SM2-0001', manufacturer: 'test', model: 'soft', loginRequired: true, pinLocked: false, pinFinalTry: false },
    ],
    open: async (_slot, pin) => {
      if (pin !== '123456') throw new SigningError('PIN_INCORRECT');
      return createSoftSm2Signer({ privateKey: pki.expert.keyPem, certificate: pki.expert.certPem, chain: [pki.intermediate.certPem] });
    },
    onRemoved: () => () => undefined,
    close: async () => undefined,
  };
}

interface Rig {
  dir: string;
  db: SqliteDatabase;
  files: BoothFiles;
  signer: BoothSigner;
  report: BoothReport;
  events: { seq: number; type: string; payload: Record<string, unknown> }[];
  central: { byHash: Map<string, Uint8Array>; wrong: Set<string>; down: boolean; calls: number; acked: number };
  online: { value: boolean };
  changes: { n: number };
  open(): BoothReport;
  send(payload: unknown): string;
  close(): Promise<void>;
}

let messageNo = 0;

function rig(dir = mkdtempSync(join(root, 'booth-'))): Rig {
  const trustDir = join(dir, 'trust');
  mkdirSync(trustDir, { recursive: true });
  writeFileSync(join(trustDir, 'sm2-root.pem'), pki.root.certPem);
  const database = openBoothDatabase(dir);
  const files = createBoothFiles({ dataDir: dir, fetchFile: () => Promise.reject(new Error('no tender files here')), watermark: () => ({ codename: 'HK-37', booth: 'A2' }), now: () => NOW });
  const signer = new BoothSigner({ modulePath: 'unused', pollMs: 60_000, trustDir, provider: sm2Provider(), log: () => undefined });
  const events: Rig['events'] = [];
  const central: Rig['central'] = { byHash: new Map([draft, final].map((b) => [sha256Of(b), b])), wrong: new Set(), down: false, calls: 0, acked: 0 };
  const online = { value: true };
  const changes = { n: 0 };
  const r: Rig = {
    dir,
    db: database.db,
    files,
    signer,
    events,
    central,
    online,
    changes,
    report: null as unknown as BoothReport,
    open() {
      r.report = new BoothReport({
        database: database.db,
        now: () => NOW,
        seatToday: () => SEAT,
        fetchPdf: async (sha256, expected, onProgress) => {
          central.calls++;
          await new Promise((resolve) => setTimeout(resolve, 2));
          if (central.down) throw new ApiError('CENTRAL_UNREACHABLE', 'connect ECONNREFUSED');
          const bytes = central.byHash.get(sha256);
          if (!bytes) throw new ApiError('NOT_FOUND', 'no such report file');
          onProgress(Math.floor(bytes.byteLength / 2), expected);
          if (central.wrong.has(sha256)) {
            const bad = bytes.slice();
            bad[100] = (bad[100] ?? 0) ^ 0xff;
            return bad;
          }
          onProgress(bytes.byteLength, expected);
          return bytes;
        },
        files,
        signer,
        record: (type, payload) => {
          const seq = events.length + 1;
          events.push({ seq, type, payload: payload as Record<string, unknown> });
          return seq;
        },
        delivered: (seq) => seq <= central.acked,
        online: () => online.value,
        changed: () => changes.n++,
        retry: { initialMs: 20, maxMs: 100 },
        log: () => undefined,
      });
      return r.report;
    },
    send(payload) {
      messageNo++;
      const id = `report-msg-${messageNo}`;
      return database.db.transaction(() => r.report.ingest({ id, type: 'report.booth', payload }))();
    },
    async close() {
      r.report.close();
      await files.close();
      await signer.close();
      database.db.close();
    },
  };
  r.open();
  return r;
}

const msg = (over: Parameters<typeof reportMessage>[1]): ReportBoothPayload => reportMessage({ date: TODAY, project: PROJECT }, over);

async function until(r: Rig, what: string, ok: (v: ReportView) => boolean, ms = 10_000): Promise<ReportView> {
  const started = Date.now();
  for (;;) {
    const v = r.report.view(SEAT);
    if (ok(v)) return v;
    if (Date.now() - started > ms) throw new Error(`timed out waiting for ${what}; view: ${JSON.stringify({ ...v, report: undefined })}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function codeOf(p: Promise<unknown> | (() => Promise<unknown>)): Promise<string> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
  throw new Error('it succeeded');
}

describe('the booth report service (SQLite, pdf.js, an SM2 key)', () => {
  it('messages: newest version wins; malformed, another member, another day, a member not listed are refused and never stored', async () => {
    const r = rig();
    try {
      expect(r.report.view(SEAT)).toMatchObject({ step: 'none', stage: null, report: null, shown: null });
      expect(r.send({ ...msg({ version: 3 }), stage: 'voting' })).toBe('malformed');
      expect(r.send(msg({ version: 3, draft: ref(draft), codename: 'QX-12' }))).toBe('not_for_this_seat');
      expect(r.send({ ...msg({ version: 3, draft: ref(draft) }), date: '2020-01-01' })).toBe('not_for_this_seat');
      expect(r.send({ ...msg({ version: 3, draft: ref(draft) }), members: [] })).toBe('not_for_this_seat');
      expect(r.report.view(SEAT).step).toBe('none');
      expect(r.send(msg({ version: 3, draft: ref(draft) }))).toBe('applied');
      expect(r.send(msg({ version: 2, draft: ref(final) }))).toBe('older');
      expect(r.send(msg({ version: 3, draft: ref(final) }))).toBe('older');
      expect(r.report.view(SEAT).report?.draft.sha256).toBe(sha256Of(draft));
      const applied = r.db.prepare("SELECT outcome FROM applied_message WHERE type = 'report.booth' ORDER BY id").all() as { outcome: string }[];
      expect(applied.map((a) => a.outcome).sort()).toEqual(['applied', 'malformed', 'not_for_this_seat', 'not_for_this_seat', 'not_for_this_seat', 'older', 'older'].sort());
    } finally {
      await r.close();
    }
  });

  it('a download that fails retries and shows its problem; a file that does not hash to its name is refused, never stored nor shown; then the genuine one is shown with its pages', async () => {
    const r = rig();
    try {
      r.central.down = true;
      r.online.value = false;
      r.send(msg({ version: 1, draft: ref(draft) }));
      r.report.refresh();
      const failing = await until(r, 'a download problem', (v) => v.problem !== null);
      expect(failing).toMatchObject({ step: 'fetching', shown: null, offline: true, problem: { code: 'REPORT_DOWNLOAD_FAILED' } });
      expect(failing.problem?.zh).toMatch(/评标报告下载失败/);
      expect(failing.download).toMatchObject({ total: draft.byteLength });

      r.central.down = false;
      r.central.wrong.add(sha256Of(draft));
      const calls = r.central.calls;
      const wrong = await until(r, 'the hash problem', (v) => v.problem?.code === 'REPORT_HASH_MISMATCH');
      expect(r.central.calls).toBeGreaterThan(calls);
      expect(wrong).toMatchObject({ step: 'fetching', shown: null });
      expect(r.files.reportShown()).toBeNull();
      expect(r.db.prepare('SELECT count(*) AS n FROM report_file').get()).toEqual({ n: 0 });
      expect(await codeOf(r.files.getPage({ fileId: 'report', page: 1, scale: 1 }))).toBe('FILE_UNAVAILABLE');
      // Nothing can be answered on a draft that is not here.
      expect(await codeOf(() => r.report.submitDissent(SEAT, { text: null, sha256: sha256Of(draft) }))).toBe('REPORT_NOT_READY');

      r.central.wrong.clear();
      r.online.value = true;
      const shown = await until(r, 'the draft shown', (v) => v.step === 'dissent');
      expect(shown).toMatchObject({ shown: { sha256: sha256Of(draft), bytes: draft.byteLength, pages: 3, kind: 'draft' }, problem: null, download: null, offline: false });
      expect(r.changes.n).toBeGreaterThan(3);
      const page = await r.files.getPage({ fileId: 'report', page: 3, scale: 1 });
      expect(page).toMatchObject({ page: 3, unverifiedImages: false });
      const text = await r.files.getTextLayer({ fileId: 'report', page: 2 });
      expect(text.items.map((i) => i.text).join(' ')).toContain('DRAFT report - page 2');
      expect(await codeOf(r.files.getPage({ fileId: 'report', page: 4, scale: 1 }))).toBe('BAD_INPUT');

      // Another member answered: a new message about the same draft reaches the screen at once.
      const before = r.changes.n;
      expect(r.send(msg({ version: 2, draft: ref(draft) }))).toBe('applied');
      r.report.refresh();
      expect(r.changes.n).toBeGreaterThan(before);
    } finally {
      await r.close();
    }
  });

  it('a genuine file that is no PDF is reported broken and not retried', async () => {
    const r = rig();
    try {
      const junk = new TextEncoder().encode('this is not a PDF at all, but it is what the central published');
      r.central.byHash.set(sha256Of(junk), junk);
      r.send(msg({ version: 1, draft: ref(junk) }));
      r.report.refresh();
      const broken = await until(r, 'broken', (v) => v.problem?.code === 'REPORT_BROKEN');
      expect(broken).toMatchObject({ step: 'fetching', shown: null, download: null });
      const calls = r.central.calls;
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(r.central.calls).toBe(calls);
    } finally {
      await r.close();
    }
  });

  it('SM2: the dissent is signed with the key (our verifier checks it), the report is signed as a detached CMS over the head itself; the answers survive a restart', async () => {
    let r = rig();
    try {
      r.send(msg({ version: 1, draft: ref(draft) }));
      r.report.refresh();
      await until(r, 'the draft', (v) => v.step === 'dissent');
      const D = sha256Of(draft);
      // Bad inputs: no PIN with a text, a text too long, not a hash.
      expect(await codeOf(() => r.report.submitDissent(SEAT, { text: '理由', sha256: D }))).toBe('BAD_INPUT');
      expect(await codeOf(() => r.report.submitDissent(SEAT, { text: 'x'.repeat(4001), pin: '123456', sha256: D }))).toBe('BAD_INPUT');
      expect(await codeOf(() => r.report.submitDissent(SEAT, { text: null, sha256: 'nope' }))).toBe('BAD_INPUT');
      expect(await codeOf(() => r.report.submitDissent(SEAT, { text: '理由', pin: '123456', sha256: sha256Of(final) }))).toBe('REPORT_CHANGED');
      expect(await codeOf(() => r.report.signReport(SEAT, { pin: '123456', sha256: D }))).toBe('REPORT_NOT_YOUR_TURN');
      expect(r.events).toHaveLength(0);

      const text = '第3项技术评分标准中"施工组织设计"分值设置不合理，保留意见。';
      const answered = await r.report.submitDissent(SEAT, { text, pin: '123456', sha256: D });
      expect(answered).toMatchObject({ step: 'wait_dissent', myDissent: { text, none: false } });
      expect(answered.myDissent?.signedAt).toBe(NOW);
      expect(await codeOf(() => r.report.submitDissent(SEAT, { text: null, sha256: D }))).toBe('WRONG_PHASE');
      const [event] = r.events;
      expect(event?.type).toBe('report.dissent');
      const payload = reportDissentPayloadSchema.parse(event?.payload);
      expect(payload.dissent?.document).toEqual({ kind: 'kawei.report-dissent', version: 1, date: TODAY, project: PROJECT, codename: 'HK-37', draftSha256: D, text });
      expect(payload.dissent?.signed.content).toBe(canonicalJson(payload.dissent?.document as never));
      expect(await verifySignedDocument(payload.dissent?.signed, trust, { expected: payload.dissent?.document })).toMatchObject({ ok: true, algorithm: 'SM2-SM3' });

      // The window closes: the final PDF, another member signs first.
      r.send(msg({ version: 2, stage: 'signing', draft: ref(draft), final: ref(final), head: ref(final), turn: 'QX-12', states: { 'HK-37': { dissent: 'dissent' } } }));
      r.report.refresh();
      const waiting = await until(r, 'the final shown', (v) => v.shown?.sha256 === sha256Of(final));
      expect(waiting).toMatchObject({ step: 'wait_turn', turn: 'QX-12', shown: { kind: 'head', pages: 4 }, myDissent: { text } });
      const F = sha256Of(final);
      expect(await codeOf(() => r.report.signReport(SEAT, { pin: '123456', sha256: F }))).toBe('REPORT_NOT_YOUR_TURN');
      expect(await codeOf(() => r.report.refuseToSign(SEAT, { reason: 'no', sha256: F }))).toBe('REPORT_NOT_YOUR_TURN');

      r.send(msg({ version: 3, stage: 'signing', draft: ref(draft), final: ref(final), head: ref(final), turn: 'HK-37', states: { 'HK-37': { dissent: 'dissent' } } }));
      r.report.refresh();
      expect(r.report.view(SEAT)).toMatchObject({ step: 'sign', turn: null });
      expect(await codeOf(() => r.report.signReport(SEAT, { pin: '123456', sha256: D }))).toBe('REPORT_CHANGED');
      expect(await codeOf(() => r.report.signReport(SEAT, { pin: '654321', sha256: F }))).toBe('PIN_INCORRECT');
      const signed = await r.report.signReport(SEAT, { pin: '123456', sha256: F });
      expect(signed).toMatchObject({ step: 'done', mySignature: { signedAt: NOW, refused: null } });
      const last = r.events.at(-1);
      expect(last?.type).toBe('report.signed');
      const s = reportSignedPayloadSchema.parse(last?.payload);
      expect(s).toMatchObject({ format: 'cms-detached', headSha256: F, fieldName: 'kawei-judge-1', signerName: 'HK-37', signingTime: new Date(NOW).toISOString() });
      // Over the head's bytes as they are: nothing added to the PDF, no signed copy.
      expect(await verifyDetachedCms(final, Buffer.from(s.cms, 'base64'), trust)).toMatchObject({ ok: true, algorithm: 'SM2-SM3' });
      const changed = final.slice();
      changed[200] = (changed[200] ?? 0) ^ 1;
      expect(await verifyDetachedCms(changed, Buffer.from(s.cms, 'base64'), trust)).toMatchObject({ ok: false });
      expect(r.report.signedCopy(SEAT)).toBeNull();
      expect(await codeOf(() => r.report.signReport(SEAT, { pin: '123456', sha256: F }))).toBe('REPORT_NOT_YOUR_TURN');

      // A restart: the message, the PDF, the answers are all still here.
      const dir = r.dir;
      await r.close();
      r = rig(dir);
      r.report.refresh();
      const again = await until(r, 'the head shown again', (v) => v.shown !== null);
      expect(again).toMatchObject({ step: 'done', shown: { sha256: F, kind: 'head' }, myDissent: { text }, mySignature: { signedAt: NOW } });
      expect(r.central.calls).toBe(0);
    } finally {
      await r.close();
    }
  });

  it('"no dissent" needs no PIN; the booth waits until the central speaks after the answer it has; an answer the central did not take can be given again', async () => {
    const r = rig();
    try {
      r.send(msg({ version: 5, draft: ref(draft) }));
      r.report.refresh();
      await until(r, 'the draft', (v) => v.step === 'dissent');
      const D = sha256Of(draft);
      const v = await r.report.submitDissent(SEAT, { text: null, sha256: D });
      expect(v).toMatchObject({ step: 'wait_dissent', myDissent: { text: '', none: true, signedAt: null } });
      expect(reportDissentPayloadSchema.parse(r.events[0]?.payload)).toEqual({ date: TODAY, project: PROJECT, codename: 'HK-37', draftSha256: D, dissent: null });
      // A newer message sent before the central had the answer: still waiting.
      r.send(msg({ version: 6, draft: ref(draft), states: { 'QX-12': { dissent: 'none' } } }));
      expect(r.report.view(SEAT).step).toBe('wait_dissent');
      // The central acknowledges the event: still waiting for what it says next.
      r.central.acked = 1;
      expect(r.report.view(SEAT).step).toBe('wait_dissent');
      // Its next message still says pending: it did not take the answer; the member answers again.
      r.send(msg({ version: 7, draft: ref(draft), states: { 'QX-12': { dissent: 'none' } } }));
      expect(r.report.view(SEAT)).toMatchObject({ step: 'dissent', myDissent: null });
      // The centre closes the window: too late to answer.
      r.send(msg({ version: 8, stage: 'signing', draft: ref(draft), final: ref(final), head: ref(final), turn: 'QX-12' }));
      expect(await codeOf(() => r.report.submitDissent(SEAT, { text: null, sha256: D }))).toBe('DISSENT_CLOSED');
    } finally {
      await r.close();
    }
  });

  it('refusing to sign is recorded with its reason, on the head on screen only', async () => {
    const r = rig();
    try {
      r.send(msg({ version: 1, stage: 'signing', draft: ref(draft), final: ref(final), head: ref(final), turn: 'HK-37', states: { 'HK-37': { dissent: 'none' } } }));
      r.report.refresh();
      await until(r, 'sign', (v) => v.step === 'sign');
      const F = sha256Of(final);
      expect(await codeOf(() => r.report.refuseToSign(SEAT, { reason: '  ', sha256: F }))).toBe('BAD_INPUT');
      expect(await codeOf(() => r.report.refuseToSign(SEAT, { reason: '报告结论与评审记录不一致', sha256: sha256Of(draft) }))).toBe('REPORT_CHANGED');
      const v = await r.report.refuseToSign(SEAT, { reason: '报告结论与评审记录不一致', sha256: F });
      expect(v).toMatchObject({ step: 'done', mySignature: { signedAt: null, refused: '报告结论与评审记录不一致' } });
      expect(r.events).toEqual([
        { seq: 1, type: 'report.sign_refused', payload: { date: TODAY, project: PROJECT, codename: 'HK-37', headSha256: F, reason: '报告结论与评审记录不一致' } },
      ]);
    } finally {
      await r.close();
    }
  });
});
