import { describe, expect, it } from 'vitest';
import {
  alignFace,
  applySimilarity,
  CHIP_SIZE,
  CHIP_TEMPLATE,
  describeSimilarity,
  estimateSimilarity,
  fivePointsFromMesh,
  invertSimilarity,
  MESH_EYE_IMAGE_LEFT,
  MESH_EYE_IMAGE_RIGHT,
  MESH_MOUTH_IMAGE_LEFT,
  MESH_MOUTH_IMAGE_RIGHT,
  MESH_NOSE_TIP,
  type Point2,
  type Similarity,
  warpSimilarity,
} from '../../src/face/alignment.ts';
import type { Point3, RgbaImage } from '../../src/face/face-types.ts';

const known: Similarity = (() => {
  const scale = 1.7;
  const theta = (23 * Math.PI) / 180;
  return { a: scale * Math.cos(theta), b: scale * Math.sin(theta), tx: 12.5, ty: -40 };
})();

describe('similarity estimate', () => {
  it('recovers a known rotation, scale and shift exactly from noiseless points', () => {
    const from: Point2[] = [[10, 20], [80, 25], [45, 60], [20, 90], [75, 95]];
    const to = from.map((p) => applySimilarity(known, p));
    const s = estimateSimilarity(from, to);
    expect(s.a).toBeCloseTo(known.a, 10);
    expect(s.b).toBeCloseTo(known.b, 10);
    expect(s.tx).toBeCloseTo(known.tx, 8);
    expect(s.ty).toBeCloseTo(known.ty, 8);
    expect(describeSimilarity(s).scale).toBeCloseTo(1.7, 10);
    expect(describeSimilarity(s).rotationDeg).toBeCloseTo(23, 8);
  });

  it('is the least-squares fit under noise and inverts back to the identity', () => {
    const from: Point2[] = [[0, 0], [100, 0], [50, 50], [0, 100], [100, 100]];
    const noise = [[0.5, -0.3], [-0.2, 0.4], [0.1, 0.1], [-0.4, -0.2], [0.3, 0.2]];
    const to = from.map((p, i) => {
      const q = applySimilarity(known, p);
      return [q[0] + (noise[i]?.[0] ?? 0), q[1] + (noise[i]?.[1] ?? 0)] as const;
    });
    const s = estimateSimilarity(from, to);
    expect(describeSimilarity(s).rotationDeg).toBeCloseTo(23, 0);
    const back = applySimilarity(invertSimilarity(s), applySimilarity(s, [33, 44]));
    expect(back[0]).toBeCloseTo(33, 9);
    expect(back[1]).toBeCloseTo(44, 9);
  });

  it('refuses degenerate input', () => {
    expect(() => estimateSimilarity([[1, 1], [1, 1]], [[0, 0], [1, 1]])).toThrow(/coincide/);
    expect(() => estimateSimilarity([[1, 1]], [[0, 0]])).toThrow();
  });
});

describe('alignment from a mesh', () => {
  /** A synthetic 468-point mesh whose five alignment points are the template moved by `known`. */
  function meshAt(transform: Similarity): Point3[] {
    const mesh: Point3[] = Array.from({ length: 468 }, () => [0, 0, 0] as const);
    const put = (indices: readonly number[], p: Point2) => {
      const q = applySimilarity(transform, p);
      for (const i of indices) mesh[i] = [q[0], q[1], 0];
    };
    put(MESH_EYE_IMAGE_LEFT, CHIP_TEMPLATE[0] as Point2);
    put(MESH_EYE_IMAGE_RIGHT, CHIP_TEMPLATE[1] as Point2);
    put([MESH_NOSE_TIP], CHIP_TEMPLATE[2] as Point2);
    put([MESH_MOUTH_IMAGE_LEFT], CHIP_TEMPLATE[3] as Point2);
    put([MESH_MOUTH_IMAGE_RIGHT], CHIP_TEMPLATE[4] as Point2);
    return mesh;
  }

  it('maps the five mesh points onto the chip template', () => {
    const mesh = meshAt(known);
    const five = fivePointsFromMesh(mesh);
    const s = estimateSimilarity(five, CHIP_TEMPLATE);
    five.forEach((p, i) => {
      const q = applySimilarity(s, p);
      expect(q[0]).toBeCloseTo((CHIP_TEMPLATE[i] as Point2)[0], 6);
      expect(q[1]).toBeCloseTo((CHIP_TEMPLATE[i] as Point2)[1], 6);
    });
  });

  it('warps an image so a marked pixel lands where the transform says', () => {
    // a 400×400 image, black except a white 5×5 square around the image of the chip's centre
    const w = 400;
    const data = new Uint8ClampedArray(w * w * 4);
    const centre = applySimilarity(known, [CHIP_SIZE / 2, CHIP_SIZE / 2]);
    for (let y = 0; y < w; y++) {
      for (let x = 0; x < w; x++) {
        const o = (y * w + x) * 4;
        const on = Math.abs(x + 0.5 - centre[0]) <= 2.5 && Math.abs(y + 0.5 - centre[1]) <= 2.5;
        data[o] = data[o + 1] = data[o + 2] = on ? 255 : 0;
        data[o + 3] = 255;
      }
    }
    const image: RgbaImage = { width: w, height: w, data };
    const chip = alignFace(image, { mesh: meshAt(known) });
    expect(chip.width).toBe(CHIP_SIZE);
    const at = (x: number, y: number) => chip.data[(y * CHIP_SIZE + x) * 4] as number;
    expect(at(75, 75)).toBeGreaterThan(200); // centre of the chip is the white square
    expect(at(10, 10)).toBe(0);
    // the square (5 px in the image) is 5/1.7 ≈ 3 px in the chip
    expect(at(78, 75)).toBeLessThan(60);
  });

  it('repeats edge pixels outside the source', () => {
    const data = new Uint8ClampedArray(2 * 2 * 4).fill(200);
    const chip = warpSimilarity({ width: 2, height: 2, data }, { a: 1, b: 0, tx: 50, ty: 50 }, 10);
    expect([...chip.data.slice(0, 4)]).toEqual([200, 200, 200, 200]);
  });
});
