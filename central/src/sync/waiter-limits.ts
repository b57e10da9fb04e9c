/**
 * Bounds what devices can hold open on the central: live sync streams and waiting long polls.
 *
 * Per device and kind, at most `perDevice[kind]`; a newer one REPLACES the oldest (its `evict` is
 * called: a stream is closed, a long poll answered at once with no messages). Replacing rather than
 * refusing is what a device needs after its network dropped without a FIN: its old connection is
 * still open here until the next ping or poll timeout, and refusing the new one would leave it
 * without messages until then. A device that opens streams in a loop only ever holds one.
 * Globally, at most `total` of both kinds; past it a new one is REFUSED (the caller answers 429),
 * since evicting another device's wait would let one device starve the rest.
 */
export type WaiterKind = 'stream' | 'poll';

/** Retry-After when the server holds as many streams and long polls as it allows. */
export const WAITERS_FULL_RETRY_MS = 5000;

export interface WaiterLimitsPolicy {
  perDevice: Record<WaiterKind, number>;
  total: number;
}

interface Slot {
  evict: () => void;
}

export class WaiterLimits {
  /** Per device and kind, oldest first. */
  private readonly byDevice = new Map<string, Slot[]>();
  private count = 0;

  constructor(readonly policy: WaiterLimitsPolicy) {}

  /**
   * Takes a slot, evicting the device's oldest of this kind if it holds too many. Returns the
   * release function (call it when the wait ends, however it ends; safe to call twice), or null
   * when the server holds `total` waits already.
   */
  admit(kind: WaiterKind, deviceId: string, evict: () => void): (() => void) | null {
    const key = `${kind}\u0000${deviceId}`;
    const slots = this.byDevice.get(key) ?? [];
    const limit = Math.max(1, this.policy.perDevice[kind]);
    // Evicting first frees room a full server needs for this device's replacement.
    while (slots.length >= limit) {
      const oldest = slots.shift()!;
      this.count--;
      oldest.evict();
    }
    if (this.count >= this.policy.total) {
      if (slots.length === 0) this.byDevice.delete(key);
      return null;
    }
    const slot: Slot = { evict };
    slots.push(slot);
    this.byDevice.set(key, slots);
    this.count++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const current = this.byDevice.get(key);
      const index = current?.indexOf(slot) ?? -1;
      if (index < 0) return; // already evicted (and uncounted)
      current!.splice(index, 1);
      if (current!.length === 0) this.byDevice.delete(key);
      this.count--;
    };
  }

  /** Streams and long polls currently held. */
  get size(): number {
    return this.count;
  }
}
