import { describe, expect, it } from 'vitest';
import { createAlphaProtocol, createBxProtocol } from '../src/led-display.ts';
import { LedPanelSimulator } from '../src/simulator/led-panel-simulator.ts';
import { BxParser } from '../src/onbon/bx-parser.ts';
import { isBxAck } from '../src/onbon/bx-frame.ts';

describe('LED panel simulator', () => {
  it('3号评标室 A5 round-trips through GBK into a BX panel, which acks', () => {
    const host = createBxProtocol();
    const panel = new LedPanelSimulator({ protocol: 'onbon-bx' });
    const reply = panel.receive(host.encodeShowText(3, '3号评标室 A5'));
    expect(panel.text(3)).toBe('3号评标室 A5');
    expect(panel.render()).toBe('[3] 3号评标室 A5');
    const frames = new BxParser().push(reply);
    expect(frames).toHaveLength(1);
    expect(frames[0] && isBxAck(frames[0])).toBe(true);
    expect(host.parser.push(reply)).toEqual([{ kind: 'ack', ok: true, status: 0, error: 0 }]);
  });

  it('keeps areas separately, clears one, byte by byte', () => {
    const host = createBxProtocol();
    const panel = new LedPanelSimulator({ protocol: 'onbon-bx' });
    const wire = [...host.encodeShowText(0, '1号评标室 B2'), ...host.encodeShowText(1, '请稍候'), ...host.encodeClear(0)];
    for (const b of wire) panel.receive(Uint8Array.of(b));
    expect(panel.render()).toBe('[1] 请稍候');
  });

  it('nacks an area the controller does not have (BX-5E: 4 areas)', () => {
    const host = createBxProtocol();
    const panel = new LedPanelSimulator({ protocol: 'onbon-bx', areaCount: 4 });
    expect(host.parser.push(panel.receive(host.encodeShowText(5, 'A5')))).toMatchObject([{ kind: 'ack', ok: false }]);
    expect(panel.render()).toBe('');
  });

  it('ignores frames for another address', () => {
    const host = createBxProtocol({ dst: 0x0002 });
    const panel = new LedPanelSimulator({ protocol: 'onbon-bx', address: 0x0001 });
    expect(panel.receive(host.encodeShowText(0, 'A5'))).toHaveLength(0);
    expect(panel.render()).toBe('');
  });

  it('Alpha panel shows ASCII text per file label and clears with an empty write; no reply', () => {
    const host = createAlphaProtocol();
    const panel = new LedPanelSimulator({ protocol: 'alpha' });
    expect(panel.receive(host.encodeShowText(0, 'Room 3 A5', { effect: 'scroll' }))).toHaveLength(0);
    panel.receive(host.encodeShowText(2, 'B7'));
    expect(panel.render()).toBe('[0] Room 3 A5\n[2] B7');
    panel.receive(host.encodeClear(0));
    expect(panel.render()).toBe('[2] B7');
  });
});
