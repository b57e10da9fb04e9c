import type { GrayImage, RgbaImage } from './face-types.ts';

/**
 * Small RGBA image operations the pipeline and its tests need (pure JS, Node and renderer). Luminance
 * for quality measures is quality.ts's `toGray`.
 */

export function grayToRgba(gray: GrayImage): RgbaImage {
  const out = new Uint8ClampedArray(gray.width * gray.height * 4);
  for (let i = 0, j = 0; i < gray.data.length; i++, j += 4) {
    const v = gray.data[i] as number;
    out[j] = v;
    out[j + 1] = v;
    out[j + 2] = v;
    out[j + 3] = 255;
  }
  return { width: gray.width, height: gray.height, data: out };
}

/** Mirror image (left ↔ right). */
export function flipHorizontal(image: RgbaImage): RgbaImage {
  const { width, height, data } = image;
  const out = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const s = (y * width + x) * 4;
      const d = (y * width + (width - 1 - x)) * 4;
      out[d] = data[s] as number;
      out[d + 1] = data[s + 1] as number;
      out[d + 2] = data[s + 2] as number;
      out[d + 3] = data[s + 3] as number;
    }
  }
  return { width, height, data: out };
}

/** Bilinear resize (downscaling by more than 2× aliases a little; fine for tests and thumbnails). */
export function resize(image: RgbaImage, width: number, height: number): RgbaImage {
  const { width: w, height: h, data } = image;
  const out = new Uint8ClampedArray(width * height * 4);
  const sx = w / width;
  const sy = h / height;
  for (let v = 0; v < height; v++) {
    const y = Math.min(h - 1, Math.max(0, (v + 0.5) * sy - 0.5));
    const y0 = Math.floor(y);
    const y1 = Math.min(h - 1, y0 + 1);
    const fy = y - y0;
    for (let u = 0; u < width; u++) {
      const x = Math.min(w - 1, Math.max(0, (u + 0.5) * sx - 0.5));
      const x0 = Math.floor(x);
      const x1 = Math.min(w - 1, x0 + 1);
      const fx = x - x0;
      const o = (v * width + u) * 4;
      for (let c = 0; c < 4; c++) {
        const a = (data[(y0 * w + x0) * 4 + c] as number) * (1 - fx) + (data[(y0 * w + x1) * 4 + c] as number) * fx;
        const b = (data[(y1 * w + x0) * 4 + c] as number) * (1 - fx) + (data[(y1 * w + x1) * 4 + c] as number) * fx;
        out[o + c] = a * (1 - fy) + b * fy;
      }
    }
  }
  return { width, height, data: out };
}

/**
 * Pads by `margin` pixels on every side, repeating the edge pixels. Tight face crops need this: the
 * detector and FaceMesh look for a face with some context around it, and the aligned chip reaches
 * beyond a tight crop.
 */
export function padEdge(image: RgbaImage, margin: number): RgbaImage {
  const { width: w, height: h, data } = image;
  const width = w + 2 * margin;
  const height = h + 2 * margin;
  const out = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    const sy = Math.min(h - 1, Math.max(0, y - margin));
    for (let x = 0; x < width; x++) {
      const sx = Math.min(w - 1, Math.max(0, x - margin));
      const s = (sy * w + sx) * 4;
      const d = (y * width + x) * 4;
      out[d] = data[s] as number;
      out[d + 1] = data[s + 1] as number;
      out[d + 2] = data[s + 2] as number;
      out[d + 3] = data[s + 3] as number;
    }
  }
  return { width, height, data: out };
}

/** Copies a rectangle (clamped to the image). */
export function crop(image: RgbaImage, x: number, y: number, width: number, height: number): RgbaImage {
  const x0 = Math.max(0, Math.floor(x));
  const y0 = Math.max(0, Math.floor(y));
  const x1 = Math.min(image.width, Math.ceil(x + width));
  const y1 = Math.min(image.height, Math.ceil(y + height));
  const w = Math.max(0, x1 - x0);
  const h = Math.max(0, y1 - y0);
  const out = new Uint8ClampedArray(w * h * 4);
  for (let row = 0; row < h; row++) {
    const s = ((y0 + row) * image.width + x0) * 4;
    out.set(image.data.subarray(s, s + w * 4), row * w * 4);
  }
  return { width: w, height: h, data: out };
}

/**
 * Shrinks by an integer factor, each output pixel the mean of a factor × factor block (box filter):
 * no aliasing, unlike `resize` far below half size. Trailing rows/columns that do not fill a block are
 * dropped (at most factor − 1 pixels).
 */
export function downscaleArea(image: RgbaImage, factor: number): RgbaImage {
  if (!Number.isInteger(factor) || factor < 1) throw new RangeError(`downscaleArea: factor must be a positive integer, got ${factor}`);
  if (factor === 1) return image;
  const { width: w, data } = image;
  const width = Math.max(1, Math.floor(image.width / factor));
  const height = Math.max(1, Math.floor(image.height / factor));
  const out = new Uint8ClampedArray(width * height * 4);
  const sums = new Float64Array(width * 4);
  const n = Math.min(factor, image.width) * Math.min(factor, image.height);
  for (let v = 0; v < height; v++) {
    sums.fill(0);
    for (let dy = 0; dy < factor && v * factor + dy < image.height; dy++) {
      const row = (v * factor + dy) * w * 4;
      for (let u = 0; u < width; u++) {
        for (let dx = 0; dx < factor && u * factor + dx < image.width; dx++) {
          const s = row + (u * factor + dx) * 4;
          sums[u * 4] = (sums[u * 4] as number) + (data[s] as number);
          sums[u * 4 + 1] = (sums[u * 4 + 1] as number) + (data[s + 1] as number);
          sums[u * 4 + 2] = (sums[u * 4 + 2] as number) + (data[s + 2] as number);
          sums[u * 4 + 3] = (sums[u * 4 + 3] as number) + (data[s + 3] as number);
        }
      }
    }
    for (let k = 0; k < width * 4; k++) out[v * width * 4 + k] = Math.round((sums[k] as number) / n);
  }
  return { width, height, data: out };
}
