/**
 * The report's state on disk, in the booth's one database (booth-database.node.ts, migration 4): the
 * central's newest `report.booth` message per member (date, project, code name: a replacement seated
 * at the same booth starts clean), the report PDFs held (stored only once their bytes hashed to their
 * name), and the member's own answers. Queries only; the decisions are in booth-report.node.ts and
 * report-step.ts. Every write is its own statement or part of the caller's transaction (an answer and
 * its sync event commit together).
 */
import { reportBoothPayloadSchema, type ReportBoothPayload } from '@kawei/shared/report/report-view.ts';
import type { SqliteDatabase } from '@kawei/shared/store/sqlite.node.ts';

export type AnswerKind = 'dissent' | 'signed' | 'refused';

export interface AnswerRow {
  id: number;
  kind: AnswerKind;
  target_sha256: string;
  version: number;
  event_seq: number;
  at: number;
  text: string | null;
  signed_sha256: string | null;
  payload_json: string;
  outdated_by: number | null;
}

export interface ReportViewRow {
  message: ReportBoothPayload;
  shownSha256: string | null;
  shownKind: 'draft' | 'head' | null;
}

export interface MemberKey {
  date: string;
  project: string;
  codename: string;
}

export class ReportStore {
  private readonly q;

  constructor(db: SqliteDatabase) {
    this.q = {
      view: db.prepare<[string, string, string], { payload_json: string; shown_sha256: string | null; shown_kind: 'draft' | 'head' | null }>(
        'SELECT payload_json, shown_sha256, shown_kind FROM report_view WHERE date = ? AND project = ? AND codename = ?',
      ),
      version: db.prepare<[string, string, string], { version: number }>('SELECT version FROM report_view WHERE date = ? AND project = ? AND codename = ?'),
      putView: db.prepare(
        `INSERT INTO report_view (date, project, codename, version, payload_json, message_id, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (date, project, codename) DO UPDATE SET version = excluded.version, payload_json = excluded.payload_json,
           message_id = excluded.message_id, received_at = excluded.received_at`,
      ),
      setShown: db.prepare('UPDATE report_view SET shown_sha256 = ?, shown_kind = ? WHERE date = ? AND project = ? AND codename = ?'),
      file: db.prepare<[string], { bytes: Buffer; pages: number }>('SELECT bytes, pages FROM report_file WHERE sha256 = ?'),
      fileInfo: db.prepare<[string], { size: number; pages: number }>('SELECT length(bytes) AS size, pages FROM report_file WHERE sha256 = ?'),
      putFile: db.prepare('INSERT OR IGNORE INTO report_file (sha256, date, project, bytes, pages, stored_at) VALUES (?, ?, ?, ?, ?, ?)'),
      dropFile: db.prepare('DELETE FROM report_file WHERE sha256 = ?'),
      filesOf: db.prepare<[string, string], { sha256: string }>('SELECT sha256 FROM report_file WHERE date = ? AND project = ?'),
      pastFiles: db.prepare<[string], { sha256: string }>('SELECT sha256 FROM report_file WHERE date < ?'),
      answer: db.prepare<[string, string, string, string, string], AnswerRow>(
        `SELECT id, kind, target_sha256, version, event_seq, at, text, signed_sha256, payload_json, outdated_by FROM report_answer
         WHERE date = ? AND project = ? AND codename = ? AND kind IN (?, ?) ORDER BY id DESC LIMIT 1`,
      ),
      putAnswer: db.prepare(
        `INSERT INTO report_answer (date, project, codename, kind, target_sha256, version, event_seq, at, text, signed_sha256, payload_json)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      openAnswers: db.prepare<[string, string, string], { id: number; event_seq: number }>(
        'SELECT id, event_seq FROM report_answer WHERE date = ? AND project = ? AND codename = ? AND outdated_by IS NULL',
      ),
      outdate: db.prepare('UPDATE report_answer SET outdated_by = ? WHERE id = ?'),
      signedCopies: db.prepare<[string, string], { signed_sha256: string }>(
        'SELECT signed_sha256 FROM report_answer WHERE date = ? AND project = ? AND signed_sha256 IS NOT NULL',
      ),
    };
  }

  // ── the central's message ────────────────────────────────────────────────────────────────────

  view(k: MemberKey): ReportViewRow | null {
    const row = this.q.view.get(k.date, k.project, k.codename);
    if (!row) return null;
    const parsed = reportBoothPayloadSchema.safeParse(JSON.parse(row.payload_json));
    return parsed.success ? { message: parsed.data, shownSha256: row.shown_sha256, shownKind: row.shown_kind } : null;
  }

  /** Keeps the message when it is newer than the one stored for its member; true when kept. */
  putView(payload: ReportBoothPayload, messageId: string, at: number): boolean {
    const old = this.q.version.get(payload.date, payload.project, payload.codename);
    if (old !== undefined && old.version >= payload.version) return false;
    this.q.putView.run(payload.date, payload.project, payload.codename, payload.version, JSON.stringify(payload), messageId, at);
    return true;
  }

  setShown(k: MemberKey, sha256: string, kind: 'draft' | 'head'): void {
    this.q.setShown.run(sha256, kind, k.date, k.project, k.codename);
  }

  // ── the PDFs ─────────────────────────────────────────────────────────────────────────────────

  file(sha256: string): { bytes: Uint8Array; pages: number } | null {
    const row = this.q.file.get(sha256);
    return row ? { bytes: new Uint8Array(row.bytes.buffer, row.bytes.byteOffset, row.bytes.byteLength), pages: row.pages } : null;
  }

  fileInfo(sha256: string): { size: number; pages: number } | null {
    return this.q.fileInfo.get(sha256) ?? null;
  }

  /** The caller has checked that `bytes` hash to `sha256`. */
  putFile(sha256: string, date: string, project: string, bytes: Uint8Array, pages: number, at: number): void {
    this.q.putFile.run(sha256, date, project, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), pages, at);
  }

  /**
   * Drops the project's PDFs that are no longer needed (not in `keep`, not a signed copy of this
   * booth), and every PDF of an earlier day. Answers how many went.
   */
  prune(date: string, project: string, keep: ReadonlySet<string>): number {
    const copies = new Set(this.q.signedCopies.all(date, project).map((r) => r.signed_sha256));
    let dropped = 0;
    for (const { sha256 } of this.q.filesOf.all(date, project)) {
      if (keep.has(sha256) || copies.has(sha256)) continue;
      dropped += this.q.dropFile.run(sha256).changes;
    }
    for (const { sha256 } of this.q.pastFiles.all(date)) dropped += this.q.dropFile.run(sha256).changes;
    return dropped;
  }

  // ── the member's answers ─────────────────────────────────────────────────────────────────────

  /** The newest answer of these kinds (a signature or a refusal: both close the member's turn). */
  answer(k: MemberKey, ...kinds: [AnswerKind] | [AnswerKind, AnswerKind]): AnswerRow | null {
    return this.q.answer.get(k.date, k.project, k.codename, kinds[0], kinds[1] ?? kinds[0]) ?? null;
  }

  /**
   * A message for the member came: each answer whose event the central had already acknowledged is
   * outdated by it (the central's word on the member counts from now on). Inside the inbox transaction.
   */
  outdateDelivered(k: MemberKey, version: number, delivered: (seq: number) => boolean): void {
    for (const a of this.q.openAnswers.all(k.date, k.project, k.codename)) if (delivered(a.event_seq)) this.q.outdate.run(version, a.id);
  }

  /** Inside the caller's transaction, with the sync event. */
  putAnswer(
    k: MemberKey,
    a: { kind: AnswerKind; target: string; version: number; eventSeq: number; at: number; text: string | null; signedSha256: string | null; payload: unknown },
  ): void {
    this.q.putAnswer.run(k.date, k.project, k.codename, a.kind, a.target, a.version, a.eventSeq, a.at, a.text, a.signedSha256, JSON.stringify(a.payload));
  }
}
