/**
 * The review's state on disk, in the booth's one database (booth-database.node.ts, migrations 2
 * and 3): the preliminary review and its verdicts, the committee's newest message for the day's
 * project, the chair vote, the chair's steps — each the seated member's (by the day's code name):
 * a replacement seated at the same booth starts clean, and the leaver's rows stay as they were. Queries only; the decisions are in booth-review.node.ts and the pure
 * modules beside it. Every write is its own transaction, or part of the caller's (a signature and its
 * sync event commit together).
 */
import { committeeBoothPayloadSchema, recheckTargetSchema, type CommitteeBoothPayload } from '@kawei/shared/committee/committee-events.ts';
import type { SqliteDatabase } from '@kawei/shared/store/sqlite.node.ts';
import { z } from 'zod';

export interface PreliminaryRow {
  sheet_key: string;
  date: string;
  project: string;
  codename: string;
  status: 'draft' | 'submitted';
  saved_at: number | null;
  submitted_at: number | null;
  document_json: string | null;
  signature_json: string | null;
  event_seq: number | null;
}

export type StoredVerdicts = Record<string, Record<string, { pass: boolean | null; reason: string }>>;

export interface ChairVoteRow {
  candidate: string;
  voted_at: number;
  event_seq: number;
}

const chairStepRecordSchema = z.object({ step: z.string(), recheck: recheckTargetSchema.optional() }).loose();

/** A new preliminary review's key (rows from before migration 3 keep theirs: look rows up by member). */
export const preliminaryKey = (date: string, project: string, codename: string): string => `${date}/${project}/${codename}`;

export class ReviewStore {
  private readonly q;

  constructor(private readonly db: SqliteDatabase) {
    this.q = {
      preliminary: db.prepare<[string, string, string], PreliminaryRow>('SELECT * FROM preliminary WHERE date = ? AND project = ? AND codename = ?'),
      insertPreliminary: db.prepare(
        `INSERT OR IGNORE INTO preliminary (sheet_key, date, project, codename, status) VALUES (?, ?, ?, ?, 'draft')`,
      ),
      verdicts: db.prepare<[string], { bid: string; item: string; pass: number | null; reason: string }>(
        'SELECT bid, item, pass, reason FROM preliminary_verdict WHERE sheet_key = ?',
      ),
      verdict: db.prepare<[string, string, string], { pass: number | null; reason: string }>(
        'SELECT pass, reason FROM preliminary_verdict WHERE sheet_key = ? AND bid = ? AND item = ?',
      ),
      upsertVerdict: db.prepare(
        `INSERT INTO preliminary_verdict (sheet_key, bid, item, pass, reason, saved_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (sheet_key, bid, item) DO UPDATE SET pass = excluded.pass, reason = excluded.reason, saved_at = excluded.saved_at`,
      ),
      touch: db.prepare(`UPDATE preliminary SET saved_at = ? WHERE sheet_key = ? AND status = 'draft'`),
      freeze: db.prepare(
        `UPDATE preliminary SET status = 'submitted', submitted_at = ?, document_json = ?, signature_json = ?, event_seq = ?
         WHERE sheet_key = ? AND status = 'draft'`,
      ),
      committee: db.prepare<[string, string, string], { payload_json: string }>(
        'SELECT payload_json FROM committee_view WHERE date = ? AND project = ? AND codename = ?',
      ),
      committeeVersion: db.prepare<[string, string, string], { version: number }>(
        'SELECT version FROM committee_view WHERE date = ? AND project = ? AND codename = ?',
      ),
      putCommittee: db.prepare(
        `INSERT INTO committee_view (date, project, codename, version, payload_json, message_id, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (date, project, codename) DO UPDATE SET version = excluded.version, payload_json = excluded.payload_json,
           message_id = excluded.message_id, received_at = excluded.received_at`,
      ),
      chairVote: db.prepare<[string, string, string], ChairVoteRow>(
        'SELECT candidate, voted_at, event_seq FROM chair_vote WHERE date = ? AND project = ? AND codename = ?',
      ),
      putChairVote: db.prepare(`INSERT INTO chair_vote (date, project, codename, candidate, voted_at, event_seq) VALUES (?, ?, ?, ?, ?, ?)`),
      putChairStep: db.prepare(
        `INSERT INTO chair_step (date, project, codename, event_seq, step, payload_json, taken_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
      chairSteps: db.prepare<[string, string, string], { step: string; payload_json: string; event_seq: number; taken_at: number }>(
        'SELECT step, payload_json, event_seq, taken_at FROM chair_step WHERE date = ? AND project = ? AND codename = ? ORDER BY event_seq',
      ),
    };
  }

  // ── preliminary review ───────────────────────────────────────────────────────────────────────

  /** The member's preliminary review of the day, created (empty draft) on first use. */
  preliminary(date: string, project: string, codename: string): PreliminaryRow {
    let row = this.q.preliminary.get(date, project, codename);
    if (!row) {
      this.q.insertPreliminary.run(preliminaryKey(date, project, codename), date, project, codename);
      row = this.q.preliminary.get(date, project, codename) as PreliminaryRow;
    }
    return row;
  }

  verdicts(key: string): StoredVerdicts {
    const out: StoredVerdicts = {};
    for (const v of this.q.verdicts.all(key)) {
      (out[v.bid] ??= {})[v.item] = { pass: v.pass === null ? null : v.pass === 1, reason: v.reason };
    }
    return out;
  }

  /** One verdict, durable when this returns. `reason` undefined keeps the stored one. */
  saveVerdict(key: string, bid: string, item: string, pass: boolean | null, reason: string | undefined, at: number): void {
    this.db
      .transaction(() => {
        const old = this.q.verdict.get(key, bid, item);
        this.q.upsertVerdict.run(key, bid, item, pass === null ? null : pass ? 1 : 0, reason ?? old?.reason ?? '', at);
        this.q.touch.run(at, key);
      })
      .immediate();
  }

  /** Inside the caller's transaction (with the sync event): true when this froze the draft. */
  freezePreliminary(key: string, at: number, documentJson: string, signatureJson: string, eventSeq: number): boolean {
    return this.q.freeze.run(at, documentJson, signatureJson, eventSeq, key).changes === 1;
  }

  // ── the committee's message ──────────────────────────────────────────────────────────────────

  /** The committee's newest message to the member `codename`. */
  committee(date: string, project: string, codename: string): CommitteeBoothPayload | null {
    const row = this.q.committee.get(date, project, codename);
    if (!row) return null;
    const parsed = committeeBoothPayloadSchema.safeParse(JSON.parse(row.payload_json));
    return parsed.success ? parsed.data : null;
  }

  /** Keeps the message when it is newer than the one stored for its member; true when kept. */
  putCommittee(payload: CommitteeBoothPayload, messageId: string, at: number): boolean {
    const old = this.q.committeeVersion.get(payload.date, payload.project, payload.codename);
    if (old !== undefined && old.version >= payload.version) return false;
    this.q.putCommittee.run(payload.date, payload.project, payload.codename, payload.version, JSON.stringify(payload), messageId, at);
    return true;
  }

  // ── chair ────────────────────────────────────────────────────────────────────────────────────

  chairVote(date: string, project: string, codename: string): ChairVoteRow | null {
    return this.q.chairVote.get(date, project, codename) ?? null;
  }

  putChairVote(date: string, project: string, codename: string, candidate: string, at: number, eventSeq: number): void {
    this.q.putChairVote.run(date, project, codename, candidate, at, eventSeq);
  }

  putChairStep(date: string, project: string, codename: string, eventSeq: number, step: string, payload: unknown, at: number): void {
    this.q.putChairStep.run(date, project, codename, eventSeq, step, JSON.stringify(payload), at);
  }

  chairSteps(
    date: string,
    project: string,
    codename: string,
  ): { step: string; eventSeq: number; takenAt: number; payload: z.infer<typeof chairStepRecordSchema> }[] {
    return this.q.chairSteps.all(date, project, codename).map((r) => ({
      step: r.step,
      eventSeq: r.event_seq,
      takenAt: r.taken_at,
      payload: chairStepRecordSchema.parse(JSON.parse(r.payload_json)),
    }));
  }
}
