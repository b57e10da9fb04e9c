/**
 * What the gate kiosk's screen and its trusted services say to each other about face checks, the
 * staff monitor and the devices. The renderer only captures frames and shows results: detection,
 * liveness, matching and every decision happen in the Node services, which hold the templates.
 *
 * Privacy rules built into these shapes:
 * - the public screen (`checkFace` results, the `check` event) never carries an expert's name or
 *   identity, only where to go (room and booth) or why not;
 * - the staff monitor (`getMonitor`, staff token required) shows a masked name (张*明), the live
 *   capture and the enrolled photo, never the project the expert evaluates.
 */
import { z } from 'zod';
import { DEVICE_HEALTH_STATES, DEVICE_KINDS } from '../devices/device-health.ts';
import { QUALITY_REASONS } from '../face/face-types.ts';

/** A JPEG as base64 (no data: prefix). 640×480 at quality 0.8 is ≈ 40–80 KB. */
export const jpegBase64Schema = z
  .string()
  .min(100)
  .max(700_000)
  .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'base64 JPEG expected');

export const checkFaceInputSchema = z.object({
  /** One camera frame. */
  image: jpegBase64Schema,
  /** The renderer's clock when the frame was captured (ms), echoed back for latency accounting. */
  capturedAt: z.number().nonnegative(),
});

export const LIVENESS_CHALLENGES = ['blink', 'turn_left', 'turn_right', 'nod'] as const;

/** Why an entry is refused. Each has a Chinese message for the expert and an alert for staff. */
export const REFUSAL_REASONS = [
  'unknown_face',
  'not_scheduled_today',
  'wrong_site',
  'wrong_room',
  'already_inside',
  'several_faces',
  'liveness_failed',
  'id_card_mismatch',
  'device_fault',
  'no_roster',
] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

/** Where an admitted (or misdirected) expert must go. Never a name, never a project. */
export const seatSchema = z.object({
  roomId: z.string(),
  roomNumber: z.number().int().nonnegative(),
  roomName: z.string(),
  label: z.string(),
});
export type SeatView = z.infer<typeof seatSchema>;

export const checkOutcomeSchema = z.discriminatedUnion('kind', [
  /** Keep looking at the camera: the frame is not good enough, or a liveness challenge is running. */
  z.object({
    kind: z.literal('guidance'),
    quality: z.enum(QUALITY_REASONS).nullable(),
    /** The challenge to perform now, when the role asks for liveness. */
    challenge: z.enum(LIVENESS_CHALLENGES).nullable(),
    /** 0…1 progress through the liveness challenges. */
    progress: z.number().min(0).max(1),
    /** An ID card was read and waits for its holder's face (人证一致). */
    cardRead: z.boolean(),
  }),
  z.object({
    kind: z.literal('pass'),
    checkId: z.string(),
    seat: seatSchema,
    /** What the voice said and the LED showed. */
    announcement: z.string(),
  }),
  z.object({
    kind: z.literal('refused'),
    checkId: z.string(),
    reason: z.enum(REFUSAL_REASONS),
    /** For wrong_room / wrong_site: where the expert should go instead. */
    redirect: seatSchema.extend({ siteName: z.string().optional() }).nullable(),
  }),
  /** Someone was just decided on; the kiosk waits for the face to leave before the next check. */
  z.object({ kind: z.literal('cooldown'), lastCheckId: z.string() }),
]);
export type CheckOutcome = z.infer<typeof checkOutcomeSchema>;

export const checkFaceOutputSchema = z.object({
  outcome: checkOutcomeSchema,
  capturedAt: z.number(),
  /** Time the services spent on this frame (ms). */
  processingMs: z.number(),
});

/** The public `check` event: what the kiosk screen shows after a decision. */
export const checkEventSchema = z.object({
  outcome: checkOutcomeSchema,
  at: z.number(),
});

export const staffLoginInputSchema = z.object({ pin: z.string().regex(/^\d{4,8}$/, '4–8 digits') });
export const staffLoginOutputSchema = z.object({ staffToken: z.string(), expiresAt: z.number() });
export const staffTokenInputSchema = z.object({ staffToken: z.string().min(16).max(128) });

export const manualOpenInputSchema = staffTokenInputSchema.extend({
  reason: z.string().trim().min(4, 'a reason of at least 4 characters').max(200),
});
export const manualOpenOutputSchema = z.object({ ok: z.boolean(), eventSeq: z.number().int(), error: z.string().optional() });

export const ackAlertInputSchema = staffTokenInputSchema.extend({ alertId: z.string() });

export const monitorEntrySchema = z.object({
  checkId: z.string(),
  at: z.number(),
  decision: z.enum(['pass', 'refused', 'manual_open']),
  reason: z.enum(REFUSAL_REASONS).nullable(),
  /** 张*明 — never the full name. Null for an unknown face. */
  maskedName: z.string().nullable(),
  codename: z.string().nullable(),
  seat: seatSchema.nullable(),
  similarity: z.number().nullable(),
  /** data: URLs (small JPEG thumbnails). */
  capture: z.string().nullable(),
  enrolledPhoto: z.string().nullable(),
  /** For manual opens: the staff member's reason. */
  note: z.string().nullable(),
});
export type MonitorEntry = z.infer<typeof monitorEntrySchema>;

export const alertSchema = z.object({
  alertId: z.string(),
  at: z.number(),
  kind: z.enum([...REFUSAL_REASONS, 'device_down']),
  checkId: z.string().nullable(),
  /** Device name for device alerts. */
  device: z.string().nullable(),
  acknowledged: z.boolean(),
});
export type GateAlert = z.infer<typeof alertSchema>;

export const deviceTileSchema = z.object({
  device: z.string(),
  kind: z.enum([...DEVICE_KINDS, 'camera', 'central']),
  state: z.enum([...DEVICE_HEALTH_STATES, 'absent']),
  since: z.number().nullable(),
  error: z.string().nullable(),
});
export type DeviceTile = z.infer<typeof deviceTileSchema>;

export const roomCountSchema = z.object({
  roomId: z.string(),
  roomName: z.string(),
  expected: z.number().int().nonnegative(),
  arrived: z.number().int().nonnegative(),
  missing: z.number().int().nonnegative(),
});

export const monitorSchema = z.object({
  entries: z.array(monitorEntrySchema),
  alerts: z.array(alertSchema),
  devices: z.array(deviceTileSchema),
  rooms: z.array(roomCountSchema),
  rosterDate: z.string().nullable(),
});
export type GateMonitor = z.infer<typeof monitorSchema>;
