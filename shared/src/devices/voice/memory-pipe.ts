/** Two byte transports joined back to back, each write delivered asynchronously to the other end. */
import type { ByteTransport } from './voice-queue.ts';

export interface PipeEnd extends ByteTransport {
  readonly written: Uint8Array[];
}

export function createMemoryPipe(): [PipeEnd, PipeEnd] {
  const listeners: [Set<(b: Uint8Array) => void>, Set<(b: Uint8Array) => void>] = [new Set(), new Set()];
  const end = (self: 0 | 1): PipeEnd => {
    const written: Uint8Array[] = [];
    return {
      written,
      write(bytes) {
        const copy = Uint8Array.from(bytes);
        written.push(copy);
        setImmediate(() => {
          for (const cb of listeners[self === 0 ? 1 : 0]) cb(copy);
        });
        return Promise.resolve();
      },
      onData(cb) {
        listeners[self].add(cb);
        return () => listeners[self].delete(cb);
      },
    };
  };
  return [end(0), end(1)];
}
