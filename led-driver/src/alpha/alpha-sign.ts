/**
 * Alpha Sign Communications Protocol, write-text ('A') only, after jon-proulx/alphasign
 * (lib/alphasign/protocol.rb: NUL run for auto-baud, SOH, then type code + 2-char address
 * ("Z00" = all types, broadcast) from lib/alphasign.rb, STX 'A', file label, ESC + position +
 * mode from lib/alphasign/format.rb, text, EOT; serial 9600 7E2).
 *
 * The optional checksum (ETX then four upper-case hex digits of the 16-bit sum of STX..ETX) is
 * NOT in that source; it follows the project notes and is unverified. Signs are 7-bit: characters
 * outside printable ASCII are sent as '?'.
 */
import { type FrameParser, type ParserStats, newStats } from '../frame-parser.ts';

export const NUL = 0x00;
export const SOH = 0x01;
export const STX = 0x02;
export const ETX = 0x03;
export const EOT = 0x04;
export const ESC = 0x1b;

export const ALPHA_SERIAL = { baudRate: 9600, dataBits: 7, parity: 'even', stopBits: 2 } as const;

/** Display positions and modes from format.rb (subset). */
export const AlphaPosition = { middle: 0x20, top: 0x22, bottom: 0x26, fill: 0x30 } as const;
export const AlphaMode = { rotate: 'a', hold: 'b', flash: 'c', scroll: 'm' } as const;

export interface AlphaWriteOptions {
  typeCode?: string;
  address?: string;
  position?: keyof typeof AlphaPosition;
  mode?: keyof typeof AlphaMode;
  checksum?: boolean;
  /** Leading NULs for auto-baud (the Ruby source sends 20 before SOH). */
  nulCount?: number;
}

/** File labels 0x20..0x75; 0x30 ('0') is the priority file, skipped. */
export function alphaLabelForArea(area: number): string {
  const code = 0x41 + area; // area 0 → 'A'
  if (!Number.isInteger(area) || area < 0 || code > 0x75) throw new RangeError(`Alpha file label out of range for area ${area}`);
  return String.fromCharCode(code);
}

export function areaForAlphaLabel(label: string): number {
  return label.charCodeAt(0) - 0x41;
}

function ascii7(text: string): number[] {
  const out: number[] = [];
  for (const ch of text) {
    const c = ch.codePointAt(0) ?? 0x3f;
    out.push(c >= 0x20 && c < 0x7f ? c : 0x3f);
  }
  return out;
}

function hex4(n: number): number[] {
  return Array.from(n.toString(16).toUpperCase().padStart(4, '0')).map((c) => c.charCodeAt(0));
}

/** Write-text packet: [NUL×n] SOH type addr STX 'A' label ESC pos mode text [ETX cccc] EOT. */
export function encodeAlphaWriteText(label: string, text: string, o: AlphaWriteOptions = {}): Uint8Array {
  const type = o.typeCode ?? 'Z';
  const address = o.address ?? '00';
  if (type.length !== 1 || address.length !== 2) throw new RangeError('Alpha type code is 1 character and address 2');
  const out: number[] = new Array<number>(o.nulCount ?? 20).fill(NUL);
  out.push(SOH, ...ascii7(type + address));
  const stx = out.length;
  out.push(STX, 0x41, label.charCodeAt(0), ESC, AlphaPosition[o.position ?? 'middle'], AlphaMode[o.mode ?? 'hold'].charCodeAt(0));
  out.push(...ascii7(text));
  if (o.checksum) {
    out.push(ETX);
    let sum = 0;
    for (let i = stx; i < out.length; i++) sum += out[i] as number;
    out.push(...hex4(sum & 0xffff));
  }
  out.push(EOT);
  return Uint8Array.from(out);
}

/** Any packet: [NUL×n] SOH type addr STX command label data [ETX cccc] EOT. */
export function encodeAlphaPacket(command: string, label: string, data: string, o: AlphaWriteOptions = {}): Uint8Array {
  const type = o.typeCode ?? 'Z';
  const address = o.address ?? '00';
  if (type.length !== 1 || address.length !== 2) throw new RangeError('Alpha type code is 1 character and address 2');
  const out: number[] = new Array<number>(o.nulCount ?? 20).fill(NUL);
  out.push(SOH, ...ascii7(type + address));
  const stx = out.length;
  out.push(STX, ...ascii7(command + label + data));
  if (o.checksum) {
    out.push(ETX);
    let sum = 0;
    for (let i = stx; i < out.length; i++) sum += out[i] as number;
    out.push(...hex4(sum & 0xffff));
  }
  out.push(EOT);
  return Uint8Array.from(out);
}

/**
 * Special function 'E', label '/' (0x2F), "set dimming register": two upper-case hex digits of a dim
 * mode, then two decimal digits choosing one of five steps, 00 = 100 %, 01 = 86 %, 02 = 72 %,
 * 03 = 58 %, 04 = 44 %. Sources: prototux/python-alphasign alphasign/command/write_special_functions.py
 * (set_dimming_reg) and lancereinsmith/alphasignpy alphasign/commands/special.py
 * (set_dimming_register), which agree on the label and the layout. UNVERIFIED: what the dim-mode byte
 * selects (both libraries pass it through; we send 00), and which sign models honour the command
 * (one public stub notes it only for some models).
 */
export const ALPHA_SPECIAL_FUNCTION = 'E';
export const ALPHA_LABEL_DIMMING = '/';
export const ALPHA_DIM_PERCENT = [100, 86, 72, 58, 44] as const;

export interface AlphaDimmingOptions extends AlphaWriteOptions {
  dimMode?: number;
}

/** Nearest of the five steps to `percent`. */
export function alphaDimIndexForPercent(percent: number): number {
  let best = 0;
  for (let i = 1; i < ALPHA_DIM_PERCENT.length; i++) {
    if (Math.abs((ALPHA_DIM_PERCENT[i] as number) - percent) < Math.abs((ALPHA_DIM_PERCENT[best] as number) - percent)) best = i;
  }
  return best;
}

export function encodeAlphaSetDimming(index: number, o: AlphaDimmingOptions = {}): Uint8Array {
  if (!Number.isInteger(index) || index < 0 || index >= ALPHA_DIM_PERCENT.length) throw new RangeError(`Alpha dimming step ${index} is not 0..4`);
  const dim = (o.dimMode ?? 0) & 0xff;
  const data = dim.toString(16).toUpperCase().padStart(2, '0') + String(index).padStart(2, '0');
  return encodeAlphaPacket(ALPHA_SPECIAL_FUNCTION, ALPHA_LABEL_DIMMING, data, o);
}

/** Read the data of a dimming packet (the text after the label); null if malformed. */
export function decodeAlphaDimming(data: string): { dimMode: number; index: number } | null {
  const m = /^([0-9A-Fa-f]{2})(0[0-4])$/.exec(data);
  if (!m) return null;
  return { dimMode: parseInt(m[1] as string, 16), index: Number(m[2]) };
}

export interface AlphaPacket {
  typeCode: string;
  address: string;
  command: string;
  label: string;
  /** Text after any leading ESC position mode. */
  text: string;
  position: number | null;
  mode: string | null;
  /** null when the packet carries no checksum. */
  checksumOk: boolean | null;
}

export const ALPHA_MAX_PACKET = 64 * 1024;

/** Decode the bytes between SOH and EOT (exclusive); null if malformed or the checksum is wrong. */
export function decodeAlphaPacket(p: Uint8Array): AlphaPacket | null {
  if (p.length < 6 || p[3] !== STX) return null;
  const str = (a: Uint8Array): string => String.fromCharCode(...a);
  let end = p.length;
  let checksumOk: boolean | null = null;
  const etx = p.indexOf(ETX, 4);
  if (etx >= 0) {
    if (p.length !== etx + 5) return null;
    let sum = 0;
    for (let i = 3; i <= etx; i++) sum += p[i] as number;
    const given = parseInt(str(p.subarray(etx + 1)), 16);
    if (!/^[0-9A-Fa-f]{4}$/.test(str(p.subarray(etx + 1))) || given !== (sum & 0xffff)) return null;
    checksumOk = true;
    end = etx;
  }
  let i = 6;
  let position: number | null = null;
  let mode: string | null = null;
  if (p[i] === ESC && end >= i + 3) {
    position = p[i + 1] as number;
    mode = String.fromCharCode(p[i + 2] as number);
    i += 3;
  }
  return {
    typeCode: String.fromCharCode(p[0] as number),
    address: str(p.subarray(1, 3)),
    command: String.fromCharCode(p[4] as number),
    label: String.fromCharCode(p[5] as number),
    text: str(p.subarray(i, Math.max(i, end))),
    position,
    mode,
    checksumOk,
  };
}

/** Streaming parser: SOH opens a packet (a second SOH restarts it), EOT closes it; NULs and other
 * bytes between packets are dropped. Never throws. */
export class AlphaParser implements FrameParser<AlphaPacket> {
  readonly stats: ParserStats = newStats();
  private buf: number[] = [];
  private inPacket = false;

  push(chunk: Uint8Array): AlphaPacket[] {
    const out: AlphaPacket[] = [];
    for (const b of chunk) {
      if (b === SOH) {
        if (this.inPacket) this.stats.rejected++;
        this.buf = [];
        this.inPacket = true;
      } else if (!this.inPacket) {
        this.stats.droppedBytes++;
      } else if (b === EOT) {
        const pkt = decodeAlphaPacket(Uint8Array.from(this.buf));
        if (pkt) {
          this.stats.frames++;
          out.push(pkt);
        } else this.stats.rejected++;
        this.buf = [];
        this.inPacket = false;
      } else {
        this.buf.push(b);
        if (this.buf.length > ALPHA_MAX_PACKET) {
          this.stats.rejected++;
          this.buf = [];
          this.inPacket = false;
        }
      }
    }
    return out;
  }

  reset(): void {
    this.buf = [];
    this.inPacket = false;
  }
}
