/**
 * One project's record read from the central's store and replayed: the committee (committee.*
 * entries since the last opening) and its report (the report.* entries after the results'
 * confirmation), with the booth events the ledger accepted. Used by the report service, `report
 * verify` and the committee service's judging of report events.
 */
import { COMMITTEE_EVENTS } from '@kawei/shared/committee/committee-events.ts';
import { REPORT_EVENTS } from '@kawei/shared/report/report-events.ts';
import type { CommitteeStore, LedgerEvent } from '../storage/committee-store.ts';
import type { StoredEvent } from '../storage/sync-store.ts';
import { toLedgerEntries } from '../committee/committee-ledger.node.ts';
import { replayCommittee } from '../committee/committee-state.ts';
import type { BoothEventLookup, BoothEventRecord, CommitteeState, LedgerEntry } from '../committee/committee-types.ts';
import { replayReport } from './report-reducer.ts';
import type { ReportState } from './report-types.ts';

export interface ProjectRecord {
  committee: CommitteeState;
  /** Null until the committee's results are confirmed. */
  report: ReportState | null;
  /** The ledger since the committee's last opening, as replay entries. */
  entries: LedgerEntry[];
  /** Every ledger event of the project (all openings). */
  ledger: LedgerEvent[];
  lookup: BoothEventLookup;
}

/** The events of a project's ledger from its last committee.opened on ([] without one). */
export function sinceOpening(ledger: readonly LedgerEvent[]): LedgerEvent[] {
  for (let i = ledger.length - 1; i >= 0; i--) if (ledger[i]!.type === COMMITTEE_EVENTS.opened) return ledger.slice(i);
  return [];
}

/** The booth event an acceptance names (committee.accepted or report.accepted), whose payload a replay reads. */
export function acceptedRef(event: { type: string; payload: Record<string, unknown> }): { device: string; seq: number } | null {
  if (event.type !== COMMITTEE_EVENTS.accepted && event.type !== REPORT_EVENTS.accepted) return null;
  const { device, seq } = event.payload;
  return typeof device === 'string' && typeof seq === 'number' ? { device, seq } : null;
}

export function boothRecordOf(event: StoredEvent): BoothEventRecord {
  return { device: event.deviceId, seq: event.seq, hash: event.hash, type: event.type, payload: event.payload };
}

/** A cache of stored booth events the caller keeps (they never change), or none. */
export interface EventCache {
  get(key: string): BoothEventRecord | undefined;
  set(key: string, record: BoothEventRecord): void;
}

export async function loadProjectRecord(
  store: CommitteeStore,
  date: string,
  project: string,
  cache?: EventCache,
): Promise<ProjectRecord | null> {
  const ledger = await store.listLedger({ date, project });
  const current = sinceOpening(ledger);
  if (current.length === 0) return null;
  const records = new Map<string, BoothEventRecord>();
  await Promise.all(
    current.map(async (e) => {
      const ref = acceptedRef(e);
      if (ref === null) return;
      const key = `${ref.device}#${ref.seq}`;
      const cached = cache?.get(key);
      if (cached) {
        records.set(key, cached);
        return;
      }
      const stored = await store.getEvent(ref.device, ref.seq);
      if (!stored) return;
      const record = boothRecordOf(stored);
      cache?.set(key, record);
      records.set(key, record);
    }),
  );
  const lookup: BoothEventLookup = (device, seq) => records.get(`${device}#${seq}`);
  const entries = toLedgerEntries(current);
  const committee = replayCommittee(entries, lookup);
  return { committee, report: replayReport(committee, entries, lookup), entries, ledger, lookup };
}
