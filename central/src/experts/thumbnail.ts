import jpeg from 'jpeg-js';
import type { Box, RgbaImage } from '@kawei/shared/face/face-types.ts';
import { crop, resize } from '@kawei/shared/face/image.ts';

/**
 * The small photo a gate's staff monitor shows next to a masked name: head and shoulders cut around
 * the face box, 96 × 120, JPEG. About 3–5 KB, so a part of FACES_PER_PART people stays near a
 * megabyte; never above MAX_THUMBNAIL_BYTES (the schema's cap), lowering the JPEG quality if need be.
 */
export const THUMBNAIL_WIDTH = 96;
export const THUMBNAIL_HEIGHT = 120;
export const MAX_THUMBNAIL_BYTES = 30_000;
const QUALITIES = [75, 60, 45, 30] as const;

/** The crop: the face box widened to 1.8 × its width, 4:5, centred a little above the box centre. */
export function thumbnailRect(box: Box): Box {
  const width = box.width * 1.8;
  const height = (width * THUMBNAIL_HEIGHT) / THUMBNAIL_WIDTH;
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height * 0.45;
  return { x: cx - width / 2, y: cy - height / 2, width, height };
}

export function makeThumbnail(image: RgbaImage, box: Box): Uint8Array {
  const r = thumbnailRect(box);
  const cut = crop(image, r.x, r.y, r.width, r.height);
  if (cut.width === 0 || cut.height === 0) throw new RangeError('thumbnail: the face box lies outside the image');
  const small = resize(cut, THUMBNAIL_WIDTH, THUMBNAIL_HEIGHT);
  let out: Uint8Array = new Uint8Array();
  for (const quality of QUALITIES) {
    const data = Buffer.from(small.data.buffer, small.data.byteOffset, small.data.byteLength);
    out = new Uint8Array(jpeg.encode({ width: small.width, height: small.height, data }, quality).data);
    if (out.length <= MAX_THUMBNAIL_BYTES) return out;
  }
  throw new RangeError(`thumbnail: ${out.length} bytes even at the lowest quality`);
}
