/**
 * A subset of a CID-keyed CFF font (Noto Sans CJK) for embedding in a PDF as CIDFontType0C.
 *
 * Why our own: @pdf-lib/fontkit's CFF subsetter writes CID fonts that poppler rejects ("Couldn't
 * create a font") and that pdf.js only half renders, so a demo PDF set in it would not even pass the
 * independent pdftotext/pdftoppm checks. This one is deliberately plain:
 *  - glyphs are renumbered 0..n-1 (0 = .notdef) and CID = new GID (charset format 2, one range), so the
 *    PDF's Identity-H codes are the new GIDs;
 *  - FDSelect format 0 maps each kept glyph to its Font DICT; only the Font DICTs in use are kept;
 *  - subroutines keep their numbers (the charstrings call them by index) but the unused ones are blanked
 *    to a bare `return`; which are used is told by the caller (fontkit's charstring interpreter);
 *  - offsets in the DICTs are written as 5-byte integers so sizes are known before the layout.
 * Only CID-keyed CFF is handled (every CJK OpenType font in practice); anything else is refused.
 */

export interface CffSubsetInput {
  /** The raw `CFF ` table. */
  cff: Uint8Array;
  /** Original glyph ids to keep, in the order they get new ids 1..n (0 is always .notdef). */
  glyphs: readonly number[];
  /** Font DICT index of an original glyph. */
  fdForGlyph(gid: number): number;
  /** Global subroutine indices in use by the kept glyphs. */
  usedGlobalSubrs: ReadonlySet<number>;
  /** Local subroutine indices in use, per original Font DICT index. */
  usedLocalSubrs: ReadonlyMap<number, ReadonlySet<number>>;
  /** The font's name in the Name INDEX. */
  fontName: string;
}

interface DictEntry {
  op: number; // 0..21, or 1200 + second byte for escaped operators
  operands: number[];
  raw: Uint8Array; // operand bytes as found (keeps reals exact)
}

const OP_PRIVATE = 18;
const OP_SUBRS = 19;
const OP_CHARSTRINGS = 17;
const OP_FDARRAY = 1236;
const OP_FDSELECT = 1237;
const OP_FONTNAME = 1238;
const OP_FONTBBOX = 5;
const OP_FONTMATRIX = 1207;

export function subsetCidCff(input: CffSubsetInput): Uint8Array {
  const data = input.cff;
  const hdrSize = data[2] ?? 4;
  const names = readIndex(data, hdrSize);
  const topDicts = readIndex(data, names.end);
  const strings = readIndex(data, topDicts.end);
  const gsubrs = readIndex(data, strings.end);
  const topBytes = topDicts.items[0];
  if (!topBytes) throw new Error('CFF without a Top DICT');
  const top = parseDict(topBytes);
  const get = (entries: DictEntry[], op: number) => entries.find((e) => e.op === op);
  if (!get(top, 1230)) throw new Error('not a CID-keyed CFF font (no ROS) / 仅支持 CID 字体');
  const charStrings = readIndex(data, num(get(top, OP_CHARSTRINGS), 0));
  const fdArray = readIndex(data, num(get(top, OP_FDARRAY), 0));

  // Kept glyphs (0 first) and Font DICTs in use, renumbered in order of first use.
  const glyphs = [0, ...input.glyphs.filter((g) => g !== 0)];
  const fdMap = new Map<number, number>();
  const fdOfNew: number[] = glyphs.map((gid) => {
    const fd = input.fdForGlyph(gid);
    let mapped = fdMap.get(fd);
    if (mapped === undefined) {
      mapped = fdMap.size;
      fdMap.set(fd, mapped);
    }
    return mapped;
  });

  // Font DICTs + Private DICTs with their (blanked) local subroutines.
  const fds = [...fdMap.keys()].map((oldFd) => {
    const fdBytes = fdArray.items[oldFd];
    if (!fdBytes) throw new Error(`CFF Font DICT ${oldFd} missing`);
    const fd = parseDict(fdBytes).filter((e) => e.op !== OP_FONTNAME);
    const priv = get(fd, OP_PRIVATE);
    const privSize = num(priv, 0);
    const privOffset = num(priv, 1);
    const privEntries = parseDict(data.subarray(privOffset, privOffset + privSize));
    const subrsEntry = get(privEntries, OP_SUBRS);
    let subrs: Uint8Array | null = null;
    if (subrsEntry) {
      const local = readIndex(data, privOffset + num(subrsEntry, 0));
      subrs = writeIndex(blank(local.items, input.usedLocalSubrs.get(oldFd) ?? new Set()));
    }
    const others = privEntries.filter((e) => e.op !== OP_SUBRS);
    const privateSize = encodeDict(others).length + (subrs ? 6 : 0); // Subrs = 5-byte int + 1 op byte
    const privateDict = (): Uint8Array =>
      encodeDict(subrs ? [...others, fixed(OP_SUBRS, [privateSize])] : others);
    return { fd, subrs, privateSize, privateDict };
  });

  const charset = (() => {
    if (glyphs.length < 2) return Uint8Array.of(0);
    return Uint8Array.of(2, 0, 1, (glyphs.length - 2) >> 8, (glyphs.length - 2) & 0xff);
  })();
  const fdSelect = Uint8Array.of(0, ...fdOfNew);
  const charStringsOut = writeIndex(
    glyphs.map((gid) => {
      const cs = charStrings.items[gid];
      if (!cs) throw new Error(`CFF glyph ${gid} missing`);
      return cs;
    }),
  );
  const gsubrsOut = writeIndex(blank(gsubrs.items, input.usedGlobalSubrs));
  const stringsOut = writeIndex([ascii('Adobe'), ascii('Identity')]);
  const nameOut = writeIndex([ascii(input.fontName.replace(/[^\x21-\x7e]/g, '').slice(0, 63) || 'Font')]);

  const bbox = get(top, OP_FONTBBOX);
  const matrix = get(top, OP_FONTMATRIX);
  const topFor = (o: { charset: number; fdSelect: number; charStrings: number; fdArray: number }): Uint8Array =>
    encodeDict([
      { op: 1230, operands: [391, 392, 0], raw: encodeOperands([391, 392, 0]) }, // ROS Adobe-Identity-0
      ...(bbox ? [bbox] : []),
      ...(matrix ? [matrix] : []),
      fixed(1234, [glyphs.length]), // CIDCount
      fixed(15, [o.charset]),
      fixed(OP_FDSELECT, [o.fdSelect]),
      fixed(OP_CHARSTRINGS, [o.charStrings]),
      fixed(OP_FDARRAY, [o.fdArray]),
    ]);
  const placeholder = { charset: 0, fdSelect: 0, charStrings: 0, fdArray: 0 };
  const topSize = writeIndex([topFor(placeholder)]).length;
  const header = Uint8Array.of(1, 0, 4, 4);

  let at = header.length + nameOut.length + topSize + stringsOut.length + gsubrsOut.length;
  const offsets = { charset: at, fdSelect: 0, charStrings: 0, fdArray: 0 };
  at += charset.length;
  offsets.fdSelect = at;
  at += fdSelect.length;
  offsets.charStrings = at;
  at += charStringsOut.length;
  offsets.fdArray = at;
  // The FD INDEX holds Private offsets, so place the Private DICTs after it (its size is fixed).
  const fdDictFor = (fd: DictEntry[], size: number, offset: number) =>
    encodeDict([...fd.filter((e) => e.op !== OP_PRIVATE), fixed(OP_PRIVATE, [size, offset])]);
  const fdIndexSize = writeIndex(fds.map((f) => fdDictFor(f.fd, 0, 0))).length;
  at += fdIndexSize;
  const privateOffsets: number[] = [];
  for (const f of fds) {
    privateOffsets.push(at);
    at += f.privateSize + (f.subrs?.length ?? 0);
  }
  const fdIndex = writeIndex(fds.map((f, i) => fdDictFor(f.fd, f.privateSize, privateOffsets[i] ?? 0)));

  const parts: Uint8Array[] = [header, nameOut, writeIndex([topFor(offsets)]), stringsOut, gsubrsOut, charset, fdSelect, charStringsOut, fdIndex];
  for (const f of fds) {
    const priv = f.privateDict();
    if (priv.length !== f.privateSize) throw new Error('CFF Private DICT size changed while writing');
    parts.push(priv);
    if (f.subrs) parts.push(f.subrs);
  }
  const out = concat(parts);
  if (out.length !== at) throw new Error(`CFF layout mismatch (${out.length} ≠ ${at})`);
  return out;
}

function num(entry: DictEntry | undefined, index: number): number {
  const value = entry?.operands[index];
  if (value === undefined) throw new Error('CFF DICT entry missing');
  return value;
}

function ascii(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0) & 0x7f);
}

function blank(items: readonly Uint8Array[], used: ReadonlySet<number>): Uint8Array[] {
  const ret = Uint8Array.of(11);
  return items.map((item, i) => (used.has(i) ? item : ret));
}

interface IndexRead {
  items: Uint8Array[];
  end: number;
}

function readIndex(data: Uint8Array, at: number): IndexRead {
  const count = ((data[at] ?? 0) << 8) | (data[at + 1] ?? 0);
  if (count === 0) return { items: [], end: at + 2 };
  const offSize = data[at + 2] ?? 1;
  const offAt = at + 3;
  const readOff = (i: number): number => {
    let v = 0;
    for (let k = 0; k < offSize; k++) v = v * 256 + (data[offAt + i * offSize + k] ?? 0);
    return v;
  };
  const base = offAt + (count + 1) * offSize - 1;
  const items: Uint8Array[] = [];
  for (let i = 0; i < count; i++) items.push(data.subarray(base + readOff(i), base + readOff(i + 1)));
  return { items, end: base + readOff(count) };
}

export function writeIndex(items: readonly Uint8Array[]): Uint8Array {
  if (items.length === 0) return Uint8Array.of(0, 0);
  let total = 1;
  for (const item of items) total += item.length;
  const offSize = total < 0x100 ? 1 : total < 0x10000 ? 2 : total < 0x1000000 ? 3 : 4;
  const out = new Uint8Array(3 + (items.length + 1) * offSize + total - 1);
  out[0] = items.length >> 8;
  out[1] = items.length & 0xff;
  out[2] = offSize;
  let offset = 1;
  let dataAt = 3 + (items.length + 1) * offSize;
  const putOff = (i: number, v: number) => {
    for (let k = offSize - 1; k >= 0; k--) {
      out[3 + i * offSize + k] = v & 0xff;
      v = Math.floor(v / 256);
    }
  };
  items.forEach((item, i) => {
    putOff(i, offset);
    out.set(item, dataAt);
    dataAt += item.length;
    offset += item.length;
  });
  putOff(items.length, offset);
  return out;
}

function parseDict(bytes: Uint8Array): DictEntry[] {
  const entries: DictEntry[] = [];
  let operands: number[] = [];
  let start = 0;
  let i = 0;
  while (i < bytes.length) {
    const b0 = bytes[i] ?? 0;
    if (b0 <= 21) {
      const op = b0 === 12 ? 1200 + (bytes[i + 1] ?? 0) : b0;
      entries.push({ op, operands, raw: bytes.subarray(start, i) });
      i += b0 === 12 ? 2 : 1;
      operands = [];
      start = i;
    } else if (b0 === 28) {
      operands.push((((bytes[i + 1] ?? 0) << 24) | ((bytes[i + 2] ?? 0) << 16)) >> 16);
      i += 3;
    } else if (b0 === 29) {
      operands.push(((bytes[i + 1] ?? 0) << 24) | ((bytes[i + 2] ?? 0) << 16) | ((bytes[i + 3] ?? 0) << 8) | (bytes[i + 4] ?? 0));
      i += 5;
    } else if (b0 === 30) {
      let text = '';
      i++;
      for (;;) {
        const b = bytes[i++] ?? 0xff;
        const nibbles = [b >> 4, b & 15];
        let done = false;
        for (const n of nibbles) {
          if (n === 15) {
            done = true;
            break;
          }
          text += ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '.', 'E', 'E-', '', '-'][n] ?? '';
        }
        if (done) break;
      }
      operands.push(Number(text));
    } else if (b0 >= 32 && b0 <= 246) {
      operands.push(b0 - 139);
      i++;
    } else if (b0 >= 247 && b0 <= 250) {
      operands.push((b0 - 247) * 256 + (bytes[i + 1] ?? 0) + 108);
      i += 2;
    } else if (b0 >= 251 && b0 <= 254) {
      operands.push(-(b0 - 251) * 256 - (bytes[i + 1] ?? 0) - 108);
      i += 2;
    } else {
      throw new Error(`bad CFF DICT byte ${b0}`);
    }
  }
  return entries;
}

/** An entry whose integer operands are written as 5-byte numbers (fixed size, for offsets). */
function fixed(op: number, values: number[]): DictEntry {
  const raw = new Uint8Array(values.length * 5);
  values.forEach((v, i) => {
    raw[i * 5] = 29;
    raw[i * 5 + 1] = (v >>> 24) & 0xff;
    raw[i * 5 + 2] = (v >>> 16) & 0xff;
    raw[i * 5 + 3] = (v >>> 8) & 0xff;
    raw[i * 5 + 4] = v & 0xff;
  });
  return { op, operands: values, raw };
}

function encodeOperands(values: number[]): Uint8Array {
  const out: number[] = [];
  for (const v of values) {
    if (v >= -107 && v <= 107) out.push(v + 139);
    else if (v >= 108 && v <= 1131) out.push(((v - 108) >> 8) + 247, (v - 108) & 0xff);
    else if (v >= -1131 && v <= -108) out.push(((-v - 108) >> 8) + 251, (-v - 108) & 0xff);
    else out.push(29, (v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
  }
  return Uint8Array.from(out);
}

function encodeDict(entries: readonly DictEntry[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const e of entries) {
    parts.push(e.raw);
    parts.push(e.op >= 1200 ? Uint8Array.of(12, e.op - 1200) : Uint8Array.of(e.op));
  }
  return concat(parts);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  let size = 0;
  for (const p of parts) size += p.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
