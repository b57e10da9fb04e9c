import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WLT_PHOTO_HEIGHT, WLT_PHOTO_WIDTH } from '@kawei/shared/devices/idcard/wlt-decoder.ts';
import { type FacePipeline, loadFacePipeline } from '@kawei/shared/face/face-pipeline.node.ts';
import { decodePhoto } from '@kawei/shared/face/image-decode.node.ts';
import { crop } from '@kawei/shared/face/image.ts';
import { examinePhoto } from '../src/experts/face-registry.node.ts';
import { PHOTO_REFUSAL_TEXT } from '../src/experts/registry-schema.ts';
import { makeDemoExperts } from './experts-fixtures.node.ts';

/**
 * An ID-card photo as the card reader yields it (wlt-decoder.ts: 102×126, B-G-R rows, heavily
 * compressed) offered to the central's registry. Decision (docs/FACE.md "ID-card photos"): refused
 * as `too_small` with the bilingual reason. Measured on the 14 face-api demo faces cut and scaled like
 * a card (JPEG 40): the face is 39–63 px wide, and the card-vs-photo score of the same woman falls
 * below the best impostor score for 3 of 14, so a card photo alone would be an unreliable template.
 * The photo the card was cut from is accepted, so the refusal is about size, not about the face.
 */

let pipeline: FacePipeline;
let cardPng: Buffer;
let phonePhoto: Buffer;
let root: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'kawei-idcard-photo-'));
  const demo = await makeDemoExperts(join(root, 'registry'));
  pipeline = await loadFacePipeline();
  // E201's registration photo, which the registry uses (experts-registry.test.ts)
  phonePhoto = readFileSync(join(demo.dir, 'photos', 'E201', '1.jpg'));
  const photo = await decodePhoto(phonePhoto);
  const { faces } = await pipeline.describeStill(photo);
  const box = faces[0]?.face.box;
  if (!box) throw new Error('E201 has a face');
  // a card's framing: head and shoulders, the face ~60 % of the width
  const width = box.width / 0.6;
  const height = (width * WLT_PHOTO_HEIGHT) / WLT_PHOTO_WIDTH;
  const head = crop(photo, box.x + box.width / 2 - width / 2, box.y + box.height / 2 - 0.53 * height, width, height);
  const raw = sharp(Buffer.from(head.data.buffer, head.data.byteOffset, head.data.byteLength), { raw: { width: head.width, height: head.height, channels: 4 } });
  // what the WLT decoder gives: 102×126, low quality, B-G-R pixel rows
  const lowQuality = await sharp(await raw.clone().resize(WLT_PHOTO_WIDTH, WLT_PHOTO_HEIGHT, { fit: 'fill' }).jpeg({ quality: 40 }).toBuffer())
    .removeAlpha()
    .raw()
    .toBuffer();
  const bgr = Buffer.alloc(lowQuality.length);
  for (let i = 0; i < lowQuality.length; i += 3) {
    bgr[i] = lowQuality[i + 2] as number;
    bgr[i + 1] = lowQuality[i + 1] as number;
    bgr[i + 2] = lowQuality[i] as number;
  }
  // the gate/booth saves it as an image file for the registry (channels back in R-G-B order)
  const rgb = Buffer.alloc(bgr.length);
  for (let i = 0; i < bgr.length; i += 3) {
    rgb[i] = bgr[i + 2] as number;
    rgb[i + 1] = bgr[i + 1] as number;
    rgb[i + 2] = bgr[i] as number;
  }
  cardPng = await sharp(rgb, { raw: { width: WLT_PHOTO_WIDTH, height: WLT_PHOTO_HEIGHT, channels: 3 } }).png().toBuffer();
}, 120_000);

afterAll(() => {
  pipeline?.dispose();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('an ID-card photo offered to the face registry', () => {
  it('is 102×126 as the reader gives it', async () => {
    const meta = await sharp(cardPng).metadata();
    expect([meta.width, meta.height]).toEqual([102, 126]);
  });

  it('is refused as too small, with the reason in Chinese and English', async () => {
    const result = await examinePhoto(cardPng, pipeline);
    expect(result).toEqual({ ok: false, refusal: 'too_small' });
    expect(PHOTO_REFUSAL_TEXT.too_small.zh).toMatch(/人脸太小/);
    expect(PHOTO_REFUSAL_TEXT.too_small.en).toMatch(/too small/);
  });

  it('is accepted as the registration photo it was cut from (E201 of the demo registry)', async () => {
    const result = await examinePhoto(phonePhoto, pipeline);
    expect(result.ok ? 'accepted' : result.refusal).toBe('accepted');
  });
});
