import { describe, expect, it } from 'vitest';
import { BxParser } from '../src/onbon/bx-parser.ts';
import {
  bxCrc16, bxEscape, bxUnescape, bxWrap, decodeBxBody, decodeBxReply, encodeBxResponse, isBxAck, bxRequestData,
} from '../src/onbon/bx-frame.ts';
import {
  decodeDynamicAreaData, encodeDeleteDynamicAreas, encodeDynamicAreaData, encodeDynamicAreaText, BX_PAGE_TYPE_TEXT,
} from '../src/onbon/bx-dynamic-area.ts';

const hex = (s: string): Uint8Array => Uint8Array.from(s.trim().split(/\s+/).map((x) => parseInt(x, 16)));
const A5x8 = 'A5 A5 A5 A5 A5 A5 A5 A5';

describe('BX CRC16 (BxUtils table: reflected 0xA001, init 0)', () => {
  it('matches the CRC-16/ARC check value and table entries', () => {
    expect(bxCrc16(new TextEncoder().encode('123456789'))).toBe(0xbb3d);
    // crc16_table[1], crc16_table[0x80], crc16_table[0xFF] in BxUtils.java
    expect(bxCrc16(hex('01'))).toBe(0xc0c1);
    expect(bxCrc16(hex('80'))).toBe(0xa001);
    expect(bxCrc16(hex('FF'))).toBe(0x4040);
  });
});

describe('BX wrapping (BxFrameWrapperTest vectors)', () => {
  it('wraps and unwraps A5 5A', () => {
    const wire = hex(`${A5x8} A6 02 5B 02 5A`);
    expect(bxWrap(hex('A5 5A'))).toEqual(wire);
    expect(bxUnescape(wire.subarray(8, -1))).toEqual(hex('A5 5A'));
  });
  it('wraps and unwraps A5 A6 00 5B 00 5A', () => {
    expect(bxWrap(hex('A5 A6 00 5B 00 5A'))).toEqual(hex(`${A5x8} A6 02 A6 01 00 5B 01 00 5B 02 5A`));
    expect(bxEscape(hex('00 A6'))).toEqual(hex('00 A6 01'));
  });
  it('rejects bad escapes', () => {
    expect(bxUnescape(hex('A6 03'))).toBeNull();
    expect(bxUnescape(hex('5B'))).toBeNull();
    expect(bxUnescape(hex('00 5A'))).toBeNull();
  });
});

describe('BX requests written out by hand', () => {
  it('delete all dynamic areas (A7 01, count FF), broadcast', () => {
    // header: dst FFFF, src 8000, ver F0, r0, type 0266, 4 reserved, len 6; flag 01, A7 01, 00 00 FF; CRC FDC6 LE
    const wire = hex(`${A5x8} FF FF 00 80 F0 00 66 02 00 00 00 00 06 00 00 00 01 A7 01 00 00 FF FD C6 5A`);
    expect(encodeDeleteDynamicAreas([])).toEqual(wire);
  });
  it('delete areas 5A and A5 at address 0001: escapes in the data', () => {
    const wire = hex(`${A5x8} FF FF 00 80 F0 00 66 02 00 00 00 00 08 00 00 00 01 A7 01 00 00 02 5B 02 A6 02 42 3E 5A`);
    expect(encodeDeleteDynamicAreas([0x5a, 0xa5])).toEqual(wire);
    const [f] = new BxParser().push(wire);
    expect(f && bxRequestData(f)).toEqual(hex('00 00 02 5A A5'));
  });
  it('dynamic area text "A5" in area 0, 64×16, one page', () => {
    const para =
      '00 00 00 00 00 00 00 00 00 00 00 00 10 00 00 00 00 40 00 10 00 00 00 00 00 00 00 00 00 00 00 01 00' +
      ` 1A 00 00 00 ${BX_PAGE_TYPE_TEXT.toString(16)} 00 00 00 64 00 01 40 00 00 00 00 00 00 00 00 00 00` +
      ' 00 00 00 00 02 00 00 00';
    const data = hex(`00 00 01 00 3F 00 00 00 ${para} 41 35`);
    expect(encodeDynamicAreaData(0, [{ type: BX_PAGE_TYPE_TEXT, data: hex('41 35') }])).toEqual(data);
    const [f] = new BxParser().push(encodeDynamicAreaText(0, 'A5', { encoding: 'gb2312' }));
    expect(f?.group).toBe(0xa7);
    expect(f?.command).toBe(0x00);
    expect(f?.header.dataLength).toBe(data.length + 3);
    expect(f && bxRequestData(f)).toEqual(data);
    const decoded = decodeDynamicAreaData(data);
    expect(decoded?.areaId).toBe(0);
    expect(decoded?.pages[0]?.data).toEqual(hex('41 35'));
  });
  it('GBK text bytes for 3号评标室 A5', () => {
    const [f] = new BxParser().push(encodeDynamicAreaText(3, '3号评标室 A5'));
    const area = f ? decodeDynamicAreaData(bxRequestData(f)) : null;
    expect(area?.areaId).toBe(3);
    expect(area?.pages[0]?.data).toEqual(hex('33 BA C5 C6 C0 B1 EA CA D2 20 41 35'));
  });
});

describe('BX reply (BxResp layout)', () => {
  it('ack from address 0001 written out by hand', () => {
    const wire = hex(`${A5x8} 00 80 01 00 F0 00 66 02 00 00 00 00 09 00 00 00 00 A0 00 00 00 00 00 00 00 EE 04 5A`);
    expect(encodeBxResponse(0xa0, 0x00)).toEqual(wire);
    const body = bxUnescape(wire.subarray(8, -1));
    const f = body ? decodeBxBody(body) : null;
    expect(f && isBxAck(f)).toBe(true);
    expect(f && decodeBxReply(f)).toMatchObject({ status: 0, error: 0, data: new Uint8Array(0) });
  });
  it('a corrupted CRC is rejected', () => {
    const wire = encodeBxResponse(0xa0, 0x00);
    wire[wire.length - 2] = (wire[wire.length - 2] ?? 0) ^ 0x01;
    const p = new BxParser();
    expect(p.push(wire)).toEqual([]);
    expect(p.stats.rejected).toBe(1);
  });
});
