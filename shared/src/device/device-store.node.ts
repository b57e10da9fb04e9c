import { chmodSync } from 'node:fs';
import { z } from 'zod';
import { openSqlite, type Migration, type SqliteDatabase } from '../store/sqlite.node.ts';
import { deviceKindSchema, idSchema, positionSchema, type DeviceKind, type Position } from '../domain/topology.ts';

/**
 * The device's local SQLite store. This module owns every SQL statement a booth or gate runs.
 * For now it holds the device's identity: its own key pair, the central it enrolled with and the
 * central's public key (pinned at enrolment), and its last known position.
 *
 * The private key rests in this file, readable only by the app's user (mode 0600). On the Electron
 * build the file lives in the app's userData directory.
 */

const MIGRATIONS: Migration[] = [
  {
    version: 1,
    description: 'device identity',
    up: (db) => {
      db.exec(`
        CREATE TABLE identity (
          singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
          device_id TEXT NOT NULL,
          kind TEXT NOT NULL,
          public_key TEXT NOT NULL,
          private_key_pkcs8 BLOB NOT NULL,
          central_url TEXT NOT NULL,
          central_id TEXT NOT NULL,
          central_public_key TEXT NOT NULL,
          position_json TEXT NOT NULL,
          enrolled_at INTEGER NOT NULL
        ) STRICT;
      `);
    },
  },
];

export interface DeviceIdentity {
  deviceId: string;
  kind: DeviceKind;
  publicKey: string;
  privateKeyPkcs8: Buffer;
  centralUrl: string;
  centralId: string;
  centralPublicKey: string;
  position: Position;
  enrolledAt: number;
}

const identityRowSchema = z.object({
  device_id: idSchema,
  kind: deviceKindSchema,
  public_key: z.string(),
  private_key_pkcs8: z.instanceof(Buffer),
  central_url: z.string(),
  central_id: z.string(),
  central_public_key: z.string(),
  position_json: z.string(),
  enrolled_at: z.number(),
});

export class DeviceStore {
  private constructor(private readonly db: SqliteDatabase) {}

  static open(file: string): DeviceStore {
    const db = openSqlite(file, MIGRATIONS);
    if (file !== ':memory:') chmodSync(file, 0o600);
    return new DeviceStore(db);
  }

  /** The identity, or null on a device that was never enrolled. A corrupt row is an error, not null. */
  identity(): DeviceIdentity | null {
    const row = this.db.prepare('SELECT * FROM identity WHERE singleton = 1').get();
    if (row === undefined) return null;
    const r = identityRowSchema.parse(row);
    return {
      deviceId: r.device_id,
      kind: r.kind,
      publicKey: r.public_key,
      privateKeyPkcs8: r.private_key_pkcs8,
      centralUrl: r.central_url,
      centralId: r.central_id,
      centralPublicKey: r.central_public_key,
      position: positionSchema.parse(JSON.parse(r.position_json)),
      enrolledAt: r.enrolled_at,
    };
  }

  /** Stores the identity once; a device that is already enrolled must be reset by a technician first. */
  saveIdentity(identity: DeviceIdentity): void {
    this.db
      .prepare(
        `INSERT INTO identity (singleton, device_id, kind, public_key, private_key_pkcs8, central_url, central_id,
           central_public_key, position_json, enrolled_at)
         VALUES (1, @deviceId, @kind, @publicKey, @privateKeyPkcs8, @centralUrl, @centralId, @centralPublicKey,
           @positionJson, @enrolledAt)`,
      )
      .run({ ...identity, positionJson: JSON.stringify(identity.position) });
  }

  /** The central may move a device's label or rename a room; the idle screen follows. */
  updatePosition(position: Position): void {
    this.db.prepare('UPDATE identity SET position_json = ? WHERE singleton = 1').run(JSON.stringify(position));
  }

  close(): void {
    this.db.close();
  }
}
