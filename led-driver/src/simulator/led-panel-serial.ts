/** A LedPanelSimulator on a ByteTransport (a pty end, a serial port, an in-memory pipe): bytes
 * received are fed to the panel and its answers written back, optionally after a delay, as a slow
 * controller would. */
import type { ByteTransport } from '@kawei/shared/devices/byte-transport.ts';
import type { LedPanelSimulator } from './led-panel-simulator.ts';

export interface AttachLedPanelOptions {
  /** Hold each answer this long before writing it (default 0: at once). */
  replyDelayMs?: number;
  /** Called after each chunk that changed the panel. */
  onUpdate?: () => void;
  /** A failed reply write (port gone); the panel carries on. */
  onWriteError?: (e: unknown) => void;
}

export interface AttachedLedPanel {
  /** Stop listening and drop answers not yet written. Safe to call detached (`const { close } = …`). */
  close: () => void;
}

export function attachLedPanel(panel: LedPanelSimulator, transport: ByteTransport, options: AttachLedPanelOptions = {}): AttachedLedPanel {
  const timers = new Set<ReturnType<typeof setTimeout>>();
  let closed = false;
  const writeReply = (reply: Uint8Array): void => {
    transport.write(reply).catch((e: unknown) => options.onWriteError?.(e));
  };
  const off = transport.onData((bytes) => {
    if (closed) return;
    const before = panel.updates;
    const reply = panel.receive(bytes);
    if (panel.updates !== before) options.onUpdate?.();
    if (reply.length === 0) return;
    const delay = options.replyDelayMs ?? 0;
    if (delay <= 0) {
      writeReply(reply);
      return;
    }
    const t = setTimeout(() => {
      timers.delete(t);
      if (!closed) writeReply(reply);
    }, delay);
    timers.add(t);
  });
  return {
    close: () => {
      closed = true;
      off();
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}
