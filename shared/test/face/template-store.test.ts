import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RgbaImage } from '../../src/face/face-types.ts';
import { type FacePipeline, loadFacePipeline } from '../../src/face/face-pipeline.node.ts';
import { openFaceTemplateStore } from '../../src/face/face-template-store.node.ts';
import { crop, resize } from '../../src/face/image.ts';
import { readImageFile } from '../../src/face/image-decode.node.ts';
import { demoSample } from './face-test-support.node.ts';

let pipeline: FacePipeline;
let dir: string;
/** Portraits cut around the largest face of two demo photos (both pass the quality gate: near-frontal),
 * one person each, centred, as a registration photo would be. */
const portraits: Record<string, RgbaImage> = {};
let probes: Record<string, Float32Array> = {};

function portraitAround(image: RgbaImage, box: { x: number; y: number; width: number; height: number }): RgbaImage {
  const side = Math.max(box.width, box.height) * 2.2;
  return crop(image, box.x + box.width / 2 - side / 2, box.y + box.height / 2 - side / 2, side, side);
}

beforeAll(async () => {
  pipeline = await loadFacePipeline();
  dir = mkdtempSync(join(tmpdir(), 'kawei-face-store-'));
  for (const [name, n] of [['alice', 3], ['bob', 5]] as const) {
    const image = readImageFile(demoSample(n));
    const { faces } = await pipeline.describeStill(image);
    const face = faces[0];
    if (!face) throw new Error(`no face in sample${n}`);
    portraits[name] = portraitAround(image, face.face.box);
  }
  // probes: the same people at another scale (a different "camera frame")
  probes = {};
  for (const name of ['alice', 'bob']) {
    const p = portraits[name] as RgbaImage;
    const { faces } = await pipeline.describeStill(resize(p, Math.round(p.width * 0.7), Math.round(p.height * 0.7)));
    probes[name] = (faces[0] as { embedding: Float32Array }).embedding;
  }
}, 120_000);

afterAll(() => {
  pipeline?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('face template store', () => {
  it('enrols from quality-checked photos, averages them, and answers 1:1 and 1:N', async () => {
    const file = join(dir, 'rt.sqlite');
    const keyFile = join(dir, 'keys', 'face-template.key');
    const store = openFaceTemplateStore({ file, keyFile, model: pipeline.model });
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(statSync(keyFile).size).toBe(32);
    const alice = portraits.alice as RgbaImage;
    const result = await store.enrol('alice', [alice, resize(alice, Math.round(alice.width * 0.8), Math.round(alice.height * 0.8))], pipeline);
    expect(result).toMatchObject({ personId: 'alice', photosUsed: 2 });
    await store.enrol('bob', [portraits.bob as RgbaImage], pipeline);
    expect(store.personIds()).toEqual(['alice', 'bob']);

    expect(store.verify('alice', probes.alice as Float32Array)).toMatchObject({ decision: 'match', personId: 'alice' });
    expect(store.verify('bob', probes.alice as Float32Array).decision).toBe('no_match');
    expect(store.identify(probes.bob as Float32Array)).toMatchObject({ decision: 'match', personId: 'bob' });
    expect(store.identify(probes.bob as Float32Array, ['alice'])).toMatchObject({ decision: 'no_match', personId: 'alice' });
    expect(() => store.verify('carol', probes.bob as Float32Array)).toThrow(/no face template for carol/);
    store.close();

    // reopened with the same key file: the same answers
    const again = openFaceTemplateStore({ file, keyFile, model: pipeline.model });
    expect(again.verify('alice', probes.alice as Float32Array).decision).toBe('match');
    expect(again.remove('bob')).toBe(true);
    expect(again.has('bob')).toBe(false);
    again.close();
  });

  it('refuses a registration photo with no face or with two people', async () => {
    const store = openFaceTemplateStore({ file: ':memory:', key: randomBytes(32), model: pipeline.model });
    const blank: RgbaImage = { width: 320, height: 320, data: new Uint8ClampedArray(320 * 320 * 4).fill(128) };
    await expect(store.enrol('x', [blank], pipeline)).rejects.toThrow(/0 of 1 photos usable.*no_face/);
    const group = readImageFile(demoSample(3)); // two people
    await expect(store.enrol('x', [group], pipeline)).rejects.toThrow(/several_faces/);
    expect(store.has('x')).toBe(false);
    store.close();
  });

  it('stores ciphertext only: no embedding float appears in the file', async () => {
    const file = join(dir, 'plain.sqlite');
    const store = openFaceTemplateStore({ file, key: randomBytes(32), model: pipeline.model });
    const embedding = probes.alice as Float32Array;
    store.put('alice', embedding, 0.9, 1);
    store.close();
    const db = new Database(file, { readonly: true });
    const row = db.prepare('SELECT * FROM face_template').get() as Record<string, unknown>;
    db.close();
    const ciphertext = row.ciphertext as Buffer;
    expect(ciphertext.length).toBe(512);
    const plain = Buffer.from(embedding.buffer, embedding.byteOffset, embedding.byteLength);
    // no 4-byte float of the embedding (nor any 8-byte run) occurs in the stored row
    for (let i = 0; i < 128; i++) expect(ciphertext.includes(plain.subarray(i * 4, i * 4 + 4))).toBe(false);
    const whole = Buffer.concat(Object.values(row).filter((v): v is Buffer => Buffer.isBuffer(v)));
    for (let i = 0; i < 128; i += 2) expect(whole.includes(plain.subarray(i * 4, i * 4 + 8))).toBe(false);
  });

  it('fails clearly with a wrong key, a tampered row, or a row moved to another person', () => {
    const file = join(dir, 'tamper.sqlite');
    const key = randomBytes(32);
    const store = openFaceTemplateStore({ file, key, model: pipeline.model });
    store.put('alice', probes.alice as Float32Array, 0.9, 1);
    store.put('bob', probes.bob as Float32Array, 0.9, 1);
    store.close();

    const wrong = openFaceTemplateStore({ file, key: randomBytes(32), model: pipeline.model });
    expect(() => wrong.verify('alice', probes.alice as Float32Array)).toThrow(/failed authentication \(wrong key, or the row was altered\)/);
    wrong.close();

    const db = new Database(file);
    const row = db.prepare("SELECT ciphertext FROM face_template WHERE person_id = 'alice'").get() as { ciphertext: Buffer };
    const flipped = Buffer.from(row.ciphertext);
    flipped[17] = (flipped[17] as number) ^ 1;
    db.prepare("UPDATE face_template SET ciphertext = ? WHERE person_id = 'alice'").run(flipped);
    // bob's encrypted template copied onto carol: the person id is authenticated data, so it fails
    db.prepare("INSERT INTO face_template SELECT 'carol', model, quality, photos, nonce, ciphertext, tag, updated_at FROM face_template WHERE person_id = 'bob'").run();
    db.close();

    const reopened = openFaceTemplateStore({ file, key, model: pipeline.model });
    expect(() => reopened.verify('alice', probes.alice as Float32Array)).toThrow(expect.objectContaining({ code: 'DECRYPT_FAILED' }));
    expect(() => reopened.verify('carol', probes.bob as Float32Array)).toThrow(expect.objectContaining({ code: 'DECRYPT_FAILED' }));
    expect(reopened.verify('bob', probes.bob as Float32Array).decision).toBe('match');
    reopened.close();
  });

  it('refuses a key file others can read, or of the wrong size', () => {
    const loose = join(dir, 'loose.key');
    writeFileSync(loose, randomBytes(32));
    chmodSync(loose, 0o644);
    expect(() => openFaceTemplateStore({ file: ':memory:', keyFile: loose, model: 'm' })).toThrow(/readable by others/);
    const short = join(dir, 'short.key');
    writeFileSync(short, randomBytes(16), { mode: 0o600 });
    expect(() => openFaceTemplateStore({ file: ':memory:', keyFile: short, model: 'm' })).toThrow(/16 bytes, expected 32/);
    expect(() => openFaceTemplateStore({ file: ':memory:', key: randomBytes(32), model: 'other' }).verify('a', new Float32Array(128))).toThrow(/no face template/);
  });
});
