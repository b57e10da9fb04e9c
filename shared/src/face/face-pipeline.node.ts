import type { FaceObservation, FrameObservation, Point3, RgbaImage } from './face-types.ts';
import { alignFace } from './alignment.ts';
import { createMeshDetector, type MeshDetector, type ObserveOptions } from './face-mesh.ts';
import {
  type FaceBackend,
  faceBackendGeneration,
  faceBackendHealthy,
  faceModelPaths,
  graphModelFromDisk,
  initFaceBackend,
  isRuntimeFailure,
  resetFaceBackend,
  weightMapFromDisk,
} from './face-models.node.ts';
import { downscaleArea } from './image.ts';
import { FACE_EMBEDDING_MODEL } from './models.ts';
import { createRecognitionNet, type RecognitionNet } from './recognition-net.ts';
import { bilingual, messagePair } from '../i18n/bilingual.ts';

/**
 * The trusted-side face pipeline: detector + 468-point FaceMesh → FrameObservation; 5-point alignment
 * from the mesh → chip → unit embedding. Load once per process (≈ 1 s) and reuse.
 *
 * No image can break it for later calls:
 * - images are bounded before tfjs: a longer side over MAX_ANALYSIS_SIDE is box-filtered down by an
 *   integer factor and the observations are scaled back to the caller's coordinates;
 * - a WebAssembly failure (Emscripten `Aborted()`, "memory access out of bounds") or a backend that no
 *   longer computes 1 + 1 replaces the wasm backend (`resetFaceBackend`), reloads the models and runs
 *   the call once more; if that fails too, the call throws FaceRuntimeError and the next call starts
 *   on a fresh backend again.
 */

/** Longer side the detector and mesh see at most; larger images are shrunk first (≈ 12 MB of int32 RGB). */
export const MAX_ANALYSIS_SIDE = 2048;

export interface FacePipelineOptions {
  /** Default `<repo>/resources/models`. */
  modelsDir?: string;
  /** Default 'wasm'. 'cpu' exists as the benchmark baseline. */
  backend?: FaceBackend;
  /** Faces looked for per frame (default 4). */
  maxFaces?: number;
}

/** One face of a still image with its embedding. */
export interface DescribedFace {
  readonly face: FaceObservation;
  readonly embedding: Float32Array;
}

export interface StillOptions {
  /**
   * 'near' (default): the short-range detector (selfie distance). 'any': also the full-range detector,
   * for photos (registration, ID card, evaluation) where a face may be small or a second face far back.
   */
  range?: 'near' | 'any';
}

export interface FacePipeline {
  /** Model id stored with templates (FaceTemplate.model). */
  readonly model: string;
  /** Detector + mesh on one frame. `still: true` for unrelated images (resets tracking). */
  observe(image: RgbaImage, options?: ObserveOptions): Promise<FrameObservation>;
  /** Unit-length embeddings of observed faces of `image` (one batch). */
  embed(image: RgbaImage, faces: readonly FaceObservation[]): Float32Array[];
  /** Observe a still and embed every face found, largest first. */
  describeStill(image: RgbaImage, options?: StillOptions): Promise<{ frame: FrameObservation; faces: DescribedFace[] }>;
  dispose(): void;
}

/** The face runtime failed on this call and was restarted; the next call runs on a fresh backend. */
export class FaceRuntimeError extends Error {
  override readonly name = 'FaceRuntimeError';
  readonly chinese = messagePair('face.runtime.failed').zh;
  constructor(detail: string, options?: ErrorOptions) {
    super(`${bilingual('face.runtime.failed')} (${detail})`, options);
  }
}

interface Loaded {
  generation: number;
  mesh: MeshDetector;
  net: RecognitionNet;
}

/** The image the models see (longer side ≤ MAX_ANALYSIS_SIDE) and the factor back to the caller's pixels. */
export function boundForAnalysis(image: RgbaImage, maxSide: number = MAX_ANALYSIS_SIDE): { image: RgbaImage; factor: number } {
  const longer = Math.max(image.width, image.height);
  if (longer <= maxSide) return { image, factor: 1 };
  const factor = Math.ceil(longer / maxSide);
  return { image: downscaleArea(image, factor), factor };
}

function scaleFace(face: FaceObservation, k: number): FaceObservation {
  if (k === 1) return face;
  const mesh = face.mesh.map(([x, y, z]) => [x * k, y * k, z * k] as Point3);
  return { ...face, mesh, box: { x: face.box.x * k, y: face.box.y * k, width: face.box.width * k, height: face.box.height * k } };
}

function area(face: FaceObservation): number {
  return face.box.width * face.box.height;
}

export async function loadFacePipeline(options: FacePipelineOptions = {}): Promise<FacePipeline> {
  await initFaceBackend(options.backend ?? 'wasm');
  const paths = faceModelPaths(options.modelsDir);

  const load = async (): Promise<Loaded> => {
    const generation = faceBackendGeneration();
    const mesh = await createMeshDetector({
      detectorModel: graphModelFromDisk(paths.detector),
      meshModel: graphModelFromDisk(paths.mesh),
      fullRangeDetectorModel: graphModelFromDisk(paths.fullRangeDetector),
      maxFaces: options.maxFaces ?? 4,
    });
    const net = createRecognitionNet(weightMapFromDisk(paths.recognition));
    return { generation, mesh, net };
  };
  const release = (m: Loaded) => {
    try {
      m.mesh.dispose();
      m.net.dispose();
    } catch {
      // tensors of a replaced backend are already gone
    }
  };

  let loaded: Loaded = await load();
  let reloading: Promise<Loaded> | undefined;
  let disposed = false;

  /** The models on the current backend, reloaded when another pipeline (or this one) replaced it. */
  const current = async (): Promise<Loaded> => {
    if (reloading) return reloading;
    if (loaded.generation === faceBackendGeneration()) return loaded;
    reloading = (async () => {
      release(loaded);
      loaded = await load();
      return loaded;
    })().finally(() => {
      reloading = undefined;
    });
    return reloading;
  };
  const restart = async (): Promise<void> => {
    await resetFaceBackend();
    await current();
  };

  /** Runs `work`; after a runtime failure, restarts the backend and tries once more. */
  const guarded = async <T>(work: (m: Loaded) => Promise<T>): Promise<T> => {
    if (disposed) throw new Error('face pipeline disposed');
    try {
      return await work(await current());
    } catch (error) {
      if (!isRuntimeFailure(error) && (await faceBackendHealthy())) throw error;
      await restart();
      try {
        return await work(await current());
      } catch (second) {
        if (isRuntimeFailure(second) || !(await faceBackendHealthy())) await restart().catch(() => undefined);
        throw new FaceRuntimeError(second instanceof Error ? second.message : String(second), { cause: second });
      }
    }
  };

  const observeBounded = async (m: Loaded, image: RgbaImage, observeOptions?: ObserveOptions): Promise<FrameObservation> => {
    const bounded = boundForAnalysis(image);
    const frame = await m.mesh.observe(bounded.image, observeOptions);
    if (bounded.factor === 1) return frame;
    return { ...frame, width: image.width, height: image.height, faces: frame.faces.map((f) => scaleFace(f, bounded.factor)) };
  };

  const embedWith = (m: Loaded, image: RgbaImage, faces: readonly FaceObservation[]): Float32Array[] => {
    const bounded = boundForAnalysis(image);
    const inBounded = bounded.factor === 1 ? faces : faces.map((f) => scaleFace(f, 1 / bounded.factor));
    return m.net.embed(inBounded.map((face) => alignFace(bounded.image, face)));
  };

  return {
    model: FACE_EMBEDDING_MODEL,
    observe: (image, observeOptions) => guarded((m) => observeBounded(m, image, observeOptions)),
    embed(image, faces) {
      if (disposed) throw new Error('face pipeline disposed');
      if (reloading || loaded.generation !== faceBackendGeneration()) {
        void current();
        throw new FaceRuntimeError('models are being reloaded');
      }
      try {
        return embedWith(loaded, image, faces);
      } catch (error) {
        if (!isRuntimeFailure(error)) throw error;
        void restart().catch(() => undefined);
        throw new FaceRuntimeError((error as Error).message, { cause: error });
      }
    },
    describeStill(image, stillOptions = {}) {
      return guarded(async (m) => {
        const frame = await observeBounded(m, image, { still: true, range: stillOptions.range ?? 'near' });
        const faces = [...frame.faces].sort((a, b) => area(b) - area(a));
        const embeddings = embedWith(m, image, faces);
        return { frame, faces: faces.map((face, i) => ({ face, embedding: embeddings[i] as Float32Array })) };
      });
    },
    dispose() {
      disposed = true;
      release(loaded);
    },
  };
}
