import { readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { FacePipeline } from './face-pipeline.node.ts';
import { padEdge } from './image.ts';
import { readImageFile } from './image-decode.node.ts';
import { cosineSimilarity } from './matching.ts';
import { allPairScores, type LabelledEmbedding, type VerificationReport, verificationReport } from './metrics.ts';

/** Embedding a labelled folder `DIR/<person>/<image>` and scoring all its pairs (eval CLI, bench, tests). */

const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png']);

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

/** Embeds every image; an image with several faces contributes its largest. */
export async function embedLabelledImages(pipeline: FacePipeline, images: readonly LabelledImage[], options: EmbedOptions = {}): Promise<EmbeddedSet> {
  const pad = options.pad ?? 0.5;
  const items: EmbeddedSet['items'] = [];
  const failed: EmbeddedSet['failed'] = [];
  for (const { person, file } of images) {
    try {
      const raw = readImageFile(file);
      const image = pad > 0 ? padEdge(raw, Math.round(pad * Math.max(raw.width, raw.height))) : raw;
      const { faces } = await pipeline.describeStill(image);
      const largest = faces[0];
      if (!largest) failed.push({ file, reason: 'no_face' });
      else items.push({ person, file, embedding: largest.embedding });
    } catch (error) {
      failed.push({ file, reason: (error as Error).message });
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
