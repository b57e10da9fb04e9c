/**
 * BX-5/BX-6 brightness (command group A2, command 07), after the vendor's own dynamic-area manuals in
 * github onbonlab/BX-V-VI, bx.dual.Aux.Data/5th动态区域用户手册.md and 6th动态区域用户手册.md,
 * section 5.5.2 (added in their 2018 revisions). The data after group and command: a u16 data length
 * (0x31 = 49: the mode byte plus 48 values), the mode (0x00 manual, 0x01 by half-hour timetable), then
 * one value 0x00..0x0F for each half hour of the day starting at 00:00. In manual mode the manual says
 * the 48 values are all the same one, so we send the level 48 times.
 *
 * Our level 1..16 is sent as 0x00..0x0F (level − 1). UNVERIFIED on hardware: that 0x00 is the dimmest
 * step (the manual's example table uses 0x0F by day and 0x01 late at night, which suggests it), and
 * that the controller answers with the ordinary A0 00 ack. The sensor modes (0x02/0x03) are not encoded.
 */
import { type BxRequestOptions, encodeBxRequest } from './bx-frame.ts';
import { bilingual } from '@kawei/shared/i18n/bilingual.ts';

export const BX_CMD_SET_BRIGHTNESS = { group: 0xa2, command: 0x07 } as const;
/** A2 00 is the manual's "ping" (5.5.1); kept for the vendor test vector. */
export const BX_CMD_PING = { group: 0xa2, command: 0x00 } as const;

export const BX_BRIGHTNESS_MODE_MANUAL = 0x00;
export const BX_BRIGHTNESS_MODE_TIMETABLE = 0x01;
export const BX_BRIGHTNESS_HALF_HOURS = 48;
export const BX_BRIGHTNESS_LEVELS = 16;

export function isBrightnessLevel(level: number): boolean {
  return Number.isInteger(level) && level >= 1 && level <= BX_BRIGHTNESS_LEVELS;
}

/** Data of A2 07 for a fixed level (1..16) or a timetable of 48 levels. */
export function encodeBxBrightnessData(levels: number | readonly number[]): Uint8Array {
  const table = typeof levels === 'number' ? new Array<number>(BX_BRIGHTNESS_HALF_HOURS).fill(levels) : [...levels];
  if (table.length !== BX_BRIGHTNESS_HALF_HOURS || !table.every(isBrightnessLevel)) {
    throw new RangeError(bilingual('ledDriver.brightness.range', { count: BX_BRIGHTNESS_HALF_HOURS }));
  }
  const mode = typeof levels === 'number' ? BX_BRIGHTNESS_MODE_MANUAL : BX_BRIGHTNESS_MODE_TIMETABLE;
  const len = 1 + BX_BRIGHTNESS_HALF_HOURS;
  return Uint8Array.from([len & 0xff, len >>> 8, mode, ...table.map((l) => l - 1)]);
}

export function encodeBxSetBrightness(levels: number | readonly number[], o: BxRequestOptions = {}): Uint8Array {
  return encodeBxRequest(BX_CMD_SET_BRIGHTNESS.group, BX_CMD_SET_BRIGHTNESS.command, encodeBxBrightnessData(levels), o);
}

export interface DecodedBxBrightness {
  mode: number;
  /** Levels 1..16, one per half hour. */
  levels: number[];
}

/** Read A2 07 data (manual or timetable mode); null if malformed or a sensor mode. */
export function decodeBxBrightnessData(d: Uint8Array): DecodedBxBrightness | null {
  if (d.length < 3) return null;
  const len = (d[0] as number) | ((d[1] as number) << 8);
  const mode = d[2] as number;
  if (len !== 1 + BX_BRIGHTNESS_HALF_HOURS || d.length !== 2 + len) return null;
  if (mode !== BX_BRIGHTNESS_MODE_MANUAL && mode !== BX_BRIGHTNESS_MODE_TIMETABLE) return null;
  const values = Array.from(d.subarray(3));
  if (values.some((v) => v > 0x0f)) return null;
  return { mode, levels: values.map((v) => v + 1) };
}
