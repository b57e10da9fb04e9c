import jpeg from 'jpeg-js';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isValidIdNumber } from '@kawei/shared/devices/idcard/idcard-text.ts';
import { type FacePipeline, loadFacePipeline } from '@kawei/shared/face/face-pipeline.node.ts';
import { readImageFile } from '@kawei/shared/face/image-decode.node.ts';
import { crop, resize } from '@kawei/shared/face/image.ts';
import { cosineSimilarity, FACE_MATCH_THRESHOLD } from '@kawei/shared/face/matching.ts';
import { buildFaceRegistry, CACHE_FILE, CACHE_KEY_FILE, type FaceRegistry } from '../src/experts/face-registry.node.ts';
import { ExpertRegistryError } from '../src/experts/registry-schema.ts';
import { MAX_THUMBNAIL_BYTES, THUMBNAIL_HEIGHT, THUMBNAIL_WIDTH } from '../src/experts/thumbnail.ts';
import { demoSample, type DemoExperts, makeDemoExperts, readDay } from './experts-fixtures.node.ts';

/**
 * The expert face registry on real photos: the demo registry cut from face-api's demo pictures by
 * scripts/make-demo-experts.node.ts, plus photos that must be refused (a group photo, a blank
 * picture, a file that is not an image), through the real face pipeline and a real SQLite cache.
 */

let pipeline: FacePipeline;
let root: string;
let demo: DemoExperts;
let first: FaceRegistry;

function encodeJpeg(image: { width: number; height: number; data: Uint8Array | Uint8ClampedArray }): Buffer {
  return jpeg.encode({ width: image.width, height: image.height, data: Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength) }, 90).data;
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'kawei-experts-'));
  demo = await makeDemoExperts(join(root, 'registry'));
  pipeline = await loadFacePipeline();
  const photos = join(demo.dir, 'photos');
  // E201: a second photo of the same person (a smaller copy): averaged in
  const e201 = readImageFile(join(photos, 'E201', '1.jpg'));
  writeFileSync(join(photos, 'E201', '2.jpg'), encodeJpeg(resize(e201, Math.round(e201.width * 0.7), Math.round(e201.height * 0.7))));
  // E202: two people (sample3's two faces, cut around both boxes), a blank picture, a file that is no image
  const pair = readImageFile(demoSample(3));
  const boxes = (await pipeline.describeStill(pair)).faces.map((f) => f.face.box);
  expect(boxes).toHaveLength(2);
  const x0 = Math.min(...boxes.map((b) => b.x));
  const y0 = Math.min(...boxes.map((b) => b.y));
  const x1 = Math.max(...boxes.map((b) => b.x + b.width));
  const y1 = Math.max(...boxes.map((b) => b.y + b.height));
  const margin = 0.3 * (y1 - y0);
  writeFileSync(join(photos, 'E202', 'group.jpg'), encodeJpeg(crop(pair, x0 - margin, y0 - margin, x1 - x0 + 2 * margin, y1 - y0 + 2 * margin)));
  writeFileSync(join(photos, 'E202', 'blank.jpg'), encodeJpeg({ width: 400, height: 400, data: new Uint8Array(400 * 400 * 4).fill(140) }));
  writeFileSync(join(photos, 'E202', 'notes.png'), 'not a picture');
  // E203: a WebP copy of its photo (read, used); E205: a GIF (refused: format)
  writeFileSync(join(photos, 'E203', '2.webp'), await sharp(readFileSync(join(photos, 'E203', '1.jpg'))).webp({ quality: 90 }).toBuffer());
  writeFileSync(join(photos, 'E205', 'scan.gif'), await sharp(readFileSync(join(photos, 'E205', '1.jpg'))).gif().toBuffer());
  // E204: its photo widened, with a second, smaller head to the right (a bystander the selfie-range
  // detector misses and the full-range one finds): refused
  const e204 = readFileSync(join(photos, 'E204', '1.jpg'));
  const meta = await sharp(e204).metadata();
  const [w, h] = [meta.width as number, meta.height as number];
  const big = boxes.reduce((a, b) => (b.width > a.width ? b : a));
  const head = crop(pair, big.x - big.width * 0.6, big.y - big.width * 0.6, big.width * 2.2, big.width * 2.2);
  const headJpeg = await sharp(encodeJpeg(head)).resize(Math.round(h * 0.5)).toBuffer();
  const bystander = await sharp(e204)
    .extend({ right: w, background: '#8a8f96' })
    .composite([{ input: headJpeg, left: Math.round(w * 1.2), top: Math.round(h * 0.4) }])
    .jpeg({ quality: 90 })
    .toBuffer();
  writeFileSync(join(photos, 'E204', 'with-bystander.jpg'), bystander);
  first = await buildFaceRegistry(demo.dir, pipeline);
}, 120_000);

afterAll(() => {
  pipeline?.dispose();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('the demo registry (scripts/make-demo-experts.node.ts)', () => {
  it('prints one JSON line naming the registry, the day and each expert photo, and is deterministic', async () => {
    expect(demo).toMatchObject({ event: 'demo-experts', date: '2026-11-23' });
    expect(demo.experts.map((e) => e.id)).toEqual(['E201', 'E202', 'E203', 'E204', 'E205']);
    const registry = JSON.parse(readFileSync(join(demo.dir, 'experts.json'), 'utf8')) as { id: string; name: string; idNumber: string }[];
    expect(registry.every((e) => isValidIdNumber(e.idNumber) && [...e.name].length === 3)).toBe(true);
    const day = readDay(demo.day);
    expect(day.experts.map((e) => e.id)).toEqual(demo.experts.map((e) => e.id));

    const again = await makeDemoExperts(join(root, 'again'), ['--date', '2027-01-04']);
    expect(again.date).toBe('2027-01-04');
    for (const [i, e] of again.experts.entries()) {
      expect(readFileSync(e.photo).equals(readFileSync(join(demo.dir, 'photos', e.id, '1.jpg'))), e.id).toBe(true);
      expect(e.id).toBe(demo.experts[i]?.id);
    }
    expect(readFileSync(join(again.dir, 'experts.json'), 'utf8')).toBe(readFileSync(join(demo.dir, 'experts.json'), 'utf8'));
  }, 60_000);
});

describe('buildFaceRegistry', () => {
  it('makes one unit-length template per expert from the photos that pass, with masked name and thumbnail', () => {
    expect(first.model).toBe(pipeline.model);
    expect(first.experts.map((e) => e.id)).toEqual(['E201', 'E202', 'E203', 'E204', 'E205']);
    for (const e of first.experts) {
      expect(e.template, e.id).not.toBeNull();
      const t = e.template as Float32Array;
      expect(t).toHaveLength(128);
      expect(Math.hypot(...t)).toBeCloseTo(1, 5);
      expect(e.maskedName).toMatch(/^.\*.$/u);
      const thumb = e.thumbnail as Uint8Array;
      expect(thumb.length).toBeLessThanOrEqual(MAX_THUMBNAIL_BYTES);
      expect(jpeg.decode(thumb)).toMatchObject({ width: THUMBNAIL_WIDTH, height: THUMBNAIL_HEIGHT });
    }
    expect(first.experts.find((e) => e.id === 'E201')).toMatchObject({ name: '张明远', maskedName: '张*远', photosUsed: 2, photosTotal: 2 });
    expect(first.experts.find((e) => e.id === 'E202')).toMatchObject({ photosUsed: 1, photosTotal: 4 });
    expect(first.experts.find((e) => e.id === 'E203')).toMatchObject({ photosUsed: 2, photosTotal: 2 }); // JPEG + WebP
    expect(first.experts.find((e) => e.id === 'E204')).toMatchObject({ photosUsed: 1, photosTotal: 2 });
    // five different people: no two templates would match each other
    const ts = first.experts.map((e) => e.template as Float32Array);
    for (let i = 0; i < ts.length; i++) for (let j = i + 1; j < ts.length; j++) expect(cosineSimilarity(ts[i]!, ts[j]!)).toBeLessThan(FACE_MATCH_THRESHOLD);
  });

  it('refuses a group photo, a bystander far behind, a picture without a face, a file that is no image and a GIF, with the reason', () => {
    expect(first.refused).toEqual([
      { expert: 'E202', file: 'photos/E202/blank.jpg', reason: 'no_face' },
      { expert: 'E202', file: 'photos/E202/group.jpg', reason: 'several_faces' },
      { expert: 'E202', file: 'photos/E202/notes.png', reason: 'unreadable' },
      { expert: 'E204', file: 'photos/E204/with-bystander.jpg', reason: 'several_faces' },
      { expert: 'E205', file: 'photos/E205/scan.gif', reason: 'unsupported_format' },
    ]);
  });

  it('keeps the results per photo in an encrypted cache: a second build computes nothing and gives the same templates', async () => {
    expect(first.cache).toEqual({ hits: 0, misses: 12 });
    expect(statSync(join(demo.dir, CACHE_KEY_FILE)).mode & 0o777).toBe(0o600);
    const again = await buildFaceRegistry(demo.dir, pipeline);
    expect(again.cache).toEqual({ hits: 12, misses: 0 });
    expect(again.refused).toEqual(first.refused);
    for (const [i, e] of again.experts.entries()) {
      expect(Buffer.from((e.template as Float32Array).buffer).equals(Buffer.from((first.experts[i]?.template as Float32Array).buffer))).toBe(true);
      expect(Buffer.from(e.thumbnail as Uint8Array).equals(Buffer.from(first.experts[i]?.thumbnail as Uint8Array))).toBe(true);
    }
    // at rest the embeddings are not in the clear
    const file = readFileSync(join(demo.dir, CACHE_FILE));
    const e205 = first.experts.find((e) => e.id === 'E205')?.template as Float32Array; // one photo used: template = its embedding
    expect(file.includes(Buffer.from(e205.buffer, e205.byteOffset, 64))).toBe(false);
  }, 60_000);

  it('recomputes (and loses nothing) when the key no longer opens the cache', async () => {
    writeFileSync(join(demo.dir, CACHE_KEY_FILE), randomBytes(32), { mode: 0o600 });
    const rebuilt = await buildFaceRegistry(demo.dir, pipeline);
    // refusals carry no secret and stay cached; every embedding is recomputed
    expect(rebuilt.cache).toEqual({ hits: 5, misses: 7 });
    for (const [i, e] of rebuilt.experts.entries()) {
      expect(cosineSimilarity(e.template as Float32Array, first.experts[i]?.template as Float32Array)).toBeGreaterThan(0.99999);
    }
  }, 60_000);

  it('refuses a key file others can read, and a registry that is not valid, in Chinese and English', async () => {
    const dir = join(root, 'bad');
    await expect(buildFaceRegistry(dir, pipeline)).rejects.toThrow(/does not exist/);
    await expect(buildFaceRegistry(dir, pipeline)).rejects.toMatchObject({ chinese: expect.stringMatching(/找不到专家登记目录/) });

    mkdirSync(dir);
    writeFileSync(
      join(dir, 'experts.json'),
      JSON.stringify([
        { id: 'E1', name: '张三', idNumber: '110101197203150130' },
        { id: 'E1', name: '李四' },
      ]),
    );
    const error = (await buildFaceRegistry(dir, pipeline).catch((e: unknown) => e)) as ExpertRegistryError;
    expect(error).toBeInstanceOf(ExpertRegistryError);
    expect(error.message).toMatch(/0\.idNumber: .*check character/);
    expect(error.message).toMatch(/1\.id: .*duplicate expert id E1/);
    expect(error.chinese).toMatch(/专家名册格式有误/);

    writeFileSync(join(dir, 'experts.json'), JSON.stringify([{ id: 'E1', name: '张三' }]));
    writeFileSync(join(dir, CACHE_KEY_FILE), randomBytes(32), { mode: 0o644 });
    await expect(buildFaceRegistry(dir, pipeline)).rejects.toMatchObject({ chinese: expect.stringMatching(/权限 600/), message: expect.stringMatching(/chmod 600/) });
  });

  it('reports an expert without photos as having no template, and photo folders of unknown experts', async () => {
    const dir = join(root, 'sparse');
    mkdirSync(join(dir, 'photos', 'E999'), { recursive: true });
    writeFileSync(join(dir, 'experts.json'), JSON.stringify([{ id: 'E1', name: '欧阳明月' }]));
    const registry = await buildFaceRegistry(dir, pipeline);
    expect(registry.experts).toEqual([
      { id: 'E1', name: '欧阳明月', maskedName: '欧**月', template: null, quality: 0, photosUsed: 0, photosTotal: 0, thumbnail: null },
    ]);
    expect(registry.strayFolders).toEqual(['E999']);
  });
});
