/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS on purpose: it must hook require() for face-api's Node build */
// Reads a 150×150 RGB chip (JSON array of 67,500 bytes) on stdin and prints face-api's own
// FaceRecognitionNet descriptor for it (JSON array). Runs in its own process: face-api's Node build
// wants `require('@tensorflow/tfjs')`, which is redirected to tfjs-shim.cjs here.
const Module = require('node:module');
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function redirect(request, ...rest) {
  if (request === '@tensorflow/tfjs') return join(__dirname, 'tfjs-shim.cjs');
  return resolveFilename.call(this, request, ...rest);
};

async function main() {
  const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js');
  const tf = faceapi.tf;
  await tf.setBackend('cpu');
  await tf.ready();
  const dir = process.argv[2];
  const manifest = JSON.parse(readFileSync(join(dir, 'face_recognition_model-weights_manifest.json'), 'utf8'));
  const bin = readFileSync(join(dir, 'face_recognition_model.bin'));
  const weights = tf.io.decodeWeights(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength), manifest[0].weights);
  const net = new faceapi.FaceRecognitionNet();
  net.loadFromWeightMap(weights);
  const chip = JSON.parse(readFileSync(0, 'utf8'));
  const descriptor = await net.computeFaceDescriptor(tf.tensor3d(chip, [150, 150, 3], 'int32'));
  process.stdout.write(`${JSON.stringify(Array.from(descriptor))}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
