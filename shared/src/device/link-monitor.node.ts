import { ApiError, type ErrorCode } from '../errors.ts';
import type { LinkStatus } from '../contract/device-status.ts';

/**
 * Keeps an enrolled device's view of its central link current: it asks `probe` every `intervalMs`
 * (and whenever `checkNow` is called) and turns the outcome into a LinkStatus.
 *   - success → online
 *   - the central knows us not (revoked, unknown) → refused: the technician must act
 *   - anything else (no answer, a server at the address whose TLS key is not the pinned one
 *     (CENTRAL_TLS_MISMATCH: nothing was sent to it), an answer not signed by our central, our clock
 *     too far off) → offline, with the reason so the technician screen can say which. An impostor
 *     may be gone a minute later, so a key mismatch is not a refusal by the central.
 */
const REFUSING_CODES: ReadonlySet<ErrorCode> = new Set(['DEVICE_REVOKED', 'DEVICE_UNKNOWN']);

export interface LinkMonitorOptions {
  probe: () => Promise<void>;
  intervalMs: number;
  now?: () => number;
  onChange: (link: LinkStatus) => void;
}

export class LinkMonitor {
  private link: LinkStatus = { state: 'unknown', since: null, lastContactAt: null, reason: null };
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<LinkStatus> | null = null;
  private stopped = true;
  private readonly now: () => number;

  constructor(private readonly options: LinkMonitorOptions) {
    this.now = options.now ?? Date.now;
  }

  get current(): LinkStatus {
    return this.link;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    void this.tick();
  }

  /** Stops the ticks and waits for a probe in flight; its outcome is then discarded. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.inFlight?.catch(() => undefined);
  }
  private closed = false;

  /** Probes now; concurrent callers share one probe. */
  checkNow(): Promise<LinkStatus> {
    this.inFlight ??= this.runProbe().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  /** The device has just talked to the central by other means (e.g. enrolment). */
  markContact(): void {
    this.update('online', null);
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    await this.checkNow();
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), this.options.intervalMs);
    this.timer.unref();
  }

  private async runProbe(): Promise<LinkStatus> {
    try {
      await this.options.probe();
      this.update('online', null);
    } catch (error) {
      const code: ErrorCode = error instanceof ApiError ? error.code : 'INTERNAL';
      this.update(REFUSING_CODES.has(code) ? 'refused' : 'offline', code);
    }
    return this.link;
  }

  private update(state: LinkStatus['state'], reason: ErrorCode | null): void {
    if (this.closed) return;
    const now = this.now();
    this.link = {
      state,
      since: state === this.link.state ? this.link.since : now,
      lastContactAt: state === 'online' ? now : this.link.lastContactAt,
      reason,
    };
    this.options.onChange(this.link);
  }
}
