/** Brightness frames written out by hand from the public layouts (see README, "Brightness"). */
import { describe, expect, it } from 'vitest';
import { bxUnescape, encodeBxRequest } from '../src/onbon/bx-frame.ts';
import { BX_CMD_PING, decodeBxBrightnessData, encodeBxBrightnessData, encodeBxSetBrightness } from '../src/onbon/bx-brightness.ts';
import { decodeAlphaDimming, encodeAlphaSetDimming } from '../src/alpha/alpha-sign.ts';
import { alphaDimIndexForLevel, createAlphaProtocol, createBxProtocol, levelForAlphaDimIndex } from '../src/led-display.ts';

const hex = (s: string): Uint8Array => Uint8Array.from(s.trim().split(/\s+/).map((x) => parseInt(x, 16)));

/** CRC-16/ARC bit by bit: a second implementation, independent of the table in bx-frame.ts. */
function crcArcBitwise(data: Uint8Array): number {
  let crc = 0;
  for (const b of data) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
  }
  return crc;
}

describe('BX brightness A2 07', () => {
  it('the vendor manual\'s own ping frame (A2 00) comes out of our framing byte for byte', () => {
    // 5th/6th动态区域用户手册.md 5.5.1: destination and device type 0xFFFE, data = 2 reserved bytes.
    const manual = hex('a5 a5 a5 a5 a5 a5 a5 a5 fe ff 00 80 f0 00 fe ff 00 00 00 00 05 00 00 00 01 A2 00 00 00 C6 86 5a');
    expect(encodeBxRequest(BX_CMD_PING.group, BX_CMD_PING.command, Uint8Array.of(0, 0), { dst: 0xfffe, deviceType: 0xfffe })).toEqual(manual);
  });

  it('level 5, manual mode: length 0x31, mode 00, 48 × 0x04', () => {
    const data = encodeBxBrightnessData(5);
    expect(data).toEqual(Uint8Array.from([0x31, 0x00, 0x00, ...new Array<number>(48).fill(0x04)]));
    const frame = encodeBxSetBrightness(5);
    const body = bxUnescape(frame.subarray(8, frame.length - 1));
    expect(body).not.toBeNull();
    const b = body as Uint8Array;
    // header: broadcast, host 0x8000, version F0, device 0x0266, data length 3 + 51 = 0x36
    expect(b.subarray(0, 19)).toEqual(hex('FF FF 00 80 F0 00 66 02 00 00 00 00 36 00 00 00 01 A2 07'));
    expect(b.subarray(19, b.length - 2)).toEqual(data);
    const crc = crcArcBitwise(b.subarray(0, b.length - 2));
    expect([b[b.length - 2], b[b.length - 1]]).toEqual([crc & 0xff, crc >>> 8]);
  });

  it('timetable mode and decoding back', () => {
    const table = Array.from({ length: 48 }, (_, i) => (i < 14 || i >= 44 ? 2 : 16));
    const data = encodeBxBrightnessData(table);
    expect(data[2]).toBe(0x01);
    expect(decodeBxBrightnessData(data)).toEqual({ mode: 1, levels: table });
    expect(decodeBxBrightnessData(data.subarray(0, 20))).toBeNull();
    expect(() => encodeBxBrightnessData(0)).toThrow(RangeError);
    expect(createBxProtocol().parser.push(encodeBxSetBrightness(16))).toEqual([{ kind: 'brightness', level: 16, replyRequested: true, dst: 0xffff }]);
  });
});

describe('Alpha set dimming register (E /)', () => {
  it('step 02 (72 %), dim mode 00, no NULs', () => {
    // SOH "Z00" STX 'E' '/' "00" "02" EOT
    expect(encodeAlphaSetDimming(2, { nulCount: 0 })).toEqual(hex('01 5A 30 30 02 45 2F 30 30 30 32 04'));
    expect(encodeAlphaSetDimming(4, { nulCount: 0, dimMode: 0xa1 })).toEqual(hex('01 5A 30 30 02 45 2F 41 31 30 34 04'));
    expect(decodeAlphaDimming('A104')).toEqual({ dimMode: 0xa1, index: 4 });
    expect(decodeAlphaDimming('0005')).toBeNull();
  });

  it('levels map to the nearest step and back', () => {
    expect([16, 14, 12, 9, 7, 1].map(alphaDimIndexForLevel)).toEqual([0, 1, 2, 3, 4, 4]);
    expect([0, 1, 2, 3, 4].map(levelForAlphaDimIndex)).toEqual([16, 14, 12, 9, 7]);
    expect(createAlphaProtocol().parser.push(encodeAlphaSetDimming(1))).toEqual([{ kind: 'brightness', level: 14, replyRequested: false }]);
  });
});
