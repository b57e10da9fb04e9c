/**
 * A pseudo-terminal moves bytes at memory speed whatever baud rate is set, so a test or benchmark
 * over a pty would show a 9600-baud device as fast as RAM. This wrapper puts the line back: each
 * write is delivered only after the time a real UART needs to clock it out (start bit, data bits,
 * parity, stop bits per byte), and writes queue behind each other as on one wire.
 */
import type { ByteTransport } from './byte-transport.ts';

export interface UartFormat {
  baudRate: number;
  dataBits?: number;
  parity?: 'none' | 'even' | 'odd';
  stopBits?: number;
}

/** Milliseconds to clock `bytes` out of a UART in this format. */
export function wireTimeMs(bytes: number, f: UartFormat): number {
  const bitsPerChar = 1 + (f.dataBits ?? 8) + ((f.parity ?? 'none') === 'none' ? 0 : 1) + (f.stopBits ?? 1);
  return (bytes * bitsPerChar * 1000) / f.baudRate;
}

export function pacedTransport(inner: ByteTransport, format: UartFormat): ByteTransport {
  let lineFreeAt = 0;
  return {
    onData: (cb) => inner.onData(cb),
    write: async (bytes) => {
      const start = Math.max(performance.now(), lineFreeAt);
      const due = start + wireTimeMs(bytes.length, format);
      lineFreeAt = due;
      // Never early: a timer fires on libuv's millisecond loop clock and can come up to ~1 ms before a
      // fractional `due` by performance.now(), so wait whole milliseconds until it has really passed.
      for (let left = due - performance.now(); left >= 0.5; left = due - performance.now()) {
        await new Promise((r) => setTimeout(r, Math.ceil(left)));
      }
      await inner.write(bytes);
    },
  };
}
