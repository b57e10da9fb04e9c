import type { SerialPort } from 'serialport';
import type { ByteTransport } from './byte-transport.ts';

/** A serialport port as a ByteTransport: a write resolves once the bytes are drained to the device. */
export function serialPortTransport(port: SerialPort): ByteTransport {
  return {
    write: (bytes) =>
      new Promise<void>((resolve, reject) => {
        port.write(Buffer.from(bytes), (e) => {
          if (e) reject(e);
          else port.drain((d) => (d ? reject(d) : resolve()));
        });
      }),
    onData: (cb) => {
      const listener = (chunk: Buffer): void => cb(new Uint8Array(chunk));
      port.on('data', listener);
      return () => {
        port.off('data', listener);
      };
    },
  };
}
