/**
 * BX-6 dynamic areas (RAM; rewrite as often as needed, no flash wear), after onbonlab/bx.dual.dyn.java:
 * BxReqSendDynArea.java (A7 00: 2 reserved, area count u16 = 1, parameter length u32, parameters,
 * page data), BxAreaDynamic.java (area parameters), BxPage.java (page parameters) and
 * BxReqDelDynAreas.java / BxReqDelDynAll.java (A7 01: 2 reserved, count, ids; count 0xFF = all).
 *
 * UNVERIFIED: the public source carries only bitmap pages (page type 0x00, RGB bytes). Our text
 * page uses page type BX_PAGE_TYPE_TEXT with GB2312/GBK bytes as its data; that type code and the
 * controller's rendering of it are not in the source and must be checked on a real controller.
 * Brightness is a separate command (A2 07), in bx-brightness.ts.
 */
import iconv from 'iconv-lite';
import { BxCmd, type BxRequestOptions, encodeBxRequest } from './bx-frame.ts';

export const BX_PAGE_TYPE_BITMAP = 0x00;
/** UNVERIFIED (see the module comment). */
export const BX_PAGE_TYPE_TEXT = 0x01;
export const BX_AREA_TYPE_DYNAMIC = 0x10;
/** Run mode 2: the area stops showing once its time-out (seconds) passes without a newer update.
 * Source: onbonlab/BX-V-VI, 5th/6th动态区域用户手册.md, 5.4.1 (RunMode and Timeout). */
export const BX_RUN_MODE_EXPIRE = 2;

export type BxEncoding = 'gbk' | 'gb2312';

export interface BxAreaGeometry {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface BxPageOptions {
  /** Page display effect ("特技方式"), 0 = immediate. */
  displayMode?: number;
  clearMode?: number;
  speed?: number;
  /** Hold time as the controller counts it; BxPage's default is 100. */
  holdTime?: number;
  repeat?: number;
}

export interface BxTextOptions extends BxPageOptions, BxRequestOptions {
  geometry?: BxAreaGeometry;
  encoding?: BxEncoding;
  /** Area run mode (BxAreaDynamic.runMode); see BX_RUN_MODE_EXPIRE. */
  runMode?: number;
  /** Area data time-out in seconds (BxAreaDynamic.timeout, u16); used by run mode 2. */
  timeout?: number;
  attachToAllPrograms?: boolean;
  programs?: number[];
  /** Stop the running program and play this area at once. */
  immediate?: boolean;
}

export const DEFAULT_GEOMETRY: BxAreaGeometry = { x: 0, y: 0, width: 64, height: 16 };

class Bytes {
  private a: number[] = [];
  u8(v: number): this { this.a.push(v & 0xff); return this; }
  u16(v: number): this { this.a.push(v & 0xff, (v >>> 8) & 0xff); return this; }
  u32(v: number): this { this.a.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff); return this; }
  bytes(b: Uint8Array | number[]): this { for (const x of b) this.a.push(x); return this; }
  zeros(n: number): this { for (let i = 0; i < n; i++) this.a.push(0); return this; }
  build(): Uint8Array { return Uint8Array.from(this.a); }
}

export interface BxPageSpec extends BxPageOptions {
  type: number;
  data: Uint8Array;
}

/** Data of the A7 00 command for one area (BxReqSendDynArea.build). */
export function encodeDynamicAreaData(areaId: number, pages: BxPageSpec[], o: BxTextOptions = {}): Uint8Array {
  const g = o.geometry ?? DEFAULT_GEOMETRY;
  const programs = o.programs ?? [];
  const para = new Bytes()
    .u8(areaId)
    .u8(o.runMode ?? 0)
    .u16(o.timeout ?? 0)
    .u8(o.attachToAllPrograms ? 1 : 0)
    .u16(programs.length);
  for (const p of programs) para.u16(p);
  para.u8(o.immediate ? 1 : 0).zeros(4).u8(BX_AREA_TYPE_DYNAMIC)
    .u16(g.x).u16(g.y).u16(g.width).u16(g.height)
    .u8(0) // frame
    .u8(0) // background
    .u8(0) // transparency
    .u8(0) // areaEqual
    .u8(0) // voice
    .zeros(5)
    .u16(pages.length);
  let offset = 0;
  for (const page of pages) {
    const pagePara = new Bytes()
      .u8(page.type)
      .u8(page.displayMode ?? 0)
      .u8(page.clearMode ?? 0)
      .u8(page.speed ?? 0)
      .u16(page.holdTime ?? 100)
      .u8(page.repeat ?? 1)
      .u16(g.width) // valid length: BxPage uses the area width when unset
      .zeros(9)
      .build();
    para.u32(pagePara.length + 8).bytes(pagePara).u32(offset).u32(page.data.length);
    offset += page.data.length;
  }
  const paraBytes = para.build();
  const out = new Bytes().zeros(2).u16(1).u32(paraBytes.length).bytes(paraBytes);
  for (const page of pages) out.bytes(page.data);
  return out.build();
}

export function encodeText(text: string, encoding: BxEncoding = 'gbk'): Uint8Array {
  return Uint8Array.from(iconv.encode(text, encoding));
}

/** A complete wrapped frame showing `text` in dynamic area `areaId`. */
export function encodeDynamicAreaText(areaId: number, text: string, o: BxTextOptions = {}): Uint8Array {
  const data = encodeDynamicAreaData(areaId, [{ ...o, type: BX_PAGE_TYPE_TEXT, data: encodeText(text, o.encoding) }], o);
  return encodeBxRequest(BxCmd.sendDynamicArea.group, BxCmd.sendDynamicArea.command, data, o);
}

/** Delete the given dynamic areas (A7 01); an empty list deletes all (count 0xFF). */
export function encodeDeleteDynamicAreas(areaIds: number[], o: BxRequestOptions = {}): Uint8Array {
  const data = areaIds.length === 0 ? Uint8Array.of(0, 0, 0xff) : Uint8Array.from([0, 0, areaIds.length, ...areaIds]);
  return encodeBxRequest(BxCmd.deleteDynamicAreas.group, BxCmd.deleteDynamicAreas.command, data, o);
}

export interface DecodedPage {
  type: number;
  displayMode: number;
  holdTime: number;
  data: Uint8Array;
}

export interface DecodedDynamicArea {
  areaId: number;
  runMode: number;
  timeout: number;
  geometry: BxAreaGeometry;
  pages: DecodedPage[];
}

/** Read A7 00 data back (for the simulator); null if malformed. Never throws. */
export function decodeDynamicAreaData(data: Uint8Array): DecodedDynamicArea | null {
  try {
    const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const count = v.getUint16(2, true);
    if (count !== 1) return null;
    const paraLen = v.getUint32(4, true);
    const p0 = 8;
    if (p0 + paraLen > data.length) return null;
    let i = p0;
    const areaId = v.getUint8(i);
    const runMode = v.getUint8(i + 1);
    const timeout = v.getUint16(i + 2, true);
    i += 5; // id, run mode, timeout, attach-all
    const nProg = v.getUint16(i, true);
    i += 2 + 2 * nProg + 1 + 4 + 1; // programs, immediate, reserved, area type
    const geometry = { x: v.getUint16(i, true), y: v.getUint16(i + 2, true), width: v.getUint16(i + 4, true), height: v.getUint16(i + 6, true) };
    i += 8 + 5 + 5;
    const nPages = v.getUint16(i, true);
    i += 2;
    const dataStart = p0 + paraLen;
    const pages: DecodedPage[] = [];
    for (let k = 0; k < nPages; k++) {
      const recLen = v.getUint32(i, true);
      const rec = i + 4;
      if (recLen < 8 + 6) return null;
      const off = v.getUint32(rec + recLen - 8, true);
      const len = v.getUint32(rec + recLen - 4, true);
      if (dataStart + off + len > data.length || rec + recLen > dataStart) return null;
      pages.push({ type: v.getUint8(rec), displayMode: v.getUint8(rec + 1), holdTime: v.getUint16(rec + 4, true), data: data.slice(dataStart + off, dataStart + off + len) });
      i = rec + recLen;
    }
    return { areaId, runMode, timeout, geometry, pages };
  } catch {
    return null; // DataView range errors on truncated data
  }
}

/** Read A7 01 data: the ids to delete, or 'all'. */
export function decodeDeleteDynamicAreas(data: Uint8Array): number[] | 'all' | null {
  if (data.length < 3) return null;
  const n = data[2] as number;
  if (n === 0xff) return 'all';
  if (data.length < 3 + n) return null;
  return Array.from(data.subarray(3, 3 + n));
}
