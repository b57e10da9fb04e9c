/**
 * The MediaPipe FaceMesh (468-point) indices the landmark-based checks use.
 *
 * Sources, checked against each other:
 * - the contour table shipped in `@tensorflow-models/face-landmarks-detection`
 *   (`dist/constants.js`, `MEDIAPIPE_FACE_MESH_KEYPOINTS_BY_CONTOUR`, the same as MediaPipe's
 *   `mediapipe/python/solutions/face_mesh_connections.py`): `rightEye` runs 33 → lower lid
 *   7 163 144 145 153 154 155 → 133 and 33 → upper lid 246 161 160 159 158 157 173 → 133; `leftEye`
 *   runs 263 → lower lid 249 390 373 374 380 381 382 → 362 and 263 → upper lid 466 388 387 386 385 384
 *   398 → 362; `faceOval` starts at 10 (forehead) and passes 152 (chin);
 * - the six-point eye-aspect-ratio sets widely used with FaceMesh (e.g. 33 160 158 133 153 144 and
 *   362 385 387 263 373 380), found by a code search of public repositories;
 * - MediaPipe's `canonical_face_model.obj` (the frontal reference of its face-geometry module): 10 at
 *   (0, 8.26, 4.48) and 152 at (0, −9.40, 4.26), 1 the nose tip with the largest depth toward the camera.
 *
 * "Right" and "left" are the person's own: the person's right eye (33…133) is on the image's left in an
 * unmirrored camera picture.
 */

/** Eye-aspect-ratio points in the usual order p1…p6: corners p1/p4, upper lid p2/p3, lower lid p6/p5. */
export interface EyeIndices {
  /** Outer corner (p1). */
  readonly outer: number;
  /** Upper lid, the point nearer the outer corner (p2). */
  readonly upperOuter: number;
  /** Upper lid, the point nearer the inner corner (p3). */
  readonly upperInner: number;
  /** Inner corner (p4). */
  readonly inner: number;
  /** Lower lid below `upperInner` (p5). */
  readonly lowerInner: number;
  /** Lower lid below `upperOuter` (p6). */
  readonly lowerOuter: number;
}

export const RIGHT_EYE: EyeIndices = { outer: 33, upperOuter: 160, upperInner: 158, inner: 133, lowerInner: 153, lowerOuter: 144 };
export const LEFT_EYE: EyeIndices = { outer: 263, upperOuter: 387, upperInner: 385, inner: 362, lowerInner: 380, lowerOuter: 373 };

/** Upper-lid contour between the corners, paired point by point with the lower lid below it. */
export const RIGHT_EYE_UPPER_LID = [246, 161, 160, 159, 158, 157, 173] as const;
export const RIGHT_EYE_LOWER_LID = [7, 163, 144, 145, 153, 154, 155] as const;
export const LEFT_EYE_UPPER_LID = [466, 388, 387, 386, 385, 384, 398] as const;
export const LEFT_EYE_LOWER_LID = [249, 390, 373, 374, 380, 381, 382] as const;

export const NOSE_TIP = 1;
export const FOREHEAD = 10;
export const CHIN = 152;
export const MOUTH_RIGHT = 61;
export const MOUTH_LEFT = 291;
/** Face-oval points level with the eyes, at the sides of the face. */
export const CHEEK_RIGHT = 234;
export const CHEEK_LEFT = 454;

export const FACE_OVAL = [
  10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377, 152, 148, 176,
  149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109,
] as const;

/**
 * Mirror pairs (person's right, person's left) across the face's symmetry plane. The difference
 * left − right points along the face's own x axis whatever the pose; head-pose.ts sums them.
 */
export const SYMMETRIC_PAIRS: readonly (readonly [right: number, left: number])[] = [
  [RIGHT_EYE.outer, LEFT_EYE.outer],
  [RIGHT_EYE.inner, LEFT_EYE.inner],
  [MOUTH_RIGHT, MOUTH_LEFT],
  [CHEEK_RIGHT, CHEEK_LEFT],
];

/**
 * Points at clearly different depths and on the moving parts (lids, nose, chin, cheeks): how far these
 * leave a planar (affine) motion of the face tells a real head from a photo. See liveness.ts.
 */
export const PARALLAX_POINTS = [
  NOSE_TIP, FOREHEAD, CHIN, CHEEK_RIGHT, CHEEK_LEFT, MOUTH_RIGHT, MOUTH_LEFT,
  RIGHT_EYE.outer, RIGHT_EYE.inner, LEFT_EYE.outer, LEFT_EYE.inner,
  159, 145, 386, 374, 160, 158, 387, 385,
] as const;

export const MESH_POINTS = 468;
