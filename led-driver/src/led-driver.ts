/**
 * The LED display driver: one queue of commands over a ByteTransport, for either protocol behind
 * LedDisplayProtocol. Pure (timers only, no port): the port manager owns opening and reopening.
 *
 * Why one command at a time: a BX reply carries no sequence number, so an ack can only be matched to
 * the single command in flight. Why a retry on time-out only: a nack is the controller's considered
 * answer (wrong area, bad data) and repeating the same bytes would get the same answer, while a lost
 * frame on a noisy RS-485 line is worth one more try. Why nothing throws on device trouble: callers
 * (kiosk, CLI) decide what a failed seat display means; they get a LedResult and carry on.
 */
import type { ByteTransport } from '@kawei/shared/devices/byte-transport.ts';
import { type LedCommand, type LedDisplayProtocol, type ShowTextOptions, isBrightnessLevel } from './led-display.ts';
import { BX_RUN_MODE_EXPIRE } from './onbon/bx-dynamic-area.ts';

export interface LedHealthReporter {
  reportTimeout(what: string): void;
  reportAnswer(): void;
}

export interface LedDriverOptions {
  protocol: LedDisplayProtocol;
  /** How long to wait for a BX ack or nack (default 1000 ms). */
  replyTimeoutMs?: number;
  /** Extra attempts after a time-out (default 1). */
  retries?: number;
  health?: LedHealthReporter;
  now?: () => number;
}

export interface ShowOptions extends ShowTextOptions {
  /** Blank the area this long after it was shown, unless it is shown or cleared again first. */
  clearAfterMs?: number;
}

export interface LedResult {
  ok: boolean;
  /** The display answered (BX ack or nack); always false on Alpha, which never answers. */
  acked: boolean;
  /** From queueing to the answer (or to the drained write). */
  ms: number;
  /** 'unsupported': the protocol has no such command; 'invalid': an argument out of range. */
  error?: 'timeout' | 'nack' | 'write_failed' | 'unsupported' | 'invalid';
  detail?: string;
}

/** A BX controller keeps its own area time-out in whole seconds in a u16. */
const BX_MAX_TIMEOUT_S = 0xffff;

type Ack = Extract<LedCommand, { kind: 'ack' }>;

export class LedDriver {
  private readonly protocol: LedDisplayProtocol;
  private readonly replyTimeoutMs: number;
  private readonly retries: number;
  private readonly health: LedHealthReporter | undefined;
  private readonly now: () => number;
  private readonly unsubscribe: () => void;
  private tail: Promise<unknown> = Promise.resolve();
  private waiter: ((ack: Ack | null) => void) | undefined;
  private readonly clearTimers = new Map<number, ReturnType<typeof setTimeout>>();
  /** Bumped by every show or clear of an area: a show that finishes after a newer command was
   * queued for its area must not arm its clear timer. */
  private readonly areaGeneration = new Map<number, number>();
  /** Areas shown since start: Alpha has no "clear all", so clear('all') blanks each of these. */
  private readonly shownAreas = new Set<number>();
  private closed = false;

  constructor(private readonly transport: ByteTransport, options: LedDriverOptions) {
    this.protocol = options.protocol;
    this.replyTimeoutMs = options.replyTimeoutMs ?? 1000;
    this.retries = options.retries ?? 1;
    this.health = options.health;
    this.now = options.now ?? (() => performance.now());
    this.unsubscribe = transport.onData((bytes) => this.onData(bytes));
  }

  /** Show `text` in `area`; resolves after the ack (BX) or the drained write (Alpha). */
  show(area: number, text: string, options: ShowOptions = {}): Promise<LedResult> {
    const { clearAfterMs, ...textOptions } = options;
    if (!Number.isInteger(area) || area < 0) return Promise.resolve(this.invalid(`area ${area}`));
    if (clearAfterMs !== undefined && !(clearAfterMs > 0 && Number.isFinite(clearAfterMs))) {
      return Promise.resolve(this.invalid(`clearAfterMs ${clearAfterMs}`));
    }
    // A newer show replaces the area's pending clear at once, so an old timer cannot blank new text.
    this.cancelClearTimer(area);
    const generation = this.bump(area);
    let bytes: Uint8Array;
    try {
      bytes = this.protocol.encodeShowText(area, text, clearAfterMs === undefined ? textOptions : withControllerTimeout(textOptions, clearAfterMs));
    } catch (e) {
      return Promise.resolve(this.invalid(e instanceof Error ? e.message : String(e)));
    }
    this.shownAreas.add(area);
    return this.enqueue(`show area ${area}`, [bytes]).then((r) => {
      if (r.ok && clearAfterMs !== undefined && !this.closed && this.areaGeneration.get(area) === generation) this.armClearTimer(area, clearAfterMs);
      return r;
    });
  }

  clear(area: number | 'all'): Promise<LedResult> {
    if (area === 'all') {
      for (const a of new Set([...this.clearTimers.keys(), ...this.areaGeneration.keys()])) {
        this.cancelClearTimer(a);
        this.bump(a);
      }
      const all = this.protocol.encodeClearAll?.();
      const frames = all ? [all] : [...this.shownAreas].sort((a, b) => a - b).map((a) => this.protocol.encodeClear(a));
      if (frames.length === 0) return Promise.resolve({ ok: true, acked: false, ms: 0 });
      return this.enqueue('clear all', frames);
    }
    if (!Number.isInteger(area) || area < 0) return Promise.resolve(this.invalid(`area ${area}`));
    this.cancelClearTimer(area);
    this.bump(area);
    return this.enqueue(`clear area ${area}`, [this.protocol.encodeClear(area)]);
  }

  /** Brightness 1 (dimmest) .. 16 (brightest). Alpha has five steps: the nearest is used. */
  setBrightness(level: number): Promise<LedResult> {
    if (!isBrightnessLevel(level)) return Promise.resolve(this.invalid(`brightness ${level} is not an integer 1..16`));
    const encode = this.protocol.encodeBrightness;
    if (!encode) return Promise.resolve({ ok: false, acked: false, ms: 0, error: 'unsupported', detail: `${this.protocol.name} has no brightness command` });
    return this.enqueue(`brightness ${level}`, [encode(level)]);
  }

  /** Cancels the clear timers and stops listening; queued commands still finish (as write_failed). */
  close(): void {
    this.closed = true;
    for (const t of this.clearTimers.values()) clearTimeout(t);
    this.clearTimers.clear();
    this.unsubscribe();
    this.waiter?.(null);
  }

  private invalid(detail: string): LedResult {
    return { ok: false, acked: false, ms: 0, error: 'invalid', detail };
  }

  private bump(area: number): number {
    const g = (this.areaGeneration.get(area) ?? 0) + 1;
    this.areaGeneration.set(area, g);
    return g;
  }

  private cancelClearTimer(area: number): void {
    const t = this.clearTimers.get(area);
    if (t !== undefined) clearTimeout(t);
    this.clearTimers.delete(area);
  }

  private armClearTimer(area: number, ms: number): void {
    const timer = setTimeout(() => {
      if (this.clearTimers.get(area) !== timer) return;
      this.clearTimers.delete(area);
      void this.enqueue(`clear area ${area} (time-out)`, [this.protocol.encodeClear(area)]);
    }, ms);
    this.clearTimers.set(area, timer);
  }

  private enqueue(what: string, frames: Uint8Array[]): Promise<LedResult> {
    const queuedAt = this.now();
    const run = async (): Promise<LedResult> => {
      let last: LedResult = { ok: true, acked: false, ms: 0 };
      for (const frame of frames) {
        last = await this.send(what, frame, queuedAt);
        if (!last.ok) return last;
      }
      return last;
    };
    const result = this.tail.then(run, run);
    this.tail = result;
    return result;
  }

  private async send(what: string, frame: Uint8Array, queuedAt: number): Promise<LedResult> {
    const ms = (): number => this.now() - queuedAt;
    for (let attempt = 0; ; attempt++) {
      if (this.closed) return { ok: false, acked: false, ms: ms(), error: 'write_failed', detail: 'driver closed' };
      // Whatever half-frame is left from before belongs to no command of ours.
      this.protocol.parser.reset();
      const answer = this.protocol.expectsReply ? this.waitForAck() : undefined;
      try {
        await this.transport.write(frame);
      } catch (e) {
        answer?.cancel();
        return { ok: false, acked: false, ms: ms(), error: 'write_failed', detail: e instanceof Error ? e.message : String(e) };
      }
      if (!answer) return { ok: true, acked: false, ms: ms() };
      const ack = await answer.promise;
      if (ack) {
        this.health?.reportAnswer();
        return ack.ok ? { ok: true, acked: true, ms: ms() } : { ok: false, acked: true, ms: ms(), error: 'nack', detail: `${what}: status ${ack.status}, error ${ack.error}` };
      }
      if (this.closed) return { ok: false, acked: false, ms: ms(), error: 'timeout', detail: 'driver closed while waiting' };
      this.health?.reportTimeout(`LED: no answer to ${what}`);
      if (attempt >= this.retries) return { ok: false, acked: false, ms: ms(), error: 'timeout', detail: `${what}: no answer in ${this.replyTimeoutMs} ms × ${attempt + 1}` };
    }
  }

  private waitForAck(): { promise: Promise<Ack | null>; cancel: () => void } {
    let resolveAck: (ack: Ack | null) => void = () => undefined;
    const promise = new Promise<Ack | null>((resolve) => {
      resolveAck = resolve;
    });
    const settle = (ack: Ack | null): void => {
      clearTimeout(timer);
      if (this.waiter === settle) this.waiter = undefined;
      resolveAck(ack);
    };
    const timer = setTimeout(() => settle(null), this.replyTimeoutMs);
    this.waiter = settle;
    return { promise, cancel: () => settle(null) };
  }

  private onData(bytes: Uint8Array): void {
    for (const cmd of this.protocol.parser.push(bytes)) {
      // An answer with no command waiting (late, after a time-out) is dropped, not kept for the next one.
      if (cmd.kind === 'ack') this.waiter?.(cmd);
    }
  }
}

/** The controller-side twin of the host timer (BX run mode 2 with a time-out in seconds), so the area
 * still blanks if the host dies before its timer fires. Rounded up: never earlier than asked. */
function withControllerTimeout(o: ShowTextOptions, clearAfterMs: number): ShowTextOptions {
  const timeout = Math.min(BX_MAX_TIMEOUT_S, Math.max(1, Math.ceil(clearAfterMs / 1000)));
  const expire = { runMode: BX_RUN_MODE_EXPIRE, timeout };
  return { ...o, bx: { ...expire, ...o.bx }, bxFont: { ...expire, ...o.bxFont } };
}

const CJK_CELL = 2;
/** Half-width cells: what the controller's GB2312 font gives an ASCII character (8×16) vs a hanzi (16×16). */
export function ledTextCells(text: string): number {
  let n = 0;
  for (const ch of text) n += (ch.codePointAt(0) ?? 0) < 0x80 ? 1 : CJK_CELL;
  return n;
}

export interface SeatMessageOptions {
  /** Width of the panel in half-width cells (8 dots each on a 16-dot-high panel). Default 16 (128 dots). */
  maxCells?: number;
}

/**
 * The seat call for a panel: "3号评标室 A5". When that does not fit the panel's width, "3号室 A5"
 * (8 cells: fits a 64-dot panel), then "3-A5". Room and booth are shown as given (trimmed); the
 * longest variant that fits wins, and the shortest one is returned even if it still does not fit.
 */
export function formatSeatMessage(room: string | number, booth: string, options: SeatMessageOptions = {}): string {
  const r = String(room).trim();
  const b = booth.trim();
  const max = options.maxCells ?? 16;
  const variants = [`${r}号评标室 ${b}`, `${r}号室 ${b}`, `${r}-${b}`];
  return variants.find((v) => ledTextCells(v) <= max) ?? (variants[variants.length - 1] as string);
}
