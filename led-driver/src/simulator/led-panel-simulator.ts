/** A panel that speaks the same bytes as the real controller: feed it what the host writes, it
 * keeps each area's text and returns the bytes the controller would answer. Pure: no port. */
import { type LedDisplayProtocol, createAlphaProtocol, createBxProtocol } from '../led-display.ts';
import { BX_BROADCAST_ADDRESS, BxCmd, encodeBxResponse } from '../onbon/bx-frame.ts';

export interface LedPanelSimulatorOptions {
  protocol: 'onbon-bx' | 'alpha';
  /** Dynamic areas the controller has (4 on BX-5E, 32 on BX-6). */
  areaCount?: number;
  /** This controller's address (BX); frames for other addresses are ignored. */
  address?: number;
}

export class LedPanelSimulator {
  private readonly proto: LedDisplayProtocol;
  private readonly areas = new Map<number, string>();
  readonly areaCount: number;
  readonly address: number;
  /** Commands applied, for assertions. */
  updates = 0;

  constructor(readonly options: LedPanelSimulatorOptions) {
    this.proto = options.protocol === 'alpha' ? createAlphaProtocol() : createBxProtocol();
    this.areaCount = options.areaCount ?? 32;
    this.address = options.address ?? 0x0001;
  }

  /** Consume host bytes; returns the reply bytes (empty if none). Never throws on any input. */
  receive(bytes: Uint8Array): Uint8Array {
    const replies: Uint8Array[] = [];
    for (const cmd of this.proto.parser.push(bytes)) {
      if (cmd.kind === 'ack') continue; // a reply echoed back to us: not for a panel
      if (cmd.dst !== undefined && cmd.dst !== BX_BROADCAST_ADDRESS && cmd.dst !== this.address) continue;
      let ok = true;
      if (cmd.kind === 'show') {
        if (cmd.area < this.areaCount) this.areas.set(cmd.area, cmd.text);
        else ok = false;
      } else if (cmd.kind === 'clear') {
        if (cmd.area === 'all') this.areas.clear();
        else this.areas.delete(cmd.area);
      } else ok = false;
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

  text(area: number): string | undefined {
    return this.areas.get(area);
  }

  /** The panel's content as text, one line per non-empty area in area order. */
  render(): string {
    return [...this.areas.entries()]
      .filter(([, t]) => t !== '')
      .sort(([a], [b]) => a - b)
      .map(([a, t]) => `[${a}] ${t}`)
      .join('\n');
  }

  get parserStats() {
    return this.proto.parser.stats;
  }
}
