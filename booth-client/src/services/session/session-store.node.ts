/**
 * What the session must remember across a crash or a power cut, per day, in the booth's one database
 * (booth-database.node.ts; WAL, synchronous=FULL), written in the same transaction as the event that
 * reports it where there is one:
 * - the login failures so far (three, and staff are called: a restart does not give three more);
 * - a lock and its reason (a restart does not unlock the screen);
 * - the signed commitment letter, and the key that signed it (bound from then on);
 * - that the score sheet was submitted (cleared when the committee sends it back for re-check).
 * The phase itself is not stored: after a restart the booth is idle (or locked) and a face login
 * brings the expert back to the phase this progress implies.
 */
import type { SignedDocument } from '@kawei/shared/signing/canonical-signing.ts';
import { signedDocumentSchema } from '@kawei/shared/signing/canonical-signing.ts';
import { LOCK_REASONS } from '@kawei/shared/contract/booth-session.ts';
import type { SqliteDatabase } from '@kawei/shared/store/sqlite.node.ts';
import { openBoothDatabase } from '../booth-database.node.ts';

export type LockReason = (typeof LOCK_REASONS)[number];

export interface SessionProgress {
  loginFailures: number;
  lockReason: LockReason | null;
  commitment: { document: SignedDocument; signedAt: number; eventSeq: number } | null;
  tokenSerial: string | null;
  submittedAt: number | null;
}

interface Row {
  login_failures: number;
  lock_reason: string | null;
  commitment_json: string | null;
  commitment_signed_at: number | null;
  commitment_event_seq: number | null;
  token_serial: string | null;
  submitted_at: number | null;
}

const EMPTY: SessionProgress = { loginFailures: 0, lockReason: null, commitment: null, tokenSerial: null, submittedAt: null };

export class SessionStore {
  private constructor(
    private readonly db: SqliteDatabase,
    private readonly ownsDatabase: boolean,
    private readonly now: () => number,
  ) {}

  /** On the booth's database (`database`, shared by the services), or opened from `dataDir`. */
  static open(dataDir: string, now: () => number = Date.now, database?: SqliteDatabase): SessionStore {
    return new SessionStore(database ?? openBoothDatabase(dataDir).db, database === undefined, now);
  }

  progress(date: string, expert: string): SessionProgress {
    const row = this.db.prepare('SELECT * FROM session_day WHERE date = ? AND expert = ?').get(date, expert) as Row | undefined;
    if (!row) return { ...EMPTY };
    const lock = (LOCK_REASONS as readonly string[]).includes(row.lock_reason ?? '') ? (row.lock_reason as LockReason) : null;
    return {
      loginFailures: row.login_failures,
      lockReason: lock,
      commitment:
        row.commitment_json === null
          ? null
          : {
              document: signedDocumentSchema.parse(JSON.parse(row.commitment_json)),
              signedAt: row.commitment_signed_at ?? 0,
              eventSeq: row.commitment_event_seq ?? 0,
            },
      tokenSerial: row.token_serial,
      submittedAt: row.submitted_at,
    };
  }

  private upsert(date: string, expert: string, column: string, value: unknown, extra: Record<string, unknown> = {}): void {
    const sets = { [column]: value, ...extra };
    const names = Object.keys(sets);
    this.db
      .prepare(
        `INSERT INTO session_day (date, expert, updated_at, ${names.join(', ')}) VALUES (?, ?, ?, ${names.map(() => '?').join(', ')})
         ON CONFLICT (date, expert) DO UPDATE SET updated_at = excluded.updated_at, ${names.map((n) => `${n} = excluded.${n}`).join(', ')}`,
      )
      .run(date, expert, this.now(), ...names.map((n) => sets[n]));
  }

  setLoginFailures(date: string, expert: string, failures: number): void {
    this.upsert(date, expert, 'login_failures', failures);
  }

  setLock(date: string, expert: string, reason: LockReason | null): void {
    this.upsert(date, expert, 'lock_reason', reason);
  }

  saveCommitment(date: string, expert: string, c: { document: SignedDocument; signedAt: number; eventSeq: number; tokenSerial: string }): void {
    this.upsert(date, expert, 'commitment_json', JSON.stringify(c.document), {
      commitment_signed_at: c.signedAt,
      commitment_event_seq: c.eventSeq,
      token_serial: c.tokenSerial,
    });
  }

  markSubmitted(date: string, expert: string, at: number): void {
    this.upsert(date, expert, 'submitted_at', at);
  }

  /** The committee sent the signed sheet back for re-check (复核): the day is working again. */
  clearSubmitted(date: string, expert: string): void {
    this.upsert(date, expert, 'submitted_at', null);
  }

  purgeBefore(date: string): void {
    this.db.prepare('DELETE FROM session_day WHERE date < ?').run(date);
  }

  close(): void {
    if (this.ownsDatabase) this.db.close();
  }
}
