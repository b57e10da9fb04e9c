/** A serialport stream as the voice queue's byte transport (Node only). Opening and reconnecting
 * the port stays with the caller (the port manager). */
import type { SerialPort } from 'serialport';
import type { ByteTransport } from './voice-queue.ts';

export function serialTransport(port: SerialPort): ByteTransport {
  return {
    write(bytes) {
      return new Promise((resolve, reject) => {
        port.write(Buffer.from(bytes), (err) => {
          if (err) reject(err);
          else port.drain((e) => (e ? reject(e) : resolve()));
        });
      });
    },
    onData(cb) {
      const listener = (chunk: Buffer): void => cb(new Uint8Array(chunk));
      port.on('data', listener);
      return () => {
        port.off('data', listener);
      };
    },
  };
}
