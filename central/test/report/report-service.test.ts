import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { privateKeyFromPkcs8 } from '@kawei/shared/crypto/ed25519.node.ts';
import { REVIEW_EVENTS } from '@kawei/shared/committee/committee-events.ts';
import { evaluationRulesSchema } from '@kawei/shared/committee/evaluation-rules.ts';
import { addSignaturePlaceholder } from '@kawei/shared/report/pdf-signature.node.ts';
import {
  DISSENT_DOCUMENT_KIND,
  REPORT_BOOTH_EVENTS,
  REPORT_BOOTH_MESSAGE,
  reportBoothPayloadSchema,
  type ReportBoothPayload,
} from '@kawei/shared/report/report-events.ts';
import { signCanonicalJson } from '@kawei/shared/signing/canonical-signing.ts';
import { createDetachedCms } from '@kawei/shared/signing/cms.ts';
import type { Signer } from '@kawei/shared/signing/signer.ts';
import { softwareSigner } from '@kawei/shared/signing/software-signer.node.ts';
import { trustListFromCertificates, type TrustList } from '@kawei/shared/signing/trust-list.ts';
import type { SyncEvent } from '@kawei/shared/sync/sync-event.ts';
import { requireTool } from '../../../tests/support/require-tool.node.ts';
import { makeSm2Pki } from '../../../shared/test/signing/sm2-openssl.node.ts';
import { createSoftSm2Signer } from '@kawei/shared/signing/soft-sm2-signer.node.ts';
import { issueLeaf, makeCa, pdfsig, pdfsigBlocks, type TestCa } from '../../../shared/test/report/pades-test-support.node.ts';
import { createCommitteeService, type CentralCommitteeService } from '../../src/committee/committee-service.node.ts';
import { openCommitteeFromStore } from '../../src/committee/open-committee.node.ts';
import { loadOrCreateCentreSeal, type CentreSeal } from '../../src/report/centre-seal.node.ts';
import { writeReportMaterial } from '../../src/report/report-material.node.ts';
import { createReportService, type CentralReportService } from '../../src/report/report-service.node.ts';
import { verifyReport } from '../../src/report/verify-report.node.ts';
import type { SqliteCentralStore } from '../../src/storage/sqlite-central-store.node.ts';
import { openDemoStore } from '../store-fixtures.ts';
import { BIDS, COMPREHENSIVE, DATE, openedPayload, preliminaryPayload, PROJECT, scoresFor, sheetPayload, stepPayload, votePayload } from '../committee/committee-fixtures.ts';
import { enrolBooths, ROOM_3_BOOTHS, seatedDraw, type EnrolledBooth } from '../committee/seated-committee.node.ts';
import { pdfText } from './render-tools.ts';

/**
 * The report through the central's real parts: a SQLite central store, the committee service with
 * the report service as its report pipeline, three enrolled booth devices whose events go through
 * the store and the pipeline as a push would. The booths' side (placeholder, CMS with a software key
 * under a test CA) is played here; pdfsig and pdftotext check what the central stores.
 */
const BOOTHS = ROOM_3_BOOTHS.slice(0, 3);
const OPENED = openedPayload({ members: 3 });
const SIGNED_AT = '2026-12-07T10:00:00.000Z';
const sha256Of = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

interface Booth extends EnrolledBooth {
  judge: number;
  signer: Signer;
}

interface Central {
  dir: string;
  store: SqliteCentralStore;
  committee: CentralCommitteeService;
  report: CentralReportService;
  booths: Booth[];
  push(booth: Booth, type: string, payload: Record<string, unknown>): Promise<void>;
  view(booth: Booth): Promise<ReportBoothPayload>;
  lastLedger(): Promise<{ type: string; payload: Record<string, unknown> }>;
  file(sha256: string): Promise<Uint8Array>;
}

let work: string;
let caEc: TestCa;
let caRsa: TestCa;
let trust: TrustList;
let seal: CentreSeal;
const centrals: Central[] = [];

beforeAll(async () => {
  requireTool('poppler', 'openssl');
  work = mkdtempSync(join(tmpdir(), 'kawei-report-service-'));
  caEc = await makeCa('Kawei Report Test CA EC', 'ec');
  caRsa = await makeCa('Kawei Report Test CA RSA', 'rsa');
  trust = trustListFromCertificates([caEc.der, caRsa.der]);
  seal = await loadOrCreateCentreSeal(join(work, 'seal'), 'Kawei Test Centre');
}, 60_000);
afterAll(async () => {
  for (const c of centrals) await c.store.close();
  rmSync(work, { recursive: true, force: true });
});

async function startCentral(name: string, options: { trust?: boolean; trustList?: TrustList; supervision?: Uint8Array[] } = {}): Promise<Central> {
  const dir = join(work, name);
  const store = await openDemoStore(dir);
  const booths: Booth[] = [];
  for (const [i, booth] of (await enrolBooths(store, BOOTHS)).entries()) {
    // K03 holds an RSA key under the second CA: several CAs, both key kinds.
    const leaf = await issueLeaf(i === 2 ? caRsa : caEc, i === 2 ? 'rsa' : 'ec', `EXPERT-${i + 1}`);
    booths.push({ ...booth, judge: i + 1, signer: softwareSigner({ privateKey: leaf.privateKey, certificate: leaf.der }) });
  }
  writeReportMaterial(dir, DATE, PROJECT, {
    title: '城市道路改造工程',
    category: 'engineering',
    blind: true,
    centreName: 'Kawei Test Centre',
    bidders: BIDS.map((b, i) => ({ code: b.code, name: `投标人${i + 1}有限公司` })),
  });
  const identity = await store.getCentralIdentity();
  const keys = { privateKey: privateKeyFromPkcs8(identity.privateKeyPkcs8), centralId: identity.centralId, now: Date.now };
  const report = createReportService({ store, ...keys, dataDir: dir, trustList: () => (options.trust === false ? null : (options.trustList ?? trust)), seal: async () => seal, ...(options.supervision ? { supervisionCertificates: options.supervision } : {}) });
  const committee = createCommitteeService({ store, ...keys, report });
  await openCommitteeFromStore({ store, ...keys }, { result: seatedDraw(BOOTHS), project: PROJECT, rules: evaluationRulesSchema.parse(COMPREHENSIVE), bids: BIDS, blind: true });
  const central: Central = {
    dir,
    store,
    committee,
    report,
    booths,
    push: async (booth, type, payload) => {
      const events: SyncEvent[] = booth.chain.append(1, () => ({ type, payload: payload as SyncEvent['payload'] }));
      expect(await store.ingestBatch({ deviceId: booth.device.deviceId, events, receivedAt: Date.now(), clockSkewMs: 0 })).toMatchObject({ kind: 'stored' });
      await committee.onBoothEvents(booth.device.deviceId, events);
      await committee.idle();
      await report.idle();
    },
    view: async (booth) => {
      const messages = (await store.messagesAfter(booth.device.deviceId, 0, 10_000)).filter((m) => m.type === REPORT_BOOTH_MESSAGE);
      return reportBoothPayloadSchema.parse(messages.at(-1)!.payload);
    },
    lastLedger: async () => (await store.listLedger({ project: PROJECT })).at(-1)!,
    file: async (sha256) => (await store.getReportFile(sha256))!.bytes,
  };
  centrals.push(central);
  return central;
}

/** The committee from the chair vote to results the chair confirms (as committee-service.test.ts). */
async function toFinal(central: Central): Promise<void> {
  const [k1, k2, k3] = central.booths as [Booth, Booth, Booth];
  for (const b of [k1, k2, k3]) await central.push(b, REVIEW_EVENTS.chairVote, votePayload(b.codename, 'K02'));
  for (const b of [k1, k2, k3]) await central.push(b, REVIEW_EVENTS.preliminarySigned, preliminaryPayload(OPENED, b.codename));
  await central.push(k2, REVIEW_EVENTS.chairStep, stepPayload('K02', { step: 'start_detailed' }));
  const passed = BIDS.map((b) => b.code);
  for (const [i, b] of central.booths.entries()) await central.push(b, REVIEW_EVENTS.scoresSubmitted, sheetPayload(OPENED, b.codename, scoresFor(passed, i)));
  const state = await central.committee.state(DATE, PROJECT);
  await central.push(k2, REVIEW_EVENTS.chairStep, stepPayload('K02', { step: 'confirm_results', resultsSha256: state!.resultsSha256 }));
  expect((await central.committee.state(DATE, PROJECT))?.stage).toBe('final');
}

async function dissentPayload(booth: Booth, draftSha256: string, text: string | null): Promise<Record<string, unknown>> {
  if (text === null) return { date: DATE, project: PROJECT, codename: booth.codename, draftSha256, dissent: null };
  const document = { kind: DISSENT_DOCUMENT_KIND, version: 1, date: DATE, project: PROJECT, codename: booth.codename, draftSha256, text };
  const signed = await signCanonicalJson('report-dissent', document, booth.signer, { trustList: trust, signingTime: new Date(SIGNED_AT) });
  return { date: DATE, project: PROJECT, codename: booth.codename, draftSha256, dissent: { document, signed } };
}

/** What a booth sends to sign `head` in its field: the CMS over the deterministic placeholder's signed content. */
async function signedPayload(booth: Booth, head: Uint8Array, headSha256: string, signer: Signer = booth.signer, minute = booth.judge): Promise<Record<string, unknown>> {
  const signingTime = new Date(Date.UTC(2026, 11, 7, 11, minute));
  const options = { fieldName: `kawei-judge-${booth.judge}`, signerName: booth.codename, signingTime };
  const prepared = addSignaturePlaceholder(head, options);
  const cms = await createDetachedCms(prepared.signedContent, signer, { trustList: trust, signingTime });
  return {
    date: DATE,
    project: PROJECT,
    codename: booth.codename,
    headSha256,
    format: 'pades',
    fieldName: options.fieldName,
    signingTime: signingTime.toISOString(),
    signerName: booth.codename,
    cms: Buffer.from(cms.der).toString('base64'),
  };
}

describe('the report service', () => {
  it('renders the draft at confirmation, takes dissents, fixes the final PDF with them, and has the members then the supervisor sign in turn', async () => {
    const supervisionLeaf = await issueLeaf(caRsa, 'rsa', 'SUPERVISION');
    const central = await startCentral('flow', { supervision: [supervisionLeaf.der] });
    const [k1, k2, k3] = central.booths as [Booth, Booth, Booth];
    await toFinal(central);

    // The draft: stored, in the ledger, and every booth told (dissent stage).
    const afterDraft = (await central.report.state(DATE, PROJECT))!;
    expect(afterDraft).toMatchObject({ stage: 'dissent', problems: [] });
    const draft = afterDraft.draft!;
    for (const b of central.booths) expect(await central.view(b)).toMatchObject({ codename: b.codename, stage: 'dissent', draft: { sha256: draft.sha256 }, fieldName: `kawei-judge-${b.judge}` });
    expect(await central.report.fileForDevice(k1.device.deviceId, draft.sha256)).not.toBeNull();
    expect(await central.report.fileForDevice('device-unknown', draft.sha256)).toBeNull();
    expect(await central.report.fileForDevice(k1.device.deviceId, 'f'.repeat(64))).toBeNull();
    await central.report.advance(DATE, PROJECT);
    expect((await central.store.listLedger({ project: PROJECT })).filter((e) => e.type === 'report.rendered')).toHaveLength(1);

    // Dissents: one real, signed; a forged one (content not what the CMS signed) refused.
    const dissentText = '价格分的计算基准应为有效投标的最低价，本人保留意见。';
    const forged = await dissentPayload(k2, draft.sha256, dissentText);
    const other = await dissentPayload(k2, draft.sha256, 'another text');
    (forged['dissent'] as { signed: { cms: string } }).signed.cms = (other['dissent'] as { signed: { cms: string } }).signed.cms;
    await central.push(k2, REPORT_BOOTH_EVENTS.dissent, forged);
    expect(await central.lastLedger()).toMatchObject({ type: 'report.refused', payload: { reason: 'bad_signature', codename: 'K02' } });
    await central.push(k2, REPORT_BOOTH_EVENTS.dissent, await dissentPayload(k2, draft.sha256, dissentText));
    await central.push(k1, REPORT_BOOTH_EVENTS.dissent, await dissentPayload(k1, draft.sha256, null));
    expect((await central.view(k3)).members.map((m) => m.dissent)).toEqual(['none', 'dissent', 'pending']);
    await central.push(k3, REPORT_BOOTH_EVENTS.dissent, await dissentPayload(k3, draft.sha256, null));

    // Every member answered: the final PDF, with the dissent in it; signing starts with 评委1.
    let state = (await central.report.state(DATE, PROJECT))!;
    expect(state).toMatchObject({ stage: 'signing', turn: 'K01', problems: [] });
    const final = await central.file(state.final!.sha256);
    const finalText = pdfText(final);
    expect(finalText.replace(/\s+/g, '')).toContain(dissentText.replace(/\s+/g, ''));
    expect(finalText).not.toMatch(/expert-0/);
    expect(pdfText(await central.file(draft.sha256)).replace(/\s+/g, '')).not.toContain(dissentText.replace(/\s+/g, ''));
    expect(state.annexes.map((a) => a.kind)).toEqual(['identities']);
    // The identity annex is sealed for the supervision certificate: openssl decrypts it to the annex itself.
    const sealedAnnex = state.annexes[0]!;
    expect(sealedAnnex.sealedFor).toEqual([createHash('sha256').update(supervisionLeaf.der).digest('hex')]);
    writeFileSync(join(work, 'envelope.der'), await central.file(sealedAnnex.envelopeSha256!));
    writeFileSync(join(work, 'supervision.pem'), supervisionLeaf.pem);
    writeFileSync(join(work, 'supervision-key.pem'), supervisionLeaf.keyPem);
    execFileSync('openssl', ['cms', '-decrypt', '-inform', 'DER', '-in', join(work, 'envelope.der'), '-recip', join(work, 'supervision.pem'), '-inkey', join(work, 'supervision-key.pem'), '-out', join(work, 'identities.pdf')]);
    expect(sha256Of(readFileSync(join(work, 'identities.pdf')))).toBe(sealedAnnex.pdf.sha256);
    await expect(central.report.closeDissent(DATE, PROJECT, 'op-1', 'too late')).rejects.toMatchObject({ code: 'DISSENT_CLOSED' });

    // Out of turn, then 评委1 signs on the final PDF.
    await central.push(k2, REPORT_BOOTH_EVENTS.signed, await signedPayload(k2, final, state.head!.sha256));
    expect(await central.lastLedger()).toMatchObject({ type: 'report.refused', payload: { reason: 'not_your_turn' } });
    await central.push(k1, REPORT_BOOTH_EVENTS.signed, await signedPayload(k1, final, state.head!.sha256));
    expect(await central.lastLedger()).toMatchObject({ type: 'report.accepted', payload: { codename: 'K01', headAfter: { sha256: expect.stringMatching(/^[0-9a-f]{64}$/) } } });
    state = (await central.report.state(DATE, PROJECT))!;
    expect(state.turn).toBe('K02');
    const head1 = await central.file(state.head!.sha256);
    expect((await central.view(k2)).head?.sha256).toBe(state.head!.sha256);

    // A stale head (the final PDF, signed over again) is refused; then K02 refuses to sign, with a reason.
    await central.push(k2, REPORT_BOOTH_EVENTS.signed, await signedPayload(k2, final, state.final!.sha256));
    expect(await central.lastLedger()).toMatchObject({ type: 'report.refused', payload: { reason: 'stale_head' } });
    await central.push(k2, REPORT_BOOTH_EVENTS.signRefused, { date: DATE, project: PROJECT, codename: 'K02', headSha256: state.head!.sha256, reason: '不同意价格分的计算' });
    state = (await central.report.state(DATE, PROJECT))!;
    expect(state.refusalsToSign).toEqual([expect.objectContaining({ codename: 'K02', judge: 2, reason: '不同意价格分的计算' })]);
    expect(state.turn).toBe('K03');

    // K03 (RSA, the second CA) signs on top of K01.
    const k3Signed = await signedPayload(k3, head1, state.head!.sha256);
    const started = performance.now();
    await central.push(k3, REPORT_BOOTH_EVENTS.signed, k3Signed);
    process.stderr.write(`[report] a member's PAdES signature pushed → rebuilt, verified, stored, accepted, views sent: ${(performance.now() - started).toFixed(1)} ms (PDF ${head1.length} bytes)\n`);
    state = (await central.report.state(DATE, PROJECT))!;
    expect(state).toMatchObject({ stage: 'supervisor', turn: null });
    const head2 = await central.file(state.head!.sha256);
    const two = pdfsigBlocks((await pdfsig(work, head2, 'head-2.pdf')).output);
    expect(two).toHaveLength(2);
    expect(two[0]).toContain('Signature Field Name: kawei-judge-1');
    expect(two[0]).toContain('Not total document signed');
    expect(two[1]).toContain('Signature Field Name: kawei-judge-3');
    for (const block of two) expect(block).toContain('Signature Validation: Signature is Valid.');

    // The supervisor signs last at the centre; the blind project's unblinding annex follows.
    const supervisorLeaf = await issueLeaf(caEc, 'ec', 'SUPERVISOR');
    const supervisor = softwareSigner({ privateKey: supervisorLeaf.privateKey, certificate: supervisorLeaf.der });
    state = await central.report.signAsSupervisor(DATE, PROJECT, { signer: supervisor, signerName: '监标人', operator: 'op-1' });
    expect(state).toMatchObject({ stage: 'signed', problems: [] });
    expect(state.annexes.map((a) => a.kind)).toEqual(['identities', 'unblinding']);
    const signed = await central.file(state.head!.sha256);
    const three = pdfsigBlocks((await pdfsig(work, signed, 'signed.pdf')).output);
    expect(three.map((b) => /Signature Field Name: (\S+)/.exec(b)?.[1])).toEqual(['kawei-judge-1', 'kawei-judge-3', 'kawei-supervisor']);
    for (const block of three) expect(block).toContain('Signature Validation: Signature is Valid.');
    expect((await central.view(k1)).stage).toBe('signed');
    await expect(central.report.signAsSupervisor(DATE, PROJECT, { signer: supervisor, signerName: '监标人', operator: 'op-1' })).rejects.toMatchObject({ code: 'REPORT_NOT_READY' });
    // The annexes are sealed by the centre; the identity one has the experts, never the report.
    const identities = state.annexes.find((a) => a.kind === 'identities')!;
    expect(pdfText(await central.file(identities.pdf.sha256))).toMatch(/expert-01/);
    expect(pdfText(await central.file(state.annexes.find((a) => a.kind === 'unblinding')!.pdf.sha256))).toMatch(/投标人1有限公司/);
    expect(pdfText(signed)).not.toMatch(/投标人1有限公司/);

    // The whole record verifies; the committee's record is untouched by the report's entries.
    const verified = await verifyReport({ store: central.store, trustList: trust, sealTrust: seal.trustList }, DATE, PROJECT);
    expect(verified.problems).toEqual([]);
    expect(verified).toMatchObject({ ok: true, stage: 'signed' });
    expect(verified.signatures.map((s) => [s.fieldName, s.ok])).toEqual([
      ['kawei-judge-1', true],
      ['kawei-judge-3', true],
      ['kawei-supervisor', true],
    ]);
    expect(verified.dissents).toEqual([{ codename: 'K02', ok: true }]);
    expect((await central.committee.state(DATE, PROJECT))?.problems).toEqual([]);

    // One byte changed in a stored head: verify names it.
    const raw = new Database(join(central.dir, 'central.sqlite'));
    try {
      const row = raw.prepare('SELECT bytes FROM report_files WHERE sha256 = ?').get(state.signatures[0]!.headAfter!.sha256) as { bytes: Buffer };
      const changed = Buffer.from(row.bytes);
      changed[200] = changed[200]! ^ 0x01;
      raw.prepare('UPDATE report_files SET bytes = ? WHERE sha256 = ?').run(changed, state.signatures[0]!.headAfter!.sha256);
    } finally {
      raw.close();
    }
    const tampered = await verifyReport({ store: central.store, trustList: trust, sealTrust: seal.trustList }, DATE, PROJECT);
    expect(tampered.ok).toBe(false);
    expect(tampered.problems.map((p) => p.en).join('\n')).toContain(state.signatures[0]!.headAfter!.sha256);
  }, 180_000);

  it('refuses a certificate from an unknown CA and a CMS over other bytes; without a trust list it says why; the centre closes the window', async () => {
    const central = await startCentral('refusals');
    const [k1, k2, k3] = central.booths as [Booth, Booth, Booth];
    await toFinal(central);
    let state = (await central.report.state(DATE, PROJECT))!;
    await central.push(k1, REPORT_BOOTH_EVENTS.dissent, await dissentPayload(k1, state.draft!.sha256, null));
    await expect(central.report.signAsSupervisor(DATE, PROJECT, { signer: k1.signer, signerName: 'x', operator: 'op' })).rejects.toMatchObject({ code: 'REPORT_NOT_READY' });
    state = await central.report.closeDissent(DATE, PROJECT, 'op-1', 'the members were told at 10:00');
    expect(state).toMatchObject({ stage: 'signing', turn: 'K01', dissentClosed: { operator: 'op-1' } });
    expect(state.dissents.map((d) => [d.codename, d.closedByCentre])).toEqual([
      ['K01', false],
      ['K02', true],
      ['K03', true],
    ]);
    const final = await central.file(state.head!.sha256);

    const stranger = await makeCa('Not Trusted CA', 'ec');
    const strangerLeaf = await issueLeaf(stranger, 'ec', 'STRANGER');
    const strangerSigner = softwareSigner({ privateKey: strangerLeaf.privateKey, certificate: strangerLeaf.der });
    const strangerTrust = trustListFromCertificates([stranger.der]);
    const p = await signedPayloadUnder(k1, final, state.head!.sha256, strangerSigner, strangerTrust);
    await central.push(k1, REPORT_BOOTH_EVENTS.signed, p);
    expect(await central.lastLedger()).toMatchObject({ type: 'report.refused', payload: { reason: 'certificate_rejected' } });

    // A CMS made for another PDF (the draft) does not fit the head.
    const draft = await central.file(state.draft!.sha256);
    const wrong = await signedPayload(k1, draft, state.head!.sha256);
    await central.push(k1, REPORT_BOOTH_EVENTS.signed, wrong);
    expect(await central.lastLedger()).toMatchObject({ type: 'report.refused', payload: { reason: 'bad_signature' } });
    expect((await central.report.state(DATE, PROJECT))?.turn).toBe('K01');
    void k2;
    void k3;

    const blind = await startCentral('no-trust', { trust: false });
    await toFinal(blind);
    const s = (await blind.report.state(DATE, PROJECT))!;
    await blind.report.closeDissent(DATE, PROJECT, 'op', 'closing');
    const head = await blind.file((await blind.report.state(DATE, PROJECT))!.head!.sha256);
    await blind.push(blind.booths[0]!, REPORT_BOOTH_EVENTS.signed, await signedPayload(blind.booths[0]!, head, (await blind.report.state(DATE, PROJECT))!.head!.sha256));
    const last = await blind.lastLedger();
    expect(last).toMatchObject({ type: 'report.refused', payload: { reason: 'certificate_rejected' } });
    expect(String(last.payload['detail'])).toMatch(/serve --trust/);
    expect(s.stage).toBe('dissent');
  }, 180_000);
});

describe('an SM2 key signs beside the PDF', () => {
  it('a detached CMS over the head is accepted from an SM2 key (the head stays), refused from any other key; verify checks it', async () => {
    requireTool('openssl-sm2');
    mkdirSync(join(work, 'sm2-pki'));
    const pki = await makeSm2Pki(join(work, 'sm2-pki'));
    const both = trustListFromCertificates([caEc.der, caRsa.der, pki.root.certPem]);
    const central = await startCentral('sm2', { trustList: both });
    const [k1, k2, k3] = central.booths as [Booth, Booth, Booth];
    await toFinal(central);
    let state = await central.report.closeDissent(DATE, PROJECT, 'op-1', 'no dissent expected');
    const head = state.head!.sha256;
    const final = await central.file(head);
    const detached = async (signer: Signer, trustList: TrustList) => {
      // OpenSSL's certificates are valid from now: sign now (whole seconds, as the schema wants).
      const signingTime = new Date(Math.floor(Date.now() / 1000) * 1000 + 1000);
      const cms = await createDetachedCms(final, signer, { trustList, signingTime });
      return { date: DATE, project: PROJECT, codename: 'K01', headSha256: head, format: 'cms-detached', fieldName: 'kawei-judge-1', signingTime: signingTime.toISOString(), signerName: 'K01', cms: Buffer.from(cms.der).toString('base64') };
    };
    await central.push(k1, REPORT_BOOTH_EVENTS.signed, await detached(k1.signer, both));
    const refused = await central.lastLedger();
    expect(refused).toMatchObject({ type: 'report.refused', payload: { reason: 'bad_signature' } });
    expect(String(refused.payload['detail'])).toMatch(/SM2/);
    const sm2 = createSoftSm2Signer({ privateKey: pki.expert.keyPem, certificate: pki.expert.certPem, chain: [pki.intermediate.certPem] });
    await central.push(k1, REPORT_BOOTH_EVENTS.signed, await detached(sm2, both));
    state = (await central.report.state(DATE, PROJECT))!;
    expect(state).toMatchObject({ turn: 'K02', head: { sha256: head } });
    expect(state.signatures[0]).toMatchObject({ format: 'cms-detached', headAfter: null });
    expect((await central.store.listReportFiles(DATE, PROJECT)).map((f) => f.kind)).toContain('signature-cms');
    await central.push(k2, REPORT_BOOTH_EVENTS.signed, await signedPayload(k2, final, head));
    await central.push(k3, REPORT_BOOTH_EVENTS.signed, await signedPayload(k3, await central.file((await central.report.state(DATE, PROJECT))!.head!.sha256), (await central.report.state(DATE, PROJECT))!.head!.sha256));
    state = (await central.report.state(DATE, PROJECT))!;
    expect(state.stage).toBe('supervisor');
    const verified = await verifyReport({ store: central.store, trustList: both }, DATE, PROJECT);
    expect(verified.problems).toEqual([]);
    expect(verified.signatures.map((s) => [s.format, s.ok])).toEqual([
      ['cms-detached', true],
      ['pades', true],
      ['pades', true],
    ]);
    expect(verified.annexes).toEqual([expect.objectContaining({ kind: 'identities', ok: true, seal: 'embedded' })]);
    await sm2.close();
  }, 180_000);
});

async function signedPayloadUnder(booth: Booth, head: Uint8Array, headSha256: string, signer: Signer, trustList: TrustList): Promise<Record<string, unknown>> {
  const signingTime = new Date(Date.UTC(2026, 11, 7, 11, 30));
  const options = { fieldName: `kawei-judge-${booth.judge}`, signerName: booth.codename, signingTime };
  const prepared = addSignaturePlaceholder(head, options);
  const cms = await createDetachedCms(prepared.signedContent, signer, { trustList, signingTime });
  return { date: DATE, project: PROJECT, codename: booth.codename, headSha256, format: 'pades', fieldName: options.fieldName, signingTime: signingTime.toISOString(), signerName: booth.codename, cms: Buffer.from(cms.der).toString('base64') };
}
