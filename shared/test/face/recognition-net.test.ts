import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alignFace, CHIP_SIZE } from '../../src/face/alignment.ts';
import { createMeshDetector, type MeshDetector } from '../../src/face/face-mesh.ts';
import { faceModelPaths, graphModelFromDisk, initFaceBackend, weightMapFromDisk } from '../../src/face/face-models.node.ts';
import { readImageFile } from '../../src/face/image-decode.node.ts';
import { cosineSimilarity } from '../../src/face/matching.ts';
import { createRecognitionNet, type RecognitionNet } from '../../src/face/recognition-net.ts';
import { demoSample, REPO } from './face-test-support.node.ts';

/**
 * Our forward pass of face-api's recognition network (on our tfjs-core, wasm) must give what
 * face-api's own implementation gives (its Node build on the cpu backend, run in a child process).
 */

let net: RecognitionNet;
let mesh: MeshDetector;

beforeAll(async () => {
  await initFaceBackend('wasm');
  const paths = faceModelPaths();
  net = createRecognitionNet(weightMapFromDisk(paths.recognition));
  mesh = await createMeshDetector({ detectorModel: graphModelFromDisk(paths.detector), meshModel: graphModelFromDisk(paths.mesh) });
}, 60_000);

afterAll(() => {
  net?.dispose();
  mesh?.dispose();
});

function faceApiDescriptor(chipRgb: number[]): Float32Array {
  const out = execFileSync(process.execPath, [join(REPO, 'shared/test/face/reference/face-api-descriptor.cjs'), join(REPO, 'resources/models/face-recognition')], {
    input: JSON.stringify(chipRgb),
    cwd: REPO,
    stdio: ['pipe', 'pipe', 'ignore'],
    maxBuffer: 1 << 20,
  });
  const line = out.toString('utf8').split('\n').find((l) => l.startsWith('['));
  if (!line) throw new Error('face-api reference printed no descriptor');
  return new Float32Array(JSON.parse(line) as number[]);
}

describe('recognition network', () => {
  it("equals face-api's own FaceRecognitionNet on a real aligned face", async () => {
    const image = readImageFile(demoSample(2));
    const frame = await mesh.observe(image, { still: true });
    const face = frame.faces[0];
    if (!face) throw new Error('no face in sample2');
    const chip = alignFace(image, face);
    const rgb: number[] = [];
    for (let i = 0; i < CHIP_SIZE * CHIP_SIZE; i++) rgb.push(chip.data[i * 4] as number, chip.data[i * 4 + 1] as number, chip.data[i * 4 + 2] as number);
    const ours = net.embed([chip])[0] as Float32Array;
    const reference = faceApiDescriptor(rgb);
    expect(cosineSimilarity(ours, reference)).toBeGreaterThan(0.99999);
  }, 60_000);

  it('embeds a batch the same as one by one, and refuses a chip of the wrong size', () => {
    const a = { width: CHIP_SIZE, height: CHIP_SIZE, data: new Uint8ClampedArray(CHIP_SIZE * CHIP_SIZE * 4).map((_, i) => (i * 7) % 256) };
    const b = { width: CHIP_SIZE, height: CHIP_SIZE, data: new Uint8ClampedArray(CHIP_SIZE * CHIP_SIZE * 4).map((_, i) => (i * 13) % 256) };
    const [ba, bb] = net.embed([a, b]) as [Float32Array, Float32Array];
    expect(cosineSimilarity(ba, net.embed([a])[0] as Float32Array)).toBeGreaterThan(0.99999);
    expect(cosineSimilarity(bb, net.embed([b])[0] as Float32Array)).toBeGreaterThan(0.99999);
    expect(() => net.embed([{ width: 10, height: 10, data: new Uint8ClampedArray(400) }])).toThrow(/150×150/);
  });
});
