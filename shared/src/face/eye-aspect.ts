/**
 * Eye aspect ratio (EAR) from the FaceMesh: the mean of the two lid-to-lid distances over the
 * corner-to-corner distance, (|p2 − p6| + |p3 − p5|) / (2 |p1 − p4|). Open eyes give roughly 0.25–0.35,
 * closed eyes well under half of the person's own open value.
 *
 * Distances are taken in 3D (FaceMesh `z` is in the same pixel scale as x and y): a turned head
 * foreshortens the eye's width in the image but not in 3D, so the ratio stays steadier through a head
 * turn. It is invariant to moving, scaling and rotating the whole mesh.
 */
import type { Point3 } from './face-types.ts';
import { LEFT_EYE, RIGHT_EYE, type EyeIndices } from './landmark-indices.ts';

export function distance3(a: Point3, b: Point3): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
}

function at(mesh: readonly Point3[], index: number): Point3 {
  const p = mesh[index];
  if (!p) throw new RangeError(`mesh has no point ${index} (${mesh.length} points)`);
  return p;
}

/** EAR of one eye; 0 when the corners coincide (a degenerate mesh). */
export function eyeAspectRatio(mesh: readonly Point3[], eye: EyeIndices): number {
  const width = distance3(at(mesh, eye.outer), at(mesh, eye.inner));
  if (width === 0) return 0;
  const h1 = distance3(at(mesh, eye.upperOuter), at(mesh, eye.lowerOuter));
  const h2 = distance3(at(mesh, eye.upperInner), at(mesh, eye.lowerInner));
  return (h1 + h2) / (2 * width);
}

export interface EyeAspect {
  /** The person's right eye (image left). */
  readonly right: number;
  readonly left: number;
  readonly mean: number;
}

export function eyeAspect(mesh: readonly Point3[]): EyeAspect {
  const right = eyeAspectRatio(mesh, RIGHT_EYE);
  const left = eyeAspectRatio(mesh, LEFT_EYE);
  return { right, left, mean: (right + left) / 2 };
}
