import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faceBackendGeneration } from '../../src/face/face-models.node.ts';
import { type FacePipeline, loadFacePipeline, MAX_ANALYSIS_SIDE } from '../../src/face/face-pipeline.node.ts';
import type { RgbaImage } from '../../src/face/face-types.ts';
import { decodeImage, decodePhoto, ImageDecodeError, MAX_PHOTO_SIDE } from '../../src/face/image-decode.node.ts';
import { crop } from '../../src/face/image.ts';
import { cosineSimilarity } from '../../src/face/matching.ts';
import { demoSample } from './face-test-support.node.ts';

/**
 * No input image can break the face runtime for later calls (issue 12 §2): every odd, huge, corrupt or
 * foreign-format image gets a clear refusal or a bounded image, and after each one a normal photo
 * still gives the same embedding. All images are generated here from face-api's demo photos.
 */

let pipeline: FacePipeline;
let sample3: Buffer;
let reference: Float32Array;

/** The normal image after every odd one: sample3's largest face, compared with the first run. */
async function normalStillWorks(): Promise<void> {
  const { faces } = await pipeline.describeStill(await decodePhoto(sample3));
  expect(faces.length).toBe(2);
  expect(cosineSimilarity(faces[0]!.embedding, reference)).toBeGreaterThan(0.999);
}

async function reason(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'decoded';
  } catch (error) {
    expect(error).toBeInstanceOf(ImageDecodeError);
    expect((error as Error).message).toMatch(/[\u4e00-\u9fff].* \/ [A-Za-z]/); // Chinese, then English
    return (error as ImageDecodeError).reason;
  }
}

beforeAll(async () => {
  pipeline = await loadFacePipeline();
  sample3 = readFileSync(demoSample(3));
  const { faces } = await pipeline.describeStill(await decodePhoto(sample3));
  reference = faces[0]!.embedding;
}, 120_000);

afterAll(() => pipeline?.dispose());

describe('photos are decoded bounded, upright, in JPEG, PNG and WebP', () => {
  it('a 3061×4600 JPEG is shrunk to MAX_PHOTO_SIDE and its face found; the next image still works', async () => {
    const big = await sharp(sample3).resize(3061, 4600, { fit: 'cover' }).jpeg({ quality: 90 }).toBuffer();
    const image = await decodePhoto(big);
    expect(Math.max(image.width, image.height)).toBe(MAX_PHOTO_SIDE);
    expect(image.width / image.height).toBeCloseTo(3061 / 4600, 2);
    const { faces } = await pipeline.describeStill(image, { range: 'any' });
    expect(faces.length).toBeGreaterThanOrEqual(1);
    await normalStillWorks();
  }, 120_000);

  it('a raw 3061×4600 RGBA image handed straight to the pipeline is bounded before tfjs', async () => {
    const { data, info } = await sharp(sample3).resize(3061, 4600, { fit: 'cover' }).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    const image: RgbaImage = { width: info.width, height: info.height, data };
    const frame = await pipeline.observe(image, { still: true, range: 'any' });
    expect(frame.width).toBe(3061); // observations come back in the caller's pixels
    expect(frame.faces.length).toBeGreaterThanOrEqual(1);
    for (const f of frame.faces) expect(f.box.x + f.box.width).toBeLessThanOrEqual(3061 + 50);
    expect(Math.max(...frame.faces.map((f) => f.box.width))).toBeGreaterThan(MAX_ANALYSIS_SIDE / 8);
    await normalStillWorks();
  }, 120_000);

  it('WebP and progressive JPEG give the same face as the baseline JPEG', async () => {
    for (const bytes of [await sharp(sample3).webp({ quality: 92 }).toBuffer(), await sharp(sample3).jpeg({ quality: 92, progressive: true }).toBuffer()]) {
      const { faces } = await pipeline.describeStill(await decodePhoto(bytes));
      expect(faces.length).toBe(2);
      expect(cosineSimilarity(faces[0]!.embedding, reference)).toBeGreaterThan(0.97);
    }
    await normalStillWorks();
  }, 120_000);

  it('an EXIF-rotated JPEG (pixels turned, orientation 6) is decoded upright', async () => {
    // the pixels stored sideways with orientation 6 ("rotate 90° clockwise to view"), as phones write them
    const sideways = await sharp(sample3).rotate(-90).withMetadata({ orientation: 6 }).jpeg({ quality: 92 }).toBuffer();
    const meta = await sharp(sideways).metadata();
    expect(meta.orientation).toBe(6);
    const upright = await decodePhoto(sideways);
    const original = await decodePhoto(sample3);
    expect([upright.width, upright.height]).toEqual([original.width, original.height]);
    const { faces } = await pipeline.describeStill(upright);
    expect(faces.length).toBe(2);
    expect(cosineSimilarity(faces[0]!.embedding, reference)).toBeGreaterThan(0.97);
  }, 120_000);

  it('corrupt, truncated, foreign, huge and odd files are refused with the reason, and the next image works', async () => {
    const jpegBytes = await sharp(sample3).jpeg().toBuffer();
    expect(await reason(decodePhoto(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8])))).toBe('unreadable');
    expect(await reason(decodePhoto(Buffer.from('<html>not a photo</html>')))).toBe('unreadable');
    expect(await reason(decodePhoto(jpegBytes.subarray(0, 2000)))).toBe('unreadable'); // truncated
    expect(await reason(decodePhoto(await sharp(sample3).gif().toBuffer()))).toBe('unsupported_format');
    expect(await reason(decodePhoto(await sharp(sample3).tiff().toBuffer()))).toBe('unsupported_format');
    // 12,000 × 9,000 = 108 MP > MAX_INPUT_PIXELS: refused from the header, nothing decoded
    const huge = await sharp({ create: { width: 12_000, height: 9_000, channels: 3, background: '#777' } }).png({ compressionLevel: 9 }).toBuffer();
    expect(await reason(decodePhoto(huge))).toBe('too_large');
    await normalStillWorks();
    // odd but valid: 1×1, a 16-bit greyscale PNG with alpha, a CMYK JPEG
    for (const odd of [
      await sharp({ create: { width: 1, height: 1, channels: 3, background: '#000' } }).png().toBuffer(),
      await sharp(sample3).greyscale().ensureAlpha().png().toColourspace('grey16').toBuffer(),
      await sharp(sample3).toColourspace('cmyk').jpeg().toBuffer(),
    ]) {
      const image = await decodePhoto(odd);
      expect(image.data.length).toBe(image.width * image.height * 4);
      await pipeline.describeStill(image, { range: 'any' });
    }
    await normalStillWorks();
  }, 120_000);

  it('camera frames (sync path) over MAX_FRAME_PIXELS are refused from the header', async () => {
    const frame = await sharp({ create: { width: 5000, height: 4000, channels: 3, background: '#777' } }).jpeg().toBuffer();
    expect(() => decodeImage(frame)).toThrow(/too large|过大/);
    const png = await sharp({ create: { width: 5000, height: 4000, channels: 3, background: '#777' } }).png().toBuffer();
    expect(() => decodeImage(png)).toThrow(/too large|过大/);
    expect(() => decodeImage(new Uint8Array([0xff, 0xd8, 0xff, 0x00]))).toThrow(ImageDecodeError);
    const ok = decodeImage(await sharp(sample3).jpeg().toBuffer());
    expect(ok.width).toBeGreaterThan(0);
  }, 60_000);
});

describe('a broken wasm runtime is replaced', () => {
  it('after the wasm module traps, the next call restarts the backend and gives the same embedding', async () => {
    const before = faceBackendGeneration();
    // What an oversized photo did before the bounds: the module aborted, and from then on every kernel
    // failed with "memory access out of bounds". Simulated deterministically: this module's allocator
    // now traps the way a dead Emscripten module does.
    const backend = tf.backend() as unknown as { wasm: { _malloc: (n: number) => number } };
    backend.wasm._malloc = () => {
      throw new WebAssembly.RuntimeError('memory access out of bounds');
    };
    expect(() => tf.add(tf.ones([3]), 1).dataSync()).toThrow(/out of bounds/);
    await normalStillWorks(); // restarted inside the call, then run again
    expect(faceBackendGeneration()).toBe(before + 1);
    await normalStillWorks();
    expect(faceBackendGeneration()).toBe(before + 1);
  }, 240_000);
});

describe('faces at any distance in photos (full-range detector)', () => {
  it('a small face in a large photo is missed at selfie range and found with range "any"', async () => {
    const photo = await decodePhoto(sample3);
    const { faces } = await pipeline.describeStill(photo);
    const box = faces[0]!.face.box;
    const head = crop(photo, box.x - box.width * 0.6, box.y - box.height * 0.6, box.width * 2.2, box.height * 2.2);
    const headPng = await sharp(Buffer.from(head.data.buffer, head.data.byteOffset, head.data.byteLength), { raw: { width: head.width, height: head.height, channels: 4 } })
      .resize(250)
      .png()
      .toBuffer();
    // a 1,800 × 1,350 scene with the face ≈ 115 px wide (6 % of the width) in the lower right
    const scene = await sharp({ create: { width: 1800, height: 1350, channels: 3, background: '#8a8f96' } })
      .composite([{ input: headPng, left: 1450, top: 1000 }])
      .jpeg({ quality: 92 })
      .toBuffer();
    const image = await decodePhoto(scene);
    const near = await pipeline.describeStill(image);
    const any = await pipeline.describeStill(image, { range: 'any' });
    expect(near.faces.length).toBe(0);
    expect(any.faces.length).toBe(1);
    const found = any.faces[0]!.face.box;
    expect(found.x).toBeGreaterThan(1450);
    expect(found.y).toBeGreaterThan(1000);
    expect(cosineSimilarity(any.faces[0]!.embedding, reference)).toBeGreaterThan(0.9);
  }, 120_000);

  it('group photos: range "any" finds at least the faces selfie range finds, none twice', async () => {
    for (const n of [1, 2, 4, 5]) {
      const image = await decodePhoto(readFileSync(demoSample(n)));
      const near = await pipeline.describeStill(image);
      const any = await pipeline.describeStill(image, { range: 'any' });
      expect(any.faces.length).toBeGreaterThanOrEqual(near.faces.length);
      for (let i = 0; i < any.faces.length; i++) {
        for (let j = i + 1; j < any.faces.length; j++) {
          const a = any.faces[i]!.face.box;
          const b = any.faces[j]!.face.box;
          const dx = Math.abs(a.x + a.width / 2 - (b.x + b.width / 2));
          expect(dx + Math.abs(a.y - b.y)).toBeGreaterThan(Math.min(a.width, b.width) / 2);
        }
      }
    }
    const sample2 = await decodePhoto(readFileSync(demoSample(2)));
    expect((await pipeline.describeStill(sample2, { range: 'any' })).faces.length).toBeGreaterThan((await pipeline.describeStill(sample2)).faces.length);
  }, 240_000);
});
