import type { FrameObservation, QualityReport } from '../../../shared/src/face/face-types.ts';
import { type BrowserFacePipeline, loadBrowserFacePipeline, nextVideoFrame } from '../../../shared/src/face/face-runtime.dom.ts';
import type { LivenessChallenge, LivenessState } from '../../../shared/src/face/liveness.ts';

/**
 * The face test page: the renderer pipeline on the live (fake) camera, driven by Playwright
 * (tests/e2e/face-camera.spec.ts) and by the benchmark (bench/face.bench.ts) through `window.kaweiFace`.
 * Query: `?threads=1` asks for wasm threads (needs blob: workers, which our CSP refuses), `?threadCount=N`;
 * `?recognition=1` loads the recognition net.
 */

export interface FacePageStart {
  runtime: BrowserFacePipeline['runtime'];
  video: { width: number; height: number };
  loadMs: number;
}

export interface FacePageGuide {
  frame: FrameObservation;
  quality: QualityReport;
  observeMs: number;
}

export interface FacePageTiming {
  /** Detector + mesh on every frame (still mode: the detector always runs), ms per frame. */
  detectMeshMs: number[];
  /** Tracking mode on consecutive camera frames (the detector runs only when the face is lost). */
  trackingMs: number[];
  /** Align + embed of the one face (only with ?recognition=1). */
  embedMs: number[];
}

export interface FacePageLiveness {
  challenges: LivenessChallenge[];
  state: LivenessState;
  frames: number;
  qualityOk: number;
  elapsedMs: number;
}

export interface FacePageApi {
  start(): Promise<FacePageStart>;
  guide(): Promise<FacePageGuide>;
  time(frames: number, warmUp: number): Promise<FacePageTiming>;
  liveness(): Promise<FacePageLiveness>;
}

declare global {
  interface Window {
    kaweiFace: FacePageApi;
  }
}

const params = new URLSearchParams(location.search);
const video = document.getElementById('camera') as HTMLVideoElement;
const status = document.getElementById('status') as HTMLElement;
let pipeline: BrowserFacePipeline | null = null;

function need(): BrowserFacePipeline {
  if (!pipeline) throw new Error('kaweiFace.start() first');
  return pipeline;
}

const api: FacePageApi = {
  async start() {
    const t0 = performance.now();
    const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: false });
    video.srcObject = stream;
    await video.play();
    await nextVideoFrame(video);
    pipeline = await loadBrowserFacePipeline({
      wasmBase: './tfjs-wasm/',
      modelsBase: './models/',
      threads: params.get('threads') === '1',
      ...(params.get('threadCount') ? { threadCount: Number(params.get('threadCount')) } : {}),
      recognition: params.get('recognition') === '1',
    });
    const loadMs = performance.now() - t0;
    status.textContent = `ready ${JSON.stringify(pipeline.runtime)}`;
    return { runtime: pipeline.runtime, video: { width: video.videoWidth, height: video.videoHeight }, loadMs };
  },

  async guide() {
    const p = need();
    await nextVideoFrame(video);
    const { frame, quality, observeMs } = await p.guide(video, { still: true });
    status.textContent = `faces ${frame.faces.length} quality ${quality.ok ? 'ok' : quality.reason}`;
    return { frame, quality, observeMs };
  },

  async time(frames, warmUp) {
    const p = need();
    await nextVideoFrame(video);
    const image = p.grab(video);
    const detectMeshMs: number[] = [];
    for (let i = 0; i < warmUp + frames; i++) {
      const t0 = performance.now();
      await p.observe(image, { still: true });
      if (i >= warmUp) detectMeshMs.push(performance.now() - t0);
    }
    const trackingMs: number[] = [];
    p.reset();
    for (let i = 0; i < warmUp + frames; i++) {
      await nextVideoFrame(video);
      const grabbed = p.grab(video);
      const t0 = performance.now();
      await p.observe(grabbed);
      if (i >= warmUp) trackingMs.push(performance.now() - t0);
    }
    const embedMs: number[] = [];
    if (params.get('recognition') === '1') {
      const face = (await p.observe(image, { still: true })).faces[0];
      if (!face) throw new Error('no face to embed');
      for (let i = 0; i < warmUp + frames; i++) {
        const t0 = performance.now();
        p.embed(image, [face]);
        if (i >= warmUp) embedMs.push(performance.now() - t0);
      }
    }
    return { detectMeshMs, trackingMs, embedMs };
  },

  async liveness() {
    const p = need();
    const t0 = performance.now();
    let qualityOk = 0;
    const run = await p.runLiveness(video, {
      onFrame(state, guidance) {
        if (guidance.quality.ok) qualityOk++;
        status.textContent = `liveness ${state.status} ${state.challenge?.kind ?? ''} ${state.reason ?? ''}`;
      },
    });
    return { challenges: [...run.challenges], state: run.state, frames: run.frames, qualityOk, elapsedMs: performance.now() - t0 };
  },
};

window.kaweiFace = api;
status.textContent = 'idle';
