import { z } from 'zod';
import { idSchema } from '@kawei/shared/domain/topology.ts';

/**
 * The day's batch draw: what goes in (day.json) and what comes out (result.json). Both are
 * documented as JSON Schema in docs/draw/ (generated from these by `kawei-draw schema`).
 * Ids are the central's own (sites, rooms) so a result maps onto real booths.
 */

export const boothLabelSchema = z.string().regex(/^[A-Z][1-9][0-9]?$/, 'booth labels look like A1 or C12');

export const dayRoomSchema = z
  .object({
    id: idSchema,
    rows: z.number().int().min(1).max(26),
    cols: z.number().int().min(1).max(99),
    /** Booths out of service today, by label. */
    disabled: z.array(boothLabelSchema).default([]),
  })
  .strict();

export const daySiteSchema = z.object({ id: idSchema, rooms: z.array(dayRoomSchema) }).strict();

export const dayExpertSchema = z
  .object({
    id: idSchema,
    specialties: z.array(z.string().min(1).max(64)).min(1),
    /** The organisation the expert works for: never drawn for a project one of whose bidders it is. */
    employer: z.string().min(1).max(200),
    /** Sites the expert can reach today. */
    sites: z.array(idSchema).min(1),
  })
  .strict();

export const PROJECT_CATEGORIES = ['engineering', 'government_procurement', 'other'] as const;

export const dayProjectSchema = z
  .object({
    id: idSchema,
    category: z.enum(PROJECT_CATEGORIES),
    /** Weight of the technical score (0–1). Government procurement above 0.4 is reviewed blind. */
    techWeight: z.number().min(0).max(1),
    needs: z
      .array(z.object({ specialty: z.string().min(1).max(64), count: z.number().int().min(1).max(50) }).strict())
      .min(1),
    alternates: z.number().int().min(0).max(50).default(0),
    bidders: z
      .array(z.object({ id: idSchema, name: z.string().min(1).max(200), org: z.string().min(1).max(200) }).strict())
      .max(99),
    /** Reviewed blind even if the category rule would not require it. */
    blind: z.boolean().default(false),
  })
  .strict();

export const dayInputSchema = z
  .object({
    date: z.iso.date(),
    sites: z.array(daySiteSchema).min(1),
    experts: z.array(dayExpertSchema),
    projects: z.array(dayProjectSchema),
    conflicts: z.array(z.object({ expert: idSchema, org: z.string().min(1).max(200) }).strict()).default([]),
  })
  .strict();

export type DayInput = z.infer<typeof dayInputSchema>;
export type DayExpert = z.infer<typeof dayExpertSchema>;
export type DayProject = z.infer<typeof dayProjectSchema>;
export type DayRoom = z.infer<typeof dayRoomSchema>;

export const seatSchema = z
  .object({
    expert: idSchema,
    project: idSchema,
    site: idSchema,
    room: idSchema,
    row: z.number().int().min(0),
    col: z.number().int().min(0),
    label: boothLabelSchema,
    codename: z.string(),
  })
  .strict();
export type Seat = z.infer<typeof seatSchema>;

export const drawResultSchema = z
  .object({
    procedure: z.string(),
    date: z.iso.date(),
    /** sha256 hex of the canonical input. */
    inputHash: z.string().regex(/^[0-9a-f]{64}$/),
    commitment: z.string().regex(/^[0-9a-f]{64}$/),
    publicValue: z.string(),
    seed: z.string().regex(/^[0-9a-f]{64}$/),
    draws: z.array(z.object({ project: idSchema, experts: z.array(idSchema), alternates: z.array(idSchema) }).strict()),
    seats: z.array(seatSchema),
    blind: z.array(idSchema),
    bidderCodes: z.record(idSchema, z.record(idSchema, z.string())),
    /** How well the seating met the soft goals (see docs/DRAW.md, "objective order"). */
    quality: z
      .object({
        /** Mean number of distinct rooms a project's experts sit in, rounded to 3 decimals. */
        roomsPerProjectMean: z.number(),
        sameRoomPairs: z.number().int().min(0),
        singleProjectRooms: z.number().int().min(0),
      })
      .strict(),
  })
  .strict();
export type DrawResult = z.infer<typeof drawResultSchema>;

/** Why a day cannot be drawn: one entry per failing project, in words an operator can act on. */
export const DRAW_FAILURE_REASONS = ['too_few_experts', 'too_few_booths', 'adjacency_impossible'] as const;
export const drawFailureSchema = z
  .object({
    project: idSchema,
    reason: z.enum(DRAW_FAILURE_REASONS),
    specialty: z.string().optional(),
    needed: z.number().int(),
    available: z.number().int(),
    message: z.string(),
  })
  .strict();
export type DrawFailure = z.infer<typeof drawFailureSchema>;
