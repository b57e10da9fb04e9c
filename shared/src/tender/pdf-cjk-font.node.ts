import fontkit from '@pdf-lib/fontkit';
import { type PDFDocument, PDFHexString, type PDFRef, PDFString } from 'pdf-lib';
import { subsetCidCff } from './cff-subset.ts';
import { loadCjkFont, sfntTable } from './cjk-font.node.ts';

/**
 * A CJK font for pdf-lib documents, written as a Type0 / CIDFontType0 font with our own CFF subset
 * (see cff-subset.ts for why not pdf-lib's). Text is encoded by a plain cmap lookup per character,
 * cached: no OpenType shaping, which Chinese body text does not need and which made pdf-lib's own
 * drawText cost ~1 ms a line (a 1,000-page file took minutes). Codes are new glyph ids in order of
 * first use; `embed()` writes the font, its widths (W) and a ToUnicode CMap once all text is drawn.
 */

interface FontkitGlyph {
  id: number;
  advanceWidth: number;
  path: unknown;
  _usedGsubrs?: Record<string, boolean>;
  _usedSubrs?: Record<string, boolean>;
}

interface FontkitFont {
  unitsPerEm: number;
  ascent: number;
  descent: number;
  capHeight: number;
  postscriptName: string;
  bbox: { minX: number; minY: number; maxX: number; maxY: number };
  glyphForCodePoint(codePoint: number): FontkitGlyph;
  'CFF ': { fdForGlyph(gid: number): number | null };
}

interface Slot {
  code: number;
  /** Advance in 1/1000 em. */
  advance: number;
}

export class CjkPdfFont {
  readonly ref: PDFRef;
  private readonly font: FontkitFont;
  private readonly scale: number;
  private readonly slots = new Map<string, Slot>();
  private readonly glyphs: FontkitGlyph[] = [];
  private readonly unicodes: string[] = [];
  private readonly codeOfGlyph = new Map<number, number>();

  constructor(
    private readonly doc: PDFDocument,
    private readonly fontBytes: Uint8Array = loadCjkFont(),
  ) {
    this.font = fontkit.create(Buffer.from(fontBytes.buffer, fontBytes.byteOffset, fontBytes.byteLength)) as unknown as FontkitFont;
    if (!this.font['CFF ']) throw new Error('需要 CFF 轮廓的中文字体 / a CFF-flavoured CJK font is required');
    this.scale = 1000 / this.font.unitsPerEm;
    this.ref = doc.context.nextRef();
  }

  private slot(char: string): Slot {
    let slot = this.slots.get(char);
    if (slot) return slot;
    const glyph = this.font.glyphForCodePoint(char.codePointAt(0) ?? 0x3f);
    let code = this.codeOfGlyph.get(glyph.id);
    if (code === undefined) {
      this.glyphs.push(glyph);
      this.unicodes.push(char);
      code = this.glyphs.length; // 0 is .notdef
      this.codeOfGlyph.set(glyph.id, code);
    }
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
  embed(): void {
    const cffTable = sfntTable(this.fontBytes, 'CFF ');
    if (!cffTable) throw new Error('字体没有 CFF 表 / the font has no CFF table');
    const usedGlobal = new Set<number>();
    const usedLocal = new Map<number, Set<number>>();
    const cff = this.font['CFF '];
    const notdef = this.font.glyphForCodePoint(0xffff) as FontkitGlyph; // .notdef (id 0) in CJK fonts
    for (const glyph of [notdef, ...this.glyphs]) {
      void glyph.path; // runs fontkit's charstring interpreter, which records the subroutines called
      for (const k of Object.keys(glyph._usedGsubrs ?? {})) usedGlobal.add(Number(k));
      const fd = cff.fdForGlyph(glyph.id) ?? 0;
      let set = usedLocal.get(fd);
      if (!set) usedLocal.set(fd, (set = new Set()));
      for (const k of Object.keys(glyph._usedSubrs ?? {})) set.add(Number(k));
    }
    const cffBytes = subsetCidCff({
      cff: cffTable,
      glyphs: this.glyphs.map((g) => g.id),
      fdForGlyph: (gid) => cff.fdForGlyph(gid) ?? 0,
      usedGlobalSubrs: usedGlobal,
      usedLocalSubrs: usedLocal,
      fontName: this.font.postscriptName,
    });
    const ctx = this.doc.context;
    const tagLetters = Array.from({ length: 6 }, (_, i) => String.fromCharCode(65 + ((this.glyphs.length * 7 + i * 5) % 26))).join('');
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
    const widths = [1, this.glyphs.map((g) => Math.round(g.advanceWidth * s))];
    const cidFont = ctx.register(
      ctx.obj({
        Type: 'Font',
        Subtype: 'CIDFontType0',
        BaseFont: baseFont,
        CIDSystemInfo: { Registry: PDFString.of('Adobe'), Ordering: PDFString.of('Identity'), Supplement: 0 },
        FontDescriptor: descriptor,
        DW: 1000,
        W: widths,
      }),
    );
    const toUnicode = ctx.register(ctx.flateStream(toUnicodeCmap(this.unicodes)));
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

function utf16Hex(text: string): string {
  let hex = '';
  for (let i = 0; i < text.length; i++) hex += text.charCodeAt(i).toString(16).padStart(4, '0');
  return hex;
}

/** A ToUnicode CMap for codes 1..n (bfchar blocks of at most 100, as the spec asks). */
function toUnicodeCmap(unicodes: readonly string[]): string {
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
  for (let start = 0; start < unicodes.length; start += 100) {
    const block = unicodes.slice(start, start + 100);
    lines.push(`${block.length} beginbfchar`);
    block.forEach((u, i) => lines.push(`<${(start + i + 1).toString(16).padStart(4, '0')}> <${utf16Hex(u)}>`));
    lines.push('endbfchar');
  }
  lines.push('endcmap', 'CMapName currentdict /CMap defineresource pop', 'end', 'end');
  return lines.join('\n');
}
