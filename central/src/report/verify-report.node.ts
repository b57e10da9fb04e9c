/**
 * `report verify`: the report's record re-derived from bytes, not trusted. For one project:
 *
 *   1. the record replays without a problem (report-reducer.ts: every acceptance re-judged);
 *   2. the draft and the final PDF are stored and hash to the names the ledger gives them;
 *   3. from the final PDF, every signature in ledger order: a PAdES one is rebuilt (placeholder with
 *      its field, name and time, its CMS embedded) and must be byte for byte the head the ledger
 *      names and the file stored under it, and the previous head plus exactly one signature
 *      (checkSignatureIncrement); a detached one (SM2) must verify over the head PDF it names;
 *   4. the last head: every PAdES signature in it verifies against the trust list
 *      (verifyPdfSignatures), and there are as many as the record says;
 *   5. every dissent's CMS over its dissent document;
 *   6. every annex: stored, and the centre's seal (a detached CMS) verifies over it — against
 *      `sealTrust` when given, else against the root the CMS carries (integrity only, said so).
 *
 * Every problem names the signature or the file, in both languages.
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { messagePair, type MessagePair } from '@kawei/shared/i18n/bilingual.ts';
import type { ReportStage } from '@kawei/shared/report/report-events.ts';
import { reportDissentPayloadSchema } from '@kawei/shared/report/report-events.ts';
import { addSignaturePlaceholder, checkSignatureIncrement, embedSignature, verifyPdfSignatures } from '@kawei/shared/report/pdf-signature.node.ts';
import { verifySignedDocument } from '@kawei/shared/signing/canonical-signing.ts';
import { verifyDetachedCms, type VerifyResult } from '@kawei/shared/signing/cms.ts';
import { trustListFromCertificates, type TrustList } from '@kawei/shared/signing/trust-list.ts';
import type { CommitteeStore } from '../storage/committee-store.ts';
import type { ReportStore } from '../storage/report-store.ts';
import { loadProjectRecord } from './report-record.node.ts';
import { base64Bytes, errorPair, sha256Hex, withProblem } from './report-signatures.node.ts';
import type { SignatureRecord } from './report-types.ts';

export interface VerifiedSignature {
  role: 'member' | 'supervisor';
  codename: string | null;
  judge: number | null;
  fieldName: string;
  signerName: string;
  format: 'pades' | 'cms-detached';
  signingTime: string;
  /** The certificate's subject when the signature verified. */
  subject: string | null;
  /** The PDF it signs (detached) or the head it made (PAdES). */
  pdfSha256: string;
  ok: boolean;
}

export interface VerifiedAnnex {
  kind: string;
  sha256: string;
  ok: boolean;
  /** What the seal was checked against: the centre's trust list given, or the root the CMS carries (integrity only). */
  seal: 'trusted' | 'embedded';
}

export interface ReportVerification {
  date: string;
  project: string;
  ok: boolean;
  stage: ReportStage | null;
  /** The head the record ends on. */
  head: string | null;
  signatures: VerifiedSignature[];
  dissents: { codename: string; ok: boolean }[];
  annexes: VerifiedAnnex[];
  problems: MessagePair[];
}

export interface VerifyReportDeps {
  store: CommitteeStore & ReportStore;
  /** The experts' and the supervisor's CAs (`--trust DIR`). */
  trustList: TrustList;
  /** The centre's seal CA; without it an annex's seal is checked for integrity only. */
  sealTrust?: TrustList | null;
}

const failText = (r: Extract<VerifyResult, { ok: false }>): MessagePair => ({ zh: r.zh, en: r.en });

export async function verifyReport(deps: VerifyReportDeps, date: string, project: string): Promise<ReportVerification> {
  const problems: MessagePair[] = [];
  const out: ReportVerification = { date, project, ok: false, stage: null, head: null, signatures: [], dissents: [], annexes: [], problems };
  const loaded = await loadProjectRecord(deps.store, date, project);
  const report = loaded?.report ?? null;
  if (loaded === null || report === null || report.draft === null) {
    problems.push(messagePair('reportRecord.verify.noReport', { date, project }));
    return out;
  }
  out.stage = report.stage;
  out.head = report.head?.sha256 ?? null;
  for (const p of report.problems) problems.push(withProblem('reportRecord.verify.replayProblem', p));

  /** A stored file whose bytes hash to its name, or null (a problem said). */
  const stored = async (what: string, sha256: string): Promise<Uint8Array | null> => {
    const file = await deps.store.getReportFile(sha256);
    if (file === null) {
      problems.push(messagePair('reportRecord.verify.fileMissing', { what, sha256 }));
      return null;
    }
    if (sha256Hex(file.bytes) !== sha256) {
      problems.push(messagePair('reportRecord.verify.headDiffers', { what, sha256 }));
      return null;
    }
    return file.bytes;
  };

  await stored('draft', report.draft.sha256);
  let head = report.final === null ? null : await stored('final', report.final.sha256);

  // Every signature re-derived on the head before it.
  for (const s of report.signatures) {
    const what = label(s);
    const base = { role: s.role, codename: s.codename, judge: s.judge, fieldName: s.fieldName, signerName: s.signerName, format: s.format, signingTime: s.signingTime };
    if (head === null) {
      out.signatures.push({ ...base, subject: null, pdfSha256: s.headBefore, ok: false });
      continue;
    }
    if (sha256Hex(head) !== s.headBefore) problems.push(messagePair('reportRecord.verify.headDiffers', { what, sha256: s.headBefore }));
    const cms = base64Bytes(s.cms);
    if (s.format === 'cms-detached') {
      const result = await verifyDetachedCms(head, cms, deps.trustList);
      if (!result.ok) problems.push(messagePair('reportRecord.verify.cmsInvalid', { what, problem: failText(result).en }));
      out.signatures.push({ ...base, subject: result.ok ? result.subject : null, pdfSha256: s.headBefore, ok: result.ok });
      continue;
    }
    let rebuilt: Uint8Array | null = null;
    try {
      rebuilt = embedSignature(addSignaturePlaceholder(head, { fieldName: s.fieldName, signerName: s.signerName, signingTime: new Date(s.signingTime) }), cms);
    } catch (error) {
      problems.push(messagePair('reportRecord.verify.incrementInvalid', { field: s.fieldName, problem: errorPair(error).en }));
    }
    const named = s.headAfter?.sha256 ?? '';
    const storedHead = await stored(what, named);
    let ok = rebuilt !== null && storedHead !== null;
    if (rebuilt !== null && sha256Hex(rebuilt) !== named) {
      problems.push(messagePair('reportRecord.verify.headDiffers', { what, sha256: named }));
      ok = false;
    }
    if (rebuilt !== null) {
      const increment = checkSignatureIncrement(head, rebuilt);
      if (!increment.ok) {
        problems.push(messagePair('reportRecord.verify.incrementInvalid', { field: s.fieldName, problem: increment.problem.en }));
        ok = false;
      }
    }
    out.signatures.push({ ...base, subject: null, pdfSha256: named, ok });
    // Go on from the bytes the record says were signed (the stored head), else from the rebuilt ones.
    head = storedHead ?? rebuilt;
  }

  // The last head as any PDF reader sees it: every signature valid against the trust list.
  if (head !== null) {
    const pades = report.signatures.filter((s) => s.format === 'pades');
    try {
      const checks = await verifyPdfSignatures(head, deps.trustList);
      if (checks.length !== pades.length) {
        problems.push(messagePair('reportRecord.verify.signatureCount', { sha256: sha256Hex(head), got: checks.length, expected: pades.length }));
      }
      for (const check of checks) {
        const entry = out.signatures.find((v) => v.format === 'pades' && v.fieldName === check.info.fieldName);
        if (!check.result.ok) {
          problems.push(messagePair('reportRecord.verify.signatureInvalid', { field: check.info.fieldName, signer: check.info.signerName ?? '', problem: failText(check.result).en }));
          if (entry) entry.ok = false;
        } else if (entry) entry.subject = check.result.subject;
      }
    } catch (error) {
      problems.push(messagePair('reportRecord.verify.signatureInvalid', { field: '-', signer: '-', problem: errorPair(error).en }));
    }
  }

  // Dissents: the CMS over the dissent document the booth event carries.
  for (const d of report.dissents) {
    if (d.text === null || d.device === null || d.seq === null) continue;
    const event = loaded.lookup(d.device, d.seq);
    const parsed = reportDissentPayloadSchema.safeParse(event?.payload);
    if (!parsed.success || parsed.data.dissent === null) {
      problems.push(messagePair('reportRecord.verify.dissentInvalid', { codename: d.codename, problem: 'event' }));
      out.dissents.push({ codename: d.codename, ok: false });
      continue;
    }
    const { document, signed } = parsed.data.dissent;
    const result = await verifySignedDocument(signed, deps.trustList, { expected: document });
    if (!result.ok) problems.push(messagePair('reportRecord.verify.dissentInvalid', { codename: d.codename, problem: failText(result).en }));
    out.dissents.push({ codename: d.codename, ok: result.ok });
  }

  // Annexes: stored, and sealed by the centre.
  for (const a of report.annexes) {
    const pdf = await stored(`annex ${a.kind}`, a.pdf.sha256);
    const cms = await stored(`annex ${a.kind} CMS`, a.cmsSha256);
    if (a.envelopeSha256 !== null) await stored(`annex ${a.kind} envelope`, a.envelopeSha256);
    if (pdf === null || cms === null) {
      out.annexes.push({ kind: a.kind, sha256: a.pdf.sha256, ok: false, seal: deps.sealTrust ? 'trusted' : 'embedded' });
      continue;
    }
    const trust = deps.sealTrust ?? embeddedRoots(cms);
    const result = trust === null ? null : await verifyDetachedCms(pdf, cms, trust);
    const ok = result?.ok ?? false;
    if (!ok) problems.push(messagePair('reportRecord.verify.annexInvalid', { kind: a.kind, problem: result && !result.ok ? failText(result).en : 'no certificate' }));
    out.annexes.push({ kind: a.kind, sha256: a.pdf.sha256, ok, seal: deps.sealTrust ? 'trusted' : 'embedded' });
  }

  out.ok = problems.length === 0;
  return out;
}

function label(s: SignatureRecord): string {
  return s.role === 'supervisor' ? `supervisor ${s.signerName} (${s.fieldName})` : `${s.codename ?? '?'} (${s.fieldName})`;
}

/** The self-signed certificates a CMS carries: the anchor its own chain ends in (integrity, not trust). */
function embeddedRoots(cms: Uint8Array): TrustList | null {
  try {
    const asn = asn1js.fromBER(cms.slice().buffer);
    const signedData = new pkijs.SignedData({ schema: new pkijs.ContentInfo({ schema: asn.result }).content });
    const roots = (signedData.certificates ?? [])
      .filter((c): c is pkijs.Certificate => c instanceof pkijs.Certificate && c.issuer.isEqual(c.subject))
      .map((c) => new Uint8Array(c.toSchema().toBER(false)));
    return roots.length === 0 ? null : trustListFromCertificates(roots);
  } catch {
    return null;
  }
}
