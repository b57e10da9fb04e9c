import { ApiError } from '@kawei/shared/errors.ts';
import type { DeviceKind, GateRole, Position, Room, Site, Gate, Booth } from '@kawei/shared/domain/topology.ts';
import type { DeviceRecord, EnrolTarget, SiteTree } from '@kawei/shared/api/central-http.ts';

/**
 * Everything the central remembers, behind one asynchronous interface so a PostgreSQL store can
 * replace SQLite without touching the HTTP layer or the CLI. Each method is one atomic operation:
 * callers never see a transaction, so an implementation cannot be used half-way.
 *
 * Time is always passed in (`now`, epoch milliseconds) rather than read inside the store, so the
 * caller's clock — real or injected by a test — is the only clock.
 *
 * Refusals are thrown as ApiError with the code the HTTP layer answers with.
 */
export interface CentralStore {
  /** The central's id and Ed25519 key pair, created the first time the store is opened. */
  getCentralIdentity(): Promise<CentralIdentity>;

  /** sha256 hex of the operator token, or null before `serve` has created one. */
  getOperatorTokenHash(): Promise<string | null>;
  /** Stores the hash only if none is stored yet; false means another one already was. */
  setOperatorTokenHashIfAbsent(tokenSha256Hex: string): Promise<boolean>;

  createSite(input: NewSite): Promise<Site>;
  /** Creates the room and all rows × cols booths, ids `${roomId}-${label}`. */
  createRoom(input: NewRoom): Promise<Room & { booths: Booth[] }>;
  createGate(input: NewGate): Promise<Gate>;
  /** Adds whatever part of the topology is missing; existing ids are left exactly as they are. */
  importTopology(sites: readonly TopologySiteImport[]): Promise<TopologyImportResult>;
  listSiteTrees(): Promise<SiteTree[]>;

  /**
   * Records a new enrolment code for an existing booth or gate (NOT_FOUND otherwise). Only the
   * code's sha256 is stored. Returns false if that hash already exists, so the caller draws again.
   */
  createEnrolmentCode(input: NewEnrolmentCode): Promise<boolean>;
  /**
   * In one transaction: checks the code (ENROL_CODE_INVALID / _USED / _EXPIRED / _WRONG_KIND), checks
   * that no active device holds the position (POSITION_TAKEN) and that the key is new
   * (ALREADY_ENROLLED), creates the device and marks the code used by it.
   */
  consumeEnrolmentCode(input: EnrolmentAttempt): Promise<Enrolment>;

  getDevice(deviceId: string): Promise<DeviceRecord | null>;
  listDevices(): Promise<DeviceRecord[]>;
  /** Marks the device revoked (NOT_FOUND if unknown); revoking twice keeps the first revocation time. */
  revokeDevice(deviceId: string, now: number): Promise<DeviceRecord>;
  /** Where a booth or gate stands, or null if it does not exist. */
  getPosition(target: EnrolTarget): Promise<Position | null>;

  /**
   * Remembers a device request's nonce until `expiresAt` and stamps the device's last_seen_at.
   * Changes nothing and returns 'replayed' if the device already used this nonce, or 'revoked' if
   * the device is no longer active (a revocation that landed after the caller looked the device up).
   * Expired nonces of all devices are purged on the way.
   */
  acceptDeviceNonce(input: { deviceId: string; nonce: string; expiresAt: number; now: number }): Promise<
    'accepted' | 'replayed' | 'revoked'
  >;

  close(): Promise<void>;
}

export interface CentralIdentity {
  centralId: string;
  /** base64 SPKI DER */
  publicKey: string;
  privateKeyPkcs8: Buffer;
}

export interface NewSite {
  id?: string | undefined;
  name: string;
}

export interface NewRoom {
  id?: string | undefined;
  siteId: string;
  number: number;
  /** Defaults to `${number}号评标室`. */
  name?: string | undefined;
  rows: number;
  cols: number;
}

export interface NewGate {
  id?: string | undefined;
  siteId: string;
  name: string;
  role: GateRole;
  /** Required for a room door (a room of the same site), null for an area entrance. */
  roomId: string | null;
}

export interface TopologySiteImport {
  id: string;
  name: string;
  rooms: { id: string; number: number; name?: string | undefined; rows: number; cols: number }[];
  gates: { id: string; name: string; role: GateRole; roomId: string | null }[];
}

export interface TopologyImportResult {
  created: { sites: number; rooms: number; booths: number; gates: number };
}

export interface NewEnrolmentCode {
  codeSha256Hex: string;
  target: EnrolTarget;
  createdAt: number;
  expiresAt: number;
}

export interface EnrolmentAttempt {
  codeSha256Hex: string;
  kind: DeviceKind;
  publicKey: string;
  hostname: string;
  appVersion: string;
  now: number;
}

export interface Enrolment {
  device: DeviceRecord;
  position: Position;
}

/**
 * An id (or a room number within a site) the operator chose is already in use. It carries
 * BAD_INPUT because the shared contract has no CONFLICT code yet; the HTTP layer answers 409.
 */
export class TopologyConflictError extends ApiError {
  constructor(message: string) {
    super('BAD_INPUT', message);
  }
}
