/**
 * Face check: frame quality, active liveness, presence (prefix face).
 * Chinese is the source of the keys; the English table is typed from it.
 */
export const zhCN = {
  // ── face check: frame quality (shared/src/face/quality.ts) ──────────────
  'face.quality.no_face': '未检测到人脸，请正对摄像头',
  'face.quality.several_faces': '画面中有多张人脸，请一人单独核验',
  'face.quality.too_small': '距离太远，请靠近摄像头',
  'face.quality.too_large': '距离太近，请稍向后退',
  'face.quality.off_centre': '请将面部移到画面中央',
  'face.quality.pose': '请正视摄像头，不要侧脸、仰头或低头',
  'face.quality.too_dark': '光线太暗，请到光线充足处',
  'face.quality.too_bright': '光线太强，请避开强光直射',
  'face.quality.low_contrast': '画面发灰看不清，请擦拭镜头或避开逆光',
  'face.quality.blurry': '画面模糊，请保持不动',

  // ── face check: active liveness (shared/src/face/liveness.ts) ──────────
  'face.liveness.baseline': '请正视摄像头，保持不动',
  'face.liveness.challenge.blink': '请眨眨眼',
  'face.liveness.challenge.turn_left': '请向左转头，再转回来',
  'face.liveness.challenge.turn_right': '请向右转头，再转回来',
  'face.liveness.challenge.nod': '请点点头',
  'face.liveness.step': '第 {n} 步，共 {total} 步',
  'face.liveness.passed': '活体检测通过',
  'face.liveness.failed.timeout': '动作超时，请重新开始',
  'face.liveness.failed.several_faces': '画面中出现多张人脸，请一人单独核验',
  'face.liveness.failed.face_lost': '人脸离开画面，请重新开始',
  'face.liveness.failed.no_motion': '未检测到真人动作，请勿使用照片或屏幕',
  'face.liveness.failed.wrong_action': '动作不符合提示，请按提示重新操作',
  'face.liveness.failed.face_swapped': '检测中人脸发生变化，请重新开始',

  // ── booth presence during an evaluation (shared/src/face/presence-watch.ts)
  'face.presence.second_face': '卡位内出现第二张人脸',
  'face.presence.absent': '评标专家离开座位',
  'face.presence.returned': '评标专家已回到座位',
  'face.presence.different_person': '座位上的人与登录专家不一致',
} as const;

export const en: Record<keyof typeof zhCN, string> = {
  'face.quality.no_face': 'No face found; face the camera',
  'face.quality.several_faces': 'More than one face in view; one person at a time',
  'face.quality.too_small': 'Too far away; come closer to the camera',
  'face.quality.too_large': 'Too close; move back a little',
  'face.quality.off_centre': 'Move your face to the middle of the picture',
  'face.quality.pose': 'Look straight at the camera (do not turn, tilt up or look down)',
  'face.quality.too_dark': 'Too dark; move to better light',
  'face.quality.too_bright': 'Too bright; keep out of direct light',
  'face.quality.low_contrast': 'The picture is washed out; wipe the lens or avoid back light',
  'face.quality.blurry': 'The picture is blurred; hold still',

  'face.liveness.baseline': 'Look at the camera and hold still',
  'face.liveness.challenge.blink': 'Blink',
  'face.liveness.challenge.turn_left': 'Turn your head to your left, then back',
  'face.liveness.challenge.turn_right': 'Turn your head to your right, then back',
  'face.liveness.challenge.nod': 'Nod',
  'face.liveness.step': 'Step {n} of {total}',
  'face.liveness.passed': 'Liveness check passed',
  'face.liveness.failed.timeout': 'Too slow; start again',
  'face.liveness.failed.several_faces': 'More than one face appeared; one person at a time',
  'face.liveness.failed.face_lost': 'The face left the picture; start again',
  'face.liveness.failed.no_motion': 'No live movement seen; do not use a photo or a screen',
  'face.liveness.failed.wrong_action': 'That was not the requested movement; start again and follow the prompt',
  'face.liveness.failed.face_swapped': 'The face changed during the check; start again',

  'face.presence.second_face': 'A second face in the booth',
  'face.presence.absent': 'The expert has left the seat',
  'face.presence.returned': 'The expert is back in the seat',
  'face.presence.different_person': 'The person in the seat is not the expert who logged in',
};
