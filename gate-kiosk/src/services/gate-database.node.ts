/**
 * The gate's one database (`<dataDir>/device.sqlite`): every table a gate keeps, declared here with
 * its numbered migrations, in two parts — the device part (identity, sync log, inbox: shared with
 * the booth, shared/src/device/device-store.node.ts) and the gate part below. The roster and the
 * journal hold their queries and share this one connection, so a check's `gate.check` event and its
 * journal entry (the anti-passback record) commit in one transaction.
 * See docs/ARCHITECTURE.md, "Where data lives on a device".
 */
import { DEVICE_SCHEMA } from '@kawei/shared/device/device-store.node.ts';
import { openDeviceDatabase, type DeviceDatabase, type LegacyFile, type SchemaPart } from '@kawei/shared/store/device-database.node.ts';

export const GATE_SCHEMA: SchemaPart = {
  name: 'gate',
  migrations: [
    {
      version: 1,
      description: 'gate roster, face set parts (encrypted templates and photos), applied messages; monitor entries and alerts',
      up: (db) => {
        db.exec(`
          -- roster/gate-roster.node.ts: the site's roster and the day's face set from the inbox.
          CREATE TABLE roster (
            date TEXT PRIMARY KEY,
            site TEXT NOT NULL,
            seed TEXT NOT NULL,
            entries_json TEXT NOT NULL,
            message_id TEXT NOT NULL,
            received_at INTEGER NOT NULL
          ) STRICT;
          CREATE TABLE faces_part (
            date TEXT NOT NULL,
            part INTEGER NOT NULL,
            parts INTEGER NOT NULL,
            site TEXT NOT NULL,
            model TEXT NOT NULL,
            message_id TEXT NOT NULL,
            received_at INTEGER NOT NULL,
            PRIMARY KEY (date, part)
          ) STRICT;
          CREATE TABLE face_person (
            date TEXT NOT NULL,
            part INTEGER NOT NULL,
            expert TEXT NOT NULL,
            masked_name TEXT NOT NULL,
            id_number_hash TEXT,
            seat_json TEXT,
            has_photo INTEGER NOT NULL,
            nonce BLOB NOT NULL,
            ciphertext BLOB NOT NULL,
            tag BLOB NOT NULL,
            PRIMARY KEY (date, part, expert)
          ) STRICT;
          CREATE TABLE applied_message (
            id TEXT PRIMARY KEY,
            type TEXT NOT NULL,
            outcome TEXT NOT NULL,
            applied_at INTEGER NOT NULL
          ) STRICT;

          -- monitor/gate-journal.node.ts: the staff monitor's entries (and anti-passback) and alerts.
          CREATE TABLE entry (
            check_id TEXT PRIMARY KEY,
            date TEXT NOT NULL,
            at INTEGER NOT NULL,
            decision TEXT NOT NULL,
            reason TEXT,
            expert TEXT,
            masked_name TEXT,
            codename TEXT,
            seat_json TEXT,
            similarity REAL,
            capture TEXT,
            note TEXT
          ) STRICT;
          CREATE INDEX entry_by_date ON entry (date, at);
          CREATE TABLE alert (
            alert_id TEXT PRIMARY KEY,
            date TEXT NOT NULL,
            at INTEGER NOT NULL,
            kind TEXT NOT NULL,
            check_id TEXT,
            device TEXT,
            acknowledged_at INTEGER
          ) STRICT;
          CREATE INDEX alert_by_date ON alert (date, at);
        `);
      },
    },
  ],
};

/** The files versions before the merge kept beside device.sqlite, merged into it at the first open. */
export const GATE_LEGACY_FILES: readonly LegacyFile[] = [
  { file: 'gate-roster.sqlite', userVersion: 1, tables: ['roster', 'faces_part', 'face_person', 'applied_message'] },
  { file: 'gate-journal.sqlite', userVersion: 1, tables: ['entry', 'alert'] },
];

export const GATE_DATABASE_PARTS: readonly SchemaPart[] = [DEVICE_SCHEMA, GATE_SCHEMA];

export function openGateDatabase(dataDir: string): DeviceDatabase {
  return openDeviceDatabase({ dataDir, parts: GATE_DATABASE_PARTS, legacy: GATE_LEGACY_FILES });
}
