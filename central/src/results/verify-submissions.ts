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
 *      signed content, its hash, the CMS, the signer and the signing time (DOCUMENT_MISMATCH);
 *   5. the event must agree with the `roster.booth` the central sent that device for that date: expert
 *      id (which is not signed), code name and project of a commitment, code name (when the sheet has
 *      one) and project of a score sheet (ROSTER_MISMATCH); no such roster is a warning (NO_ROSTER);
 *   6. revocation: the verdict carries what the CMS check found at the signingTime (`revocation`,
 *      `crlStale`, `revocationChecks`). signingTime is the booth's claim, so a valid signature is
 *      checked again at the event's `receivedAt` (the central's clock): revoked by then is a warning
 *      (REVOKED_BEFORE_RECEIPT), not a problem — the time rule of docs/SIGNING.md keeps it valid.
 *
 * Warnings never make a verdict invalid. Read-only: events and downstream messages are listed device
 * by device through the store interface (SQLite or PostgreSQL).
 */
import { z } from 'zod';
import { boothRosterPayloadSchema, ROSTER_BOOTH_MESSAGE, type BoothRosterPayload } from '@kawei/shared/api/booth-roster.ts';
import type { DeviceRecord } from '@kawei/shared/api/central-http.ts';
import {
  COMMITMENT_SIGNED_EVENT,
  commitmentLetterSchema,
  commitmentSignedPayloadSchema,
  scoresSubmittedPayloadSchema,
  SIGNED_SUBMISSION_EVENTS,
} from '@kawei/shared/api/signed-submissions.ts';
import { preliminarySignedPayloadSchema, REVIEW_EVENTS } from '@kawei/shared/committee/committee-events.ts';
import { verifyDetachedCms, type VerifyResult } from '@kawei/shared/signing/cms.ts';
import { SIGNING_MESSAGES, type SigningErrorCode } from '@kawei/shared/signing/signing-errors.ts';
import type { RevocationCheck, TrustList } from '@kawei/shared/signing/trust-list.ts';
import { canonicalJson } from '@kawei/shared/sync/canonical-json.ts';
import type { StoredEvent, SyncStore } from '../storage/sync-store.ts';
import type { CentralStore } from '../storage/central-store.ts';
import { type MessagePair, messagePair, withDetail } from '@kawei/shared/i18n/bilingual.ts';

export type SubmissionKind = 'commitment' | 'score-sheet' | 'preliminary';

/** The events this check verifies: the commitment, the score sheet (versions 1 and 2) and the preliminary review (issue #13). */
export const VERIFIED_SUBMISSION_EVENTS: readonly string[] = [...SIGNED_SUBMISSION_EVENTS, REVIEW_EVENTS.preliminarySigned];

function kindOf(type: string): SubmissionKind {
  if (type === COMMITMENT_SIGNED_EVENT) return 'commitment';
  return type === REVIEW_EVENTS.preliminarySigned ? 'preliminary' : 'score-sheet';
}

/** Codes of this check on top of the signing layer's. */
const SUBMISSION_PROBLEM_CODES = ['PAYLOAD_INVALID', 'DOCUMENT_MISMATCH', 'ROSTER_MISMATCH'] as const;
export const SUBMISSION_MESSAGES: Readonly<Record<(typeof SUBMISSION_PROBLEM_CODES)[number], MessagePair>> = Object.fromEntries(
  SUBMISSION_PROBLEM_CODES.map((code) => [code, messagePair(`results.problem.${code}`)]),
) as Record<(typeof SUBMISSION_PROBLEM_CODES)[number], MessagePair>;
export type SubmissionCode = keyof typeof SUBMISSION_MESSAGES | SigningErrorCode;

export interface SubmissionProblem {
  code: SubmissionCode;
  zh: string;
  en: string;
}

/** What the operator should know about a submission without making it invalid. */
const SUBMISSION_WARNING_CODES = ['REVOKED_BEFORE_RECEIPT', 'NO_ROSTER'] as const;
export const SUBMISSION_WARNINGS: Readonly<Record<(typeof SUBMISSION_WARNING_CODES)[number], MessagePair>> = Object.fromEntries(
  SUBMISSION_WARNING_CODES.map((code) => [code, messagePair(`results.warning.${code}`)]),
) as Record<(typeof SUBMISSION_WARNING_CODES)[number], MessagePair>;
export type SubmissionWarningCode = keyof typeof SUBMISSION_WARNINGS;

export interface SubmissionWarning {
  code: SubmissionWarningCode;
  zh: string;
  en: string;
  /** REVOKED_BEFORE_RECEIPT: the CRL entry's revocationDate (ISO). */
  revokedAt?: string;
}

/** One certificate of the verified path against its issuer's CRL (RevocationCheck, as JSON). */
export interface SubmissionRevocationCheck {
  subject: string;
  serial: string;
  /** The CA that issued it: the CRL looked for is this CA's. */
  issuer: string;
  /** 'revoked' only in a CERT_REVOKED verdict. */
  status: 'good' | 'unknown' | 'revoked';
  /** Where the CRL used came from (a file of the trust folder); null when the CA has none. */
  crl: string | null;
  /** The CRL was past its nextUpdate at the check time. */
  stale: boolean;
  /** When the certificate is on the CRL (with status 'good': revoked after the signing time). */
  revokedAt: string | null;
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
  /** The central's clock when the event arrived (epoch ms). */
  receivedAt: number;
  /**
   * Revocation at the signing time, when the CMS verified: 'good' (every certificate on the path
   * checked against its CA's CRL) or 'unknown' (a CA on the path has no CRL); null when it did not verify.
   */
  revocation: 'good' | 'unknown' | null;
  /** A CRL the check used was past its nextUpdate at the signing time (used all the same). */
  crlStale: boolean;
  /** Per certificate on the path (leaf first): which CA's CRL, good / unknown / stale. Empty when not verified (but for CERT_REVOKED). */
  revocationChecks: SubmissionRevocationCheck[];
  valid: boolean;
  /** Empty when valid; otherwise every reason found, the decisive one first. */
  problems: SubmissionProblem[];
  /** Never change `valid`: REVOKED_BEFORE_RECEIPT, NO_ROSTER. */
  warnings: SubmissionWarning[];
}

export interface SubmissionFilter {
  /** YYYY-MM-DD, matched against the event's `date`. */
  date?: string | undefined;
  project?: string | undefined;
}

export type SubmissionStore = Pick<SyncStore, 'listEvents' | 'messagesAfter'> & Pick<CentralStore, 'listDevices'>;

const PAGE = 2000;

export interface SignedSubmission {
  device: DeviceRecord;
  event: StoredEvent;
  /** Every `roster.booth` the central sent this device (any date, in the order sent). */
  rosters: BoothRosterPayload[];
}

/**
 * Every signed submission in the store (devices in enrolment order, each in seq order), filtered by
 * the event's date and project, with the rosters the central sent its device. An event whose
 * filtered field cannot be read as text is kept: a malformed event must be reported, not filtered away.
 */
export async function listSignedSubmissions(store: SubmissionStore, filter: SubmissionFilter = {}): Promise<SignedSubmission[]> {
  const found: SignedSubmission[] = [];
  const types = VERIFIED_SUBMISSION_EVENTS;
  for (const device of await store.listDevices()) {
    let rosters: BoothRosterPayload[] | undefined;
    for (let from = 1; ; ) {
      const page = await store.listEvents(device.id, from, PAGE);
      for (const event of page) {
        if (!types.includes(event.type) || !matches(event, filter)) continue;
        rosters ??= await listBoothRosters(store, device.id);
        found.push({ device, event, rosters });
      }
      if (page.length < PAGE) break;
      from = page.at(-1)!.seq + 1;
    }
  }
  return found;
}

/**
 * The `roster.booth` messages the central sent to this device (not broadcasts: a roster names one
 * booth's seat), in cursor order; one whose payload does not fit the schema is left out, as the booth
 * skips it.
 */
export async function listBoothRosters(store: Pick<SyncStore, 'messagesAfter'>, deviceId: string): Promise<BoothRosterPayload[]> {
  const rosters: BoothRosterPayload[] = [];
  for (let after = 0; ; ) {
    const page = await store.messagesAfter(deviceId, after, PAGE);
    for (const message of page) {
      if (message.deviceId !== deviceId || message.type !== ROSTER_BOOTH_MESSAGE) continue;
      const parsed = boothRosterPayloadSchema.safeParse(message.payload);
      if (parsed.success) rosters.push(parsed.data);
    }
    if (page.length < PAGE) break;
    after = page.at(-1)!.cursor;
  }
  return rosters;
}

function matches(event: StoredEvent, filter: SubmissionFilter): boolean {
  const keep = (field: 'date' | 'project', wanted: string | undefined) => {
    if (wanted === undefined) return true;
    const value = event.payload[field];
    return typeof value !== 'string' || value === wanted;
  };
  return keep('date', filter.date) && keep('project', filter.project);
}

/**
 * Verifies one event (see the file comment); never throws for anything the event carries. `rosters`:
 * the `roster.booth` payloads the central sent the event's device (listBoothRosters); none means
 * the roster cannot be cross-checked (NO_ROSTER), never that it is skipped silently.
 */
export async function verifySubmission(
  event: StoredEvent,
  trustList: TrustList,
  device?: DeviceRecord,
  rosters: readonly BoothRosterPayload[] = [],
): Promise<SubmissionVerdict> {
  const kind = kindOf(event.type);
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
    codename: kind === 'score-sheet' ? (isRecord(sheet) ? text(sheet['codename']) : null) : text(p['codename']),
    expert: kind === 'commitment' ? text(p['expert']) : null,
    signer: null,
    signedAt: typeof p['signedAt'] === 'number' ? p['signedAt'] : null,
    receivedAt: event.receivedAt,
    revocation: null,
    crlStale: false,
    revocationChecks: [],
    valid: false,
    problems: [],
    warnings: [],
  };
  try {
    const checked =
      kind === 'commitment'
        ? await checkCommitment(event, trustList)
        : kind === 'preliminary'
          ? await checkPreliminary(event, trustList)
          : await checkScoreSheet(event, trustList);
    if ('problem' in checked) {
      verdict.problems.push(checked.problem);
      return verdict;
    }
    const { result, mismatches, claimed, verifyAt } = checked;
    if (result.ok) {
      verdict.signer = { subject: result.subject, issuer: result.issuer, serial: result.serial, algorithm: result.algorithm, verified: true };
      verdict.revocation = result.revocation ?? 'unknown';
      verdict.crlStale = result.crlStale ?? false;
      verdict.revocationChecks = (result.revocationChecks ?? []).map(checkOf);
    } else {
      // Not verified: what the CMS names (or the event claims), for the operator to follow up.
      verdict.signer = { subject: result.subject ?? claimed.subject, issuer: claimed.issuer, serial: claimed.serial, algorithm: null, verified: false };
      verdict.problems.push({ code: result.code, zh: result.zh, en: result.en });
      // A revoked certificate was decided by a CRL: say which (the CRL report counts it as used).
      if (result.code === 'CERT_REVOKED' && result.details) verdict.revocationChecks = [revokedCheckOf(result.details)];
    }
    if (result.signingTime) verdict.signedAt = result.signingTime.getTime();
    if (mismatches.length > 0) {
      const fields = mismatches.join(', ');
      const m = withDetail(SUBMISSION_MESSAGES.DOCUMENT_MISMATCH, messagePair('results.detail.fields', { fields }));
      verdict.problems.push({ code: 'DOCUMENT_MISMATCH', ...m });
    }
    const roster = rosterCheck(verdict, rosters);
    if (roster?.kind === 'problem') verdict.problems.push(roster.problem);
    if (roster?.kind === 'warning') verdict.warnings.push(roster.warning);
    if (result.ok) {
      const revoked = await revokedBeforeReceipt(result, verifyAt, event.receivedAt);
      if (revoked !== null) verdict.warnings.unshift(revoked);
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

// ── the roster ──────────────────────────────────────────────────────────────────────────────────

/**
 * The event against the `roster.booth` messages of its date. Any of them matching is enough (a day
 * re-published sends a second roster, and the booth may have signed under the first); when none
 * does, the fields that differ from the latest are named — field names only, never the values (the
 * problem is printed, and an expert id must not be).
 */
function rosterCheck(
  verdict: SubmissionVerdict,
  rosters: readonly BoothRosterPayload[],
): { kind: 'problem'; problem: SubmissionProblem } | { kind: 'warning'; warning: SubmissionWarning } | null {
  const sameDay = rosters.filter((r) => r.date === verdict.date);
  if (sameDay.length === 0) return { kind: 'warning', warning: { code: 'NO_ROSTER', ...SUBMISSION_WARNINGS.NO_ROSTER } };
  const compared = (r: BoothRosterPayload): [string, string | null, string][] => {
    const pairs: [string, string | null, string][] = [];
    if (verdict.kind === 'commitment') pairs.push(['expert', verdict.expert, r.expert], ['codename', verdict.codename, r.codename]);
    else if (verdict.codename !== null) pairs.push(['codename', verdict.codename, r.codename]);
    pairs.push(['project', verdict.project, r.project]);
    return pairs;
  };
  const differing = sameDay.map((r) => compared(r).flatMap(([field, ours, theirs]) => (ours === theirs ? [] : [field])));
  if (differing.some((fields) => fields.length === 0)) return null;
  const fields = differing.at(-1)!.join(', ');
  const m = withDetail(SUBMISSION_MESSAGES.ROSTER_MISMATCH, messagePair('results.detail.fields', { fields }));
  return { kind: 'problem', problem: { code: 'ROSTER_MISMATCH', ...m } };
}

// ── revocation ──────────────────────────────────────────────────────────────────────────────────

/**
 * A valid signature checked again at the central's receipt time: CERT_REVOKED there means a
 * certificate on the path was revoked between the booth's claimed signingTime and the receipt.
 * Only asked when it can differ: the CRLs chosen do not depend on the time, so a revocation by then
 * shows in the first check as a `revokedAt` after the signing time. When the second check stops
 * earlier (the certificate expired by then, say), the first check's revokedAt decides.
 */
async function revokedBeforeReceipt(
  first: Extract<VerifyResult, { ok: true }>,
  verifyAt: (at: Date) => Promise<VerifyResult>,
  receivedAt: number,
): Promise<SubmissionWarning | null> {
  const signedAt = first.signingTime?.getTime();
  if (signedAt === undefined || receivedAt <= signedAt) return null;
  const before = (first.revocationChecks ?? []).filter((c) => c.revokedAt !== undefined && c.revokedAt.getTime() <= receivedAt);
  if (before.length === 0) return null;
  const again = await verifyAt(new Date(receivedAt));
  if (again.ok) return null;
  const d = again.code === 'CERT_REVOKED' ? again.details : undefined;
  const revokedAt = typeof d?.['revokedAt'] === 'string' ? d['revokedAt'] : before[0]!.revokedAt!.toISOString();
  const serial = typeof d?.['serial'] === 'string' ? d['serial'] : before[0]!.serial;
  const ca = d === undefined ? before[0]!.subject !== first.subject || before[0]!.serial !== first.serial : d['leaf'] === false;
  const signed = new Date(signedAt).toISOString();
  const received = new Date(receivedAt).toISOString();
  const detail = messagePair(ca ? 'results.detail.revokedCa' : 'results.detail.revokedLeaf', { serial, revokedAt, signed, received });
  return { code: 'REVOKED_BEFORE_RECEIPT', ...withDetail(SUBMISSION_WARNINGS.REVOKED_BEFORE_RECEIPT, detail), revokedAt };
}

function checkOf(c: RevocationCheck): SubmissionRevocationCheck {
  return {
    subject: c.subject,
    serial: c.serial,
    issuer: c.issuer,
    status: c.status,
    crl: c.crl?.source ?? null,
    stale: c.stale,
    revokedAt: c.revokedAt?.toISOString() ?? null,
  };
}

function revokedCheckOf(d: Readonly<Record<string, string | number | boolean | null>>): SubmissionRevocationCheck {
  const text = (key: string) => (typeof d[key] === 'string' ? d[key] : null);
  return {
    subject: text('subject') ?? '',
    serial: text('serial') ?? '',
    issuer: text('issuer') ?? '',
    status: 'revoked',
    crl: text('crl'),
    stale: d['crlStale'] === true,
    revokedAt: text('revokedAt'),
  };
}

/** A CRL the verifications relied on, with what the trust list read from it. */
export interface CrlUsed {
  source: string;
  /** The CA whose CRL it is. */
  issuer: string;
  thisUpdate: string | null;
  nextUpdate: string | null;
  crlNumber: string | null;
  /** Entries on it. */
  revoked: number | null;
  /** Past its nextUpdate at the signing time of at least one verification that used it. */
  stale: boolean;
  /** How many submissions' checks used it. */
  verifications: number;
}

/**
 * What the verifications relied on, from their own revocation checks — so an issuing CA that came
 * inside a CMS counts as much as one of the trust folder: the CRLs used (by any certificate of any
 * verified path, or to refuse a revoked one), and the CAs on verified paths that have no CRL.
 */
export function revocationSummary(verdicts: readonly SubmissionVerdict[], trustList: TrustList): { crls: CrlUsed[]; withoutCrl: string[] } {
  const crls = new Map<string, CrlUsed>();
  const withoutCrl = new Set<string>();
  for (const v of verdicts) {
    const counted = new Set<string>();
    for (const c of v.revocationChecks) {
      if (c.crl === null) {
        if (c.status === 'unknown') withoutCrl.add(c.issuer);
        continue;
      }
      let used = crls.get(c.crl);
      if (used === undefined) {
        const read = trustList.crls?.find((l) => l.source === c.crl);
        used = {
          source: c.crl,
          issuer: c.issuer,
          thisUpdate: read?.thisUpdate.toISOString() ?? null,
          nextUpdate: read?.nextUpdate?.toISOString() ?? null,
          crlNumber: read?.crlNumber?.toString() ?? null,
          revoked: read?.revoked.size ?? null,
          stale: false,
          verifications: 0,
        };
        crls.set(c.crl, used);
      }
      used.stale ||= c.stale;
      if (!counted.has(c.crl)) {
        counted.add(c.crl);
        used.verifications++;
      }
    }
  }
  return { crls: [...crls.values()], withoutCrl: [...withoutCrl] };
}

// ── the two documents ───────────────────────────────────────────────────────────────────────────

type Checked =
  | { problem: SubmissionProblem }
  | {
      result: VerifyResult;
      mismatches: string[];
      claimed: { subject: string; issuer: string; serial: string };
      /** The same CMS over the same bytes, checked at another instant. */
      verifyAt: (at: Date) => Promise<VerifyResult>;
    };

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
  return { result, mismatches, claimed: payload.document.signer, verifyAt: (at) => verifyCms(signedText, payload.cms, trustList, at) };
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
  return { result, mismatches, claimed: payload.signed.signer, verifyAt: (at) => verifyCms(signedText, payload.cms, trustList, at) };
}

/** The preliminary review: signed like the score sheet, over the canonical JSON of `document`. */
async function checkPreliminary(event: StoredEvent, trustList: TrustList): Promise<Checked> {
  const parsed = preliminarySignedPayloadSchema.safeParse(event.payload);
  if (!parsed.success) return { problem: schemaProblem(parsed.error) };
  const payload = parsed.data;
  // The raw document, not zod's copy: the signed bytes are exactly its canonical JSON.
  const signedText = canonicalJson(event.payload['document']);
  const result = await verifyCms(signedText, payload.cms, trustList);
  const mismatches = [
    ...differs('project', payload.document.project, payload.project),
    ...differs('date', payload.document.date, payload.date),
    ...differs('codename', payload.document.codename, payload.codename),
    ...differs('documentSha256', await sha256Hex(signedText), payload.documentSha256),
    ...differs('signed.content', signedText, payload.signed.content),
    ...differs('signed.contentSha256', await sha256Hex(payload.signed.content), payload.signed.contentSha256),
    ...differs('signed.cms', payload.signed.cms, payload.cms),
    ...signerMismatches(result, payload, payload.signed, 'signed'),
  ];
  return { result, mismatches, claimed: payload.signed.signer, verifyAt: (at) => verifyCms(signedText, payload.cms, trustList, at) };
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

async function verifyCms(signedText: string, cmsBase64: string, trustList: TrustList, at?: Date): Promise<VerifyResult> {
  let der: Uint8Array;
  try {
    der = Uint8Array.from(atob(cmsBase64), (c) => c.charCodeAt(0));
  } catch {
    const m = withDetail(SIGNING_MESSAGES.CMS_MALFORMED, messagePair('results.detail.notBase64'));
    return { ok: false, code: 'CMS_MALFORMED', ...m, subject: null, signingTime: null };
  }
  return verifyDetachedCms(new TextEncoder().encode(signedText), der, trustList, at === undefined ? {} : { at });
}

// ── helpers ─────────────────────────────────────────────────────────────────────────────────────

function problem(code: keyof typeof SUBMISSION_MESSAGES, detail: string): SubmissionProblem {
  return { code, ...withDetail(SUBMISSION_MESSAGES[code], detail) };
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
