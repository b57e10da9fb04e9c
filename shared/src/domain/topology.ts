import { z } from 'zod';

/**
 * The physical layout the central knows: sites (交易中心 / 分中心), their evaluation rooms (评标室)
 * laid out as a grid of booths (卡位, default 3×3 九宫格), and gates (the evaluation-area entrance or
 * a room door). Rows and columns are zero-based; a booth's label is its row letter and column number
 * (row 0, col 4 → "A5").
 */

export const MAX_GRID_SIDE = 26; // row letters A…Z

export const idSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'ids use letters, digits, "-", "_" and "."');

export const nameSchema = z.string().trim().min(1).max(100);

export const siteSchema = z.object({ id: idSchema, name: nameSchema });
export type Site = z.infer<typeof siteSchema>;

export const roomSchema = z.object({
  id: idSchema,
  siteId: idSchema,
  /** The room's number as posted on its door: "3" in 3号评标室. */
  number: z.number().int().min(1).max(999),
  name: nameSchema,
  rows: z.number().int().min(1).max(MAX_GRID_SIDE),
  cols: z.number().int().min(1).max(99),
});
export type Room = z.infer<typeof roomSchema>;

export const boothLabelSchema = z.string().regex(/^[A-Z][1-9][0-9]?$/, 'booth labels look like A1 or C12');

export const boothSchema = z.object({
  id: idSchema,
  roomId: idSchema,
  row: z.number().int().min(0),
  col: z.number().int().min(0),
  label: boothLabelSchema,
});
export type Booth = z.infer<typeof boothSchema>;

export const GATE_ROLES = ['area_entrance', 'room_door'] as const;
export const gateRoleSchema = z.enum(GATE_ROLES);
export type GateRole = z.infer<typeof gateRoleSchema>;

export const gateSchema = z.object({
  id: idSchema,
  siteId: idSchema,
  name: nameSchema,
  role: gateRoleSchema,
  /** Set only for a room door: the room it opens. */
  roomId: idSchema.nullable(),
});
export type Gate = z.infer<typeof gateSchema>;

export const DEVICE_KINDS = ['booth', 'gate'] as const;
export const deviceKindSchema = z.enum(DEVICE_KINDS);
export type DeviceKind = z.infer<typeof deviceKindSchema>;

/** Where an enrolled device stands: what it shows on its idle screen. */
export const boothPositionSchema = z.object({
  kind: z.literal('booth'),
  site: siteSchema,
  room: roomSchema,
  booth: boothSchema,
});
export const gatePositionSchema = z.object({
  kind: z.literal('gate'),
  site: siteSchema,
  gate: gateSchema,
  room: roomSchema.nullable(),
});
export const positionSchema = z.discriminatedUnion('kind', [boothPositionSchema, gatePositionSchema]);
export type BoothPosition = z.infer<typeof boothPositionSchema>;
export type GatePosition = z.infer<typeof gatePositionSchema>;
export type Position = z.infer<typeof positionSchema>;

export function boothLabel(row: number, col: number): string {
  if (!Number.isInteger(row) || row < 0 || row >= MAX_GRID_SIDE) throw new RangeError(`row ${row} out of range`);
  if (!Number.isInteger(col) || col < 0 || col >= 99) throw new RangeError(`col ${col} out of range`);
  return `${String.fromCharCode(65 + row)}${col + 1}`;
}

export function parseBoothLabel(label: string): { row: number; col: number } {
  const parsed = boothLabelSchema.safeParse(label);
  if (!parsed.success) throw new RangeError(`not a booth label: ${label}`);
  return { row: label.charCodeAt(0) - 65, col: Number(label.slice(1)) - 1 };
}

/** All booth cells of a rows × cols grid, row-major: A1, A2, …, B1, … */
export function gridCells(rows: number, cols: number): { row: number; col: number; label: string }[] {
  const cells: { row: number; col: number; label: string }[] = [];
  for (let row = 0; row < rows; row++) {
    for (let col = 0; col < cols; col++) cells.push({ row, col, label: boothLabel(row, col) });
  }
  return cells;
}
