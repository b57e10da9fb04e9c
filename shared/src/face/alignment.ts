import type { FaceObservation, Point3, RgbaImage } from './face-types.ts';

/**
 * 5-point similarity alignment: the face is rotated, scaled and shifted (no shear, no reflection) so
 * that its eye centres, nose tip and mouth corners land as close as possible (least squares) to where
 * the recognition network expects them in a 150×150 chip.
 *
 * Pure maths on plain arrays: the same code runs in Node and in the renderer.
 */

export type Point2 = readonly [x: number, y: number];

/** x' = a·x − b·y + tx, y' = b·x + a·y + ty (a = s·cos θ, b = s·sin θ). */
export interface Similarity {
  readonly a: number;
  readonly b: number;
  readonly tx: number;
  readonly ty: number;
}

/** Side of the aligned chip the recognition network takes. */
export const CHIP_SIZE = 150;

/**
 * Where the five points sit in the 150×150 chip, in image order (image-left eye first). Derived from
 * dlib's mean face shape (`get_face_chip_details`, the alignment the dlib ResNet / face-api network was
 * trained with) with its default padding of 0.25: pixel = (mean + 0.25) / 1.5 × 150.
 *   eye centre = mean of the six eye-contour points (dlib 36–41 and 42–47),
 *   nose tip = dlib 30, mouth corners = dlib 48 and 54.
 */
export const CHIP_TEMPLATE: readonly Point2[] = [
  [47.549, 46.599], // eye on the image's left (the person's right eye)
  [100.476, 46.599], // eye on the image's right
  [74.013, 76.563], // nose tip
  [50.415, 103.023], // mouth corner, image left
  [97.61, 103.023], // mouth corner, image right
];

/**
 * MediaPipe FaceMesh indices for the five points. Eyes: the mean of the eye-contour ring (16 points
 * each), which is steadier than the two corners alone. Nose tip 1, mouth corners 61 and 291.
 */
export const MESH_EYE_IMAGE_LEFT = [33, 7, 163, 144, 145, 153, 154, 155, 133, 173, 157, 158, 159, 160, 161, 246] as const;
export const MESH_EYE_IMAGE_RIGHT = [263, 249, 390, 373, 374, 380, 381, 382, 362, 398, 384, 385, 386, 387, 388, 466] as const;
export const MESH_NOSE_TIP = 1;
export const MESH_MOUTH_IMAGE_LEFT = 61;
export const MESH_MOUTH_IMAGE_RIGHT = 291;

function meshPoint(mesh: readonly Point3[], index: number): Point3 {
  const p = mesh[index];
  if (!p) throw new Error(`mesh has no point ${index} (got ${mesh.length} points; 468 expected)`);
  return p;
}

function meanOf(mesh: readonly Point3[], indices: readonly number[]): Point2 {
  let x = 0;
  let y = 0;
  for (const i of indices) {
    const p = meshPoint(mesh, i);
    x += p[0];
    y += p[1];
  }
  return [x / indices.length, y / indices.length];
}

/** The five alignment points of a FaceMesh, in CHIP_TEMPLATE order. */
export function fivePointsFromMesh(mesh: readonly Point3[]): Point2[] {
  const nose = meshPoint(mesh, MESH_NOSE_TIP);
  const ml = meshPoint(mesh, MESH_MOUTH_IMAGE_LEFT);
  const mr = meshPoint(mesh, MESH_MOUTH_IMAGE_RIGHT);
  return [meanOf(mesh, MESH_EYE_IMAGE_LEFT), meanOf(mesh, MESH_EYE_IMAGE_RIGHT), [nose[0], nose[1]], [ml[0], ml[1]], [mr[0], mr[1]]];
}

/**
 * Least-squares similarity mapping `from[i]` onto `to[i]` (Umeyama without reflection, closed form
 * for 2-D): centre both sets, then a = Σ(p·q)/Σ|p|², b = Σ(p×q)/Σ|p|², t = q̄ − R·p̄.
 */
export function estimateSimilarity(from: readonly Point2[], to: readonly Point2[]): Similarity {
  if (from.length !== to.length || from.length < 2) throw new Error('estimateSimilarity needs ≥ 2 matching point pairs');
  const n = from.length;
  let fx = 0;
  let fy = 0;
  let tx = 0;
  let ty = 0;
  for (let i = 0; i < n; i++) {
    const p = from[i] as Point2;
    const q = to[i] as Point2;
    fx += p[0];
    fy += p[1];
    tx += q[0];
    ty += q[1];
  }
  fx /= n;
  fy /= n;
  tx /= n;
  ty /= n;
  let dot = 0;
  let cross = 0;
  let norm = 0;
  for (let i = 0; i < n; i++) {
    const p = from[i] as Point2;
    const q = to[i] as Point2;
    const px = p[0] - fx;
    const py = p[1] - fy;
    const qx = q[0] - tx;
    const qy = q[1] - ty;
    dot += px * qx + py * qy;
    cross += px * qy - py * qx;
    norm += px * px + py * py;
  }
  if (norm === 0) throw new Error('estimateSimilarity: the source points all coincide');
  const a = dot / norm;
  const b = cross / norm;
  return { a, b, tx: tx - (a * fx - b * fy), ty: ty - (b * fx + a * fy) };
}

export function applySimilarity(s: Similarity, p: Point2): Point2 {
  return [s.a * p[0] - s.b * p[1] + s.tx, s.b * p[0] + s.a * p[1] + s.ty];
}

export function invertSimilarity(s: Similarity): Similarity {
  const d = s.a * s.a + s.b * s.b;
  if (d === 0) throw new Error('invertSimilarity: degenerate transform (scale 0)');
  const a = s.a / d;
  const b = -s.b / d;
  return { a, b, tx: -(a * s.tx - b * s.ty), ty: -(b * s.tx + a * s.ty) };
}

/** Scale and rotation (degrees) of a similarity, for logs and tests. */
export function describeSimilarity(s: Similarity): { scale: number; rotationDeg: number } {
  return { scale: Math.hypot(s.a, s.b), rotationDeg: (Math.atan2(s.b, s.a) * 180) / Math.PI };
}

/**
 * Resamples `image` through the similarity `imageToChip` into a size×size RGBA chip (bilinear;
 * outside the image the nearest edge pixel is repeated). Coordinates are continuous pixels, so the
 * centre of output pixel (u, v) is (u + 0.5, v + 0.5).
 */
export function warpSimilarity(image: RgbaImage, imageToChip: Similarity, size = CHIP_SIZE): RgbaImage {
  const inv = invertSimilarity(imageToChip);
  const { width: w, height: h, data: src } = image;
  const out = new Uint8ClampedArray(size * size * 4);
  for (let v = 0; v < size; v++) {
    for (let u = 0; u < size; u++) {
      const cx = u + 0.5;
      const cy = v + 0.5;
      // source position in index space (pixel centres at integers)
      const x = inv.a * cx - inv.b * cy + inv.tx - 0.5;
      const y = inv.b * cx + inv.a * cy + inv.ty - 0.5;
      const x0 = Math.floor(x);
      const y0 = Math.floor(y);
      const fx = x - x0;
      const fy = y - y0;
      const xa = x0 < 0 ? 0 : x0 >= w ? w - 1 : x0;
      const xb = x0 + 1 < 0 ? 0 : x0 + 1 >= w ? w - 1 : x0 + 1;
      const ya = y0 < 0 ? 0 : y0 >= h ? h - 1 : y0;
      const yb = y0 + 1 < 0 ? 0 : y0 + 1 >= h ? h - 1 : y0 + 1;
      const i00 = (ya * w + xa) * 4;
      const i01 = (ya * w + xb) * 4;
      const i10 = (yb * w + xa) * 4;
      const i11 = (yb * w + xb) * 4;
      const o = (v * size + u) * 4;
      for (let c = 0; c < 4; c++) {
        const top = (src[i00 + c] as number) * (1 - fx) + (src[i01 + c] as number) * fx;
        const bottom = (src[i10 + c] as number) * (1 - fx) + (src[i11 + c] as number) * fx;
        out[o + c] = top * (1 - fy) + bottom * fy;
      }
    }
  }
  return { width: size, height: size, data: out };
}

/** The similarity taking a face's mesh to the chip template. */
export function chipTransformFor(face: Pick<FaceObservation, 'mesh'>): Similarity {
  return estimateSimilarity(fivePointsFromMesh(face.mesh), CHIP_TEMPLATE);
}

/** The 150×150 aligned chip of one observed face. */
export function alignFace(image: RgbaImage, face: Pick<FaceObservation, 'mesh'>): RgbaImage {
  return warpSimilarity(image, chipTransformFor(face), CHIP_SIZE);
}
