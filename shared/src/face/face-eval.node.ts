import { readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { FacePipeline } from './face-pipeline.node.ts';
import { padEdge } from './image.ts';
import { FaceRuntimeError } from './face-pipeline.node.ts';
import { ImageDecodeError, readPhotoFile } from './image-decode.node.ts';
import { cosineSimilarity } from './matching.ts';
import { allPairScores, type LabelledEmbedding, type VerificationReport, verificationReport } from './metrics.ts';

/** Embedding a labelled folder `DIR/<person>/<image>` and scoring all its pairs (eval CLI, bench, tests). */

// unsupported formats are listed too, so that they are reported as skipped rather than silently ignored
const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp', '.gif', '.tif', '.tiff', '.bmp', '.heic', '.heif', '.avif']);

export interface LabelledImage {
  person: string;
  file: string;
}

export function listLabelledImages(dir: string): LabelledImage[] {
  const out: LabelledImage[] = [];
  for (const person of readdirSync(dir).sort()) {
    const personDir = join(dir, person);
    if (!statSync(personDir).isDirectory()) continue;
    for (const name of readdirSync(personDir).sort()) {
      if (IMAGE_EXTENSIONS.has(extname(name).toLowerCase())) out.push({ person, file: join(personDir, name) });
    }
  }
  return out;
}

export interface EmbedOptions {
  /**
   * Edge padding added on every side, as a fraction of the image's longer side, before detection.
   * Tight face crops (like the development set) need it: 0.5 makes the face half the padded width.
   * Use 0 for ordinary photos where the face is already a small part of the frame.
   */
  pad?: number;
}

export interface EmbeddedSet {
  items: (LabelledEmbedding & { file: string })[];
  /** Images with no face found (or unreadable), with the reason. */
  failed: { file: string; reason: string }[];
}

/**
 * Embeds every image; never throws for one image. An image is skipped, with the reason, when it cannot
 * be decoded (`unreadable`, `unsupported_format`, `too_large`), shows no face (`no_face`), shows several
 * faces of similar size so that which one is meant is unclear (`several_faces`), or the face runtime
 * failed on it (`face_runtime_error`; the runtime restarts itself and the next image runs normally).
 * Faces are looked for at any distance (full-range detector); a photo with one main face and much
 * smaller faces behind contributes its main face.
 */
export async function embedLabelledImages(pipeline: FacePipeline, images: readonly LabelledImage[], options: EmbedOptions = {}): Promise<EmbeddedSet> {
  const pad = options.pad ?? 0.5;
  const items: EmbeddedSet['items'] = [];
  const failed: EmbeddedSet['failed'] = [];
  for (const { person, file } of images) {
    try {
      const raw = await readPhotoFile(file);
      const image = pad > 0 ? padEdge(raw, Math.round(pad * Math.max(raw.width, raw.height))) : raw;
      const { faces } = await pipeline.describeStill(image, { range: 'any' });
      const [largest, second] = faces;
      const size = (f: typeof largest) => (f ? f.face.box.width : 0);
      if (!largest) failed.push({ file, reason: 'no_face' });
      else if (second && size(second) > 0.7 * size(largest)) failed.push({ file, reason: `several_faces (${faces.length})` });
      else items.push({ person, file, embedding: largest.embedding });
    } catch (error) {
      if (error instanceof ImageDecodeError) failed.push({ file, reason: `${error.reason}: ${error.message}` });
      else if (error instanceof FaceRuntimeError) failed.push({ file, reason: `face_runtime_error: ${error.message}` });
      else failed.push({ file, reason: `error: ${(error as Error).message}` });
    }
  }
  return { items, failed };
}

export type EvaluationReport = VerificationReport & { images: number; people: number; failed_images: EmbeddedSet['failed'] };

export function evaluateEmbeddedSet(set: EmbeddedSet): EvaluationReport {
  const scores = allPairScores(set.items, cosineSimilarity);
  return {
    ...verificationReport(scores),
    images: set.items.length,
    people: new Set(set.items.map((i) => i.person)).size,
    failed_images: set.failed,
  };
}
