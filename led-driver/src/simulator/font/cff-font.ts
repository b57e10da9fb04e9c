/**
 * Just enough of OpenType to draw CJK text from a CFF-flavoured font or collection (Debian's
 * fonts-noto-cjk ships NotoSansCJK-Regular.ttc): pick one face of a TTC by its family name, map code
 * points through cmap (format 12 or 4), read advances from hmtx, and turn a glyph's Type 2
 * charstring (CID-keyed, with FDSelect and per-FD local subroutines) into contours of points.
 * Written for the panel picture in the docs, so it is a reader, not a validator: a malformed font
 * throws a plain Error. Hints are skipped (a 16-dot rendering is thresholded afterwards anyway).
 *
 * Layouts follow the OpenType spec (sfnt, TTC header, cmap, hhea/hmtx, OS/2, name) and Adobe's
 * Technical Notes #5176 (CFF) and #5177 (Type 2 charstrings).
 */

export interface Point {
  x: number;
  y: number;
}

/** One closed contour, cubic curves already flattened into points (font units, y up). */
export type Contour = Point[];

export interface GlyphOutline {
  contours: Contour[];
  advance: number;
}

class Reader {
  constructor(readonly b: Uint8Array) {}
  u8(o: number): number {
    if (o < 0 || o >= this.b.length) throw new Error(`font read past the end (${o})`);
    return this.b[o] as number;
  }
  u16(o: number): number {
    return (this.u8(o) << 8) | this.u8(o + 1);
  }
  i16(o: number): number {
    const v = this.u16(o);
    return v & 0x8000 ? v - 0x10000 : v;
  }
  u32(o: number): number {
    return ((this.u8(o) << 24) | (this.u8(o + 1) << 16) | (this.u8(o + 2) << 8) | this.u8(o + 3)) >>> 0;
  }
  tag(o: number): string {
    return String.fromCharCode(this.u8(o), this.u8(o + 1), this.u8(o + 2), this.u8(o + 3));
  }
  offset(o: number, size: number): number {
    let v = 0;
    for (let i = 0; i < size; i++) v = v * 256 + this.u8(o + i);
    return v;
  }
}

interface Table {
  offset: number;
  length: number;
}

/** CFF INDEX: the [start, end) byte ranges of its items, and where the INDEX ends. */
function readIndex(r: Reader, at: number): { items: [number, number][]; end: number } {
  const count = r.u16(at);
  if (count === 0) return { items: [], end: at + 2 };
  const offSize = r.u8(at + 2);
  const offsets: number[] = [];
  for (let i = 0; i <= count; i++) offsets.push(r.offset(at + 3 + i * offSize, offSize));
  const base = at + 3 + (count + 1) * offSize - 1;
  const items: [number, number][] = [];
  for (let i = 0; i < count; i++) items.push([base + (offsets[i] as number), base + (offsets[i + 1] as number)]);
  return { items, end: base + (offsets[count] as number) };
}

/** A DICT: operator (12 x as 1200 + x) → operands. */
function readDict(r: Reader, start: number, end: number): Map<number, number[]> {
  const dict = new Map<number, number[]>();
  let operands: number[] = [];
  let i = start;
  while (i < end) {
    const b0 = r.u8(i);
    if (b0 <= 21) {
      let op = b0;
      i++;
      if (b0 === 12) op = 1200 + r.u8(i++);
      dict.set(op, operands);
      operands = [];
    } else if (b0 === 28) {
      operands.push(r.i16(i + 1));
      i += 3;
    } else if (b0 === 29) {
      operands.push(r.u32(i + 1) | 0);
      i += 5;
    } else if (b0 === 30) {
      // Real number: nibbles until 0xf. Only operand positions matter to us, the value is approximate.
      let s = '';
      i++;
      for (;;) {
        const b = r.u8(i++);
        const nibbles = [b >> 4, b & 15];
        let done = false;
        for (const n of nibbles) {
          if (n === 0xf) { done = true; break; }
          s += n <= 9 ? String(n) : n === 0xa ? '.' : n === 0xb ? 'E' : n === 0xc ? 'E-' : n === 0xe ? '-' : '';
        }
        if (done) break;
      }
      operands.push(Number.parseFloat(s) || 0);
    } else if (b0 >= 32 && b0 <= 246) {
      operands.push(b0 - 139);
      i++;
    } else if (b0 >= 247 && b0 <= 250) {
      operands.push((b0 - 247) * 256 + r.u8(i + 1) + 108);
      i += 2;
    } else if (b0 >= 251 && b0 <= 254) {
      operands.push(-(b0 - 251) * 256 - r.u8(i + 1) - 108);
      i += 2;
    } else {
      i++; // reserved byte
    }
  }
  return dict;
}

const subrBias = (n: number): number => (n < 1240 ? 107 : n < 33900 ? 1131 : 32768);

function utf16be(r: Reader, at: number, len: number): string {
  let s = '';
  for (let i = 0; i + 1 < len; i += 2) s += String.fromCharCode(r.u16(at + i));
  return s;
}

export class CffFont {
  readonly unitsPerEm: number;
  /** Top and bottom of the ideographic em box (OS/2 typo ascender/descender), font units. */
  readonly ascender: number;
  readonly descender: number;
  readonly family: string;
  private readonly r: Reader;
  private readonly cmap: (cp: number) => number;
  private readonly numberOfHMetrics: number;
  private readonly hmtx: number;
  private readonly charStrings: [number, number][];
  private readonly globalSubrs: [number, number][];
  private readonly fdSelect: (gid: number) => number;
  private readonly localSubrs: [number, number][][];

  /** `bytes`: an OTF, or a TTC from which the face whose family name contains `family` is taken. */
  constructor(bytes: Uint8Array, family = 'SC') {
    const r = new Reader(bytes);
    this.r = r;
    const faces: number[] = [];
    if (r.tag(0) === 'ttcf') {
      const n = r.u32(8);
      for (let i = 0; i < n; i++) faces.push(r.u32(12 + 4 * i));
    } else faces.push(0);
    let chosen: { at: number; tables: Map<string, Table>; family: string } | undefined;
    for (const at of faces) {
      const tables = new Map<string, Table>();
      const numTables = r.u16(at + 4);
      for (let i = 0; i < numTables; i++) {
        const rec = at + 12 + 16 * i;
        tables.set(r.tag(rec), { offset: r.u32(rec + 8), length: r.u32(rec + 12) });
      }
      const fam = this.familyName(tables);
      if (!chosen || fam.includes(family)) chosen = { at, tables, family: fam };
      if (fam.includes(family)) break;
    }
    if (!chosen) throw new Error('no font face in the file');
    const t = (tag: string): Table => {
      const x = chosen.tables.get(tag);
      if (!x) throw new Error(`font has no ${tag} table`);
      return x;
    };
    this.family = chosen.family;
    this.unitsPerEm = r.u16(t('head').offset + 18);
    const os2 = chosen.tables.get('OS/2');
    const hhea = t('hhea').offset;
    this.ascender = os2 ? r.i16(os2.offset + 68) : r.i16(hhea + 4);
    this.descender = os2 ? r.i16(os2.offset + 70) : r.i16(hhea + 6);
    this.numberOfHMetrics = r.u16(hhea + 34);
    this.hmtx = t('hmtx').offset;
    this.cmap = this.readCmap(t('cmap').offset);

    const cff = t('CFF ').offset;
    const hdrSize = r.u8(cff + 2);
    const names = readIndex(r, cff + hdrSize);
    const topDicts = readIndex(r, names.end);
    const strings = readIndex(r, topDicts.end);
    const gsubrs = readIndex(r, strings.end);
    this.globalSubrs = gsubrs.items;
    const [ts, te] = topDicts.items[0] ?? [0, 0];
    const top = readDict(r, ts, te);
    const csOff = top.get(17)?.[0];
    if (csOff === undefined) throw new Error('CFF has no CharStrings');
    this.charStrings = readIndex(r, cff + csOff).items;
    const privateSubrs = (dict: Map<number, number[]>): [number, number][] => {
      const p = dict.get(18);
      if (!p || p.length < 2) return [];
      const [size, off] = p as [number, number];
      const priv = readDict(r, cff + off, cff + off + size);
      const subrs = priv.get(19)?.[0];
      return subrs === undefined ? [] : readIndex(r, cff + off + subrs).items;
    };
    const fdArrayOff = top.get(1236)?.[0];
    const fdSelectOff = top.get(1237)?.[0];
    if (fdArrayOff !== undefined && fdSelectOff !== undefined) {
      this.localSubrs = readIndex(r, cff + fdArrayOff).items.map(([s, e]) => privateSubrs(readDict(r, s, e)));
      this.fdSelect = this.readFdSelect(cff + fdSelectOff);
    } else {
      this.localSubrs = [privateSubrs(top)];
      this.fdSelect = () => 0;
    }
  }

  glyphId(codePoint: number): number {
    return this.cmap(codePoint);
  }

  advance(gid: number): number {
    const i = Math.min(gid, this.numberOfHMetrics - 1);
    return this.r.u16(this.hmtx + 4 * i);
  }

  /** The outline of `codePoint` (glyph 0, .notdef, when the font lacks it). */
  outline(codePoint: number, curveSteps = 8): GlyphOutline {
    const gid = this.glyphId(codePoint);
    return { contours: this.charString(gid, curveSteps), advance: this.advance(gid) };
  }

  private familyName(tables: Map<string, Table>): string {
    const name = tables.get('name');
    if (!name) return '';
    const r = this.r;
    const count = r.u16(name.offset + 2);
    const storage = name.offset + r.u16(name.offset + 4);
    let fallback = '';
    for (let i = 0; i < count; i++) {
      const rec = name.offset + 6 + 12 * i;
      const [platform, , language, nameId, len, off] = [r.u16(rec), r.u16(rec + 2), r.u16(rec + 4), r.u16(rec + 6), r.u16(rec + 8), r.u16(rec + 10)];
      if (platform !== 3 || nameId !== 1) continue;
      const s = utf16be(r, storage + off, len);
      if (language === 0x409) return s;
      fallback ||= s;
    }
    return fallback;
  }

  private readCmap(at: number): (cp: number) => number {
    const r = this.r;
    const n = r.u16(at + 2);
    let fmt12: number | undefined;
    let fmt4: number | undefined;
    for (let i = 0; i < n; i++) {
      const rec = at + 4 + 8 * i;
      const [platform, encoding] = [r.u16(rec), r.u16(rec + 2)];
      const sub = at + r.u32(rec + 4);
      const format = r.u16(sub);
      if (format === 12 && (platform === 3 || platform === 0)) fmt12 ??= sub;
      if (format === 4 && ((platform === 3 && encoding === 1) || platform === 0)) fmt4 ??= sub;
    }
    if (fmt12 !== undefined) {
      const sub = fmt12;
      const groups = r.u32(sub + 12);
      return (cp) => {
        let lo = 0;
        let hi = groups - 1;
        while (lo <= hi) {
          const mid = (lo + hi) >> 1;
          const g = sub + 16 + 12 * mid;
          if (cp < r.u32(g)) hi = mid - 1;
          else if (cp > r.u32(g + 4)) lo = mid + 1;
          else return r.u32(g + 8) + (cp - r.u32(g));
        }
        return 0;
      };
    }
    if (fmt4 !== undefined) {
      const sub = fmt4;
      const segX2 = r.u16(sub + 6);
      const ends = sub + 14;
      const starts = ends + segX2 + 2;
      const deltas = starts + segX2;
      const ranges = deltas + segX2;
      return (cp) => {
        if (cp > 0xffff) return 0;
        for (let s = 0; s < segX2; s += 2) {
          if (cp > r.u16(ends + s)) continue;
          const start = r.u16(starts + s);
          if (cp < start) return 0;
          const ro = r.u16(ranges + s);
          if (ro === 0) return (cp + r.u16(deltas + s)) & 0xffff;
          const g = r.u16(ranges + s + ro + 2 * (cp - start));
          return g === 0 ? 0 : (g + r.u16(deltas + s)) & 0xffff;
        }
        return 0;
      };
    }
    throw new Error('font has no usable cmap (format 12 or 4)');
  }

  private readFdSelect(at: number): (gid: number) => number {
    const r = this.r;
    const format = r.u8(at);
    if (format === 0) return (gid) => r.u8(at + 1 + gid);
    if (format === 3) {
      const n = r.u16(at + 1);
      return (gid) => {
        for (let i = 0; i < n; i++) {
          const first = r.u16(at + 3 + 3 * i);
          const next = r.u16(at + 3 + 3 * (i + 1));
          if (gid >= first && gid < next) return r.u8(at + 3 + 3 * i + 2);
        }
        return 0;
      };
    }
    throw new Error(`FDSelect format ${format} not supported`);
  }

  /** Type 2 charstring → flattened contours. */
  private charString(gid: number, steps: number): Contour[] {
    const r = this.r;
    const cs = this.charStrings[gid] ?? this.charStrings[0];
    if (!cs) return [];
    const local = this.localSubrs[this.fdSelect(gid)] ?? [];
    const contours: Contour[] = [];
    let contour: Contour = [];
    let x = 0;
    let y = 0;
    let stack: number[] = [];
    let nStems = 0;
    let haveWidth = false;
    let done = false;

    const close = (): void => {
      if (contour.length > 1) contours.push(contour);
      contour = [];
    };
    const moveTo = (nx: number, ny: number): void => {
      close();
      x = nx;
      y = ny;
      contour.push({ x, y });
    };
    const lineTo = (nx: number, ny: number): void => {
      x = nx;
      y = ny;
      contour.push({ x, y });
    };
    const curveTo = (x1: number, y1: number, x2: number, y2: number, x3: number, y3: number): void => {
      const [x0, y0] = [x, y];
      for (let k = 1; k <= steps; k++) {
        const t = k / steps;
        const u = 1 - t;
        contour.push({
          x: u * u * u * x0 + 3 * u * u * t * x1 + 3 * u * t * t * x2 + t * t * t * x3,
          y: u * u * u * y0 + 3 * u * u * t * y1 + 3 * u * t * t * y2 + t * t * t * y3,
        });
      }
      x = x3;
      y = y3;
    };
    /** The first stack-clearing operator may carry the advance width first: drop it. */
    /** `args`: how many operands the operator takes (undefined: pairs, as the stem operators). */
    const takeWidth = (args?: number): void => {
      if (haveWidth) return;
      haveWidth = true;
      if (args === undefined ? stack.length % 2 === 1 : stack.length > args) stack.shift();
    };
    const stems = (): void => {
      takeWidth();
      nStems += stack.length >> 1;
      stack = [];
    };

    const run = (start: number, end: number, depth: number): void => {
      if (depth > 10) throw new Error('charstring subroutines nest too deep');
      let i = start;
      while (i < end && !done) {
        const b0 = r.u8(i);
        if (b0 >= 32 || b0 === 28) {
          if (b0 === 28) { stack.push(r.i16(i + 1)); i += 3; }
          else if (b0 <= 246) { stack.push(b0 - 139); i++; }
          else if (b0 <= 250) { stack.push((b0 - 247) * 256 + r.u8(i + 1) + 108); i += 2; }
          else if (b0 <= 254) { stack.push(-(b0 - 251) * 256 - r.u8(i + 1) - 108); i += 2; }
          else { stack.push((r.u32(i + 1) | 0) / 65536); i += 5; }
          continue;
        }
        i++;
        const s = stack;
        switch (b0) {
          case 1: case 3: case 18: case 23: stems(); break;
          case 19: case 20:
            stems();
            i += (nStems + 7) >> 3;
            break;
          case 21: takeWidth(2); moveTo(x + (s[0] ?? 0), y + (s[1] ?? 0)); stack = []; break;
          case 22: takeWidth(1); moveTo(x + (s[0] ?? 0), y); stack = []; break;
          case 4: takeWidth(1); moveTo(x, y + (s[0] ?? 0)); stack = []; break;
          case 5:
            for (let k = 0; k + 1 < s.length; k += 2) lineTo(x + (s[k] as number), y + (s[k + 1] as number));
            stack = [];
            break;
          case 6: case 7: {
            let horizontal = b0 === 6;
            for (const d of s) {
              if (horizontal) lineTo(x + d, y);
              else lineTo(x, y + d);
              horizontal = !horizontal;
            }
            stack = [];
            break;
          }
          case 8: case 24: case 25: {
            const curve = (k: number): void => {
              const [a, b, c, d, e, f] = s.slice(k, k + 6) as [number, number, number, number, number, number];
              curveTo(x + a, y + b, x + a + c, y + b + d, x + a + c + e, y + b + d + f);
            };
            let k = 0;
            if (b0 === 25) {
              for (; k + 2 <= s.length - 6; k += 2) lineTo(x + (s[k] as number), y + (s[k + 1] as number));
              curve(k);
            } else {
              const curvesEnd = b0 === 24 ? s.length - 2 : s.length;
              for (; k + 6 <= curvesEnd; k += 6) curve(k);
              if (b0 === 24) lineTo(x + (s[k] as number), y + (s[k + 1] as number));
            }
            stack = [];
            break;
          }
          case 26: case 27: {
            let k = 0;
            let d1 = 0;
            if (s.length % 2 === 1) d1 = s[k++] as number;
            for (; k + 3 < s.length; k += 4) {
              const [a, b, c, d] = s.slice(k, k + 4) as [number, number, number, number];
              if (b0 === 26) curveTo(x + d1, y + a, x + d1 + b, y + a + c, x + d1 + b, y + a + c + d);
              else curveTo(x + a, y + d1, x + a + b, y + d1 + c, x + a + b + d, y + d1 + c);
              d1 = 0;
            }
            stack = [];
            break;
          }
          case 30: case 31: {
            let horizontal = b0 === 31;
            for (let k = 0; k + 3 < s.length; k += 4) {
              const [a, b, c, d] = s.slice(k, k + 4) as [number, number, number, number];
              const last = s.length - k === 5 ? (s[k + 4] as number) : 0;
              if (horizontal) curveTo(x + a, y, x + a + b, y + c, x + a + b + last, y + c + d);
              else curveTo(x, y + a, x + b, y + a + c, x + b + d, y + a + c + last);
              horizontal = !horizontal;
            }
            stack = [];
            break;
          }
          case 10: case 29: {
            const subrs = b0 === 10 ? local : this.globalSubrs;
            const idx = (stack.pop() ?? 0) + subrBias(subrs.length);
            const sub = subrs[idx];
            if (!sub) throw new Error(`charstring calls a missing subroutine ${idx}`);
            run(sub[0], sub[1], depth + 1);
            break;
          }
          case 11: return;
          case 14:
            takeWidth(0);
            close();
            done = true;
            break;
          case 12: {
            const op = r.u8(i++);
            const v = s.map((n) => n);
            const flex = (p: number[]): void => {
              curveTo(x + (p[0] as number), y + (p[1] as number), x + (p[0] as number) + (p[2] as number), y + (p[1] as number) + (p[3] as number),
                x + (p[0] as number) + (p[2] as number) + (p[4] as number), y + (p[1] as number) + (p[3] as number) + (p[5] as number));
            };
            if (op === 35) {
              flex(v.slice(0, 6));
              flex(v.slice(6, 12));
            } else if (op === 34) {
              const [dx1, dx2, dy2, dx3, dx4, dx5, dx6] = v as [number, number, number, number, number, number, number];
              flex([dx1, 0, dx2, dy2, dx3, 0]);
              flex([dx4, 0, dx5, -dy2, dx6, 0]);
            } else if (op === 36) {
              const [dx1, dy1, dx2, dy2, dx3, dx4, dx5, dy5, dx6] = v as [number, number, number, number, number, number, number, number, number];
              const y0 = y;
              flex([dx1, dy1, dx2, dy2, dx3, 0]);
              curveTo(x + dx4, y, x + dx4 + dx5, y + dy5, x + dx4 + dx5 + dx6, y0);
            } else if (op === 37) {
              const [x0, y0] = [x, y];
              const d = v.slice(0, 10) as number[];
              flex(d.slice(0, 6));
              const dx = (d[0] as number) + (d[2] as number) + (d[4] as number) + (d[6] as number) + (d[8] as number);
              const dy = (d[1] as number) + (d[3] as number) + (d[5] as number) + (d[7] as number) + (d[9] as number);
              const d6 = v[10] as number;
              const [ex, ey] = Math.abs(dx) > Math.abs(dy) ? [x0 + dx + d6 - x, y0 - y] : [x0 - x, y0 + dy + d6 - y];
              curveTo(x + (d[6] as number), y + (d[7] as number), x + (d[6] as number) + (d[8] as number), y + (d[7] as number) + (d[9] as number),
                x + ex, y + ey);
            }
            stack = [];
            break;
          }
          default:
            stack = [];
        }
      }
    };
    run(cs[0], cs[1], 0);
    close();
    return contours;
  }
}
