import { type MessagePair, messagePair } from '../../i18n/bilingual.ts';

// Second-generation ID card reader (SAM_V module) serial protocol, "AA AA AA 96 69".
// Request:  preamble(5) | length(2, BE) | command | parameter | [data] | check
// Response: preamble(5) | length(2, BE) | SW1 | SW2 | SW3 | [data] | check
// length counts everything after itself (command..check, or SW1..check); check is the XOR of
// every byte between preamble and check (the length bytes included). Pure codec: no I/O.

export const PREAMBLE = Uint8Array.of(0xaa, 0xaa, 0xaa, 0x96, 0x69);
export const TEXT_LENGTH = 256;
export const PHOTO_LENGTH = 1024;
/** Largest length field we accept; the biggest standard answer (text + photo + fingerprint) is far below. */
export const MAX_BODY_LENGTH = 4096;

export const Command = {
  ResetSam: [0x01, 0xff],
  FindCard: [0x20, 0x01],
  SelectCard: [0x20, 0x02],
  ReadTextPhoto: [0x30, 0x01],
  SamStatus: [0x11, 0xff],
} as const satisfies Record<string, readonly [number, number]>;
export type CommandName = keyof typeof Command;

/** SW3 status codes of the SAM_V module. */
export enum Sw3 {
  Ok = 0x90,
  NoContent = 0x91,
  FindOk = 0x9f,
  ChecksumError = 0x10,
  LengthError = 0x11,
  CommandError = 0x21,
  Unauthorised = 0x23,
  UnknownError = 0x24,
  CardAuthSamFailed = 0x31,
  SamAuthCardFailed = 0x32,
  InfoVerifyFailed = 0x33,
  UnknownCardType = 0x40,
  ReadFailed = 0x41,
  FindFailed = 0x80,
  SelectFailed = 0x81,
}

/** What each SW3 status means, in both languages (catalogue: `devices.idcard.sw3.<name>`). */
export const SW3_MEANING: Readonly<Record<Sw3, MessagePair>> = Object.fromEntries(
  (Object.keys(Sw3) as (keyof typeof Sw3)[])
    .filter((name) => Number.isNaN(Number(name)))
    .map((name) => [Sw3[name], messagePair(`devices.idcard.sw3.${name}`)]),
) as Record<Sw3, MessagePair>;

export function sw3Meaning(sw3: number): MessagePair {
  const known = (SW3_MEANING as Record<number, MessagePair | undefined>)[sw3];
  return known ?? messagePair('devices.idcard.sw3.unknown', { hex: sw3.toString(16).padStart(2, '0').toUpperCase() });
}

export function xorCheck(bytes: Uint8Array, from = 0, to = bytes.length): number {
  let x = 0;
  for (let i = from; i < to; i++) x ^= bytes[i] ?? 0;
  return x;
}

function frame(head: readonly number[], data: Uint8Array): Uint8Array {
  const length = head.length + data.length + 1;
  const out = new Uint8Array(PREAMBLE.length + 2 + length);
  out.set(PREAMBLE, 0);
  out[5] = (length >> 8) & 0xff;
  out[6] = length & 0xff;
  out.set(head, 7);
  out.set(data, 7 + head.length);
  out[out.length - 1] = xorCheck(out, 5, out.length - 1);
  return out;
}

/** Encodes a request frame: preamble | length | command | parameter | data | check. */
export function encodeRequest(command: number, parameter: number, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  return frame([command & 0xff, parameter & 0xff], data);
}

export function encodeCommand(name: CommandName): Uint8Array {
  const [cmd, para] = Command[name];
  return encodeRequest(cmd, para);
}

/** Encodes a response frame (used by the simulator and tests): preamble | length | SW1 SW2 SW3 | data | check. */
export function encodeResponse(sw3: number, data: Uint8Array = new Uint8Array(0), sw1 = 0, sw2 = 0): Uint8Array {
  return frame([sw1 & 0xff, sw2 & 0xff, sw3 & 0xff], data);
}

/** Body of a 30 01 answer: text length (2, BE) | photo length (2, BE) | text | photo. */
export function encodeReadPayload(text: Uint8Array, photo: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + text.length + photo.length);
  out[0] = (text.length >> 8) & 0xff;
  out[1] = text.length & 0xff;
  out[2] = (photo.length >> 8) & 0xff;
  out[3] = photo.length & 0xff;
  out.set(text, 4);
  out.set(photo, 4 + text.length);
  return out;
}

export interface ResponseFrame {
  sw1: number;
  sw2: number;
  sw3: number;
  data: Uint8Array;
  raw: Uint8Array;
}

export interface ReadPayload {
  text: Uint8Array;
  photo: Uint8Array;
}

/** Splits a 30 01 answer's data; null when the lengths do not fit the data. */
export function parseReadPayload(data: Uint8Array): ReadPayload | null {
  if (data.length < 4) return null;
  const textLen = ((data[0] ?? 0) << 8) | (data[1] ?? 0);
  const photoLen = ((data[2] ?? 0) << 8) | (data[3] ?? 0);
  if (4 + textLen + photoLen > data.length) return null;
  return {
    text: data.slice(4, 4 + textLen),
    photo: data.slice(4 + textLen, 4 + textLen + photoLen),
  };
}

export type ParserEvent =
  | { kind: 'frame'; frame: ResponseFrame }
  | { kind: 'discarded'; bytes: number; reason: 'garbage' | 'bad-check' | 'bad-length' };

/**
 * Streaming response parser. push() never throws; it returns the frames completed by the chunk and
 * reports skipped bytes. After garbage, a bad length or a bad check byte it resynchronises on the
 * next preamble (searching from one byte past the rejected one).
 */
export class ResponseParser {
  private buf = new Uint8Array(0);

  /** minBody: 4 for responses (SW1..SW3 + check), 3 for requests (command, parameter, check). */
  constructor(
    private readonly minBody = 4,
    private readonly maxBody = MAX_BODY_LENGTH,
  ) {}

  get buffered(): number {
    return this.buf.length;
  }

  reset(): void {
    this.buf = new Uint8Array(0);
  }

  push(chunk: Uint8Array): ParserEvent[] {
    const events: ParserEvent[] = [];
    const joined = new Uint8Array(this.buf.length + chunk.length);
    joined.set(this.buf, 0);
    joined.set(chunk, this.buf.length);
    let pos = 0;
    for (;;) {
      const start = findPreamble(joined, pos);
      if (start < 0) {
        // Keep a tail that may be the start of a preamble.
        const keep = partialPreambleTail(joined, pos);
        if (joined.length - keep > pos) events.push({ kind: 'discarded', bytes: joined.length - keep - pos, reason: 'garbage' });
        pos = joined.length - keep;
        break;
      }
      if (start > pos) events.push({ kind: 'discarded', bytes: start - pos, reason: 'garbage' });
      pos = start;
      if (joined.length - pos < 7) break;
      const length = ((joined[pos + 5] ?? 0) << 8) | (joined[pos + 6] ?? 0);
      if (length < this.minBody || length > this.maxBody) {
        events.push({ kind: 'discarded', bytes: 1, reason: 'bad-length' });
        pos += 1;
        continue;
      }
      const end = pos + 7 + length;
      if (joined.length < end) {
        // A stalled header (garbage that looks like a preamble) must not hold back a complete,
        // check-valid frame that starts after it.
        const later = this.nextCompleteFrame(joined, pos + 1);
        if (later < 0) break;
        events.push({ kind: 'discarded', bytes: later - pos, reason: 'bad-length' });
        pos = later;
        continue;
      }
      const check = joined[end - 1] ?? 0;
      if (xorCheck(joined, pos + 5, end - 1) !== check) {
        events.push({ kind: 'discarded', bytes: 1, reason: 'bad-check' });
        pos += 1;
        continue;
      }
      const raw = joined.slice(pos, end);
      events.push({
        kind: 'frame',
        frame: { sw1: raw[7] ?? 0, sw2: raw[8] ?? 0, sw3: raw[9] ?? 0, data: raw.slice(this.minBody === 3 ? 9 : 10, raw.length - 1), raw },
      });
      pos = end;
    }
    this.buf = joined.slice(pos);
    return events;
  }

  /** Start of the first preamble at or after `from` that begins a complete, check-valid frame; -1 if none. */
  private nextCompleteFrame(b: Uint8Array, from: number): number {
    for (let q = findPreamble(b, from); q >= 0; q = findPreamble(b, q + 1)) {
      if (b.length - q < 7) return -1;
      const length = ((b[q + 5] ?? 0) << 8) | (b[q + 6] ?? 0);
      if (length < this.minBody || length > this.maxBody) continue;
      const end = q + 7 + length;
      if (end > b.length) continue;
      if (xorCheck(b, q + 5, end - 1) === b[end - 1]) return q;
    }
    return -1;
  }
}

function findPreamble(b: Uint8Array, from: number): number {
  outer: for (let i = from; i + PREAMBLE.length <= b.length; i++) {
    for (let j = 0; j < PREAMBLE.length; j++) if (b[i + j] !== PREAMBLE[j]) continue outer;
    return i;
  }
  return -1;
}

/** Length of the longest suffix of b[from..] that is a proper prefix of the preamble. */
function partialPreambleTail(b: Uint8Array, from: number): number {
  for (let k = Math.min(PREAMBLE.length - 1, b.length - from); k > 0; k--) {
    let ok = true;
    for (let j = 0; j < k; j++) if (b[b.length - k + j] !== PREAMBLE[j]) { ok = false; break; }
    if (ok) return k;
  }
  return 0;
}

export interface RequestFrame {
  command: number;
  parameter: number;
  data: Uint8Array;
  raw: Uint8Array;
}

/** Streaming request parser (the simulator's side); same framing, never throws. */
export class RequestParser {
  private readonly inner = new ResponseParser(3);

  push(chunk: Uint8Array): RequestFrame[] {
    const out: RequestFrame[] = [];
    for (const e of this.inner.push(chunk)) {
      if (e.kind === 'frame') out.push({ command: e.frame.sw1, parameter: e.frame.sw2, data: e.frame.data, raw: e.frame.raw });
    }
    return out;
  }
}
