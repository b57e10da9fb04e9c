import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { privateKeyFromPkcs8 } from '@kawei/shared/crypto/ed25519.node.ts';
import { REVIEW_EVENTS } from '@kawei/shared/committee/committee-events.ts';
import { REPORT_BOOTH_EVENTS, SUPERVISOR_FIELD } from '@kawei/shared/report/report-events.ts';
import { createTestToken, makeTestCa, type TestCa } from '../../scripts/lib/softhsm-token.node.ts';
import * as x509 from '@peculiar/x509';
import { createPrivateKey, webcrypto } from 'node:crypto';
import { DISSENT_DOCUMENT_KIND } from '@kawei/shared/report/report-events.ts';
import { signCanonicalJson } from '@kawei/shared/signing/canonical-signing.ts';
import { softwareSigner } from '@kawei/shared/signing/software-signer.node.ts';
import { trustListFromCertificates, type TrustList } from '@kawei/shared/signing/trust-list.ts';
import { evaluationRulesSchema } from '@kawei/shared/committee/evaluation-rules.ts';
import { createCommitteeService, type CentralCommitteeService } from '../src/committee/committee-service.node.ts';
import { createReportService } from '../src/report/report-service.node.ts';
import { loadOrCreateCentreSeal } from '../src/report/centre-seal.node.ts';
import { openCommitteeFromStore } from '../src/committee/open-committee.node.ts';
import { runCli as runCliInProcess } from '../src/cli/run-cli.node.ts';
import { writeReportMaterial } from '../src/report/report-material.node.ts';
import type { reportStatusJson } from '../src/cli/report-text.ts';
import type { SqliteCentralStore } from '../src/storage/sqlite-central-store.node.ts';
import { openDemoStore } from './store-fixtures.ts';
import { CLI_ENTRY, REPO_ROOT, runCli, type Finished } from './cli-process.ts';
import { useTempDir } from './temp-dir.ts';
import { BIDS, COMPREHENSIVE, DATE, PROJECT, scoresFor, sheetPayload, withRules } from './committee/committee-fixtures.ts';
import { codenameOf, enrolBooths, ROOM_3_BOOTHS, seatedDraw, type EnrolledBooth } from './committee/seated-committee.node.ts';

/**
 * `kawei-central report`: its arguments (exit 2 with what is wrong, in both languages, before any
 * database is touched), a project without a committee or a report, and the whole path on a real
 * store — a committee of three driven to confirmed results, then `report render`, `status`,
 * `close-dissent`, `export` — with the real report service (central/src/report/).
 */
const tempDir = useTempDir();

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCliInProcess(args, { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } });
  return { code, stdout, stderr };
}

type StatusJson = ReturnType<typeof reportStatusJson>;

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('kawei-central report: arguments', () => {
  it('refuses what is missing or wrong with exit 2 and says what, in Chinese and English', async () => {
    const data = tempDir();
    const cases: [string[], RegExp][] = [
      [['report'], /report 需要参数 render\|status\|verify\|sign\|close-dissent\|record-unsigned\|export/],
      [['report', 'publish', '--project', 'P'], /子命令须为 render.*收到：publish[\s\S]*report takes render, status, verify, sign, close-dissent or export, not: publish/],
      [['report', 'status'], /请指定 --project 项目编号[\s\S]*give --project CODE/],
      [['report', 'status', '--project', 'P', '--date', '7 Dec'], /--date must be YYYY-MM-DD: 7 Dec/],
      [['report', 'verify', '--project', 'P'], /report verify 需要 --trust 目录[\s\S]*report verify needs --trust DIR/],
      [['report', 'verify', '--project', 'P', '--trust', join(data, 'nowhere')], /the trust folder does not exist/],
      [['report', 'sign', '--project', 'P', '--trust', data, '--slot', '0', '--name', '监标人甲'], /report sign needs --slot SLOT, --pin-file FILE and --name SUPERVISOR/],
      [['report', 'sign', '--project', 'P', '--trust', data, '--slot', '0', '--name', '甲', '--pin-file', join(data, 'no-pin')], /cannot read the PIN file/],
      [['report', 'sign', '--project', 'P', '--trust', data, '--slot', '0', '--name', '甲', '--pin', '1234'], /Unknown option '--pin'/],
      [['report', 'close-dissent', '--project', 'P', '--operator', 'op'], /report close-dissent needs --operator NAME and --why TEXT/],
      [['report', 'export', '--project', 'P'], /report export needs --out DIR/],
      [['report', 'render', '--project', 'P', '--supervision-cert', join(data, 'key.pem')], /holds no CERTIFICATE/],
      [['report', 'render', '--project', 'P', '--supervision-cert', join(data, 'nothing.pem')], /cannot read the file/],
      [['report', 'status', '--project', 'P', 'extra'], /report 需要参数|report needs/],
    ];
    writeFileSync(join(data, 'key.pem'), '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n');
    for (const [args, message] of cases) {
      const run = await cli([...args, '--data', data]);
      expect([args.join(' '), run.code], run.stderr).toEqual([args.join(' '), 2]);
      expect(run.stderr, args.join(' ')).toMatch(message);
    }
    // An empty PIN file, and an export folder that already holds something.
    writeFileSync(join(data, 'pin'), '\n');
    const emptyPin = await cli(['report', 'sign', '--project', 'P', '--trust', data, '--slot', '0', '--name', '甲', '--pin-file', join(data, 'pin'), '--data', data]);
    expect([emptyPin.code, emptyPin.stderr]).toEqual([2, expect.stringMatching(/the PIN file .* is empty/)]);
    const full = join(data, 'full');
    mkdirSync(full);
    writeFileSync(join(full, 'x'), 'x');
    const notEmpty = await cli(['report', 'export', '--project', 'P', '--out', full, '--data', data]);
    expect([notEmpty.code, notEmpty.stderr]).toEqual([2, expect.stringMatching(/exists and is not empty/)]);
    // None of them made a database.
    expect(existsSync(join(data, 'central.sqlite'))).toBe(false);
  });

  it('as its own process: a project without a committee is a clear message and exit 2', async () => {
    const data = tempDir();
    expect((await cli(['seed-demo', '--data', data])).code).toBe(0);
    const run = await runCli(['report', 'status', '--project', 'NO-SUCH', '--data', data]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('项目 NO-SUCH 没有评标委员会');
    expect(run.stderr).toContain('project NO-SUCH has no committee');
    const dated = await cli(['report', 'status', '--project', 'NO-SUCH', '--date', '2026-12-07', '--data', data]);
    expect([dated.code, dated.stderr]).toEqual([2, expect.stringContaining('project NO-SUCH has no committee on 2026-12-07')]);
   }, 60_000);
});

// ── a committee at confirmed results, on a real store ─────────────────────────────────────────────

const BOOTHS = ROOM_3_BOOTHS.slice(0, 3);

const stores: SqliteCentralStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});

/** Three booths score, the centre names the chair and confirms: the committee is final; `confirm` false stops at the results. The report's material is published. */
interface AtResults {
  data: string;
  store: SqliteCentralStore;
  booths: EnrolledBooth[];
  /** The committee service; with `pipeline`, it judges report events and advances the report as `serve`'s does (no trust list: refusals need none). */
  committee: CentralCommitteeService;
}

async function committeeAtResults(options: { confirm: boolean; pipeline?: boolean; trust?: TrustList }): Promise<AtResults> {
  const data = tempDir();
  const store = await openDemoStore(data);
  stores.push(store);
  const booths = await enrolBooths(store, BOOTHS, 'REPT');
  const identity = await store.getCentralIdentity();
  const deps = { store, privateKey: privateKeyFromPkcs8(identity.privateKeyPkcs8), centralId: identity.centralId, now: Date.now };
  const rules = evaluationRulesSchema.parse(withRules(COMPREHENSIVE, { preliminary: [] }, { chair: 'centre' }));
  await openCommitteeFromStore(deps, { result: seatedDraw(BOOTHS, []), project: PROJECT, rules, bids: BIDS, blind: true });
  const report = createReportService({ ...deps, dataDir: data, trustList: () => options.trust ?? null, seal: () => loadOrCreateCentreSeal(join(data, 'seal'), '示例市公共资源交易中心') });
  const committee = createCommitteeService(options.pipeline === true ? { ...deps, report } : deps);
  let state = await committee.act(DATE, PROJECT, { kind: 'name_chair', codename: 'K01', operator: 'op', why: 'test' });
  for (const [i, booth] of booths.entries()) {
    const events = booth.chain.append(1, () => ({ type: REVIEW_EVENTS.scoresSubmitted, payload: sheetPayload(state.opened, codenameOf(i), scoresFor(state.passed, i)) as never }));
    expect(await store.ingestBatch({ deviceId: booth.device.deviceId, events, receivedAt: Date.now(), clockSkewMs: 0 })).toMatchObject({ kind: 'stored' });
    await committee.onBoothEvents(booth.device.deviceId, events);
    await committee.idle();
  }
  state = (await committee.state(DATE, PROJECT))!;
  expect(state.stage).toBe('results');
  writeReportMaterial(data, DATE, PROJECT, {
    title: '示例市第一中学教学楼改扩建工程',
    category: 'engineering',
    blind: true,
    centreName: '示例市公共资源交易中心',
    bidders: BIDS.map((b, i) => ({ code: b.code, name: `示例投标人${i + 1}有限公司` })),
  });
  if (options.confirm) {
    state = await committee.act(DATE, PROJECT, { kind: 'confirm_results', resultsSha256: state.resultsSha256!, operator: 'op', why: 'test' });
    expect(state.stage).toBe('final');
    await committee.idle();
  }
  return { data, store, booths, committee };
}

describe('kawei-central report on a committee', () => {
  it('before the results are confirmed: status says the report has not begun; render and export refuse', async () => {
    const { data } = await committeeAtResults({ confirm: false });
    const status = await cli(['report', 'status', '--project', PROJECT, '--data', data]);
    expect([status.code, status.stderr]).toEqual([0, '']);
    expect(status.stdout).toContain('评标报告尚未开始');
    expect(status.stdout).toContain("the report has not begun: the committee's results are not confirmed yet");
    const json = await cli(['report', 'status', '--project', PROJECT, '--json', '--data', data]);
    expect(JSON.parse(json.stdout)).toMatchObject({ date: DATE, project: PROJECT, committeeStage: 'results', stage: null, draft: null, members: [{ judge: 1, codename: 'K01', dissent: 'pending' }, {}, {}] });
    const render = await cli(['report', 'render', '--project', PROJECT, '--data', data]);
    expect([render.code, render.stderr]).toEqual([1, expect.stringContaining('REPORT_NOT_READY')]);
    const exported = await cli(['report', 'export', '--project', PROJECT, '--out', join(data, 'out'), '--data', data]);
    expect(exported.code).toBe(1);
  });

  it('renders the draft, shows who has answered, closes the window into the final PDF, and exports what it has', async () => {
    const { data, store } = await committeeAtResults({ confirm: true });
    const before = await cli(['report', 'status', '--project', PROJECT, '--json', '--data', data]);
    expect(JSON.parse(before.stdout)).toMatchObject({ committeeStage: 'final', stage: null });

    const render = await cli(['report', 'render', '--project', PROJECT, '--data', data]);
    expect([render.code, render.stderr], render.stdout).toEqual([0, '']);
    expect(render.stdout).toContain('已生成应生成的内容');
    const status = await cli(['report', 'status', '--project', PROJECT, '--json', '--data', data]);
    expect(status.code).toBe(0);
    const s = JSON.parse(status.stdout) as StatusJson;
    expect(s).toMatchObject({ stage: 'dissent', final: null, turn: null, members: [{ judge: 1, codename: 'K01', dissent: 'pending', signature: 'pending' }, { judge: 2 }, { judge: 3 }] });
    expect(s.draft!.sha256).toMatch(/^[0-9a-f]{64}$/);
    // What render printed is the hash the ledger names, and the store holds those bytes.
    expect(render.stdout).toContain(s.draft!.sha256);
    const draft = await store.getReportFile(s.draft!.sha256);
    expect(draft).toMatchObject({ kind: 'draft', date: DATE, project: PROJECT });
    expect(sha(draft!.bytes)).toBe(s.draft!.sha256);
    // Code names only: no expert id in what the operator sees.
    expect(status.stdout).not.toContain('expert-0');

    const again = await cli(['report', 'render', '--project', PROJECT, '--data', data]);
    expect([again.code, again.stdout]).toEqual([0, expect.stringContaining('没有需要生成的内容')]);
    const text = await cli(['report', 'status', '--project', PROJECT, '--data', data]);
    for (const shown of ['征询保留意见 / dissent window', '评委1', 'K03', '未答复 no answer yet', s.draft!.sha256]) expect(text.stdout).toContain(shown);

    const closed = await cli(['report', 'close-dissent', '--project', PROJECT, '--operator', '张工', '--why', '征询期已过 / the window is over', '--data', data]);
    expect([closed.code, closed.stderr], closed.stdout).toEqual([0, '']);
    const after = JSON.parse((await cli(['report', 'status', '--project', PROJECT, '--json', '--data', data])).stdout) as StatusJson;
    expect(after).toMatchObject({ stage: 'signing', turn: 'K01', dissentClosed: { operator: '张工' }, members: [{ dissent: 'closed', turn: true }, { dissent: 'closed', turn: false }, {}] });
    expect(after.final!.sha256).not.toBe(s.draft!.sha256);
    expect(after.head!.sha256).toBe(after.final!.sha256);
    const twice = await cli(['report', 'close-dissent', '--project', PROJECT, '--operator', '张工', '--why', 'again', '--data', data]);
    expect([twice.code, twice.stderr]).toEqual([1, expect.stringContaining('DISSENT_CLOSED')]);

    const out = join(tempDir(), 'export');
    const exported = await cli(['report', 'export', '--project', PROJECT, '--out', out, '--json', '--data', data]);
    expect([exported.code, exported.stderr]).toEqual([0, expect.any(String)]);
    const names = readdirSync(out).sort();
    expect(names).toEqual(expect.arrayContaining(['report.pdf', 'SHA256SUMS', 'VERIFY.txt']));
    expect(sha(readFileSync(join(out, 'report.pdf')))).toBe(after.head!.sha256);
    // SHA256SUMS checks with the standard tool; VERIFY.txt says how, in both languages.
    expect(execFileSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: out, encoding: 'utf8' })).toContain('report.pdf: OK');
    const verifyTxt = readFileSync(join(out, 'VERIFY.txt'), 'utf8');
    expect(verifyTxt).toContain('pdfsig report.pdf');
    expect(verifyTxt).toContain('无需 Kawei');
    expect(verifyTxt).toContain('without Kawei');
    expect(statSync(join(out, 'report.pdf')).mode & 0o777).toBe(0o644);
    // The identity annex is made with the final PDF; no supervision certificate was given: exported in clear, with a warning, owner-only.
    expect(exported.stderr).toContain('identity annex is not encrypted');
    expect(statSync(join(out, 'annex-identities.pdf')).mode & 0o777).toBe(0o600);
    expect(names).toEqual(expect.arrayContaining(['annex-identities.pdf.p7s', 'seal-ca.pem']));
    const listed = JSON.parse(exported.stdout) as { files: { name: string; sha256: string }[] };
    expect(listed.files.find((f) => f.name === 'report.pdf')?.sha256).toBe(after.head!.sha256);
   }, 60_000);

  it('a signed dissent, members refuse, the supervisor signs with a PKCS#11 token (PIN from a file); verify agrees with pdfsig; a changed byte fails; the export verifies with openssl', async () => {
    const expertCa = await makeTestCa('Kawei Expert CA');
    const { data, store, booths, committee } = await committeeAtResults({ confirm: true, pipeline: true, trust: trustListFromCertificates([expertCa.der]) });
    const status = async () => JSON.parse((await cli(['report', 'status', '--project', PROJECT, '--json', '--data', data])).stdout) as StatusJson;
    // The pipeline rendered the draft on confirmation; K02 enters a dissent signed with its key; the centre closes the window.
    const draft = (await status()).draft!.sha256;
    const k02 = booths[1]!;
    const document = { kind: DISSENT_DOCUMENT_KIND, version: 1, date: DATE, project: PROJECT, codename: k02.codename, draftSha256: draft, text: '对投标人B的技术评分持保留意见。' };
    const signer = await expertSigner(expertCa, k02.codename);
    const signedDissent = await signCanonicalJson('report-dissent', document, signer, { trustList: trustListFromCertificates([expertCa.der]) });
    const dissentEvents = k02.chain.append(1, () => ({
      type: REPORT_BOOTH_EVENTS.dissent,
      payload: { date: DATE, project: PROJECT, codename: k02.codename, draftSha256: draft, dissent: { document, signed: signedDissent } } as never,
    }));
    await store.ingestBatch({ deviceId: k02.device.deviceId, events: dissentEvents, receivedAt: Date.now(), clockSkewMs: 0 });
    await committee.onBoothEvents(k02.device.deviceId, dissentEvents);
    await committee.idle();
    expect((await status()).members.map((m) => m.dissent)).toEqual(['pending', 'dissent', 'pending']);
    const supervision = tempDir();
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(supervision, 'supervisor-key.pem'), '-out', join(supervision, 'supervisor-cert.pem'), '-days', '30', '-subj', '/CN=Supervisor'], { stdio: 'pipe' });
    // The expert registry gives the identity annex its names (the report itself never has them).
    const registry = tempDir();
    const seated = (await committee.state(DATE, PROJECT))!.members.map((m, i) => ({ id: m.expert, name: `专家${'甲乙丙'[i]}` }));
    writeFileSync(join(registry, 'experts.json'), JSON.stringify(seated));
    const closing = await cli(['report', 'close-dissent', '--project', PROJECT, '--operator', 'op', '--why', 'test', '--supervision-cert', join(supervision, 'supervisor-cert.pem'), '--experts', registry, '--data', data]);
    expect([closing.code, closing.stderr]).toEqual([0, '']);
    const final = (await status()).final!.sha256;
    // The first member is away: the centre records that K01 did not sign, and the turn moves on.
    expect((await cli(['report', 'record-unsigned', '--project', PROJECT, '--operator', 'op', '--why', '评委缺席 / absent', '--data', data])).code).toBe(2);
    const away = await cli(['report', 'record-unsigned', '--project', PROJECT, '--codename', booths[0]!.codename, '--operator', 'op', '--why', '评委缺席 / absent', '--data', data]);
    expect([away.code, away.stderr]).toEqual([0, '']);
    expect((await status()).members[0]).toMatchObject({ signature: 'refused', refusal: '评委缺席 / absent', recordedBy: 'op' });
    expect((await cli(['report', 'record-unsigned', '--project', PROJECT, '--codename', booths[0]!.codename, '--operator', 'op', '--why', 'again', '--data', data])).code).toBe(1);
    for (const booth of booths.slice(1)) {
      const events = booth.chain.append(1, () => ({ type: REPORT_BOOTH_EVENTS.signRefused, payload: { date: DATE, project: PROJECT, codename: booth.codename, headSha256: final, reason: '测试拒签 / refused in a test' } }));
      await store.ingestBatch({ deviceId: booth.device.deviceId, events, receivedAt: Date.now(), clockSkewMs: 0 });
      await committee.onBoothEvents(booth.device.deviceId, events);
      await committee.idle();
    }
    const waiting = await status();
    expect(waiting).toMatchObject({ stage: 'supervisor', turn: null, members: [{ signature: 'refused', refusal: '评委缺席 / absent' }, { signature: 'refused', refusal: '测试拒签 / refused in a test', recordedBy: null }, { signature: 'refused' }] });

    const token = await createTestToken({ dir: tempDir(), keyType: 'ec', codeName: '监标人甲', cas: 1 });
    const pinFile = join(token.dir, 'pin');
    writeFileSync(pinFile, `${token.pin}\n`, { mode: 0o600 });
    const sign = (pin: string) => {
      writeFileSync(pinFile, `${pin}\n`);
      return spawnCli(['report', 'sign', '--project', PROJECT, '--trust', token.trustDir, '--module', token.modulePath, '--slot', token.slot, '--pin-file', pinFile, '--name', '监标人甲', '--data', data], token.env);
    };
    const wrongPin = await sign('999999');
    expect([wrongPin.code, wrongPin.stderr]).toEqual([1, expect.stringMatching(/无法使用监标人的签名密钥[\s\S]*cannot use the supervisor's signing key/)]);
    const signed = await sign(token.pin);
    expect([signed.code, signed.stderr], signed.stdout).toEqual([0, '']);
    expect(signed.stdout).toContain('监标人 监标人甲 已签名');
    const done = await status();
    expect(done.stage).toBe('signed');
    expect(done.signatures).toEqual([expect.objectContaining({ role: 'supervisor', fieldName: SUPERVISOR_FIELD, signerName: '监标人甲', headBefore: final })]);
    expect(done.annexes.map((a) => a.kind).sort()).toEqual(['identities', 'unblinding']);

    // verify: the record, its one signature and the dissent, against the experts' and the supervisor's CAs; a stranger's trust list fails it.
    const trustDir = join(tempDir(), 'trust');
    mkdirSync(trustDir);
    writeFileSync(join(trustDir, 'experts-ca.pem'), expertCa.pem);
    for (const name of readdirSync(token.trustDir)) writeFileSync(join(trustDir, name), readFileSync(join(token.trustDir, name)));
    const onlySupervisor = await cli(['report', 'verify', '--project', PROJECT, '--trust', token.trustDir, '--data', data]);
    expect([onlySupervisor.code, onlySupervisor.stdout]).toEqual([1, expect.stringContaining("K02's dissent signature is invalid")]);
    const verified = await cli(['report', 'verify', '--project', PROJECT, '--trust', trustDir, '--json', '--data', data]);
    expect(verified.code, verified.stdout).toBe(0);
    const v = JSON.parse(verified.stdout) as { ok: boolean; signatures: { ok: boolean }[]; dissents: { codename: string; ok: boolean }[] };
    expect(v.ok).toBe(true);
    expect(v.signatures.map((x) => x.ok)).toEqual([true]);
    expect(v.dissents).toEqual([{ codename: 'K02', ok: true }]);
    // The report's entries share the committee's ledger: the committee's own verification still passes.
    const committeeVerified = await cli(['results', 'verify', '--project', PROJECT, '--data', data]);
    expect(committeeVerified.code, committeeVerified.stdout + committeeVerified.stderr).toBe(0);
    const stranger = await createTestToken({ dir: tempDir(), cas: 1 });
    expect((await cli(['report', 'verify', '--project', PROJECT, '--trust', stranger.trustDir, '--data', data])).code).toBe(1);

    const out = join(tempDir(), 'export');
    const exported = await cli(['report', 'export', '--project', PROJECT, '--out', out, '--data', data]);
    expect(exported.code, exported.stderr).toBe(0);
    // The identity annex was sealed for the supervisor: only its envelope is exported.
    expect(exported.stderr).toBe('');
    expect(existsSync(join(out, 'annex-identities.pdf'))).toBe(false);
    expect(readdirSync(out)).toEqual(expect.arrayContaining(['annex-identities.pdf.p7m', 'annex-identities.pdf.p7s', 'annex-unblinding.pdf', 'annex-unblinding.pdf.p7s', 'seal-ca.pem']));
    const pdf = new Uint8Array(readFileSync(join(out, 'report.pdf')));
    expect(sha(pdf)).toBe(done.head!.sha256);
    const pdfsig = execFileSync('pdfsig', [join(out, 'report.pdf')], { encoding: 'utf8' });
    expect(pdfsig).toContain('Signature #1');
    expect(pdfsig).toContain('Signature is Valid');
    expect(pdfsig).not.toContain('Signature #2');
    const withPdf = await cli(['report', 'verify', '--project', PROJECT, '--trust', trustDir, '--pdf', join(out, 'report.pdf'), '--data', data]);
    expect([withPdf.code, withPdf.stdout]).toEqual([0, expect.stringContaining('核验通过')]);

    // One byte changed in the middle: pdfsig says so, and verify --pdf exits 1.
    const tampered = join(out, '..', 'tampered.pdf');
    const copy = Buffer.from(pdf);
    const at = Math.floor(copy.length / 3);
    copy[at] = copy[at]! ^ 0x01;
    writeFileSync(tampered, copy);
    expect(execFileSync('pdfsig', [tampered], { encoding: 'utf8' })).not.toContain('Signature is Valid');
    const bad = await cli(['report', 'verify', '--project', PROJECT, '--trust', trustDir, '--pdf', tampered, '--json', '--data', data]);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout)).toMatchObject({ ok: false, pdf: { named: false, ok: false } });

    // Every openssl command VERIFY.txt gives (two annexes, one dissent) succeeds as written, in the export folder.
    // The supervisor decrypts the identity annex first, with VERIFY.txt's command.
    writeFileSync(join(out, 'experts-ca.pem'), expertCa.pem);
    for (const f of ['supervisor-cert.pem', 'supervisor-key.pem']) writeFileSync(join(out, f), readFileSync(join(supervision, f)));
    const lines = readFileSync(join(out, 'VERIFY.txt'), 'utf8').split('\n').map((l) => l.trim());
    const decrypt = lines.filter((l) => l.startsWith('openssl cms -decrypt'));
    expect(decrypt).toHaveLength(1);
    execFileSync('sh', ['-c', decrypt[0]!], { cwd: out, stdio: 'pipe' });
    expect(sha(readFileSync(join(out, 'annex-identities.pdf')))).toBe(done.annexes.find((a) => a.kind === 'identities')!.pdf.sha256);
    const identities = execFileSync('pdftotext', [join(out, 'annex-identities.pdf'), '-'], { encoding: 'utf8' });
    for (const expert of seated) expect(identities).toContain(expert.name);
    const reportText = execFileSync('pdftotext', [join(out, 'report.pdf'), '-'], { encoding: 'utf8' });
    for (const expert of seated) expect(reportText).not.toContain(expert.name);
    const commands = lines.filter((l) => l.startsWith('openssl cms -verify'));
    expect(commands.length).toBe(3);
    expect(readFileSync(join(out, 'dissent-judge-2-K02.json'), 'utf8')).toBe(signedDissent.content);
    for (const command of commands) execFileSync('sh', ['-c', command], { cwd: out, stdio: 'pipe' });
    expect(execFileSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: out, encoding: 'utf8' })).not.toContain('FAILED');
    // A changed annex fails its command.
    const annex = readFileSync(join(out, 'annex-unblinding.pdf'));
    const middle = Math.floor(annex.length / 2);
    annex[middle] = annex[middle]! ^ 0x01;
    writeFileSync(join(out, 'annex-unblinding.pdf'), annex);
    expect(() => execFileSync('sh', ['-c', commands.find((c) => c.includes('unblinding'))!], { cwd: out, stdio: 'pipe' })).toThrow();
  }, 120_000);
});

/** `kawei-central ARGS` as its own process with extra environment (SOFTHSM2_CONF: the token's slot list is read at C_Initialize). */
function spawnCli(args: string[], env: Record<string, string>): Promise<Finished> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI_ENTRY, ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

/** A software key certified by `ca` (ECDSA P-256), as a member's USB key would be. */
async function expertSigner(ca: TestCa, codename: string) {
  const keys = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair;
  const now = Date.now();
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: '0123456789abcdef',
    subject: `CN=${codename}, O=Kawei Test, C=CN`,
    issuer: ca.certificate.subject,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 86_400_000),
    publicKey: keys.publicKey,
    signingKey: ca.keys.privateKey,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation, true),
      await x509.AuthorityKeyIdentifierExtension.create(ca.certificate),
    ],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  return softwareSigner({ privateKey: createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }), certificate: new Uint8Array(certificate.rawData) });
}
