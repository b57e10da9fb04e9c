/**
 * The health of one serial device as the port manager sees it, and the event it publishes on every
 * change. The gate records these in its sync log and shows them as tiles; the technician CLI prints
 * them. Pure types and schema: no port here.
 */
import { z } from 'zod';

/**
 * - `connecting`: not yet opened since start.
 * - `up`: the port is open and the device answered (or nothing has timed out yet).
 * - `degraded`: the port is open but the device stopped answering (consecutive time-outs).
 * - `down`: the port is gone (unplugged, missing path, open failed); the manager keeps retrying.
 * - `closed`: stopped on purpose.
 */
export const DEVICE_HEALTH_STATES = ['connecting', 'up', 'degraded', 'down', 'closed'] as const;
export type DeviceHealthState = (typeof DEVICE_HEALTH_STATES)[number];

export const DEVICE_KINDS = ['led', 'voice', 'relay', 'idcard'] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];

export const deviceHealthSchema = z.object({
  /** The device's configured name, e.g. `turnstile-1`. */
  device: z.string().min(1).max(64),
  kind: z.enum(DEVICE_KINDS),
  path: z.string().min(1).max(512),
  state: z.enum(DEVICE_HEALTH_STATES),
  /** When this state began (ms since epoch). */
  since: z.number().int().nonnegative(),
  consecutiveTimeouts: z.number().int().nonnegative(),
  /** The last error that caused `down` or `degraded`, in English for logs. */
  error: z.string().max(500).optional(),
  /** How many times the port was reopened after a loss since start. */
  reconnects: z.number().int().nonnegative(),
});
export type DeviceHealth = z.infer<typeof deviceHealthSchema>;

/** Sync-log event type for a health change. */
export const DEVICE_HEALTH_EVENT = 'device.health';
