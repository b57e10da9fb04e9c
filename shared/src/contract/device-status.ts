import { z } from 'zod';
import { errorCodeSchema } from '../errors.ts';
import { boothPositionSchema, gatePositionSchema, idSchema, type Position } from '../domain/topology.ts';
import { enrolCodeSchema } from '../api/central-http.ts';
import { fingerprintInputSchema } from '../api/central-tls.ts';

/**
 * What both apps share about themselves: whether they are provisioned (enrolled with a central),
 * where they stand, and how the link to the central is right now.
 */

export const LINK_STATES = ['unknown', 'online', 'offline', 'refused'] as const;
export const linkSchema = z.object({
  /** unknown: not yet tried; refused: the central answered but rejects this device (revoked, unknown). */
  state: z.enum(LINK_STATES),
  since: z.number().nullable(),
  lastContactAt: z.number().nullable(),
  reason: errorCodeSchema.nullable(),
});
export type LinkStatus = z.infer<typeof linkSchema>;

export const syncSummarySchema = z.object({
  state: z.enum(['idle', 'sending', 'backoff', 'refused', 'stopped']),
  lastSeq: z.number().int().min(0),
  ackedSeq: z.number().int().min(0),
  pending: z.number().int().min(0),
  lastError: errorCodeSchema.nullable(),
  lastAckAt: z.number().nullable(),
  inbox: z.object({
    cursor: z.number().int().min(0),
    transport: z.enum(['stream', 'long-poll']),
    state: z.enum(['connecting', 'live', 'backoff', 'stopped']),
  }),
});
export type SyncSummaryView = z.infer<typeof syncSummarySchema>;

function statusSchema<P extends z.ZodType<Position>>(position: P) {
  return z.discriminatedUnion('provisioning', [
    z.object({ provisioning: z.literal('unprovisioned'), appVersion: z.string() }),
    z.object({
      provisioning: z.literal('enrolled'),
      appVersion: z.string(),
      deviceId: idSchema,
      centralUrl: z.string(),
      /** SHA-256 (hex) of the central's TLS key that this device pinned at enrolment. */
      centralFingerprint: z.string(),
      centralId: z.string(),
      enrolledAt: z.number(),
      position: position,
      link: linkSchema,
      sync: syncSummarySchema,
    }),
  ]);
}
export const boothStatusSchema = statusSchema(boothPositionSchema);
export const gateStatusSchema = statusSchema(gatePositionSchema);
export type BoothStatus = z.infer<typeof boothStatusSchema>;
export type GateStatus = z.infer<typeof gateStatusSchema>;

/**
 * What a technician types as the central's address. "10.0.0.5:8080" becomes "https://10.0.0.5:8080";
 * a trailing slash is dropped; only https with a host is accepted: rosters, faces, bidder names and
 * tender files never cross the LAN in clear.
 */
export const centralUrlSchema = z
  .string()
  .trim()
  .min(1, 'enter the central address')
  .max(200)
  .transform((raw, ctx) => {
    const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `https://${raw}`;
    let url: URL;
    try {
      url = new URL(withScheme);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'not a valid address' });
      return z.NEVER;
    }
    if (url.protocol !== 'https:' || !url.hostname) {
      ctx.addIssue({ code: 'custom', message: 'the address must be https:// with a host' });
      return z.NEVER;
    }
    if (url.search || url.hash || url.username || url.password) {
      ctx.addIssue({ code: 'custom', message: 'the address takes no query, fragment or credentials' });
      return z.NEVER;
    }
    return url.origin + url.pathname.replace(/\/+$/, '');
  });

/**
 * The enrolment form: the address, the one-time code and the central's TLS key fingerprint printed
 * with the code (shared/src/api/central-tls.ts), which the device checks before it sends the code.
 */
export const enrolInputSchema = z
  .object({ centralUrl: centralUrlSchema, code: enrolCodeSchema, centralFingerprint: fingerprintInputSchema })
  .strict();
export const noInputSchema = z.object({}).strict();
