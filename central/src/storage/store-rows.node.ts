import { randomBytes } from 'node:crypto';
import type { Booth, Gate, GateRole, Room } from '@kawei/shared/domain/topology.ts';
import type { DeviceRecord, EnrolTarget } from '@kawei/shared/api/central-http.ts';
import type { SyncEvent } from '@kawei/shared/sync/sync-event.ts';
import type { DownstreamMessage } from '@kawei/shared/sync/sync-http.ts';
import type { Alert, AlertKind, StoredEvent } from './sync-store.ts';
import type { LedgerEvent } from './committee-store.ts';

/**
 * The shape of the central's rows (the same on SQLite and PostgreSQL; the tables are typed from them
 * in central-schema.ts) and the mapping from rows to the domain types.
 */

export interface AlertRow {
  id: number;
  device_id: string | null;
  kind: AlertKind;
  detail_json: string;
  created_at: number;
}
export interface BoothRow {
  id: string;
  room_id: string;
  row: number;
  col: number;
  label: string;
}
export interface DeviceRow {
  id: string;
  kind: 'booth' | 'gate';
  booth_id: string | null;
  gate_id: string | null;
  public_key: string;
  hostname: string;
  app_version: string;
  status: 'active' | 'revoked';
  enrolled_at: number;
  revoked_at: number | null;
  last_seen_at: number | null;
}
export interface EnrolmentCodeRow {
  target_kind: 'booth' | 'gate';
  booth_id: string | null;
  gate_id: string | null;
  expires_at: number;
  used_at: number | null;
}
export interface EventRow {
  device_id: string;
  seq: number;
  v: number;
  id: string;
  type: string;
  payload_json: string;
  device_time: number;
  prev_hash: string;
  hash: string;
  signature: string;
  received_at: number;
  clock_skew_ms: number;
}
/** The committee ledger: an event of the central's own chain, with the committee it belongs to. */
export interface LedgerRow {
  seq: number;
  device_id: string;
  v: number;
  id: string;
  type: string;
  payload_json: string;
  device_time: number;
  prev_hash: string;
  hash: string;
  signature: string;
  date: string;
  project: string;
}
export interface GateRow {
  id: string;
  site_id: string;
  name: string;
  role: GateRole;
  room_id: string | null;
}
export interface MessageRow {
  cursor: number;
  id: string;
  device_id: string | null;
  type: string;
  payload_json: string;
  created_at: number;
  signature: string;
}
export interface RoomRow {
  id: string;
  site_id: string;
  number: number;
  name: string;
  rows: number;
  cols: number;
}
export interface SiteRow {
  id: string;
  name: string;
}
/**
 * The caller has checked the batch (shared/src/sync/event-chain.node.ts); this guards the store's own
 * reasoning, which relies on it, against a caller that did not.
 */
export function assertConsecutiveChain(events: readonly SyncEvent[]): void {
  if (events.length === 0) throw new TypeError('ingestBatch needs at least one event');
  for (let i = 1; i < events.length; i++) {
    if (events[i]!.seq !== events[i - 1]!.seq + 1 || events[i]!.prevHash !== events[i - 1]!.hash) {
      throw new TypeError(`ingestBatch needs consecutive, chained events (at seq ${events[i]!.seq})`);
    }
  }
}
export function randomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}
export function targetId(target: EnrolTarget): string {
  return target.kind === 'booth' ? target.boothId : target.gateId;
}
export function targetOf(row: { target_kind: 'booth' | 'gate'; booth_id: string | null; gate_id: string | null }): EnrolTarget {
  return row.target_kind === 'booth' ? { kind: 'booth', boothId: row.booth_id! } : { kind: 'gate', gateId: row.gate_id! };
}
export function toAlert(row: AlertRow): Alert {
  return {
    id: row.id,
    deviceId: row.device_id,
    kind: row.kind,
    detail: JSON.parse(row.detail_json) as Record<string, unknown>,
    createdAt: row.created_at,
  };
}
export function toBooth(row: BoothRow): Booth {
  return { id: row.id, roomId: row.room_id, row: row.row, col: row.col, label: row.label };
}
export function toDeviceRecord(row: DeviceRow): DeviceRecord {
  return {
    id: row.id,
    kind: row.kind,
    target: targetOf({ target_kind: row.kind, booth_id: row.booth_id, gate_id: row.gate_id }),
    publicKey: row.public_key,
    hostname: row.hostname,
    appVersion: row.app_version,
    status: row.status,
    enrolledAt: row.enrolled_at,
    revokedAt: row.revoked_at,
    lastSeenAt: row.last_seen_at,
  };
}
export function toGate(row: GateRow): Gate {
  return { id: row.id, siteId: row.site_id, name: row.name, role: row.role, roomId: row.room_id };
}
export function toMessage(row: MessageRow): DownstreamMessage {
  return {
    cursor: row.cursor,
    id: row.id,
    deviceId: row.device_id,
    type: row.type,
    payload: JSON.parse(row.payload_json) as DownstreamMessage['payload'],
    createdAt: row.created_at,
    signature: row.signature,
  };
}
export function toRoom(row: RoomRow): Room {
  return { id: row.id, siteId: row.site_id, number: row.number, name: row.name, rows: row.rows, cols: row.cols };
}
/** payload_json is the canonical JSON the hash covered, so the event's hash recomputes exactly. */
export function toStoredEvent(row: EventRow): StoredEvent {
  return {
    v: row.v as SyncEvent['v'],
    id: row.id,
    deviceId: row.device_id,
    seq: row.seq,
    type: row.type,
    payload: JSON.parse(row.payload_json) as SyncEvent['payload'],
    deviceTime: row.device_time,
    prevHash: row.prev_hash,
    hash: row.hash,
    signature: row.signature,
    receivedAt: row.received_at,
    clockSkewMs: row.clock_skew_ms,
  };
}
/** payload_json is the canonical JSON the central hashed, so the ledger event's hash recomputes exactly. */
export function toLedgerEvent(row: LedgerRow): LedgerEvent {
  return {
    v: row.v as SyncEvent['v'],
    id: row.id,
    deviceId: row.device_id,
    seq: row.seq,
    type: row.type,
    payload: JSON.parse(row.payload_json) as SyncEvent['payload'],
    deviceTime: row.device_time,
    prevHash: row.prev_hash,
    hash: row.hash,
    signature: row.signature,
    date: row.date,
    project: row.project,
  };
}
