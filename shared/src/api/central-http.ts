import { z } from 'zod';
import {
  deviceKindSchema,
  gateRoleSchema,
  idSchema,
  nameSchema,
  positionSchema,
  MAX_GRID_SIDE,
  siteSchema,
  roomSchema,
  boothSchema,
  gateSchema,
} from '../domain/topology.ts';

/**
 * The central's HTTP API, as seen by both ends. The central validates requests with these schemas;
 * devices validate responses with them. Errors are `{ error: ApiErrorBody }` with a 4xx/5xx status.
 */

export const CENTRAL_PATHS = {
  health: '/api/health',
  enrol: '/api/enrol',
  deviceMe: '/api/device/me',
  adminSites: '/api/admin/sites',
  adminRooms: '/api/admin/rooms',
  adminGates: '/api/admin/gates',
  adminEnrolmentCodes: '/api/admin/enrolment-codes',
  adminDevices: '/api/admin/devices',
  adminRevokeDevice: '/api/admin/devices/:id/revoke',
} as const;

/** Enrolment codes: 8 characters from an alphabet without 0/O/1/I/L, shown as XXXX-XXXX. */
export const ENROL_CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
export const ENROL_CODE_LENGTH = 8;

/** Accepts what a technician types: any case, spaces or dashes anywhere. */
export function normaliseEnrolCode(input: string): string {
  return input.toUpperCase().replace(/[\s-]+/g, '');
}
export function formatEnrolCode(code: string): string {
  const c = normaliseEnrolCode(code);
  return `${c.slice(0, 4)}-${c.slice(4)}`;
}
export const enrolCodeSchema = z
  .string()
  .transform(normaliseEnrolCode)
  .pipe(
    z
      .string()
      .length(ENROL_CODE_LENGTH, `enrolment codes have ${ENROL_CODE_LENGTH} characters`)
      .regex(new RegExp(`^[${ENROL_CODE_ALPHABET}]+$`), 'enrolment codes use only 2-9 and A-Z without I, L, O'),
  );

/** Base64 of an Ed25519 public key in SPKI DER form. */
export const publicKeySchema = z.string().min(40).max(200).regex(/^[A-Za-z0-9+/]+=*$/);

export const healthResponseSchema = z.object({
  ok: z.literal(true),
  centralId: z.string(),
  time: z.number(),
});

/** The statement a device signs with its new key, proving it holds the key it enrols. */
export function enrolProofMessage(code: string, publicKey: string): string {
  return `KAWEI-ENROL-V1\n${normaliseEnrolCode(code)}\n${publicKey}`;
}

export const enrolRequestSchema = z.object({
  code: enrolCodeSchema,
  kind: deviceKindSchema,
  publicKey: publicKeySchema,
  /** Base64 Ed25519 signature of enrolProofMessage(code, publicKey). */
  proof: z.string().min(1).max(200),
  hostname: z.string().trim().min(1).max(100),
  appVersion: z.string().trim().min(1).max(40),
});
export type EnrolRequest = z.input<typeof enrolRequestSchema>;

export const enrolResponseSchema = z.object({
  deviceId: idSchema,
  centralId: z.string(),
  centralPublicKey: publicKeySchema,
  position: positionSchema,
  enrolledAt: z.number(),
});
export type EnrolResponse = z.infer<typeof enrolResponseSchema>;

export const deviceMeResponseSchema = z.object({
  deviceId: idSchema,
  position: positionSchema,
  time: z.number(),
});
export type DeviceMeResponse = z.infer<typeof deviceMeResponseSchema>;

// ---- operator (admin) API: Authorization: Bearer <operator token> ----

export const createSiteRequestSchema = z.object({ id: idSchema.optional(), name: nameSchema });
export const createRoomRequestSchema = z.object({
  id: idSchema.optional(),
  siteId: idSchema,
  number: z.number().int().min(1).max(999),
  name: nameSchema.optional(),
  rows: z.number().int().min(1).max(MAX_GRID_SIDE).default(3),
  cols: z.number().int().min(1).max(99).default(3),
});
export const createGateRequestSchema = z
  .object({
    id: idSchema.optional(),
    siteId: idSchema,
    name: nameSchema,
    role: gateRoleSchema,
    roomId: idSchema.nullable().default(null),
  })
  .refine((g) => (g.role === 'room_door') === (g.roomId !== null), {
    message: 'a room door needs roomId; an area entrance has none',
    path: ['roomId'],
  });

export const enrolTargetSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('booth'), boothId: idSchema }),
  z.object({ kind: z.literal('gate'), gateId: idSchema }),
]);
export type EnrolTarget = z.infer<typeof enrolTargetSchema>;

export const DEFAULT_ENROL_CODE_TTL_MINUTES = 24 * 60;
export const createEnrolCodeRequestSchema = z.object({
  target: enrolTargetSchema,
  ttlMinutes: z.number().int().min(1).max(7 * 24 * 60).default(DEFAULT_ENROL_CODE_TTL_MINUTES),
});
export const createEnrolCodeResponseSchema = z.object({
  code: z.string(),
  target: enrolTargetSchema,
  expiresAt: z.number(),
  /** SHA-256 (hex) of the central's TLS key, typed on the device with the code (null without TLS). */
  centralFingerprint: z.string().nullable(),
});

export const siteTreeSchema = siteSchema.extend({
  rooms: z.array(roomSchema.extend({ booths: z.array(boothSchema) })),
  gates: z.array(gateSchema),
});
export const sitesResponseSchema = z.object({ sites: z.array(siteTreeSchema) });
export type SiteTree = z.infer<typeof siteTreeSchema>;

export const DEVICE_STATUSES = ['active', 'revoked'] as const;
export const deviceRecordSchema = z.object({
  id: idSchema,
  kind: deviceKindSchema,
  target: enrolTargetSchema,
  publicKey: publicKeySchema,
  hostname: z.string(),
  appVersion: z.string(),
  status: z.enum(DEVICE_STATUSES),
  enrolledAt: z.number(),
  revokedAt: z.number().nullable(),
  lastSeenAt: z.number().nullable(),
});
export type DeviceRecord = z.infer<typeof deviceRecordSchema>;
export const devicesResponseSchema = z.object({ devices: z.array(deviceRecordSchema) });
