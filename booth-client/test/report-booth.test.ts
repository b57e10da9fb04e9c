/**
 * The evaluation report through the booth's services, end to end: the real SQLite, a SoftHSM2 token
 * as the expert's key, the real face pipeline for the login, report.booth messages fed through the
 * inbox as the pull client stores them, and the report PDFs fetched from a stand-in central over
 * HTTPS (pinned TLS key, answers signed with the central's Ed25519 key, as the real route does) by
 * the booth's real CentralClient. Independent checks: `openssl cms -verify` for the dissent, `pdfsig`
 * for the PAdES signature, which the test rebuilds from the event's fields exactly as the central does.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTool } from '../../tests/support/require-tool.node.ts';
import { DEVICE_AUTH_HEADERS, centralResponseMessage } from '@kawei/shared/api/device-auth.ts';
import type { ReportView } from '@kawei/shared/contract/booth-report.ts';
import type { BoothSession } from '@kawei/shared/contract/booth-session.ts';
import { generateEd25519, privateKeyFromPkcs8, signText } from '@kawei/shared/crypto/ed25519.node.ts';
import { DEVICE_STORE_FILE } from '@kawei/shared/device/device-app-services.node.ts';
import { spkiSha256 } from '@kawei/shared/device/pinned-tls.node.ts';
import type { FacePipeline } from '@kawei/shared/face/face-pipeline.node.ts';
import { addSignaturePlaceholder, checkSignatureIncrement, embedSignature, verifyPdfSignatures } from '@kawei/shared/report/pdf-signature.node.ts';
import { reportDissentPayloadSchema, reportSignedPayloadSchema, type ReportBoothPayload } from '@kawei/shared/report/report-events.ts';
import { loadTrustListFolder } from '@kawei/shared/signing/trust-list.node.ts';
import { openSqliteFile } from '@kawei/shared/store/sqlite.node.ts';
import { canonicalJson } from '@kawei/shared/sync/canonical-json.ts';
import type { TestToken } from '../../scripts/lib/softhsm-token.node.ts';
import {
  clock,
  closeSuite,
  CODENAME,
  enrolledBoothDir,
  facesPayload,
  framesUntil,
  loadKeyAndFaces,
  openBooth,
  opensslVerify,
  PROJECT,
  tempDir,
  TODAY,
  waitFor,
  type Booth,
  type Faces,
} from './booth-test-kit.node.ts';
import { makeReportPdf, pdfsig, ref, reportMessage, sha256Of } from './report-kit.node.ts';

const run = promisify(execFile);

/** The central's report route, and nothing else (every other request: 503, unsigned). */
interface StandIn {
  url: string;
  spki: string;
  publicKey: string;
  files: Map<string, Uint8Array>;
  /** Hashes answered with one byte changed (a bad proxy, a broken disk). */
  tamper: Set<string>;
  served: string[];
  close(): Promise<void>;
}

async function standInCentral(): Promise<StandIn> {
  const dir = tempDir('kawei-report-central-');
  await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '2', '-subj', '/CN=kawei-central-test']);
  const certPem = readFileSync(join(dir, 'cert.pem'), 'utf8');
  const keys = generateEd25519();
  const privateKey = privateKeyFromPkcs8(keys.privateKeyPkcs8);
  const files = new Map<string, Uint8Array>();
  const tamper = new Set<string>();
  const served: string[] = [];
  const server = https.createServer({ key: readFileSync(join(dir, 'key.pem')), cert: certPem }, (req, res) => {
    const m = /^\/api\/device\/report\/([0-9a-f]{64})$/.exec(req.url ?? '');
    const nonce = req.headers[DEVICE_AUTH_HEADERS.nonce];
    if (req.method !== 'GET' || !m || typeof nonce !== 'string' || typeof req.headers[DEVICE_AUTH_HEADERS.signature] !== 'string') {
      res.writeHead(503).end();
      return;
    }
    const sha = m[1] as string;
    const signed = (status: number, body: Uint8Array, type: string) => {
      const digest = createHash('sha256').update(body).digest('hex');
      res.writeHead(status, { 'content-type': type, 'content-length': body.byteLength, [DEVICE_AUTH_HEADERS.centralSignature]: signText(privateKey, centralResponseMessage(nonce, status, digest)) });
      res.end(body);
    };
    const file = files.get(sha);
    if (!file) {
      signed(404, Buffer.from(JSON.stringify({ code: 'NOT_FOUND', message: 'no such report file' })), 'application/json');
      return;
    }
    served.push(sha);
    const body = Buffer.from(file);
    if (tamper.has(sha)) body[body.length >> 1]! ^= 0xff;
    signed(200, body, 'application/pdf');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    spki: spkiSha256(certPem),
    publicKey: keys.publicKey,
    files,
    tamper,
    served,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('the evaluation report in the booth (SoftHSM2, pdfsig, openssl, a stand-in central over HTTPS)', () => {
  beforeAll(() => requireTool('softhsm2', 'openssl', 'poppler'));
  let token: TestToken;
  let pipeline: FacePipeline;
  let faces: Faces;
  let central: StandIn;
  let draft: Uint8Array;
  let final: Uint8Array;
  let cursor = 5000;

  beforeAll(async () => {
    ({ token, pipeline, faces } = await loadKeyAndFaces());
    central = await standInCentral();
    draft = await makeReportPdf('DRAFT evaluation report', 3);
    final = await makeReportPdf('FINAL evaluation report', 4);
    central.files.set(sha256Of(draft), draft);
    central.files.set(sha256Of(final), final);
  }, 120_000);

  afterAll(async () => {
    await central?.close();
    closeSuite(pipeline);
  });

  /** An enrolled booth whose central is the stand-in (its URL, TLS key and signing key). */
  function newBooth(): Booth {
    const dir = enrolledBoothDir({ faces: facesPayload(faces.template, pipeline.model) });
    const db = openSqliteFile(join(dir, DEVICE_STORE_FILE));
    db.prepare('UPDATE identity SET central_url = ?, central_public_key = ?, central_tls_spki_sha256 = ?').run(central.url, central.publicKey, central.spki);
    db.close();
    return openBooth(dir, pipeline, { trustDir: token.trustDir });
  }
  const reopen = (booth: Booth): Booth => openBooth(booth.dir, pipeline, { trustDir: token.trustDir });

  async function logIn(booth: Booth): Promise<void> {
    await waitFor('the key to be seen', () => booth.services.signer.tokenView().present);
    await framesUntil(booth, faces.expert, (o) => o.notice === 'logged_in', 10);
    if ((await booth.call<BoothSession>('getSession')).phase === 'commitment') await booth.call('signCommitment', { pin: token.pin });
  }

  function send(booth: Booth, payload: ReportBoothPayload | Record<string, unknown>): boolean {
    cursor += 1;
    return booth.services.receiveMessage({ cursor, id: `central-msg-${cursor}`, type: 'report.booth', payload: payload as never, createdAt: clock.t });
  }
  const msg = (over: Parameters<typeof reportMessage>[1]) => reportMessage({ date: TODAY, project: PROJECT, codename: CODENAME }, over);
  const report = (booth: Booth) => booth.call<ReportView>('getReport');
  async function reportUntil(booth: Booth, what: string, ok: (v: ReportView) => boolean, ms = 15_000): Promise<ReportView> {
    let last: ReportView | null = null;
    const started = Date.now();
    while (Date.now() - started < ms) {
      last = await report(booth);
      if (ok(last)) return last;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`timed out waiting for ${what}: ${JSON.stringify({ ...last, report: undefined })}`);
  }
  const pushed = (booth: Booth): ReportView[] => {
    const seen: ReportView[] = [];
    booth.services.events.subscribe((channel, payload) => {
      if (channel === 'report') seen.push(payload as ReportView);
    });
    return seen;
  };

  it('reads the draft from the central, signs a dissent (openssl verifies it), then signs the final PDF on its turn: PAdES that pdfsig accepts once rebuilt from the event; a restart keeps it all', { timeout: 120_000 }, async () => {
    let booth = newBooth();
    try {
      // Gated like the review: logged in and the commitment signed.
      expect(await booth.error('getReport')).toBe('WRONG_PHASE');
      await logIn(booth);
      expect(await report(booth)).toMatchObject({ step: 'none', report: null, shown: null });
      const events = pushed(booth);

      send(booth, msg({ version: 1, draft: ref(draft) }));
      const reading = await reportUntil(booth, 'the draft', (v) => v.step === 'dissent');
      const D = sha256Of(draft);
      expect(reading).toMatchObject({ stage: 'dissent', shown: { sha256: D, bytes: draft.byteLength, pages: 3, kind: 'draft' }, problem: null });
      expect(central.served).toContain(D);
      expect(events.some((e) => e.step === 'fetching')).toBe(true);
      expect(events.at(-1)?.step).toBe('dissent');
      // The viewer's calls serve the report under its file id.
      const page = await booth.call<{ page: number; mime: string }>('getPage', { fileId: 'report', page: 2, scale: 1 });
      expect(page).toMatchObject({ page: 2, mime: 'image/jpeg' });
      const layer = await booth.call<{ items: { text: string }[] }>('getTextLayer', { fileId: 'report', page: 1 });
      expect(layer.items.map((i) => i.text).join(' ')).toContain('DRAFT evaluation report - page 1');

      const text = '对投标人B的商务评分有不同意见：业绩证明材料不足，不应得满分。';
      expect(await booth.error('submitDissent', { text, sha256: D })).toBe('BAD_INPUT'); // a dissent needs the PIN
      expect(await booth.error('submitDissent', { text, pin: '999999', sha256: D })).toBe('PIN_INCORRECT');
      expect(await booth.error('submitDissent', { text, pin: token.pin, sha256: sha256Of(final) })).toBe('REPORT_CHANGED');
      const answered = await booth.call<ReportView>('submitDissent', { text, pin: token.pin, sha256: D });
      expect(answered).toMatchObject({ step: 'wait_dissent', myDissent: { text, none: false } });
      expect(events.at(-1)).toMatchObject({ step: 'wait_dissent' });
      const [dissentEvent] = booth.events('report.dissent');
      const dissent = reportDissentPayloadSchema.parse(dissentEvent?.payload);
      expect(dissent.dissent?.signed.content).toBe(canonicalJson(dissent.dissent?.document as never));
      const ca = join(token.trustDir, 'ca-1.pem');
      expect((await opensslVerify(token.dir, dissent.dissent?.signed.content ?? '', dissent.dissent?.signed.cms ?? '', ca)).ok).toBe(true);
      expect((await opensslVerify(token.dir, (dissent.dissent?.signed.content ?? '').replace('不足', '充足'), dissent.dissent?.signed.cms ?? '', ca)).ok).toBe(false);

      // The final PDF; another member's turn first.
      const F = sha256Of(final);
      send(booth, msg({ version: 2, stage: 'signing', draft: ref(draft), final: ref(final), head: ref(final), turn: 'QX-12', states: { [CODENAME]: { dissent: 'dissent' } } }));
      const waiting = await reportUntil(booth, 'the final PDF', (v) => v.shown?.sha256 === F);
      expect(waiting).toMatchObject({ step: 'wait_turn', turn: 'QX-12', shown: { kind: 'head', pages: 4 } });
      expect(await booth.error('signReport', { pin: token.pin, sha256: F })).toBe('REPORT_NOT_YOUR_TURN');

      send(booth, msg({ version: 3, stage: 'signing', draft: ref(draft), final: ref(final), head: ref(final), turn: CODENAME, states: { [CODENAME]: { dissent: 'dissent' } } }));
      expect(await report(booth)).toMatchObject({ step: 'sign', turn: null });
      expect(await booth.error('signReport', { pin: token.pin, sha256: D })).toBe('REPORT_CHANGED');
      expect(await booth.error('signReport', { pin: '12', sha256: F })).toBe('BAD_INPUT');
      const signed = await booth.call<ReportView>('signReport', { pin: token.pin, sha256: F });
      expect(signed).toMatchObject({ step: 'done', mySignature: { refused: null } });

      const [signedEvent] = booth.events('report.signed');
      const s = reportSignedPayloadSchema.parse(signedEvent?.payload);
      expect(s).toMatchObject({ format: 'pades', headSha256: F, fieldName: 'kawei-judge-1', signerName: CODENAME });
      expect(Date.parse(s.signingTime) % 1000).toBe(0);
      // What the central does: the same placeholder from the event's fields, the CMS embedded.
      const prepared = addSignaturePlaceholder(final, { fieldName: s.fieldName, signerName: s.signerName, signingTime: new Date(s.signingTime) });
      const rebuilt = embedSignature(prepared, Buffer.from(s.cms, 'base64'));
      const copy = booth.services.report.signedCopy({ date: TODAY, project: PROJECT, codename: CODENAME });
      expect(copy && Buffer.from(copy).equals(Buffer.from(rebuilt))).toBe(true);
      const out = await pdfsig(token.dir, rebuilt);
      expect(out).toMatch(/Signature #1/);
      expect(out).toMatch(/Signature Validation: Signature is Valid/);
      expect(out).toMatch(/Signer Certificate Common Name: HK-37/);
      expect(out).toMatch(/Signature Type: ETSI\.CAdES\.detached/);
      const checks = await verifyPdfSignatures(rebuilt, loadTrustListFolder(token.trustDir));
      expect(checks).toHaveLength(1);
      expect(checks[0]?.result.ok).toBe(true);
      expect(checkSignatureIncrement(final, rebuilt)).toMatchObject({ ok: true });
      // One byte changed in what was signed: pdfsig says so.
      const broken = Buffer.from(rebuilt);
      broken[200]! ^= 0x01;
      expect(await pdfsig(token.dir, broken)).not.toMatch(/Signature is Valid/);
      // No real name anywhere in what left the booth.
      expect(JSON.stringify(s)).not.toMatch(/exp-a/);

      // A restart (no logout): the step, the PDF on screen, the answers.
      await booth.services.close();
      booth = reopen(booth);
      await logIn(booth);
      const again = await reportUntil(booth, 'the head shown again', (v) => v.shown !== null);
      expect(again).toMatchObject({ step: 'done', shown: { sha256: F }, myDissent: { text }, mySignature: { refused: null } });
      expect(booth.events('report.signed')).toHaveLength(1);
    } finally {
      await booth.services.close();
    }
  });

  it('a PDF that does not hash to its name is refused by the client, never shown; then the genuine bytes are; malformed messages are skipped', { timeout: 90_000 }, async () => {
    const booth = newBooth();
    try {
      await logIn(booth);
      const other = await makeReportPdf('ANOTHER draft', 2);
      const O = sha256Of(other);
      central.files.set(O, other);
      central.tamper.add(O);
      expect(send(booth, { ...msg({ version: 1, draft: ref(other) }), stage: 'voting' })).toBe(true); // stored, skipped
      expect((await report(booth)).step).toBe('none');
      send(booth, msg({ version: 2, draft: ref(other) }));
      const refused = await reportUntil(booth, 'the hash problem', (v) => v.problem !== null);
      expect(refused).toMatchObject({ step: 'fetching', shown: null, problem: { code: 'REPORT_HASH_MISMATCH' } });
      expect(refused.problem?.zh).toMatch(/哈希不符/);
      expect(await booth.error('getPage', { fileId: 'report', page: 1, scale: 1 })).toBe('FILE_UNAVAILABLE');
      expect(await booth.error('submitDissent', { text: null, sha256: O })).toBe('REPORT_NOT_READY');

      central.tamper.delete(O);
      // The next message wakes the retry at once.
      send(booth, msg({ version: 3, draft: ref(other) }));
      const shown = await reportUntil(booth, 'the genuine draft', (v) => v.step === 'dissent');
      expect(shown).toMatchObject({ shown: { sha256: O, pages: 2 }, problem: null });
      // "No dissent": no PIN.
      expect(await booth.call<ReportView>('submitDissent', { text: null, sha256: O })).toMatchObject({ step: 'wait_dissent', myDissent: { none: true } });
      expect(reportDissentPayloadSchema.parse(booth.events('report.dissent')[0]?.payload).dissent).toBeNull();
    } finally {
      await booth.services.close();
    }
  });
});
