/**
 * What the booth does the same way with every committee-side downstream message (`committee.booth`
 * for the review, `report.booth` for the report): applied once, inside the inbox transaction, never
 * thrown (a throw would roll the inbox back and refuse the message forever: a message this booth
 * cannot use is logged and remembered as skipped in applied_message), and refused when it is not for
 * today's seat here.
 */
import type { SqliteDatabase } from '@kawei/shared/store/sqlite.node.ts';

export interface InboxMessage {
  id: string;
  type: string;
  payload: unknown;
}

/**
 * Applies `message` once: 'duplicate' when its id is already in applied_message, 'malformed' when
 * `apply` throws; the outcome is recorded under the message's id either way.
 */
export function applyOnce<O extends string>(
  db: SqliteDatabase,
  message: InboxMessage,
  at: number,
  log: (message: string) => void,
  apply: (id: string, payload: unknown) => O,
): O | 'duplicate' | 'malformed' {
  if (db.prepare('SELECT 1 FROM applied_message WHERE id = ?').get(message.id) !== undefined) return 'duplicate';
  let outcome: O | 'malformed';
  try {
    outcome = apply(message.id, message.payload);
  } catch (error) {
    log(`${message.type} ${message.id} skipped: ${(error as Error).message}`);
    outcome = 'malformed';
  }
  db.prepare('INSERT OR IGNORE INTO applied_message (id, type, outcome, applied_at) VALUES (?, ?, ?, ?)').run(message.id, message.type, outcome, at);
  return outcome;
}

/**
 * Why a message for (date, project, code name) is not for this booth, or null: today's only; and
 * when the roster already seats someone here, that seat's project and code name.
 */
export function seatMismatch(
  p: { date: string; project: string; codename: string },
  today: string,
  seat: { project: string; codename: string } | null,
): string | null {
  if (p.date !== today) return `it is for ${p.date}, today is ${today}`;
  if (seat !== null && (seat.project !== p.project || seat.codename !== p.codename)) {
    return `it is for ${p.project} / ${p.codename}, this booth seats ${seat.project} / ${seat.codename}`;
  }
  return null;
}
