import { describe, expect, it } from 'vitest';
import {
  ModbusRequestParser,
  ModbusResponseParser,
  encodeException,
  encodeReadBitsResponse,
  encodeReadCoils,
  encodeReadDiscreteInputs,
  encodeWriteSingleCoil,
  encodeWriteSingleCoilResponse,
} from '../../src/devices/relay/modbus-rtu.ts';
import { mulberry32 as rng } from '../../src/random/mulberry32.ts';


const CASES = 20_000;

function randomBytes(next: () => number, max: number): Uint8Array {
  const n = Math.floor(next() * (max + 1));
  return Uint8Array.from({ length: n }, () => Math.floor(next() * 256));
}

/** Feeds `stream` in random-sized chunks, then flushes. */
function feed<F>(parser: { push(b: Uint8Array): F[]; flush(): F[] }, stream: Uint8Array, next: () => number): F[] {
  const out: F[] = [];
  for (let i = 0; i < stream.length; ) {
    const n = 1 + Math.floor(next() * 16);
    out.push(...parser.push(stream.subarray(i, i + n)));
    i += n;
  }
  out.push(...parser.flush());
  return out;
}

function splice(prefix: Uint8Array, frame: Uint8Array, suffix: Uint8Array): Uint8Array {
  return new Uint8Array([...prefix, ...frame, ...suffix]);
}

describe('Modbus RTU parsers, property tests (seeded)', () => {
  it(`never throw on ${CASES} arbitrary byte streams`, () => {
    const next = rng(0x5eed);
    for (let c = 0; c < CASES; c++) {
      const bytes = randomBytes(next, 300);
      expect(() => feed(new ModbusResponseParser(), bytes, next), `case ${c}`).not.toThrow();
      expect(() => feed(new ModbusRequestParser(), bytes, next), `case ${c}`).not.toThrow();
    }
  });

  it(`find a valid response embedded in garbage (${CASES} cases)`, () => {
    const next = rng(0xc0ffee);
    let missed = 0;
    for (let c = 0; c < CASES; c++) {
      const slave = 1 + Math.floor(next() * 247);
      const kind = Math.floor(next() * 3);
      const bits = Array.from({ length: 1 + Math.floor(next() * 40) }, () => next() < 0.5);
      const frame =
        kind === 0
          ? encodeReadBitsResponse(slave, next() < 0.5 ? 1 : 2, bits)
          : kind === 1
            ? encodeWriteSingleCoilResponse(slave, Math.floor(next() * 65536), next() < 0.5)
            : encodeException(slave, 1 + Math.floor(next() * 5), 1 + Math.floor(next() * 4));
      const stream = splice(randomBytes(next, 64), frame, randomBytes(next, 64));
      const found = feed(new ModbusResponseParser(), stream, next);
      // The frame is found unless a garbage candidate with a colliding CRC (1 in 65,536) swallowed it.
      const hit = found.some((f) => f.slave === slave && (f.kind === 'exception' ? kind === 2 : kind !== 2));
      if (!hit) missed++;
    }
    expect(missed).toBeLessThanOrEqual(2);
  });

  it(`find a valid request embedded in garbage (${CASES} cases)`, () => {
    const next = rng(0xbeef);
    let missed = 0;
    for (let c = 0; c < CASES; c++) {
      const slave = 1 + Math.floor(next() * 247);
      const address = Math.floor(next() * 1000);
      const kind = Math.floor(next() * 3);
      const frame =
        kind === 0
          ? encodeReadCoils(slave, address, 1 + Math.floor(next() * 100))
          : kind === 1
            ? encodeReadDiscreteInputs(slave, address, 1 + Math.floor(next() * 100))
            : encodeWriteSingleCoil(slave, address, next() < 0.5);
      const stream = splice(randomBytes(next, 64), frame, randomBytes(next, 64));
      const found = feed(new ModbusRequestParser(), stream, next);
      const hit = found.some((f) => f.slave === slave && f.fc === [1, 2, 5][kind] && (f.fc === 5 ? f.address : f.start) === address);
      if (!hit) missed++;
    }
    expect(missed).toBeLessThanOrEqual(2);
  });
});
