import { publicKeyFromBase64 } from '@kawei/shared/crypto/ed25519.node.ts';
import { checkEventSeal } from '@kawei/shared/sync/event-chain.node.ts';
import {
  chairNamedPayloadSchema,
  COMMITTEE_EVENTS,
  committeeAcceptedPayloadSchema,
  committeeOpenedPayloadSchema,
  committeeRefusedPayloadSchema,
  recheckRequestedPayloadSchema,
  replacedPayloadSchema,
  resultsConfirmedPayloadSchema,
} from '@kawei/shared/committee/committee-events.ts';
import {
  REPORT_EVENTS,
  reportAcceptedPayloadSchema,
  reportAnnexedPayloadSchema,
  reportDissentClosedPayloadSchema,
  reportRefusedPayloadSchema,
  reportRenderedPayloadSchema,
  reportSupervisorSignedPayloadSchema,
  reportUnsignedRecordedPayloadSchema,
} from '@kawei/shared/report/report-events.ts';
import type { z } from 'zod';
import type { CentralStore } from '../storage/central-store.ts';
import type { SyncStore } from '../storage/sync-store.ts';
import type { CommitteeStore, LedgerEvent } from '../storage/committee-store.ts';
import { toLedgerEntries, verifyLedgerChain } from './committee-ledger.node.ts';
import { namedRef, recordOf, sinceLastOpening } from './committee-service.node.ts';
import { applyLedgerEntry, judgeBoothEvent, judgeOperatorAct, openCommitteeState, type OperatorAct } from './committee-state.ts';
import type { BoothEventRecord, CommitteeState } from './committee-types.ts';

/**
 * `results verify`: the committee's record re-derived, not trusted. Checks, for one committee:
 *
 *   1. the whole ledger chain: every event sealed by the central's key, consecutive from 1, chained
 *      from the genesis of the central's id (the same checkChain as a device's log);
 *   2. each of the committee's ledger events: its payload fits its type's schema, and the date and
 *      project it was filed under (columns outside the hash) are the payload's own;
 *   3. every booth event the ledger accepted or refused: stored, with the hash and type the ledger
 *      names, and sealed by its device's enrolled key;
 *   4. every verdict again: the committee replayed up to that point judges the booth event the same
 *      way (accepted, or refused for the same reason), and every operator act is allowed there;
 *   5. the final replay finds no inconsistency.
 *
 * Any fault: the operator gets every one found, by code, ledger seq and detail (code names only).
 */
export const VERIFY_FAULT_CODES = [
  'CHAIN_BROKEN',
  'FILED_WRONG',
  'PAYLOAD_INVALID',
  'EVENT_MISSING',
  'EVENT_DIFFERS',
  'EVENT_SEAL',
  'VERDICT_DIFFERS',
  'ACT_NOT_ALLOWED',
  'REPLAY_PROBLEM',
] as const;
export type VerifyFaultCode = (typeof VERIFY_FAULT_CODES)[number];

export interface VerifyFault {
  code: VerifyFaultCode;
  /** The ledger seq concerned (null: the committee as a whole). */
  seq: number | null;
  detail: string;
}

export interface CommitteeVerification {
  date: string;
  project: string;
  /** Events in the whole ledger, and in this committee's. */
  ledgerEvents: number;
  committeeEvents: number;
  boothEvents: number;
  faults: VerifyFault[];
  state: CommitteeState | null;
}

const PAYLOAD_SCHEMAS: Record<string, z.ZodType> = {
  [COMMITTEE_EVENTS.opened]: committeeOpenedPayloadSchema,
  [COMMITTEE_EVENTS.accepted]: committeeAcceptedPayloadSchema,
  [COMMITTEE_EVENTS.refused]: committeeRefusedPayloadSchema,
  [COMMITTEE_EVENTS.chairNamed]: chairNamedPayloadSchema,
  [COMMITTEE_EVENTS.recheckRequested]: recheckRequestedPayloadSchema,
  [COMMITTEE_EVENTS.replaced]: replacedPayloadSchema,
  [COMMITTEE_EVENTS.resultsConfirmed]: resultsConfirmedPayloadSchema,
  // The report's entries (issue #14) share the ledger: their form is checked here, their meaning by `report verify`.
  [REPORT_EVENTS.rendered]: reportRenderedPayloadSchema,
  [REPORT_EVENTS.accepted]: reportAcceptedPayloadSchema,
  [REPORT_EVENTS.refused]: reportRefusedPayloadSchema,
  [REPORT_EVENTS.dissentClosed]: reportDissentClosedPayloadSchema,
  [REPORT_EVENTS.supervisorSigned]: reportSupervisorSignedPayloadSchema,
  [REPORT_EVENTS.annexed]: reportAnnexedPayloadSchema,
  [REPORT_EVENTS.unsignedRecorded]: reportUnsignedRecordedPayloadSchema,
};

/** The booth event a committee.* or report.* verdict names: it must be stored, unchanged and sealed by its device. */
function verdictRef(e: LedgerEvent): { device: string; seq: number; hash: string } | null {
  if (e.type !== REPORT_EVENTS.accepted && e.type !== REPORT_EVENTS.refused) return namedRef(e);
  const { device, seq, hash } = e.payload;
  return typeof device === 'string' && typeof seq === 'number' && typeof hash === 'string' ? { device, seq, hash } : null;
}

export async function verifyCommittee(
  store: CentralStore & SyncStore & CommitteeStore,
  date: string,
  project: string,
): Promise<CommitteeVerification> {
  const faults: VerifyFault[] = [];
  const chain = await verifyLedgerChain(store);
  if (chain.fault) {
    const seq = 'seq' in chain.fault ? chain.fault.seq : null;
    faults.push({ code: 'CHAIN_BROKEN', seq, detail: chain.fault.kind });
  }
  const ledger = await store.listLedger({ date, project });
  for (const e of ledger) {
    if (e.payload['date'] !== e.date || e.payload['project'] !== e.project) {
      faults.push({ code: 'FILED_WRONG', seq: e.seq, detail: `filed under ${e.date}/${e.project}` });
    }
    const schema = PAYLOAD_SCHEMAS[e.type];
    const parsed = schema?.safeParse(e.payload);
    if (!schema || !parsed?.success) {
      faults.push({ code: 'PAYLOAD_INVALID', seq: e.seq, detail: schema ? (parsed?.error?.issues[0]?.message ?? '') : `unknown type ${e.type}` });
    }
  }

  // The booth events the ledger names, checked against the store and their devices' keys.
  const events = new Map<string, BoothEventRecord>();
  let boothEvents = 0;
  for (const e of ledger) {
    const ref = verdictRef(e);
    if (!ref) continue;
    const stored = await store.getEvent(ref.device, ref.seq);
    if (!stored) {
      faults.push({ code: 'EVENT_MISSING', seq: e.seq, detail: `${ref.device}#${ref.seq}` });
      continue;
    }
    boothEvents++;
    if (stored.hash !== ref.hash || stored.type !== e.payload['type']) {
      faults.push({ code: 'EVENT_DIFFERS', seq: e.seq, detail: `${ref.device}#${ref.seq}` });
    }
    const device = await store.getDevice(ref.device);
    const key = device ? publicKeyFromBase64(device.publicKey) : null;
    const seal = key ? checkEventSeal(stored, ref.device, key) : { kind: 'no-device-key' };
    if (seal) faults.push({ code: 'EVENT_SEAL', seq: e.seq, detail: `${ref.device}#${ref.seq}: ${seal.kind}` });
    events.set(`${ref.device}#${ref.seq}`, recordOf(stored));
  }

  // Every verdict again, on the committee as it stood just before it.
  const current = sinceLastOpening(ledger);
  const entries = toLedgerEntries(current);
  const lookup = (device: string, seq: number) => events.get(`${device}#${seq}`);
  let state: CommitteeState | null = null;
  if (current.length > 0) {
    // One step through the ledger: each entry is judged against the state before it, then applied
    // (the fold replayCommittee makes, so the last state is the replay's).
    let before = openCommitteeState(entries[0]!);
    for (let i = 1; i < current.length; i++) {
      const e = current[i]!;
      const fault = reJudge(before, e, lookup);
      if (fault) faults.push({ ...fault, seq: e.seq });
      before = applyLedgerEntry(before, entries[i]!, lookup);
    }
    state = before;
    for (const problem of state.problems) faults.push({ code: 'REPLAY_PROBLEM', seq: null, detail: problem.en });
  }
  return { date, project, ledgerEvents: chain.events, committeeEvents: ledger.length, boothEvents, faults, state };
}

function reJudge(
  before: CommitteeState,
  e: LedgerEvent,
  lookup: (device: string, seq: number) => BoothEventRecord | undefined,
): Omit<VerifyFault, 'seq'> | null {
  const p = e.payload;
  const ref = namedRef(e);
  if (ref) {
    const record = lookup(ref.device, ref.seq);
    if (!record) return null; // reported as EVENT_MISSING
    const verdict = judgeBoothEvent(before, record);
    const recorded = e.type === COMMITTEE_EVENTS.accepted ? 'accepted' : `refused:${String(p['reason'])}`;
    const now = verdict.accept ? 'accepted' : `refused:${verdict.reason}`;
    return recorded === now ? null : { code: 'VERDICT_DIFFERS', detail: `recorded ${recorded}, re-derived ${now}` };
  }
  const act = actOf(e);
  if (!act) return null;
  const verdict = judgeOperatorAct(before, act);
  return verdict.ok ? null : { code: 'ACT_NOT_ALLOWED', detail: `${e.type}: ${verdict.code}` };
}

/** The operator act a ledger event records (chair named by the centre, re-check, replacement, confirmation). */
function actOf(e: LedgerEvent): OperatorAct | null {
  switch (e.type) {
    case COMMITTEE_EVENTS.chairNamed: {
      const p = chairNamedPayloadSchema.safeParse(e.payload);
      return p.success && p.data.by === 'centre' ? { kind: 'name_chair', codename: p.data.codename, operator: p.data.operator ?? '', why: p.data.why } : null;
    }
    case COMMITTEE_EVENTS.recheckRequested: {
      const p = recheckRequestedPayloadSchema.safeParse(e.payload);
      return p.success ? { kind: 'request_recheck', recheck: p.data.recheck, operator: p.data.operator, why: p.data.why } : null;
    }
    case COMMITTEE_EVENTS.replaced: {
      const p = replacedPayloadSchema.safeParse(e.payload);
      return p.success
        ? { kind: 'replace', codename: p.data.codename, reason: p.data.reason, replacement: p.data.replacement, operator: p.data.operator, why: p.data.why }
        : null;
    }
    case COMMITTEE_EVENTS.resultsConfirmed: {
      const p = resultsConfirmedPayloadSchema.safeParse(e.payload);
      return p.success ? { kind: 'confirm_results', resultsSha256: p.data.resultsSha256, operator: p.data.operator, why: p.data.why } : null;
    }
    default:
      return null;
  }
}
