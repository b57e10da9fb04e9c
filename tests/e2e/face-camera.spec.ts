import { type Browser, chromium, expect, type Page, test } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadFacePipeline } from '../../shared/src/face/face-pipeline.node.ts';
import type { FrameObservation } from '../../shared/src/face/face-types.ts';
import { LIVENESS_CHALLENGES } from '../../shared/src/face/liveness.ts';
import type { AppHost } from '../../shared/src/host/app-host.node.ts';
import { findChromium } from '../../shared/src/host/chromium.node.ts';
import { buildFacePage, cameraFrame, faceBrowserMissing, fakeCameraArgs, startFacePageHost, writeStillY4m } from './face-page/face-page.node.ts';

/**
 * The renderer half of the face pipeline in Debian's chromium, served by our own app host (its CSP,
 * COOP/COEP), on a fake camera that plays a still photo (face-api's demo sample3, 640×480 y4m made
 * with ffmpeg here): the face is found, the quality gate passes, Chromium's mesh agrees with Node's on
 * the same frame, and active liveness fails because a photo does not move.
 */
test.describe.configure({ mode: 'serial' });

const missing = faceBrowserMissing();
// Made in beforeAll: Playwright also loads this file in its runner process to list the tests.
let dir = '';
let host: AppHost;
let browser: Browser;
let page: Page;
let nodeFrame: FrameObservation;
const foreignRequests: string[] = [];

test.beforeAll(async () => {
  // npm test installs chromium and ffmpeg: a missing one is a broken machine, never a quiet skip.
  if (missing !== null) throw new Error(`人脸摄像头测试缺少工具 / face camera tests need: ${missing} (apt-get install chromium ffmpeg)`);
  test.setTimeout(120_000);
  dir = mkdtempSync(join(tmpdir(), 'kawei-face-e2e-'));
  await buildFacePage(join(dir, 'page'));
  const pipeline = await loadFacePipeline();
  const frame = await cameraFrame(pipeline);
  nodeFrame = await pipeline.observe(frame, { still: true });
  pipeline.dispose();
  const y4m = join(dir, 'camera.y4m');
  writeStillY4m(frame, y4m);
  host = await startFacePageHost(join(dir, 'page'));
  browser = await chromium.launch({ executablePath: findChromium() as string, args: fakeCameraArgs(y4m), headless: true });
  page = await browser.newPage();
  page.on('request', (request) => {
    if (!request.url().startsWith(host.url)) foreignRequests.push(request.url());
  });
  await page.goto(host.url);
});

test.afterAll(async () => {
  await browser?.close();
  await host?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('the renderer pipeline loads from our own host: wasm with SIMD, cross-origin isolated, no network', async () => {
  const started = await page.evaluate(() => window.kaweiFace.start());
  expect(started.video).toEqual({ width: 640, height: 480 });
  expect(started.runtime).toMatchObject({ backend: 'wasm', simd: true, threads: false, crossOriginIsolated: true });
  test.info().annotations.push({ type: 'chromium load', description: `${Math.round(started.loadMs)} ms (camera + wasm + detector and mesh models)` });
  expect(foreignRequests).toEqual([]);
});

test('one face on the camera passes the quality gate, and its mesh matches Node on the same frame', async () => {
  const { frame, quality } = await page.evaluate(() => window.kaweiFace.guide());
  expect(frame.faces).toHaveLength(1);
  expect(quality.ok, JSON.stringify(quality)).toBe(true);
  expect(quality.measures.faces).toBe(1);

  // The camera delivers the frame through yuv420p (chroma at half resolution) and Chromium's scaler,
  // so the meshes are close, not identical.
  const browserMesh = frame.faces[0]!.mesh;
  const nodeMesh = nodeFrame.faces[0]!.mesh;
  const meanDistance = browserMesh.reduce((sum, p, i) => sum + Math.hypot(p[0] - nodeMesh[i]![0], p[1] - nodeMesh[i]![1]), 0) / browserMesh.length;
  const note = `mean ${meanDistance.toFixed(2)} px over 468 points (face ${Math.round(frame.faces[0]!.box.width)} px wide)`;
  test.info().annotations.push({ type: 'mesh vs Node', description: note });
  console.log(`face in Chromium: mesh vs Node ${note}`);
  expect(meanDistance).toBeLessThan(1);
});

test('a still photo fails active liveness (no motion) whatever the random challenge order', async () => {
  test.setTimeout(60_000);
  const runs = [await page.evaluate(() => window.kaweiFace.liveness()), await page.evaluate(() => window.kaweiFace.liveness())];
  for (const run of runs) {
    expect(run.state.status).toBe('failed');
    expect(['no_motion', 'timeout']).toContain(run.state.reason);
    // A photo never departs from one affine motion: parallax stays under the 0.015 a live face shows.
    expect(run.state.maxParallax).toBeLessThan(0.015);
    // The sequence: three distinct challenges, a blink among them, drawn per session.
    const kinds = run.challenges.map((c) => c.kind);
    expect(new Set(kinds).size).toBe(3);
    expect(kinds).toContain('blink');
    for (const kind of kinds) expect(LIVENESS_CHALLENGES).toContain(kind);
    // It ran on the live camera at frame rate, and the face was usable all along: failing is liveness's doing.
    expect(run.frames).toBeGreaterThan(20);
    expect(run.qualityOk).toBe(run.frames);
    const note = `${kinds.join(' → ')}: ${run.state.reason} after ${(run.elapsedMs / 1000).toFixed(1)} s, ${run.frames} frames, max parallax ${run.state.maxParallax.toFixed(4)}`;
    test.info().annotations.push({ type: 'liveness', description: note });
    console.log(`face in Chromium: liveness ${note}`);
  }
});

test('per-frame detector + mesh latency in Chromium', async () => {
  const timing = await page.evaluate(() => window.kaweiFace.time(30, 5));
  const p = (values: number[], q: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(q * values.length))]!;
  const line = `detect+mesh p50 ${p(timing.detectMeshMs, 0.5).toFixed(1)} ms, p95 ${p(timing.detectMeshMs, 0.95).toFixed(1)} ms; tracking p50 ${p(timing.trackingMs, 0.5).toFixed(1)} ms`;
  test.info().annotations.push({ type: 'chromium latency', description: line });
  console.log(`face in Chromium: ${line}`);
  // Speed is the benchmark's (bench/face.bench.ts, docs/PERFORMANCE.md), not a test's: a loaded CI machine is
  // slower, not wrong. Here: every timed frame really ran the detector and the mesh and gave a measurement.
  expect(timing.detectMeshMs).toHaveLength(30);
  for (const ms of [...timing.detectMeshMs, ...timing.trackingMs]) expect(Number.isFinite(ms) && ms > 0).toBe(true);
  expect(foreignRequests).toEqual([]);
});
