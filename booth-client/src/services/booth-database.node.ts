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
  ],
};

/** The files versions before the merge kept beside device.sqlite, merged into it at the first open. */
export const BOOTH_LEGACY_FILES: readonly LegacyFile[] = [
  { file: 'booth-roster.sqlite', userVersion: 1, tables: ['seat', 'face', 'project', 'applied_message'] },
  { file: 'booth-session.sqlite', userVersion: 1, tables: ['session_day'] },
  // Sheets before cells: a cell refers to its sheet.
  { file: 'score-sheet.sqlite', userVersion: 1, tables: ['sheet', 'cell'] },
];

export const BOOTH_DATABASE_PARTS: readonly SchemaPart[] = [DEVICE_SCHEMA, BOOTH_SCHEMA];

export function openBoothDatabase(dataDir: string): DeviceDatabase {
  return openDeviceDatabase({ dataDir, parts: BOOTH_DATABASE_PARTS, legacy: BOOTH_LEGACY_FILES });
}
