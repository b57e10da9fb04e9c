import { describe, expect, it } from 'vitest';
import {
  ModbusRequestParser,
  ModbusResponseParser,
  crc16Modbus,
  encodeException,
  encodeReadBitsResponse,
  encodeReadCoils,
  encodeReadDiscreteInputs,
  encodeWriteSingleCoil,
  packBits,
  toHex,
  unpackBits,
} from '../../src/devices/relay/modbus-rtu.ts';

const hex = (s: string): Uint8Array => Uint8Array.from(s.trim().split(/\s+/), (b) => parseInt(b, 16));

describe('CRC16/MODBUS', () => {
  it('matches the catalogue check value and the known coil frame', () => {
    // CRC catalogue (reveng) CRC-16/MODBUS: check = 0x4B37 over "123456789".
    expect(crc16Modbus(new TextEncoder().encode('123456789'))).toBe(0x4b37);
    // 01 05 00 00 FF 00 → CRC 0x3A8C, sent low byte first: 8C 3A.
    expect(crc16Modbus(hex('01 05 00 00 FF 00'))).toBe(0x3a8c);
  });
});

describe('encoders, against frames written out by hand', () => {
  it('write single coil 0 on / off at slave 1', () => {
    expect(toHex(encodeWriteSingleCoil(1, 0, true))).toBe('01 05 00 00 FF 00 8C 3A');
    // Widely published companion frame: coil 0 off = 01 05 00 00 00 00 CD CA.
    expect(toHex(encodeWriteSingleCoil(1, 0, false))).toBe('01 05 00 00 00 00 CD CA');
  });

  it('read coils / discrete inputs requests', () => {
    // Modbus application protocol spec example layout: slave, fc, start hi/lo, quantity hi/lo, CRC.
    // 01 01 00 00 00 08 → CRC 0xCC3D → 3D CC (published relay-board manuals use this exact frame).
    expect(toHex(encodeReadCoils(1, 0, 8))).toBe('01 01 00 00 00 08 3D CC');
    // 01 02 00 00 00 08 → 79 CC.
    expect(toHex(encodeReadDiscreteInputs(1, 0, 8))).toBe('01 02 00 00 00 08 79 CC');
  });

  it('read bits response packs LSB first, and exceptions set bit 7 of the function code', () => {
    // Spec example (read coils 20..38): data CD 6B 05 for 19 coils.
    const bits = unpackBits(hex('CD 6B 05'), 19);
    expect(packBits(bits)).toEqual(hex('CD 6B 05'));
    const frame = encodeReadBitsResponse(1, 1, bits);
    expect(toHex(frame.slice(0, 6))).toBe('01 01 03 CD 6B 05');
    expect(crc16Modbus(frame)).toBe(0); // a frame with its CRC appended checks to zero
    // Exception: illegal data address on read coils: 01 81 02 + CRC (C1 91).
    expect(toHex(encodeException(1, 1, 2))).toBe('01 81 02 C1 91');
  });

  it('rejects out-of-range arguments', () => {
    expect(() => encodeReadCoils(0, 0, 1)).toThrow(RangeError);
    expect(() => encodeReadCoils(1, 0, 2001)).toThrow(RangeError);
    expect(() => encodeWriteSingleCoil(1, 70000, true)).toThrow(RangeError);
  });
});

describe('streaming parsers', () => {
  it('the slave parser reads the known frame byte by byte', () => {
    const p = new ModbusRequestParser();
    const frame = hex('01 05 00 00 FF 00 8C 3A');
    const out = [];
    for (const b of frame) out.push(...p.push(Uint8Array.of(b)));
    expect(out).toEqual([{ fc: 5, slave: 1, address: 0, on: true, raw: 0xff00 }]);
    expect(p.buffered).toBe(0);
  });

  it('the master parser frames responses by function code and resyncs after garbage', () => {
    const p = new ModbusResponseParser();
    const stream = new Uint8Array([
      ...hex('00 FF 13'), // garbage
      ...hex('01 05 00 00 FF 00 8C 3A'), // echo
      ...hex('01 05 00 00 FF 00 8C 3B'), // bad CRC
      ...encodeReadBitsResponse(1, 2, [true, false, true]),
      ...hex('01 81 02 C1 91'),
    ]);
    const frames = p.push(stream);
    expect(frames.map((f) => f.kind)).toEqual(['write-coil', 'bits', 'exception']);
    expect(frames[1]).toMatchObject({ fc: 2, data: hex('05') });
    expect(frames[2]).toMatchObject({ fc: 1, code: 2 });
    expect(p.stats.crcErrors).toBeGreaterThan(0);
  });

  it('waits for the rest of a split frame and flush() gives up on a truncated one', () => {
    const p = new ModbusResponseParser();
    expect(p.push(hex('01 01 02'))).toEqual([]);
    expect(p.buffered).toBe(3);
    expect(p.flush()).toEqual([]);
    expect(p.buffered).toBe(0);
  });
});
