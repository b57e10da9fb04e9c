/**
 * A Modbus RTU relay board as seen from the wire: it parses requests with the slave-side parser,
 * applies coil writes, answers reads from its coil and discrete-input tables, answers exceptions
 * like a real board (illegal function / address / value), and records coil changes and pulses with
 * timestamps so tests can check what the driver did. Speaks the same bytes as the hardware, so it
 * can sit on an in-memory link or on the far end of a pty.
 */
import {
  FC_READ_COILS,
  FC_WRITE_SINGLE_COIL,
  MAX_READ_BITS,
  ModbusExceptionCode,
  ModbusRequestParser,
  encodeException,
  encodeReadBitsResponse,
  encodeWriteSingleCoilResponse,
  type ModbusRequest,
} from './modbus-rtu.ts';
import type { RelayTransport } from './relay-driver.ts';

export interface CoilChange {
  readonly coil: number;
  readonly on: boolean;
  readonly at: number;
}

export interface RecordedPulse {
  readonly coil: number;
  readonly onAt: number;
  readonly offAt: number;
  readonly ms: number;
}

export interface RelaySimulatorOptions {
  slave?: number;
  coils?: number;
  inputs?: number;
  /** Clock for the records (default performance.now). */
  now?: () => number;
}

export class RelaySimulator {
  readonly slave: number;
  readonly coilChanges: CoilChange[] = [];
  readonly pulses: RecordedPulse[] = [];
  /** Requests addressed to this slave (including broadcasts), in order. */
  readonly requests: ModbusRequest[] = [];
  /** When set, the simulator stays silent (a board that is off or on another address). */
  mute = false;
  private readonly coils: boolean[];
  private readonly inputs: boolean[];
  private readonly onSince = new Map<number, number>();
  private readonly parser = new ModbusRequestParser();
  private readonly now: () => number;

  constructor(options: RelaySimulatorOptions = {}) {
    this.slave = options.slave ?? 1;
    this.coils = new Array<boolean>(options.coils ?? 8).fill(false);
    this.inputs = new Array<boolean>(options.inputs ?? 8).fill(false);
    this.now = options.now ?? (() => performance.now());
  }

  getCoil(coil: number): boolean {
    return this.coils[coil] === true;
  }

  setInput(input: number, value: boolean): void {
    if (!Number.isInteger(input) || input < 0 || input >= this.inputs.length) throw new RangeError(`no discrete input ${input}`);
    this.inputs[input] = value;
  }

  getInput(input: number): boolean {
    return this.inputs[input] === true;
  }

  /** Bytes from the master in, response bytes out (one array per answered request). */
  receive(bytes: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (const request of this.parser.push(bytes)) {
      if (request.slave !== this.slave && request.slave !== 0) continue;
      this.requests.push(request);
      const response = this.answer(request);
      if (response && request.slave !== 0 && !this.mute) out.push(response);
    }
    return out;
  }

  /** Serves a transport (the slave end of a link): answers every request on it. */
  attach(transport: RelayTransport): void {
    transport.onData((bytes) => {
      // A board whose line is gone just loses its answer, as hardware does.
      for (const response of this.receive(bytes)) transport.write(response).catch(() => undefined);
    });
  }

  private answer(request: ModbusRequest): Uint8Array {
    if (request.fc === FC_WRITE_SINGLE_COIL) {
      if (request.raw !== 0xff00 && request.raw !== 0x0000) return encodeException(this.slave, request.fc, ModbusExceptionCode.IllegalDataValue);
      if (request.address >= this.coils.length) return encodeException(this.slave, request.fc, ModbusExceptionCode.IllegalDataAddress);
      this.setCoil(request.address, request.on);
      return encodeWriteSingleCoilResponse(this.slave, request.address, request.on);
    }
    if (request.quantity < 1 || request.quantity > MAX_READ_BITS) return encodeException(this.slave, request.fc, ModbusExceptionCode.IllegalDataValue);
    const table = request.fc === FC_READ_COILS ? this.coils : this.inputs;
    if (request.start + request.quantity > table.length) return encodeException(this.slave, request.fc, ModbusExceptionCode.IllegalDataAddress);
    return encodeReadBitsResponse(this.slave, request.fc, table.slice(request.start, request.start + request.quantity));
  }

  private setCoil(coil: number, on: boolean): void {
    const at = this.now();
    const was = this.coils[coil] === true;
    this.coils[coil] = on;
    if (was === on) return;
    this.coilChanges.push({ coil, on, at });
    if (on) {
      this.onSince.set(coil, at);
    } else {
      const onAt = this.onSince.get(coil);
      this.onSince.delete(coil);
      if (onAt !== undefined) this.pulses.push({ coil, onAt, offAt: at, ms: at - onAt });
    }
  }
}

/** Two connected in-memory transports; bytes written on one arrive (asynchronously) on the other. */
export function memoryLink(): { master: RelayTransport; slave: RelayTransport } {
  const listeners: [Array<(b: Uint8Array) => void>, Array<(b: Uint8Array) => void>] = [[], []];
  const end = (self: 0 | 1): RelayTransport => ({
    write: (bytes) => {
      const copy = bytes.slice();
      queueMicrotask(() => {
        for (const cb of listeners[self === 0 ? 1 : 0]) cb(copy);
      });
      return Promise.resolve();
    },
    onData: (cb) => {
      listeners[self].push(cb);
      return () => {
        const i = listeners[self].indexOf(cb);
        if (i >= 0) listeners[self].splice(i, 1);
      };
    },
  });
  return { master: end(0), slave: end(1) };
}
