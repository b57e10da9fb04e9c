/**
 * One serial device's port, kept open for as long as the kiosk runs. Drivers see only a ByteTransport
 * that outlives the physical port: the manager opens the configured path (a stable one such as
 * /dev/serial/by-id/…, never /dev/ttyUSBn, which moves between boots), notices an unplug (the port
 * closes with an error, or the path disappears), retries the same path until the device comes back,
 * and republishes a health state on every change. Receive callbacks stay registered across reopens.
 *
 * Why the drivers report time-outs here: an open port says nothing about whether the device at the
 * other end still answers (a relay board without power keeps its USB adapter alive). A driver that
 * timed out calls `reportTimeout()`; after `degradedAfterTimeouts` in a row the device is `degraded`;
 * the next answer (`reportAnswer()`) brings it back `up`.
 */
import { existsSync } from 'node:fs';
import { SerialPort } from 'serialport';
import type { ByteTransport } from './byte-transport.ts';
import type { DeviceHealth, DeviceHealthState, DeviceKind } from './device-health.ts';
import { bilingual } from '../i18n/bilingual.ts';

export interface SerialSettings {
  baudRate: number;
  dataBits?: 5 | 6 | 7 | 8;
  parity?: 'none' | 'even' | 'odd';
  stopBits?: 1 | 2;
}

export interface ManagedPortOptions extends SerialSettings {
  device: string;
  kind: DeviceKind;
  path: string;
  /** Pause between attempts to reopen a lost port. */
  retryIntervalMs?: number;
  /** How often an open port's path is checked (a vanished by-id link is an unplug). */
  presenceCheckMs?: number;
  degradedAfterTimeouts?: number;
  now?: () => number;
}

/** Raised by `write` while the port is not open: the caller's command did not reach the device. */
export class PortUnavailableError extends Error {
  readonly code = 'DEVICE_UNAVAILABLE';
  constructor(readonly device: string, readonly state: DeviceHealthState) {
    super(bilingual('devices.port.unavailable', { device, state }));
    this.name = 'PortUnavailableError';
  }
}

export class ManagedPort implements ByteTransport {
  private port: SerialPort | undefined;
  private readonly dataListeners = new Set<(bytes: Uint8Array) => void>();
  private readonly healthListeners = new Set<(h: DeviceHealth) => void>();
  private current: DeviceHealth;
  private retryTimer: NodeJS.Timeout | undefined;
  private presenceTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private opening: Promise<void> | undefined;
  private everOpened = false;
  private readonly now: () => number;

  constructor(readonly options: ManagedPortOptions) {
    this.now = options.now ?? Date.now;
    this.current = {
      device: options.device,
      kind: options.kind,
      path: options.path,
      state: 'connecting',
      since: this.now(),
      consecutiveTimeouts: 0,
      reconnects: 0,
    };
  }

  get health(): DeviceHealth {
    return { ...this.current };
  }

  get isOpen(): boolean {
    return this.port?.isOpen === true;
  }

  /** Starts the open/retry loop; resolves after the first attempt, open or not. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.tryOpen();
  }

  /** Resolves once the port is open (now or after a replug); rejects after `timeoutMs`. */
  waitUntilUp(timeoutMs: number): Promise<void> {
    if (this.isOpen) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new PortUnavailableError(this.options.device, this.current.state));
      }, timeoutMs);
      const off = this.onHealth((h) => {
        if (h.state === 'up' || h.state === 'degraded') {
          clearTimeout(timer);
          off();
          resolve();
        }
      });
    });
  }

  onHealth(cb: (h: DeviceHealth) => void): () => void {
    this.healthListeners.add(cb);
    return () => this.healthListeners.delete(cb);
  }

  onData(cb: (bytes: Uint8Array) => void): () => void {
    this.dataListeners.add(cb);
    return () => {
      this.dataListeners.delete(cb);
    };
  }

  write(bytes: Uint8Array): Promise<void> {
    const port = this.port;
    if (!port?.isOpen) return Promise.reject(new PortUnavailableError(this.options.device, this.current.state));
    return new Promise<void>((resolve, reject) => {
      port.write(Buffer.from(bytes), (e) => {
        if (e) reject(e);
        else port.drain((d) => (d ? reject(d) : resolve()));
      });
    });
  }

  /** A driver's request went unanswered. */
  reportTimeout(what = 'no answer'): void {
    if (this.current.state !== 'up' && this.current.state !== 'degraded') return;
    const n = this.current.consecutiveTimeouts + 1;
    const limit = this.options.degradedAfterTimeouts ?? 3;
    if (n >= limit) this.setState('degraded', { consecutiveTimeouts: n, error: what });
    else this.current = { ...this.current, consecutiveTimeouts: n };
  }

  /** A driver's request was answered. */
  reportAnswer(): void {
    if (this.current.state === 'degraded') this.setState('up', { consecutiveTimeouts: 0, error: undefined });
    else if (this.current.consecutiveTimeouts > 0) this.current = { ...this.current, consecutiveTimeouts: 0 };
  }

  async close(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.presenceTimer);
    await this.opening;
    const port = this.port;
    this.port = undefined;
    if (port?.isOpen) await new Promise<void>((r) => port.close(() => r()));
    this.setState('closed', {});
  }

  private setState(state: DeviceHealthState, patch: Partial<DeviceHealth>): void {
    const changed = state !== this.current.state || patch.error !== this.current.error;
    this.current = { ...this.current, ...patch, state, since: state !== this.current.state ? this.now() : this.current.since };
    if (!('error' in patch) && (state === 'up' || state === 'closed')) delete this.current.error;
    if (!changed) return;
    const snapshot = this.health;
    for (const cb of this.healthListeners) cb(snapshot);
  }

  private tryOpen(): Promise<void> {
    this.opening ??= this.open().finally(() => {
      this.opening = undefined;
    });
    return this.opening;
  }

  private async open(): Promise<void> {
    if (this.stopped) return;
    const o = this.options;
    if (!existsSync(o.path)) {
      this.lost(`path ${o.path} does not exist`);
      return;
    }
    const port = new SerialPort({
      path: o.path,
      baudRate: o.baudRate,
      dataBits: o.dataBits ?? 8,
      parity: o.parity ?? 'none',
      stopBits: o.stopBits ?? 1,
      autoOpen: false,
      lock: true,
    });
    try {
      await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
    } catch (e) {
      this.lost(e instanceof Error ? e.message : String(e));
      return;
    }
    if (this.stopped) {
      await new Promise<void>((r) => port.close(() => r()));
      return;
    }
    this.port = port;
    port.on('data', (chunk: Buffer) => {
      const bytes = new Uint8Array(chunk);
      for (const cb of this.dataListeners) cb(bytes);
    });
    // 'close' with an error is the kernel telling us the line is gone (EIO on a pty, ENXIO on USB).
    port.on('close', (err: Error | null) => {
      if (this.port === port) this.dropPort(err?.message ?? 'port closed');
    });
    port.on('error', (err: Error) => {
      if (this.port === port) this.dropPort(err.message);
    });
    const reconnects = this.current.reconnects + (this.everOpened ? 1 : 0);
    this.everOpened = true;
    this.setState('up', { consecutiveTimeouts: 0, reconnects });
    clearInterval(this.presenceTimer);
    this.presenceTimer = setInterval(() => {
      if (this.port === port && !existsSync(o.path)) this.dropPort(`path ${o.path} disappeared`);
    }, o.presenceCheckMs ?? 250);
    this.presenceTimer.unref();
  }

  private dropPort(reason: string): void {
    const port = this.port;
    this.port = undefined;
    clearInterval(this.presenceTimer);
    if (port?.isOpen) port.close(() => undefined);
    port?.removeAllListeners('data');
    this.lost(reason);
  }

  private lost(reason: string): void {
    if (this.stopped) return;
    this.setState('down', { error: reason, consecutiveTimeouts: 0 });
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.tryOpen(), this.options.retryIntervalMs ?? 200);
    this.retryTimer.unref();
  }
}
