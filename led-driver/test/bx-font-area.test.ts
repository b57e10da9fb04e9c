import { describe, expect, it } from 'vitest';
import { BxParser } from '../src/onbon/bx-parser.ts';
import { bxRequestData } from '../src/onbon/bx-frame.ts';
import { decodeFontDynamicAreaData, encodeFontDynamicAreaText } from '../src/onbon/bx-font-area.ts';
import { createBxProtocol } from '../src/led-display.ts';
import { LedPanelSimulator } from '../src/simulator/led-panel-simulator.ts';

const hex = (s: string): Uint8Array => Uint8Array.from(s.trim().split(/\s+/).map((x) => parseInt(x, 16)));

describe('BX A7 06 font-library dynamic area, written out by hand', () => {
  it('"A5" in area 3, 64×16, voice off', () => {
    const body =
      'FF FF 00 80 F0 00 66 02 00 00 00 00 3F 00 00 00 01 A7 06' + // header (len 0x3F), flag, A7 06
      ' 00 00 01 35 00 00 00' + // keep 0, delete 0, update 1, area length 53
      ' 03 00 00 00 00 00 00 01 00 00 00 00 10' + // id, run mode, timeout, relation, 0 programs, overwrite, reserved, type
      ' 00 00 00 00 40 00 10 00 00 00 00 00 00 00 00 00 00' + // x y w h, no frame, 8 reserved
      ' 00 00 00 00 00 00 00 00 00 00' + // layout, line spacing, alignment, char spacing, 6 reserved
      ' 01 00 01 00 00 00 00 02 00 00 00 41 35 EA DC'; // single line, wrap, display, exit, speed, hold, voice off, text; CRC
    const wire = hex(`A5 A5 A5 A5 A5 A5 A5 A5 ${body} 5A`);
    expect(encodeFontDynamicAreaText(3, 'A5')).toEqual(wire);
    const [f] = new BxParser().push(wire);
    const d = f ? decodeFontDynamicAreaData(bxRequestData(f)) : null;
    expect(d?.areas).toEqual([{ areaId: 3, runMode: 0, timeout: 0, geometry: { x: 0, y: 0, width: 64, height: 16 }, displayMode: 1, text: hex('41 35') }]);
  });

  it('3号评标室 A5 through GBK into the simulator on the default (A7 06) path, and on the A7 00 path', () => {
    for (const textCommand of ['font', 'page'] as const) {
      const host = createBxProtocol({ textCommand });
      const panel = new LedPanelSimulator({ protocol: 'onbon-bx' });
      const reply = panel.receive(host.encodeShowText(3, '3号评标室 A5'));
      expect(panel.render()).toBe('[3] 3号评标室 A5');
      expect(host.parser.push(reply)).toEqual([{ kind: 'ack', ok: true, status: 0, error: 0 }]);
    }
  });

  it('delete ids in the same command clear those areas', () => {
    const host = createBxProtocol();
    const panel = new LedPanelSimulator({ protocol: 'onbon-bx' });
    panel.receive(host.encodeShowText(1, 'B2'));
    panel.receive(encodeFontDynamicAreaText(2, 'C3', { deleteIds: [1] }));
    expect(panel.render()).toBe('[2] C3');
  });
});
