/**
 * The central's own check of every signed booth submission (the commitment letter and the score
 * sheet): it trusts neither the booth's verdict nor the event's claims, only its own trust list.
 *
 * For each `booth.commitment_signed` / `booth.scores_submitted` event in the store:
 *   1. the payload is validated (shared/src/api/signed-submissions.ts); a payload that does not fit is
 *      invalid (PAYLOAD_INVALID), never skipped;
 *   2. the signed bytes are rebuilt from the event's document exactly as the booth made them: the
 *      canonical JSON (UTF-8) of the letter (`document.content`, parsed) or of the sheet (`sheet`);
 *   3. the detached CMS (`cms`) is verified over those bytes with the central's trust list
 *      (`verifyDetachedCms`: digest, signature, signing certificate, chain to a configured CA, validity
 *      at the signed signingTime, key usage) — a failure carries the signing layer's code;
 *   4. the event must agree with what was signed: project, date and code name; the stored copy of the
 *      signed content, its hash, the CMS, the signer and the signing time (DOCUMENT_MISMATCH).
 *
 * Read-only: events are listed device by device through the store interface (SQLite or PostgreSQL).
 */
import { z } from 'zod';
import type { DeviceRecord } from '@kawei/shared/api/central-http.ts';
import {
  COMMITMENT_SIGNED_EVENT,
  commitmentLetterSchema,
  commitmentSignedPayloadSchema,
  scoresSubmittedPayloadSchema,
  SIGNED_SUBMISSION_EVENTS,
} from '@kawei/shared/api/signed-submissions.ts';
import { verifyDetachedCms, type VerifyResult } from '@kawei/shared/signing/cms.ts';
import { SIGNING_MESSAGES, type SigningErrorCode } from '@kawei/shared/signing/signing-errors.ts';
import type { TrustList } from '@kawei/shared/signing/trust-list.ts';
import { canonicalJson } from '@kawei/shared/sync/canonical-json.ts';
import type { StoredEvent, SyncStore } from '../storage/sync-store.ts';
import type { CentralStore } from '../storage/central-store.ts';

export type SubmissionKind = 'commitment' | 'score-sheet';

/** Codes of this check on top of the signing layer's. */
export const SUBMISSION_MESSAGES = {
  PAYLOAD_INVALID: { zh: '事件内容不符合格式', en: 'the event payload does not match its schema' },
  DOCUMENT_MISMATCH: { zh: '事件内容与签名文件不一致，已被改动', en: 'the event does not match the signed document: it was changed' },
} as const;
export type SubmissionCode = keyof typeof SUBMISSION_MESSAGES | SigningErrorCode;

export interface SubmissionProblem {
  code: SubmissionCode;
  zh: string;
  en: string;
}

export interface SubmissionVerdict {
  device: string;
  /** The booth the device is enrolled for, if it is a booth. */
  booth: string | null;
  seq: number;
  type: string;
  kind: SubmissionKind;
  /** Read from the payload (null when the payload does not carry it as text). */
  project: string | null;
  date: string | null;
  codename: string | null;
  /** The roster's expert id, as the commitment event carries it (score sheet events do not). */
  expert: string | null;
  /** From the CMS's signing certificate; `verified` only when the signature checked out. */
  signer: { subject: string; issuer: string | null; serial: string | null; algorithm: string | null; verified: boolean } | null;
  /** Epoch ms of the signed signingTime (the booth's claim), or of the event's `signedAt`. */
  signedAt: number | null;
  valid: boolean;
  /** Empty when valid; otherwise every reason found, the decisive one first. */
  problems: SubmissionProblem[];
}

export interface SubmissionFilter {
  /** YYYY-MM-DD, matched against the event's `date`. */
  date?: string | undefined;
  project?: string | undefined;
}

export type SubmissionStore = Pick<SyncStore, 'listEvents'> & Pick<CentralStore, 'listDevices'>;

const PAGE = 2000;

/**
 * Every signed submission in the store (devices in enrolment order, each in seq order), filtered by
 * the event's date and project. An event whose filtered field cannot be read as text is kept: a
 * malformed event must be reported, not filtered away.
 */
export async function listSignedSubmissions(
  store: SubmissionStore,
  filter: SubmissionFilter = {},
): Promise<{ device: DeviceRecord; event: StoredEvent }[]> {
  const found: { device: DeviceRecord; event: StoredEvent }[] = [];
  const types: readonly string[] = SIGNED_SUBMISSION_EVENTS;
  for (const device of await store.listDevices()) {
    for (let from = 1; ; ) {
      const page = await store.listEvents(device.id, from, PAGE);
      for (const event of page) {
        if (types.includes(event.type) && matches(event, filter)) found.push({ device, event });
      }
      if (page.length < PAGE) break;
      from = page.at(-1)!.seq + 1;
    }
  }
  return found;
}

function matches(event: StoredEvent, filter: SubmissionFilter): boolean {
  const keep = (field: 'date' | 'project', wanted: string | undefined) => {
    if (wanted === undefined) return true;
    const value = event.payload[field];
    return typeof value !== 'string' || value === wanted;
  };
  return keep('date', filter.date) && keep('project', filter.project);
}

/** Verifies one event (see the file comment); never throws for anything the event carries. */
export async function verifySubmission(event: StoredEvent, trustList: TrustList, device?: DeviceRecord): Promise<SubmissionVerdict> {
  const kind: SubmissionKind = event.type === COMMITMENT_SIGNED_EVENT ? 'commitment' : 'score-sheet';
  const p = event.payload;
  const text = (v: unknown) => (typeof v === 'string' ? v : null);
  const sheet = p['sheet'];
  const verdict: SubmissionVerdict = {
    device: event.deviceId,
    booth: device?.target.kind === 'booth' ? device.target.boothId : null,
    seq: event.seq,
    type: event.type,
    kind,
    project: text(p['project']),
    date: text(p['date']),
    codename: kind === 'commitment' ? text(p['codename']) : isRecord(sheet) ? text(sheet['codename']) : null,
    expert: kind === 'commitment' ? text(p['expert']) : null,
    signer: null,
    signedAt: typeof p['signedAt'] === 'number' ? p['signedAt'] : null,
    valid: false,
    problems: [],
  };
  try {
    const checked = kind === 'commitment' ? await checkCommitment(event, trustList) : await checkScoreSheet(event, trustList);
    if ('problem' in checked) {
      verdict.problems.push(checked.problem);
      return verdict;
    }
    const { result, mismatches, claimed } = checked;
    if (result.ok) {
      verdict.signer = { subject: result.subject, issuer: result.issuer, serial: result.serial, algorithm: result.algorithm, verified: true };
    } else {
      // Not verified: what the CMS names (or the event claims), for the operator to follow up.
      verdict.signer = { subject: result.subject ?? claimed.subject, issuer: claimed.issuer, serial: claimed.serial, algorithm: null, verified: false };
      verdict.problems.push({ code: result.code, zh: result.zh, en: result.en });
    }
    if (result.signingTime) verdict.signedAt = result.signingTime.getTime();
    if (mismatches.length > 0) {
      const fields = mismatches.join(', ');
      const m = SUBMISSION_MESSAGES.DOCUMENT_MISMATCH;
      verdict.problems.push({ code: 'DOCUMENT_MISMATCH', zh: `${m.zh}（字段：${fields}）`, en: `${m.en} (fields: ${fields})` });
    }
  } catch (error) {
    // Nothing the event carries should get here; if it does, it is this event's problem, not the run's.
    verdict.problems.push(problem('PAYLOAD_INVALID', (error as Error).message));
  }
  verdict.valid = verdict.problems.length === 0;
  return verdict;
}

export function tally(verdicts: readonly SubmissionVerdict[]): { valid: number; invalid: number } {
  const valid = verdicts.filter((v) => v.valid).length;
  return { valid, invalid: verdicts.length - valid };
}

// ── the two documents ───────────────────────────────────────────────────────────────────────────

type Checked =
  | { problem: SubmissionProblem }
  | { result: VerifyResult; mismatches: string[]; claimed: { subject: string; issuer: string; serial: string } };

async function checkCommitment(event: StoredEvent, trustList: TrustList): Promise<Checked> {
  const parsed = commitmentSignedPayloadSchema.safeParse(event.payload);
  if (!parsed.success) return { problem: schemaProblem(parsed.error) };
  const payload = parsed.data;
  let letterJson: unknown;
  try {
    letterJson = JSON.parse(payload.document.content);
  } catch (error) {
    return { problem: problem('PAYLOAD_INVALID', `document.content: ${(error as Error).message}`) };
  }
  const letter = commitmentLetterSchema.safeParse(letterJson);
  if (!letter.success) return { problem: schemaProblem(letter.error, 'document.content') };

  const signedText = canonicalJson(letterJson);
  const result = await verifyCms(signedText, payload.cms, trustList);
  const mismatches = [
    ...differs('project', letter.data.project, payload.project),
    ...differs('date', letter.data.date, payload.date),
    ...differs('codename', letter.data.codename, payload.codename),
    ...differs('document.content', signedText, payload.document.content),
    ...differs('document.contentSha256', await sha256Hex(payload.document.content), payload.document.contentSha256),
    ...differs('document.cms', payload.document.cms, payload.cms),
    ...signerMismatches(result, payload, payload.document, 'document'),
  ];
  return { result, mismatches, claimed: payload.document.signer };
}

async function checkScoreSheet(event: StoredEvent, trustList: TrustList): Promise<Checked> {
  const parsed = scoresSubmittedPayloadSchema.safeParse(event.payload);
  if (!parsed.success) return { problem: schemaProblem(parsed.error) };
  const payload = parsed.data;
  // The raw sheet, not zod's copy: the signed bytes are exactly its canonical JSON.
  const signedText = canonicalJson(event.payload['sheet']);
  const result = await verifyCms(signedText, payload.cms, trustList);
  const mismatches = [
    ...differs('project', payload.sheet.project, payload.project),
    ...differs('date', payload.sheet.date, payload.date),
    ...differs('sheetSha256', await sha256Hex(signedText), payload.sheetSha256),
    ...differs('signed.content', signedText, payload.signed.content),
    ...differs('signed.contentSha256', await sha256Hex(payload.signed.content), payload.signed.contentSha256),
    ...differs('signed.cms', payload.signed.cms, payload.cms),
    ...signerMismatches(result, payload, payload.signed, 'signed'),
  ];
  return { result, mismatches, claimed: payload.signed.signer };
}

/** The event's claims about the signer and the time against the certificate and signingTime in the CMS. */
function signerMismatches(
  result: VerifyResult,
  payload: { signer: string; signedAt: number },
  document: { signer: { subject: string; issuer: string; serial: string }; signedAt: string },
  prefix: 'document' | 'signed',
): string[] {
  if (!result.ok) return [];
  const at = result.signingTime?.getTime() ?? null;
  return [
    ...differs('signer', commonName(result.subject), payload.signer),
    ...differs(`${prefix}.signer`, canonicalJson({ subject: result.subject, issuer: result.issuer, serial: result.serial }), canonicalJson(document.signer)),
    ...differs('signedAt', at, payload.signedAt),
    ...differs(`${prefix}.signedAt`, at, Date.parse(document.signedAt)),
  ];
}

async function verifyCms(signedText: string, cmsBase64: string, trustList: TrustList): Promise<VerifyResult> {
  let der: Uint8Array;
  try {
    der = Uint8Array.from(atob(cmsBase64), (c) => c.charCodeAt(0));
  } catch {
    const m = SIGNING_MESSAGES.CMS_MALFORMED;
    return { ok: false, code: 'CMS_MALFORMED', zh: `${m.zh}（不是 base64）`, en: `${m.en} (not base64)`, subject: null, signingTime: null };
  }
  return verifyDetachedCms(new TextEncoder().encode(signedText), der, trustList);
}

// ── helpers ─────────────────────────────────────────────────────────────────────────────────────

function problem(code: keyof typeof SUBMISSION_MESSAGES, detail: string): SubmissionProblem {
  const m = SUBMISSION_MESSAGES[code];
  return { code, zh: `${m.zh}（${detail}）`, en: `${m.en} (${detail})` };
}

function schemaProblem(error: z.ZodError, under?: string): SubmissionProblem {
  const first = error.issues.slice(0, 3).map((i) => {
    const path = [...(under ? [under] : []), ...i.path.map(String)].join('.') || '(payload)';
    return `${path}: ${i.message}`;
  });
  return problem('PAYLOAD_INVALID', first.join('; ') + (error.issues.length > 3 ? ` … (+${error.issues.length - 3})` : ''));
}

function differs(field: string, signed: unknown, claimed: unknown): string[] {
  return signed === claimed ? [] : [field];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** CN of a subject as @peculiar/x509 prints it ("CN=EXPERT-K7Q2, OU=…"); the whole subject without one. */
export function commonName(subject: string): string {
  const m = /(?:^|,\s*)CN=((?:\\,|[^,])+)/.exec(subject);
  return m ? m[1]!.replace(/\\,/g, ',').trim() : subject;
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}
