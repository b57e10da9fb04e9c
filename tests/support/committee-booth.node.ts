/**
 * One booth of a committee, as the committee tests drive it: the real booth services
 * (createBoothServices) on their own data folder, enrolled at the real central, their USB key a
 * SoftHSM2 token in its own slot, and every step through the API dispatcher — the same calls the
 * booth's screen makes. The clock is the wall clock plus a skew that each camera frame moves on
 * (the face login wants frames spread in time; nothing else in the booth is hurried).
 */
import { join } from 'node:path';
import type { BoothSession, CameraFrameOutput } from '@kawei/shared/contract/booth-session.ts';
import type { ReviewView } from '@kawei/shared/contract/booth-review.ts';
import type { CallResult } from '@kawei/shared/contract/contract.ts';
import { DEVICE_STORE_FILE } from '@kawei/shared/device/device-app-services.node.ts';
import { DeviceStore } from '@kawei/shared/device/device-store.node.ts';
import { privateKeyFromPkcs8 } from '@kawei/shared/crypto/ed25519.node.ts';
import { EventLog, type EventPayload } from '@kawei/shared/sync/event-log.node.ts';
import type { FacePipeline } from '@kawei/shared/face/face-pipeline.node.ts';
import { createBoothServices, type BoothServices } from '../../booth-client/src/services/booth-services.node.ts';
import { parseBoothConfig } from '../../booth-client/src/services/booth-config.ts';

export interface BoothSeat {
  expert: string;
  project: string;
  room: string;
  label: string;
  codename: string;
}

export interface BoothKey {
  modulePath: string;
  trustDir: string;
  slot: string;
  pin: string;
}

export class BoothCallError extends Error {
  constructor(
    readonly call: string,
    readonly code: string,
    message: string,
    readonly details: unknown,
  ) {
    super(`${call}: ${code} ${message}`);
    this.name = 'BoothCallError';
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class CommitteeBooth {
  services!: BoothServices;
  /** The booth's device id at the central (set by enrol; read again after a restart). */
  deviceId = '';
  private skew = 0;
  readonly sessions: BoothSession[] = [];
  readonly reviews: ReviewView[] = [];

  constructor(
    readonly seat: BoothSeat,
    readonly dataDir: string,
    readonly key: BoothKey,
    private readonly pipeline: FacePipeline,
    /** The camera frame (JPEG base64) of the expert seated here. */
    readonly face: string,
    private readonly linkIntervalMs = 250,
  ) {
    this.open();
  }

  get boothId(): string {
    return `${this.seat.room}-${this.seat.label}`;
  }

  get codename(): string {
    return this.seat.codename;
  }

  readonly now = (): number => Date.now() + this.skew;

  private open(): void {
    this.services = createBoothServices({
      dataDir: this.dataDir,
      appVersion: 'committee-test',
      linkIntervalMs: this.linkIntervalMs,
      pipeline: this.pipeline,
      now: this.now,
      config: parseBoothConfig({
        pkcs11Module: this.key.modulePath,
        trustDir: this.key.trustDir,
        tokenSlot: this.key.slot,
        tokenPollMs: 200,
        // Test-only: a still photo cannot blink (booth-config.ts); and no random re-check or absence
        // lock while the test drives the other booths for minutes without frames.
        livenessChallenges: 0,
        absenceLimitS: 3600,
        recheckIntervalMs: { minMs: 240 * 60_000, maxMs: 240 * 60_000 },
      }),
    });
    this.services.events.subscribe((channel, payload) => {
      if (channel === 'session') this.sessions.push(payload as BoothSession);
      if (channel === 'review') this.reviews.push(payload as ReviewView);
    });
  }

  async call<T>(name: string, input: unknown = {}): Promise<T> {
    const r: CallResult = await this.services.dispatch(name, input);
    if (!r.ok) throw new BoothCallError(name, r.error.code, r.error.message, (r.error as { details?: unknown }).details);
    return r.value as T;
  }

  /** The error a call answers (code and message); throws when it succeeds. */
  async refusal(name: string, input: unknown = {}): Promise<{ code: string; message: string }> {
    const r = await this.services.dispatch(name, input);
    if (r.ok) throw new Error(`${this.codename} ${name} succeeded: ${JSON.stringify(r.value).slice(0, 300)}`);
    return { code: r.error.code, message: r.error.message };
  }

  review(): Promise<ReviewView> {
    return this.call<ReviewView>('getReview');
  }

  async enrol(centralUrl: string, code: string, centralFingerprint: string): Promise<void> {
    const status = await this.call<{ provisioning: string; deviceId?: string }>('enrol', { centralUrl, code, centralFingerprint });
    if (status.provisioning !== 'enrolled' || !status.deviceId) throw new Error(`booth ${this.boothId} did not enrol: ${JSON.stringify(status)}`);
    this.deviceId = status.deviceId;
  }

  /** The message types in the booth's inbox (its device store). */
  inboxTypes(): string[] {
    const store = DeviceStore.open(join(this.dataDir, DEVICE_STORE_FILE));
    try {
      return store.inbox().map((m) => m.type);
    } finally {
      store.close();
    }
  }

  /** What the booth's own sync log holds, of one event type. */
  events(type: string): { seq: number; type: string; payload: Record<string, unknown> }[] {
    const store = DeviceStore.open(join(this.dataDir, DEVICE_STORE_FILE));
    try {
      return store
        .eventsAfter(0, 100_000)
        .filter((e) => e.type === type)
        .map((e) => ({ seq: e.seq, type: e.type, payload: e.payload as Record<string, unknown> }));
    } finally {
      store.close();
    }
  }

  async frame(image = this.face, advanceMs = 150): Promise<CameraFrameOutput> {
    this.skew += advanceMs;
    return this.call<CameraFrameOutput>('cameraFrame', { image, capturedAt: this.now() });
  }

  /** Face login (liveness off), then the commitment letter signed with the USB key. */
  async login(): Promise<void> {
    await this.services.ready;
    let last: CameraFrameOutput | null = null;
    for (let i = 0; i < 40; i++) {
      last = await this.frame();
      if (last.notice === 'logged_in' || last.phase === 'commitment' || last.phase === 'working') break;
    }
    if (!last || !(last.notice === 'logged_in' || last.phase === 'commitment' || last.phase === 'working')) {
      throw new Error(`${this.codename} at ${this.boothId} did not log in: ${JSON.stringify(last)}`);
    }
    const session = await this.call<BoothSession>('getSession');
    if (session.phase === 'commitment') {
      // The key may not be seen yet (polled every 200 ms).
      await until(`${this.codename}'s USB key`, () => this.call<BoothSession>('getSession'), (s) => s.token.present, 10_000, 100);
      await this.call('signCommitment', { pin: this.key.pin });
    }
  }

  /**
   * Appends an event to this booth's own sync log, sealed by its device key, with the services closed
   * (one writer): what a tampered or confused booth could send. The services open again and send it.
   */
  async forge(type: string, payload: Record<string, unknown>): Promise<number> {
    await this.services.close();
    const store = DeviceStore.open(join(this.dataDir, DEVICE_STORE_FILE));
    let seq: number;
    try {
      const identity = store.identity();
      if (!identity) throw new Error(`${this.boothId} is not enrolled`);
      seq = EventLog.open(store, identity.deviceId, privateKeyFromPkcs8(identity.privateKeyPkcs8)).append(type, payload as EventPayload).seq;
    } finally {
      store.close();
    }
    this.open();
    await this.services.ready;
    return seq;
  }

  /** Closes the services (as a crash would leave the data: nothing is flushed specially) and opens them again. */
  async restart(): Promise<void> {
    await this.services.close();
    this.open();
    await this.services.ready;
  }

  close(): Promise<void> {
    return this.services.close();
  }
}

/** Polls `read` until `ok` holds; the last value read is in the timeout's message. */
export async function until<T>(what: string, read: () => T | Promise<T>, ok: (value: T) => boolean, timeoutMs = 20_000, everyMs = 50): Promise<T> {
  const started = Date.now();
  let last: T | undefined;
  for (;;) {
    try {
      last = await read();
      if (ok(last)) return last;
    } catch (error) {
      if (Date.now() - started > timeoutMs) throw error;
    }
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${JSON.stringify(last)?.slice(0, 2000)}`);
    await sleep(everyMs);
  }
}
