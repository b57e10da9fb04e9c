/**
 * The central's schema as the two hand-written stores made it before the one Kysely store
 * (commit 8967b53: sqlite-central-store.node.ts and postgres/migrations.ts), copied verbatim. Tests
 * build databases with it to check that the one migration list makes the same tables, and that a
 * database made by the old code opens and keeps its data.
 */
export const LEGACY_SQLITE_SCHEMA: readonly [string, string] = [
  `
      CREATE TABLE meta (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        central_id TEXT NOT NULL,
        public_key TEXT NOT NULL,
        private_key_pkcs8 BLOB NOT NULL,
        operator_token_sha256 TEXT
      );
      CREATE TABLE sites (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL
      );
      CREATE TABLE rooms (
        id TEXT PRIMARY KEY,
        site_id TEXT NOT NULL REFERENCES sites(id),
        number INTEGER NOT NULL,
        name TEXT NOT NULL,
        rows INTEGER NOT NULL,
        cols INTEGER NOT NULL,
        UNIQUE (site_id, number)
      );
      CREATE TABLE booths (
        id TEXT PRIMARY KEY,
        room_id TEXT NOT NULL REFERENCES rooms(id),
        row INTEGER NOT NULL,
        col INTEGER NOT NULL,
        label TEXT NOT NULL,
        UNIQUE (room_id, label)
      );
      CREATE TABLE gates (
        id TEXT PRIMARY KEY,
        site_id TEXT NOT NULL REFERENCES sites(id),
        name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('area_entrance', 'room_door')),
        room_id TEXT REFERENCES rooms(id),
        CHECK ((role = 'room_door') = (room_id IS NOT NULL))
      );
      CREATE TABLE devices (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('booth', 'gate')),
        booth_id TEXT REFERENCES booths(id),
        gate_id TEXT REFERENCES gates(id),
        public_key TEXT NOT NULL UNIQUE,
        hostname TEXT NOT NULL,
        app_version TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('active', 'revoked')),
        enrolled_at INTEGER NOT NULL,
        revoked_at INTEGER,
        last_seen_at INTEGER,
        CHECK ((kind = 'booth') = (booth_id IS NOT NULL) AND (kind = 'gate') = (gate_id IS NOT NULL))
      );
      -- The store refuses POSITION_TAKEN itself; these indexes make a second active device at one
      -- position impossible even for a buggy future caller.
      CREATE UNIQUE INDEX devices_one_active_per_booth ON devices(booth_id) WHERE status = 'active' AND booth_id IS NOT NULL;
      CREATE UNIQUE INDEX devices_one_active_per_gate ON devices(gate_id) WHERE status = 'active' AND gate_id IS NOT NULL;
      CREATE TABLE enrolment_codes (
        code_sha256 TEXT PRIMARY KEY,
        target_kind TEXT NOT NULL CHECK (target_kind IN ('booth', 'gate')),
        booth_id TEXT REFERENCES booths(id),
        gate_id TEXT REFERENCES gates(id),
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        used_at INTEGER,
        used_by_device TEXT REFERENCES devices(id),
        CHECK ((target_kind = 'booth') = (booth_id IS NOT NULL) AND (target_kind = 'gate') = (gate_id IS NOT NULL))
      );
      CREATE TABLE device_nonces (
        device_id TEXT NOT NULL REFERENCES devices(id),
        nonce TEXT NOT NULL,
        expires_at INTEGER NOT NULL,
        PRIMARY KEY (device_id, nonce)
      ) WITHOUT ROWID;
      CREATE INDEX device_nonces_by_expiry ON device_nonces(expires_at);

  `,
  `
      CREATE TABLE device_heads (
        device_id TEXT PRIMARY KEY REFERENCES devices(id),
        seq INTEGER NOT NULL CHECK (seq >= 1),
        hash TEXT NOT NULL
      ) STRICT, WITHOUT ROWID;
      CREATE TABLE events (
        device_id TEXT NOT NULL REFERENCES devices(id),
        seq INTEGER NOT NULL CHECK (seq >= 1),
        v INTEGER NOT NULL,
        id TEXT NOT NULL,
        type TEXT NOT NULL,
        payload_json TEXT NOT NULL,
        device_time INTEGER NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL,
        signature TEXT NOT NULL,
        received_at INTEGER NOT NULL,
        clock_skew_ms INTEGER NOT NULL,
        PRIMARY KEY (device_id, seq)
      ) STRICT, WITHOUT ROWID;
      CREATE TABLE alerts (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        device_id TEXT REFERENCES devices(id),
        kind TEXT NOT NULL,
        detail_json TEXT NOT NULL,
        created_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX alerts_by_device ON alerts(device_id, id);
      CREATE TABLE messages (
        cursor INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        device_id TEXT REFERENCES devices(id),
        type TEXT NOT NULL,
        payload_json TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        signature TEXT NOT NULL
      ) STRICT;
      CREATE INDEX messages_by_device ON messages(device_id, cursor);

  `,
];

export const LEGACY_POSTGRES_SCHEMA: readonly [string, string] = [
  `
      CREATE TABLE meta (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        central_id TEXT NOT NULL,
        public_key TEXT NOT NULL,
        private_key_pkcs8 BYTEA NOT NULL,
        operator_token_sha256 TEXT
      );
      CREATE TABLE sites (
        id TEXT COLLATE "C" PRIMARY KEY,
        name TEXT NOT NULL
      );
      CREATE TABLE rooms (
        id TEXT COLLATE "C" PRIMARY KEY,
        site_id TEXT COLLATE "C" NOT NULL REFERENCES sites(id),
        number INTEGER NOT NULL,
        name TEXT NOT NULL,
        rows INTEGER NOT NULL,
        cols INTEGER NOT NULL,
        UNIQUE (site_id, number)
      );
      CREATE TABLE booths (
        id TEXT COLLATE "C" PRIMARY KEY,
        room_id TEXT COLLATE "C" NOT NULL REFERENCES rooms(id),
        row INTEGER NOT NULL,
        col INTEGER NOT NULL,
        label TEXT COLLATE "C" NOT NULL,
        UNIQUE (room_id, label)
      );
      CREATE TABLE gates (
        id TEXT COLLATE "C" PRIMARY KEY,
        site_id TEXT COLLATE "C" NOT NULL REFERENCES sites(id),
        name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('area_entrance', 'room_door')),
        room_id TEXT COLLATE "C" REFERENCES rooms(id),
        CHECK ((role = 'room_door') = (room_id IS NOT NULL))
      );
      CREATE TABLE devices (
        id TEXT COLLATE "C" PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('booth', 'gate')),
        booth_id TEXT COLLATE "C" REFERENCES booths(id),
        gate_id TEXT COLLATE "C" REFERENCES gates(id),
        public_key TEXT NOT NULL UNIQUE,
        hostname TEXT NOT NULL,
        app_version TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('active', 'revoked')),
        enrolled_at BIGINT NOT NULL,
        revoked_at BIGINT,
        last_seen_at BIGINT,
        CHECK ((kind = 'booth') = (booth_id IS NOT NULL) AND (kind = 'gate') = (gate_id IS NOT NULL))
      );
      -- The store refuses POSITION_TAKEN itself; these indexes make a second active device at one
      -- position impossible even for a buggy future caller.
      CREATE UNIQUE INDEX devices_one_active_per_booth ON devices(booth_id) WHERE status = 'active' AND booth_id IS NOT NULL;
      CREATE UNIQUE INDEX devices_one_active_per_gate ON devices(gate_id) WHERE status = 'active' AND gate_id IS NOT NULL;
      CREATE TABLE enrolment_codes (
        code_sha256 TEXT COLLATE "C" PRIMARY KEY,
        target_kind TEXT NOT NULL CHECK (target_kind IN ('booth', 'gate')),
        booth_id TEXT COLLATE "C" REFERENCES booths(id),
        gate_id TEXT COLLATE "C" REFERENCES gates(id),
        created_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL,
        used_at BIGINT,
        used_by_device TEXT COLLATE "C" REFERENCES devices(id),
        CHECK ((target_kind = 'booth') = (booth_id IS NOT NULL) AND (target_kind = 'gate') = (gate_id IS NOT NULL))
      );
      CREATE TABLE device_nonces (
        device_id TEXT COLLATE "C" NOT NULL REFERENCES devices(id),
        nonce TEXT COLLATE "C" NOT NULL,
        expires_at BIGINT NOT NULL,
        PRIMARY KEY (device_id, nonce)
      );
      CREATE INDEX device_nonces_by_expiry ON device_nonces(expires_at);

  `,
  `
      CREATE TABLE device_heads (
        device_id TEXT COLLATE "C" PRIMARY KEY REFERENCES devices(id),
        seq BIGINT NOT NULL CHECK (seq >= 0),
        hash TEXT NOT NULL
      );
      CREATE TABLE events (
        device_id TEXT COLLATE "C" NOT NULL REFERENCES devices(id),
        seq BIGINT NOT NULL CHECK (seq >= 1),
        v INTEGER NOT NULL,
        id TEXT NOT NULL,
        type TEXT NOT NULL,
        payload_json TEXT NOT NULL,
        device_time BIGINT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL,
        signature TEXT NOT NULL,
        received_at BIGINT NOT NULL,
        clock_skew_ms BIGINT NOT NULL,
        PRIMARY KEY (device_id, seq)
      );
      CREATE TABLE alerts (
        id BIGSERIAL PRIMARY KEY,
        device_id TEXT COLLATE "C" REFERENCES devices(id),
        kind TEXT NOT NULL,
        detail_json TEXT NOT NULL,
        created_at BIGINT NOT NULL
      );
      CREATE INDEX alerts_by_device ON alerts(device_id, id);
      CREATE TABLE messages (
        cursor BIGSERIAL PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        device_id TEXT COLLATE "C" REFERENCES devices(id),
        type TEXT NOT NULL,
        payload_json TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        signature TEXT NOT NULL
      );
      CREATE INDEX messages_by_device ON messages(device_id, cursor);

  `,
];
