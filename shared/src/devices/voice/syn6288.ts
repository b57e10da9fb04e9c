/**
 * SYN6288 serial TTS chip: pure frame encoder and pure streaming parser.
 *
 * Frame (host → chip): FD | length (2 bytes, big-endian; counts command, parameter, data and the check
 * byte) | command | [parameter | data] | XOR of every preceding byte, FD included.
 * Synthesis: command 0x01; parameter low 3 bits = text encoding (0 GB2312, 1 GBK, 2 BIG5, 3 Unicode),
 * background music number shifted left by 4 (as the public drivers build it); text at most 200 bytes.
 * Replies (chip → host) are single bytes: see chip-status.ts.
 */
import iconv from 'iconv-lite';
import { ICONV_NAME, TextEncoding, encodingName, xor } from './chip-status.ts';
import type { TextEncodingName } from './chip-status.ts';

export const SYN6288_HEADER = 0xfd;
export const SYN6288_MAX_TEXT_BYTES = 200;
/** Largest length field we accept when parsing: command + parameter + 200 text bytes + check. */
export const SYN6288_MAX_LENGTH = SYN6288_MAX_TEXT_BYTES + 3;

export const Syn6288Command = {
  synthesize: 0x01,
  stop: 0x02,
  pause: 0x03,
  resume: 0x04,
  status: 0x21,
  powerDown: 0x88,
} as const;

export interface Syn6288SynthesizeOptions {
  /** Text encoding on the wire; GBK (a superset of GB2312) by default. */
  encoding?: Exclude<TextEncodingName, 'unicode'>;
  /** Background music 0 (none) … 15. */
  music?: number;
}

/** Builds a frame `FD len cmd payload xor` for any command. */
export function syn6288Frame(command: number, payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  const length = payload.length + 2;
  const frame = new Uint8Array(length + 3);
  frame[0] = SYN6288_HEADER;
  frame[1] = (length >> 8) & 0xff;
  frame[2] = length & 0xff;
  frame[3] = command;
  frame.set(payload, 4);
  frame[frame.length - 1] = xor(frame, 0, frame.length - 1);
  return frame;
}

/** Encodes text for the chip's synthesize command. Throws RangeError when the text is too long. */
export function encodeSyn6288Text(text: string, options: Syn6288SynthesizeOptions = {}): Uint8Array {
  const encoding = options.encoding ?? 'gbk';
  const music = options.music ?? 0;
  if (!Number.isInteger(music) || music < 0 || music > 15) throw new RangeError(`background music ${music} is not 0…15`);
  const bytes = Uint8Array.from(iconv.encode(text, ICONV_NAME[encoding]));
  if (bytes.length > SYN6288_MAX_TEXT_BYTES) {
    throw new RangeError(`SYN6288 text is ${bytes.length} bytes; the chip takes at most ${SYN6288_MAX_TEXT_BYTES}`);
  }
  const payload = new Uint8Array(bytes.length + 1);
  payload[0] = (TextEncoding[encoding] & 0x07) | (music << 4);
  payload.set(bytes, 1);
  return syn6288Frame(Syn6288Command.synthesize, payload);
}

export const SYN6288_STOP = syn6288Frame(Syn6288Command.stop);
export const SYN6288_PAUSE = syn6288Frame(Syn6288Command.pause);
export const SYN6288_RESUME = syn6288Frame(Syn6288Command.resume);
export const SYN6288_STATUS = syn6288Frame(Syn6288Command.status);
export const SYN6288_POWER_DOWN = syn6288Frame(Syn6288Command.powerDown);

export interface Syn6288Frame {
  command: number;
  /** Bytes between the command and the check byte (parameter and text for synthesis). */
  data: Uint8Array;
  /** For synthesis frames: the encoding code, music number and decoded text (when decodable). */
  encoding?: number;
  music?: number;
  text?: string;
  raw: Uint8Array;
}

function describe(raw: Uint8Array): Syn6288Frame {
  const command = raw[3] ?? 0;
  const data = raw.slice(4, raw.length - 1);
  const frame: Syn6288Frame = { command, data, raw };
  if (command === Syn6288Command.synthesize && data.length >= 1) {
    const parameter = data[0] ?? 0;
    frame.encoding = parameter & 0x07;
    frame.music = parameter >> 4;
    const name = encodingName(frame.encoding);
    if (name !== undefined && name !== 'unicode') frame.text = iconv.decode(Buffer.from(data.subarray(1)), ICONV_NAME[name]);
  }
  return frame;
}

/**
 * Streaming parser for host → chip frames (what the simulator hears). Never throws; a header whose
 * length is impossible or whose check byte fails is treated as noise and the search resumes at the
 * next byte, so a frame hidden behind garbage is still found.
 */
export class Syn6288Parser {
  private buffer = new Uint8Array(0);
  /** Bytes discarded as noise so far. */
  discarded = 0;

  push(chunk: Uint8Array): Syn6288Frame[] {
    const joined = new Uint8Array(this.buffer.length + chunk.length);
    joined.set(this.buffer, 0);
    joined.set(chunk, this.buffer.length);
    this.buffer = joined;
    return this.drain(false);
  }

  /** End of stream (or an inter-byte time-out): an incomplete frame candidate is noise; rescan. */
  flush(): Syn6288Frame[] {
    return this.drain(true);
  }

  private drain(final: boolean): Syn6288Frame[] {
    const frames: Syn6288Frame[] = [];
    const buf = this.buffer;
    let i = 0;
    while (i < buf.length) {
      if (buf[i] !== SYN6288_HEADER) {
        i++;
        this.discarded++;
        continue;
      }
      if (i + 3 > buf.length) {
        if (final) {
          i++;
          this.discarded++;
          continue;
        }
        break;
      }
      const length = ((buf[i + 1] ?? 0) << 8) | (buf[i + 2] ?? 0);
      if (length < 2 || length > SYN6288_MAX_LENGTH) {
        i++;
        this.discarded++;
        continue;
      }
      const end = i + 3 + length;
      if (end > buf.length) {
        if (final) {
          i++;
          this.discarded++;
          continue;
        }
        break;
      }
      if (xor(buf, i, end - 1) !== buf[end - 1]) {
        i++;
        this.discarded++;
        continue;
      }
      frames.push(describe(buf.slice(i, end)));
      i = end;
    }
    this.buffer = buf.slice(i);
    return frames;
  }
}
