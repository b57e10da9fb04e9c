import { hostname } from 'node:os';
import { ApiError } from '../errors.ts';
import { enrolProofMessage, normaliseEnrolCode } from '../api/central-http.ts';
import { generateEd25519, privateKeyFromPkcs8, publicKeyFromBase64, signText } from '../crypto/ed25519.node.ts';
import type { DeviceKind, Position } from '../domain/topology.ts';
import type { LinkStatus } from '../contract/device-status.ts';
import { fingerprintInputSchema } from '../api/central-tls.ts';
import { CentralClient, credentialsFrom, type DeviceCredentials, type FetchFileOptions } from './central-client.node.ts';
import { DeviceStore, type DeviceIdentity, type InboxMessage } from './device-store.node.ts';
import { LinkMonitor } from './link-monitor.node.ts';
import { EventLog, type EventPayload } from '../sync/event-log.node.ts';
import { SyncSender, type SenderStatus } from '../sync/sync-sender.node.ts';
import { PullClient, type PullStatus } from '../sync/pull-client.node.ts';
import type { SyncEvent } from '../sync/sync-event.ts';
import type { DownstreamMessage } from '../sync/sync-http.ts';

export type PositionOf<K extends DeviceKind> = Extract<Position, { kind: K }>;

export type DeviceStatus<K extends DeviceKind> =
  | { provisioning: 'unprovisioned'; appVersion: string }
  | {
      provisioning: 'enrolled';
      appVersion: string;
      deviceId: string;
      centralUrl: string;
      /** SHA-256 (hex) of the central's TLS key pinned at enrolment ('' on a device enrolled before TLS). */
      centralFingerprint: string;
      centralId: string;
      enrolledAt: number;
      position: PositionOf<K>;
      link: LinkStatus;
      sync: SyncSummary;
    };

/** Upstream (the event log) and downstream (the inbox) as a technician wants to see them. */
export interface SyncSummary {
  state: SenderStatus['state'];
  lastSeq: number;
  ackedSeq: number;
  pending: number;
  lastError: SenderStatus['lastError'];
  lastAckAt: number | null;
  inbox: { cursor: number; transport: PullStatus['transport']; state: PullStatus['state'] };
}

export interface DeviceIdentityOptions<K extends DeviceKind> {
  kind: K;
  store: DeviceStore;
  appVersion: string;
  /** How often an enrolled device checks its link to the central. */
  linkIntervalMs?: number;
  hostname?: string;
}

export const DEFAULT_LINK_INTERVAL_MS = 5000;

/** A pin no SHA-256 starts with (not hex): matches no key. */
const NO_PIN = 'none'.repeat(8);

/**
 * A booth's or a gate's identity: not provisioned until a technician enrols it with a one-time code,
 * then a key pair of its own, the central's pinned key, its position and a live link status.
 * Shared by both apps; each app narrows it to its own kind.
 */
export class DeviceIdentityService<K extends DeviceKind> {
  private identity: DeviceIdentity | null;
  private credentials: DeviceCredentials | null = null;
  private client: CentralClient | null = null;
  private readonly monitor: LinkMonitor;
  private readonly listeners = new Set<(status: DeviceStatus<K>) => void>();
  private enrolling: Promise<DeviceStatus<K>> | null = null;
  private sync: { log: EventLog; sender: SyncSender; puller: PullClient } | null = null;
  private readonly messageListeners = new Set<(message: DownstreamMessage) => void>();

  constructor(private readonly options: DeviceIdentityOptions<K>) {
    this.identity = options.store.identity();
    if (this.identity && this.identity.kind !== options.kind) {
      throw new Error(`this data directory belongs to a ${this.identity.kind}, not a ${options.kind}`);
    }
    this.monitor = new LinkMonitor({
      intervalMs: options.linkIntervalMs ?? DEFAULT_LINK_INTERVAL_MS,
      probe: () => this.probeCentral(),
      onChange: (link) => this.onLinkChange(link),
    });
    if (this.identity) this.connect(this.identity);
  }

  status(): DeviceStatus<K> {
    const id = this.identity;
    if (!id) return { provisioning: 'unprovisioned', appVersion: this.options.appVersion };
    return {
      provisioning: 'enrolled',
      appVersion: this.options.appVersion,
      deviceId: id.deviceId,
      centralUrl: id.centralUrl,
      centralFingerprint: id.centralTlsSpkiSha256 ?? '',
      centralId: id.centralId,
      enrolledAt: id.enrolledAt,
      position: id.position as PositionOf<K>,
      link: this.monitor.current,
      sync: this.syncStatus(),
    };
  }

  /**
   * Appends a fact for the central to the device's event log. Durable when this returns (the caller
   * may tell the user it is saved); delivered exactly once, in order, whenever the central is
   * reachable.
   */
  recordEvent(type: string, payload: EventPayload): SyncEvent {
    if (!this.sync) throw new ApiError('NOT_ENROLLED', 'events need an enrolled device');
    const event = this.sync.log.append(type, payload);
    this.sync.sender.kick();
    return event;
  }

  /**
   * One tender file of a project this booth is seated on, by its SHA-256 (CentralClient.fetchFile:
   * device-signed GET, size cap, hash and the central's signature checked before any byte returns).
   */
  fetchFile(sha256: string, options: FetchFileOptions = {}): Promise<Uint8Array> {
    if (!this.client || !this.credentials) return Promise.reject(new ApiError('NOT_ENROLLED', 'files need an enrolled device'));
    return this.client.fetchFile(this.credentials, sha256, options);
  }

  syncStatus(): SyncSummary {
    if (!this.sync) throw new ApiError('NOT_ENROLLED', 'this device is not enrolled yet');
    const up = this.sync.sender.status();
    const down = this.sync.puller.status();
    return {
      state: up.state,
      lastSeq: up.lastSeq,
      ackedSeq: up.ackedSeq,
      pending: up.pending,
      lastError: up.lastError,
      lastAckAt: up.lastAckAt,
      inbox: { cursor: down.cursor, transport: down.transport, state: down.state },
    };
  }

  /** Resolves when every event recorded so far is acknowledged by the central. */
  async waitForSync(timeoutMs: number): Promise<void> {
    if (!this.sync) throw new ApiError('NOT_ENROLLED', 'this device is not enrolled yet');
    await this.sync.sender.waitForDrain(timeoutMs);
  }

  /** Messages from the central (rosters, commands, a supervisor's notice) as they arrive. */
  onMessage(listener: (message: DownstreamMessage) => void): () => void {
    this.messageListeners.add(listener);
    return () => this.messageListeners.delete(listener);
  }

  /**
   * The newest `limit` messages already in the inbox, oldest first: an app rebuilds its state from
   * them at start (a message stored just before a crash was never seen by `onMessage` listeners).
   */
  inboxMessages(limit = 500): InboxMessage[] {
    return this.options.store.inbox(limit).reverse();
  }

  onChange(listener: (status: DeviceStatus<K>) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Enrols once, with the central whose TLS key matches `centralFingerprint` (what `enrol-code`
   * printed with the code; at least 32 hex digits): the code is sent only to that key, and the full
   * key is pinned from then on. Concurrent calls (a double tap) wait for the first and then see
   * ALREADY_ENROLLED.
   */
  async enrol(centralUrl: string, code: string, centralFingerprint: string): Promise<DeviceStatus<K>> {
    while (this.enrolling) await this.enrolling.catch(() => undefined);
    if (this.identity) throw new ApiError('ALREADY_ENROLLED', 'this device is already enrolled');
    this.enrolling = this.doEnrol(centralUrl, code, centralFingerprint);
    try {
      return await this.enrolling;
    } finally {
      this.enrolling = null;
    }
  }

  async checkLink(): Promise<DeviceStatus<K>> {
    if (!this.identity) throw new ApiError('NOT_ENROLLED', 'this device is not enrolled yet');
    await this.monitor.checkNow();
    return this.status();
  }

  async close(): Promise<void> {
    await this.monitor.stop();
    if (this.sync) await Promise.all([this.sync.sender.stop(), this.sync.puller.stop()]);
    this.client?.close();
    this.listeners.clear();
    this.messageListeners.clear();
  }

  private async doEnrol(centralUrl: string, code: string, centralFingerprint: string): Promise<DeviceStatus<K>> {
    const fingerprint = fingerprintInputSchema.safeParse(centralFingerprint);
    if (!fingerprint.success) {
      throw new ApiError('BAD_INPUT', `central fingerprint: ${fingerprint.error.issues[0]?.message ?? 'invalid'}`);
    }
    const client = new CentralClient(centralUrl, { tlsPin: fingerprint.data });
    try {
      return await this.enrolWith(client, code);
    } finally {
      client.close();
    }
  }

  private async enrolWith(client: CentralClient, code: string): Promise<DeviceStatus<K>> {
    const keys = generateEd25519();
    const privateKey = privateKeyFromPkcs8(keys.privateKeyPkcs8);
    const normalised = normaliseEnrolCode(code);
    const answer = await client.enrol({
      code: normalised,
      kind: this.options.kind,
      publicKey: keys.publicKey,
      proof: signText(privateKey, enrolProofMessage(normalised, keys.publicKey)),
      hostname: (this.options.hostname ?? hostname()).slice(0, 100) || 'unknown',
      appVersion: this.options.appVersion,
    });
    if (answer.position.kind !== this.options.kind) {
      throw new ApiError('CENTRAL_BAD_RESPONSE', `the central enrolled this ${this.options.kind} as a ${answer.position.kind}`);
    }
    if (!publicKeyFromBase64(answer.centralPublicKey)) {
      throw new ApiError('CENTRAL_BAD_RESPONSE', 'the central sent no usable public key');
    }
    const tlsKey = client.seenTlsKey;
    if (tlsKey === null) throw new ApiError('CENTRAL_TLS_MISMATCH', 'the enrolment answer came over no pinned connection');
    const identity: DeviceIdentity = {
      deviceId: answer.deviceId,
      kind: this.options.kind,
      publicKey: keys.publicKey,
      privateKeyPkcs8: keys.privateKeyPkcs8,
      centralUrl: client.baseUrl,
      centralId: answer.centralId,
      centralPublicKey: answer.centralPublicKey,
      centralTlsSpkiSha256: tlsKey,
      position: answer.position,
      enrolledAt: answer.enrolledAt,
    };
    this.options.store.saveIdentity(identity);
    this.identity = identity;
    this.connect(identity);
    this.monitor.markContact();
    return this.status();
  }

  private connect(identity: DeviceIdentity): void {
    const privateKey = privateKeyFromPkcs8(identity.privateKeyPkcs8);
    // A device enrolled before TLS has no pin: every connection then fails as CENTRAL_TLS_MISMATCH
    // (shown on its status) until a technician enrols it again; it never falls back to plain HTTP.
    const client = new CentralClient(identity.centralUrl, { tlsPin: identity.centralTlsSpkiSha256 ?? NO_PIN });
    const credentials = credentialsFrom({
      deviceId: identity.deviceId,
      privateKey,
      centralPublicKey: identity.centralPublicKey,
    });
    this.client = client;
    this.credentials = credentials;
    const log = EventLog.open(this.options.store, identity.deviceId, privateKey);
    this.sync = {
      log,
      sender: new SyncSender({ log, client, credentials, onStatus: () => this.notify() }),
      puller: new PullClient({
        log,
        client,
        credentials,
        onStatus: () => this.notify(),
        onMessage: (message) => {
          for (const listener of this.messageListeners) listener(message);
        },
      }),
    };
    log.append('device.started', { appVersion: this.options.appVersion, kind: this.options.kind });
    this.sync.sender.start();
    this.sync.puller.start();
    this.monitor.start();
  }

  /** Link transitions are facts worth keeping (device health), and a returning central ends back-offs. */
  private onLinkChange(link: LinkStatus): void {
    if (this.sync && link.state !== this.lastLinkState) {
      if (this.lastLinkState !== null) {
        this.sync.log.append('device.link_changed', { state: link.state, reason: link.reason });
        this.sync.sender.kick();
      }
      if (link.state === 'online') {
        this.sync.sender.retryNow();
        this.sync.puller.retryNow();
      }
    }
    this.lastLinkState = link.state;
    this.notify();
  }
  private lastLinkState: LinkStatus['state'] | null = null;

  private async probeCentral(): Promise<void> {
    if (!this.client || !this.credentials || !this.identity) throw new ApiError('NOT_ENROLLED', 'not enrolled');
    const me = await this.client.deviceMe(this.credentials);
    if (me.deviceId !== this.identity.deviceId || me.position.kind !== this.options.kind) {
      throw new ApiError('CENTRAL_BAD_RESPONSE', 'the central answered for another device');
    }
    if (JSON.stringify(me.position) !== JSON.stringify(this.identity.position)) {
      this.options.store.updatePosition(me.position);
      this.identity = { ...this.identity, position: me.position };
    }
  }

  private notify(): void {
    const status = this.status();
    for (const listener of this.listeners) listener(status);
  }
}
