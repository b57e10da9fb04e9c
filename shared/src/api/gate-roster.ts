/**
 * What the central sends a gate kiosk for the day, as downstream sync messages (docs/ARCHITECTURE.md,
 * "The day's draw → rosters"):
 *
 * - `roster.gate` (one message): everyone seated at the gate's site today — expert id, code name,
 *   room and booth. Never the project.
 * - `faces.gate` (one or more parts): a face template for every expert of the day's pool, so the
 *   gate can tell "not scheduled today" and "wrong site" from "unknown face". Each person carries a
 *   masked name and a small photo for the staff monitor, never the full name; the ID number only as
 *   a salted hash (for 人证一致 at the entrance).
 *
 * Templates are embeddings of the model named in `model`; a gate whose pipeline has another model
 * refuses them (and says so) rather than comparing apples with pears.
 */
import { z } from 'zod';

export const ROSTER_GATE_MESSAGE = 'roster.gate';
export const FACES_GATE_MESSAGE = 'faces.gate';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

export const gateRosterEntrySchema = z.object({
  expert: z.string().min(1),
  codename: z.string().min(1),
  room: z.string().min(1),
  roomNumber: z.number().int().nonnegative(),
  label: z.string().min(1),
});
export type GateRosterEntry = z.infer<typeof gateRosterEntrySchema>;

export const gateRosterPayloadSchema = z.object({
  date: isoDate,
  seed: z.string(),
  site: z.string().min(1),
  entries: z.array(gateRosterEntrySchema),
});
export type GateRosterPayload = z.infer<typeof gateRosterPayloadSchema>;

/** Where someone is seated today, at any site (for the wrong-site redirect). */
export const todaySeatSchema = z.object({
  site: z.string().min(1),
  siteName: z.string(),
  room: z.string().min(1),
  roomNumber: z.number().int().nonnegative(),
  label: z.string().min(1),
});

export const facePersonSchema = z.object({
  expert: z.string().min(1),
  /** 张*明: first and last character kept (two-character names: 张*). */
  maskedName: z.string().min(1).max(32),
  /** Hex SHA-256 of `${date}:${idNumber}`; absent when the registry has no ID number. */
  idNumberHash: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  /** Null: in the day's pool but not seated anywhere today. */
  seat: todaySeatSchema.nullable(),
  /** Base64 of 128 little-endian float32 (unit length). */
  embedding: z.string().min(8).max(4096),
  /** Base64 JPEG thumbnail of the enrolled photo for the staff monitor (≤ 30 KB). */
  photo: z.string().max(40_000).nullable(),
});
export type FacePerson = z.infer<typeof facePersonSchema>;

export const facesGatePayloadSchema = z.object({
  date: isoDate,
  site: z.string().min(1),
  /** FACE_EMBEDDING_MODEL of the pipeline that made the embeddings. */
  model: z.string().min(1),
  /** 1-based part number; a gate applies the set when it has all `parts` for the date. */
  part: z.number().int().min(1),
  parts: z.number().int().min(1),
  people: z.array(facePersonSchema),
});
export type FacesGatePayload = z.infer<typeof facesGatePayloadSchema>;

/** People per `faces.gate` part: keeps one sync message well under a megabyte. */
export const FACES_PER_PART = 200;

export function encodeEmbedding(v: Float32Array): string {
  const bytes = new Uint8Array(v.length * 4);
  const view = new DataView(bytes.buffer);
  v.forEach((x, i) => view.setFloat32(i * 4, x, true));
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

export function decodeEmbedding(b64: string): Float32Array {
  const binary = atob(b64);
  if (binary.length % 4 !== 0) throw new Error('embedding: length is not a multiple of 4 bytes');
  const view = new DataView(new ArrayBuffer(binary.length));
  for (let i = 0; i < binary.length; i++) view.setUint8(i, binary.charCodeAt(i));
  return Float32Array.from({ length: binary.length / 4 }, (_, i) => view.getFloat32(i * 4, true));
}

/** 张三丰 → 张*丰, 张三 → 张*, 司马相如 → 司**如. */
export function maskName(name: string): string {
  const chars = [...name.trim()];
  if (chars.length <= 1) return '*';
  if (chars.length === 2) return `${chars[0]}*`;
  return `${chars[0]}${'*'.repeat(chars.length - 2)}${chars[chars.length - 1]}`;
}
