import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTool } from '../../tests/support/require-tool.node.ts';
import { SCORES_SUBMITTED_EVENT } from '@kawei/shared/api/signed-submissions.ts';
import { REVIEW_EVENTS } from '@kawei/shared/committee/committee-events.ts';
import { signCanonicalJson, type SignedDocument } from '@kawei/shared/signing/canonical-signing.ts';
import { createSoftSm2Signer } from '@kawei/shared/signing/soft-sm2-signer.node.ts';
import { trustListFromCertificates } from '@kawei/shared/signing/trust-list.ts';
import { canonicalJson, type JsonValue } from '@kawei/shared/sync/canonical-json.ts';
import { runCli } from '../src/cli/run-cli.node.ts';
import type { SubmissionVerdict } from '../src/results/verify-submissions.ts';
import { TestDevice } from './device-signer.ts';
import { EventChain } from './event-chain-builder.ts';
import { addCode, attempt, openDemoStore } from './store-fixtures.ts';
import { makeSm2Pki, type Sm2Pki } from '../../shared/test/signing/sm2-openssl.node.ts';

/*
 * `kawei-central signatures` on the committee's signed documents (issue #13): the preliminary review
 * (review.preliminary_signed, a CMS over the canonical JSON of its document, like the score sheet)
 * and the version 2 score sheet (revision, rules' hash, tiers, totals), signed for real (SM2 software
 * signer, OpenSSL-made PKI) and stored as sealed device events.
 */
const DATE = '2026-12-07';
const PROJECT = 'GC-13';
const CODENAME = 'EXPERT-S3M2';
const RULES = 'd'.repeat(64);

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const cnOf = (subject: string) => /CN=([^,]+)/.exec(subject)![1]!;

function preliminaryDocument() {
  return {
    kind: 'kawei.preliminary-review',
    version: 1,
    date: DATE,
    project: PROJECT,
    codename: CODENAME,
    booth: 'B1',
    rulesSha256: RULES,
    verdicts: { A: { licence: { pass: true, reason: '' } }, B: { licence: { pass: false, reason: '营业执照过期' } } },
    savedAt: Date.UTC(2026, 11, 7, 2, 0),
  };
}

function sheetV2() {
  return {
    kind: 'kawei.score-sheet',
    version: 2,
    date: DATE,
    project: PROJECT,
    codename: CODENAME,
    booth: 'B1',
    rulesSha256: RULES,
    revision: 2,
    criteria: [{ id: 'plan', name: '技术方案', max: 30, group: 'tech', kind: 'subjective' }],
    bidders: ['A'],
    scores: { A: { plan: 26 } },
    notes: { A: { plan: '方案完整' } },
    tiers: { A: { plan: '优' } },
    totals: { A: 26 },
    savedAt: Date.UTC(2026, 11, 7, 3, 0),
  };
}

function preliminaryPayload(document: unknown, doc: SignedDocument): Record<string, JsonValue> {
  return {
    date: DATE,
    project: PROJECT,
    codename: CODENAME,
    document: document as JsonValue,
    documentSha256: sha(canonicalJson(document as JsonValue)),
    signedAt: Date.parse(doc.signedAt),
    signer: cnOf(doc.signer.subject),
    cms: doc.cms,
    signed: doc as unknown as JsonValue,
  };
}

function scoresPayload(sheet: unknown, doc: SignedDocument): Record<string, JsonValue> {
  return {
    date: DATE,
    project: PROJECT,
    sheet: sheet as JsonValue,
    sheetSha256: sha(canonicalJson(sheet as JsonValue)),
    signedAt: Date.parse(doc.signedAt),
    signer: cnOf(doc.signer.subject),
    cms: doc.cms,
    signed: doc as unknown as JsonValue,
  };
}

describe('kawei-central signatures: the preliminary review and the version 2 score sheet', () => {
  beforeAll(() => requireTool('openssl-sm2'));
  let pki: Sm2Pki;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kawei-committee-signatures-'));
    pki = await makeSm2Pki(dir);
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('verifies both with the central trust list and finds a preliminary review changed after signing', async () => {
    const boothTrust = trustListFromCertificates([pki.root.certPem]);
    const signer = createSoftSm2Signer({ privateKey: pki.expert.keyPem, certificate: pki.expert.certPem, chain: [pki.intermediate.certPem] });
    const document = preliminaryDocument();
    const preliminary = await signCanonicalJson('preliminary-review', document, signer, { trustList: boothTrust });
    const sheet = sheetV2();
    const scores = await signCanonicalJson('score-sheet', sheet, signer, { trustList: boothTrust });
    const altered = structuredClone(document);
    altered.verdicts.B.licence = { pass: true, reason: '' };

    const data = join(dir, 'central');
    mkdirSync(data);
    const store = await openDemoStore(data);
    let device = '';
    try {
      const keys = new TestDevice();
      await addCode(store, 'CODE-B1X', { kind: 'booth', boothId: 'room-5-B1' }, { createdAt: Date.now() });
      device = (await store.consumeEnrolmentCode(attempt('CODE-B1X', 'booth', keys, Date.now()))).device.id;
      const events = [
        { type: REVIEW_EVENTS.preliminarySigned, payload: preliminaryPayload(document, preliminary) },
        { type: SCORES_SUBMITTED_EVENT, payload: scoresPayload(sheet, scores) },
        { type: REVIEW_EVENTS.preliminarySigned, payload: { ...preliminaryPayload(document, preliminary), document: altered as unknown as JsonValue } },
      ];
      const chain = new EventChain(device, keys.privateKey);
      const sealed = chain.append(events.length, (seq) => events[seq - 1]!);
      expect(await store.ingestBatch({ deviceId: device, events: sealed, receivedAt: Date.now(), clockSkewMs: 0 })).toMatchObject({ kind: 'stored' });
    } finally {
      await store.close();
    }
    const trust = join(dir, 'central-trust');
    mkdirSync(trust);
    writeFileSync(join(trust, 'sm2-root.pem'), pki.root.certPem);

    let out = '';
    let err = '';
    const code = await runCli(['signatures', '--trust', trust, '--data', data, '--json'], { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } });
    expect(err).toBe('');
    expect(code).toBe(1);
    const { submissions } = JSON.parse(out) as { submissions: SubmissionVerdict[] };
    expect(submissions.map((s) => [s.seq, s.kind, s.codename, s.valid, s.problems.map((p) => p.code)])).toEqual([
      [1, 'preliminary', CODENAME, true, []],
      [2, 'score-sheet', CODENAME, true, []],
      [3, 'preliminary', CODENAME, false, ['CMS_DIGEST_MISMATCH', 'DOCUMENT_MISMATCH']],
    ]);
    expect(submissions[2]!.problems[1]!.en).toContain('documentSha256');

    out = '';
    expect(await runCli(['signatures', '--trust', trust, '--data', data], { stdout: { write: (s: string) => (out += s) }, stderr: { write: () => undefined } })).toBe(1);
    expect(out).toContain('初步评审表');
  });
});
