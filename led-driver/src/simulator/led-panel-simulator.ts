/** A panel that speaks the same bytes as the real controller: feed it what the host writes, it
 * keeps each area's text and brightness and returns the bytes the controller would answer. Pure: no
 * port, no timers (a controller-side area time-out is checked against `now` when the panel is read). */
import { type LedCommand, type LedDisplayProtocol, createAlphaProtocol, createBxProtocol } from '../led-display.ts';
import { BX_BROADCAST_ADDRESS, BxCmd, encodeBxResponse } from '../onbon/bx-frame.ts';

export interface LedPanelSimulatorOptions {
  protocol: 'onbon-bx' | 'alpha';
  /** Dynamic areas the controller has (4 on BX-5E, 32 on BX-6). */
  areaCount?: number;
  /** This controller's address (BX); frames for other addresses are ignored. */
  address?: number;
  /** Clock for controller-side area time-outs (ms). */
  now?: () => number;
}

/** What the panel did with a command, in order, for assertions. */
export interface PanelEvent {
  kind: 'show' | 'clear' | 'brightness' | 'rejected';
  area?: number | 'all';
  text?: string;
  level?: number;
}

interface AreaState {
  text: string;
  /** When the controller-side time-out (BX run mode 2) blanks the area. */
  expiresAt?: number;
}

export class LedPanelSimulator {
  private readonly proto: LedDisplayProtocol;
  private readonly areas = new Map<number, AreaState>();
  private readonly now: () => number;
  readonly areaCount: number;
  readonly address: number;
  /** Commands applied, for assertions. */
  updates = 0;
  /** 1..16; 16 until the host sets it (a controller's default is its brightest step). */
  brightness = 16;
  readonly events: PanelEvent[] = [];

  constructor(readonly options: LedPanelSimulatorOptions) {
    this.proto = options.protocol === 'alpha' ? createAlphaProtocol() : createBxProtocol();
    this.areaCount = options.areaCount ?? 32;
    this.address = options.address ?? 0x0001;
    this.now = options.now ?? Date.now;
  }

  /** Consume host bytes; returns the reply bytes (empty if none). Never throws on any input. */
  receive(bytes: Uint8Array): Uint8Array {
    const replies: Uint8Array[] = [];
    for (const cmd of this.proto.parser.push(bytes)) {
      if (cmd.kind === 'ack') continue; // a reply echoed back to us: not for a panel
      if (cmd.dst !== undefined && cmd.dst !== BX_BROADCAST_ADDRESS && cmd.dst !== this.address) continue;
      const ok = this.apply(cmd);
      if (ok) this.updates++;
      // BxReq asks for a reply; BxResp reads A0 00 as ack, A0 01 as nack. The nack's error code is
      // the simulator's own choice (not in the public source).
      if (this.options.protocol === 'onbon-bx' && cmd.replyRequested) {
        const c = ok ? BxCmd.ack : BxCmd.nack;
        replies.push(encodeBxResponse(c.group, c.command, { src: this.address, error: ok ? 0 : 1 }));
      }
    }
    const total = replies.reduce((n, r) => n + r.length, 0);
    const out = new Uint8Array(total);
    let at = 0;
    for (const r of replies) {
      out.set(r, at);
      at += r.length;
    }
    return out;
  }

  private apply(cmd: Exclude<LedCommand, { kind: 'ack' }>): boolean {
    if (cmd.kind === 'show') {
      if (cmd.area >= this.areaCount) {
        this.events.push({ kind: 'rejected', area: cmd.area });
        return false;
      }
      const state: AreaState = { text: cmd.text };
      if (cmd.expireAfterS !== undefined) state.expiresAt = this.now() + cmd.expireAfterS * 1000;
      this.areas.set(cmd.area, state);
      this.events.push({ kind: 'show', area: cmd.area, text: cmd.text });
      return true;
    }
    if (cmd.kind === 'clear') {
      if (cmd.area === 'all') this.areas.clear();
      else this.areas.delete(cmd.area);
      this.events.push({ kind: 'clear', area: cmd.area });
      return true;
    }
    if (cmd.kind === 'brightness') {
      this.brightness = cmd.level;
      this.events.push({ kind: 'brightness', level: cmd.level });
      return true;
    }
    this.events.push({ kind: 'rejected' });
    return false;
  }

  private live(area: number): string | undefined {
    const s = this.areas.get(area);
    if (!s) return undefined;
    if (s.expiresAt !== undefined && this.now() >= s.expiresAt) return undefined;
    return s.text;
  }

  text(area: number): string | undefined {
    return this.live(area);
  }

  /** Text of every area in order, '' for a blank one: what a renderer draws. */
  lines(count = this.areaCount): string[] {
    return Array.from({ length: count }, (_, a) => this.live(a) ?? '');
  }

  /** The panel's content as text, one line per non-empty area in area order. */
  render(): string {
    return [...this.areas.keys()]
      .sort((a, b) => a - b)
      .map((a) => [a, this.live(a)] as const)
      .filter(([, t]) => t !== undefined && t !== '')
      .map(([a, t]) => `[${a}] ${t}`)
      .join('\n');
  }

  get parserStats() {
    return this.proto.parser.stats;
  }
}
