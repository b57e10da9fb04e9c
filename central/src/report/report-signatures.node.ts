/**
 * The signature checks the report's service makes with bytes and a trust list, before it appends
 * (the pure judge, judge-report-event.ts, has already said the event fits the report's state):
 *
 * - a member's PAdES signature: the central rebuilds the signed PDF itself — the placeholder on the
 *   current head with the event's field, name and time (deterministic, as the booth built it), the
 *   member's CMS embedded — then checks it as any verifier would (verifyPdfSignatures against the
 *   experts' trust list) and that it is the head plus exactly one signature (checkSignatureIncrement);
 * - an SM2 member's detached CMS over the head PDF itself (PAdES readers cannot check SM2);
 * - a dissent's CMS over the canonical JSON of the dissent document;
 * - the supervisor's signature made at the centre (signAtCentre).
 *
 * A failed check is a refusal with a reason (bad_signature, or certificate_rejected when the
 * certificate is the trouble) and a bilingual detail; never a throw.
 */
import { createHash } from 'node:crypto';
import { BilingualError, messagePair, messagePairBy, type MessagePair } from '@kawei/shared/i18n/bilingual.ts';
import type { ReportDissentPayload, ReportSignatureFormat, ReportSignedPayload } from '@kawei/shared/report/report-events.ts';
import { addSignaturePlaceholder, checkSignatureIncrement, embedSignature, verifyPdfSignatures } from '@kawei/shared/report/pdf-signature.node.ts';
import { verifySignedDocument } from '@kawei/shared/signing/canonical-signing.ts';
import { createDetachedCms, verifyDetachedCms, type VerifyResult } from '@kawei/shared/signing/cms.ts';
import type { Signer } from '@kawei/shared/signing/signer.ts';
import type { SigningErrorCode } from '@kawei/shared/signing/signing-errors.ts';
import type { TrustList } from '@kawei/shared/signing/trust-list.ts';

export type SignatureRefusalReason = 'bad_signature' | 'certificate_rejected';

export type SignatureCheck =
  | { ok: true; signed: Uint8Array | null; cms: Uint8Array }
  | { ok: false; reason: SignatureRefusalReason; problem: MessagePair };

/** Certificate troubles (untrusted, expired, revoked, no CRL…) are the certificate's, not the signature's. */
const CERTIFICATE_CODES: readonly SigningErrorCode[] = [
  'CERT_MALFORMED',
  'CERT_UNTRUSTED',
  'CERT_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_KEY_USAGE',
  'CERT_REVOKED',
  'CRL_UNAVAILABLE',
  'TRUST_LIST_EMPTY',
  'TRUST_LIST_BAD_FILE',
];

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function base64Bytes(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'base64'));
}

export function bytesBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

export type ProblemKey =
  | 'reportRecord.refusal.certificateRejected'
  | 'reportRecord.refusal.badSignature'
  | 'reportRecord.refusal.pdfRebuild'
  | 'reportRecord.refusal.increment'
  | 'reportRecord.act.supervisorInvalid'
  | 'reportRecord.problem.renderFailed'
  | 'reportRecord.verify.replayProblem';

/** `key` filled with a problem that is itself a pair: each language gets its own text. */
export function withProblem(key: ProblemKey, problem: MessagePair): MessagePair {
  return messagePairBy(key, (lang) => ({ problem: lang === 'en' ? problem.en : problem.zh }));
}

/** An error's own pair (a BilingualError's), or its message in both. */
export function errorPair(error: unknown): MessagePair {
  if (error instanceof BilingualError) return { zh: error.zh, en: error.en };
  const text = error instanceof Error ? error.message : String(error);
  return { zh: text, en: text };
}

export function isCertificateProblem(code: SigningErrorCode): boolean {
  return CERTIFICATE_CODES.includes(code);
}

function failed(result: Extract<VerifyResult, { ok: false }>): SignatureCheck {
  const reason: SignatureRefusalReason = isCertificateProblem(result.code) ? 'certificate_rejected' : 'bad_signature';
  const key = reason === 'certificate_rejected' ? 'reportRecord.refusal.certificateRejected' : 'reportRecord.refusal.badSignature';
  return { ok: false, reason, problem: withProblem(key, result) };
}

function rebuildFailed(error: unknown): SignatureCheck {
  return { ok: false, reason: 'bad_signature', problem: withProblem('reportRecord.refusal.pdfRebuild', errorPair(error)) };
}

const noTrust = (): SignatureCheck => ({ ok: false, reason: 'certificate_rejected', problem: messagePair('reportRecord.refusal.noTrustList') });

/**
 * Rebuilds and checks a PAdES signature on `head`: the new head on success. `fieldName`,
 * `signerName` and `signingTime` are the event's (or the supervisor's).
 */
export async function checkPadesSignature(
  head: Uint8Array,
  input: { fieldName: string; signerName: string; signingTime: string; cms: Uint8Array },
  trustList: TrustList | null,
): Promise<SignatureCheck> {
  if (trustList === null) return noTrust();
  let signed: Uint8Array;
  try {
    const prepared = addSignaturePlaceholder(head, { fieldName: input.fieldName, signerName: input.signerName, signingTime: new Date(input.signingTime) });
    signed = embedSignature(prepared, input.cms);
  } catch (error) {
    return rebuildFailed(error);
  }
  const increment = checkSignatureIncrement(head, signed);
  if (!increment.ok) return { ok: false, reason: 'bad_signature', problem: withProblem('reportRecord.refusal.increment', increment.problem) };
  let checks;
  try {
    checks = await verifyPdfSignatures(signed, trustList);
  } catch (error) {
    return rebuildFailed(error);
  }
  const mine = checks.find((c) => c.info.fieldName === input.fieldName && c.info.coversWholeDocument);
  if (mine === undefined) return rebuildFailed(new Error(`no signature ${input.fieldName} covering the whole file`));
  if (!mine.result.ok) return failed(mine.result);
  return { ok: true, signed, cms: input.cms };
}

/** An SM2 member's detached CMS over the head PDF's bytes (the PDF is left as it was). */
export async function checkDetachedSignature(head: Uint8Array, cms: Uint8Array, trustList: TrustList | null): Promise<SignatureCheck> {
  if (trustList === null) return noTrust();
  const result = await verifyDetachedCms(head, cms, trustList);
  if (!result.ok) return failed(result);
  // Only an SM2 key may sign beside the PDF: every other key signs in it (PAdES), where readers check it.
  if (result.algorithm !== 'SM2-SM3') return { ok: false, reason: 'bad_signature', problem: messagePair('reportRecord.refusal.detachedNotSm2', { algorithm: result.algorithm }) };
  return { ok: true, signed: null, cms };
}

/** A member's report.signed event, checked on `head`. */
export function checkMemberSignature(head: Uint8Array, payload: ReportSignedPayload, trustList: TrustList | null): Promise<SignatureCheck> {
  const cms = base64Bytes(payload.cms);
  return payload.format === 'pades' ? checkPadesSignature(head, { ...payload, cms }, trustList) : checkDetachedSignature(head, cms, trustList);
}

/** A dissent's CMS: over the canonical JSON of the dissent document carried beside it. */
export async function checkDissentSignature(payload: ReportDissentPayload, trustList: TrustList | null): Promise<SignatureCheck | null> {
  if (payload.dissent === null) return null;
  if (trustList === null) return noTrust();
  const { document, signed } = payload.dissent;
  const result = await verifySignedDocument(signed, trustList, { expected: document });
  if (!result.ok) return failed(result);
  return { ok: true, signed: null, cms: base64Bytes(signed.cms) };
}

/**
 * The supervisor signs the head at the centre: PAdES in field SUPERVISOR_FIELD, or for an SM2 key a
 * detached CMS over the head. Checked as a member's would be before it is recorded.
 */
export async function signAtCentre(
  head: Uint8Array,
  input: { signer: Signer; signerName: string; fieldName: string; signingTime: Date; trustList: TrustList },
): Promise<{ format: ReportSignatureFormat; cms: Uint8Array; signed: Uint8Array | null; check: SignatureCheck }> {
  const signingTime = new Date(Math.floor(input.signingTime.getTime() / 1000) * 1000);
  const cmsOptions = { trustList: input.trustList, signingTime };
  if (input.signer.algorithm === 'SM2-SM3') {
    const cms = (await createDetachedCms(head, input.signer, cmsOptions)).der;
    return { format: 'cms-detached', cms, signed: null, check: await checkDetachedSignature(head, cms, input.trustList) };
  }
  const prepared = addSignaturePlaceholder(head, { fieldName: input.fieldName, signerName: input.signerName, signingTime });
  const cms = (await createDetachedCms(prepared.signedContent, input.signer, cmsOptions)).der;
  const check = await checkPadesSignature(head, { fieldName: input.fieldName, signerName: input.signerName, signingTime: signingTime.toISOString(), cms }, input.trustList);
  return { format: 'pades', cms, signed: check.ok ? check.signed : null, check };
}
