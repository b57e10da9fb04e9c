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
      const now = performance.now();
      const start = Math.max(now, lineFreeAt);
      lineFreeAt = start + wireTimeMs(bytes.length, format);
      const wait = lineFreeAt - now;
      if (wait >= 0.5) await new Promise((r) => setTimeout(r, wait));
      await inner.write(bytes);
    },
  };
}
