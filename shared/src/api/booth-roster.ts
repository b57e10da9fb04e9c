/**
 * What the central sends a booth for the day, as downstream sync messages (next to `roster.booth`,
 * which names the expert seated there, the code name, the project and whether it is blind):
 *
 * - `faces.booth`: the seated expert's face template, for the 1:1 login and the re-checks. Nothing
 *   else about the person.
 * - `project.booth`: the project's evaluation material for the booths seated on it: criteria with
 *   maximum points, the bidders (code and real name — the booth's trusted side needs the names to
 *   cover them in blind mode; they never reach its renderer), the schedule, and the tender files by
 *   content hash. Files themselves are fetched by the booth over device-authenticated HTTP
 *   (`BOOTH_FILE_PATH`) and checked against the hash; a message never carries a PDF.
 */
import { z } from 'zod';
import { imageRedactionSchema, MAX_IMAGE_REDACTIONS, type ImageRedaction } from '../tender/image-redaction.ts';
import { evaluationRulesSchema, openingBidSchema } from '../committee/evaluation-rules.ts';

export const ROSTER_BOOTH_MESSAGE = 'roster.booth';
export const FACES_BOOTH_MESSAGE = 'faces.booth';
export const PROJECT_BOOTH_MESSAGE = 'project.booth';

/** GET, device-authenticated: the bytes of one tender file of a project this booth is seated on. */
export const BOOTH_FILE_PATH = '/api/device/files/:sha256';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);

/** As central/src/draw/rosters.ts sends it. */
export const boothRosterPayloadSchema = z.object({
  date: isoDate,
  seed: z.string(),
  expert: z.string().min(1),
  codename: z.string().min(1),
  project: z.string().min(1),
  blind: z.union([z.literal(0), z.literal(1)]),
  room: z.string().min(1),
  label: z.string().min(1),
});
export type BoothRosterPayload = z.infer<typeof boothRosterPayloadSchema>;

export const facesBoothPayloadSchema = z.object({
  date: isoDate,
  expert: z.string().min(1),
  /** FACE_EMBEDDING_MODEL of the pipeline that made it. */
  model: z.string().min(1),
  /** Base64 of 128 little-endian float32 (see gate-roster.ts encodeEmbedding). */
  embedding: z.string().min(8).max(4096),
});
export type FacesBoothPayload = z.infer<typeof facesBoothPayloadSchema>;

export const projectCriterionSchema = z.object({ id: z.string().min(1).max(64), name: z.string().min(1).max(64), max: z.number().positive().max(1000) });

export const projectBidderSchema = z.object({
  /** A, B, C …: what the expert sees in blind mode. */
  code: z.string().min(1).max(16),
  name: z.string().min(1).max(200),
  /** Other spellings of the name found in the files (short names, English names). */
  aliases: z.array(z.string().min(2).max(200)).default([]),
});

export { imageRedactionSchema, type ImageRedaction };

export const projectFileSchema = z.object({
  sha256: sha256Hex,
  bytes: z.number().int().positive(),
  bidder: z.string().min(1).max(16),
  /** The document's title as filed (may contain the bidder's name: trusted side only). */
  title: z.string().min(1).max(300),
  /** Blind projects: names the central's OCR found inside page images (absent: none found, or no OCR). */
  imageRedactions: z.array(imageRedactionSchema).max(MAX_IMAGE_REDACTIONS).optional(),
});

export const projectBoothPayloadSchema = z.object({
  date: isoDate,
  project: z.string().min(1),
  /** The public title of the project (the tender, not a bidder). */
  title: z.string().min(1).max(300),
  blind: z.boolean(),
  startsAt: z.number().int().nullable(),
  endsAt: z.number().int().nullable(),
  /**
   * Plain scoring criteria (before issue #13). With `rules` they mirror the scoring items (what an
   * older booth would show) and may be empty: a lowest-price project has nothing to score.
   */
  criteria: z.array(projectCriterionSchema),
  bidders: z.array(projectBidderSchema).min(1),
  files: z.array(projectFileSchema),
  /**
   * The evaluation method and rules (committee/evaluation-rules.ts). Absent in material published
   * before issue #13: the booth then reviews under rulesFromCriteria(criteria) (no preliminary
   * items, every criterion a subjective item), as it always did.
   */
  rules: evaluationRulesSchema.optional(),
  /** The opening record (开标记录): every bid by code with its price. Absent before issue #13. */
  bids: z.array(openingBidSchema).optional(),
}).refine((p) => p.criteria.length > 0 || p.rules !== undefined, { message: 'a project needs criteria or rules', path: ['criteria'] });
export type ProjectBoothPayload = z.infer<typeof projectBoothPayloadSchema>;
