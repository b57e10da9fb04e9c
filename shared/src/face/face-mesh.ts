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

export async function createMeshDetector(options: MeshDetectorOptions): Promise<MeshDetector> {
  const detector = await faceLandmarksDetection.createDetector(faceLandmarksDetection.SupportedModels.MediaPipeFaceMesh, {
    runtime: 'tfjs',
    // 478 points (with irises) use an int32 BatchMatMul the wasm backend rejects; 468 are enough
    refineLandmarks: false,
    maxFaces: options.maxFaces ?? 4,
    detectorModelUrl: options.detectorModel,
    landmarkModelUrl: options.meshModel,
  });

  return {
    async observe(image, { still = false, t } = {}) {
      if (still) detector.reset();
      const input = rgbTensor(image);
      let faces: faceLandmarksDetection.Face[];
      try {
        faces = await detector.estimateFaces(input, { flipHorizontal: false, staticImageMode: still });
      } finally {
        input.dispose();
      }
      const observed: FaceObservation[] = [];
      for (const face of faces) {
        if (face.keypoints.length < MESH_POINTS) continue;
        const mesh: Point3[] = face.keypoints.slice(0, MESH_POINTS).map((k) => [k.x, k.y, k.z ?? 0] as const);
        // The tfjs FaceMesh keeps a face only when its face-flag ≥ 0.5 and does not report the flag;
        // the detector score is not passed through either. 1 = "kept by both models".
        observed.push({ box: boxOf(mesh), mesh, score: 1 });
      }
      return { t: t ?? performance.now(), width: image.width, height: image.height, faces: observed };
    },
    reset() {
      detector.reset();
    },
    dispose() {
      detector.dispose();
    },
  };
}
