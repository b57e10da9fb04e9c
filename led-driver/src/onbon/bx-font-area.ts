/**
 * BX-6 "font library" dynamic area update, command A7 06 (text rendered by the controller's own
 * GB2312/GBK font; 6Q3/6Q3L class controllers). Field order after the field tables and the A7 06
 * parser in github strongercjd/Onbon-Protocol-Analysis, "Onbon Protocol analysis/Form1.cs"
 * (Six_Font_Protocol_A7_06_cmd_string_init, Six_Font_Protocol_area_data_string_init,
 * Six_Font_A7_06_Protocol): keep-after-power-off, delete count + ids, update count, then per area
 * a u32 area length and the area record; with voice disabled (0) the voice fields are absent.
 *
 * UNVERIFIED: what the u32 area length counts (we count the record after the length field), the
 * area type value for a text area (we send 0x10 as in the bitmap area), and the meaning of the
 * display/exit mode codes. Check on a controller.
 */
import iconv from 'iconv-lite';
import { type BxRequestOptions, encodeBxRequest } from './bx-frame.ts';
import { type BxAreaGeometry, type BxEncoding, DEFAULT_GEOMETRY } from './bx-dynamic-area.ts';

export const BX_CMD_FONT_DYNAMIC_AREA = { group: 0xa7, command: 0x06 } as const;

export interface BxFontAreaOptions extends BxRequestOptions {
  geometry?: BxAreaGeometry;
  encoding?: BxEncoding;
  runMode?: number;
  timeout?: number;
  programRelation?: number;
  programs?: number[];
  overwrite?: boolean;
  areaType?: number;
  layoutMode?: number;
  lineSpacing?: number;
  alignment?: number;
  charSpacing?: number;
  singleLine?: boolean;
  autoWrap?: boolean;
  displayMode?: number;
  exitMode?: number;
  speed?: number;
  holdTime?: number;
  /** Keep the area after power loss (first byte of the command data). */
  keepAfterPowerOff?: boolean;
  /** Areas to delete in the same command. */
  deleteIds?: number[];
}

const u16 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff];
const u32 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];

/** One area record (after its u32 length), voice disabled. */
export function encodeFontAreaRecord(areaId: number, text: Uint8Array, o: BxFontAreaOptions = {}): number[] {
  const g = o.geometry ?? DEFAULT_GEOMETRY;
  const programs = o.programs ?? [];
  return [
    areaId & 0xff, o.runMode ?? 0, ...u16(o.timeout ?? 0), o.programRelation ?? 0, ...u16(programs.length),
    ...programs.flatMap(u16), o.overwrite === false ? 0 : 1, 0, 0, 0, 0, o.areaType ?? 0x10,
    ...u16(g.x), ...u16(g.y), ...u16(g.width), ...u16(g.height), 0 /* no frame */, 0, 0, 0, 0, 0, 0, 0, 0,
    o.layoutMode ?? 0, o.lineSpacing ?? 0, o.alignment ?? 0, o.charSpacing ?? 0, 0, 0, 0, 0, 0, 0,
    o.singleLine === false ? 0 : 1, o.autoWrap ? 1 : 0, o.displayMode ?? 1, o.exitMode ?? 0, o.speed ?? 0, o.holdTime ?? 0,
    0 /* voice disabled: voice fields absent */, ...u32(text.length), ...text,
  ];
}

export function encodeFontDynamicAreaData(areaId: number, text: string, o: BxFontAreaOptions = {}): Uint8Array {
  const del = o.deleteIds ?? [];
  const rec = encodeFontAreaRecord(areaId, Uint8Array.from(iconv.encode(text, o.encoding ?? 'gbk')), o);
  return Uint8Array.from([o.keepAfterPowerOff ? 1 : 0, del.length, ...del, 1, ...u32(rec.length), ...rec]);
}

export function encodeFontDynamicAreaText(areaId: number, text: string, o: BxFontAreaOptions = {}): Uint8Array {
  return encodeBxRequest(BX_CMD_FONT_DYNAMIC_AREA.group, BX_CMD_FONT_DYNAMIC_AREA.command, encodeFontDynamicAreaData(areaId, text, o), o);
}

export interface DecodedFontCommand {
  deleteIds: number[];
  areas: { areaId: number; runMode: number; timeout: number; geometry: BxAreaGeometry; displayMode: number; text: Uint8Array }[];
}

/** Read A7 06 data (voice-disabled areas only); null if malformed. Never throws. */
export function decodeFontDynamicAreaData(d: Uint8Array): DecodedFontCommand | null {
  const at = (i: number): number => { if (i >= d.length) throw new RangeError('short'); return d[i] as number; };
  const r16 = (i: number): number => at(i) | (at(i + 1) << 8);
  const r32 = (i: number): number => (at(i) | (at(i + 1) << 8) | (at(i + 2) << 16) | (at(i + 3) << 24)) >>> 0;
  try {
    let i = 1;
    const nDel = at(i++);
    const deleteIds: number[] = [];
    for (let k = 0; k < nDel; k++) deleteIds.push(at(i++));
    const nAreas = at(i++);
    const areas: DecodedFontCommand['areas'] = [];
    for (let k = 0; k < nAreas; k++) {
      const len = r32(i);
      const start = i + 4;
      const areaId = at(start);
      const runMode = at(start + 1);
      const timeout = r16(start + 2);
      let j = start + 5;
      j += 2 + 2 * r16(j) + 1 + 4 + 1;
      const geometry = { x: r16(j), y: r16(j + 2), width: r16(j + 4), height: r16(j + 6) };
      j += 8;
      if (at(j) !== 0) return null; // frames not supported
      j += 1 + 8 + 4 + 6 + 2;
      const displayMode = at(j);
      j += 4;
      if (at(j) !== 0) return null; // voice not supported
      j += 1;
      const n = r32(j);
      j += 4;
      if (j + n > d.length || j + n !== start + len) return null;
      areas.push({ areaId, runMode, timeout, geometry, displayMode, text: d.slice(j, j + n) });
      i = start + len;
    }
    return { deleteIds, areas };
  } catch {
    return null;
  }
}
