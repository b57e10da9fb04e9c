import * as tf from '@tensorflow/tfjs-core';
import type { RgbaImage } from './face-types.ts';
import { CHIP_SIZE } from './alignment.ts';
import { EMBEDDING_SIZE } from './models.ts';

/**
 * face-api's FaceRecognitionNet (the dlib ResNet-34-like 128-d face descriptor, MIT) as a forward
 * pass on our own `@tensorflow/tfjs-core`, fed with face-api's weight files.
 *
 * Why not face-api's own class: its Node builds `require('@tensorflow/tfjs')` (the umbrella package,
 * not installed here: tfjs-node does not build) and its browser build bundles a second tfjs; two tfjs
 * copies share one global engine and fight over backends. The network is small (the layer order below
 * follows face-api's `FaceRecognitionNet.forwardInput`), so running it on the one tfjs the mesh uses is
 * simpler and keeps one wasm backend. shared/test/face/recognition-net.test.ts checks the result
 * against face-api's bundled implementation on the same input.
 */

/** Per-channel mean the network was trained with (RGB, 0…255). */
const MEAN_RGB = [122.782, 117.001, 104.298] as const;

interface ConvParams {
  filters: tf.Tensor4D;
  bias: tf.Tensor1D;
  scaleWeights: tf.Tensor1D;
  scaleBiases: tf.Tensor1D;
}
interface ResidualParams {
  conv1: ConvParams;
  conv2: ConvParams;
}

const RESIDUAL_BLOCKS = [
  ['conv32_1', 'same'],
  ['conv32_2', 'same'],
  ['conv32_3', 'same'],
  ['conv64_down', 'down'],
  ['conv64_1', 'same'],
  ['conv64_2', 'same'],
  ['conv64_3', 'same'],
  ['conv128_down', 'down'],
  ['conv128_1', 'same'],
  ['conv128_2', 'same'],
  ['conv256_down', 'down'],
  ['conv256_1', 'same'],
  ['conv256_2', 'same'],
  ['conv256_down_out', 'down'],
] as const;

function take<R extends tf.Rank>(weights: tf.NamedTensorMap, name: string, rank: number): tf.Tensor<R> {
  const t = weights[name];
  if (!t) throw new Error(`face recognition weights: missing ${name}`);
  if (t.rank !== rank) throw new Error(`face recognition weights: ${name} has rank ${t.rank}, expected ${rank}`);
  return t as tf.Tensor<R>;
}

function convParams(weights: tf.NamedTensorMap, prefix: string): ConvParams {
  return {
    filters: take(weights, `${prefix}/conv/filters`, 4),
    bias: take(weights, `${prefix}/conv/bias`, 1),
    scaleWeights: take(weights, `${prefix}/scale/weights`, 1),
    scaleBiases: take(weights, `${prefix}/scale/biases`, 1),
  };
}

function conv(x: tf.Tensor4D, p: ConvParams, stride: 1 | 2, relu: boolean, padding: 'same' | 'valid'): tf.Tensor4D {
  let out = tf.conv2d(x, p.filters, stride, padding);
  out = tf.add(out, p.bias);
  out = tf.add(tf.mul(out, p.scaleWeights), p.scaleBiases);
  return relu ? tf.relu(out) : out;
}

function residual(x: tf.Tensor4D, p: ResidualParams): tf.Tensor4D {
  let out = conv(x, p.conv1, 1, true, 'same');
  out = conv(out, p.conv2, 1, false, 'same');
  return tf.relu(tf.add(out, x) as tf.Tensor4D);
}

function residualDown(x: tf.Tensor4D, p: ResidualParams): tf.Tensor4D {
  let out = conv(x, p.conv1, 2, true, 'valid');
  out = conv(out, p.conv2, 1, false, 'same');
  let pooled: tf.Tensor4D = tf.avgPool(x, 2, 2, 'valid');
  // a 'valid' stride-2 3×3 conv loses one row/column against the 2×2 pool: pad with zeros
  if (pooled.shape[1] !== out.shape[1] || pooled.shape[2] !== out.shape[2]) {
    const [n, h, w, c] = out.shape;
    out = tf.concat([out, tf.zeros([n, 1, w, c])], 1);
    out = tf.concat([out, tf.zeros([n, h + 1, 1, c])], 2);
  }
  // channel count doubles: the shortcut gets zero channels
  if (pooled.shape[3] !== out.shape[3]) pooled = tf.concat([pooled, tf.zeros(pooled.shape)], 3);
  return tf.relu(tf.add(pooled, out) as tf.Tensor4D);
}

export interface RecognitionNet {
  /** Unit-length 128-d descriptors of 150×150 aligned chips (one forward pass for the whole batch). */
  embed(chips: readonly RgbaImage[]): Float32Array[];
  dispose(): void;
}

/** Builds the network from face-api's decoded weight map (`io.decodeWeights(bin, manifest specs)`). */
export function createRecognitionNet(weights: tf.NamedTensorMap): RecognitionNet {
  const first = convParams(weights, 'conv32_down');
  const blocks = RESIDUAL_BLOCKS.map(([name, kind]) => ({
    kind,
    params: { conv1: convParams(weights, `${name}/conv1`), conv2: convParams(weights, `${name}/conv2`) },
  }));
  const fc = take<tf.Rank.R2>(weights, 'fc', 2);
  if (fc.shape[1] !== EMBEDDING_SIZE) throw new Error(`face recognition weights: fc is ${fc.shape.join('×')}`);
  const mean = tf.tensor1d([...MEAN_RGB]);

  return {
    embed(chips) {
      if (chips.length === 0) return [];
      const pixels = new Float32Array(chips.length * CHIP_SIZE * CHIP_SIZE * 3);
      chips.forEach((chip, k) => {
        if (chip.width !== CHIP_SIZE || chip.height !== CHIP_SIZE) {
          throw new Error(`recognition input must be ${CHIP_SIZE}×${CHIP_SIZE}, got ${chip.width}×${chip.height}`);
        }
        const base = k * CHIP_SIZE * CHIP_SIZE * 3;
        for (let i = 0, j = 0; i < CHIP_SIZE * CHIP_SIZE; i++, j += 4) {
          pixels[base + i * 3] = chip.data[j] as number;
          pixels[base + i * 3 + 1] = chip.data[j + 1] as number;
          pixels[base + i * 3 + 2] = chip.data[j + 2] as number;
        }
      });
      const out = tf.tidy(() => {
        const input = tf.tensor4d(pixels, [chips.length, CHIP_SIZE, CHIP_SIZE, 3]);
        let x: tf.Tensor4D = tf.div(tf.sub(input, mean), 255);
        x = conv(x, first, 2, true, 'valid');
        x = tf.maxPool(x, 3, 2, 'valid');
        for (const block of blocks) x = block.kind === 'down' ? residualDown(x, block.params) : residual(x, block.params);
        const pooled = tf.mean(x, [1, 2]) as tf.Tensor2D;
        const descriptor = tf.matMul(pooled, fc);
        return tf.div(descriptor, tf.norm(descriptor, 'euclidean', 1, true));
      });
      const flat = out.dataSync() as Float32Array;
      out.dispose();
      return chips.map((_, k) => flat.slice(k * EMBEDDING_SIZE, (k + 1) * EMBEDDING_SIZE));
    },
    dispose() {
      mean.dispose();
      tf.dispose(Object.values(weights));
    },
  };
}
