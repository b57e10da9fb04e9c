import type { FastifyBaseLogger } from 'fastify';
import type { SyncStore } from '../storage/sync-store.ts';
import { FailureThrottle, type Lockout, type ThrottlePolicy } from './failure-throttle.ts';
import { rateLimited } from './http-errors.ts';

/** What is being guessed at; named in the RATE_LIMITED answer and in the alert. */
export type ThrottledEndpoint = 'enrol' | 'device-auth' | 'operator';

/**
 * A FailureThrottle wired to the server: refuses with RATE_LIMITED (429, Retry-After) while a
 * source or everyone is locked out, and raises a `security.throttled` alert (SyncStore.raiseAlert,
 * listed by GET /api/admin/alerts and `kawei-central alerts`) each time a lockout starts, so the
 * operator learns that someone is guessing. One alert per lockout, not per attempt.
 */
export class ThrottleGuard {
  private readonly throttle: FailureThrottle;

  constructor(
    readonly endpoint: ThrottledEndpoint,
    policy: ThrottlePolicy,
    private readonly deps: { store: Pick<SyncStore, 'raiseAlert'>; now: () => number; log: () => FastifyBaseLogger },
  ) {
    this.throttle = new FailureThrottle(policy);
  }

  /** Throws RATE_LIMITED if `source` (the peer address) may not try now. */
  assertAllowed(source: string): void {
    const verdict = this.throttle.check(source, this.deps.now());
    if (verdict.allowed) return;
    const who = verdict.scope === 'global' ? 'from all addresses' : 'from this address';
    throw rateLimited(`too many failed ${this.endpoint} attempts ${who}`, verdict.retryAfterMs, {
      endpoint: this.endpoint,
      scope: verdict.scope,
    });
  }

  /** Counts a failed attempt; a lockout it starts is alerted before the refusal is answered. */
  async failed(source: string): Promise<void> {
    const now = this.deps.now();
    for (const lockout of this.throttle.recordFailure(source, now)) await this.alert(lockout, now);
  }

  private async alert(lockout: Lockout, now: number): Promise<void> {
    const detail = { endpoint: this.endpoint, ...lockout };
    this.deps.log().warn(detail, `${this.endpoint}: too many failed attempts, locked out`);
    try {
      await this.deps.store.raiseAlert({ deviceId: null, kind: 'security.throttled', detail, createdAt: now });
    } catch (error) {
      this.deps.log().error({ err: error, ...detail }, 'could not record the throttle alert');
    }
  }
}
