/**
 * The capture thumbnail staff see beside the enrolled photo: the face with some margin (or the whole
 * frame when no face was found), scaled to 160 px wide, as a small JPEG data URL (≈ 5–8 KB).
 */
import jpeg from 'jpeg-js';
import type { Box, RgbaImage } from '@kawei/shared/face/face-types.ts';
import { crop, resize } from '@kawei/shared/face/image.ts';

export const THUMBNAIL_WIDTH = 160;
const THUMBNAIL_QUALITY = 70;
/** The face box is widened by this factor on each axis (hair, chin and some background). */
const FACE_MARGIN = 1.8;

function faceRegion(image: RgbaImage, box: Box): RgbaImage {
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  const w = Math.min(image.width, Math.round(box.width * FACE_MARGIN));
  const h = Math.min(image.height, Math.round((w * 4) / 3));
  const x = Math.max(0, Math.min(image.width - w, Math.round(cx - w / 2)));
  const y = Math.max(0, Math.min(image.height - h, Math.round(cy - h / 2)));
  return crop(image, x, y, w, h);
}

/** Halves first, then one bilinear step: a single 4× bilinear step would alias. */
function downscale(image: RgbaImage, width: number): RgbaImage {
  let out = image;
  while (out.width >= width * 2) out = resize(out, Math.round(out.width / 2), Math.max(1, Math.round(out.height / 2)));
  if (out.width === width) return out;
  return resize(out, width, Math.max(1, Math.round((out.height * width) / out.width)));
}

export function captureThumbnail(image: RgbaImage, face?: Box): string {
  const region = face ? faceRegion(image, face) : image;
  const small = downscale(region, Math.min(THUMBNAIL_WIDTH, region.width));
  const encoded = jpeg.encode({ width: small.width, height: small.height, data: Buffer.from(small.data.buffer, small.data.byteOffset, small.data.byteLength) }, THUMBNAIL_QUALITY);
  return `data:image/jpeg;base64,${Buffer.from(encoded.data).toString('base64')}`;
}
