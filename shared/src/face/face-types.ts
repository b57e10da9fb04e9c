/**
 * The shapes the face pipeline passes between its stages. Pure types: the same in Node (the trusted
 * side, where templates live and matches are decided) and in the renderer (guidance at frame rate).
 *
 * Coordinates are image pixels, origin top-left, x to the right, y down. `z` of a mesh point is the
 * MediaPipe FaceMesh depth in the same pixel scale (smaller = nearer the camera).
 */

/** An 8-bit image as RGBA, the layout of ImageData and of a decoded JPEG/PNG. */
export interface RgbaImage {
  readonly width: number;
  readonly height: number;
  /** width × height × 4 bytes. */
  readonly data: Uint8ClampedArray | Uint8Array;
}

/** One luminance byte per pixel (for blur and light measurements). */
export interface GrayImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

export interface Box {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export type Point3 = readonly [x: number, y: number, z: number];

/** One detected face with its 468-point FaceMesh (MediaPipe's canonical indices). */
export interface FaceObservation {
  readonly box: Box;
  /** 468 points in MediaPipe FaceMesh order. */
  readonly mesh: readonly Point3[];
  /** Detector confidence, 0…1. */
  readonly score: number;
}

/** What the detector saw in one frame. */
export interface FrameObservation {
  /** Monotonic milliseconds (performance.now() or the video frame's timestamp). */
  readonly t: number;
  readonly width: number;
  readonly height: number;
  readonly faces: readonly FaceObservation[];
}

/** Head pose in degrees: yaw > 0 turned to the person's left (image right), pitch > 0 looking up. */
export interface HeadPose {
  readonly yaw: number;
  readonly pitch: number;
  readonly roll: number;
}

/**
 * Why a frame is not good enough to decide on. The UI shows `messages[reason]` from i18n; the
 * order here is the order they are checked (the first failing one is reported).
 */
export const QUALITY_REASONS = [
  'no_face',
  'several_faces',
  'too_small',
  'too_large',
  'off_centre',
  'pose',
  'too_dark',
  'too_bright',
  'low_contrast',
  'blurry',
] as const;
export type QualityReason = (typeof QUALITY_REASONS)[number];

export interface QualityReport {
  readonly ok: boolean;
  /** The first failing check, absent when ok. */
  readonly reason?: QualityReason;
  /** 0…1: a summary for logs and for picking the best frame of a burst. */
  readonly score: number;
  readonly measures: {
    readonly faces: number;
    /** Face box width / frame width. */
    readonly faceWidthRatio?: number;
    readonly pose?: HeadPose;
    /** Mean luminance of the face region, 0…255. */
    readonly brightness?: number;
    /** Standard deviation of luminance in the face region. */
    readonly contrast?: number;
    /** Variance of the Laplacian of the face region (higher = sharper). */
    readonly sharpness?: number;
  };
}

/** A face template: the 128-d embedding of one enrolled photo (or the mean of several), unit length. */
export interface FaceTemplate {
  readonly personId: string;
  readonly embedding: Float32Array;
  /** Quality score of the photo(s) it came from. */
  readonly quality: number;
  /** Model that made it: templates from different models never compare. */
  readonly model: string;
}

export type MatchDecision = 'match' | 'no_match' | 'poor_quality';

export interface MatchResult {
  readonly decision: MatchDecision;
  /** Cosine similarity of the best candidate, −1…1. */
  readonly similarity: number;
  readonly threshold: number;
  /** 1:N only: the best candidate's id (present also when below the threshold, for logs). */
  readonly personId?: string;
  readonly quality: QualityReport;
}
