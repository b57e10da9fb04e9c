/**
 * The expert's score sheet (issue #8): the project's criteria per bidder code, autosaved to the
 * booth's SQLite on every change, signed with the USB key and frozen on submit.
 *
 * Durability: every save is its own transaction in the booth's one database (`<dataDir>/device.sqlite`,
 * WAL, synchronous=FULL: booth-database.node.ts) and is committed before `save` returns, so what
 * the expert saw saved survives a crash or a power cut. Saves are NOT sync events: an autosave per
 * keystroke would flood the sync log and the central with drafts nobody may act on; the central
 * receives the sheet once, signed, as `booth.scores_submitted`.
 *
 * Submit:
 *   1. checks (draft, complete: otherwise SHEET_INCOMPLETE with the problems) and builds the canonical
 *      document from the stored cells; from here saves answer SHEET_FROZEN (in memory only);
 *   2. `sign(document, pin)` — the USB key; a wrong PIN or a pulled key un-freezes (nothing stored);
 *   3. ONE transaction: status submitted, the document, the signature, the `booth.scores_submitted`
 *      event appended to the sync log (same database), its seq, and the session's "submitted" mark.
 * A crash before 3 leaves a draft with every saved score (the CMS made in 2 is simply never used:
 * submitting again signs again); after 3 the sheet is frozen, signed AND on its way to the central.
 * There is no state in between, so nothing needs repairing at the next start.
 *
 * The committee's review (issue #13): the sheet follows a SheetPlan (review/sheet-plan.node.ts) — the
 * rules' scoring items (objective options, subjective tiers, the rule text), the bids the committee
 * passed, the signed document's version (2 under evaluation rules: rules' hash, revision, tiers,
 * totals). Every signed revision is kept in `sheet_version` (written in the submit transaction). A
 * re-check (`reopen`) turns the submitted sheet into a draft of the next revision, with the reason,
 * in the transaction that stores the committee's message; the cells stay as signed, for the expert
 * to revise.
 *
 * One sheet per day, project AND member (the seat's code name, `setProject`'s third argument): when
 * the centre replaces a member, the alternate seated at the same booth opens an empty sheet of their
 * own, and the leaver's sheet, cells and signed versions stay stored untouched (void, but kept).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ApiError, badInput } from '@kawei/shared/errors.ts';
import { pinInputSchema, saveScoreInputSchema, type ScoreSheet } from '@kawei/shared/contract/booth-session.ts';
import { projectBoothPayloadSchema, type ProjectBoothPayload } from '@kawei/shared/api/booth-roster.ts';
import { recheckTargetSchema, type RecheckTarget } from '@kawei/shared/committee/committee-events.ts';
import { scoringItemSchema, type ScoringItem } from '@kawei/shared/committee/evaluation-rules.ts';
import type { SqliteDatabase } from '@kawei/shared/store/sqlite.node.ts';
import { canonicalJson, type JsonValue } from '@kawei/shared/sync/canonical-json.ts';
import { openBoothDatabase } from '../booth-database.node.ts';
import { criterionOf } from '../review/review-rules.ts';
import { sheetPlan, type SheetPlan } from '../review/sheet-plan.node.ts';
import { isOnStep, sheetProblems, sheetTotals } from './score-rules.ts';

// The event and the signed sheet's shape are the central's to check (kawei-central signatures):
// shared/src/api/signed-submissions.ts names them once for both sides.
import { SCORE_SHEET_DOCUMENT_KIND, SCORES_SUBMITTED_EVENT } from '@kawei/shared/api/signed-submissions.ts';
export { SCORE_SHEET_DOCUMENT_KIND, SCORES_SUBMITTED_EVENT };

export interface SignOutput {
  signedAt: number;
  /** Subject CN of the signing certificate. */
  signer: string;
  /** DER detached CMS, base64. */
  cmsBase64: string;
  /** The signed document as the signer returns it (shared/src/signing SignedDocument): goes into the event. */
  document: unknown;
}

export interface ScoreSheetOptions {
  /** The booth's data folder: the sheet lives in its one database, `<dataDir>/device.sqlite`. */
  dataDir: string;
  /** The booth's database, already open (the services share one connection); opened from `dataDir` otherwise. */
  database?: SqliteDatabase;
  now?: () => number;
  /** Signs the canonical JSON of `value` with the USB key (throws PIN_INCORRECT, TOKEN_ABSENT …). */
  sign: (value: unknown, pin: string) => Promise<SignOutput>;
  /**
   * Appends a sync-log event and answers its seq. The payload is plain JSON (the sync log's
   * EventPayload): `(t, p) => identity.recordEvent(t, p).seq`. Called inside the submit
   * transaction: on the same database it commits with the frozen sheet, or not at all.
   */
  record: (type: string, payload: Record<string, JsonValue>) => number;
  /** Also inside the submit transaction: the session's own "submitted" mark (session-store.node.ts). */
  onSubmitted?: (sheet: { date: string; project: string; codename: string; signedAt: number }) => void;
  /** Put into the signed document when given: today's code name and the booth label. */
  identity?: () => { codename: string | null; booth: string };
  /**
   * Inside the transaction that reopens a submitted sheet for re-check: the session's "submitted"
   * mark is cleared with it (session-store.node.ts), so a restart resumes in the working phase.
   */
  onReopened?: (sheet: { date: string; project: string; codename: string; revision: number }) => void;
}

export interface SubmitResult {
  signedAt: number;
  signer: string;
  eventSeq: number;
}

export interface ScoreSheetService {
  /**
   * The day's `project.booth` payload, or null. Opens (or creates) that project's sheet; a draft
   * follows the plan's items and bidders (cells of removed ones are kept but not shown), a
   * submitted sheet keeps the shape it was signed with. The plan defaults to the payload's alone (no
   * committee heard of). A plan asking for a later revision reopens the sheet (see `reopen`).
   * `codename`: the member seated today (the roster's code name), whose sheet this is; '' for a
   * booth with no code name (tests of the sheet alone). Another member opens another sheet.
   */
  setProject(payload: ProjectBoothPayload | null, plan?: SheetPlan, codename?: string): void;
  /** The current sheet with its problems. WRONG_PHASE when there is no project. */
  get(): ScoreSheet;
  /**
   * Autosave of one cell, durable before it returns. `value: null` clears the cell; `note`
   * undefined keeps the cell's note, '' clears it. A value above the maximum is stored and listed as
   * out_of_range (the sheet shows what the expert typed). SCORE_INVALID: unknown bidder or criterion,
   * negative, not a multiple of 0.5. SHEET_FROZEN after submit (and while signing).
   */
  save(input: { bidder: string; criterion: string; value: number | null; note?: string | undefined; tier?: string | undefined }): ScoreSheet;
  /** Signs and freezes (see the file comment for the order). SHEET_INCOMPLETE with `{ problems }`. */
  submit(pin: string): Promise<SubmitResult>;
  /** Trusted side (tests, audit): the document signed and the signature, once submitted. */
  submission(): { document: unknown; signature: SignOutput; eventSeq: number | null } | null;
  /** Trusted side: every signed revision of the current sheet, oldest first (kept after a re-check). */
  versions(): SheetVersion[];
  /**
   * The committee asks for `revision` (> the sheet's) because of `recheck`: a submitted sheet becomes
   * a draft of that revision (its signed versions stay in `versions()`); a draft takes the revision.
   * Meant to run inside the transaction that stores the committee's message (nested: a savepoint).
   * True when something changed.
   */
  reopen(date: string, project: string, codename: string, revision: number, recheck: RecheckTarget | null): boolean;
  close(): void;
}

export interface SheetVersion {
  revision: number;
  recheck: RecheckTarget | null;
  submittedAt: number;
  document: unknown;
  signature: SignOutput;
  eventSeq: number | null;
}

/** A stored item: the rules' item, or a criterion a sheet from before issue #13 stored ({ id, name, max }). */
const storedItemSchema = z.union([
  scoringItemSchema,
  z
    .looseObject({ id: z.string(), name: z.string(), max: z.number(), group: z.string().optional(), description: z.string().optional() })
    .transform((c): ScoringItem => ({ id: c.id, name: c.name, max: c.max, group: c.group ?? '', description: c.description ?? '', kind: 'subjective', tiers: [] })),
]);
const criteriaSchema = z.array(storedItemSchema);
const biddersSchema = z.array(z.string());
const signOutputSchema = z.looseObject({ signedAt: z.number(), signer: z.string(), cmsBase64: z.string().min(1), document: z.unknown() });

interface SheetRow {
  sheet_key: string;
  date: string;
  project: string;
  codename: string;
  criteria_json: string;
  bidders_json: string;
  status: 'draft' | 'submitted';
  saved_at: number | null;
  submitted_at: number | null;
  document_json: string | null;
  signature_json: string | null;
  event_seq: number | null;
  revision: number;
  recheck_json: string | null;
  rules_sha256: string | null;
  document_version: number;
}

interface CellRow {
  bidder: string;
  criterion: string;
  value: number | null;
  note: string;
  tier: string;
}

interface VersionRow {
  revision: number;
  recheck_json: string | null;
  submitted_at: number;
  document_json: string;
  signature_json: string;
  event_seq: number | null;
}

export function createScoreSheet(options: ScoreSheetOptions): ScoreSheetService {
  const now = options.now ?? Date.now;
  const ownDatabase = options.database === undefined;
  const db: SqliteDatabase = options.database ?? openBoothDatabase(options.dataDir).db;
  const q = {
    sheet: db.prepare<[string], SheetRow>('SELECT * FROM sheet WHERE sheet_key = ?'),
    memberSheet: db.prepare<[string, string, string], SheetRow>('SELECT * FROM sheet WHERE date = ? AND project = ? AND codename = ?'),
    insertSheet: db.prepare(
      `INSERT INTO sheet (sheet_key, date, project, codename, criteria_json, bidders_json, status, rules_sha256, document_version)
       VALUES (?, ?, ?, ?, ?, ?, 'draft', ?, ?)`,
    ),
    reshape: db.prepare(
      `UPDATE sheet SET criteria_json = ?, bidders_json = ?, rules_sha256 = ?, document_version = ? WHERE sheet_key = ? AND status = 'draft'`,
    ),
    cells: db.prepare<[string], CellRow>('SELECT bidder, criterion, value, note, tier FROM cell WHERE sheet_key = ?'),
    cell: db.prepare<[string, string, string], CellRow>(
      'SELECT bidder, criterion, value, note, tier FROM cell WHERE sheet_key = ? AND bidder = ? AND criterion = ?',
    ),
    upsertCell: db.prepare(
      `INSERT INTO cell (sheet_key, bidder, criterion, value, note, tier, saved_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (sheet_key, bidder, criterion) DO UPDATE SET value = excluded.value, note = excluded.note, tier = excluded.tier,
         saved_at = excluded.saved_at`,
    ),
    reopen: db.prepare(
      `UPDATE sheet SET status = 'draft', revision = ?, recheck_json = ?, submitted_at = NULL, document_json = NULL,
         signature_json = NULL, event_seq = NULL WHERE sheet_key = ?`,
    ),
    insertVersion: db.prepare(
      `INSERT INTO sheet_version (sheet_key, revision, recheck_json, submitted_at, document_json, signature_json, event_seq)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ),
    versions: db.prepare<[string], VersionRow>('SELECT * FROM sheet_version WHERE sheet_key = ? ORDER BY revision'),
    touch: db.prepare(`UPDATE sheet SET saved_at = ? WHERE sheet_key = ?`),
    freeze: db.prepare(
      `UPDATE sheet SET status = 'submitted', submitted_at = ?, document_json = ?, signature_json = ?, event_seq = NULL
       WHERE sheet_key = ? AND status = 'draft'`,
    ),
    setSeq: db.prepare(`UPDATE sheet SET event_seq = ? WHERE sheet_key = ?`),
  };

  let current: string | null = null;
  /** The current plan says the committee has not passed the bids yet (recomputed at every setProject). */
  let waiting = false;
  /** The sheet being signed right now: saves are refused until the signature is stored or fails. */
  let signing: string | null = null;

  /**
   * A new sheet's key. Rows from before migration 3 keep their `date/project` key (cells and versions
   * refer to it): a sheet is found by its member (`memberSheet`), never by rebuilding its key.
   */
  const keyOf = (date: string, project: string, codename: string) => `${date}/${project}/${codename}`;

  function row(key: string): SheetRow {
    const r = q.sheet.get(key);
    if (!r) throw new ApiError('INTERNAL', `score sheet ${key} is missing from the store`);
    return r;
  }

  function currentRow(): SheetRow {
    if (current === null) throw new ApiError('WRONG_PHASE', 'there is no project to score on this booth now');
    return row(current);
  }

  function cellsOf(r: SheetRow) {
    const criteria = criteriaSchema.parse(JSON.parse(r.criteria_json));
    const bidders = biddersSchema.parse(JSON.parse(r.bidders_json));
    const scores: Record<string, Record<string, number | null>> = {};
    const notes: Record<string, Record<string, string>> = {};
    const tiers: Record<string, Record<string, string>> = {};
    for (const b of bidders) {
      scores[b] = Object.fromEntries(criteria.map((c) => [c.id, null]));
      notes[b] = {};
      tiers[b] = {};
    }
    const known = new Set(criteria.map((c) => c.id));
    for (const c of q.cells.all(r.sheet_key)) {
      const s = scores[c.bidder];
      const n = notes[c.bidder];
      const t = tiers[c.bidder];
      if (!s || !n || !t || !known.has(c.criterion)) continue; // a bidder or criterion the central removed
      s[c.criterion] = c.value;
      if (c.note !== '') n[c.criterion] = c.note;
      if (c.tier !== '') t[c.criterion] = c.tier;
    }
    return { criteria, bidders, scores, notes, tiers };
  }

  const recheckOf = (json: string | null): RecheckTarget | null => (json === null ? null : recheckTargetSchema.parse(JSON.parse(json)));

  function view(r: SheetRow): ScoreSheet {
    const { criteria, bidders, scores, notes, tiers } = cellsOf(r);
    return {
      criteria: criteria.map(criterionOf),
      bidders,
      scores,
      notes,
      status: r.status,
      savedAt: r.saved_at,
      submittedAt: r.submitted_at,
      problems: r.status === 'submitted' ? [] : sheetProblems({ criteria, bidders }, scores, notes, tiers),
      revision: r.revision,
      recheck: recheckOf(r.recheck_json),
      tiers,
    };
  }

  /** The value that is signed: canonical JSON of this object (keys sorted by canonicalJson). */
  function documentOf(r: SheetRow): Record<string, unknown> {
    const { criteria, bidders, scores, notes, tiers } = cellsOf(r);
    const who = options.identity?.();
    const base = {
      kind: SCORE_SHEET_DOCUMENT_KIND,
      date: r.date,
      project: r.project,
      // The sheet's own member (the seat it was opened for); the session's code name for a sheet without one.
      ...(who ? { codename: r.codename !== '' ? r.codename : who.codename, booth: who.booth } : {}),
      bidders,
      scores,
      notes,
      savedAt: r.saved_at,
    };
    // Version 1: a project with plain criteria and no committee, signed exactly as before issue #13.
    if (r.document_version !== 2) return { ...base, version: 1, criteria: criteria.map((c) => ({ id: c.id, name: c.name, max: c.max })) };
    return {
      ...base,
      version: 2,
      rulesSha256: r.rules_sha256,
      revision: r.revision,
      recheck: recheckOf(r.recheck_json),
      criteria: criteria.map((c) => ({ id: c.id, name: c.name, max: c.max, group: c.group, kind: c.kind })),
      tiers,
      totals: sheetTotals(criteria, bidders, scores),
    };
  }

  function eventPayload(r: SheetRow): Record<string, JsonValue> {
    const document = JSON.parse(r.document_json ?? 'null') as JsonValue;
    const signature = signOutputSchema.parse(JSON.parse(r.signature_json ?? 'null'));
    return {
      date: r.date,
      project: r.project,
      sheet: document,
      sheetSha256: createHash('sha256').update(canonicalJson(document)).digest('hex'),
      signedAt: signature.signedAt,
      signer: signature.signer,
      cms: signature.cmsBase64,
      // Stored as JSON text, so it is JSON.
      signed: (signature.document ?? null) as JsonValue,
    };
  }

  function reopen(date: string, project: string, codename: string, revision: number, recheck: RecheckTarget | null): boolean {
    return db.transaction(() => {
      const r = q.memberSheet.get(date, project, codename);
      if (!r || revision <= r.revision) return false;
      // The signed revisions are already in sheet_version (written when each was submitted).
      q.reopen.run(revision, recheck === null ? null : JSON.stringify(recheck), r.sheet_key);
      options.onReopened?.({ date, project, codename, revision });
      return true;
    })();
  }

  return {
    setProject(payload, plan, codename = '') {
      if (payload === null) {
        current = null;
        waiting = false;
        return;
      }
      const parsed = projectBoothPayloadSchema.safeParse(payload);
      if (!parsed.success) throw badInput(parsed.error, 'project.booth');
      const p = parsed.data;
      const shape = plan ?? sheetPlan(p, null);
      const criteria = JSON.stringify(shape.items);
      const bidders = JSON.stringify(shape.bidders); // codes only: never the names
      current = db.transaction(() => {
        const existing = q.memberSheet.get(p.date, p.project, codename);
        const key = existing?.sheet_key ?? keyOf(p.date, p.project, codename);
        if (!existing) q.insertSheet.run(key, p.date, p.project, codename, criteria, bidders, shape.rulesSha256, shape.documentVersion);
        else q.reshape.run(criteria, bidders, shape.rulesSha256, shape.documentVersion, key);
        if (shape.revision > 1) reopen(p.date, p.project, codename, shape.revision, shape.recheck);
        return key;
      }).immediate();
      waiting = shape.waiting;
    },

    get() {
      return view(currentRow());
    },

    save(input) {
      const parsed = saveScoreInputSchema.safeParse(input);
      if (!parsed.success) {
        const bad = parsed.error.issues.some((i) => i.path[0] === 'value');
        if (bad) throw new ApiError('SCORE_INVALID', 'a score is a number from 0 in steps of 0.5', { issues: parsed.error.issues.map((i) => i.message) });
        throw badInput(parsed.error, 'saveScore');
      }
      const { bidder, criterion, value, note, tier } = parsed.data;
      const r = currentRow();
      if (r.status === 'submitted' || signing === r.sheet_key) throw new ApiError('SHEET_FROZEN', 'the score sheet is submitted and cannot change');
      if (waiting) throw new ApiError('REVIEW_WAITING', 'the committee has not yet decided which bids go on to the detailed review');
      const { criteria, bidders } = cellsOf(r);
      if (!bidders.includes(bidder)) throw new ApiError('SCORE_INVALID', `no bidder ${bidder} on this sheet`);
      const item = criteria.find((c) => c.id === criterion);
      if (!item) throw new ApiError('SCORE_INVALID', `no criterion ${criterion} on this sheet`);
      if (value !== null && (value < 0 || !isOnStep(value))) throw new ApiError('SCORE_INVALID', 'a score is a number from 0 in steps of 0.5');
      if (tier !== undefined && tier !== '' && (item.kind !== 'subjective' || !item.tiers.some((t) => t.label === tier))) {
        throw new ApiError('SCORE_INVALID', `criterion ${criterion} has no tier ${tier}`);
      }
      const at = now();
      db.transaction(() => {
        const old = q.cell.get(r.sheet_key, bidder, criterion);
        q.upsertCell.run(r.sheet_key, bidder, criterion, value, note ?? old?.note ?? '', tier ?? old?.tier ?? '', at);
        q.touch.run(at, r.sheet_key);
      }).immediate();
      return view(row(r.sheet_key));
    },

    async submit(pin) {
      const parsedPin = pinInputSchema.safeParse({ pin });
      if (!parsedPin.success) throw badInput(parsedPin.error, 'submitScores');
      const r = currentRow();
      if (signing === r.sheet_key) throw new ApiError('WRONG_PHASE', 'the score sheet is being signed');
      if (r.status === 'submitted') throw new ApiError('SHEET_FROZEN', 'the score sheet is already submitted');
      if (waiting) throw new ApiError('REVIEW_WAITING', 'the committee has not yet decided which bids go on to the detailed review');
      const problems = view(r).problems;
      if (problems.length > 0) throw new ApiError('SHEET_INCOMPLETE', `${problems.length} cell(s) still block the submission`, { problems });
      const document = documentOf(r);
      const documentJson = canonicalJson(document);
      signing = r.sheet_key;
      let signature: SignOutput;
      let eventSeq: number | null;
      try {
        signature = signOutputSchema.parse(await options.sign(document, parsedPin.data.pin)) as SignOutput;
        // Frozen, signed, recorded for the central and marked in the session: all of it, or none.
        eventSeq = db
          .transaction(() => {
            // Saves were refused while signing; this guards the invariant all the same.
            if (canonicalJson(documentOf(row(r.sheet_key))) !== documentJson) return null;
            if (q.freeze.run(signature.signedAt, documentJson, JSON.stringify(signature), r.sheet_key).changes !== 1) return null;
            const frozen = row(r.sheet_key);
            const seq = options.record(SCORES_SUBMITTED_EVENT, eventPayload(frozen));
            q.setSeq.run(seq, r.sheet_key);
            q.insertVersion.run(r.sheet_key, frozen.revision, frozen.recheck_json, signature.signedAt, documentJson, JSON.stringify(signature), seq);
            options.onSubmitted?.({ date: r.date, project: r.project, codename: r.codename, signedAt: signature.signedAt });
            return seq;
          })
          .immediate();
      } finally {
        signing = null;
      }
      if (eventSeq === null) throw new ApiError('INTERNAL', 'the score sheet changed while it was being signed; submit again');
      return { signedAt: signature.signedAt, signer: signature.signer, eventSeq };
    },

    submission() {
      if (current === null) return null;
      const r = row(current);
      if (r.status !== 'submitted') return null;
      return {
        document: JSON.parse(r.document_json ?? 'null') as unknown,
        signature: signOutputSchema.parse(JSON.parse(r.signature_json ?? 'null')) as SignOutput,
        eventSeq: r.event_seq,
      };
    },

    versions() {
      if (current === null) return [];
      return q.versions.all(current).map((v) => ({
        revision: v.revision,
        recheck: recheckOf(v.recheck_json),
        submittedAt: v.submitted_at,
        document: JSON.parse(v.document_json) as unknown,
        signature: signOutputSchema.parse(JSON.parse(v.signature_json)) as SignOutput,
        eventSeq: v.event_seq,
      }));
    },

    reopen,

    close() {
      if (ownDatabase) db.close();
    },
  };
}
