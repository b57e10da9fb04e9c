import { describe, expect, it } from 'vitest';
import type { ByteTransport } from '../../src/devices/byte-transport.ts';
import { pacedTransport, wireTimeMs } from '../../src/devices/uart-pacing.ts';

describe('UART pacing', () => {
  it('counts start, data, parity and stop bits', () => {
    expect(wireTimeMs(1, { baudRate: 9600 })).toBeCloseTo(10 / 9.6, 6); // 8N1: 10 bits
    expect(wireTimeMs(8, { baudRate: 9600, dataBits: 7, parity: 'even', stopBits: 2 })).toBeCloseTo((8 * 11) / 9.6, 6); // 7E2: 11 bits
    expect(wireTimeMs(100, { baudRate: 57600 })).toBeCloseTo(1000 / 57.6, 6);
  });

  it('delivers each write after its wire time, one write behind the other', async () => {
    const delivered: { at: number; n: number }[] = [];
    const inner: ByteTransport = {
      write: async (b) => {
        delivered.push({ at: performance.now(), n: b.length });
      },
      onData: () => () => undefined,
    };
    const paced = pacedTransport(inner, { baudRate: 9600 });
    const t0 = performance.now();
    await Promise.all([paced.write(new Uint8Array(20)), paced.write(new Uint8Array(10))]);
    // 20 bytes ≈ 20.8 ms, then 10 more ≈ 31.3 ms from the start (timers may be late, never early).
    expect(delivered.map((d) => d.n)).toEqual([20, 10]);
    expect(delivered[0]!.at - t0).toBeGreaterThanOrEqual(20.8 - 1);
    expect(delivered[1]!.at - t0).toBeGreaterThanOrEqual(31.2 - 1);
  });
});
