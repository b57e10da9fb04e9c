import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { maskName } from '@kawei/shared/api/gate-roster.ts';
import type { FacePipeline } from '@kawei/shared/face/face-pipeline.node.ts';
import { FaceRuntimeError } from '@kawei/shared/face/face-pipeline.node.ts';
import { decodePhoto, ImageDecodeError, MAX_PHOTO_BYTES } from '@kawei/shared/face/image-decode.node.ts';
import { padEdge } from '@kawei/shared/face/image.ts';
import { meanEmbedding } from '@kawei/shared/face/matching.ts';
import { assessQuality, QUALITY_DEFAULTS, type QualityOptions, toGray } from '@kawei/shared/face/quality.ts';
import { openFaceCache, type CachedPhoto, type FaceCache } from './face-cache.node.ts';
import { ExpertRegistryError, PHOTOS_DIR, type PhotoRefusal } from './registry-schema.ts';
import { THUMBNAIL_HEIGHT, THUMBNAIL_WIDTH, makeThumbnail } from './thumbnail.ts';
import { messagePair } from '@kawei/shared/i18n/bilingual.ts';
import { readRegistryFile } from './registry-file.node.ts';
export { readRegistryFile };

/**
 * Reads the registry folder (registry-schema.ts) and makes each expert's face template: every photo
 * is padded (tight ID-style crops need context for the detector), observed as a still, and used only
 * if it shows exactly one face that passes `assessQuality` (size, centring, pose, light, blur); the
 * template is the unit-length mean of the usable photos' embeddings. Photos not used are reported
 * with the reason. Results per photo are cached, encrypted, in the registry folder (face-cache.node.ts).
 */

export const CACHE_FILE = 'face-cache.sqlite';
export const CACHE_KEY_FILE = 'face-cache.key';
/** Edge padding before detection, as a fraction of the photo's longer side. */
export const DEFAULT_PAD = 0.25;
/** Larger photo files are refused unread (image-decode.node.ts). */
export { MAX_PHOTO_BYTES };
const PHOTO_NAME = /^[^.].*\.(jpe?g|png|webp|gif|tiff?|bmp|heic|heif|avif)$/i; // the unsupported ones get a clear refusal
/**
 * What the pipeline does with a registration photo, part of the cache recipe: a change here makes
 * every cached result stale. v2: sharp decoding (EXIF orientation, WebP, bounded size) and the
 * full-range detector (faces at any distance; a second face anywhere refuses the photo).
 */
const DETECTION_RECIPE = 'sharp-2048/near+full-v2';

export type RegistryPipeline = Pick<FacePipeline, 'model' | 'describeStill'>;

export interface BuildRegistryOptions {
  pad?: number;
  quality?: QualityOptions;
  /** Default DIR/face-cache.sqlite and DIR/face-cache.key (created 0600). */
  cacheFile?: string;
  keyFile?: string;
}

export interface RegisteredExpert {
  readonly id: string;
  readonly name: string;
  readonly maskedName: string;
  readonly idNumber?: string;
  /** Unit-length mean embedding; null when no photo was usable. */
  readonly template: Float32Array | null;
  /** Mean quality score of the photos used. */
  readonly quality: number;
  readonly photosUsed: number;
  readonly photosTotal: number;
  /** JPEG, THUMBNAIL_WIDTH × THUMBNAIL_HEIGHT, of the best photo used. */
  readonly thumbnail: Uint8Array | null;
}

export interface RefusedPhoto {
  readonly expert: string;
  /** Relative to the registry folder: photos/<id>/<file>. */
  readonly file: string;
  readonly reason: PhotoRefusal;
}

export interface FaceRegistry {
  readonly dir: string;
  readonly model: string;
  /** Sorted by id. */
  readonly experts: readonly RegisteredExpert[];
  readonly refused: readonly RefusedPhoto[];
  /** Folders under photos/ that name no expert of experts.json (ignored). */
  readonly strayFolders: readonly string[];
  readonly cache: { readonly hits: number; readonly misses: number };
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function listPhotos(dir: string, id: string): string[] {
  const folder = join(dir, PHOTOS_DIR, id);
  if (!existsSync(folder) || !statSync(folder).isDirectory()) return [];
  return readdirSync(folder)
    .filter((name) => PHOTO_NAME.test(name) && statSync(join(folder, name)).isFile())
    .sort();
}

/**
 * One registration photo through the pipeline: refused with the reason, or its embedding and thumbnail.
 * Phone and ID-card photos: decoded upright (EXIF), bounded in size, faces looked for at any distance
 * (the full-range detector), so a second person anywhere in the photo refuses it as `several_faces`.
 * A face-runtime failure is thrown (FaceRuntimeError), not refused: it says nothing about the photo.
 */
export async function examinePhoto(
  bytes: Uint8Array,
  pipeline: RegistryPipeline,
  pad: number = DEFAULT_PAD,
  quality: QualityOptions = {},
): Promise<CachedPhoto> {
  let image;
  try {
    image = await decodePhoto(bytes);
  } catch (error) {
    if (error instanceof ImageDecodeError) {
      return { ok: false, refusal: error.reason === 'unsupported_format' ? 'unsupported_format' : error.reason === 'too_large' ? 'image_too_large' : 'unreadable' };
    }
    throw error;
  }
  const padded = pad > 0 ? padEdge(image, Math.round(pad * Math.max(image.width, image.height))) : image;
  const { frame, faces } = await pipeline.describeStill(padded, { range: 'any' });
  if (faces.length > 1) return { ok: false, refusal: 'several_faces' };
  const report = assessQuality(frame, toGray(padded), quality);
  const face = faces[0];
  if (!report.ok || !face) return { ok: false, refusal: report.reason ?? 'no_face' };
  return { ok: true, quality: report.score, embedding: face.embedding, thumbnail: makeThumbnail(padded, face.face.box) };
}

export async function buildFaceRegistry(dir: string, pipeline: RegistryPipeline, options: BuildRegistryOptions = {}): Promise<FaceRegistry> {
  const experts = readRegistryFile(dir);
  const pad = options.pad ?? DEFAULT_PAD;
  const quality = options.quality ?? {};
  const recipe = JSON.stringify({ model: pipeline.model, detection: DETECTION_RECIPE, pad, quality: { ...QUALITY_DEFAULTS, ...quality }, thumb: [THUMBNAIL_WIDTH, THUMBNAIL_HEIGHT] });
  let cache: FaceCache;
  try {
    cache = openFaceCache(options.cacheFile ?? join(dir, CACHE_FILE), options.keyFile ?? join(dir, CACHE_KEY_FILE), recipe);
  } catch (error) {
    throw ExpertRegistryError.of(messagePair('experts.cacheUnusable', { reason: (error as Error).message }), { cause: error });
  }

  const out: RegisteredExpert[] = [];
  const refused: RefusedPhoto[] = [];
  let hits = 0;
  let misses = 0;
  try {
    for (const expert of experts) {
      const names = listPhotos(dir, expert.id);
      const used: { embedding: Float32Array; quality: number; thumbnail: Uint8Array }[] = [];
      for (const name of names) {
        const rel = `${PHOTOS_DIR}/${expert.id}/${name}`;
        const path = join(dir, PHOTOS_DIR, expert.id, name);
        if (statSync(path).size > MAX_PHOTO_BYTES) {
          refused.push({ expert: expert.id, file: rel, reason: 'image_too_large' });
          continue;
        }
        const bytes = readFileSync(path);
        const hash = sha256Hex(bytes);
        let result = cache.get(hash);
        if (result) {
          hits++;
        } else {
          misses++;
          try {
            result = await examinePhoto(bytes, pipeline, pad, quality);
          } catch (error) {
            // the runtime restarted itself; this photo is reported and tried afresh next time (not cached)
            if (!(error instanceof FaceRuntimeError)) throw error;
            refused.push({ expert: expert.id, file: rel, reason: 'face_runtime_error' });
            continue;
          }
          cache.put(hash, result);
        }
        if (result.ok) used.push(result);
        else refused.push({ expert: expert.id, file: rel, reason: result.refusal });
      }
      const best = used.reduce<(typeof used)[number] | undefined>((a, b) => (a === undefined || b.quality > a.quality ? b : a), undefined);
      out.push({
        id: expert.id,
        name: expert.name,
        maskedName: maskName(expert.name),
        ...(expert.idNumber !== undefined ? { idNumber: expert.idNumber } : {}),
        template: used.length > 0 ? meanEmbedding(used.map((u) => u.embedding)) : null,
        quality: used.length > 0 ? used.reduce((s, u) => s + u.quality, 0) / used.length : 0,
        photosUsed: used.length,
        photosTotal: names.length,
        thumbnail: best?.thumbnail ?? null,
      });
    }
  } finally {
    cache.close();
  }

  const known = new Set(experts.map((e) => e.id));
  const photosRoot = join(dir, PHOTOS_DIR);
  const strayFolders = existsSync(photosRoot)
    ? readdirSync(photosRoot, { withFileTypes: true })
        .filter((d) => d.isDirectory() && !known.has(d.name))
        .map((d) => d.name)
        .sort()
    : [];
  return { dir, model: pipeline.model, experts: out, refused, strayFolders, cache: { hits, misses } };
}
