/**
 * Throttles FAILED attempts at something guessable (enrolment codes, device or operator
 * credentials), per source address and globally. Pure: the clock is passed in.
 *
 * Per source: `maxFailures` failures within `windowMs` lock that source out for `lockoutMs`; each
 * further lockout of the same source doubles it, up to `maxLockoutMs`. A source that stays quiet
 * for `maxLockoutMs` after its last lockout starts again from the first step.
 * Globally: `global.maxFailures` failures from all sources together within `global.windowMs` lock
 * everyone out for `global.lockoutMs`, which stops a guesser spreading over many addresses. A
 * technician who mistypes a code a few times is never affected; a guesser gets a handful of tries a
 * minute instead of 1,274 a second.
 *
 * Successes are not counted and do not reset anything: a guesser who holds one valid code must not
 * be able to wash its failures away with it.
 */
export interface ThrottlePolicy {
  maxFailures: number;
  windowMs: number;
  lockoutMs: number;
  maxLockoutMs: number;
  global: { maxFailures: number; windowMs: number; lockoutMs: number };
  /** How many sources are remembered at once; the longest-untouched is forgotten first. */
  maxSources: number;
}

export type ThrottleVerdict =
  | { allowed: true }
  | { allowed: false; scope: 'source' | 'global'; retryAfterMs: number };

/** Returned by recordFailure when that failure started a lockout (the moment to raise an alert). */
export interface Lockout {
  scope: 'source' | 'global';
  source: string;
  failures: number;
  lockedForMs: number;
}

interface SourceState {
  failures: number[];
  lockedUntil: number;
  /** Lockouts so far, for the doubling; reset after a quiet maxLockoutMs. */
  strikes: number;
  lastLockoutAt: number;
}

export class FailureThrottle {
  private readonly sources = new Map<string, SourceState>();
  private globalFailures: number[] = [];
  private globalLockedUntil = 0;

  constructor(readonly policy: ThrottlePolicy) {}

  /** Whether `source` may try now; ask before doing the work of checking its attempt. */
  check(source: string, now: number): ThrottleVerdict {
    if (this.globalLockedUntil > now) return { allowed: false, scope: 'global', retryAfterMs: this.globalLockedUntil - now };
    const state = this.sources.get(source);
    if (state && state.lockedUntil > now) return { allowed: false, scope: 'source', retryAfterMs: state.lockedUntil - now };
    return { allowed: true };
  }

  /** Counts a failed attempt; returns the lockouts it started (source, global, both or none). */
  recordFailure(source: string, now: number): Lockout[] {
    const { policy } = this;
    const started: Lockout[] = [];
    const state = this.touch(source, now);
    state.failures = recent(state.failures, now, policy.windowMs);
    state.failures.push(now);
    if (state.failures.length >= policy.maxFailures && state.lockedUntil <= now) {
      if (now - state.lastLockoutAt > policy.maxLockoutMs) state.strikes = 0;
      const lockedForMs = Math.min(policy.lockoutMs * 2 ** state.strikes, policy.maxLockoutMs);
      started.push({ scope: 'source', source, failures: state.failures.length, lockedForMs });
      state.strikes++;
      state.lastLockoutAt = now;
      state.lockedUntil = now + lockedForMs;
      state.failures = [];
    }

    this.globalFailures = recent(this.globalFailures, now, policy.global.windowMs);
    this.globalFailures.push(now);
    if (this.globalFailures.length >= policy.global.maxFailures && this.globalLockedUntil <= now) {
      started.push({ scope: 'global', source, failures: this.globalFailures.length, lockedForMs: policy.global.lockoutMs });
      this.globalLockedUntil = now + policy.global.lockoutMs;
      this.globalFailures = [];
    }
    return started;
  }

  /** Sources currently remembered (tests check the bound). */
  get trackedSources(): number {
    return this.sources.size;
  }

  private touch(source: string, now: number): SourceState {
    let state = this.sources.get(source);
    if (state) {
      this.sources.delete(source); // re-insert: Map order is then least recently touched first
    } else {
      state = { failures: [], lockedUntil: 0, strikes: 0, lastLockoutAt: -Infinity };
      if (this.sources.size >= this.policy.maxSources) this.evict(now);
    }
    this.sources.set(source, state);
    return state;
  }

  /** Forgets a source that is not locked out (the least recently touched), else the oldest. */
  private evict(now: number): void {
    for (const [key, state] of this.sources) {
      if (state.lockedUntil <= now) {
        this.sources.delete(key);
        return;
      }
    }
    const oldest = this.sources.keys().next();
    if (!oldest.done) this.sources.delete(oldest.value);
  }
}

function recent(times: number[], now: number, windowMs: number): number[] {
  const from = now - windowMs;
  let i = 0;
  while (i < times.length && times[i]! <= from) i++;
  return i === 0 ? times : times.slice(i);
}
