/**
 * XFS5152 (iFlytek) serial TTS chip: pure frame encoder and pure streaming parser.
 *
 * Frame (host → chip): FD | length (2 bytes, big-endian; counts command and data) | command | data.
 * There is no check byte. Synthesis: command 0x01, one encoding byte (0 GB2312, 1 GBK, 2 BIG5,
 * 3 Unicode), then the text; inline tags in the text set volume [v0…10], speed [s0…10] and digit
 * reading [n0] auto / [n1] as a number string / [n2] as a value.
 * Control frames are a bare command: stop 02, pause 03, resume 04, status 21, power down 88, wake FF.
 * Replies (chip → host) are single bytes: see chip-status.ts.
 */
import iconv from 'iconv-lite';
import { ICONV_NAME, TextEncoding, encodingName } from './chip-status.ts';
import type { TextEncodingName } from './chip-status.ts';

export const XFS5152_HEADER = 0xfd;
/** The data area (command + encoding + text) is limited to 4 KiB. */
export const XFS5152_MAX_LENGTH = 4096;

export const Xfs5152Command = {
  synthesize: 0x01,
  stop: 0x02,
  pause: 0x03,
  resume: 0x04,
  status: 0x21,
  powerDown: 0x88,
  wake: 0xff,
} as const;

const CONTROL_COMMANDS: ReadonlySet<number> = new Set([0x02, 0x03, 0x04, 0x21, 0x88, 0xff]);

export interface Xfs5152SynthesizeOptions {
  encoding?: Exclude<TextEncodingName, 'unicode'>;
  /** Volume tag [vN], 0…10. */
  volume?: number;
  /** Speed tag [sN], 0…10. */
  speed?: number;
  /** Digit reading tag [nN]: 0 automatic, 1 read digit by digit (room and seat numbers), 2 as a value. */
  digits?: 0 | 1 | 2;
}

function tag(letter: string, value: number | undefined, max: number): string {
  if (value === undefined) return '';
  if (!Number.isInteger(value) || value < 0 || value > max) throw new RangeError(`[${letter}] takes 0…${max}, not ${value}`);
  return `[${letter}${value}]`;
}

/** The inline tags the options ask for, in the order volume, speed, digits. */
export function xfs5152Tags(options: Xfs5152SynthesizeOptions): string {
  return tag('v', options.volume, 10) + tag('s', options.speed, 10) + tag('n', options.digits, 2);
}

export function xfs5152Frame(command: number, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const length = data.length + 1;
  const frame = new Uint8Array(length + 3);
  frame[0] = XFS5152_HEADER;
  frame[1] = (length >> 8) & 0xff;
  frame[2] = length & 0xff;
  frame[3] = command;
  frame.set(data, 4);
  return frame;
}

/** Encodes tags + text for the synthesize command. Throws RangeError on bad options or oversize text. */
export function encodeXfs5152Text(text: string, options: Xfs5152SynthesizeOptions = {}): Uint8Array {
  const encoding = options.encoding ?? 'gbk';
  const bytes = iconv.encode(xfs5152Tags(options) + text, ICONV_NAME[encoding]);
  if (bytes.length + 2 > XFS5152_MAX_LENGTH) throw new RangeError(`XFS5152 text is ${bytes.length} bytes; too long`);
  const data = new Uint8Array(bytes.length + 1);
  data[0] = TextEncoding[encoding];
  data.set(bytes, 1);
  return xfs5152Frame(Xfs5152Command.synthesize, data);
}

export const XFS5152_STOP = xfs5152Frame(Xfs5152Command.stop);
export const XFS5152_PAUSE = xfs5152Frame(Xfs5152Command.pause);
export const XFS5152_RESUME = xfs5152Frame(Xfs5152Command.resume);
export const XFS5152_STATUS = xfs5152Frame(Xfs5152Command.status);
export const XFS5152_POWER_DOWN = xfs5152Frame(Xfs5152Command.powerDown);
export const XFS5152_WAKE = xfs5152Frame(Xfs5152Command.wake);

export interface Xfs5152Frame {
  command: number;
  data: Uint8Array;
  encoding?: number;
  /** Decoded text including any inline tags. */
  text?: string;
  raw: Uint8Array;
}

/** Splits leading-or-inline tags like [v9] out of decoded text. */
export function stripXfs5152Tags(text: string): { text: string; tags: string[] } {
  const tags: string[] = [];
  const plain = text.replace(/\[([a-z])(\d{1,2})\]/g, (whole: string) => {
    tags.push(whole);
    return '';
  });
  return { text: plain, tags };
}

/**
 * Streaming parser for host → chip frames. Without a check byte, plausibility is all there is: the
 * length must fit, a control command must stand alone, and a synthesis frame needs a known encoding.
 * Anything else is skipped one byte at a time. Never throws.
 */
export class Xfs5152Parser {
  private buffer = new Uint8Array(0);
  discarded = 0;

  push(chunk: Uint8Array): Xfs5152Frame[] {
    const joined = new Uint8Array(this.buffer.length + chunk.length);
    joined.set(this.buffer, 0);
    joined.set(chunk, this.buffer.length);
    this.buffer = joined;
    return this.drain(false);
  }

  flush(): Xfs5152Frame[] {
    return this.drain(true);
  }

  private plausible(buf: Uint8Array, i: number, length: number): boolean | undefined {
    if (length < 1 || length > XFS5152_MAX_LENGTH) return false;
    if (i + 3 >= buf.length) return undefined;
    const command = buf[i + 3] ?? 0;
    if (CONTROL_COMMANDS.has(command)) return length === 1;
    if (command !== Xfs5152Command.synthesize || length < 2) return false;
    if (i + 4 >= buf.length) return undefined;
    return (buf[i + 4] ?? 0xff) <= 3;
  }

  private drain(final: boolean): Xfs5152Frame[] {
    const frames: Xfs5152Frame[] = [];
    const buf = this.buffer;
    let i = 0;
    while (i < buf.length) {
      if (buf[i] !== XFS5152_HEADER) {
        i++;
        this.discarded++;
        continue;
      }
      const length = i + 3 <= buf.length ? ((buf[i + 1] ?? 0) << 8) | (buf[i + 2] ?? 0) : -1;
      const ok = length < 0 ? undefined : this.plausible(buf, i, length);
      const end = i + 3 + Math.max(length, 0);
      if (ok === false || ((ok === undefined || end > buf.length) && final)) {
        i++;
        this.discarded++;
        continue;
      }
      if (ok === undefined || end > buf.length) break;
      frames.push(describe(buf.slice(i, end)));
      i = end;
    }
    this.buffer = buf.slice(i);
    return frames;
  }
}

function describe(raw: Uint8Array): Xfs5152Frame {
  const command = raw[3] ?? 0;
  const data = raw.slice(4);
  const frame: Xfs5152Frame = { command, data, raw };
  if (command === Xfs5152Command.synthesize && data.length >= 1) {
    frame.encoding = data[0] ?? 0;
    const name = encodingName(frame.encoding);
    if (name !== undefined && name !== 'unicode') frame.text = iconv.decode(Buffer.from(data.subarray(1)), ICONV_NAME[name]);
  }
  return frame;
}
