/**
 * Exponential back-off with full jitter (AWS's name for it): the n-th consecutive failure waits a
 * uniformly random time in [0, min(maxMs, baseMs · 2ⁿ)]. Full jitter spreads a room of booths that
 * lost the central at the same moment, so they do not all knock again at the same moment.
 */
export class Backoff {
  private failures = 0;

  constructor(
    private readonly baseMs: number,
    private readonly maxMs: number,
    private readonly random: () => number = Math.random,
  ) {}

  /** The delay before the next attempt, counting this failure. */
  next(): number {
    const ceiling = Math.min(this.maxMs, this.baseMs * 2 ** Math.min(this.failures, 30));
    this.failures++;
    return Math.floor(this.random() * ceiling);
  }

  /** The longest wait, for failures that retrying soon cannot fix. */
  longest(): number {
    this.failures++;
    return Math.floor(this.maxMs / 2 + (this.random() * this.maxMs) / 2);
  }

  reset(): void {
    this.failures = 0;
  }

  get consecutiveFailures(): number {
    return this.failures;
  }
}
