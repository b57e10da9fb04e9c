import { existsSync, readFileSync } from 'node:fs';
import { bilingualError } from '../i18n/bilingual.ts';

/**
 * The CJK font the demo tenders are typeset in: Debian's fonts-noto-cjk ships Noto Sans CJK as a
 * TrueType/OpenType *collection* (.ttc), and pdf-lib's embedder wants one font, so the member named
 * by its PostScript name is copied out into a standalone OpenType file (same tables, rewritten
 * offsets). Pure byte work on the sfnt directory: nothing is parsed beyond the `name` table.
 */

export const DEFAULT_CJK_COLLECTION = '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc';
export const DEFAULT_CJK_POSTSCRIPT_NAME = 'NotoSansCJKsc-Regular';

const fontCache = new Map<string, Uint8Array>();

/** One member of a TTC as a standalone OpenType font (cached per file and name). */
export function loadCjkFont(collection = DEFAULT_CJK_COLLECTION, postscriptName = DEFAULT_CJK_POSTSCRIPT_NAME): Uint8Array {
  const key = `${collection}\n${postscriptName}`;
  const cached = fontCache.get(key);
  if (cached) return cached;
  if (!existsSync(collection)) {
    throw bilingualError('tender.font.missing', { path: collection });
  }
  const bytes = readFileSync(collection);
  const font = extractFromCollection(bytes, postscriptName);
  fontCache.set(key, font);
  return font;
}

/** The font whose PostScript name (name ID 6) is `postscriptName`; a plain OTF/TTF is returned as is. */
export function extractFromCollection(file: Uint8Array, postscriptName: string): Uint8Array {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  if (tag(view, 0) !== 'ttcf') return file;
  const count = view.getUint32(8);
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    const offset = view.getUint32(12 + 4 * i);
    const name = postscriptNameAt(view, offset);
    names.push(name ?? '?');
    if (name === postscriptName) return copySfnt(file, view, offset);
  }
  throw bilingualError('tender.font.notInCollection', { name: postscriptName, names: names.join(', ') });
}

/** The bytes of one table of a standalone sfnt (OTF/TTF), or null. */
export function sfntTable(font: Uint8Array, tableTag: string): Uint8Array | null {
  const view = new DataView(font.buffer, font.byteOffset, font.byteLength);
  const record = tables(view, 0).find((t) => t.tag === tableTag);
  return record ? font.subarray(record.offset, record.offset + record.length) : null;
}

function tag(view: DataView, at: number): string {
  return String.fromCharCode(view.getUint8(at), view.getUint8(at + 1), view.getUint8(at + 2), view.getUint8(at + 3));
}

interface TableRecord {
  tag: string;
  checksum: number;
  offset: number;
  length: number;
}

function tables(view: DataView, sfntOffset: number): TableRecord[] {
  const numTables = view.getUint16(sfntOffset + 4);
  const out: TableRecord[] = [];
  for (let i = 0; i < numTables; i++) {
    const at = sfntOffset + 12 + 16 * i;
    out.push({ tag: tag(view, at), checksum: view.getUint32(at + 4), offset: view.getUint32(at + 8), length: view.getUint32(at + 12) });
  }
  return out;
}

function postscriptNameAt(view: DataView, sfntOffset: number): string | null {
  const name = tables(view, sfntOffset).find((t) => t.tag === 'name');
  if (!name) return null;
  const count = view.getUint16(name.offset + 2);
  const strings = name.offset + view.getUint16(name.offset + 4);
  for (let i = 0; i < count; i++) {
    const rec = name.offset + 6 + 12 * i;
    const platform = view.getUint16(rec);
    const nameId = view.getUint16(rec + 6);
    if (nameId !== 6) continue;
    const length = view.getUint16(rec + 8);
    const start = strings + view.getUint16(rec + 10);
    let text = '';
    if (platform === 3 || platform === 0) {
      for (let k = 0; k < length; k += 2) text += String.fromCharCode(view.getUint16(start + k));
    } else {
      for (let k = 0; k < length; k++) text += String.fromCharCode(view.getUint8(start + k));
    }
    return text;
  }
  return null;
}

function copySfnt(file: Uint8Array, view: DataView, sfntOffset: number): Uint8Array {
  const records = tables(view, sfntOffset);
  const headerSize = 12 + 16 * records.length;
  let size = headerSize;
  for (const r of records) size += (r.length + 3) & ~3;
  const out = new Uint8Array(size);
  const outView = new DataView(out.buffer);
  out.set(file.subarray(sfntOffset, sfntOffset + 12), 0);
  let cursor = headerSize;
  records.forEach((r, i) => {
    const at = 12 + 16 * i;
    out.set(file.subarray(sfntOffset + 12 + 16 * i, sfntOffset + 12 + 16 * i + 8), at); // tag + checksum
    outView.setUint32(at + 8, cursor);
    outView.setUint32(at + 12, r.length);
    out.set(file.subarray(r.offset, r.offset + r.length), cursor);
    cursor += (r.length + 3) & ~3;
  });
  return out;
}
