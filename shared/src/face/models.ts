/**
 * The models the face pipeline uses: one place for their directory names under `resources/models/`
 * (copied there at install by scripts/copy-face-models.mjs) and for the template model id.
 * Node loads them from disk (face-models.node.ts); the renderer from URLs under our own host.
 */

/** Directory and file names inside `resources/models/`. */
export const FACE_MODEL_FILES = {
  /** MediaPipe BlazeFace short range (selfie distance), tfjs graph. */
  detector: { dir: 'facemesh-detection-short', json: 'model.json' },
  /** MediaPipe BlazeFace full range (192×192, faces at any distance), tfjs graph: photos, not frames. */
  fullRangeDetector: { dir: 'facemesh-detection-full', json: 'model.json' },
  /** MediaPipe FaceMesh, 468 points, tfjs graph. */
  mesh: { dir: 'facemesh', json: 'model.json' },
  /** face-api's dlib-style ResNet, 128-d descriptor of a 150×150 aligned face (weights only). */
  recognition: { dir: 'face-recognition', manifest: 'face_recognition_model-weights_manifest.json' },
} as const;

/**
 * Stored with every template: a template made by another model (or another alignment) must never be
 * compared with this one. Bump the suffix when the alignment template or preprocessing changes.
 */
export const FACE_EMBEDDING_MODEL = 'face-api-recognition-128/mesh5-align-v1';

/** Length of an embedding. */
export const EMBEDDING_SIZE = 128;
