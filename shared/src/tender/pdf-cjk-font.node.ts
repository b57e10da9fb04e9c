import fontkit from '@pdf-lib/fontkit';
import { type PDFDocument, PDFHexString, type PDFRef, PDFString } from 'pdf-lib';
import subsetFont from 'subset-font';
import { loadCjkFont, sfntTable } from './cjk-font.node.ts';
import { bilingualError } from '../i18n/bilingual.ts';

/**
 * A CJK font for pdf-lib documents, written as a Type0 / CIDFontType0 font whose program is the
 * `CFF ` table of a HarfBuzz subset (subset-font). Not pdf-lib's own embedding: @pdf-lib/fontkit's
 * CFF subsetter writes CID fonts that poppler rejects ("Couldn't create a font"), and pdf-lib's
 * drawText shapes every line (~1 ms a line: a 1,000-page file took minutes). Here text is encoded by
 * a plain cmap lookup per character, cached, with no OpenType shaping, which Chinese body text does
 * not need.
 *
 * Codes are the glyphs' CIDs (Identity-H, two bytes a glyph). HarfBuzz renumbers the glyphs of a
 * CID-keyed CFF subset but keeps each glyph's CID in the subset's charset, so a code chosen while
 * drawing still names the same glyph after `embed()` subsets the font to the characters drawn;
 * `embed()` checks that it does. It writes the font, its widths (W) and a ToUnicode CMap once all
 * text is drawn.
 */

interface FontkitGlyph {
  id: number;
  advanceWidth: number;
}

/** A CFF charset as fontkit reads it: format 0 lists each glyph's CID, formats 1 and 2 ranges. */
interface CffCharset {
  version: number;
  glyphs?: number[];
  ranges?: { first: number; nLeft: number; offset: number }[];
}

interface FontkitFont {
  unitsPerEm: number;
  ascent: number;
  descent: number;
  capHeight: number;
  postscriptName: string;
  bbox: { minX: number; minY: number; maxX: number; maxY: number };
  glyphForCodePoint(codePoint: number): FontkitGlyph;
  'CFF '?: { isCIDFont: boolean; topDict: { charset: CffCharset } };
}

interface Slot {
  code: number;
  /** Advance in 1/1000 em. */
  advance: number;
}

/** The CID of glyph `gid` (0, .notdef, is always CID 0). */
export function cidOfGlyph(charset: CffCharset, gid: number): number {
  if (gid === 0) return 0;
  if (charset.version === 0) return charset.glyphs?.[gid - 1] ?? gid;
  for (const r of charset.ranges ?? []) {
    if (gid - 1 >= r.offset && gid - 1 <= r.offset + r.nLeft) return r.first + (gid - 1 - r.offset);
  }
  throw bilingualError('tender.font.notInCharset', { gid });
}

function openFont(bytes: Uint8Array): FontkitFont {
  const font = fontkit.create(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)) as unknown as FontkitFont;
  if (!font['CFF ']?.isCIDFont) throw bilingualError('tender.font.notCid');
  return font;
}

export class CjkPdfFont {
  readonly ref: PDFRef;
  private readonly font: FontkitFont;
  private readonly charset: CffCharset;
  private readonly scale: number;
  private readonly slots = new Map<string, Slot>();
  /** Per CID in use: its advance (font units) and the first character drawn with it. */
  private readonly used = new Map<number, { advanceWidth: number; char: string }>();

  constructor(
    private readonly doc: PDFDocument,
    private readonly fontBytes: Uint8Array = loadCjkFont(),
  ) {
    this.font = openFont(fontBytes);
    this.charset = this.font['CFF ']?.topDict.charset ?? { version: 0 };
    this.scale = 1000 / this.font.unitsPerEm;
    this.ref = doc.context.nextRef();
  }

  private slot(char: string): Slot {
    let slot = this.slots.get(char);
    if (slot) return slot;
    const glyph = this.font.glyphForCodePoint(char.codePointAt(0) ?? 0x3f);
    const code = cidOfGlyph(this.charset, glyph.id);
    if (!this.used.has(code)) this.used.set(code, { advanceWidth: glyph.advanceWidth, char });
    slot = { code, advance: glyph.advanceWidth * this.scale };
    this.slots.set(char, slot);
    return slot;
  }

  /** The hex string to show `text` with (Identity-H, two bytes a glyph). */
  encode(text: string): PDFHexString {
    let hex = '';
    for (const char of text) hex += this.slot(char).code.toString(16).padStart(4, '0');
    return PDFHexString.of(hex);
  }

  widthOf(text: string, size: number): number {
    let width = 0;
    for (const char of text) width += this.slot(char).advance;
    return (width * size) / 1000;
  }

  /** Writes the font objects at `this.ref`. Call once, after the last `encode`. */
  async embed(): Promise<void> {
    const chars = [...this.slots.keys()].join('');
    // Only the CFF table is embedded, so layout tables (and the glyphs they reach) are left out.
    const subset = new Uint8Array(
      await subsetFont(Buffer.from(this.fontBytes.buffer, this.fontBytes.byteOffset, this.fontBytes.byteLength), chars, {
        targetFormat: 'truetype',
        noLayoutClosure: true,
        keepFeatures: [],
      }),
    );
    const subsetFace = openFont(subset);
    const subsetCharset = subsetFace['CFF ']?.topDict.charset ?? { version: 0 };
    for (const [char, slot] of this.slots) {
      const cid = cidOfGlyph(subsetCharset, subsetFace.glyphForCodePoint(char.codePointAt(0) ?? 0x3f).id);
      if (cid !== slot.code) {
        throw bilingualError('tender.font.cidChanged', { char, before: slot.code, after: cid });
      }
    }
    const cffBytes = sfntTable(subset, 'CFF ');
    if (!cffBytes) throw bilingualError('tender.font.noCff');
    const ctx = this.doc.context;
    const cids = [...this.used.keys()].sort((a, b) => a - b);
    const tagLetters = Array.from({ length: 6 }, (_, i) => String.fromCharCode(65 + ((cids.length * 7 + i * 5) % 26))).join('');
    const baseFont = `${tagLetters}+${this.font.postscriptName}`;
    const fontFile = ctx.register(ctx.flateStream(cffBytes, { Subtype: 'CIDFontType0C' }));
    const s = this.scale;
    const bbox = this.font.bbox;
    const descriptor = ctx.register(
      ctx.obj({
        Type: 'FontDescriptor',
        FontName: baseFont,
        Flags: 4, // symbolic (a CID font's glyphs are outside the standard Latin set)
        FontBBox: [bbox.minX * s, bbox.minY * s, bbox.maxX * s, bbox.maxY * s],
        ItalicAngle: 0,
        Ascent: this.font.ascent * s,
        Descent: this.font.descent * s,
        CapHeight: (this.font.capHeight || this.font.ascent) * s,
        StemV: 80,
        FontFile3: fontFile,
      }),
    );
    const cidFont = ctx.register(
      ctx.obj({
        Type: 'Font',
        Subtype: 'CIDFontType0',
        BaseFont: baseFont,
        CIDSystemInfo: { Registry: PDFString.of('Adobe'), Ordering: PDFString.of('Identity'), Supplement: 0 },
        FontDescriptor: descriptor,
        DW: 1000,
        W: widthArray(cids, (cid) => Math.round((this.used.get(cid)?.advanceWidth ?? 0) * s)),
      }),
    );
    const toUnicode = ctx.register(ctx.flateStream(toUnicodeCmap(cids.map((cid) => [cid, this.used.get(cid)?.char ?? '']))));
    ctx.assign(
      this.ref,
      ctx.obj({
        Type: 'Font',
        Subtype: 'Type0',
        BaseFont: baseFont,
        Encoding: 'Identity-H',
        DescendantFonts: [cidFont],
        ToUnicode: toUnicode,
      }),
    );
  }
}

/** A W array for sorted CIDs: `first [w w …]` for each run of consecutive CIDs. */
function widthArray(cids: readonly number[], width: (cid: number) => number): (number | number[])[] {
  const out: (number | number[])[] = [];
  let run: number[] = [];
  cids.forEach((cid, i) => {
    if (i === 0 || cid !== (cids[i - 1] as number) + 1) {
      run = [];
      out.push(cid, run);
    }
    run.push(width(cid));
  });
  return out;
}

function utf16Hex(text: string): string {
  let hex = '';
  for (let i = 0; i < text.length; i++) hex += text.charCodeAt(i).toString(16).padStart(4, '0');
  return hex;
}

/** A ToUnicode CMap, one bfchar per code (blocks of at most 100, as the spec asks). */
function toUnicodeCmap(entries: readonly (readonly [number, string])[]): string {
  const lines = [
    '/CIDInit /ProcSet findresource begin',
    '12 dict begin',
    'begincmap',
    '/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def',
    '/CMapName /Adobe-Identity-UCS def',
    '/CMapType 2 def',
    '1 begincodespacerange',
    '<0000> <FFFF>',
    'endcodespacerange',
  ];
  for (let start = 0; start < entries.length; start += 100) {
    const block = entries.slice(start, start + 100);
    lines.push(`${block.length} beginbfchar`);
    for (const [code, text] of block) lines.push(`<${code.toString(16).padStart(4, '0')}> <${utf16Hex(text)}>`);
    lines.push('endbfchar');
  }
  lines.push('endcmap', 'CMapName currentdict /CMap defineresource pop', 'end', 'end');
  return lines.join('\n');
}
