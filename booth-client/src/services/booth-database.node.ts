/**
 * The booth's one database (`<dataDir>/device.sqlite`): every table a booth keeps, declared here
 * with its numbered migrations, in two parts — the device part (identity, sync log, inbox: shared
 * with the gate, shared/src/device/device-store.node.ts) and the booth part below. The services
 * (roster, session, score sheet) hold their queries; they share this one connection, so a user
 * action that changes their state and appends its sync event commits in one transaction.
 * See docs/ARCHITECTURE.md, "Where data lives on a device".
 */
import { DEVICE_SCHEMA } from '@kawei/shared/device/device-store.node.ts';
import { openDeviceDatabase, type DeviceDatabase, type LegacyFile, type SchemaPart } from '@kawei/shared/store/device-database.node.ts';

export const BOOTH_SCHEMA: SchemaPart = {
  name: 'booth',
  migrations: [
    {
      version: 1,
      description:
        'booth roster by day (encrypted face templates, project material, applied messages), session progress, score sheets',
      up: (db) => {
        db.exec(`
          -- roster/booth-roster.node.ts: the day's seat, template and project from the inbox.
          CREATE TABLE seat (
            date TEXT PRIMARY KEY,
            payload_json TEXT NOT NULL,
            message_id TEXT NOT NULL,
            received_at INTEGER NOT NULL
          ) STRICT;
          CREATE TABLE face (
            date TEXT NOT NULL,
            expert TEXT NOT NULL,
            model TEXT NOT NULL,
            nonce BLOB NOT NULL,
            ciphertext BLOB NOT NULL,
            tag BLOB NOT NULL,
            message_id TEXT NOT NULL,
            received_at INTEGER NOT NULL,
            PRIMARY KEY (date, expert)
          ) STRICT;
          CREATE TABLE project (
            date TEXT NOT NULL,
            project TEXT NOT NULL,
            payload_json TEXT NOT NULL,
            message_id TEXT NOT NULL,
            received_at INTEGER NOT NULL,
            PRIMARY KEY (date, project)
          ) STRICT;
          CREATE TABLE applied_message (
            id TEXT PRIMARY KEY,
            type TEXT NOT NULL,
            outcome TEXT NOT NULL,
            applied_at INTEGER NOT NULL
          ) STRICT;

          -- session/session-store.node.ts: login failures, lock, signed commitment, submission.
          CREATE TABLE session_day (
            date TEXT NOT NULL,
            expert TEXT NOT NULL,
            login_failures INTEGER NOT NULL DEFAULT 0,
            lock_reason TEXT,
            commitment_json TEXT,
            commitment_signed_at INTEGER,
            commitment_event_seq INTEGER,
            token_serial TEXT,
            submitted_at INTEGER,
            updated_at INTEGER NOT NULL,
            PRIMARY KEY (date, expert)
          ) STRICT;

          -- scoring/score-sheet.node.ts: one sheet per project and day, one row per cell.
          CREATE TABLE sheet (
            sheet_key TEXT PRIMARY KEY,
            date TEXT NOT NULL,
            project TEXT NOT NULL,
            criteria_json TEXT NOT NULL,
            bidders_json TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('draft', 'submitted')),
            saved_at INTEGER,
            submitted_at INTEGER,
            document_json TEXT,
            signature_json TEXT,
            event_seq INTEGER
          ) STRICT;
          CREATE TABLE cell (
            sheet_key TEXT NOT NULL REFERENCES sheet (sheet_key),
            bidder TEXT NOT NULL,
            criterion TEXT NOT NULL,
            value REAL,
            note TEXT NOT NULL DEFAULT '',
            saved_at INTEGER NOT NULL,
            PRIMARY KEY (sheet_key, bidder, criterion)
          ) STRICT;
        `);
      },
    },
    {
      version: 2,
      description:
        "the committee's review: sheet revisions (re-check) with every signed version kept, chosen tiers, the preliminary review, the committee's last message, the chair vote",
      up: (db) => {
        db.exec(`
          -- scoring/score-sheet.node.ts: the revision the draft is (1, +1 per re-check), why it came back,
          -- the rules' hash and the signed document's version (1: plain criteria, 2: evaluation rules).
          ALTER TABLE sheet ADD COLUMN revision INTEGER NOT NULL DEFAULT 1;
          ALTER TABLE sheet ADD COLUMN recheck_json TEXT;
          ALTER TABLE sheet ADD COLUMN rules_sha256 TEXT;
          ALTER TABLE sheet ADD COLUMN document_version INTEGER NOT NULL DEFAULT 1;
          -- The tier label the expert chose for a subjective score ('' none).
          ALTER TABLE cell ADD COLUMN tier TEXT NOT NULL DEFAULT '';
          -- Every signed revision of a sheet, never changed once written.
          CREATE TABLE sheet_version (
            sheet_key TEXT NOT NULL REFERENCES sheet (sheet_key),
            revision INTEGER NOT NULL,
            recheck_json TEXT,
            submitted_at INTEGER NOT NULL,
            document_json TEXT NOT NULL,
            signature_json TEXT NOT NULL,
            event_seq INTEGER,
            PRIMARY KEY (sheet_key, revision)
          ) STRICT;
          INSERT INTO sheet_version (sheet_key, revision, recheck_json, submitted_at, document_json, signature_json, event_seq)
            SELECT sheet_key, 1, NULL, submitted_at, document_json, signature_json, event_seq FROM sheet
            WHERE status = 'submitted' AND document_json IS NOT NULL AND signature_json IS NOT NULL AND submitted_at IS NOT NULL;

          -- review/review-store.node.ts: the preliminary review (qualification and conformity), one verdict per bid × item.
          CREATE TABLE preliminary (
            sheet_key TEXT PRIMARY KEY,
            date TEXT NOT NULL,
            project TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('draft', 'submitted')),
            saved_at INTEGER,
            submitted_at INTEGER,
            document_json TEXT,
            signature_json TEXT,
            event_seq INTEGER
          ) STRICT;
          CREATE TABLE preliminary_verdict (
            sheet_key TEXT NOT NULL REFERENCES preliminary (sheet_key),
            bid TEXT NOT NULL,
            item TEXT NOT NULL,
            pass INTEGER CHECK (pass IN (0, 1)),
            reason TEXT NOT NULL DEFAULT '',
            saved_at INTEGER NOT NULL,
            PRIMARY KEY (sheet_key, bid, item)
          ) STRICT;
          -- The newest committee.booth message per day and project (the central's view for this booth).
          CREATE TABLE committee_view (
            date TEXT NOT NULL,
            project TEXT NOT NULL,
            version INTEGER NOT NULL,
            payload_json TEXT NOT NULL,
            message_id TEXT NOT NULL,
            received_at INTEGER NOT NULL,
            PRIMARY KEY (date, project)
          ) STRICT;
          -- This booth's chair vote, kept so the screen shows it while the central is away.
          CREATE TABLE chair_vote (
            date TEXT NOT NULL,
            project TEXT NOT NULL,
            codename TEXT NOT NULL,
            candidate TEXT NOT NULL,
            voted_at INTEGER NOT NULL,
            event_seq INTEGER NOT NULL,
            PRIMARY KEY (date, project, codename)
          ) STRICT;
          -- The chair's steps this booth took (also sync events), for the screen and the audit.
          CREATE TABLE chair_step (
            date TEXT NOT NULL,
            project TEXT NOT NULL,
            event_seq INTEGER NOT NULL PRIMARY KEY,
            step TEXT NOT NULL,
            payload_json TEXT NOT NULL,
            taken_at INTEGER NOT NULL
          ) STRICT;
        `);
      },
    },
    {
      version: 3,
      description:
        "the review's state by member: a replacement seated at the same booth starts clean, the leaver's sheet, preliminary review, chair steps and committee message stay as they were",
      up: (db) => {
        // Who a row belongs to: the code name its signed document names (a sheet signed by a member
        // who has since been replaced stays the leaver's), else the member the seat table seats that
        // day on that project, else '' (a day already purged: nobody will open it again).
        const owner = (table: string, versions: string | null) => `COALESCE(
            json_extract(${table}.document_json, '$.codename'),
            ${versions === null ? 'NULL' : `(SELECT json_extract(v.document_json, '$.codename') FROM ${versions} v WHERE v.sheet_key = ${table}.sheet_key ORDER BY v.revision DESC LIMIT 1)`},
            (SELECT json_extract(s.payload_json, '$.codename') FROM seat s
              WHERE s.date = ${table}.date AND json_extract(s.payload_json, '$.project') = ${table}.project),
            '')`;
        db.exec(`
          -- scoring/score-sheet.node.ts: one sheet per day, project and member (code name). The keys of
          -- rows from before stay as they were (a key is only an id; cells and versions refer to it).
          ALTER TABLE sheet ADD COLUMN codename TEXT NOT NULL DEFAULT '';
          UPDATE sheet SET codename = ${owner('sheet', 'sheet_version')};
          CREATE UNIQUE INDEX sheet_member ON sheet (date, project, codename);

          -- review/review-store.node.ts: the preliminary review likewise.
          ALTER TABLE preliminary ADD COLUMN codename TEXT NOT NULL DEFAULT '';
          UPDATE preliminary SET codename = ${owner('preliminary', null)};
          CREATE UNIQUE INDEX preliminary_member ON preliminary (date, project, codename);

          -- The chair's steps: whose (the signed payload names the code name).
          ALTER TABLE chair_step ADD COLUMN codename TEXT NOT NULL DEFAULT '';
          UPDATE chair_step SET codename = COALESCE(json_extract(payload_json, '$.codename'), '');

          -- The committee's newest message per member (the message names the code name it is for).
          CREATE TABLE committee_view_by_member (
            date TEXT NOT NULL,
            project TEXT NOT NULL,
            codename TEXT NOT NULL,
            version INTEGER NOT NULL,
            payload_json TEXT NOT NULL,
            message_id TEXT NOT NULL,
            received_at INTEGER NOT NULL,
            PRIMARY KEY (date, project, codename)
          ) STRICT;
          INSERT INTO committee_view_by_member (date, project, codename, version, payload_json, message_id, received_at)
            SELECT date, project, COALESCE(json_extract(payload_json, '$.codename'), ''), version, payload_json, message_id, received_at
            FROM committee_view;
          DROP TABLE committee_view;
          ALTER TABLE committee_view_by_member RENAME TO committee_view;
        `);
      },
    },
    {
      version: 4,
      description:
        "the evaluation report: the central's newest report.booth message per member, the report PDFs downloaded (checked against their hash), the member's own dissent, signature or refusal",
      up: (db) => {
        db.exec(`
          -- report/report-store.node.ts: the newest report.booth message per day, project and member.
          CREATE TABLE report_view (
            date TEXT NOT NULL,
            project TEXT NOT NULL,
            codename TEXT NOT NULL,
            version INTEGER NOT NULL,
            payload_json TEXT NOT NULL,
            message_id TEXT NOT NULL,
            received_at INTEGER NOT NULL,
            -- The PDF on screen (draft or head) once it is here: what stays shown while the next one downloads.
            shown_sha256 TEXT,
            shown_kind TEXT CHECK (shown_kind IN ('draft', 'head')),
            PRIMARY KEY (date, project, codename)
          ) STRICT;
          -- The report PDFs this booth holds, each stored only after its bytes hashed to its name;
          -- and the member's own signed copy of a head (the proof of what the booth signed).
          CREATE TABLE report_file (
            sha256 TEXT PRIMARY KEY,
            date TEXT NOT NULL,
            project TEXT NOT NULL,
            bytes BLOB NOT NULL,
            pages INTEGER NOT NULL,
            stored_at INTEGER NOT NULL
          ) STRICT;
          -- The member's answers (also sync events): a dissent or none, a signature, a refusal. Kept as
          -- written; the newest of a kind counts. 'version' is the report.booth version answered;
          -- 'outdated_by' the version of the first message received after the central acknowledged the
          -- event: from then on the central's word on the member's state counts, not this answer.
          CREATE TABLE report_answer (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            date TEXT NOT NULL,
            project TEXT NOT NULL,
            codename TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('dissent', 'signed', 'refused')),
            target_sha256 TEXT NOT NULL,
            version INTEGER NOT NULL,
            event_seq INTEGER NOT NULL,
            at INTEGER NOT NULL,
            text TEXT,
            signed_sha256 TEXT,
            payload_json TEXT NOT NULL,
            outdated_by INTEGER
          ) STRICT;
          CREATE INDEX report_answer_member ON report_answer (date, project, codename, kind);
        `);
      },
    },
  ],
};

const SHEETS_FILE = 'score-sheet.sqlite';

/** The files versions before the merge kept beside device.sqlite, merged into it at the first open. */
export const BOOTH_LEGACY_FILES: readonly LegacyFile[] = [
  { file: 'booth-roster.sqlite', userVersion: 1, tables: ['seat', 'face', 'project', 'applied_message'] },
  { file: 'booth-session.sqlite', userVersion: 1, tables: ['session_day'] },
  // Sheets before cells: a cell refers to its sheet.
  { file: SHEETS_FILE, userVersion: 1, tables: ['sheet', 'cell'] },
];

export const BOOTH_DATABASE_PARTS: readonly SchemaPart[] = [DEVICE_SCHEMA, BOOTH_SCHEMA];

export function openBoothDatabase(dataDir: string): DeviceDatabase {
  const database = openDeviceDatabase({ dataDir, parts: BOOTH_DATABASE_PARTS, legacy: BOOTH_LEGACY_FILES });
  if (database.imported.includes(SHEETS_FILE)) claimImportedSheets(database.db);
  return database;
}

/**
 * Sheets merged in from a version before the one database (BOOTH_LEGACY_FILES) arrive after the
 * migrations, without the columns those added: no member (migration 3) and no signed version
 * (migration 2). Each is given what the migrations give a sheet — the member its signed document
 * names, else the one seated that day on that project — and its signed version; a sheet whose day is
 * no longer in the seat table stays unowned (nobody opens it again). Run right after the merge, on
 * the merged rows only (a sheet of a booth's own with no member, as tests of the sheet alone make, is
 * left alone); idempotent. A crash between the merge and this leaves the old sheet stored but unowned.
 */
export function claimImportedSheets(db: DeviceDatabase['db']): void {
  db.transaction(() => {
    db.exec(`
      UPDATE OR IGNORE sheet SET codename = COALESCE(
          json_extract(document_json, '$.codename'),
          (SELECT json_extract(s.payload_json, '$.codename') FROM seat s
            WHERE s.date = sheet.date AND json_extract(s.payload_json, '$.project') = sheet.project),
          '')
        WHERE codename = '';
      INSERT OR IGNORE INTO sheet_version (sheet_key, revision, recheck_json, submitted_at, document_json, signature_json, event_seq)
        SELECT sheet_key, revision, recheck_json, submitted_at, document_json, signature_json, event_seq FROM sheet
        WHERE status = 'submitted' AND document_json IS NOT NULL AND signature_json IS NOT NULL AND submitted_at IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM sheet_version v WHERE v.sheet_key = sheet.sheet_key);
    `);
  })();
}
