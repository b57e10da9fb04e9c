/**
 * The gate's own journal for the staff monitor: today's entries (passes, refusals, manual opens) with
 * a small capture thumbnail, and the alerts with their acknowledgement. Kept in the gate's one
 * database beside the roster and the sync log (gate-database.node.ts; WAL, synchronous=FULL), so a
 * restart keeps the day's picture and the anti-passback set. The central's copy of every decision is
 * the sync log's `gate.check` event, written in the same transaction as the entry here; this journal
 * is the local view, and it holds a masked name and the expert id, never a full name.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ApiError } from '@kawei/shared/errors.ts';
import { seatSchema, type GateAlert, type MonitorEntry, type RefusalReason, type SeatView } from '@kawei/shared/contract/gate-check.ts';
import type { SqliteDatabase } from '@kawei/shared/store/sqlite.node.ts';
import { openGateDatabase } from '../gate-database.node.ts';

export interface JournalEntry {
  checkId: string;
  date: string;
  at: number;
  decision: MonitorEntry['decision'];
  reason: RefusalReason | null;
  /** The expert id (never shown; used for anti-passback, the counts and the enrolled photo). */
  expert: string | null;
  maskedName: string | null;
  codename: string | null;
  seat: SeatView | null;
  similarity: number | null;
  capture: string | null;
  note: string | null;
}

interface EntryRow {
  check_id: string;
  date: string;
  at: number;
  decision: string;
  reason: string | null;
  expert: string | null;
  masked_name: string | null;
  codename: string | null;
  seat_json: string | null;
  similarity: number | null;
  capture: string | null;
  note: string | null;
}

interface AlertRow {
  alert_id: string;
  at: number;
  kind: string;
  check_id: string | null;
  device: string | null;
  acknowledged_at: number | null;
}

const decisionSchema = z.enum(['pass', 'refused', 'manual_open']);

export class GateJournal {
  private constructor(
    private readonly db: SqliteDatabase,
    private readonly ownsDatabase: boolean,
  ) {}

  /** On the gate's database (`database`, shared by the services), or opened from `dataDir`. */
  static open(dataDir: string, database?: SqliteDatabase): GateJournal {
    return new GateJournal(database ?? openGateDatabase(dataDir).db, database === undefined);
  }

  addEntry(e: JournalEntry): void {
    this.db
      .prepare(
        `INSERT INTO entry (check_id, date, at, decision, reason, expert, masked_name, codename, seat_json, similarity, capture, note)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        e.checkId,
        e.date,
        e.at,
        e.decision,
        e.reason,
        e.expert,
        e.maskedName,
        e.codename,
        e.seat === null ? null : JSON.stringify(e.seat),
        e.similarity,
        e.capture,
        e.note,
      );
  }

  /** The newest `limit` entries of `date`, newest first. */
  entries(date: string, limit = 50): JournalEntry[] {
    const rows = this.db.prepare('SELECT * FROM entry WHERE date = ? ORDER BY at DESC, rowid DESC LIMIT ?').all(date, limit) as EntryRow[];
    return rows.map((r) => ({
      checkId: r.check_id,
      date: r.date,
      at: r.at,
      decision: decisionSchema.parse(r.decision),
      reason: r.reason as RefusalReason | null,
      expert: r.expert,
      maskedName: r.masked_name,
      codename: r.codename,
      seat: r.seat_json === null ? null : seatSchema.parse(JSON.parse(r.seat_json)),
      similarity: r.similarity,
      capture: r.capture,
      note: r.note,
    }));
  }

  /** Experts who passed on `date` (anti-passback at the entrance), with the room they were sent to. */
  passes(date: string): Map<string, string> {
    const rows = this.db
      .prepare(`SELECT expert, seat_json FROM entry WHERE date = ? AND decision = 'pass' AND expert IS NOT NULL ORDER BY at`)
      .all(date) as { expert: string; seat_json: string | null }[];
    const out = new Map<string, string>();
    for (const r of rows) {
      const seat = r.seat_json === null ? null : seatSchema.parse(JSON.parse(r.seat_json));
      out.set(r.expert, seat?.roomId ?? '');
    }
    return out;
  }

  addAlert(alert: { date: string; at: number; kind: GateAlert['kind']; checkId: string | null; device: string | null }): string {
    const alertId = randomUUID();
    this.db
      .prepare('INSERT INTO alert (alert_id, date, at, kind, check_id, device, acknowledged_at) VALUES (?, ?, ?, ?, ?, ?, NULL)')
      .run(alertId, alert.date, alert.at, alert.kind, alert.checkId, alert.device);
    return alertId;
  }

  /** Alerts of `date`: the unacknowledged ones first, then the newest acknowledged, newest first within each. */
  alerts(date: string, limit = 100): GateAlert[] {
    const rows = this.db
      .prepare('SELECT * FROM alert WHERE date = ? ORDER BY acknowledged_at IS NOT NULL, at DESC, rowid DESC LIMIT ?')
      .all(date, limit) as AlertRow[];
    return rows.map((r) => ({
      alertId: r.alert_id,
      at: r.at,
      kind: r.kind as GateAlert['kind'],
      checkId: r.check_id,
      device: r.device,
      acknowledged: r.acknowledged_at !== null,
    }));
  }

  acknowledge(alertId: string, at: number): void {
    const row = this.db.prepare('SELECT acknowledged_at FROM alert WHERE alert_id = ?').get(alertId) as
      | { acknowledged_at: number | null }
      | undefined;
    if (!row) throw new ApiError('NOT_FOUND', `no alert ${alertId}`);
    if (row.acknowledged_at === null) this.db.prepare('UPDATE alert SET acknowledged_at = ? WHERE alert_id = ?').run(at, alertId);
  }

  /** Forgets entries and alerts of days before `date` (thumbnails are not kept longer than the day). */
  purgeBefore(date: string): void {
    this.db.prepare('DELETE FROM entry WHERE date < ?').run(date);
    this.db.prepare('DELETE FROM alert WHERE date < ?').run(date);
  }

  close(): void {
    if (this.ownsDatabase) this.db.close();
  }
}
