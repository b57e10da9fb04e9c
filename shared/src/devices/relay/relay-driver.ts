/**
 * Turnstile / door relay driver over Modbus RTU. Owns one transaction at a time on a half-duplex
 * line: encode request, wait for the matching response (checked for slave, function code and echo),
 * time out, and report typed errors. It speaks to an abstract transport so tests run it against the
 * in-memory simulator, and the port manager can hand it a serial port.
 */
import type { ByteTransport } from '../byte-transport.ts';
import {
  FC_READ_COILS,
  FC_READ_DISCRETE_INPUTS,
  FC_WRITE_SINGLE_COIL,
  ModbusResponseParser,
  encodeReadCoils,
  encodeReadDiscreteInputs,
  encodeWriteSingleCoil,
  toHex,
  unpackBits,
  type ModbusResponse,
} from './modbus-rtu.ts';
import { bilingual } from '../../i18n/bilingual.ts';

/** Bytes out, bytes in. `onData` may return an unsubscribe function. */
/** The relay's byte line: the common device transport. */
export type RelayTransport = ByteTransport;

export class RelayError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** No valid response in time. `crcErrors` counts candidates that failed their CRC meanwhile. */
export class RelayTimeoutError extends RelayError {
  constructor(
    readonly request: Uint8Array,
    readonly timeoutMs: number,
  ) {
    super(bilingual('devices.relay.timeout', { request: toHex(request), ms: timeoutMs }));
  }
}

/** Bytes arrived but never formed a CRC-valid frame before the time-out (noise, wrong baud rate). */
export class RelayCrcError extends RelayError {
  constructor(
    readonly request: Uint8Array,
    readonly crcErrors: number,
  ) {
    super(bilingual('devices.relay.crc', { request: toHex(request), count: crcErrors }));
  }
}

const EXCEPTION_NAMES: Record<number, string> = {
  1: 'illegal function',
  2: 'illegal data address',
  3: 'illegal data value',
  4: 'server device failure',
  5: 'acknowledge',
  6: 'server device busy',
  10: 'gateway path unavailable',
  11: 'gateway target device failed to respond',
};

/** The slave answered with an exception response. */
export class RelayExceptionError extends RelayError {
  constructor(
    readonly functionCode: number,
    readonly code: number,
  ) {
    super(bilingual('devices.relay.exception', { code, name: EXCEPTION_NAMES[code] ?? 'unknown', function: functionCode.toString(16).padStart(2, '0') }));
  }
}

/** A CRC-valid response that does not answer our request (wrong echo, wrong length). */
export class RelayResponseError extends RelayError {}

export interface RelayDriverOptions {
  /** Modbus slave address, 1..247 (default 1). */
  slave?: number;
  /** Per-transaction response time-out (default 500 ms; a 9600 baud round trip is ~20 ms). */
  timeoutMs?: number;
  /** Alarm inputs by name → discrete input address (default none). */
  alarmInputs?: Readonly<Record<string, number>>;
  /**
   * Silence kept between the last byte received and the next request (RTU: at least 3.5 character
   * times; 11 bits per character at 9600 8N1 is ~4 ms). Default 4 ms.
   */
  interFrameGapMs?: number;
  /** Waits between pulse on and off; injectable for tests. */
  sleep?: (ms: number) => Promise<void>;
}

export interface PulseResult {
  readonly coil: number;
  readonly requestedMs: number;
  /** Time from the on response to the off response, measured by the driver. */
  readonly heldMs: number;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Pending {
  readonly request: Uint8Array;
  readonly accept: (response: ModbusResponse) => boolean;
  readonly resolve: (response: ModbusResponse) => void;
  /** CRC-valid frames from our slave that did not answer this request (late or wrong answers). */
  mismatched: number;
}

/** Checks an answer; returns why it does not answer the request, or null if it does. */
type Check = (r: ModbusResponse) => string | null;

export class RelayDriver {
  readonly slave: number;
  readonly timeoutMs: number;
  private readonly alarmInputs: Readonly<Record<string, number>>;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly interFrameGapMs: number;
  private lastRxAt = -Infinity;
  private readonly parser = new ModbusResponseParser();
  private readonly unsubscribe: (() => void) | undefined;
  private pending: Pending | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly transport: RelayTransport,
    options: RelayDriverOptions = {},
  ) {
    this.slave = options.slave ?? 1;
    if (!Number.isInteger(this.slave) || this.slave < 1 || this.slave > 247) throw new RangeError(`slave address must be 1..247, got ${this.slave}`);
    this.timeoutMs = options.timeoutMs ?? 500;
    this.alarmInputs = options.alarmInputs ?? {};
    this.sleep = options.sleep ?? defaultSleep;
    this.interFrameGapMs = options.interFrameGapMs ?? 4;
    const off = transport.onData((bytes) => this.onBytes(bytes));
    this.unsubscribe = typeof off === 'function' ? off : undefined;
  }

  /** Stops listening; later calls reject. */
  close(): void {
    this.closed = true;
    this.unsubscribe?.();
  }

  /** Sets one coil and checks the echo. */
  writeCoil(coil: number, on: boolean): Promise<void> {
    const request = encodeWriteSingleCoil(this.slave, coil, on);
    return this.transact(request, FC_WRITE_SINGLE_COIL, (r) =>
      r.kind === 'write-coil' && r.address === coil && r.on === on && r.raw === (on ? 0xff00 : 0) ? null : 'write-coil echo does not match',
    ).then(() => undefined);
  }

  /** Opens the gate: coil on, hold `ms`, coil off. The off is attempted even if the wait is cut short. */
  async pulse(coil: number, ms: number): Promise<PulseResult> {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`pulse length must be ≥ 0 ms, got ${ms}`);
    await this.writeCoil(coil, true);
    const onAt = performance.now();
    try {
      await this.sleep(ms);
    } finally {
      await this.writeCoil(coil, false);
    }
    return { coil, requestedMs: ms, heldMs: performance.now() - onAt };
  }

  readCoils(start: number, quantity: number): Promise<boolean[]> {
    return this.readBits(FC_READ_COILS, start, quantity);
  }

  readDiscreteInputs(start: number, quantity: number): Promise<boolean[]> {
    return this.readBits(FC_READ_DISCRETE_INPUTS, start, quantity);
  }

  /** True while the passage sensor (a discrete input) reports someone in the lane. */
  async readPassageSensor(input: number): Promise<boolean> {
    const [value] = await this.readDiscreteInputs(input, 1);
    return value === true;
  }

  /** Reads the configured alarm inputs in one request covering their address range. */
  async readAlarms(): Promise<Record<string, boolean>> {
    const entries = Object.entries(this.alarmInputs);
    if (entries.length === 0) return {};
    const addresses = entries.map(([, address]) => address);
    const lo = Math.min(...addresses);
    const hi = Math.max(...addresses);
    const bits = await this.readDiscreteInputs(lo, hi - lo + 1);
    return Object.fromEntries(entries.map(([name, address]) => [name, bits[address - lo] === true]));
  }

  private async readBits(fc: typeof FC_READ_COILS | typeof FC_READ_DISCRETE_INPUTS, start: number, quantity: number): Promise<boolean[]> {
    const request = fc === FC_READ_COILS ? encodeReadCoils(this.slave, start, quantity) : encodeReadDiscreteInputs(this.slave, start, quantity);
    const response = await this.transact(request, fc, (r) =>
      r.kind === 'bits' && r.data.length === Math.ceil(quantity / 8) ? null : 'read response has the wrong byte count',
    );
    return response.kind === 'bits' ? unpackBits(response.data, quantity) : [];
  }

  /** One transaction at a time; the queue keeps going after a failure. */
  private transact(request: Uint8Array, fc: number, check: Check): Promise<ModbusResponse> {
    const run = this.queue.then(() => this.exchange(request, fc, check));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async exchange(request: Uint8Array, fc: number, check: Check): Promise<ModbusResponse> {
    if (this.closed) throw new RelayError('relay driver is closed');
    // Timers round and may fire a little early against performance.now(): wait until really quiet.
    for (let quiet = this.lastRxAt + this.interFrameGapMs - performance.now(); quiet > 0; quiet = this.lastRxAt + this.interFrameGapMs - performance.now()) {
      await new Promise((resolve) => setTimeout(resolve, Math.ceil(quiet)));
    }
    this.parser.reset(); // half duplex: anything still buffered is stale
    let lastMismatch = '';
    const crcBefore = this.parser.stats.crcErrors;
    const response = await new Promise<ModbusResponse>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending = undefined;
        this.parser.flush();
        const crcErrors = this.parser.stats.crcErrors - crcBefore;
        if (pending.mismatched > 0) reject(new RelayResponseError(bilingual('devices.relay.mismatch', { detail: lastMismatch, request: toHex(request), count: pending.mismatched })));
        else reject(crcErrors > 0 ? new RelayCrcError(request, crcErrors) : new RelayTimeoutError(request, this.timeoutMs));
      }, this.timeoutMs);
      const pending: Pending = {
        request,
        // Frames from another slave or for another function are not ours: keep waiting. A late
        // answer to an earlier (timed-out) request does not match the echo or length: keep waiting.
        accept: (r) => {
          if (r.slave !== this.slave || r.fc !== fc) return false;
          if (r.kind === 'exception') return true;
          const why = check(r);
          if (why === null) return true;
          lastMismatch = why;
          pending.mismatched++;
          return false;
        },
        resolve: (r) => {
          clearTimeout(timer);
          this.pending = undefined;
          resolve(r);
        },
        mismatched: 0,
      };
      this.pending = pending;
      this.transport.write(request).catch((error: unknown) => {
        clearTimeout(timer);
        this.pending = undefined;
        reject(error instanceof Error ? error : new RelayError(String(error)));
      });
    });
    if (response.kind === 'exception') throw new RelayExceptionError(response.fc, response.code);
    return response;
  }

  private onBytes(bytes: Uint8Array): void {
    this.lastRxAt = performance.now();
    const frames = this.parser.push(bytes);
    for (const frame of frames) {
      const pending = this.pending;
      if (pending && pending.accept(frame)) pending.resolve(frame);
    }
  }
}
