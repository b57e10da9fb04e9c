/** One interface over both display protocols: encoders for "show text in area N" and "clear
 * area N", and a streaming parser that turns wire bytes back into the same commands. */
import iconv from 'iconv-lite';
import { type FrameParser, type ParserStats } from './frame-parser.ts';
import { AlphaParser, type AlphaWriteOptions, alphaLabelForArea, areaForAlphaLabel, encodeAlphaWriteText } from './alpha/alpha-sign.ts';
import { BxCmd, type BxFrame, type BxRequestOptions, bxRequestData, decodeBxReply } from './onbon/bx-frame.ts';
import { BxParser } from './onbon/bx-parser.ts';
import {
  BX_PAGE_TYPE_TEXT, type BxEncoding, type BxTextOptions, decodeDeleteDynamicAreas, decodeDynamicAreaData,
  encodeDeleteDynamicAreas, encodeDynamicAreaText,
} from './onbon/bx-dynamic-area.ts';

export type LedCommand =
  | { kind: 'show'; area: number; text: string; replyRequested: boolean; dst?: number }
  | { kind: 'clear'; area: number | 'all'; replyRequested: boolean; dst?: number }
  | { kind: 'ack'; ok: boolean; status: number; error: number }
  | { kind: 'other'; description: string; replyRequested: boolean; dst?: number };

export type Effect = 'static' | 'scroll' | 'flash';

export interface ShowTextOptions {
  /** Alpha only (format.rb modes); BX effect codes are not in the public source, use `bx.displayMode`. */
  effect?: Effect;
  bx?: BxTextOptions;
  alpha?: AlphaWriteOptions;
}

export interface LedDisplayProtocol {
  readonly name: 'onbon-bx' | 'alpha';
  encodeShowText(area: number, text: string, opts?: ShowTextOptions): Uint8Array;
  encodeClear(area: number): Uint8Array;
  readonly parser: FrameParser<LedCommand>;
}

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
    return [{ kind: 'show', area: area.areaId, text, replyRequested, dst }];
  }
  if (f.group === BxCmd.deleteDynamicAreas.group && f.command === BxCmd.deleteDynamicAreas.command) {
    const ids = decodeDeleteDynamicAreas(bxRequestData(f));
    if (ids === null) return [{ kind: 'other', description: 'malformed delete', replyRequested, dst }];
    if (ids === 'all') return [{ kind: 'clear', area: 'all', replyRequested, dst }];
    // One reply per frame: only the first command carries the request for it.
    return ids.map((area, i) => ({ kind: 'clear' as const, area, replyRequested: replyRequested && i === 0, dst }));
  }
  return [{ kind: 'other', description: `command ${f.group.toString(16)} ${f.command.toString(16)}`, replyRequested, dst }];
}

export interface BxProtocolOptions extends BxRequestOptions {
  encoding?: BxEncoding;
  /** Defaults for every text update (geometry, timeout, ...). */
  text?: BxTextOptions;
}

export function createBxProtocol(o: BxProtocolOptions = {}): LedDisplayProtocol {
  const encoding = o.encoding ?? 'gbk';
  return {
    name: 'onbon-bx',
    encodeShowText: (area, text, opts) => encodeDynamicAreaText(area, text, { ...o, ...o.text, encoding, ...opts?.bx }),
    encodeClear: (area) => encodeDeleteDynamicAreas([area], o),
    parser: new MappedParser(new BxParser(), (f) => bxFrameToCommands(f, encoding)),
  };
}

const ALPHA_EFFECT = { static: 'hold', scroll: 'rotate', flash: 'flash' } as const;

export function createAlphaProtocol(o: AlphaWriteOptions = {}): LedDisplayProtocol {
  return {
    name: 'alpha',
    encodeShowText: (area, text, opts) =>
      encodeAlphaWriteText(alphaLabelForArea(area), text, { ...o, ...(opts?.effect ? { mode: ALPHA_EFFECT[opts.effect] } : {}), ...opts?.alpha }),
    // Alpha has no clear command in the source: writing an empty text file blanks it.
    encodeClear: (area) => encodeAlphaWriteText(alphaLabelForArea(area), '', o),
    parser: new MappedParser(new AlphaParser(), (p): LedCommand[] =>
      p.command === 'A'
        ? [p.text === '' ? { kind: 'clear', area: areaForAlphaLabel(p.label), replyRequested: false } : { kind: 'show', area: areaForAlphaLabel(p.label), text: p.text, replyRequested: false }]
        : [{ kind: 'other', description: `command ${p.command}`, replyRequested: false }],
    ),
  };
}
