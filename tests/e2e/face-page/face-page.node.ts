import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { PNG } from 'pngjs';
import { createDispatcher, defineContract, EventHub } from '../../../shared/src/contract/contract.ts';
import { DEFAULT_MODELS_DIR } from '../../../shared/src/face/face-models.node.ts';
import type { FacePipeline } from '../../../shared/src/face/face-pipeline.node.ts';
import type { RgbaImage } from '../../../shared/src/face/face-types.ts';
import { crop, resize } from '../../../shared/src/face/image.ts';
import { readImageFile } from '../../../shared/src/face/image-decode.node.ts';
import { FACE_MODEL_FILES } from '../../../shared/src/face/models.ts';
import { type AppHost, startAppHost } from '../../../shared/src/host/app-host.node.ts';
import { CHROMIUM_QUIET_FLAGS, findChromium } from '../../../shared/src/host/chromium.node.ts';

/**
 * Support for the face test page (used by tests/e2e/face-camera.spec.ts and bench/face.bench.ts):
 * bundle the page, lay out what the renderer fetches (models/, tfjs-wasm/) next to it, serve it with
 * our own app host (its CSP and COOP/COEP headers), and make the fake camera's y4m from a demo photo.
 */

const here = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(here, '../../..');
const require = createRequire(import.meta.url);

/** Why the Chromium face checks cannot run here, or null when they can. */
export function faceBrowserMissing(): string | null {
  if (!findChromium()) return 'Debian chromium is not installed (apt-get install -y chromium)';
  if (spawnSync('ffmpeg', ['-version'], { stdio: 'ignore' }).status !== 0) return 'ffmpeg is not installed (apt-get install -y ffmpeg)';
  if (!existsSync(join(DEFAULT_MODELS_DIR, FACE_MODEL_FILES.mesh.dir))) return `face models missing in ${DEFAULT_MODELS_DIR} (node scripts/copy-face-models.mjs)`;
  return null;
}

/** Bundles the page into `outDir` with the model folders and the tfjs wasm binaries beside it. */
export async function buildFacePage(outDir: string): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: [join(here, 'face-page.dom.ts')],
    outfile: join(outDir, 'face-page.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'chrome120',
    logLevel: 'warning',
  });
  copyFileSync(join(here, 'index.html'), join(outDir, 'index.html'));
  for (const model of Object.values(FACE_MODEL_FILES)) {
    cpSync(join(DEFAULT_MODELS_DIR, model.dir), join(outDir, 'models', model.dir), { recursive: true });
  }
  const wasmDist = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
  mkdirSync(join(outDir, 'tfjs-wasm'), { recursive: true });
  for (const file of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) {
    copyFileSync(join(wasmDist, file), join(outDir, 'tfjs-wasm', file));
  }
}

const pageContract = defineContract('face-page', {}, {});

/** Our app host (127.0.0.1, CSP, COOP/COEP) serving the built page; the page uses no API calls. */
export function startFacePageHost(rendererDir: string): Promise<AppHost> {
  return startAppHost({
    contract: pageContract,
    dispatch: createDispatcher(pageContract, {}),
    events: new EventHub(pageContract),
    rendererDir,
  });
}

/**
 * The booth camera's view of face-api's demo sample3.jpg: 640×480 around its near-frontal face (face
 * ≈ 200 px wide), the same frame bench/face.bench.ts measures in Node.
 */
export async function cameraFrame(pipeline: FacePipeline): Promise<RgbaImage> {
  const photo = readImageFile(join(REPO_ROOT, 'node_modules/@vladmandic/face-api/demo/sample3.jpg'));
  const { faces } = await pipeline.describeStill(photo);
  const box = faces[0]?.face.box;
  if (!box) throw new Error('no face in sample3');
  const w = box.width * 3.2;
  const h = (w * 3) / 4;
  return resize(crop(photo, box.x + box.width / 2 - w / 2, box.y + box.height / 2 - h / 2, w, h), 640, 480);
}

/** A still photo as a camera: `seconds` of the same 640×480 frame, yuv420p y4m (Chromium loops it). */
export function writeStillY4m(frame: RgbaImage, y4mFile: string, seconds = 3, fps = 15): void {
  const png = new PNG({ width: frame.width, height: frame.height });
  png.data = Buffer.from(frame.data.buffer, frame.data.byteOffset, frame.data.byteLength);
  const pngFile = y4mFile.replace(/\.y4m$/, '') + '.png';
  writeFileSync(pngFile, PNG.sync.write(png));
  execFileSync(
    'ffmpeg',
    ['-y', '-loglevel', 'error', '-loop', '1', '-framerate', String(fps), '-i', pngFile, '-t', String(seconds), '-pix_fmt', 'yuv420p', '-f', 'yuv4mpegpipe', y4mFile],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
}

/** Chromium flags: quiet on a closed network, a fake camera playing `y4mFile`, no permission prompt. */
export function fakeCameraArgs(y4mFile: string): string[] {
  return [
    ...CHROMIUM_QUIET_FLAGS,
    '--use-fake-device-for-media-stream',
    '--use-fake-ui-for-media-stream',
    `--use-file-for-fake-video-capture=${y4mFile}`,
  ];
}
