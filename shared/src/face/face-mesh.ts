import * as faceDetection from '@tensorflow-models/face-detection';
import * as faceLandmarksDetection from '@tensorflow-models/face-landmarks-detection';
import * as tf from '@tensorflow/tfjs-core';
import type { io } from '@tensorflow/tfjs-core';
import type { Box, FaceObservation, FrameObservation, Point3, RgbaImage } from './face-types.ts';

/**
 * Face detector + 468-point FaceMesh (MediaPipe graphs through @tensorflow-models/face-landmarks-
 * detection, tfjs runtime) → FrameObservation. Runs in Node and in the renderer; where the model
 * files come from is the caller's business (an IOHandler reading disk in Node, a URL of our own host
 * in the renderer). The tfjs backend must be ready before `createMeshDetector`.
 */

export interface MeshDetectorOptions {
  detectorModel: string | io.IOHandler;
  meshModel: string | io.IOHandler;
  /** Faces looked for per frame; the gate wants to know about a second person, so default 4. */
  maxFaces?: number;
  /**
   * MediaPipe's full-range detector (192×192, faces at any distance). When given, `observe` with
   * `range: 'any'` also finds faces the short-range detector misses (small faces in a phone or press
   * photo) and measures each with FaceMesh on a crop around it.
   */
  fullRangeDetectorModel?: string | io.IOHandler;
}

export interface ObserveOptions {
  /**
   * An unrelated still (a registration photo, a test image): forget the face regions tracked from the
   * previous frame first. The library otherwise reuses them and misses or misplaces the face.
   * Camera frames in sequence pass false (the default) and get tracking.
   */
  still?: boolean;
  /** Timestamp for the observation; performance.now() when absent. */
  t?: number;
  /**
   * 'near' (default): the short-range detector only (selfie distance, camera frames). 'any': also the
   * full-range detector (needs `fullRangeDetectorModel`), for photos where faces may be small. Implies
   * still-image handling for the extra faces.
   */
  range?: 'near' | 'any';
}

export interface MeshDetector {
  observe(image: RgbaImage, options?: ObserveOptions): Promise<FrameObservation>;
  /** Forget tracked face regions (start of a new camera session). */
  reset(): void;
  dispose(): void;
}

export const MESH_POINTS = 468;

function rgbTensor(image: RgbaImage): tf.Tensor3D {
  const { width, height, data } = image;
  if (data.length !== width * height * 4) throw new Error(`RGBA image ${width}×${height} has ${data.length} bytes`);
  const rgb = new Int32Array(width * height * 3);
  for (let i = 0, j = 0; j < data.length; i += 3, j += 4) {
    rgb[i] = data[j] as number;
    rgb[i + 1] = data[j + 1] as number;
    rgb[i + 2] = data[j + 2] as number;
  }
  return tf.tensor3d(rgb, [height, width, 3], 'int32');
}

function boxOf(mesh: readonly Point3[]): Box {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const [x, y] of mesh) {
    if (x < x0) x0 = x;
    if (y < y0) y0 = y;
    if (x > x1) x1 = x;
    if (y > y1) y1 = y;
  }
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/** Intersection over the smaller box: a face found twice overlaps itself almost completely. */
function overlap(a: Box, b: Box): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  if (w <= 0 || h <= 0) return 0;
  return (w * h) / Math.min(a.width * a.height, b.width * b.height);
}

/** A copy of `image`'s rectangle (zero outside), as RGB int32, scaled by `scale` (nearest pixel: a crop is small). */
function cropTensor(image: RgbaImage, x0: number, y0: number, side: number, out: number): tf.Tensor3D {
  const rgb = new Int32Array(out * out * 3);
  const k = side / out;
  for (let v = 0; v < out; v++) {
    const sy = Math.floor(y0 + (v + 0.5) * k);
    if (sy < 0 || sy >= image.height) continue;
    for (let u = 0; u < out; u++) {
      const sx = Math.floor(x0 + (u + 0.5) * k);
      if (sx < 0 || sx >= image.width) continue;
      const s = (sy * image.width + sx) * 4;
      const d = (v * out + u) * 3;
      rgb[d] = image.data[s] as number;
      rgb[d + 1] = image.data[s + 1] as number;
      rgb[d + 2] = image.data[s + 2] as number;
    }
  }
  return tf.tensor3d(rgb, [out, out, 3], 'int32');
}

/** Side of the square crop handed to FaceMesh around a far face, as a multiple of the detector's box. */
const FAR_CROP_FACTOR = 2.6;
/** Pixels of that crop: the face comes out ≈ 190 px wide, as at selfie distance. */
const FAR_CROP_PIXELS = 480;

export async function createMeshDetector(options: MeshDetectorOptions): Promise<MeshDetector> {
  const maxFaces = options.maxFaces ?? 4;
  const detector = await faceLandmarksDetection.createDetector(faceLandmarksDetection.SupportedModels.MediaPipeFaceMesh, {
    runtime: 'tfjs',
    // 478 points (with irises) use an int32 BatchMatMul the wasm backend rejects; 468 are enough
    refineLandmarks: false,
    maxFaces,
    detectorModelUrl: options.detectorModel,
    landmarkModelUrl: options.meshModel,
  });
  const far = options.fullRangeDetectorModel
    ? await faceDetection.createDetector(faceDetection.SupportedModels.MediaPipeFaceDetector, {
        runtime: 'tfjs',
        modelType: 'full',
        maxFaces,
        detectorModelUrl: options.fullRangeDetectorModel,
      })
    : undefined;

  const meshOf = (face: faceLandmarksDetection.Face, map: (x: number, y: number) => [number, number], zScale: number): FaceObservation | null => {
    if (face.keypoints.length < MESH_POINTS) return null;
    const mesh: Point3[] = face.keypoints.slice(0, MESH_POINTS).map((k) => {
      const [x, y] = map(k.x, k.y);
      return [x, y, (k.z ?? 0) * zScale] as const;
    });
    // The tfjs FaceMesh keeps a face only when its face-flag ≥ 0.5 and does not report the flag;
    // the detector score is not passed through either. 1 = "kept by both models".
    return { box: boxOf(mesh), mesh, score: 1 };
  };

  /** Faces the full-range detector finds that `known` does not hold yet, each measured by FaceMesh on a crop. */
  const farFaces = async (image: RgbaImage, input: tf.Tensor3D, known: readonly FaceObservation[]): Promise<FaceObservation[]> => {
    if (!far) throw new Error('observe({ range: "any" }) needs fullRangeDetectorModel');
    const found = await far.estimateFaces(input, { flipHorizontal: false });
    const added: FaceObservation[] = [];
    for (const f of found) {
      const b: Box = { x: f.box.xMin, y: f.box.yMin, width: f.box.width, height: f.box.height };
      if (b.width < 8 || b.height < 8) continue;
      if ([...known, ...added].some((k) => overlap(k.box, b) > 0.4)) continue;
      const side = Math.max(b.width, b.height) * FAR_CROP_FACTOR;
      const x0 = b.x + b.width / 2 - side / 2;
      const y0 = b.y + b.height / 2 - side / 2;
      const out = Math.min(FAR_CROP_PIXELS, Math.max(192, Math.round(side)));
      const k = side / out;
      const cropped = cropTensor(image, x0, y0, side, out);
      let faces: faceLandmarksDetection.Face[];
      try {
        detector.reset();
        faces = await detector.estimateFaces(cropped, { flipHorizontal: false, staticImageMode: true });
      } finally {
        cropped.dispose();
      }
      // the face nearest the crop's centre is the one the full-range detector saw
      let best: FaceObservation | null = null;
      let bestDistance = Infinity;
      for (const face of faces) {
        const obs = meshOf(face, (x, y) => [x0 + x * k, y0 + y * k], k);
        if (!obs) continue;
        const d = Math.hypot(obs.box.x + obs.box.width / 2 - (b.x + b.width / 2), obs.box.y + obs.box.height / 2 - (b.y + b.height / 2));
        if (d < bestDistance) {
          bestDistance = d;
          best = obs;
        }
      }
      if (best && overlap(best.box, b) > 0.3 && ![...known, ...added].some((o) => overlap(o.box, best.box) > 0.4)) added.push(best);
    }
    detector.reset();
    return added;
  };

  return {
    async observe(image, { still = false, t, range = 'near' } = {}) {
      if (still || range === 'any') detector.reset();
      const input = rgbTensor(image);
      const observed: FaceObservation[] = [];
      try {
        const faces = await detector.estimateFaces(input, { flipHorizontal: false, staticImageMode: still || range === 'any' });
        for (const face of faces) {
          const obs = meshOf(face, (x, y) => [x, y], 1);
          if (obs) observed.push(obs);
        }
        if (range === 'any' && observed.length < maxFaces) observed.push(...(await farFaces(image, input, observed)).slice(0, maxFaces - observed.length));
      } finally {
        input.dispose();
      }
      return { t: t ?? performance.now(), width: image.width, height: image.height, faces: observed };
    },
    reset() {
      detector.reset();
    },
    dispose() {
      detector.dispose();
      far?.dispose();
    },
  };
}
