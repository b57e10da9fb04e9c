import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { embedLabelledImages, evaluateEmbeddedSet, listLabelledImages } from '../shared/src/face/face-eval.node.ts';
import { loadFacePipeline } from '../shared/src/face/face-pipeline.node.ts';
import type { FaceTemplate, RgbaImage } from '../shared/src/face/face-types.ts';
import { cosineSimilarity, FACE_MATCH_THRESHOLD, match1to1, normalise, TemplateIndex } from '../shared/src/face/matching.ts';
import { findChromium } from '../shared/src/host/chromium.node.ts';
import {
  buildFacePage,
  cameraFrame,
  faceBrowserMissing,
  fakeCameraArgs,
  startFacePageHost,
  writeStillY4m,
} from '../tests/e2e/face-page/face-page.node.ts';
import { type BenchResult, summarise } from './bench.ts';

/**
 * Face pipeline in Node (wasm backend, one thread): per-frame latency of detector + 468-point mesh,
 * of alignment + embedding, and of a full 1:1 check (detect, mesh, align, embed, compare) on a
 * 640×480 camera-like frame; 1:N search over 100 and 10,000 templates; the development-set evaluation.
 * Baselines in the same run: detector + mesh on the tfjs cpu backend, and 1:N as a naive loop of
 * cosine similarities over template objects. Keys are prefixed `node_`; the `chromium_` half runs the
 * renderer pipeline on the same frame in Debian's chromium (see chromiumMetrics).
 */

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..');
const devSet = resolve(repo, '../shared/data/faces-dev');
const WARM_UP = 5;
const FRAMES = 40;
const CPU_FRAMES = 8;

/**
 * The renderer half: the face test page (tests/e2e/face-page/) in Debian's chromium through
 * playwright-core, served by our app host (CSP, COOP/COEP), its fake camera playing the same 640×480
 * frame as a y4m. The page times detector + mesh in still mode on one grabbed frame (as Node does),
 * tracking mode on consecutive camera frames, and align + embed with the recognition net loaded.
 */
async function chromiumMetrics(frame: RgbaImage): Promise<Record<string, number | string>> {
  const missing = faceBrowserMissing();
  if (missing) return { chromium: `not measured: ${missing}` };
  const dir = mkdtempSync(join(tmpdir(), 'kawei-face-bench-'));
  const host = await startFacePageHost(join(dir, 'page')).catch((e: unknown) => {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  });
  try {
    await buildFacePage(join(dir, 'page'));
    writeStillY4m(frame, join(dir, 'camera.y4m'));
    const browser = await chromium.launch({
      executablePath: findChromium() as string,
      args: fakeCameraArgs(join(dir, 'camera.y4m')),
      headless: true,
    });
    try {
      const page = await browser.newPage();
      await page.goto(`${host.url}?recognition=1`);
      const started = await page.evaluate(() => window.kaweiFace.start());
      const timing = await page.evaluate(([frames, warmUp]) => window.kaweiFace.time(frames, warmUp), [FRAMES, WARM_UP] as const);
      const version = browser.version();
      const mesh = summarise(timing.detectMeshMs);
      const tracked = summarise(timing.trackingMs);
      const embed = summarise(timing.embedMs);
      const r = started.runtime;
      return {
        chromium_version: version,
        chromium_backend: `tfjs wasm (${r.simd ? 'SIMD' : 'no SIMD'}, ${r.threads ? `${r.threadCount} threads` : '1 thread'}), crossOriginIsolated ${r.crossOriginIsolated}`,
        chromium_frame: '640x480 fake camera (y4m of the Node frame, yuv420p)',
        chromium_load_ms: Math.round(started.loadMs),
        chromium_detect_mesh_p50_ms: mesh.p50,
        chromium_detect_mesh_p95_ms: mesh.p95,
        chromium_mesh_tracking_p50_ms: tracked.p50,
        chromium_mesh_tracking_p95_ms: tracked.p95,
        chromium_align_embed_p50_ms: embed.p50,
        chromium_align_embed_p95_ms: embed.p95,
      };
    } finally {
      await browser.close();
    }
  } finally {
    await host.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function timeFrames(frames: number, step: () => Promise<unknown> | unknown): Promise<number[]> {
  for (let i = 0; i < WARM_UP; i++) await step();
  const samples: number[] = [];
  for (let i = 0; i < frames; i++) {
    const t0 = performance.now();
    await step();
    samples.push(performance.now() - t0);
  }
  return samples;
}

function unitRandom(seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  const v = new Float32Array(128);
  for (let i = 0; i < 128; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    v[i] = (s >>> 0) / 2 ** 32 - 0.5;
  }
  return normalise(v);
}

function timeSearch(n: number, probe: Float32Array): { indexed: number; naive: number } {
  const templates: FaceTemplate[] = Array.from({ length: n }, (_, i) => ({ personId: `p${i}`, embedding: unitRandom(i + 1), quality: 1, model: 'm' }));
  const index = new TemplateIndex(templates);
  const reps = Math.max(20, Math.round(200_000 / n));
  const run = (fn: () => void) => {
    for (let i = 0; i < 5; i++) fn();
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) fn();
    return (performance.now() - t0) / reps;
  };
  const indexed = run(() => index.best(probe));
  const naive = run(() => {
    let best = -Infinity;
    for (const t of templates) best = Math.max(best, cosineSimilarity(probe, t.embedding));
    return best;
  });
  return { indexed, naive };
}

const r3 = (x: number) => Math.round(x * 1000) / 1000;

export async function run(): Promise<BenchResult> {
  const metrics: Record<string, number | string> = {};
  const pipeline = await loadFacePipeline({ backend: 'wasm' });
  const frame = await cameraFrame(pipeline);
  const observed = await pipeline.observe(frame, { still: true });
  const face = observed.faces[0];
  if (!face) throw new Error('no face in the camera frame');
  const enrolled = pipeline.embed(frame, [face])[0] as Float32Array;

  const mesh = summarise(await timeFrames(FRAMES, () => pipeline.observe(frame, { still: true })));
  const tracked = summarise(await timeFrames(FRAMES, () => pipeline.observe(frame)));
  const embed = summarise(await timeFrames(FRAMES, () => pipeline.embed(frame, [face])));
  const full = summarise(
    await timeFrames(FRAMES, async () => {
      const f = await pipeline.observe(frame, { still: true });
      const [e] = pipeline.embed(frame, f.faces.slice(0, 1));
      return match1to1(e as Float32Array, enrolled);
    }),
  );
  Object.assign(metrics, {
    node_backend: 'tfjs wasm (SIMD, 1 thread)',
    node_frame: '640x480, one face ≈ 200 px wide',
    node_detect_mesh_p50_ms: mesh.p50,
    node_detect_mesh_p95_ms: mesh.p95,
    node_mesh_tracking_p50_ms: tracked.p50,
    node_mesh_tracking_p95_ms: tracked.p95,
    node_align_embed_p50_ms: embed.p50,
    node_align_embed_p95_ms: embed.p95,
    node_full_1to1_p50_ms: full.p50,
    node_full_1to1_p95_ms: full.p95,
    node_full_1to1_target_ms: 150,
  });

  const probe = unitRandom(987_654);
  const s100 = timeSearch(100, probe);
  const s10k = timeSearch(10_000, probe);
  Object.assign(metrics, {
    node_search_1toN_100_ms: r3(s100.indexed),
    node_search_1toN_10000_ms: r3(s10k.indexed),
  });

  if (existsSync(devSet)) {
    const report = evaluateEmbeddedSet(await embedLabelledImages(pipeline, listLabelledImages(devSet), { pad: 0.5 }));
    Object.assign(metrics, {
      dev_auc: Math.round(report.auc * 1e6) / 1e6,
      dev_eer: r3(report.eer),
      dev_eer_threshold: r3(report.eer_threshold),
      'dev_tar_at_far_1e-3': report['tar_at_far_1e-3'],
      'dev_tar_at_far_1e-2': report['tar_at_far_1e-2'],
      'dev_threshold_far_1e-3': r3(report.threshold),
      dev_pairs: report.pairs,
      dev_genuine_min: r3(report.genuine_min),
      dev_impostor_max: r3(report.impostor_max),
      dev_failed_images: report.failed_images.length,
      shipped_threshold: FACE_MATCH_THRESHOLD,
    });
  } else {
    metrics.dev_set = `absent (${devSet}): evaluation figures not measured`;
  }
  pipeline.dispose();

  // Baseline: the same detector + mesh on the tfjs cpu backend (plain JS kernels).
  const cpu = await loadFacePipeline({ backend: 'cpu' });
  const cpuMesh = summarise(await timeFrames(CPU_FRAMES, () => cpu.observe(frame, { still: true })));
  cpu.dispose();

  const baseline = {
    node_detect_mesh_cpu_p50_ms: cpuMesh.p50,
    node_detect_mesh_cpu_p95_ms: cpuMesh.p95,
    node_search_1toN_naive_100_ms: r3(s100.naive),
    node_search_1toN_naive_10000_ms: r3(s10k.naive),
  };
  Object.assign(metrics, {
    node_detect_mesh_speedup_vs_cpu: r3(cpuMesh.p50 / mesh.p50),
    node_search_10000_speedup_vs_naive: r3(s10k.naive / s10k.indexed),
  });

  Object.assign(metrics, await chromiumMetrics(frame));
  if (typeof metrics.chromium_detect_mesh_p50_ms === 'number') {
    metrics.chromium_detect_mesh_vs_node_wasm = r3(metrics.chromium_detect_mesh_p50_ms / mesh.p50);
  }

  return {
    metrics,
    baseline: {
      description:
        'same run: detector + mesh on the tfjs cpu backend (8 frames); 1:N as a loop of cosineSimilarity over FaceTemplate objects',
      metrics: baseline,
    },
    notes:
      `Node ${process.version}; ${WARM_UP} warm-up + ${FRAMES} frames each (cpu baseline ${CPU_FRAMES}). detect+mesh runs the ` +
      'detector on every frame (still mode, the worst case); tracking mode reuses the previous face region. ' +
      'full_1to1 = detect + mesh + align + embed + cosine against one template. 1:N over random unit templates ' +
      '(search cost does not depend on the values). chromium_*: the renderer pipeline in headless Debian chromium ' +
      "(wasm SIMD, one thread, page served by our app host with script-src 'self' 'wasm-unsafe-eval'), same frame " +
      'through the fake camera, same warm-up and frame counts; detect_mesh_vs_node_wasm = chromium p50 / node p50.',
  };
}
