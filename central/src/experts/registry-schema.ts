import { z } from 'zod';
import { idSchema } from '@kawei/shared/domain/topology.ts';
import { isValidIdNumber } from '@kawei/shared/devices/idcard/idcard-text.ts';
import { QUALITY_REASONS } from '@kawei/shared/face/face-types.ts';

/**
 * The expert face registry the trading centre keeps (docs/DRAW.md, "Faces for the gates"):
 *
 *     DIR/experts.json         [{ "id": "E101", "name": "张明远", "idNumber": "110101…" }, …]
 *     DIR/photos/<id>/*.jpg    registration photos (JPEG, PNG or WebP), one person each
 *
 * Ids are the experts' ids in day.json. The name and ID number never leave the central as they are:
 * gates get the name masked (张*远) and the ID number as a salted hash.
 */

export const REGISTRY_FILE = 'experts.json';
export const PHOTOS_DIR = 'photos';

export const registryExpertSchema = z
  .object({
    id: idSchema,
    name: z.string().trim().min(1).max(32),
    /** 18-character resident ID number (居民身份证号码) with a valid check character. */
    idNumber: z
      .string()
      .trim()
      .transform((s) => s.toUpperCase())
      .refine(isValidIdNumber, '身份证号码无效（18 位，校验位须正确）/ not a valid 18-character ID number (check character)')
      .optional(),
  })
  .strict();
export type RegistryExpert = z.infer<typeof registryExpertSchema>;

export const registryFileSchema = z.array(registryExpertSchema).superRefine((experts, ctx) => {
  const seen = new Set<string>();
  experts.forEach((e, i) => {
    if (seen.has(e.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `专家编号重复 / duplicate expert id ${e.id}` });
    seen.add(e.id);
  });
});

/** A registry that cannot be read as it stands: said in Chinese, then English. Nothing is changed. */
export class ExpertRegistryError extends Error {
  override readonly name = 'ExpertRegistryError';
  constructor(
    readonly chinese: string,
    english: string,
    options?: ErrorOptions,
  ) {
    super(english, options);
  }
}

/**
 * Why a registration photo was not used: it cannot be decoded (corrupt, not JPEG/PNG/WebP, too many
 * pixels or bytes), the face runtime failed on it (not cached; tried again next time), or the face
 * pipeline's own quality reasons.
 */
export const PHOTO_REFUSALS = ['unreadable', 'unsupported_format', 'image_too_large', 'face_runtime_error', ...QUALITY_REASONS] as const;
export type PhotoRefusal = (typeof PHOTO_REFUSALS)[number];

/** For the operator reading the publish summary: what is wrong with the photo and what to do. */
export const PHOTO_REFUSAL_TEXT: Record<PhotoRefusal, { zh: string; en: string }> = {
  unreadable: { zh: '无法读取（文件损坏或不是图像）', en: 'cannot be read (corrupt, or not an image)' },
  unsupported_format: { zh: '格式不支持（仅支持 JPEG、PNG、WebP）', en: 'unsupported format (JPEG, PNG or WebP only)' },
  image_too_large: { zh: '图像过大（文件超过 40 MB 或超过 1 亿像素）', en: 'image too large (over 40 MB or 100 megapixels)' },
  face_runtime_error: { zh: '人脸识别运行时出错（已自动重启），下次发布时重试', en: 'the face runtime failed on it (restarted); retried at the next publish' },
  no_face: { zh: '照片中没有检测到人脸', en: 'no face found in the photo' },
  several_faces: { zh: '照片中有多张人脸，须单人照', en: 'more than one face; use a photo of this person alone' },
  too_small: { zh: '人脸太小，请用更近或更清晰的照片', en: 'the face is too small; use a closer or larger photo' },
  too_large: { zh: '人脸过大或被裁切', en: 'the face is too large or cut off' },
  off_centre: { zh: '人脸不在照片中央或超出边缘', en: 'the face is off centre or runs off the edge' },
  pose: { zh: '未正视镜头（侧脸、仰头或低头）', en: 'not looking straight at the camera (turned, tilted up or down)' },
  too_dark: { zh: '照片太暗', en: 'too dark' },
  too_bright: { zh: '照片过曝', en: 'too bright' },
  low_contrast: { zh: '照片发灰、对比度低', en: 'washed out, low contrast' },
  blurry: { zh: '照片模糊', en: 'blurred' },
};
