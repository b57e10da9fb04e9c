import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportView } from '@kawei/shared/contract/booth-report.ts';
import { judgeFieldName, SUPERVISOR_FIELD } from '@kawei/shared/report/report-view.ts';
import { signPdf } from '@kawei/shared/report/pdf-signature.node.ts';
import { loadTrustListFolder } from '@kawei/shared/signing/trust-list.node.ts';
import { MissingToolError, requireTool } from '../support/require-tool.node.ts';
import { scoringOnlyRules, openingBids, bidders } from '../support/committee-rules.node.ts';
import { until, type CommitteeBooth } from '../support/committee-booth.node.ts';
import { startReportStack, type ReportStack } from '../support/report-stack.node.ts';
import { committeeToFinal, report, reportIn, reportStatus, stepEverywhere, storedFile, type Json } from '../support/report-flow.node.ts';
import { flipByte, opensslDecrypt, opensslVerifyDetached, pdfsig, pdftotext, type PdfsigReport } from '../support/report-tools.node.ts';
import { pkcs11ToolSigner } from '../support/report-tokens.node.ts';

/**
 * The evaluation report end to end (issue #14), on real parts (tests/support/report-stack.node.ts):
 * `kawei-central serve --trust DIR --supervision-cert CERT` over TLS, real booth services with face
 * login, and USB keys that are SoftHSM2 tokens of TWO CAs — in P-RPT three RSA keys under CA-A and two
 * ECDSA keys under CA-B. Every check of a PDF or a CMS is made by an independent tool: poppler's
 * `pdfsig` and `pdftotext`, OpenSSL's `cms -verify` and `cms -decrypt`.
 *
 * P-RPT (blind, five members): results confirmed → the draft in every booth → one member's dissent
 * (signed with the PIN), four "no dissent" → the final PDF with the dissent → five signatures in seat
 * order, each checked by pdfsig (all valid, earlier ones "Not total document signed", the last
 * "Total document signed"), the others refused REPORT_NOT_YOUR_TURN, a stale signature refused at the
 * booth (REPORT_CHANGED) and at the central (stale_head) → the supervisor signs last with
 * `kawei-central report sign` → `report verify` agrees with pdfsig, one changed byte fails both → the
 * 揭标 and identity annexes verify with openssl; no expert's real name in the report.
 * P-REF (open, three members): a member refuses to sign with a reason; the record keeps it and the
 * turn moves on.
 */
const P = 'P-RPT';
const Q = 'P-REF';
const P_BIDS = openingBids([1_280_000, 1_315_000, 1_250_000]);
const Q_BIDS = openingBids([900_000, 950_000]);
const ITEMS = 2;
const DISSENT = '本人对投标人B的施工方案得分持保留意见：其进度计划与招标文件工期要求不符，应酌情扣分。';
const REFUSAL = '本人认为评分汇总存在争议，拒绝签名。';

let stack: ReportStack;
let m: CommitteeBooth[]; // P-RPT, in seat order of the draw
let q: CommitteeBooth[];
let work: string;
let trustList: Awaited<ReturnType<typeof loadTrustListFolder>>;

/** pdfsig ships with pdftotext (poppler-utils); requireTool('poppler') probes pdftotext only. */
function requirePdfsig(): void {
  const r = spawnSync('pdfsig', ['-v'], { encoding: 'utf8' });
  if (r.error || !/pdfsig version/.test(`${r.stdout}${r.stderr}`)) {
    throw new MissingToolError('缺少 pdfsig，测试不会跳过 / pdfsig is missing, and tests do not skip: apt-get install -y --no-install-recommends poppler-utils');
  }
}

beforeAll(async () => {
  requireTool('softhsm2', 'openssl', 'poppler');
  requirePdfsig();
  stack = await startReportStack({
    projects: [
      {
        id: P,
        members: 5,
        alternates: 1,
        blind: true,
        rules: scoringOnlyRules(ITEMS),
        bids: P_BIDS,
        keys: [
          { ca: 'A', type: 'rsa' },
          { ca: 'B', type: 'ec' },
          { ca: 'A', type: 'rsa' },
          { ca: 'B', type: 'ec' },
          { ca: 'A', type: 'rsa' },
        ],
      },
      { id: Q, members: 3, alternates: 1, blind: false, category: 'procurement', rules: scoringOnlyRules(ITEMS), bids: Q_BIDS, keys: [{ ca: 'B', type: 'ec' }, { ca: 'A', type: 'rsa' }, { ca: 'B', type: 'ec' }] },
    ],
  });
  m = stack.boothsOf(P);
  q = stack.boothsOf(Q);
  work = join(stack.dir, 'checks');
  mkdirSync(work, { recursive: true });
  trustList = await loadTrustListFolder(stack.trustDir);
}, 240_000);
afterAll(async () => {
  await stack?.stop();
});

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const judgeOf = (view: ReportView, codename: string) => Number(view.report!.members.find((x) => x.codename === codename)!.judge.replace(/\D/g, ''));

/** Every booth's member in turn order (评委1…n). */
function inTurnOrder(booths: readonly CommitteeBooth[], view: ReportView): CommitteeBooth[] {
  return [...booths].sort((a, b) => judgeOf(view, a.codename) - judgeOf(view, b.codename));
}

/** The pdfsig verdict the report must have after `count` signatures (fields in order). */
function expectSigned(check: PdfsigReport, fields: string[]): void {
  expect(check.signatures.map((s) => s.fieldName ?? '?'), check.output).toEqual(fields);
  for (const s of check.signatures) {
    expect(s.valid, `signature #${s.index}: ${s.validation}\n${check.output}`).toBe(true);
    expect(s.subFilter).toBe('ETSI.CAdES.detached');
  }
  expect(check.signatures.slice(0, -1).map((s) => s.total)).toEqual(fields.slice(0, -1).map(() => false));
  expect(check.signatures.at(-1)!.total).toBe(true);
}

/** The seated experts' real names and ids (never in the report). */
const realNames = (project: string) => stack.result.seats.filter((s) => s.project === project).map((s) => stack.expertNames.get(s.expert)!);
const expertIds = (project: string) => stack.result.seats.filter((s) => s.project === project).map((s) => s.expert);

function expectNoIdentities(text: string, project: string): void {
  for (const name of realNames(project)) expect(text).not.toContain(name);
  for (const id of expertIds(project)) expect(text).not.toContain(id);
  expect(text).not.toMatch(/测试专家/);
}

describe('the report of a committee of five with keys of two CAs', { timeout: 180_000 }, () => {
  let draftSha = '';
  let finalSha = '';
  let order: CommitteeBooth[] = [];
  /** Heads after each signature, oldest first (heads[0] = the final PDF). */
  const heads: string[] = [];

  it('both committees reach final results (the committee review, as the booths take it)', async () => {
    await Promise.all([committeeToFinal(stack, P, m, ['A', 'B', 'C'], ITEMS), committeeToFinal(stack, Q, q, ['A', 'B'], ITEMS)]);
  });

  it('the draft reaches every booth (step dissent), the same PDF everywhere: code names, no real name, bidders by code', async () => {
    const views = await stepEverywhere(m, 'dissent');
    draftSha = views[0]!.report!.draft.sha256;
    for (const v of views) {
      expect(v.stage).toBe('dissent');
      expect(v.report!.draft.sha256).toBe(draftSha);
      expect(v.shown).toMatchObject({ sha256: draftSha, kind: 'draft' });
      expect(v.report!.members.map((x) => x.codename).sort()).toEqual(m.map((b) => b.codename).sort());
      expect(v.report!.members.every((x) => x.dissent === 'pending' && x.signature === 'pending')).toBe(true);
    }
    order = inTurnOrder(m, views[0]!);
    const draft = await storedFile(stack, draftSha);
    expect(sha256(draft)).toBe(draftSha);
    const text = pdftotext(work, draft, 'draft.pdf');
    for (const b of m) expect(text).toContain(b.codename);
    for (let j = 1; j <= 5; j++) expect(text).toContain(`评委${j}`);
    expectNoIdentities(text, P);
    for (const name of bidders(3).map((x) => x.name)) expect(text).not.toContain(name); // blind
    expect(text).not.toContain(DISSENT);
  });

  it('one member enters a dissent with the PIN, the others say "no dissent"; the final PDF has the dissent text', async () => {
    const dissenter = order[2]!;
    const stale = await dissenter.refusal('submitDissent', { text: DISSENT, pin: dissenter.key.pin, sha256: '0'.repeat(64) });
    expect(stale.code).toBe('REPORT_CHANGED');
    await dissenter.call('submitDissent', { text: DISSENT, pin: dissenter.key.pin, sha256: draftSha });
    expect(dissenter.events('report.dissent')).toHaveLength(1);
    for (const b of order.filter((x) => x !== dissenter)) await b.call('submitDissent', { text: null, sha256: draftSha });

    const views = await stepEverywhere(m, ['wait_turn', 'sign'], 90_000);
    finalSha = views[0]!.report!.final!.sha256;
    expect(views.every((v) => v.report!.final!.sha256 === finalSha && v.report!.head!.sha256 === finalSha)).toBe(true);
    expect(views.map((v) => v.report!.turn)).toEqual(views.map(() => order[0]!.codename));
    const me = (v: ReportView, codename: string) => v.report!.members.find((x) => x.codename === codename)!;
    expect(me(views[0]!, dissenter.codename).dissent).toBe('dissent');
    expect(order.filter((x) => x !== dissenter).map((b) => me(views[0]!, b.codename).dissent)).toEqual(['none', 'none', 'none', 'none']);

    const final = await storedFile(stack, finalSha);
    const text = pdftotext(work, final, 'final.pdf');
    // pdftotext -layout may break a long line: compare without white space.
    expect(text.replace(/\s+/g, '')).toContain(DISSENT);
    expect(text).toContain(dissenter.codename);
    expectNoIdentities(text, P);
    expect(pdfsig(work, final, 'final-unsigned.pdf').signatures).toEqual([]);
    heads.push(finalSha);

    const status = await reportStatus(stack, P);
    expect(status['stage']).toBe('signing');
    const members = status['members'] as Json[];
    expect(members.map((x) => x['dissent'])).toEqual(order.map((b) => (b === dissenter ? 'dissent' : 'none')));
    expect(members.map((x) => x['codename'])).toEqual(order.map((b) => b.codename));
  });

  it('members sign in seat order; the others are refused REPORT_NOT_YOUR_TURN; after every signature pdfsig finds all valid, only the last total', async () => {
    for (const [k, member] of order.entries()) {
      const judge = k + 1;
      const view = await reportIn(member, 'its turn to sign', (v) => v.step === 'sign' && v.shown?.sha256 === heads[k]);
      expect(view.report!.turn).toBe(member.codename);
      expect(view.report!.fieldName).toBe(judgeFieldName(judge));
      for (const other of order.slice(k + 1)) {
        await reportIn(other, 'the current head', (v) => v.step === 'wait_turn' && v.shown?.sha256 === heads[k]);
        const refused = await other.refusal('signReport', { pin: other.key.pin, sha256: heads[k]! });
        expect(refused.code).toBe('REPORT_NOT_YOUR_TURN');
      }

      if (judge === 2) {
        // A stale signature: on the booth, the head it does not show any more is refused before the key is asked…
        const onBooth = await member.refusal('signReport', { pin: member.key.pin, sha256: heads[0]! });
        expect(onBooth.code).toBe('REPORT_CHANGED');
        // …and at the central: a genuine signature by this member's key over the old head (made outside the booth).
        const old = await storedFile(stack, heads[0]!);
        const signingTime = new Date(Math.floor(Date.now() / 1000) * 1000);
        const signed = await signPdf(old, pkcs11ToolSigner(stack.tokens.get(member.codename)!, work), {
          fieldName: judgeFieldName(judge),
          signerName: member.codename,
          signingTime,
          cms: { trustList, signingTime },
        });
        const seq = await member.forge('report.signed', {
          date: stack.date,
          project: P,
          codename: member.codename,
          headSha256: heads[0]!,
          format: 'pades',
          fieldName: judgeFieldName(judge),
          signingTime: signingTime.toISOString(),
          signerName: member.codename,
          cms: Buffer.from(signed.cms).toString('base64'),
        });
        await member.login();
        expect(member.events('report.signed').map((e) => e.seq)).toContain(seq);
        const refusal = await until(
          'the central to refuse the stale signature',
          () => reportStatus(stack, P),
          (s) => (s['refusals'] as Json[]).some((r) => r['codename'] === member.codename && r['type'] === 'report.signed'),
          30_000,
          300,
        );
        expect((refusal['refusals'] as Json[]).filter((r) => r['codename'] === member.codename)).toEqual([expect.objectContaining({ reason: 'stale_head', type: 'report.signed' })]);
        await reportIn(member, 'its turn again', (v) => v.step === 'sign' && v.shown?.sha256 === heads[k]);
      }

      await member.call('signReport', { pin: member.key.pin, sha256: heads[k]! });
      const after = await reportIn(member, 'its signature taken', (v) => v.report!.head!.sha256 !== heads[k] || v.stage !== 'signing', 60_000);
      const head = after.report!.head!.sha256;
      heads.push(head);
      const pdf = await storedFile(stack, head);
      expect(sha256(pdf)).toBe(head);
      const check = pdfsig(work, pdf, `head-${judge}.pdf`);
      expectSigned(check, Array.from({ length: judge }, (_, i) => judgeFieldName(i + 1)));
      expect(check.signatures.at(-1)!.commonName).toBe(member.codename);
      // the earlier revisions are untouched: the head starts with the previous one's bytes
      const previous = await storedFile(stack, heads[k]!);
      expect(Buffer.from(pdf.subarray(0, previous.length)).equals(Buffer.from(previous))).toBe(true);
    }
    const views = await stepEverywhere(m, 'done');
    expect(views.every((v) => v.stage === 'supervisor')).toBe(true);
    const status = await reportStatus(stack, P);
    expect(status['stage']).toBe('supervisor');
    const sigs = status['signatures'] as Json[];
    expect(sigs.map((s) => s['codename'])).toEqual(order.map((b) => b.codename));
    expect(sigs.map((s) => s['headAfter'])).toEqual(heads.slice(1));
  });

  it('the supervisor signs last with kawei-central report sign (a sixth token, PIN from a file)', async () => {
    const s = stack.supervisor;
    await stack.cli('report', '--project', P, 'sign', '--trust', stack.trustDir, '--supervision-cert', stack.supervision.cert, '--module', s.token.modulePath, '--slot', s.token.slot, '--pin-file', s.pinFile, '--name', s.name, '--operator', 'report-test');
    const status = await until('the signed stage', () => reportStatus(stack, P), (x) => x['stage'] === 'signed', 60_000, 300);
    const head = (status['head'] as Json)['sha256'] as string;
    heads.push(head);
    const check = pdfsig(work, await storedFile(stack, head), 'head-supervisor.pdf');
    expectSigned(check, [...order.map((_, i) => judgeFieldName(i + 1)), SUPERVISOR_FIELD]);
    expect(check.signatures.at(-1)!.commonName).toBe(s.name);
    await stepEverywhere(m, 'signed');
  });

  let exported = '';
  let signedPdf = new Uint8Array();

  it('report verify --trust exits 0 and agrees with pdfsig on the exported PDF: six signatures, all valid', async () => {
    exported = join(stack.dir, 'export');
    await stack.cli('report', '--project', P, 'export', '--out', exported);
    signedPdf = new Uint8Array(readFileSync(join(exported, 'report.pdf')));
    expect(sha256(signedPdf)).toBe(heads.at(-1));
    const check = pdfsig(work, signedPdf, 'exported.pdf');
    expect(check.signatures).toHaveLength(6);
    expect(check.signatures.every((s) => s.valid)).toBe(true);

    const verify = await stack.cliRaw('report', '--project', P, 'verify', '--trust', stack.trustDir, '--json');
    expect(verify.code, verify.stderr + verify.stdout).toBe(0);
    const v = JSON.parse(verify.stdout) as Json;
    expect(v).toMatchObject({ ok: true, stage: 'signed', head: heads.at(-1), problems: [] });
    // the same signatures as pdfsig's, in the same order, each valid, by the same signer
    const signatures = v['signatures'] as Json[];
    expect(signatures.map((s) => s['fieldName'])).toEqual(check.signatures.map((s) => s.fieldName));
    expect(signatures.map((s) => s['ok'])).toEqual(check.signatures.map((s) => s.valid));
    signatures.forEach((s, i) => expect(String(s['subject'])).toContain(`CN=${check.signatures[i]!.commonName}`));
    expect((v['dissents'] as Json[]).every((d) => d['ok'] === true)).toBe(true);
    expect((v['annexes'] as Json[]).map((a) => [a['kind'], a['ok']]).sort()).toEqual([
      ['identities', true],
      ['unblinding', true],
    ]);
  });

  it('one byte changed anywhere in the signed PDF: pdfsig and report verify both fail', async () => {
    const ranges = [...Buffer.from(signedPdf).toString('latin1').matchAll(/\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g)].map((x) => x.slice(1, 5).map(Number) as [number, number, number, number]);
    expect(ranges).toHaveLength(6);
    const revisionEnds = ranges.map((r) => r[2] + r[3]);
    // Places: the header, the middle of the unsigned final PDF, the start of each increment (its
    // objects before the signature's /Contents), a hex digit of the first and of the last CMS (inside
    // the DER, not its zero padding: the padding of the last /Contents is outside every signature by
    // PAdES' design), the last increment's tail (after its /Contents: /M, xref, trailer), the last byte.
    const places = [9, Math.floor(ranges[0]![1] / 2)];
    for (let i = 1; i < revisionEnds.length; i++) places.push(revisionEnds[i - 1]! + 40);
    places.push(ranges[0]![1] + 200, ranges[5]![1] + 200, ranges[5]![2] + 10, signedPdf.length - 1);
    for (const at of places) {
      const tampered = flipByte(signedPdf, at);
      const check = pdfsig(work, tampered, `tampered-${at}.pdf`);
      const allValid = check.signatures.length === 6 && check.signatures.every((s) => s.valid);
      expect(allValid, `pdfsig still finds every signature valid with byte ${at} changed:\n${check.output}`).toBe(false);
      const verify = await verifyFile(tampered, `tampered-${at}.pdf`);
      expect(verify.code, `report verify accepted byte ${at} changed:\n${verify.stdout}`).toBe(1);
      // not only "a PDF the ledger does not name": a signature of it fails, or it cannot be read
      const sigs = (verify.pdf['signatures'] as Json[] | undefined) ?? [];
      expect(sigs.length < 6 || sigs.some((x) => x['ok'] === false), `report verify --pdf found every signature valid with byte ${at} changed:\n${verify.stdout}`).toBe(true);
    }
  });

  it('the annexes verify with openssl cms against the seal CA: 揭标 names the bidders; the identity annex, decrypted, maps each code name to its expert', async () => {
    const sealCa = readFileSync(join(exported, 'seal-ca.pem'), 'utf8');
    const annex = new Uint8Array(readFileSync(join(exported, 'annex-unblinding.pdf')));
    const annexCms = new Uint8Array(readFileSync(join(exported, 'annex-unblinding.pdf.p7s')));
    expect(opensslVerifyDetached(work, { content: annex, cms: annexCms, caPem: sealCa, name: 'unblinding' })).toMatchObject({ ok: true });
    expect(opensslVerifyDetached(work, { content: flipByte(annex, Math.floor(annex.length / 2)), cms: annexCms, caPem: sealCa, name: 'unblinding-bad' }).ok).toBe(false);
    const text = pdftotext(work, annex, 'unblinding.pdf');
    for (const name of bidders(3).map((x) => x.name)) expect(text.replace(/\s+/g, '')).toContain(name);

    // The identity annex leaves the centre only encrypted for the supervision certificate.
    const envelope = new Uint8Array(readFileSync(join(exported, 'annex-identities.pdf.p7m')));
    const plain = opensslDecrypt(work, envelope, stack.supervision.cert, stack.supervision.key);
    const status = await reportStatus(stack, P);
    const identities = (status['annexes'] as Json[]).find((a) => a['kind'] === 'identities')!;
    expect(sha256(plain)).toBe((identities['pdf'] as Json)['sha256']);
    const sealOverIt = new Uint8Array(readFileSync(join(exported, 'annex-identities.pdf.p7s')));
    expect(opensslVerifyDetached(work, { content: plain, cms: sealOverIt, caPem: sealCa, name: 'identities' })).toMatchObject({ ok: true });
    // 评委n, code name → expert: every seat's line. (The 姓名 column shows the expert's id: `serve`
    // has no source of the registry's names yet — see the report of this test.)
    const idLines = pdftotext(work, plain, 'identities.pdf').split('\n');
    for (const seat of stack.result.seats.filter((x) => x.project === P)) {
      expect(idLines.some((l) => l.includes(seat.codename) && l.includes(seat.expert)), `${seat.codename} → ${seat.expert}`).toBe(true);
    }

    // and the signed report itself still names no expert (nor, blind, any bidder)
    const reportText = pdftotext(work, signedPdf, 'signed.pdf');
    expectNoIdentities(reportText, P);
    for (const name of bidders(3).map((x) => x.name)) expect(reportText).not.toContain(name);
  });
});

describe('a refusal to sign is recorded with its reason, and the turn moves on', { timeout: 120_000 }, () => {
  it('P-REF: no dissents, the second member refuses with a reason, the third signs; report status --json keeps the refusal', async () => {
    const first = await stepEverywhere(q, 'dissent');
    const draft = first[0]!.report!.draft.sha256;
    for (const b of q) await b.call('submitDissent', { text: null, sha256: draft });
    const views = await stepEverywhere(q, ['wait_turn', 'sign']);
    const order = inTurnOrder(q, views[0]!);
    let head = views[0]!.report!.head!.sha256;

    await reportIn(order[0]!, 'its turn', (v) => v.step === 'sign' && v.shown?.sha256 === head);
    await order[0]!.call('signReport', { pin: order[0]!.key.pin, sha256: head });
    head = (await reportIn(order[1]!, 'its turn', (v) => v.step === 'sign' && v.report!.head!.sha256 !== head && v.shown?.sha256 === v.report!.head!.sha256)).report!.head!.sha256;
    await order[1]!.call('refuseToSign', { reason: REFUSAL, sha256: head });
    expect(order[1]!.events('report.sign_refused')).toHaveLength(1);

    const third = await reportIn(order[2]!, 'its turn after the refusal', (v) => v.step === 'sign');
    expect(third.report!.head!.sha256).toBe(head); // a refusal leaves the PDF as it was
    await order[2]!.call('signReport', { pin: order[2]!.key.pin, sha256: head });
    const status = await until('the supervisor stage', () => reportStatus(stack, Q), (s) => s['stage'] === 'supervisor', 60_000, 300);
    const members = status['members'] as Json[];
    expect(members.map((x) => [x['codename'], x['signature'], x['refusal']])).toEqual([
      [order[0]!.codename, 'signed', null],
      [order[1]!.codename, 'refused', REFUSAL],
      [order[2]!.codename, 'signed', null],
    ]);
    expect((status['signatures'] as Json[]).map((s) => s['codename'])).toEqual([order[0]!.codename, order[2]!.codename]);
    const seen = (await report(order[1]!)).report!.members;
    expect(seen.find((x) => x.codename === order[1]!.codename)!.signature).toBe('refused');

    const pdf = await storedFile(stack, (status['head'] as Json)['sha256'] as string);
    const check = pdfsig(work, pdf, 'ref-head.pdf');
    expectSigned(check, [judgeFieldName(judgeOf(views[0]!, order[0]!.codename)), judgeFieldName(judgeOf(views[0]!, order[2]!.codename))]);
  });
});

/** `report verify --trust DIR --pdf FILE --json` of the bytes: exit code, what it said, its verdict on the file. */
async function verifyFile(pdf: Uint8Array, name: string): Promise<{ code: number | null; stdout: string; pdf: Json }> {
  const file = join(work, name);
  writeFileSync(file, pdf);
  const out = await stack.cliRaw('report', '--project', P, 'verify', '--trust', stack.trustDir, '--pdf', file, '--json');
  let parsed: Json = {};
  try {
    parsed = (JSON.parse(out.stdout) as Json)['pdf'] as Json;
  } catch {
    // not JSON: the exit code and the output tell
  }
  return { code: out.code, stdout: `${out.stdout}${out.stderr}`, pdf: parsed };
}
