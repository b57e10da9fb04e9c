import type { FaceObservation, FrameObservation, RgbaImage } from './face-types.ts';
import { alignFace } from './alignment.ts';
import { createMeshDetector, type MeshDetector, type ObserveOptions } from './face-mesh.ts';
import { type FaceBackend, faceModelPaths, graphModelFromDisk, initFaceBackend, weightMapFromDisk } from './face-models.node.ts';
import { FACE_EMBEDDING_MODEL } from './models.ts';
import { createRecognitionNet, type RecognitionNet } from './recognition-net.ts';

/**
 * The trusted-side face pipeline: detector + 468-point FaceMesh → FrameObservation; 5-point alignment
 * from the mesh → 150×150 chip → 128-d unit embedding. Load once per process (≈ 1 s) and reuse.
 */

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

export interface FacePipeline {
  /** Model id stored with templates (FaceTemplate.model). */
  readonly model: string;
  /** Detector + mesh on one frame. `still: true` for unrelated images (resets tracking). */
  observe(image: RgbaImage, options?: ObserveOptions): Promise<FrameObservation>;
  /** Unit-length 128-d embeddings of observed faces of `image` (one batch). */
  embed(image: RgbaImage, faces: readonly FaceObservation[]): Float32Array[];
  /** Observe a still and embed every face found, largest first. */
  describeStill(image: RgbaImage): Promise<{ frame: FrameObservation; faces: DescribedFace[] }>;
  dispose(): void;
}

export async function loadFacePipeline(options: FacePipelineOptions = {}): Promise<FacePipeline> {
  await initFaceBackend(options.backend ?? 'wasm');
  const paths = faceModelPaths(options.modelsDir);
  const mesh: MeshDetector = await createMeshDetector({
    detectorModel: graphModelFromDisk(paths.detector),
    meshModel: graphModelFromDisk(paths.mesh),
    maxFaces: options.maxFaces ?? 4,
  });
  const net: RecognitionNet = createRecognitionNet(weightMapFromDisk(paths.recognition));

  const embed = (image: RgbaImage, faces: readonly FaceObservation[]) => net.embed(faces.map((face) => alignFace(image, face)));

  return {
    model: FACE_EMBEDDING_MODEL,
    observe: (image, observeOptions) => mesh.observe(image, observeOptions),
    embed,
    async describeStill(image) {
      const frame = await mesh.observe(image, { still: true });
      const faces = [...frame.faces].sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height);
      const embeddings = embed(image, faces);
      return { frame, faces: faces.map((face, i) => ({ face, embedding: embeddings[i] as Float32Array })) };
    },
    dispose() {
      mesh.dispose();
      net.dispose();
    },
  };
}
