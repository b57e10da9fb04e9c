import * as tf from '@tensorflow/tfjs-core';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { alignFace } from './alignment.ts';
import { createMeshDetector, type MeshDetector, type ObserveOptions } from './face-mesh.ts';
import type { FaceObservation, FrameObservation, QualityReport, RgbaImage } from './face-types.ts';
import {
  type ChallengeSequenceOptions,
  createChallengeSequence,
  cryptoRandom,
  type LivenessChallenge,
  type LivenessOptions,
  type LivenessState,
  LivenessSession,
} from './liveness.ts';
import { FACE_MODEL_FILES } from './models.ts';
import { assessQuality, type QualityOptions, toGray } from './quality.ts';
import { createRecognitionNet, type RecognitionNet } from './recognition-net.ts';

/**
 * The renderer half of the face pipeline: the same detector + mesh, quality gate and liveness session
 * as Node (face-mesh.ts, quality.ts, liveness.ts), on tfjs-core with the wasm backend in Chromium, for
 * guidance at camera frame rate ("move closer", "one person at a time", the liveness prompts).
 *
 * Only loading differs from Node: the .wasm binaries and the model files are fetched from URLs of the
 * app's own origin (no network). The wasm backend uses SIMD, on one thread by default: with threads
 * (possible only when the page is cross-origin isolated, which the host's COOP/COEP make it) tfjs 4.22
 * reported an XNNPACK pool of 1 on our two-core machines and detector + mesh was no faster (16–22 ms
 * per frame either way, docs/FACE.md "Renderer"), while its Emscripten workers need blob: script and
 * worker sources in the CSP. `threads: true` exists for a machine where that trade is measured again.
 *
 * Trust boundary: templates and match decisions stay in Node. The renderer never receives a template
 * and never decides a match; whatever it computes (quality, liveness progress, even an embedding) is
 * guidance only, because a compromised or scripted renderer could report anything. The trusted side
 * takes the camera frames itself and re-runs what it decides on.
 *
 * The page's CSP must allow WebAssembly compilation (`script-src 'self' 'wasm-unsafe-eval'`, what
 * `contentSecurityPolicy({ wasm: true })` gives); `threads: true` additionally needs `blob:` in
 * script-src and worker-src (tfjs starts its workers from blob: URLs), which our CSP does not grant.
 */

export interface BrowserFaceRuntimeOptions {
  /** URL prefix of the three tfjs-backend-wasm .wasm files, ending in '/' (e.g. './tfjs-wasm/'). */
  readonly wasmBase: string;
  /** Use wasm threads when the page is cross-origin isolated (default false; needs blob: workers in the CSP). */
  readonly threads?: boolean;
  /** Worker threads when threads are used; default: navigator.hardwareConcurrency (tfjs's own default). */
  readonly threadCount?: number;
}

export interface BrowserFaceRuntimeInfo {
  readonly backend: string;
  readonly simd: boolean;
  readonly threads: boolean;
  /** Threads the wasm backend runs on (1 without threads). */
  readonly threadCount: number;
  readonly crossOriginIsolated: boolean;
  readonly tfjsVersion: string;
}

let runtime: Promise<BrowserFaceRuntimeInfo> | undefined;

/**
 * Selects tfjs's wasm backend once per page. SIMD is used when the browser has it (every current
 * Chromium); threads need SharedArrayBuffer, which Chromium gives only to a cross-origin isolated page.
 */
export function initBrowserFaceBackend(options: BrowserFaceRuntimeOptions): Promise<BrowserFaceRuntimeInfo> {
  runtime ??= (async () => {
    const isolated = globalThis.crossOriginIsolated === true;
    const threads = (options.threads ?? false) && isolated;
    // tfjs probes for threads itself (SharedArrayBuffer + a wasm memory test) and would start its worker
    // pool on any isolated page; told explicitly unless threads were asked for.
    if (!threads) tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    if (threads && options.threadCount) setThreadsCount(options.threadCount);
    setWasmPaths(options.wasmBase.endsWith('/') ? options.wasmBase : `${options.wasmBase}/`);
    if (!(await tf.setBackend('wasm'))) throw new Error('tfjs wasm backend failed to initialise (is WebAssembly allowed by the CSP?)');
    await tf.ready();
    const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
    const usesThreads = threads && (await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')) === true;
    return {
      backend: tf.getBackend(),
      simd,
      threads: usesThreads,
      threadCount: usesThreads ? getThreadsCount() : 1,
      crossOriginIsolated: isolated,
      tfjsVersion: tf.version_core,
    };
  })();
  return runtime;
}

/** Anything a camera page has a frame in. */
export type FrameSource = HTMLVideoElement | HTMLCanvasElement | ImageBitmap | OffscreenCanvas | ImageData | RgbaImage;

export interface BrowserFacePipelineOptions extends BrowserFaceRuntimeOptions {
  /** URL prefix of the model folders (`resources/models/` as served by the app), ending in '/'. */
  readonly modelsBase: string;
  /** Faces looked for per frame (default 4: a second person must be seen to be refused). */
  readonly maxFaces?: number;
  /**
   * Also load the 128-d recognition net (≈ 6 MB more). Only for measurement and local hints: an
   * embedding made here is never a basis for a decision (see the trust boundary above).
   */
  readonly recognition?: boolean;
  readonly quality?: QualityOptions;
}

/** One frame's guidance: what was seen, whether it is good enough, and how long it took. */
export interface GuidanceFrame {
  readonly frame: FrameObservation;
  readonly quality: QualityReport;
  /** Detector + mesh time for this frame (ms). */
  readonly observeMs: number;
}

export interface LivenessRunOptions {
  /** Default cryptoRandom (Web Crypto). */
  readonly random?: () => number;
  readonly sequence?: ChallengeSequenceOptions;
  readonly liveness?: LivenessOptions;
  /** Called after every frame (prompt text, progress bar). */
  readonly onFrame?: (state: LivenessState, guidance: GuidanceFrame) => void;
  /** Stops the run early; the promise then resolves with the state so far. */
  readonly signal?: AbortSignal;
}

export interface LivenessRun {
  readonly challenges: readonly LivenessChallenge[];
  readonly state: LivenessState;
  /** Frames processed and the detector + mesh time of each. */
  readonly frames: number;
  readonly observeMs: readonly number[];
}

export interface BrowserFacePipeline {
  readonly runtime: BrowserFaceRuntimeInfo;
  /** The frame's pixels as RGBA (a canvas read; the video's own size). */
  grab(source: FrameSource): RgbaImage;
  /** Detector + mesh. Camera frames in order: `still: false` (tracking); unrelated images: `still: true`. */
  observe(source: FrameSource, options?: ObserveOptions): Promise<FrameObservation>;
  /** Grab, observe and run the quality gate (with light and blur) on one frame. */
  guide(source: FrameSource, options?: ObserveOptions): Promise<GuidanceFrame>;
  /**
   * Runs an active liveness session on a live video until it passes or fails: a fresh random challenge
   * sequence (blink always in), one frame at a time as the camera delivers them.
   */
  runLiveness(video: HTMLVideoElement, options?: LivenessRunOptions): Promise<LivenessRun>;
  /** Unit 128-d embeddings (only with `recognition: true`; guidance and measurement only). */
  embed(image: RgbaImage, faces: readonly FaceObservation[]): Float32Array[];
  /** Forget tracked face regions (a new person steps up). */
  reset(): void;
  dispose(): void;
}

async function fetchOk(url: string): Promise<Response> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`face model file ${url}: HTTP ${response.status}`);
  return response;
}

/** face-api style weights (manifest + shards) fetched from our own origin and decoded. */
async function weightMapFromUrl(manifestUrl: string): Promise<tf.NamedTensorMap> {
  const manifest = (await (await fetchOk(manifestUrl)).json()) as tf.io.WeightsManifestConfig;
  const base = new URL('.', new URL(manifestUrl, location.href));
  const shards = await Promise.all(
    manifest.flatMap((group) => group.paths.map(async (path) => new Uint8Array(await (await fetchOk(new URL(path, base).href)).arrayBuffer()))),
  );
  const total = shards.reduce((n, s) => n + s.byteLength, 0);
  const data = new Uint8Array(total);
  let at = 0;
  for (const s of shards) {
    data.set(s, at);
    at += s.byteLength;
  }
  return tf.io.decodeWeights(data.buffer, manifest.flatMap((group) => group.weights));
}

function isRgba(source: FrameSource): source is ImageData | RgbaImage {
  return 'data' in source && 'width' in source && 'height' in source;
}

function sourceSize(source: Exclude<FrameSource, ImageData | RgbaImage>): { width: number; height: number } {
  if (source instanceof HTMLVideoElement) return { width: source.videoWidth, height: source.videoHeight };
  return { width: source.width, height: source.height };
}

/** The next frame the camera delivers (requestVideoFrameCallback), with its capture time when known. */
export function nextVideoFrame(video: HTMLVideoElement): Promise<number> {
  return new Promise((resolve) => {
    if ('requestVideoFrameCallback' in video) {
      video.requestVideoFrameCallback((now, metadata) => resolve(metadata.captureTime ?? now));
    } else {
      requestAnimationFrame((now) => resolve(now));
    }
  });
}

export async function loadBrowserFacePipeline(options: BrowserFacePipelineOptions): Promise<BrowserFacePipeline> {
  const info = await initBrowserFaceBackend(options);
  const base = options.modelsBase.endsWith('/') ? options.modelsBase : `${options.modelsBase}/`;
  const url = (dir: string, file: string) => new URL(`${base}${dir}/${file}`, location.href).href;
  const mesh: MeshDetector = await createMeshDetector({
    detectorModel: url(FACE_MODEL_FILES.detector.dir, FACE_MODEL_FILES.detector.json),
    meshModel: url(FACE_MODEL_FILES.mesh.dir, FACE_MODEL_FILES.mesh.json),
    maxFaces: options.maxFaces ?? 4,
  });
  const net: RecognitionNet | null = options.recognition
    ? createRecognitionNet(await weightMapFromUrl(url(FACE_MODEL_FILES.recognition.dir, FACE_MODEL_FILES.recognition.manifest)))
    : null;

  let canvas: OffscreenCanvas | null = null;
  let context: OffscreenCanvasRenderingContext2D | null = null;

  const grab = (source: FrameSource): RgbaImage => {
    if (isRgba(source)) return source;
    const { width, height } = sourceSize(source);
    if (width === 0 || height === 0) throw new Error('the video has no frame yet');
    if (!canvas || canvas.width !== width || canvas.height !== height) {
      canvas = new OffscreenCanvas(width, height);
      context = canvas.getContext('2d', { willReadFrequently: true });
      if (!context) throw new Error('no 2d canvas context');
    }
    const ctx = context as OffscreenCanvasRenderingContext2D;
    ctx.drawImage(source, 0, 0, width, height);
    return ctx.getImageData(0, 0, width, height);
  };

  const guideImage = async (image: RgbaImage, observeOptions?: ObserveOptions): Promise<GuidanceFrame> => {
    const t0 = performance.now();
    const frame = await mesh.observe(image, observeOptions);
    const observeMs = performance.now() - t0;
    // Light and blur need pixels: only computed when exactly one face is there to measure.
    const quality = assessQuality(frame, frame.faces.length === 1 ? toGray(image) : undefined, options.quality);
    return { frame, quality, observeMs };
  };

  const pipeline: BrowserFacePipeline = {
    runtime: info,
    grab,
    observe: (source, observeOptions) => mesh.observe(grab(source), observeOptions),
    guide: (source, observeOptions) => guideImage(grab(source), observeOptions),
    async runLiveness(video, run = {}) {
      const challenges = createChallengeSequence(run.random ?? cryptoRandom, run.sequence);
      const session = new LivenessSession(challenges, run.liveness);
      const observeMs: number[] = [];
      mesh.reset();
      let state: LivenessState = session.state;
      while (state.status !== 'passed' && state.status !== 'failed' && !run.signal?.aborted) {
        await nextVideoFrame(video);
        // The frame clock is performance.now() at the grab: the session's time limits are real time.
        const t = performance.now();
        const guidance = await guideImage(grab(video), { t });
        observeMs.push(guidance.observeMs);
        state = session.push(guidance.frame);
        run.onFrame?.(state, guidance);
      }
      return { challenges, state, frames: observeMs.length, observeMs };
    },
    embed(image, faces) {
      if (!net) throw new Error('loadBrowserFacePipeline({ recognition: true }) to embed');
      return net.embed(faces.map((face) => alignFace(image, face)));
    },
    reset: () => mesh.reset(),
    dispose() {
      mesh.dispose();
      net?.dispose();
    },
  };
  return pipeline;
}
