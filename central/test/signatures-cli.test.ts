import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTool } from '../../tests/support/require-tool.node.ts';
import { ROSTER_BOOTH_MESSAGE, type BoothRosterPayload } from '@kawei/shared/api/booth-roster.ts';
import { COMMITMENT_SIGNED_EVENT, SCORES_SUBMITTED_EVENT } from '@kawei/shared/api/signed-submissions.ts';
import { privateKeyFromPkcs8 } from '@kawei/shared/crypto/ed25519.node.ts';
import { signCanonicalJson, type SignedDocument, type SignedDocumentKind } from '@kawei/shared/signing/canonical-signing.ts';
import { Pkcs11Provider } from '@kawei/shared/signing/pkcs11-provider.node.ts';
import type { Signer } from '@kawei/shared/signing/signer.ts';
import { createSoftSm2Signer } from '@kawei/shared/signing/soft-sm2-signer.node.ts';
import { loadTrustListFolder } from '@kawei/shared/signing/trust-list.node.ts';
import { trustListFromCertificates, type TrustList } from '@kawei/shared/signing/trust-list.ts';
import { canonicalJson, type JsonValue } from '@kawei/shared/sync/canonical-json.ts';
import type { SyncEvent } from '@kawei/shared/sync/sync-event.ts';
import { runCli } from '../src/cli/run-cli.node.ts';
import type { CrlUsed, SubmissionVerdict } from '../src/results/verify-submissions.ts';
import type { SqliteCentralStore } from '../src/storage/sqlite-central-store.node.ts';
import { createDownstreamMessage } from '../src/sync/downstream-messages.node.ts';
import { TestDevice } from './device-signer.ts';
import { EventChain } from './event-chain-builder.ts';
import { addCode, attempt, openDemoStore } from './store-fixtures.ts';
import { useTempDir } from './temp-dir.ts';
import { makeTestCa, type TestCa, type TestToken } from '../../scripts/lib/softhsm-token.node.ts';
import { asn1Time, caFromParty, makeRootCa, softSigner, type Crl, type OpensslCa, type Party } from '../../shared/test/signing/crl-openssl.node.ts';
import { tokenForThisFile } from '../../shared/test/signing/signing-test-support.node.ts';
import { makeSm2Pki, type Sm2Pki } from '../../shared/test/signing/sm2-openssl.node.ts';

/*
 * Real signatures (a SoftHSM2 token, ECDSA P-256 keys generated on it; SM2 by the software signer with
 * an OpenSSL-made PKI), made as the booth makes them (signCanonicalJson over the canonical JSON), put
 * into a real central store as sealed device events through its ingest, then checked by the CLI.
 */

const tempDir = useTempDir();

const D1 = '2026-11-23';
const D2 = '2026-11-24';

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(args, { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } });
  return { code, out, err };
}

interface Seat {
  expert: string;
  codename: string;
  project: string;
  date: string;
  booth: string;
}

/** The commitment letter as the booth builds it (booth-client commitment-letter.ts). */
function letter(seat: Seat) {
  return {
    type: 'kawei.commitment-letter',
    version: 1,
    title: '评标专家承诺书',
    codename: seat.codename,
    project: seat.project,
    date: seat.date,
    room: '3号评标室',
    booth: seat.booth,
    text: `评标专家承诺书\n\n本人以评标专家代号 ${seat.codename} 参加项目 ${seat.project} 的评标工作，郑重承诺：独立评审、客观公正、严守秘密。\n\n承诺人（评标专家代号）：${seat.codename}`,
  };
}

/** The score sheet as the booth signs it (score-sheet.node.ts documentOf). */
function sheet(seat: Seat) {
  return {
    kind: 'kawei.score-sheet',
    version: 1,
    date: seat.date,
    project: seat.project,
    codename: seat.codename,
    booth: seat.booth,
    criteria: [
      { id: 'tech', name: '技术', max: 50 },
      { id: 'price', name: '价格', max: 30 },
    ],
    bidders: ['A', 'B'],
    scores: { A: { tech: 46, price: 27.5 }, B: { tech: 40, price: 30 } },
    notes: { A: { tech: '技术方案完整' }, B: {} },
    savedAt: Date.UTC(2026, 10, 23, 7, 30),
  };
}

const cnOf = (subject: string) => /CN=([^,]+)/.exec(subject)![1]!;

/** `booth.commitment_signed` as booth-session.node.ts records it. */
function commitmentPayload(seat: Seat, doc: SignedDocument): Record<string, JsonValue> {
  return {
    expert: seat.expert,
    codename: seat.codename,
    project: seat.project,
    date: seat.date,
    signer: cnOf(doc.signer.subject),
    signedAt: Date.parse(doc.signedAt),
    cms: doc.cms,
    document: doc as unknown as JsonValue,
  };
}

/** `booth.scores_submitted` as score-sheet.node.ts eventPayload records it. */
function scoresPayload(seat: Seat, value: unknown, doc: SignedDocument): Record<string, JsonValue> {
  return {
    date: seat.date,
    project: seat.project,
    sheet: value as JsonValue,
    sheetSha256: createHash('sha256').update(canonicalJson(value)).digest('hex'),
    signedAt: Date.parse(doc.signedAt),
    signer: cnOf(doc.signer.subject),
    cms: doc.cms,
    signed: doc as unknown as JsonValue,
  };
}

/** Enrols a booth device and stores its events through the store's ingest (sealed, chained). */
async function boothWithEvents(store: SqliteCentralStore, boothId: string, events: { type: string; payload: Record<string, JsonValue> }[]): Promise<string> {
  const device = new TestDevice();
  const code = `CODE-${boothId}`;
  await addCode(store, code, { kind: 'booth', boothId }, { createdAt: Date.now() });
  const { device: record } = await store.consumeEnrolmentCode(attempt(code, 'booth', device, Date.now()));
  const chain = new EventChain(record.id, device.privateKey);
  const sealed: SyncEvent[] = chain.append(events.length, (seq) => ({ ...events[seq - 1]!, deviceTime: Date.now() }));
  const outcome = await store.ingestBatch({ deviceId: record.id, events: sealed, receivedAt: Date.now(), clockSkewMs: 0 });
  expect(outcome.kind).toBe('stored');
  return record.id;
}

/** A `roster.booth` for the device, made as publish-rosters makes it (createDownstreamMessage, signed with the central key). */
async function publishRoster(store: SqliteCentralStore, deviceId: string, seat: Seat): Promise<void> {
  const { privateKeyPkcs8 } = await store.getCentralIdentity();
  const payload: BoothRosterPayload = { date: seat.date, seed: 'seed-1', expert: seat.expert, codename: seat.codename, project: seat.project, blind: 0, room: 'room-3', label: seat.booth };
  await createDownstreamMessage({ store, privateKey: privateKeyFromPkcs8(privateKeyPkcs8), now: Date.now }, { deviceId, type: ROSTER_BOOTH_MESSAGE, payload });
}

type Report = {
  trust: { dir: string; anchors: number; crls: CrlUsed[]; withoutCrl: string[]; crlProblems: { source: string; reason: string }[] };
  submissions: SubmissionVerdict[];
  tally: { valid: number; invalid: number };
};

describe('kawei-central signatures (SoftHSM2, ECDSA P-256)', () => {
  beforeAll(() => requireTool('softhsm2', 'openssl'));
  let token: TestToken & { cleanup(): void };
  let provider: Pkcs11Provider;
  let boothTrust: TrustList;
  let stranger: TestCa;
  let dir: string;
  let data: string;
  let centralTrust: string;
  const dev: Record<'a' | 'b' | 'c', string> = { a: '', b: '', c: '' };

  const A: Seat = { expert: 'E201', codename: 'EXPERT-K7Q2', project: 'GC-01', date: D1, booth: 'A1' };
  const A2: Seat = { ...A, project: 'GC-07', date: D2 };
  const B: Seat = { expert: 'E202', codename: 'EXPERT-M3N4', project: 'GC-01', date: D1, booth: 'A2' };
  const C: Seat = { expert: 'E203', codename: 'EXPERT-X9Z1', project: 'ZF-02', date: D1, booth: 'A3' };
  /** What a real-world CA writes into a certificate: the holder's name. It must never reach the text output. */
  const REAL_NAME = '张明远';

  async function sign(kind: SignedDocumentKind, value: unknown, keyId: string, trustList = boothTrust): Promise<SignedDocument> {
    const signer: Signer = await provider.open(token.slot, token.pin, { keyId });
    try {
      return await signCanonicalJson(kind, value, signer, { trustList });
    } finally {
      await signer.close();
    }
  }

  beforeAll(async () => {
    token = await tokenForThisFile({ cas: 1, keyType: 'ec', codeName: A.codename });
    provider = new Pkcs11Provider({ modulePath: token.modulePath });
    boothTrust = loadTrustListFolder(token.trustDir);
    // Key 02: certified by a CA the booth was (wrongly) given but the central does not trust.
    stranger = await token.createCa('Unknown Province CA');
    await token.issue({ keyId: '02', issuer: stranger, codeName: C.codename });
    // Key 03: a trusted certificate whose CN is a real name, not the code name.
    await token.issue({ keyId: '03', issuer: token.cas[0]!, codeName: REAL_NAME });

    dir = mkdtempSync(join(tmpdir(), 'kawei-signatures-'));
    centralTrust = join(dir, 'central-trust');
    mkdirSync(centralTrust);
    copyFileSync(join(token.trustDir, 'ca-1.pem'), join(centralTrust, 'ca-1.pem'));
    data = join(dir, 'central');
    mkdirSync(data);
    const store = await openDemoStore(data);
    try {
      const commitmentA = await sign('commitment-letter', letter(A), '01');
      const sheetA = sheet(A);
      const scoresA = await sign('score-sheet', sheetA, '01');
      const commitmentA2 = await sign('commitment-letter', letter(A2), '01');
      dev.a = await boothWithEvents(store, 'room-3-A1', [
        { type: 'booth.login', payload: { expert: A.expert, date: A.date } },
        { type: COMMITMENT_SIGNED_EVENT, payload: commitmentPayload(A, commitmentA) },
        { type: SCORES_SUBMITTED_EVENT, payload: scoresPayload(A, sheetA, scoresA) },
        { type: COMMITMENT_SIGNED_EVENT, payload: commitmentPayload(A2, commitmentA2) },
      ]);

      const commitmentB = await sign('commitment-letter', letter(B), '03');
      const sheetB = sheet(B);
      const scoresB = await sign('score-sheet', sheetB, '03');
      // Signed with 46 for bidder A; the event says 50.
      const altered = structuredClone(sheetB);
      altered.scores.A.tech = 50;
      const alteredPayload = { ...scoresPayload(B, sheetB, scoresB), sheet: altered as unknown as JsonValue };
      dev.b = await boothWithEvents(store, 'room-3-A2', [
        { type: COMMITMENT_SIGNED_EVENT, payload: commitmentPayload(B, commitmentB) },
        { type: SCORES_SUBMITTED_EVENT, payload: alteredPayload },
        // A genuine signature, but the event claims another code name than the letter signed.
        { type: COMMITMENT_SIGNED_EVENT, payload: { ...commitmentPayload(B, commitmentB), codename: 'EXPERT-Q1W2' } },
      ]);

      const untrusted = await sign('commitment-letter', letter(C), '02', { anchors: [...boothTrust.anchors, stranger.certificate] });
      const sheetC = sheet(C);
      const scoresC = await sign('score-sheet', sheetC, '01');
      const garbage = { ...scoresPayload(C, sheetC, { ...scoresC, cms: 'this is no CMS!' }) };
      dev.c = await boothWithEvents(store, 'room-3-A3', [
        { type: COMMITMENT_SIGNED_EVENT, payload: commitmentPayload(C, untrusted) },
        { type: SCORES_SUBMITTED_EVENT, payload: garbage },
        { type: COMMITMENT_SIGNED_EVENT, payload: { expert: C.expert, codename: C.codename, project: C.project, date: C.date, cms: 5 } },
        // Base64, but of bytes that are no CMS: refused by the CMS parser itself.
        { type: SCORES_SUBMITTED_EVENT, payload: scoresPayload(C, sheetC, { ...scoresC, cms: btoa('garbage, not DER') }) },
      ]);
    } finally {
      await store.close();
    }
  });
  afterAll(async () => {
    await provider?.close();
    token?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('verifies every signed submission: valid ones, an altered score sheet, an untrusted CA, a garbage CMS, a malformed payload', async () => {
    const { code, out, err } = await run(['signatures', '--trust', centralTrust, '--data', data, '--json']);
    expect(err).toBe('');
    expect(code).toBe(1);
    const report = JSON.parse(out) as { trust: { dir: string; anchors: number }; filter: unknown; submissions: SubmissionVerdict[]; tally: { valid: number; invalid: number } };
    expect(report.trust).toEqual({ dir: centralTrust, anchors: 1, crls: [], withoutCrl: [expect.stringContaining('Kawei Test CA 1')], crlProblems: [] });
    expect(report.filter).toEqual({ date: null, project: null });
    const byKey = Object.fromEntries(report.submissions.map((s) => [`${s.device}#${s.seq}`, s]));
    // booth.login (a#1) is not a signed submission.
    expect(Object.keys(byKey)).toEqual([`${dev.a}#2`, `${dev.a}#3`, `${dev.a}#4`, `${dev.b}#1`, `${dev.b}#2`, `${dev.b}#3`, `${dev.c}#1`, `${dev.c}#2`, `${dev.c}#3`, `${dev.c}#4`]);
    const codes = (key: string) => byKey[key]!.problems.map((p) => p.code);

    expect(byKey[`${dev.a}#2`]).toMatchObject({
      booth: 'room-3-A1',
      type: COMMITMENT_SIGNED_EVENT,
      kind: 'commitment',
      project: 'GC-01',
      date: D1,
      codename: A.codename,
      expert: A.expert,
      valid: true,
      problems: [],
      signer: { subject: expect.stringContaining(`CN=${A.codename}`), issuer: expect.stringContaining('Kawei Test CA 1'), algorithm: 'ECDSA-SHA256', verified: true },
    });
    expect(byKey[`${dev.a}#2`]!.signer!.serial).toMatch(/^[0-9a-f]+$/);
    // No CRL in the central folder: verified, revocation unknown (not "good"), the CA named in the check.
    expect(byKey[`${dev.a}#2`]).toMatchObject({ revocation: 'unknown', crlStale: false });
    expect(byKey[`${dev.a}#2`]!.revocationChecks).toEqual([
      { subject: expect.stringContaining(`CN=${A.codename}`), serial: byKey[`${dev.a}#2`]!.signer!.serial, issuer: expect.stringContaining('Kawei Test CA 1'), status: 'unknown', crl: null, stale: false, revokedAt: null },
    ]);
    // The central sent these booths no roster: cannot cross-check, a warning only.
    expect(byKey[`${dev.a}#2`]!.warnings).toEqual([{ code: 'NO_ROSTER', zh: expect.stringContaining('当日名单'), en: expect.stringContaining('no roster for that day') }]);
    expect(byKey[`${dev.a}#2`]!.receivedAt).toBeGreaterThanOrEqual(byKey[`${dev.a}#2`]!.signedAt!);
    expect(byKey[`${dev.a}#2`]!.signedAt).toBeGreaterThan(Date.now() - 10 * 60_000);
    expect(byKey[`${dev.a}#3`]).toMatchObject({ kind: 'score-sheet', type: SCORES_SUBMITTED_EVENT, codename: A.codename, expert: null, valid: true });
    expect(byKey[`${dev.a}#4`]).toMatchObject({ project: 'GC-07', date: D2, valid: true });
    expect(byKey[`${dev.b}#1`]).toMatchObject({ valid: true, signer: { subject: expect.stringContaining(`CN=${REAL_NAME}`), verified: true } });

    // The event's scores are not the signed ones: the CMS does not match the sheet, nor the event's own hash and copy.
    expect(byKey[`${dev.b}#2`]!.valid).toBe(false);
    expect(codes(`${dev.b}#2`)).toEqual(['CMS_DIGEST_MISMATCH', 'DOCUMENT_MISMATCH']);
    expect(byKey[`${dev.b}#2`]!.problems[0]).toMatchObject({ zh: expect.stringContaining('内容已被改动'), en: expect.stringContaining('content changed') });
    expect(byKey[`${dev.b}#2`]!.problems[1]).toMatchObject({
      zh: '事件内容与签名文件不一致，已被改动（字段：sheetSha256, signed.content）',
      en: 'the event does not match the signed document: it was changed (fields: sheetSha256, signed.content)',
    });

    expect(codes(`${dev.b}#3`)).toEqual(['DOCUMENT_MISMATCH']);
    expect(byKey[`${dev.b}#3`]).toMatchObject({ codename: 'EXPERT-Q1W2', signer: { verified: true } });
    expect(byKey[`${dev.b}#3`]!.problems[0]!.en).toBe('the event does not match the signed document: it was changed (fields: codename)');
    expect(codes(`${dev.c}#1`)).toEqual(['CERT_UNTRUSTED']);
    expect(byKey[`${dev.c}#1`]).toMatchObject({ valid: false, signer: { subject: expect.stringContaining(`CN=${C.codename}`), verified: false } });
    // Not verified: no revocation status at all.
    expect(byKey[`${dev.c}#1`]).toMatchObject({ revocation: null, crlStale: false, revocationChecks: [] });
    expect(byKey[`${dev.b}#2`]).toMatchObject({ revocation: null });
    expect(byKey[`${dev.b}#3`]).toMatchObject({ revocation: 'unknown' });
    expect(codes(`${dev.c}#2`)).toEqual(['CMS_MALFORMED']);
    expect(byKey[`${dev.c}#2`]!.problems[0]!.en).toBe('malformed CMS signature (not base64)');
    expect(codes(`${dev.c}#4`)).toEqual(['CMS_MALFORMED']);
    expect(byKey[`${dev.c}#4`]!.problems[0]!.en).not.toContain('not base64');
    expect(codes(`${dev.c}#3`)).toEqual(['PAYLOAD_INVALID']);
    expect(byKey[`${dev.c}#3`]!.problems[0]!.en).toMatch(/^the event payload does not match its schema \(.*cms/);
    expect(byKey[`${dev.c}#3`]).toMatchObject({ project: 'ZF-02', codename: C.codename, signer: null });

    expect(report.tally).toEqual({ valid: 4, invalid: 6 });
  });

  it('prints a Chinese-first table with code names only, the reasons and the tally', async () => {
    const { code, out } = await run(['signatures', '--trust', centralTrust, '--data', data]);
    expect(code).toBe(1);
    const lines = out.split('\n');
    expect(lines[0]).toMatch(/^已签名提交的核验（中心受信任 CA 证书 1 张：/);
    expect(lines[1]).toMatch(/^signed submissions verified with the central's trust list \(1 CA certificate/);
    const header = lines.find((l) => l.startsWith('设备 device'))!;
    expect(header).toMatch(/^设备 device +卡位 booth +序号 seq +类别 kind +项目 project +代号 codename +签名证书 signer +签名时间 signed at +结果 verdict$/);
    const row = (device: string, seq: number) => lines.find((l) => l.startsWith(`${device} `) && l.includes(` #${seq} `))!;
    // Valid, but no CRL was there to check revocation with: the cell says so.
    expect(row(dev.a, 2)).toMatch(
      new RegExp(`room-3-A1 +#2 +承诺书 commitment +GC-01 +${A.codename} +${A.codename} [0-9a-f]+ +\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d +有效 valid（吊销未知 revocation unknown）$`),
    );
    expect(row(dev.a, 3)).toMatch(/评分表 score sheet +GC-01 +EXPERT-K7Q2 .* 有效 valid（吊销未知 revocation unknown）$/);
    expect(row(dev.b, 1)).toMatch(/承诺书 commitment +GC-01 +EXPERT-M3N4 +张\*远 [0-9a-f]+ .* 有效 valid（吊销未知 revocation unknown）$/);
    expect(row(dev.b, 2)).toMatch(/评分表 score sheet .* 无效 invalid CMS_DIGEST_MISMATCH$/);
    expect(row(dev.c, 1)).toMatch(/无效 invalid CERT_UNTRUSTED$/);
    expect(row(dev.c, 2)).toMatch(/无效 invalid CMS_MALFORMED$/);
    expect(row(dev.c, 3)).toMatch(/承诺书 commitment +ZF-02 +EXPERT-X9Z1 +- +- +无效 invalid PAYLOAD_INVALID$/);

    expect(out).toContain('\n无效原因 / why invalid:\n');
    expect(out).toContain(`  ${dev.b} #2 评分表 score sheet\n    [CMS_DIGEST_MISMATCH] 签名与内容不符（内容已被改动）\n                          the signature does not match the content (content changed)\n`);
    expect(out).toContain('[CERT_UNTRUSTED] 证书不是由受信任的 CA 签发');
    expect(out).toContain('[CMS_MALFORMED] 签名数据格式错误');
    expect(row(dev.b, 3)).toMatch(/承诺书 commitment +GC-01 +EXPERT-Q1W2 +张\*远 .* 无效 invalid DOCUMENT_MISMATCH$/);
    expect(out.endsWith('\n有效 4 / 无效 6\nvalid 4 / invalid 6\n')).toBe(true);
    // Warnings under the reasons, labelled as notes.
    const notes = out.slice(out.indexOf('\n注意 / note:\n'));
    expect(out.indexOf('\n注意 / note:\n')).toBeGreaterThan(out.indexOf('\n无效原因 / why invalid:\n'));
    expect(notes).toContain(`  ${dev.a} #2 承诺书 commitment\n    [NO_ROSTER] 中心没有向该卡位下发当日名单，无法核对专家、代号与项目\n                the central sent this booth no roster for that day: expert, code name and project cannot be cross-checked\n`);

    // Code names only: no real name (from a certificate) and no expert id.
    expect(out).not.toContain(REAL_NAME);
    for (const seat of [A, B, C]) expect(out).not.toContain(seat.expert);
  });

  it('filters by --project and --date, and exits 0 when everything shown is valid', async () => {
    const day2 = await run(['signatures', '--trust', centralTrust, '--date', D2, '--data', data, '--json']);
    expect(day2.code).toBe(0);
    const onlyDay2 = JSON.parse(day2.out) as { filter: unknown; submissions: SubmissionVerdict[]; tally: unknown };
    expect(onlyDay2.filter).toEqual({ date: D2, project: null });
    expect(onlyDay2.submissions.map((s) => [s.device, s.seq, s.valid])).toEqual([[dev.a, 4, true]]);
    expect(onlyDay2.tally).toEqual({ valid: 1, invalid: 0 });

    const zf = await run(['signatures', '--trust', centralTrust, '--project', 'ZF-02', '--data', data, '--json']);
    expect(zf.code).toBe(1);
    expect((JSON.parse(zf.out) as { submissions: SubmissionVerdict[] }).submissions.map((s) => [s.device, s.seq, s.valid])).toEqual([
      [dev.c, 1, false],
      [dev.c, 2, false],
      [dev.c, 3, false],
      [dev.c, 4, false],
    ]);

    const gc01 = await run(['signatures', '--trust', centralTrust, '--project', 'GC-01', '--date', D1, '--data', data]);
    expect(gc01.code).toBe(1);
    expect(gc01.out).toContain('筛选：日期 2026-11-23，项目 GC-01 / filter: date 2026-11-23, project GC-01\n');
    expect(gc01.out.endsWith('有效 3 / 无效 2\nvalid 3 / invalid 2\n')).toBe(true);

    const none = await run(['signatures', '--trust', centralTrust, '--project', 'XX-99', '--data', data]);
    expect(none.code).toBe(0);
    expect(none.out).toContain('（没有已签名的提交 / no signed submissions）\n');
    expect(none.out.endsWith('有效 0 / 无效 0\nvalid 0 / invalid 0\n')).toBe(true);
  });

  it('trusts only the central folder: with the stranger CA added there, that commitment verifies', async () => {
    const wider = join(dir, 'wider-trust');
    mkdirSync(wider, { recursive: true });
    copyFileSync(join(centralTrust, 'ca-1.pem'), join(wider, 'ca-1.pem'));
    writeFileSync(join(wider, 'stranger.pem'), stranger.pem);
    const { out } = await run(['signatures', '--trust', wider, '--project', 'ZF-02', '--data', data, '--json']);
    const [untrusted] = (JSON.parse(out) as { submissions: SubmissionVerdict[] }).submissions;
    expect(untrusted).toMatchObject({ device: dev.c, seq: 1, valid: true });
  });

  it('says which CRLs the verdicts relied on: none here, the CA without one named, a broken CRL file reported and not used', async () => {
    const withJunk = join(dir, 'junk-crl-trust');
    mkdirSync(withJunk, { recursive: true });
    copyFileSync(join(centralTrust, 'ca-1.pem'), join(withJunk, 'ca-1.pem'));
    writeFileSync(join(withJunk, 'ca-1.crl'), 'not a CRL at all');
    const json = await run(['signatures', '--trust', withJunk, '--project', 'GC-01', '--data', data, '--json']);
    const body = JSON.parse(json.out) as { trust: { crls: unknown[]; withoutCrl: string[]; crlProblems: { source: string }[] } };
    expect(body.trust.crls).toEqual([]);
    expect(body.trust.withoutCrl).toEqual([expect.stringContaining('Kawei Test CA 1')]);
    expect(body.trust.crlProblems).toEqual([expect.objectContaining({ source: expect.stringContaining('ca-1.crl') })]);
    expect(json.err).toMatch(/^吊销列表未采用 \/ CRL not used: .*ca-1\.crl: /);
    const text = await run(['signatures', '--trust', withJunk, '--project', 'GC-01', '--data', data]);
    expect(text.out).toContain('核验用到的吊销列表（CRL）0 份；核验路径上无 CRL 的 CA 1 个，其所签证书吊销状态未知\n');
    expect(text.out).toContain('CRLs used by the verifications: 0; CAs on verified paths without a CRL: 1 (revocation of their certificates unknown)\n');
  });
});

describe('kawei-central signatures (SM2 with SM3, software signer)', () => {
  beforeAll(() => requireTool('openssl-sm2'));
  let pki: Sm2Pki;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kawei-signatures-sm2-'));
    pki = await makeSm2Pki(dir);
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('verifies an SM2 commitment and score sheet chained to the trusted SM2 root, and refuses one from another CA', async () => {
    const seat: Seat = { expert: 'E301', codename: 'EXPERT-S3M2', project: 'GC-09', date: D1, booth: 'B1' };
    const boothTrust = trustListFromCertificates([pki.root.certPem, pki.strangerCa.certPem]);
    const expert = createSoftSm2Signer({ privateKey: pki.expert.keyPem, certificate: pki.expert.certPem, chain: [pki.intermediate.certPem] });
    const strangerSigner = createSoftSm2Signer({ privateKey: pki.stranger.keyPem, certificate: pki.stranger.certPem });
    const commitment = await signCanonicalJson('commitment-letter', letter(seat), expert, { trustList: boothTrust });
    const value = sheet(seat);
    const scores = await signCanonicalJson('score-sheet', value, expert, { trustList: boothTrust });
    const foreign = await signCanonicalJson('commitment-letter', letter({ ...seat, codename: 'EXPERT-X9Z1' }), strangerSigner, { trustList: boothTrust });

    const data = join(tempDir(), 'central');
    mkdirSync(data);
    const store = await openDemoStore(data);
    let device: string;
    try {
      device = await boothWithEvents(store, 'room-5-B1', [
        { type: COMMITMENT_SIGNED_EVENT, payload: commitmentPayload(seat, commitment) },
        { type: SCORES_SUBMITTED_EVENT, payload: scoresPayload(seat, value, scores) },
        { type: COMMITMENT_SIGNED_EVENT, payload: commitmentPayload({ ...seat, codename: 'EXPERT-X9Z1' }, foreign) },
      ]);
    } finally {
      await store.close();
    }
    const trust = join(dir, 'central-trust');
    mkdirSync(trust);
    writeFileSync(join(trust, 'sm2-root.pem'), pki.root.certPem);

    const { code, out } = await run(['signatures', '--trust', trust, '--data', data, '--json']);
    expect(code).toBe(1);
    const { submissions } = JSON.parse(out) as { submissions: SubmissionVerdict[] };
    expect(submissions.map((s) => [s.device, s.seq, s.kind, s.valid, s.problems.map((p) => p.code)])).toEqual([
      [device, 1, 'commitment', true, []],
      [device, 2, 'score-sheet', true, []],
      [device, 3, 'commitment', false, ['CERT_UNTRUSTED']],
    ]);
    expect(submissions[0]!.signer).toMatchObject({ subject: expect.stringContaining('CN=EXPERT-S3M2'), algorithm: 'SM2-SM3', verified: true });
  });
});

describe('kawei-central signatures: CRLs, the receipt time, an issuing CA inside the CMS, the roster (OpenSSL CAs)', () => {
  beforeAll(() => requireTool('openssl'));
  const HOUR = 3_600_000;
  const DAY = 24 * HOUR;
  let dir: string;
  let data: string;
  let root: OpensslCa;
  let sub: Party;
  let subCa: OpensslCa;
  let late: Party;
  let crls: { sub: Crl; subStale: Crl; root: Crl; other: Crl };
  let signedAt: number;
  let revokedBetween: [number, number];
  const dev: Record<'g' | 'l', string> = { g: '', l: '' };
  /** Seated by the roster (G); the same letter with another expert id (X); a sheet of a day whose roster names another project (G2). */
  const G: Seat = { expert: 'E401', codename: 'EXPERT-G00D', project: 'GC-01', date: D1, booth: 'A1' };
  const X: Seat = { ...G, expert: 'E499' };
  const G2: Seat = { ...G, date: D2 };
  /** L's certificate is revoked after L signed (an hour back) and before the central received it; L2 signs after the revocation. */
  const L: Seat = { expert: 'E402', codename: 'EXPERT-L4T3', project: 'GC-05', date: D1, booth: 'A2' };
  const L2: Seat = { ...L, project: 'GC-06' };

  const folder = (name: string, files: Record<string, string | Uint8Array>): string => {
    const path = join(dir, name);
    mkdirSync(path, { recursive: true });
    for (const [file, content] of Object.entries(files)) writeFileSync(join(path, file), content);
    return path;
  };
  const report = async (trust: string, extra: string[] = []) => {
    const result = await run(['signatures', '--trust', trust, ...extra, '--data', data, '--json']);
    const body = JSON.parse(result.out) as Report;
    return { ...result, body, by: (device: string, seq: number) => body.submissions.find((s) => s.device === device && s.seq === seq)! };
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kawei-signatures-crl-'));
    const back = (ms: number) => asn1Time(new Date(Date.now() - ms));
    // Root (in the central's folder) → issuing CA (only inside the CMS) → experts.
    root = await makeRootCa(folder('root-ca', {}), 'Kawei Signatures Root');
    sub = await root.issue('sub', 'Kawei Signatures Issuing CA', { ca: true, startDate: back(2 * DAY) });
    subCa = caFromParty(folder('sub-ca', {}), sub);
    const good = await subCa.issue('good', G.codename, { startDate: back(2 * DAY) });
    late = await subCa.issue('late', L.codename, { startDate: back(2 * DAY) });
    const other = await makeRootCa(folder('other-ca', {}), 'Kawei Unrelated CA');

    const boothTrust = trustListFromCertificates([root.certPem]);
    const goodSigner = await softSigner(good, [sub], 'ec');
    const lateSigner = await softSigner(late, [sub], 'ec');
    const anHourAgo = new Date(Date.now() - HOUR);
    signedAt = Math.floor(anHourAgo.getTime() / 1000) * 1000;
    const at = { trustList: boothTrust, signingTime: anHourAgo };
    const commitmentG = await signCanonicalJson('commitment-letter', letter(G), goodSigner, at);
    const sheetG = sheet(G);
    const scoresG = await signCanonicalJson('score-sheet', sheetG, goodSigner, at);
    const sheetG2 = sheet(G2);
    const scoresG2 = await signCanonicalJson('score-sheet', sheetG2, goodSigner, at);
    const commitmentL = await signCanonicalJson('commitment-letter', letter(L), lateSigner, at);

    // The CA revokes L's certificate now (OpenSSL writes the revocationDate) and publishes its CRLs.
    const before = Math.floor(Date.now() / 1000) * 1000;
    await subCa.revoke(late.certFile, 'keyCompromise');
    revokedBetween = [before, Date.now()];
    crls = {
      sub: await subCa.gencrl('sub'),
      subStale: await subCa.gencrl('sub-stale', { lastUpdate: back(3 * DAY), nextUpdate: back(2 * DAY) }),
      root: await root.gencrl('root'),
      other: await other.gencrl('other'),
    };
    // Signed after the revocation: the booth had no CRL, the central has.
    const commitmentL2 = await signCanonicalJson('commitment-letter', letter(L2), lateSigner, { trustList: boothTrust, signingTime: new Date(revokedBetween[1] + 2000) });

    data = join(dir, 'central');
    mkdirSync(data);
    const store = await openDemoStore(data);
    try {
      dev.g = await boothWithEvents(store, 'room-3-A1', [
        { type: COMMITMENT_SIGNED_EVENT, payload: commitmentPayload(G, commitmentG) },
        { type: SCORES_SUBMITTED_EVENT, payload: scoresPayload(G, sheetG, scoresG) },
        // The genuine letter, the expert id (not signed) changed: attributed to someone else.
        { type: COMMITMENT_SIGNED_EVENT, payload: commitmentPayload(X, commitmentG) },
        { type: SCORES_SUBMITTED_EVENT, payload: scoresPayload(G2, sheetG2, scoresG2) },
      ]);
      // Received now: after the revocation.
      dev.l = await boothWithEvents(store, 'room-3-A2', [
        { type: COMMITMENT_SIGNED_EVENT, payload: commitmentPayload(L, commitmentL) },
        { type: COMMITMENT_SIGNED_EVENT, payload: commitmentPayload(L2, commitmentL2) },
      ]);
      // What publish-rosters sent room-3-A1 (room-3-A2 got none): G on day 1, another project on day 2.
      await publishRoster(store, dev.g, G);
      await publishRoster(store, dev.g, { ...G2, project: 'GC-07' });
    } finally {
      await store.close();
    }
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('checks against the CRLs: revocation good with every CA covered, unknown without, stale past nextUpdate — in the JSON and in the verdict cell', async () => {
    const full = folder('trust-full', { 'root.pem': root.certPem, 'root.crl': crls.root.der, 'sub.crl': crls.sub.der });
    const good = await report(full, ['--project', 'GC-01', '--date', D1]);
    expect(good.by(dev.g, 1)).toMatchObject({ valid: true, revocation: 'good', crlStale: false });
    expect(good.by(dev.g, 1).revocationChecks).toEqual([
      expect.objectContaining({ subject: expect.stringContaining(`CN=${G.codename}`), issuer: expect.stringContaining('Kawei Signatures Issuing CA'), status: 'good', crl: expect.stringMatching(/sub\.crl$/), stale: false, revokedAt: null }),
      expect.objectContaining({ subject: expect.stringContaining('Kawei Signatures Issuing CA'), issuer: expect.stringContaining('Kawei Signatures Root'), status: 'good', crl: expect.stringMatching(/root\.crl$/), stale: false }),
    ]);
    const fullText = await run(['signatures', '--trust', full, '--project', 'GC-01', '--date', D1, '--data', data]);
    const rowOf = (out: string, device: string, seq: number) => out.split('\n').find((l) => l.startsWith(`${device} `) && l.includes(` #${seq} `))!;
    expect(rowOf(fullText.out, dev.g, 1)).toMatch(/承诺书 commitment .* 有效 valid$/);

    const bare = folder('trust-bare', { 'root.pem': root.certPem });
    const unknown = await report(bare, ['--project', 'GC-01', '--date', D1]);
    expect(unknown.by(dev.g, 1)).toMatchObject({ valid: true, revocation: 'unknown', crlStale: false });
    const bareText = await run(['signatures', '--trust', bare, '--project', 'GC-01', '--date', D1, '--data', data]);
    expect(rowOf(bareText.out, dev.g, 1)).toMatch(/有效 valid（吊销未知 revocation unknown）$/);

    const stale = folder('trust-stale', { 'root.pem': root.certPem, 'root.crl': crls.root.der, 'sub.crl': crls.subStale.der });
    const old = await report(stale, ['--project', 'GC-01', '--date', D1]);
    expect(old.by(dev.g, 1)).toMatchObject({ valid: true, revocation: 'good', crlStale: true });
    expect(old.body.trust.crls.find((c) => c.source.endsWith('sub.crl'))).toMatchObject({ stale: true });
    const staleText = await run(['signatures', '--trust', stale, '--project', 'GC-01', '--date', D1, '--data', data]);
    expect(rowOf(staleText.out, dev.g, 1)).toMatch(/有效 valid（CRL 过期 stale CRL）$/);
    expect(staleText.out).toContain('核验用到的吊销列表（CRL）2 份（1 份在签名时已过期，仍按其吊销）；');
    expect(staleText.out).toContain('CRLs used by the verifications: 2 (1 past nextUpdate at a signing time, still revoking); ');
  });

  it('revoked after the signing time but before the central received it: valid (the time rule), with a REVOKED_BEFORE_RECEIPT note that does not change the exit code', async () => {
    const full = folder('trust-receipt', { 'root.pem': root.certPem, 'root.crl': crls.root.der, 'sub.crl': crls.sub.der });
    const { code, body, by } = await report(full, ['--project', 'GC-05']);
    expect(code).toBe(0);
    const verdict = by(dev.l, 1);
    expect(verdict).toMatchObject({ valid: true, problems: [], revocation: 'good', signedAt });
    expect(verdict.receivedAt).toBeGreaterThanOrEqual(revokedBetween[0]);
    // At the signing time the leaf is good, and the check reports the later revocation.
    expect(verdict.revocationChecks[0]).toMatchObject({ status: 'good', revokedAt: expect.any(String) });
    const warning = verdict.warnings.find((w) => w.code === 'REVOKED_BEFORE_RECEIPT')!;
    expect(warning).toBeDefined();
    const revokedAt = Date.parse(warning.revokedAt!);
    expect(revokedAt).toBeGreaterThan(signedAt);
    expect(revokedAt).toBeGreaterThanOrEqual(revokedBetween[0]);
    expect(revokedAt).toBeLessThanOrEqual(Math.min(revokedBetween[1], verdict.receivedAt));
    expect(Date.parse(verdict.revocationChecks[0]!.revokedAt!)).toBe(revokedAt);
    expect(warning.zh).toMatch(new RegExp(`^证书在签名后、中心收到前被吊销，请核实签名时间（证书 ${late.serial} 吊销于 ${warning.revokedAt}；签名时间 ${new Date(signedAt).toISOString()}；中心收到于 `, 'i'));
    expect(warning.en).toMatch(/^the certificate was revoked after the signing time but before the central received it: check the signing time \(certificate [0-9a-f]+ revoked /i);
    expect(body.tally).toEqual({ valid: 1, invalid: 0 });

    const text = await run(['signatures', '--trust', full, '--project', 'GC-05', '--data', data]);
    expect(text.code).toBe(0);
    expect(text.out).not.toContain('无效原因 / why invalid');
    expect(text.out).toContain(`\n注意 / note:\n  ${dev.l} #1 承诺书 commitment\n    [REVOKED_BEFORE_RECEIPT] 证书在签名后、中心收到前被吊销，请核实签名时间（`);
    expect(text.out).toContain('                             the certificate was revoked after the signing time but before the central received it');

    // Signed after the revocation: refused, and the CRL that refused it counts as used.
    const after = await report(full, ['--project', 'GC-06']);
    expect(after.code).toBe(1);
    expect(after.by(dev.l, 2)).toMatchObject({ valid: false, revocation: null, problems: [expect.objectContaining({ code: 'CERT_REVOKED' })] });
    expect(after.by(dev.l, 2).revocationChecks).toEqual([expect.objectContaining({ status: 'revoked', crl: expect.stringMatching(/sub\.crl$/) })]);
    expect(after.body.trust.crls).toEqual([expect.objectContaining({ source: expect.stringMatching(/sub\.crl$/), verifications: 1 })]);

    // Without the issuing CA's CRL nothing is known of the revocation: no note.
    const bare = await report(folder('trust-receipt-bare', { 'root.pem': root.certPem }), ['--project', 'GC-05']);
    expect(bare.by(dev.l, 1).warnings.map((w) => w.code)).toEqual(['NO_ROSTER']);
  });

  it('reports the CRLs and CAs the verifications used, the issuing CA that came inside the CMS included', async () => {
    // Only the root in the folder: the issuing CA, on every path, has no CRL either.
    const bare = await report(folder('trust-paths-bare', { 'root.pem': root.certPem }));
    expect(bare.body.trust.crls).toEqual([]);
    expect(bare.body.trust.withoutCrl).toEqual([expect.stringContaining('CN=Kawei Signatures Issuing CA'), expect.stringContaining('CN=Kawei Signatures Root')]);
    const bareText = await run(['signatures', '--trust', join(dir, 'trust-paths-bare'), '--data', data]);
    expect(bareText.out).toContain('核验路径上无 CRL 的 CA 2 个');
    expect(bareText.out).toContain('CRLs used by the verifications: 0; CAs on verified paths without a CRL: 2 ');

    // The issuing CA's CRL beside the root: used (not "not used"), and an unrelated CA's CRL still reported.
    const withSub = folder('trust-paths-sub', { 'root.pem': root.certPem, 'sub.crl': crls.sub.der, 'other.crl': crls.other.der });
    const { body, err } = await report(withSub);
    expect(body.trust.crls).toEqual([
      {
        source: join(withSub, 'sub.crl'),
        issuer: expect.stringContaining('CN=Kawei Signatures Issuing CA'),
        thisUpdate: expect.any(String),
        nextUpdate: expect.any(String),
        crlNumber: '1',
        revoked: 1,
        stale: false,
        // G's four events, L's two (the revoked one included)
        verifications: 6,
      },
    ]);
    expect(body.trust.withoutCrl).toEqual([expect.stringContaining('CN=Kawei Signatures Root')]);
    expect(body.trust.crlProblems).toEqual([{ source: join(withSub, 'other.crl'), reason: expect.stringContaining('Kawei Unrelated CA') }]);
    expect(err).toContain(`吊销列表未采用 / CRL not used: ${join(withSub, 'other.crl')}: `);
    expect(err).not.toContain('sub.crl');
    const text = await run(['signatures', '--trust', withSub, '--data', data]);
    expect(text.out).toContain('核验用到的吊销列表（CRL）1 份；核验路径上无 CRL 的 CA 1 个，其所签证书吊销状态未知\n');
    expect(text.out).toContain('CRLs used by the verifications: 1; CAs on verified paths without a CRL: 1 (revocation of their certificates unknown)\n');
  });

  it('compares each event with the roster the central sent that booth for that day: an altered expert id is ROSTER_MISMATCH; no roster is a NO_ROSTER note', async () => {
    const trust = folder('trust-roster', { 'root.pem': root.certPem, 'root.crl': crls.root.der, 'sub.crl': crls.sub.der });
    const { code, by } = await report(trust);
    expect(code).toBe(1);
    // As seated: no problem, no note.
    expect(by(dev.g, 1)).toMatchObject({ valid: true, expert: G.expert, problems: [], warnings: [] });
    expect(by(dev.g, 2)).toMatchObject({ valid: true, kind: 'score-sheet', problems: [], warnings: [] });
    // A genuine signature, but the letter now names another expert id than the roster: refused.
    expect(by(dev.g, 3)).toMatchObject({ valid: false, expert: X.expert, signer: { verified: true } });
    expect(by(dev.g, 3).problems).toEqual([
      {
        code: 'ROSTER_MISMATCH',
        zh: '与中心下发给该卡位的当日名单不符（字段：expert）',
        en: 'does not match the roster the central sent this booth for that day (fields: expert)',
      },
    ]);
    // Day 2's roster seats the booth on GC-07; the sheet is of GC-01.
    expect(by(dev.g, 4).problems.map((p) => [p.code, p.en])).toEqual([['ROSTER_MISMATCH', 'does not match the roster the central sent this booth for that day (fields: project)']]);
    // room-3-A2 got no roster: cannot cross-check, a note only.
    expect(by(dev.l, 1).warnings.map((w) => w.code)).toEqual(['REVOKED_BEFORE_RECEIPT', 'NO_ROSTER']);

    const text = await run(['signatures', '--trust', trust, '--data', data]);
    expect(text.out).toContain(`  ${dev.g} #3 承诺书 commitment\n    [ROSTER_MISMATCH] 与中心下发给该卡位的当日名单不符（字段：expert）\n`);
    expect(text.out).toMatch(new RegExp(`\\n  ${dev.l} #1 承诺书 commitment\\n    \\[REVOKED_BEFORE_RECEIPT\\] .*\\n.*\\n    \\[NO_ROSTER\\] `));
    // The expert ids stay out of the text.
    for (const id of [G.expert, X.expert, L.expert]) expect(text.out).not.toContain(id);
  });
});

describe('kawei-central signatures: bad input', () => {
  it('exits 2 with Chinese, then English, for a missing, empty or unreadable trust folder, a bad date and a missing store', async () => {
    const root = tempDir();
    const data = join(root, 'central');
    mkdirSync(data);
    await (await openDemoStore(data)).close();
    const empty = join(root, 'empty');
    mkdirSync(empty);
    const bad = join(root, 'bad');
    mkdirSync(bad);
    writeFileSync(join(bad, 'ca.pem'), 'not a certificate\n');
    const cases: [string[], RegExp][] = [
      [['signatures', '--data', data], /^错误：请用 --trust 指定.*\nerror: name the central's folder of trusted CA certificates with --trust DIR\n/],
      [['signatures', '--trust', join(root, 'nowhere'), '--data', data], /^错误：受信任 CA 证书目录不存在：.*nowhere\nerror: no such folder of trusted CA certificates: .*nowhere\n/],
      [['signatures', '--trust', empty, '--data', data], /^错误：无法使用受信任 CA 证书目录：未配置受信任的 CA 证书.*\nerror: cannot use the folder of trusted CA certificates: no trusted CA certificates are configured/],
      [['signatures', '--trust', bad, '--data', data], /^错误：无法使用受信任 CA 证书目录：受信任 CA 证书文件无法读取.*ca\.pem.*\nerror: cannot use the folder of trusted CA certificates: a trusted CA certificate file could not be read/],
      [['signatures', '--trust', bad, '--date', '2026-13-45', '--data', data], /^错误：--date 应为 YYYY-MM-DD 格式的日期：2026-13-45\nerror: --date must be a date as YYYY-MM-DD: 2026-13-45\n/],
      [['signatures', '--trust', bad, '--date', '23.11.2026', '--data', data], /^错误：--date 应为.*\nerror: --date must be a date/],
      [['signatures', '--trust', bad, '--project', '', '--data', data], /^错误：--project 不能为空\nerror: --project must not be empty\n/],
      [['signatures', '--trust', bad, '--device', 'x', '--data', data], /^错误：signatures 的参数有误：.*\nerror: bad arguments for signatures: /],
    ];
    for (const [args, expected] of cases) {
      const result = await run(args);
      expect([args, result.code, result.err]).toEqual([args, 2, expect.stringMatching(expected)]);
      expect(result.out).toBe('');
    }

    // A real CA certificate, but no central database where --data points: refused, nothing created.
    const trust = join(root, 'trust');
    mkdirSync(trust);
    writeFileSync(join(trust, 'ca.pem'), (await makeTestCa('Kawei Test CA 1')).pem);
    const missing = await run(['signatures', '--trust', trust, '--data', join(root, 'no-central')]);
    expect([missing.code, missing.err]).toEqual([2, expect.stringMatching(/^错误：中心数据库不存在：.*no-central\/central\.sqlite（请检查 --data）\nerror: no central database at /)]);
  });

  it('reports an event it cannot read as invalid, even under a filter it cannot apply, and never crashes on it', async () => {
    const root = tempDir();
    const data = join(root, 'central');
    mkdirSync(data);
    const trust = join(root, 'trust');
    mkdirSync(trust);
    writeFileSync(join(trust, 'ca.pem'), (await makeTestCa('Kawei Test CA 1')).pem);
    const store = await openDemoStore(data);
    let device: string;
    try {
      device = await boothWithEvents(store, 'room-3-B2', [
        { type: SCORES_SUBMITTED_EVENT, payload: {} },
        { type: COMMITMENT_SIGNED_EVENT, payload: { date: D1, project: 'GC-01', document: { content: '{not json' }, cms: 'AAAA' } },
        { type: SCORES_SUBMITTED_EVENT, payload: { date: D2, project: 'GC-01', sheet: [1, 2] } },
      ]);
    } finally {
      await store.close();
    }
    const { code, out } = await run(['signatures', '--trust', trust, '--project', 'GC-01', '--date', D1, '--data', data, '--json']);
    expect(code).toBe(1);
    const { submissions, tally } = JSON.parse(out) as { submissions: SubmissionVerdict[]; tally: unknown };
    // #1 has neither date nor project to filter on, so it is shown; #3 is another day.
    expect(submissions.map((s) => [s.seq, s.valid, s.problems.map((p) => p.code)])).toEqual([
      [1, false, ['PAYLOAD_INVALID']],
      [2, false, ['PAYLOAD_INVALID']],
    ]);
    expect(submissions.every((s) => s.device === device)).toBe(true);
    expect(tally).toEqual({ valid: 0, invalid: 2 });
    const text = await run(['signatures', '--trust', trust, '--data', data]);
    expect([text.code, text.err]).toEqual([1, '']);
    expect(text.out).toContain('[PAYLOAD_INVALID] 事件内容不符合格式');
    expect(text.out.endsWith('有效 0 / 无效 3\nvalid 0 / invalid 3\n')).toBe(true);
  });
});
