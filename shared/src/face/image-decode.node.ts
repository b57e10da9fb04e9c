import jpeg from 'jpeg-js';
import { readFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import type { RgbaImage } from './face-types.ts';

/** Decodes a JPEG or PNG (by its magic bytes) to RGBA. Greyscale and palette PNGs come out as RGBA too. */
export function decodeImage(bytes: Uint8Array): RgbaImage {
  if (bytes[0] === 0xff && bytes[1] === 0xd8) {
    const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 512 });
    return { width: img.width, height: img.height, data: img.data };
  }
  if (bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) {
    const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    return { width: png.width, height: png.height, data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength) };
  }
  throw new Error('不支持的图像格式 / unsupported image format (JPEG and PNG only)');
}

export function readImageFile(file: string): RgbaImage {
  try {
    return decodeImage(readFileSync(file));
  } catch (cause) {
    throw new Error(`cannot read image ${file}: ${(cause as Error).message}`, { cause });
  }
}
