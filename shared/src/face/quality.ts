/**
 * Per-frame quality gate: is this frame good enough to enrol from, match on, or run a liveness step on?
 * Checks run in QUALITY_REASONS order and the first failing one is the reason shown (in Chinese, from
 * i18n `face.quality.<reason>`).
 *
 * Pure: the same code runs in Node and in the renderer. Without a GrayImage only the geometric checks
 * (faces, size, centring, pose) run; light and blur need pixels.
 */
import {
  type Box,
  type FaceObservation,
  type FrameObservation,
  type GrayImage,
  type HeadPose,
  type QualityReason,
  type QualityReport,
  type RgbaImage,
} from './face-types.ts';
import { estimateHeadPose } from './head-pose.ts';

/**
 * Face box width over frame width. At the booth (≈ 60 cm, 640 px wide, ≈ 60° lens) a face is ≈ 0.25–0.35
 * of the width. Below 0.15 (≈ 96 px at 640) the embedding model's 150 px crop would be up-sampled
 * from very few pixels. A face is ≈ 1.3 times as tall as wide, so above 0.55 of a 4:3 frame's width it
 * fills over 90 % of the height: the least movement cuts off the chin or forehead, and the detector's
 * anchors (trained on faces well inside the frame) become unreliable.
 */
export const MIN_FACE_WIDTH_RATIO = 0.15;
export const MAX_FACE_WIDTH_RATIO = 0.55;
/** Whatever the frame size, fewer pixels than this across the face is too little to recognise. */
export const MIN_FACE_WIDTH_PX = 80;
/**
 * The face box centre may be this far from the frame centre, as a fraction of the frame's width (x) and
 * height (y), and the box may stick out of the frame by at most EDGE_TOLERANCE of its own size. A
 * quarter of the frame keeps the whole face visible at the usual sizes and tolerates a seated person
 * leaning a little.
 */
export const MAX_CENTRE_OFFSET_X = 0.25;
export const MAX_CENTRE_OFFSET_Y = 0.25;
export const EDGE_TOLERANCE = 0.05;
/**
 * Pose limits in degrees. The 128-d embedding loses accuracy beyond ≈ 20° of yaw or pitch (the aligned
 * crop then shows one cheek or the underside of the chin); roll is undone by the 5-point alignment, so
 * it is allowed much more.
 */
export const MAX_YAW_DEG = 20;
export const MAX_PITCH_DEG = 20;
export const MAX_ROLL_DEG = 30;
/**
 * Mean luma (Rec. 601, 0…255) of the face region. Below 55 the 8-bit signal of a face is mostly sensor
 * noise (a face under ordinary office light sits at 90–170); above 215 skin is clipping to white and
 * its texture is gone.
 */
export const MIN_BRIGHTNESS = 55;
export const MAX_BRIGHTNESS = 215;
/** Standard deviation of luma in the face region: a face in focus and light shows ≥ 30; under 15 it is fog or glare. */
export const MIN_CONTRAST = 15;
/**
 * Variance of the 4-neighbour Laplacian after the face region is resampled (by area averaging) to
 * SHARPNESS_FACE_WIDTH pixels across, so that a large and a small face of equal crispness score alike.
 * Measured on the near-frontal face of face-api's demo sample3.jpg (the liveness fixture's face, 209 px
 * wide): ≈ 150 as shot (≈ 117 when the photo is halved first, so the normalisation holds within 25 %);
 * after a 3 × 3 box blur ≈ 84, 5 × 5 ≈ 39, 9 × 9 ≈ 11. 60 accepts the photo and a slight defocus at
 * either size and refuses the 5 × 5 blur (≈ 2 px of defocus on a 200 px face); see quality.test.ts.
 */
export const MIN_SHARPNESS = 60;
export const SHARPNESS_FACE_WIDTH = 96;
/** Light and blur are measured on the face box shrunk by this fraction on each side (less hair and background). */
export const FACE_REGION_INSET = 0.1;

export interface QualityOptions {
  readonly minFaceWidthRatio?: number;
  readonly maxFaceWidthRatio?: number;
  readonly minFaceWidthPx?: number;
  readonly maxCentreOffsetX?: number;
  readonly maxCentreOffsetY?: number;
  readonly maxYaw?: number;
  readonly maxPitch?: number;
  readonly maxRoll?: number;
  readonly minBrightness?: number;
  readonly maxBrightness?: number;
  readonly minContrast?: number;
  readonly minSharpness?: number;
}

export const QUALITY_DEFAULTS: Required<QualityOptions> = {
  minFaceWidthRatio: MIN_FACE_WIDTH_RATIO,
  maxFaceWidthRatio: MAX_FACE_WIDTH_RATIO,
  minFaceWidthPx: MIN_FACE_WIDTH_PX,
  maxCentreOffsetX: MAX_CENTRE_OFFSET_X,
  maxCentreOffsetY: MAX_CENTRE_OFFSET_Y,
  maxYaw: MAX_YAW_DEG,
  maxPitch: MAX_PITCH_DEG,
  maxRoll: MAX_ROLL_DEG,
  minBrightness: MIN_BRIGHTNESS,
  maxBrightness: MAX_BRIGHTNESS,
  minContrast: MIN_CONTRAST,
  minSharpness: MIN_SHARPNESS,
};

/** Rec. 601 luma, in integers: (77 R + 150 G + 29 B) / 256. Alpha is ignored. */
export function toGray(rgba: RgbaImage): GrayImage {
  const { width, height, data } = rgba;
  if (data.length < width * height * 4) throw new RangeError(`RGBA data too short for ${width}×${height}`);
  const out = new Uint8Array(width * height);
  for (let i = 0, j = 0; i < out.length; i++, j += 4) {
    out[i] = (77 * (data[j] as number) + 150 * (data[j + 1] as number) + 29 * (data[j + 2] as number)) >> 8;
  }
  return { width, height, data: out };
}

/** Integer pixel rectangle of `box` shrunk by `inset` per side and clipped to the image; null if empty. */
function region(box: Box, inset: number, width: number, height: number): { x0: number; y0: number; x1: number; y1: number } | null {
  const x0 = Math.max(0, Math.round(box.x + box.width * inset));
  const y0 = Math.max(0, Math.round(box.y + box.height * inset));
  const x1 = Math.min(width, Math.round(box.x + box.width * (1 - inset)));
  const y1 = Math.min(height, Math.round(box.y + box.height * (1 - inset)));
  return x1 - x0 >= 3 && y1 - y0 >= 3 ? { x0, y0, x1, y1 } : null;
}

/** Mean and standard deviation of luma inside the face region. */
export function lightOf(gray: GrayImage, box: Box): { brightness: number; contrast: number } | null {
  const r = region(box, FACE_REGION_INSET, gray.width, gray.height);
  if (!r) return null;
  let sum = 0;
  let sum2 = 0;
  for (let y = r.y0; y < r.y1; y++) {
    for (let x = r.x0; x < r.x1; x++) {
      const v = gray.data[y * gray.width + x] as number;
      sum += v;
      sum2 += v * v;
    }
  }
  const n = (r.x1 - r.x0) * (r.y1 - r.y0);
  const mean = sum / n;
  return { brightness: mean, contrast: Math.sqrt(Math.max(0, sum2 / n - mean * mean)) };
}

/**
 * Variance of the Laplacian of the face region resampled to `targetWidth` pixels across (area
 * averaging: every source pixel counts once, so down-sampling never invents sharpness).
 */
export function sharpnessOf(gray: GrayImage, box: Box, targetWidth = SHARPNESS_FACE_WIDTH): number | null {
  const r = region(box, FACE_REGION_INSET, gray.width, gray.height);
  if (!r) return null;
  const sw = r.x1 - r.x0;
  const sh = r.y1 - r.y0;
  const w = Math.max(3, Math.round(targetWidth * (1 - 2 * FACE_REGION_INSET)));
  const h = Math.max(3, Math.round((w * sh) / sw));
  const img = new Float64Array(w * h);
  const fx = sw / w;
  const fy = sh / h;
  for (let y = 0; y < h; y++) {
    const ya = r.y0 + y * fy;
    const yb = ya + fy;
    for (let x = 0; x < w; x++) {
      const xa = r.x0 + x * fx;
      const xb = xa + fx;
      let acc = 0;
      let area = 0;
      for (let sy = Math.floor(ya); sy < Math.ceil(yb); sy++) {
        const wy = Math.min(yb, sy + 1) - Math.max(ya, sy);
        if (wy <= 0) continue;
        for (let sx = Math.floor(xa); sx < Math.ceil(xb); sx++) {
          const wx = Math.min(xb, sx + 1) - Math.max(xa, sx);
          if (wx <= 0) continue;
          acc += wx * wy * (gray.data[Math.min(sy, gray.height - 1) * gray.width + Math.min(sx, gray.width - 1)] as number);
          area += wx * wy;
        }
      }
      img[y * w + x] = acc / area;
    }
  }
  let sum = 0;
  let sum2 = 0;
  let n = 0;
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      const lap =
        (img[i - 1] as number) + (img[i + 1] as number) + (img[i - w] as number) + (img[i + w] as number) - 4 * (img[i] as number);
      sum += lap;
      sum2 += lap * lap;
      n++;
    }
  }
  const mean = sum / n;
  return sum2 / n - mean * mean;
}

const clamp01 = (v: number): number => Math.max(0, Math.min(1, v));
/** 1 for no deficiency, 0.5 exactly at a threshold (deficiency 1), 0 at twice it. */
const sub = (deficiency: number): number => clamp01(1 - deficiency / 2);

/**
 * Assess one frame. `score` (0…1) is the product of one factor per measure, each falling as the measure
 * nears its limit and 0.5 exactly at it, so it ranks the frames of a burst; a failing frame scores at
 * most 0.5.
 */
export function assessQuality(frame: FrameObservation, gray?: GrayImage, options: QualityOptions = {}): QualityReport {
  const o = { ...QUALITY_DEFAULTS, ...options };
  const faces = frame.faces.length;
  if (faces === 0) return { ok: false, reason: 'no_face', score: 0, measures: { faces } };
  if (faces > 1) return { ok: false, reason: 'several_faces', score: 0, measures: { faces } };
  const face = frame.faces[0] as FaceObservation;
  const { box } = face;

  const faceWidthRatio = box.width / frame.width;
  const pose: HeadPose = estimateHeadPose(face.mesh);
  const offX = Math.abs(box.x + box.width / 2 - frame.width / 2) / frame.width;
  const offY = Math.abs(box.y + box.height / 2 - frame.height / 2) / frame.height;
  const tolX = box.width * EDGE_TOLERANCE;
  const tolY = box.height * EDGE_TOLERANCE;
  const inside =
    box.x >= -tolX && box.y >= -tolY && box.x + box.width <= frame.width + tolX && box.y + box.height <= frame.height + tolY;

  let light: { brightness: number; contrast: number } | null = null;
  let sharpness: number | null = null;
  if (gray) {
    if (gray.width !== frame.width || gray.height !== frame.height) {
      throw new RangeError(`gray image ${gray.width}×${gray.height} does not match the frame ${frame.width}×${frame.height}`);
    }
    light = lightOf(gray, box);
    sharpness = sharpnessOf(gray, box);
  }

  const failed: QualityReason[] = [];
  if (faceWidthRatio < o.minFaceWidthRatio || box.width < o.minFaceWidthPx) failed.push('too_small');
  if (faceWidthRatio > o.maxFaceWidthRatio) failed.push('too_large');
  if (offX > o.maxCentreOffsetX || offY > o.maxCentreOffsetY || !inside) failed.push('off_centre');
  if (Math.abs(pose.yaw) > o.maxYaw || Math.abs(pose.pitch) > o.maxPitch || Math.abs(pose.roll) > o.maxRoll) failed.push('pose');
  if (light) {
    if (light.brightness < o.minBrightness) failed.push('too_dark');
    if (light.brightness > o.maxBrightness) failed.push('too_bright');
    if (light.contrast < o.minContrast) failed.push('low_contrast');
  }
  if (sharpness !== null && sharpness < o.minSharpness) failed.push('blurry');

  let score =
    sub(Math.max(o.minFaceWidthRatio / Math.max(faceWidthRatio, 1e-9), faceWidthRatio / o.maxFaceWidthRatio)) *
    sub(Math.max(offX / o.maxCentreOffsetX, offY / o.maxCentreOffsetY, inside ? 0 : 1)) *
    sub(Math.max(Math.abs(pose.yaw) / o.maxYaw, Math.abs(pose.pitch) / o.maxPitch, Math.abs(pose.roll) / o.maxRoll));
  if (light) {
    const mid = (o.minBrightness + o.maxBrightness) / 2;
    const half = (o.maxBrightness - o.minBrightness) / 2;
    score *= sub(Math.abs(light.brightness - mid) / half) * sub(o.minContrast / Math.max(light.contrast, 1e-9));
  }
  if (sharpness !== null) score *= sub(o.minSharpness / Math.max(sharpness, 1e-9));

  const measures = {
    faces,
    faceWidthRatio,
    pose,
    ...(light ?? {}),
    ...(sharpness !== null ? { sharpness } : {}),
  };
  const reason = failed[0];
  return reason ? { ok: false, reason, score: Math.min(score, 0.5), measures } : { ok: true, score, measures };
}
