/**
 * Head pose (yaw, pitch, roll in degrees) from the 468-point FaceMesh, in closed form.
 *
 * Method: build the face's own axes from the 3D mesh and read the angles off that rotation.
 * - x axis: the sum of (person's left − person's right) over mirror pairs (eye corners, mouth corners,
 *   cheeks). Summing several pairs averages out the noise of any one point.
 * - y axis: forehead (10) → chin (152), made orthogonal to x. In MediaPipe's canonical frontal face
 *   these two points lie at almost the same depth (4.48 and 4.26 over a height of 17.7, ≈ 0.7°), so
 *   "the 10–152 line parallel to the image plane" is a frontal pitch of zero without a calibration.
 * - z = x × y, pointing from the face into the scene.
 *
 * Why this and not a least-squares fit (Procrustes/Kabsch) against a frontal reference mesh: it needs no
 * stored reference face (whose proportions would differ from the person's own), costs a few dozen
 * operations per frame, and is exact for a rigid rotation of any face shape. A Procrustes fit is the
 * better choice when individual points are unreliable; FaceMesh's points are smooth and complete.
 *
 * Conventions (image coordinates: x right, y down, z away from the camera), matching HeadPose:
 * yaw > 0: turned to the person's left (nose toward image right); pitch > 0: looking up;
 * roll > 0: head tilted toward the person's left shoulder (the eye line turns clockwise on screen).
 * The rotation is R = Rz(roll) · Ry(yaw) · Rx(pitch) in those senses: pitch and yaw first, roll last
 * about the camera axis, so moving a photo around in its own plane changes only roll.
 */
import type { HeadPose, Point3 } from './face-types.ts';
import { CHIN, FOREHEAD, SYMMETRIC_PAIRS } from './landmark-indices.ts';

export type Vec3 = readonly [number, number, number];
/** Row-major 3×3; columns are the face's x, y, z axes in image coordinates. */
export type Mat3 = readonly [Vec3, Vec3, Vec3];

const DEG = 180 / Math.PI;

function sub(a: Point3, b: Point3): Vec3 {
  return [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
}
function dot(a: Vec3, b: Vec3): number {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}
function cross(a: Vec3, b: Vec3): Vec3 {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}
function unit(v: Vec3): Vec3 {
  const n = Math.hypot(v[0], v[1], v[2]);
  if (n === 0) throw new RangeError('degenerate mesh: zero-length axis');
  return [v[0] / n, v[1] / n, v[2] / n];
}

function point(mesh: readonly Point3[], index: number): Point3 {
  const p = mesh[index];
  if (!p) throw new RangeError(`mesh has no point ${index} (${mesh.length} points)`);
  return p;
}

/** The face's axes (unit vectors in image coordinates). */
export function faceAxes(mesh: readonly Point3[]): { x: Vec3; y: Vec3; z: Vec3 } {
  let sx = 0;
  let sy = 0;
  let sz = 0;
  for (const [right, left] of SYMMETRIC_PAIRS) {
    const d = sub(point(mesh, left), point(mesh, right));
    sx += d[0];
    sy += d[1];
    sz += d[2];
  }
  const x = unit([sx, sy, sz]);
  const down = sub(point(mesh, CHIN), point(mesh, FOREHEAD));
  const along = dot(down, x);
  const y = unit([down[0] - along * x[0], down[1] - along * x[1], down[2] - along * x[2]]);
  return { x, y, z: cross(x, y) };
}

export function estimateHeadPose(mesh: readonly Point3[]): HeadPose {
  const { x, y, z } = faceAxes(mesh);
  return {
    yaw: Math.asin(Math.max(-1, Math.min(1, x[2]))) * DEG,
    pitch: Math.atan2(-y[2], z[2]) * DEG,
    roll: Math.atan2(x[1], x[0]) * DEG,
  };
}

/** The rotation a pose stands for (see the conventions above); for making test meshes and overlays. */
export function rotationFromPose(pose: HeadPose): Mat3 {
  const [y, p, r] = [pose.yaw / DEG, pose.pitch / DEG, pose.roll / DEG];
  const cy = Math.cos(y);
  const sy = Math.sin(y);
  const cp = Math.cos(p);
  const sp = Math.sin(p);
  const cr = Math.cos(r);
  const sr = Math.sin(r);
  // Ry: yaw > 0 turns the face's +x toward +z (the person's left side goes away from the camera).
  const ry: Mat3 = [[cy, 0, -sy], [0, 1, 0], [sy, 0, cy]];
  // Rx: pitch > 0 turns the chin (+y) toward the camera (−z).
  const rx: Mat3 = [[1, 0, 0], [0, cp, sp], [0, -sp, cp]];
  const rz: Mat3 = [[cr, -sr, 0], [sr, cr, 0], [0, 0, 1]];
  return mul(rz, mul(ry, rx));
}

export function mul(a: Mat3, b: Mat3): Mat3 {
  const row = (i: 0 | 1 | 2): Vec3 => [
    a[i][0] * b[0][0] + a[i][1] * b[1][0] + a[i][2] * b[2][0],
    a[i][0] * b[0][1] + a[i][1] * b[1][1] + a[i][2] * b[2][1],
    a[i][0] * b[0][2] + a[i][1] * b[1][2] + a[i][2] * b[2][2],
  ];
  return [row(0), row(1), row(2)];
}

export function transpose(m: Mat3): Mat3 {
  return [
    [m[0][0], m[1][0], m[2][0]],
    [m[0][1], m[1][1], m[2][1]],
    [m[0][2], m[1][2], m[2][2]],
  ];
}

export function apply(m: Mat3, v: Vec3): Vec3 {
  return [dot(m[0], v), dot(m[1], v), dot(m[2], v)];
}
