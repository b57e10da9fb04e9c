import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import jpeg from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { QUALITY_REASONS, type FrameObservation, type GrayImage, type QualityReason } from '../../src/face/face-types.ts';
import {
  MIN_SHARPNESS,
  assessQuality,
  lightOf,
  sharpnessOf,
  toGray,
} from '../../src/face/quality.ts';
import { MESSAGES } from '../../src/i18n/messages.ts';
import { BOOTH_CAMERA, frameOf, frontalShape, poseMesh, realFixture, type Mesh } from './fixtures/synthetic-mesh.ts';

const shape = frontalShape();
const frontal = poseMesh(shape, { yaw: 0, pitch: 0, roll: 0 });

function flat(value: number, width = 640, height = 480): GrayImage {
  return { width, height, data: new Uint8Array(width * height).fill(value) };
}

function checkerboard(cell: number, lo = 70, hi = 190, width = 640, height = 480): GrayImage {
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) data[y * width + x] = (Math.floor(x / cell) + Math.floor(y / cell)) % 2 ? hi : lo;
  }
  return { width, height, data };
}

function boxBlur(g: GrayImage, k: number): GrayImage {
  const r = (k - 1) / 2;
  const out = new Uint8Array(g.data.length);
  for (let y = 0; y < g.height; y++) {
    for (let x = 0; x < g.width; x++) {
      let sum = 0;
      let n = 0;
      for (let dy = -r; dy <= r; dy++) {
        for (let dx = -r; dx <= r; dx++) {
          const xx = x + dx;
          const yy = y + dy;
          if (xx < 0 || yy < 0 || xx >= g.width || yy >= g.height) continue;
          sum += g.data[yy * g.width + xx] as number;
          n++;
        }
      }
      out[y * g.width + x] = Math.round(sum / n);
    }
  }
  return { width: g.width, height: g.height, data: out };
}

const reasonOf = (frame: FrameObservation, gray?: GrayImage): QualityReason | undefined => assessQuality(frame, gray).reason;

describe('assessQuality: geometry', () => {
  it('passes a frontal, centred face of booth size and reports its measures', () => {
    const report = assessQuality(frameOf(0, [frontal]));
    expect(report.ok).toBe(true);
    expect(report.reason).toBeUndefined();
    expect(report.measures.faces).toBe(1);
    expect(report.measures.faceWidthRatio).toBeGreaterThan(0.25);
    expect(report.measures.faceWidthRatio).toBeLessThan(0.45);
    expect(Math.abs(report.measures.pose?.yaw ?? 99)).toBeLessThan(1);
    expect(report.score).toBeGreaterThan(0.5);
    expect(report.measures.brightness).toBeUndefined(); // no pixels, no light measures
  });

  it('no_face and several_faces', () => {
    expect(reasonOf(frameOf(0, []))).toBe('no_face');
    const other = poseMesh(shape, { yaw: 0, pitch: 0, roll: 0 }, { ...BOOTH_CAMERA, cx: 500 }, 0.5);
    const report = assessQuality(frameOf(0, [frontal, other]));
    expect(report).toMatchObject({ ok: false, reason: 'several_faces', score: 0, measures: { faces: 2 } });
  });

  it('too_small: relative to the frame and in absolute pixels', () => {
    expect(reasonOf(frameOf(0, [poseMesh(shape, { yaw: 0, pitch: 0, roll: 0 }, BOOTH_CAMERA, 0.35)]))).toBe('too_small');
    // ≈ 0.18 of a 320-wide frame is ≈ 58 px: relatively fine, absolutely too few pixels.
    const small = { width: 320, height: 240, cx: 160, cy: 120, distance: 800 };
    const mesh = poseMesh(shape, { yaw: 0, pitch: 0, roll: 0 }, small, 0.3);
    const frame = frameOf(0, [mesh], small);
    expect(assessQuality(frame).measures.faceWidthRatio).toBeGreaterThan(0.15);
    expect(reasonOf(frame)).toBe('too_small');
  });

  it('too_large', () => {
    expect(reasonOf(frameOf(0, [poseMesh(shape, { yaw: 0, pitch: 0, roll: 0 }, BOOTH_CAMERA, 1.6)]))).toBeUndefined();
    expect(reasonOf(frameOf(0, [poseMesh(shape, { yaw: 0, pitch: 0, roll: 0 }, BOOTH_CAMERA, 2.1)]))).toBe('too_large');
  });

  it('off_centre: far from the middle, or cut by the frame edge', () => {
    expect(reasonOf(frameOf(0, [poseMesh(shape, { yaw: 0, pitch: 0, roll: 0 }, { ...BOOTH_CAMERA, cx: 130 })]))).toBe('off_centre');
    expect(reasonOf(frameOf(0, [poseMesh(shape, { yaw: 0, pitch: 0, roll: 0 }, { ...BOOTH_CAMERA, cy: 390 })]))).toBe('off_centre');
    expect(reasonOf(frameOf(0, [poseMesh(shape, { yaw: 0, pitch: 0, roll: 0 }, { ...BOOTH_CAMERA, cx: 420 })]))).toBeUndefined();
  });

  it('pose: yaw, pitch and roll limits, configurable', () => {
    const at = (yaw: number, pitch: number, roll = 0): FrameObservation => frameOf(0, [poseMesh(shape, { yaw, pitch, roll })]);
    expect(reasonOf(at(15, 0))).toBeUndefined();
    expect(reasonOf(at(27, 0))).toBe('pose');
    expect(reasonOf(at(-27, 0))).toBe('pose');
    expect(reasonOf(at(0, 27))).toBe('pose');
    expect(reasonOf(at(0, -27))).toBe('pose');
    expect(reasonOf(at(0, 0, 25))).toBeUndefined();
    expect(reasonOf(at(0, 0, 40))).toBe('pose');
    expect(assessQuality(at(15, 0), undefined, { maxYaw: 10 }).reason).toBe('pose');
    expect(assessQuality(at(27, 0), undefined, { maxYaw: 35 }).ok).toBe(true);
  });

  it('reports the first failing check in QUALITY_REASONS order', () => {
    // Too small AND turned AND dark: too_small comes first.
    const frame = frameOf(0, [poseMesh(shape, { yaw: 35, pitch: 0, roll: 0 }, BOOTH_CAMERA, 0.35)]);
    expect(assessQuality(frame, flat(10)).reason).toBe('too_small');
    expect(QUALITY_REASONS.indexOf('too_small')).toBeLessThan(QUALITY_REASONS.indexOf('pose'));
  });
});

describe('assessQuality: light and blur on constructed images', () => {
  const frame = frameOf(0, [frontal]);

  it('too_dark, too_bright and low_contrast on flat images', () => {
    expect(reasonOf(frame, flat(20))).toBe('too_dark');
    expect(reasonOf(frame, flat(245))).toBe('too_bright');
    const mid = assessQuality(frame, flat(128));
    expect(mid.reason).toBe('low_contrast');
    expect(mid.measures.brightness).toBe(128);
    expect(mid.measures.contrast).toBe(0);
  });

  it('measures light inside the face box only', () => {
    const g = flat(20);
    const box = frame.faces[0]?.box;
    if (!box) throw new Error('no box');
    const bright = checkerboard(4);
    for (let y = Math.floor(box.y); y < box.y + box.height; y++) {
      for (let x = Math.floor(box.x); x < box.x + box.width; x++) g.data[y * 640 + x] = bright.data[y * 640 + x] as number;
    }
    expect(lightOf(g, box)?.brightness).toBeCloseTo(130, -1);
    expect(reasonOf(frame, g)).toBeUndefined();
  });

  it('a sharp checkerboard passes; the same board blurred is blurry', () => {
    const sharp = checkerboard(24);
    const sharpReport = assessQuality(frame, sharp);
    expect(sharpReport.ok).toBe(true);
    expect(sharpReport.measures.sharpness).toBeGreaterThan(MIN_SHARPNESS * 3);
    const blurred = assessQuality(frame, boxBlur(sharp, 15));
    expect(blurred.measures.contrast).toBeGreaterThan(15); // not a contrast failure in disguise
    expect(blurred.reason).toBe('blurry');
    expect(blurred.score).toBeLessThanOrEqual(0.5);
    expect(sharpReport.score).toBeGreaterThan(blurred.score);
  });

  it('normalises sharpness for face size: the same scene at half resolution scores within 30 %', () => {
    const board = checkerboard(16);
    const box = { x: 200, y: 120, width: 240, height: 240 };
    const full = sharpnessOf(board, box) ?? 0;
    const half = sharpnessOf(checkerboard(8, 70, 190, 320, 240), { x: 100, y: 60, width: 120, height: 120 }) ?? 0;
    expect(full).toBeGreaterThan(0);
    expect(Math.abs(half - full) / full).toBeLessThan(0.3);
  });

  it('rejects a gray image that does not match the frame', () => {
    expect(() => assessQuality(frame, flat(128, 320, 240))).toThrow(RangeError);
  });
});

describe('assessQuality on a real photo (face-api demo sample3.jpg, the mesh fixture\'s face)', () => {
  const require = createRequire(import.meta.url);
  const photo = jpeg.decode(readFileSync(require.resolve('@vladmandic/face-api/demo/sample3.jpg')), { useTArray: true });
  const gray = toGray(photo);
  // A 640×480 window around the face, as a booth camera would frame it.
  const at = { x: 378, y: 238 };
  const window: GrayImage = {
    width: 640,
    height: 480,
    data: Uint8Array.from({ length: 640 * 480 }, (_, i) => gray.data[(at.y + Math.floor(i / 640)) * gray.width + at.x + (i % 640)] as number),
  };
  const shift = { x: realFixture.crop.x - at.x, y: realFixture.crop.y - at.y };
  const mesh: Mesh = realFixture.mesh.map(([x, y, z]) => [x + shift.x, y + shift.y, z] as const);
  const frame = frameOf(0, [mesh]);

  it('passes every check as shot', () => {
    const report = assessQuality(frame, window);
    expect(report.reason).toBeUndefined();
    expect(report.measures.sharpness).toBeGreaterThan(MIN_SHARPNESS * 1.5);
  });

  it('is blurry after a 5 × 5 box blur, dark when dimmed to a fifth', () => {
    expect(assessQuality(frame, boxBlur(window, 5)).reason).toBe('blurry');
    const dim: GrayImage = { ...window, data: window.data.map((v) => Math.round(v / 5)) };
    expect(assessQuality(frame, dim).reason).toBe('too_dark');
  });
});

describe('toGray', () => {
  it('weights red, green and blue as Rec. 601 luma and ignores alpha', () => {
    const rgba = { width: 4, height: 1, data: Uint8ClampedArray.from([255, 0, 0, 0, 0, 255, 0, 255, 0, 0, 255, 9, 255, 255, 255, 255]) };
    expect([...toGray(rgba).data]).toEqual([76, 149, 28, 255]);
  });
});

describe('messages', () => {
  it('has a Chinese and an English text for every quality reason', () => {
    for (const reason of QUALITY_REASONS) {
      expect(MESSAGES['zh-CN'][`face.quality.${reason}`]).toMatch(/[\u4e00-\u9fff]/);
      expect(MESSAGES.en[`face.quality.${reason}`]).toMatch(/[a-z]/);
    }
  });
});

