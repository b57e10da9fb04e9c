/**
 * How the kiosk window stays on screen, decided without any `electron` import so it can be unit
 * tested in plain Node; kiosk-window.main.ts wires it into Electron's events.
 *
 * - A renderer that crashed, was killed or hung leaves a blank kiosk: reload it. A renderer that
 *   crashes again at once (a bad build, a poisoned page state) must not spin the CPU in a reload loop:
 *   the first few reloads within a window are immediate, later ones wait, doubling up to a ceiling.
 *   It never gives up for good: a kiosk that stays blank needs a technician, a kiosk that retries
 *   every minute comes back by itself once the cause (memory, a device) is gone.
 * - The window may close only when the app is quitting by an authorised path (app.quit from the main
 *   process: the OS shutting down, SIGTERM from the service manager), never by Alt+F4 or a script.
 */

export interface RendererRecoveryOptions {
  /** Immediate reloads allowed within `windowMs`; past that each reload waits. */
  maxQuickReloads?: number;
  windowMs?: number;
  /** The first delayed reload waits this long, each further one twice as long as the last. */
  firstDelayMs?: number;
  maxDelayMs?: number;
  now?: () => number;
}

export type RecoveryDecision =
  | { readonly action: 'reload'; readonly delayMs: number; readonly recentCrashes: number }
  | { readonly action: 'none'; readonly why: 'quitting' };

/** Electron's render-process-gone reasons (details.reason), plus our own for a renderer that hung. */
export type RendererGoneReason = string;

export class RendererRecovery {
  private readonly crashes: number[] = [];
  private readonly maxQuickReloads: number;
  private readonly windowMs: number;
  private readonly firstDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly now: () => number;

  constructor(options: RendererRecoveryOptions = {}) {
    this.maxQuickReloads = options.maxQuickReloads ?? 3;
    this.windowMs = options.windowMs ?? 60_000;
    this.firstDelayMs = options.firstDelayMs ?? 5_000;
    this.maxDelayMs = options.maxDelayMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  /** The renderer is gone (any reason): what to do about it. */
  decide(state: { quitting: boolean }): RecoveryDecision {
    if (state.quitting) return { action: 'none', why: 'quitting' };
    const at = this.now();
    this.crashes.push(at);
    while (this.crashes.length > 0 && (this.crashes[0] as number) <= at - this.windowMs) this.crashes.shift();
    const recent = this.crashes.length;
    const over = recent - this.maxQuickReloads;
    const delayMs = over <= 0 ? 0 : Math.min(this.maxDelayMs, this.firstDelayMs * 2 ** (over - 1));
    return { action: 'reload', delayMs, recentCrashes: recent };
  }
}

/** A renderer that stays unresponsive this long is killed (and then reloaded by the recovery above). */
export const UNRESPONSIVE_GRACE_MS = 15_000;

/** Whether the kiosk window may close now: only while the app quits by an authorised path. */
export class KioskCloseGuard {
  private quitting = false;

  /** Called from app 'before-quit': app.quit() from the main process, the OS, the service manager. */
  beginQuit(): void {
    this.quitting = true;
  }

  get isQuitting(): boolean {
    return this.quitting;
  }

  /** From the window's 'close' event: true means call event.preventDefault(). */
  shouldPreventClose(): boolean {
    return !this.quitting;
  }
}

/** One line for the main process's log (journald / the service manager keeps it). */
export function rendererIncident(
  kind: 'renderer-gone' | 'renderer-unresponsive' | 'renderer-responsive' | 'close-refused',
  details: Record<string, unknown> = {},
): string {
  return `[kawei] ${JSON.stringify({ event: `kiosk.${kind}`, ...details })}`;
}
