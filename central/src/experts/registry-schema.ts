import { z } from 'zod';
import { idSchema } from '@kawei/shared/domain/topology.ts';
import { isValidIdNumber } from '@kawei/shared/devices/idcard/idcard-text.ts';
import { QUALITY_REASONS } from '@kawei/shared/face/face-types.ts';
import { bilingual, messagePair, type MessagePair } from '@kawei/shared/i18n/bilingual.ts';

/**
 * The expert face registry the trading centre keeps (docs/DRAW.md, "Faces for the gates"):
 *
 *     DIR/experts.json         [{ "id": "E101", "name": "张明远", "idNumber": "110101…" }, …]
 *     DIR/photos/<id>/*.jpg    registration photos (JPEG, PNG or WebP), one person each
 *
 * Ids are the experts' ids in day.json. The name and ID number never leave the central as they are:
 * gates get the name masked (张*远) and the ID number as a salted hash.
 */

export const REGISTRY_FILE = 'experts.json';
export const PHOTOS_DIR = 'photos';

export const registryExpertSchema = z
  .object({
    id: idSchema,
    name: z.string().trim().min(1).max(32),
    /** 18-character resident ID number (居民身份证号码) with a valid check character. */
    idNumber: z
      .string()
      .trim()
      .transform((s) => s.toUpperCase())
      .refine(isValidIdNumber, bilingual('experts.badIdNumber'))
      .optional(),
  })
  .strict();
export type RegistryExpert = z.infer<typeof registryExpertSchema>;

export const registryFileSchema = z.array(registryExpertSchema).superRefine((experts, ctx) => {
  const seen = new Set<string>();
  experts.forEach((e, i) => {
    if (seen.has(e.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: bilingual('experts.duplicateId', { id: e.id }) });
    seen.add(e.id);
  });
});

/** A registry that cannot be read as it stands: said in Chinese, then English. Nothing is changed. */
export class ExpertRegistryError extends Error {
  override readonly name = 'ExpertRegistryError';
  constructor(
    readonly chinese: string,
    english: string,
    options?: ErrorOptions,
  ) {
    super(english, options);
  }

  /** The error saying `pair` (from the catalogue, maybe with a detail). */
  static of(pair: MessagePair, options?: ErrorOptions): ExpertRegistryError {
    return new ExpertRegistryError(pair.zh, pair.en, options);
  }
}

/**
 * Why a registration photo was not used: it cannot be decoded (corrupt, not JPEG/PNG/WebP, too many
 * pixels or bytes), the face runtime failed on it (not cached; tried again next time), or the face
 * pipeline's own quality reasons.
 */
export const PHOTO_REFUSALS = ['unreadable', 'unsupported_format', 'image_too_large', 'face_runtime_error', ...QUALITY_REASONS] as const;
export type PhotoRefusal = (typeof PHOTO_REFUSALS)[number];

/** For the operator reading the publish summary: what is wrong with the photo and what to do. */
export const PHOTO_REFUSAL_TEXT: Readonly<Record<PhotoRefusal, MessagePair>> = Object.fromEntries(
  PHOTO_REFUSALS.map((reason) => [reason, messagePair(`experts.refusal.${reason}`)]),
) as Record<PhotoRefusal, MessagePair>;
