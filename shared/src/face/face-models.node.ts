import * as tf from '@tensorflow/tfjs-core';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FACE_MODEL_FILES } from './models.ts';

/**
 * Node side of model loading: the tfjs backend (wasm from node_modules, no network) and the model
 * files from `resources/models/` (copied there at install by scripts/copy-face-models.mjs).
 */

export type FaceBackend = 'wasm' | 'cpu';

/**
 * Where the models are: `KAWEI_MODELS_DIR` if set; in a packaged Electron app, `models/` in its
 * resources folder (electron-builder.yml `extraResources`); else `<repo>/resources/models`, found from
 * this file's location.
 */
export const DEFAULT_MODELS_DIR = ((): string => {
  const fromEnv = process.env['KAWEI_MODELS_DIR'];
  if (fromEnv) return resolve(fromEnv);
  const resourcesPath = (process as NodeJS.Process & { resourcesPath?: string }).resourcesPath;
  if (resourcesPath && existsSync(join(resourcesPath, 'models'))) return join(resourcesPath, 'models');
  return resolve(dirname(fileURLToPath(import.meta.url)), '../../../resources/models');
})();

const require = createRequire(import.meta.url);

let backendReady: Promise<void> | undefined;
let backendName: FaceBackend | undefined;

/**
 * Selects the tfjs backend once per process. wasm: the .wasm files are read from
 * `@tensorflow/tfjs-backend-wasm/dist/` in node_modules; Node has no wasm threads here, so XNNPACK
 * runs on one thread. cpu: plain JS kernels, the slow reference used as a benchmark baseline.
 */
export async function initFaceBackend(backend: FaceBackend = 'wasm'): Promise<void> {
  if (backendReady) {
    await backendReady;
    if (backendName !== backend) await switchBackend(backend);
    return;
  }
  backendName = backend;
  backendReady = (async () => {
    await import('@tensorflow/tfjs-backend-cpu');
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const dist = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
    wasm.setWasmPaths({
      'tfjs-backend-wasm.wasm': join(dist, 'tfjs-backend-wasm.wasm'),
      'tfjs-backend-wasm-simd.wasm': join(dist, 'tfjs-backend-wasm-simd.wasm'),
      'tfjs-backend-wasm-threaded-simd.wasm': join(dist, 'tfjs-backend-wasm-threaded-simd.wasm'),
    });
    await switchBackend(backend);
  })();
  await backendReady;
}

let generation = 0;

/**
 * Incremented by every `resetFaceBackend`: tensors made before (every loaded model's weights) belong
 * to a discarded backend, so a pipeline that loaded its models under another generation reloads them.
 */
export function faceBackendGeneration(): number {
  return generation;
}

/**
 * A WebAssembly failure in the tfjs wasm backend: Emscripten's `Aborted()` (out of memory) or a trap
 * ("memory access out of bounds", "unreachable"). After one, the module's memory is not to be trusted
 * and every later kernel fails or returns garbage: the backend must be replaced.
 */
export function isRuntimeFailure(error: unknown): boolean {
  if (error instanceof WebAssembly.RuntimeError) return true;
  const message = error instanceof Error ? error.message : String(error);
  return /Aborted\(|memory access out of bounds|RuntimeError|unreachable|out of memory|Cannot allocate/i.test(message);
}

/** True when a trivial kernel gives the right answer (the backend's memory is sane). */
export async function faceBackendHealthy(): Promise<boolean> {
  try {
    const t = tf.tidy(() => tf.add(tf.tensor1d([1, 2, 3]), 1));
    const values = await t.data();
    t.dispose();
    return values[0] === 2 && values[1] === 3 && values[2] === 4;
  } catch {
    return false;
  }
}

/**
 * Replaces the current tfjs backend with a fresh instance (for wasm: a new WebAssembly module and
 * memory) and bumps the generation. Every tensor of the old backend is gone: callers reload their models.
 */
export async function resetFaceBackend(): Promise<void> {
  await initFaceBackend(backendName ?? 'wasm');
  const name = backendName ?? 'wasm';
  const factory = tf.findBackendFactory(name);
  if (!factory) throw new Error(`tfjs backend ${name} is not registered`);
  try {
    tf.removeBackend(name); // disposes the broken instance (errors there are the breakage itself)
  } catch {
    // the old module may fail while disposing; it is dropped either way
  }
  tf.registerBackend(name, factory, name === 'wasm' ? 2 : 1);
  await switchBackend(name);
  generation += 1;
}

async function switchBackend(backend: FaceBackend): Promise<void> {
  if (!(await tf.setBackend(backend))) throw new Error(`tfjs backend ${backend} failed to initialise`);
  await tf.ready();
  backendName = backend;
}

function need(file: string): Buffer {
  if (!existsSync(file)) {
    throw new Error(`face model file missing: ${file} (run \`node scripts/copy-face-models.mjs\`, or \`npm ci\`)`);
  }
  return readFileSync(file);
}

function concat(buffers: Buffer[]): ArrayBuffer {
  const total = buffers.reduce((n, b) => n + b.byteLength, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const b of buffers) {
    out.set(b, at);
    at += b.byteLength;
  }
  return out.buffer;
}

/** An IOHandler that loads a tfjs graph model (model.json + its weight shards) from disk. */
export function graphModelFromDisk(modelJsonFile: string): tf.io.IOHandler {
  return {
    async load() {
      const json = JSON.parse(need(modelJsonFile).toString('utf8')) as tf.io.ModelJSON;
      return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const specs: tf.io.WeightsManifestEntry[] = [];
        const shards: Buffer[] = [];
        for (const group of manifest) {
          specs.push(...group.weights);
          for (const path of group.paths) shards.push(need(join(dirname(modelJsonFile), path)));
        }
        return [specs, concat(shards)];
      });
    },
  };
}

/** face-api style weights (manifest + shards, no graph) decoded into named tensors. */
export function weightMapFromDisk(manifestFile: string): tf.NamedTensorMap {
  const manifest = JSON.parse(need(manifestFile).toString('utf8')) as tf.io.WeightsManifestConfig;
  const specs = manifest.flatMap((group) => group.weights);
  const data = concat(manifest.flatMap((group) => group.paths.map((path) => need(join(dirname(manifestFile), path)))));
  return tf.io.decodeWeights(data, specs);
}

export function faceModelPaths(modelsDir = DEFAULT_MODELS_DIR): { detector: string; fullRangeDetector: string; mesh: string; recognition: string } {
  return {
    detector: join(modelsDir, FACE_MODEL_FILES.detector.dir, FACE_MODEL_FILES.detector.json),
    fullRangeDetector: join(modelsDir, FACE_MODEL_FILES.fullRangeDetector.dir, FACE_MODEL_FILES.fullRangeDetector.json),
    mesh: join(modelsDir, FACE_MODEL_FILES.mesh.dir, FACE_MODEL_FILES.mesh.json),
    recognition: join(modelsDir, FACE_MODEL_FILES.recognition.dir, FACE_MODEL_FILES.recognition.manifest),
  };
}
