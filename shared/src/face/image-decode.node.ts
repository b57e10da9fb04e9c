import jpeg from 'jpeg-js';
import { readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { PNG } from 'pngjs';
import sharp from 'sharp';
import type { RgbaImage } from './face-types.ts';
import { messagePair, withEnglishDetail, type MessagePair } from '../i18n/bilingual.ts';

/**
 * Image bytes → RGBA, with every size bounded before a pixel is allocated, so that no file can exhaust
 * memory or reach the tfjs wasm backend at a size it cannot hold (a 3061×4600 photo once aborted it).
 *
 * - `decodePhoto` (async, sharp/libvips): photos from people — registration photos, ID-card photos,
 *   evaluation sets. JPEG (baseline and progressive), PNG and WebP; EXIF orientation applied; at most
 *   MAX_INPUT_PIXELS decoded (libvips refuses larger before decoding); the result shrunk (Lanczos) so its
 *   longer side is at most MAX_PHOTO_SIDE. Anything else is refused with an ImageDecodeError.
 * - `decodeImage` (sync, jpeg-js/pngjs): camera frames the renderer sends (canvas-made JPEG, no EXIF).
 *   Bounded to MAX_FRAME_PIXELS from the header before decoding. Kept synchronous for the booth and gate
 *   callers; the face pipeline bounds its input again before tfjs (face-pipeline.node.ts).
 */

/** Photos with more pixels are refused unread (≈ 100 MP: 12,000 × 8,000). */
export const MAX_INPUT_PIXELS = 100_000_000;
/** Decoded photos are shrunk to this longer side: enough for a face in a group photo, small for wasm. */
export const MAX_PHOTO_SIDE = 2048;
/** Photo files larger than this are refused unread. */
export const MAX_PHOTO_BYTES = 40 * 1024 * 1024;
/** Camera frames (sync path) with more pixels are refused before decoding. */
export const MAX_FRAME_PIXELS = 16_000_000;

export type ImageDecodeFailure = 'unsupported_format' | 'too_large' | 'unreadable';

/** Why an image could not be used, in Chinese then English; `reason` for programs. */
export class ImageDecodeError extends Error {
  override readonly name = 'ImageDecodeError';
  constructor(
    readonly reason: ImageDecodeFailure,
    readonly chinese: string,
    english: string,
    options?: ErrorOptions,
  ) {
    super(`${chinese} / ${english}`, options);
  }

  /** The error saying `pair` (from the catalogue, maybe with an English-only detail). */
  static of(reason: ImageDecodeFailure, pair: MessagePair, options?: ErrorOptions): ImageDecodeError {
    return new ImageDecodeError(reason, pair.zh, pair.en, options);
  }
}

const FORMATS = new Set(['jpeg', 'png', 'webp']);

function unsupported(what: string): ImageDecodeError {
  return ImageDecodeError.of('unsupported_format', messagePair('face.image.unsupported', { what }));
}

function tooLarge(width: number, height: number, limit: number): ImageDecodeError {
  return ImageDecodeError.of('too_large', messagePair('face.image.tooLarge', { width, height, limit: Math.round(limit / 1e6) }));
}

/** Decodes a photo (JPEG incl. progressive, PNG, WebP), upright by its EXIF orientation, longer side ≤ maxSide. */
export async function decodePhoto(bytes: Uint8Array, maxSide: number = MAX_PHOTO_SIDE): Promise<RgbaImage> {
  if (bytes.byteLength > MAX_PHOTO_BYTES) {
    throw ImageDecodeError.of('too_large', messagePair('face.image.fileTooLarge', { bytes: bytes.byteLength }));
  }
  const input = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let meta: sharp.Metadata;
  try {
    meta = await sharp(input, { limitInputPixels: false }).metadata();
  } catch (cause) {
    throw ImageDecodeError.of('unreadable', withEnglishDetail(messagePair('face.image.unreadable'), (cause as Error).message), { cause });
  }
  if (!meta.format || !FORMATS.has(meta.format)) throw unsupported(meta.format ?? 'unknown');
  if ((meta.pages ?? 1) > 1) throw unsupported(`animated ${meta.format}`);
  const width = meta.width ?? 0;
  const height = meta.height ?? 0;
  if (width < 1 || height < 1) throw ImageDecodeError.of('unreadable', messagePair('face.image.noDimensions'));
  if (width * height > MAX_INPUT_PIXELS) throw tooLarge(width, height, MAX_INPUT_PIXELS);
  try {
    const { data, info } = await sharp(input, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error', sequentialRead: true })
      .rotate() // EXIF orientation
      .resize({ width: maxSide, height: maxSide, fit: 'inside', withoutEnlargement: true })
      .toColourspace('srgb')
      .ensureAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 4 || data.byteLength !== info.width * info.height * 4) {
      throw new Error(`decoded ${info.width}×${info.height}×${info.channels} into ${data.byteLength} bytes`);
    }
    return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
  } catch (cause) {
    throw ImageDecodeError.of('unreadable', withEnglishDetail(messagePair('face.image.corrupt'), (cause as Error).message), { cause });
  }
}

/** `decodePhoto` of a file; a file over MAX_PHOTO_BYTES is refused without reading it. */
export async function readPhotoFile(file: string, maxSide: number = MAX_PHOTO_SIDE): Promise<RgbaImage> {
  let size: number;
  try {
    size = statSync(file).size;
  } catch (cause) {
    throw ImageDecodeError.of('unreadable', withEnglishDetail(messagePair('face.image.cannotRead', { file }), (cause as Error).message), { cause });
  }
  if (size > MAX_PHOTO_BYTES) throw ImageDecodeError.of('too_large', messagePair('face.image.fileTooLarge', { bytes: size }));
  return decodePhoto(await readFile(file), maxSide);
}

function pngSize(bytes: Uint8Array): { width: number; height: number } | null {
  if (bytes.length < 24) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

/**
 * Decodes a JPEG or PNG camera frame (by its magic bytes) to RGBA, synchronously. Frames over
 * MAX_FRAME_PIXELS are refused from the header, before any pixel buffer is allocated.
 */
export function decodeImage(bytes: Uint8Array): RgbaImage {
  if (bytes[0] === 0xff && bytes[1] === 0xd8) {
    let img: { width: number; height: number; data: Uint8Array };
    try {
      img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: MAX_FRAME_PIXELS / 1e6, maxMemoryUsageInMB: 512 });
    } catch (cause) {
      const message = (cause as Error).message;
      if (/maxResolutionInMP|maxMemoryUsageInMB/.test(message)) {
        throw ImageDecodeError.of('too_large', messagePair('face.image.frameTooLarge', { limit: MAX_FRAME_PIXELS / 1e6 }), { cause });
      }
      throw ImageDecodeError.of('unreadable', withEnglishDetail(messagePair('face.image.corruptJpeg'), message), { cause });
    }
    return { width: img.width, height: img.height, data: img.data };
  }
  if (bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) {
    const size = pngSize(bytes);
    if (!size) throw ImageDecodeError.of('unreadable', messagePair('face.image.truncatedPng'));
    if (size.width * size.height > MAX_FRAME_PIXELS) throw tooLarge(size.width, size.height, MAX_FRAME_PIXELS);
    try {
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      return { width: png.width, height: png.height, data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength) };
    } catch (cause) {
      throw ImageDecodeError.of('unreadable', withEnglishDetail(messagePair('face.image.corruptPng'), (cause as Error).message), { cause });
    }
  }
  throw ImageDecodeError.of('unsupported_format', messagePair('face.image.unsupportedFrame'));
}

/** Sync decode of a JPEG/PNG file (tests, fixtures); photos from people go through `readPhotoFile`. */
export function readImageFile(file: string): RgbaImage {
  try {
    return decodeImage(readFileSync(file));
  } catch (cause) {
    throw new Error(`cannot read image ${file}: ${(cause as Error).message}`, { cause });
  }
}
