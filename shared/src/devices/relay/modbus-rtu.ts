/**
 * Modbus RTU codec for turnstile / door relay modules: CRC16/MODBUS, encoders for the few function
 * codes a relay board needs (0x01 read coils, 0x02 read discrete inputs, 0x05 write single coil,
 * exception responses), and streaming parsers for both ends of the line.
 *
 * RTU has no delimiters (the spec frames by 3.5 characters of silence, which a PC behind a USB
 * adapter cannot see reliably), so the parsers frame by the length each function code implies and
 * accept a candidate only when its CRC matches; on a CRC failure or an impossible header they slide
 * one byte and try again. Parsers never throw. Pure: no ports, no timers.
 *
 * Frame layout (Modbus over serial line v1.02 and Modbus application protocol v1.1b3):
 *   address(1) | function(1) | data(n) | CRC16 low byte, CRC16 high byte
 * Example: write single coil 0 on at slave 1 = 01 05 00 00 FF 00 8C 3A.
 */

export const FC_READ_COILS = 0x01;
export const FC_READ_DISCRETE_INPUTS = 0x02;
export const FC_WRITE_SINGLE_COIL = 0x05;

/** Exception codes (Modbus application protocol, section 7). */
export const ModbusExceptionCode = {
  IllegalFunction: 0x01,
  IllegalDataAddress: 0x02,
  IllegalDataValue: 0x03,
  ServerDeviceFailure: 0x04,
  Acknowledge: 0x05,
  ServerDeviceBusy: 0x06,
  GatewayPathUnavailable: 0x0a,
  GatewayTargetFailedToRespond: 0x0b,
} as const;

/** Largest quantity of bits one read may ask for (spec: 1..2000 = 0x7D0). */
export const MAX_READ_BITS = 2000;
/** Largest RTU frame (spec: 256 bytes). */
export const MAX_RTU_FRAME = 256;

const COIL_ON = 0xff00;
const COIL_OFF = 0x0000;

/** CRC16/MODBUS: reflected polynomial 0xA001 (0x8005), initial value 0xFFFF, no final XOR. */
export function crc16Modbus(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let crc = 0xffff;
  for (let i = start; i < end; i++) {
    crc ^= bytes[i] ?? 0;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
  }
  return crc;
}

/** Appends the CRC, low byte first. */
export function withCrc(body: ArrayLike<number>): Uint8Array {
  const frame = new Uint8Array(body.length + 2);
  frame.set(body as ArrayLike<number>);
  const crc = crc16Modbus(frame, 0, body.length);
  frame[body.length] = crc & 0xff;
  frame[body.length + 1] = crc >>> 8;
  return frame;
}

/** True when the last two bytes of `frame[start, end)` are the CRC of the bytes before them. */
export function crcMatches(frame: Uint8Array, start = 0, end = frame.length): boolean {
  if (end - start < 4) return false;
  const crc = crc16Modbus(frame, start, end - 2);
  return frame[end - 2] === (crc & 0xff) && frame[end - 1] === crc >>> 8;
}

// --- Frame types -------------------------------------------------------------------------------

export type ModbusRequest =
  | { readonly fc: typeof FC_READ_COILS | typeof FC_READ_DISCRETE_INPUTS; readonly slave: number; readonly start: number; readonly quantity: number }
  /** `raw` is the value field as sent: 0xFF00 on, 0x0000 off; anything else is illegal (exception 03). */
  | { readonly fc: typeof FC_WRITE_SINGLE_COIL; readonly slave: number; readonly address: number; readonly on: boolean; readonly raw: number };

export type ModbusResponse =
  | { readonly kind: 'bits'; readonly fc: typeof FC_READ_COILS | typeof FC_READ_DISCRETE_INPUTS; readonly slave: number; readonly data: Uint8Array }
  | { readonly kind: 'write-coil'; readonly fc: typeof FC_WRITE_SINGLE_COIL; readonly slave: number; readonly address: number; readonly on: boolean; readonly raw: number }
  | { readonly kind: 'exception'; readonly fc: number; readonly slave: number; readonly code: number };

function u16(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 0 || value > 0xffff) throw new RangeError(`${what} must be an integer 0..65535, got ${value}`);
  return value;
}

function slaveId(slave: number, allowBroadcast: boolean): number {
  const min = allowBroadcast ? 0 : 1;
  if (!Number.isInteger(slave) || slave < min || slave > 247) throw new RangeError(`slave address must be ${min}..247, got ${slave}`);
  return slave;
}

// --- Encoders (requests) -----------------------------------------------------------------------

function readBitsRequest(fc: number, slave: number, start: number, quantity: number): Uint8Array {
  slaveId(slave, false);
  u16(start, 'start address');
  if (!Number.isInteger(quantity) || quantity < 1 || quantity > MAX_READ_BITS) throw new RangeError(`quantity must be 1..${MAX_READ_BITS}, got ${quantity}`);
  if (start + quantity > 0x10000) throw new RangeError('start + quantity runs past address 65535');
  return withCrc([slave, fc, start >>> 8, start & 0xff, quantity >>> 8, quantity & 0xff]);
}

export const encodeReadCoils = (slave: number, start: number, quantity: number): Uint8Array =>
  readBitsRequest(FC_READ_COILS, slave, start, quantity);

export const encodeReadDiscreteInputs = (slave: number, start: number, quantity: number): Uint8Array =>
  readBitsRequest(FC_READ_DISCRETE_INPUTS, slave, start, quantity);

/** Write single coil; slave 0 broadcasts (no response). The response is an echo of the request. */
export function encodeWriteSingleCoil(slave: number, address: number, on: boolean): Uint8Array {
  slaveId(slave, true);
  u16(address, 'coil address');
  const value = on ? COIL_ON : COIL_OFF;
  return withCrc([slave, FC_WRITE_SINGLE_COIL, address >>> 8, address & 0xff, value >>> 8, value & 0xff]);
}

export function encodeRequest(request: ModbusRequest): Uint8Array {
  if (request.fc === FC_WRITE_SINGLE_COIL) return encodeWriteSingleCoil(request.slave, request.address, request.on);
  return readBitsRequest(request.fc, request.slave, request.start, request.quantity);
}

// --- Encoders (responses) ----------------------------------------------------------------------

/** Packs bits LSB first, the first bit in bit 0 of the first byte; unused high bits are zero. */
export function packBits(bits: readonly boolean[]): Uint8Array {
  const out = new Uint8Array(Math.ceil(bits.length / 8));
  bits.forEach((bit, i) => {
    if (bit) out[i >>> 3] = (out[i >>> 3] ?? 0) | (1 << (i & 7));
  });
  return out;
}

export function unpackBits(data: Uint8Array, quantity: number): boolean[] {
  const out: boolean[] = [];
  for (let i = 0; i < quantity; i++) out.push((((data[i >>> 3] ?? 0) >>> (i & 7)) & 1) === 1);
  return out;
}

export function encodeReadBitsResponse(slave: number, fc: typeof FC_READ_COILS | typeof FC_READ_DISCRETE_INPUTS, bits: readonly boolean[]): Uint8Array {
  slaveId(slave, false);
  if (bits.length < 1 || bits.length > MAX_READ_BITS) throw new RangeError(`bit count must be 1..${MAX_READ_BITS}`);
  const data = packBits(bits);
  return withCrc([slave, fc, data.length, ...data]);
}

export function encodeWriteSingleCoilResponse(slave: number, address: number, on: boolean): Uint8Array {
  slaveId(slave, false);
  return encodeWriteSingleCoil(slave, address, on);
}

export function encodeException(slave: number, fc: number, code: number): Uint8Array {
  slaveId(slave, false);
  if (!Number.isInteger(fc) || fc < 1 || fc > 0x7f) throw new RangeError(`function code must be 1..127, got ${fc}`);
  if (!Number.isInteger(code) || code < 1 || code > 0xff) throw new RangeError(`exception code must be 1..255, got ${code}`);
  return withCrc([slave, fc | 0x80, code]);
}

// --- Streaming parsers -------------------------------------------------------------------------

/** What the parser decided about the bytes at the head of its buffer. */
type Candidate = { readonly length: number } | 'slide' | 'more';

export interface ParserStats {
  /** Frames returned. */
  frames: number;
  /** Candidates whose length was plausible but whose CRC did not match. */
  crcErrors: number;
  /** Bytes dropped while resynchronising (includes the first byte of every CRC failure). */
  discardedBytes: number;
}

/**
 * Length-framed RTU parser. Subclasses say, from the first bytes, how long the frame must be and
 * how to decode it once its CRC matched. Feed chunks with `push`; call `flush` after a silence (or
 * before a new transaction) to give up on a partial candidate and find frames behind it.
 */
abstract class RtuStreamParser<F> {
  readonly stats: ParserStats = { frames: 0, crcErrors: 0, discardedBytes: 0 };
  private buffer = new Uint8Array(0);

  /** Length of the frame starting at `at`, 'slide' if no frame can start there, 'more' if undecided. */
  protected abstract candidate(buf: Uint8Array, at: number, available: number): Candidate;
  /** Decodes a CRC-checked frame; null rejects it (the parser slides one byte). */
  protected abstract decode(frame: Uint8Array): F | null;

  /** Appends bytes; returns every complete, CRC-valid frame. Never throws. */
  push(chunk: Uint8Array): F[] {
    if (chunk.length > 0) {
      const joined = new Uint8Array(this.buffer.length + chunk.length);
      joined.set(this.buffer);
      joined.set(chunk, this.buffer.length);
      this.buffer = joined;
    }
    return this.scan(false);
  }

  /** End of a burst: partial candidates are dropped one byte at a time; returns frames found behind them. */
  flush(): F[] {
    const frames = this.scan(true);
    this.stats.discardedBytes += this.buffer.length;
    this.buffer = new Uint8Array(0);
    return frames;
  }

  /** Drops any buffered bytes (e.g. before a new request on a half-duplex line). */
  reset(): void {
    this.stats.discardedBytes += this.buffer.length;
    this.buffer = new Uint8Array(0);
  }

  get buffered(): number {
    return this.buffer.length;
  }

  /** First position ≥ from where a complete frame with a matching CRC sits in the buffer, or -1. */
  private completeFrameAfter(buf: Uint8Array, from: number): number {
    for (let at = from; at < buf.length; at++) {
      const c = this.candidate(buf, at, buf.length - at);
      if (c === 'slide' || c === 'more' || c.length > buf.length - at) continue;
      if (crcMatches(buf, at, at + c.length)) return at;
    }
    return -1;
  }

  private scan(final: boolean): F[] {
    const buf = this.buffer;
    const frames: F[] = [];
    let pos = 0;
    while (pos < buf.length) {
      const available = buf.length - pos;
      const c = this.candidate(buf, pos, available);
      if (c === 'slide') {
        pos++;
        this.stats.discardedBytes++;
        continue;
      }
      if (c === 'more' || c.length > available) {
        if (!final) {
          // A header that promises more bytes than have come may be garbage: a complete, CRC-valid
          // frame further on wins over the guess (otherwise a stray header stalls the line).
          const next = this.completeFrameAfter(buf, pos + 1);
          if (next < 0) break;
          this.stats.discardedBytes += next - pos;
          pos = next;
          continue;
        }
        pos++;
        this.stats.discardedBytes++;
        continue;
      }
      if (!crcMatches(buf, pos, pos + c.length)) {
        this.stats.crcErrors++;
        this.stats.discardedBytes++;
        pos++;
        continue;
      }
      const frame = buf.slice(pos, pos + c.length);
      const decoded = this.decode(frame);
      if (decoded === null) {
        this.stats.discardedBytes++;
        pos++;
        continue;
      }
      frames.push(decoded);
      this.stats.frames++;
      pos += c.length;
    }
    this.buffer = pos === 0 ? buf : buf.slice(pos);
    return frames;
  }
}

const validSlave = (address: number | undefined, allowBroadcast: boolean): boolean =>
  address !== undefined && address <= 247 && (allowBroadcast || address >= 1);

/** Master side: parses responses (0x01, 0x02, 0x05 and exceptions); anything else slides. */
export class ModbusResponseParser extends RtuStreamParser<ModbusResponse> {
  protected candidate(buf: Uint8Array, at: number, available: number): Candidate {
    if (!validSlave(buf[at], false)) return 'slide';
    if (available < 2) return 'more';
    const fc = buf[at + 1] ?? 0;
    if (fc === FC_READ_COILS || fc === FC_READ_DISCRETE_INPUTS) {
      if (available < 3) return 'more';
      const byteCount = buf[at + 2] ?? 0;
      if (byteCount < 1 || byteCount > MAX_READ_BITS / 8) return 'slide';
      return { length: 3 + byteCount + 2 };
    }
    if (fc === FC_WRITE_SINGLE_COIL) return { length: 8 };
    if (fc & 0x80 && (fc & 0x7f) !== 0) return { length: 5 };
    return 'slide';
  }

  protected decode(f: Uint8Array): ModbusResponse | null {
    const slave = f[0] ?? 0;
    const fc = f[1] ?? 0;
    if (fc === FC_READ_COILS || fc === FC_READ_DISCRETE_INPUTS) {
      return { kind: 'bits', fc, slave, data: f.slice(3, f.length - 2) };
    }
    if (fc === FC_WRITE_SINGLE_COIL) {
      const raw = ((f[4] ?? 0) << 8) | (f[5] ?? 0);
      return { kind: 'write-coil', fc, slave, address: ((f[2] ?? 0) << 8) | (f[3] ?? 0), on: raw === COIL_ON, raw };
    }
    return { kind: 'exception', fc: fc & 0x7f, slave, code: f[2] ?? 0 };
  }
}

/** Slave side: parses requests (0x01, 0x02, 0x05; all eight bytes long); anything else slides. */
export class ModbusRequestParser extends RtuStreamParser<ModbusRequest> {
  protected candidate(buf: Uint8Array, at: number, available: number): Candidate {
    if (!validSlave(buf[at], true)) return 'slide';
    if (available < 2) return 'more';
    const fc = buf[at + 1] ?? 0;
    if (fc === FC_READ_COILS || fc === FC_READ_DISCRETE_INPUTS || fc === FC_WRITE_SINGLE_COIL) return { length: 8 };
    return 'slide';
  }

  protected decode(f: Uint8Array): ModbusRequest | null {
    const slave = f[0] ?? 0;
    const fc = f[1] ?? 0;
    const a = ((f[2] ?? 0) << 8) | (f[3] ?? 0);
    const b = ((f[4] ?? 0) << 8) | (f[5] ?? 0);
    if (fc === FC_WRITE_SINGLE_COIL) return { fc, slave, address: a, on: b === COIL_ON, raw: b };
    if (fc === FC_READ_COILS || fc === FC_READ_DISCRETE_INPUTS) {
      if (slave === 0) return null; // reads cannot be broadcast
      return { fc, slave, start: a, quantity: b };
    }
    return null;
  }
}

/** Hex dump for logs and error messages: "01 05 00 00 FF 00 8C 3A". */
export const toHex = (bytes: Uint8Array): string =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, '0').toUpperCase()).join(' ');
