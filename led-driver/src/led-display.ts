/** One interface over both display protocols: encoders for "show text in area N" and "clear
 * area N", and a streaming parser that turns wire bytes back into the same commands. */
import iconv from 'iconv-lite';
import { type FrameParser, type ParserStats } from './frame-parser.ts';
import {
  ALPHA_DIM_PERCENT, ALPHA_LABEL_DIMMING, ALPHA_SPECIAL_FUNCTION, AlphaParser, type AlphaDimmingOptions, type AlphaPacket, type AlphaWriteOptions,
  alphaDimIndexForPercent, alphaLabelForArea, areaForAlphaLabel, decodeAlphaDimming, encodeAlphaSetDimming, encodeAlphaWriteText,
} from './alpha/alpha-sign.ts';
import { BxCmd, type BxFrame, type BxRequestOptions, bxRequestData, decodeBxReply } from './onbon/bx-frame.ts';
import { BxParser } from './onbon/bx-parser.ts';
import { BX_CMD_SET_BRIGHTNESS, BX_BRIGHTNESS_LEVELS, decodeBxBrightnessData, encodeBxSetBrightness, isBrightnessLevel } from './onbon/bx-brightness.ts';
import {
  BX_PAGE_TYPE_TEXT, BX_RUN_MODE_EXPIRE, type BxEncoding, type BxTextOptions, decodeDeleteDynamicAreas, decodeDynamicAreaData,
  encodeDeleteDynamicAreas, encodeDynamicAreaText,
} from './onbon/bx-dynamic-area.ts';
import { BX_CMD_FONT_DYNAMIC_AREA, type BxFontAreaOptions, decodeFontDynamicAreaData, encodeFontDynamicAreaText } from './onbon/bx-font-area.ts';

export type LedCommand =
  /** `expireAfterS`: the controller-side time-out (BX run mode 2), when the frame asks for one. */
  | { kind: 'show'; area: number; text: string; replyRequested: boolean; dst?: number; expireAfterS?: number }
  | { kind: 'clear'; area: number | 'all'; replyRequested: boolean; dst?: number }
  /** `level` on the 1..16 scale (BX: the first half-hour value; Alpha: its step mapped back). */
  | { kind: 'brightness'; level: number; replyRequested: boolean; dst?: number }
  | { kind: 'ack'; ok: boolean; status: number; error: number }
  | { kind: 'other'; description: string; replyRequested: boolean; dst?: number };

export type Effect = 'static' | 'scroll' | 'flash';

export interface ShowTextOptions {
  /** Alpha only (format.rb modes); BX effect codes are not in the public source, use `bx.displayMode`. */
  effect?: Effect;
  /** Options for the A7 00 page path (`textCommand: 'page'`). */
  bx?: BxTextOptions;
  /** Options for the A7 06 font-library path (default). */
  bxFont?: BxFontAreaOptions;
  alpha?: AlphaWriteOptions;
}

export interface LedDisplayProtocol {
  readonly name: 'onbon-bx' | 'alpha';
  /** Whether the display answers each command (BX with the response flag set); Alpha never does. */
  readonly expectsReply: boolean;
  encodeShowText(area: number, text: string, opts?: ShowTextOptions): Uint8Array;
  encodeClear(area: number): Uint8Array;
  /** One command clearing every area, where the protocol has one (BX: delete count 0xFF). */
  encodeClearAll?(): Uint8Array;
  /** Brightness on the 1..16 scale, where a public source gives the command. */
  encodeBrightness?(level: number): Uint8Array;
  readonly parser: FrameParser<LedCommand>;
}

export const BRIGHTNESS_LEVELS = BX_BRIGHTNESS_LEVELS;
export { isBrightnessLevel };

/** Adapts a frame parser to LedCommand output. */
class MappedParser<F> implements FrameParser<LedCommand> {
  constructor(private readonly inner: FrameParser<F>, private readonly map: (f: F) => LedCommand[]) {}
  get stats(): ParserStats { return this.inner.stats; }
  push(chunk: Uint8Array): LedCommand[] { return this.inner.push(chunk).flatMap(this.map); }
  reset(): void { this.inner.reset(); }
}

export function bxFrameToCommands(f: BxFrame, encoding: BxEncoding = 'gbk'): LedCommand[] {
  const replyRequested = f.payload[0] === 1;
  const dst = f.header.dst;
  if (f.group === BxCmd.ack.group) {
    const r = decodeBxReply(f);
    return [{ kind: 'ack', ok: f.command === BxCmd.ack.command, status: r?.status ?? 0, error: r?.error ?? 0 }];
  }
  if (f.group === BxCmd.sendDynamicArea.group && f.command === BxCmd.sendDynamicArea.command) {
    const area = decodeDynamicAreaData(bxRequestData(f));
    if (!area) return [{ kind: 'other', description: 'malformed dynamic area', replyRequested, dst }];
    const text = area.pages
      .map((p) => (p.type === BX_PAGE_TYPE_TEXT ? iconv.decode(Buffer.from(p.data), encoding) : `[bitmap ${area.geometry.width}x${area.geometry.height}]`))
      .join('\n');
    return [{ kind: 'show', area: area.areaId, text, replyRequested, dst, ...expiry(area.runMode, area.timeout) }];
  }
  if (f.group === BX_CMD_FONT_DYNAMIC_AREA.group && f.command === BX_CMD_FONT_DYNAMIC_AREA.command) {
    const d = decodeFontDynamicAreaData(bxRequestData(f));
    if (!d) return [{ kind: 'other', description: 'malformed font dynamic area', replyRequested, dst }];
    const cmds: Exclude<LedCommand, { kind: 'ack' }>[] = [
      ...d.deleteIds.map((area) => ({ kind: 'clear' as const, area, replyRequested: false, dst })),
      ...d.areas.map((a) => ({ kind: 'show' as const, area: a.areaId, text: iconv.decode(Buffer.from(a.text), encoding), replyRequested: false, dst, ...expiry(a.runMode, a.timeout) })),
    ];
    const last = cmds[cmds.length - 1];
    if (last) last.replyRequested = replyRequested; // one reply per frame
    else return [{ kind: 'other', description: 'empty font dynamic area', replyRequested, dst }];
    return cmds;
  }
  if (f.group === BxCmd.deleteDynamicAreas.group && f.command === BxCmd.deleteDynamicAreas.command) {
    const ids = decodeDeleteDynamicAreas(bxRequestData(f));
    if (ids === null) return [{ kind: 'other', description: 'malformed delete', replyRequested, dst }];
    if (ids === 'all') return [{ kind: 'clear', area: 'all', replyRequested, dst }];
    // One reply per frame: only the first command carries the request for it.
    return ids.map((area, i) => ({ kind: 'clear' as const, area, replyRequested: replyRequested && i === 0, dst }));
  }
  if (f.group === BX_CMD_SET_BRIGHTNESS.group && f.command === BX_CMD_SET_BRIGHTNESS.command) {
    const b = decodeBxBrightnessData(bxRequestData(f));
    if (!b) return [{ kind: 'other', description: 'malformed brightness', replyRequested, dst }];
    return [{ kind: 'brightness', level: b.levels[0] ?? 1, replyRequested, dst }];
  }
  return [{ kind: 'other', description: `command ${f.group.toString(16)} ${f.command.toString(16)}`, replyRequested, dst }];
}

function expiry(runMode: number, timeout: number): { expireAfterS?: number } {
  return runMode === BX_RUN_MODE_EXPIRE && timeout > 0 ? { expireAfterS: timeout } : {};
}

export interface BxProtocolOptions extends BxRequestOptions {
  encoding?: BxEncoding;
  /** 'font' (default): A7 06, text drawn by the controller's font (source: Onbon-Protocol-Analysis).
   * 'page': A7 00 with a text page (page type unverified, see bx-dynamic-area.ts). */
  textCommand?: 'font' | 'page';
  /** Defaults for every A7 00 text update (geometry, timeout, ...). */
  text?: BxTextOptions;
  /** Defaults for every A7 06 text update. */
  font?: BxFontAreaOptions;
}

export function createBxProtocol(o: BxProtocolOptions = {}): LedDisplayProtocol {
  const encoding = o.encoding ?? 'gbk';
  return {
    name: 'onbon-bx',
    expectsReply: o.responseRequested ?? true,
    encodeShowText: (area, text, opts) =>
      o.textCommand === 'page'
        ? encodeDynamicAreaText(area, text, { ...o, ...o.text, encoding, ...opts?.bx })
        : encodeFontDynamicAreaText(area, text, { ...o, ...o.font, encoding, ...opts?.bxFont }),
    encodeClear: (area) => encodeDeleteDynamicAreas([area], o),
    encodeClearAll: () => encodeDeleteDynamicAreas([], o),
    encodeBrightness: (level) => encodeBxSetBrightness(level, o),
    parser: new MappedParser(new BxParser(), (f) => bxFrameToCommands(f, encoding)),
  };
}

const ALPHA_EFFECT = { static: 'hold', scroll: 'rotate', flash: 'flash' } as const;

/** Level 1..16 → the nearest of Alpha's five dimming steps, by percentage. */
export function alphaDimIndexForLevel(level: number): number {
  return alphaDimIndexForPercent((level * 100) / BX_BRIGHTNESS_LEVELS);
}

/** An Alpha step back on the 1..16 scale (100 % → 16, 44 % → 7). */
export function levelForAlphaDimIndex(index: number): number {
  return Math.round(((ALPHA_DIM_PERCENT[index] ?? 100) * BX_BRIGHTNESS_LEVELS) / 100);
}

function alphaPacketToCommands(p: AlphaPacket): LedCommand[] {
  if (p.command === 'A') {
    const area = areaForAlphaLabel(p.label);
    return [p.text === '' ? { kind: 'clear', area, replyRequested: false } : { kind: 'show', area, text: p.text, replyRequested: false }];
  }
  if (p.command === ALPHA_SPECIAL_FUNCTION && p.label === ALPHA_LABEL_DIMMING) {
    const d = decodeAlphaDimming(p.text);
    if (d) return [{ kind: 'brightness', level: levelForAlphaDimIndex(d.index), replyRequested: false }];
  }
  return [{ kind: 'other', description: `command ${p.command}`, replyRequested: false }];
}

export function createAlphaProtocol(o: AlphaDimmingOptions = {}): LedDisplayProtocol {
  return {
    name: 'alpha',
    expectsReply: false,
    encodeShowText: (area, text, opts) =>
      encodeAlphaWriteText(alphaLabelForArea(area), text, { ...o, ...(opts?.effect ? { mode: ALPHA_EFFECT[opts.effect] } : {}), ...opts?.alpha }),
    // Alpha has no clear command in the source: writing an empty text file blanks it.
    encodeClear: (area) => encodeAlphaWriteText(alphaLabelForArea(area), '', o),
    encodeBrightness: (level) => encodeAlphaSetDimming(alphaDimIndexForLevel(level), o),
    parser: new MappedParser(new AlphaParser(), alphaPacketToCommands),
  };
}
