import jpeg from 'jpeg-js';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { idCheckChar } from '@kawei/shared/devices/idcard/idcard-text.ts';
import { loadFacePipeline } from '@kawei/shared/face/face-pipeline.node.ts';
import { readImageFile } from '@kawei/shared/face/image-decode.node.ts';
import { cosineSimilarity, FACE_MATCH_THRESHOLD } from '@kawei/shared/face/matching.ts';
import { fivePointsFromMesh, type Point2, warpSimilarity } from '@kawei/shared/face/alignment.ts';
import type { RgbaImage } from '@kawei/shared/face/face-types.ts';
import { dayInputSchema, type DayInput } from '@kawei/central/draw/day-schema.ts';
import { examinePhoto } from '@kawei/central/experts/face-registry.node.ts';
import { PHOTOS_DIR, REGISTRY_FILE, registryFileSchema, type RegistryExpert } from '@kawei/central/experts/registry-schema.ts';
import { type MessagePair, bilingualLines, messagePair } from '@kawei/shared/i18n/bilingual.ts';
import { translate } from '@kawei/shared/i18n/messages.ts';

/**
 * `node --import tsx scripts/make-demo-experts.node.ts OUT_DIR [--date YYYY-MM-DD]`
 *
 * Builds a demo expert face registry (central/src/experts/) and a matching day.json from
 * resources/demo/demo-experts.json: each expert's face is found in one of face-api's demo photos,
 * cut out with room around it into OUT_DIR/photos/<id>/1.jpg and checked to pass the registry's
 * quality gate; names and ID numbers are fictional (ID numbers get a valid check character).
 *
 * The day suits the demo topology (resources/demo/demo-topology.json): with any seed the draw seats
 * three experts at site-city (rooms room-3 and room-5), one at site-county (the wrong-site case at the
 * city gates), and leaves one in the pool unseated (E204: no project needs 园林, "not scheduled today").
 *
 * Five people, because face-api's six demo photos hold only five faces that pass the registry's
 * quality gate (frontal enough) and are different people to this model: sample1's third face and
 * sample3's first score 0.96 against each other, sample5's first and sample6's fourth 0.93. The
 * script checks both conditions and stops if a change to the pipeline breaks them.
 *
 * Deterministic. The last line on stdout is one JSON object:
 *   {"event":"demo-experts","dir":…,"day":…,"date":…,"experts":[{"id":…,"photo":…},…]}
 */

const REPO_ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const CONFIG = join(REPO_ROOT, 'resources/demo/demo-experts.json');
const require = createRequire(import.meta.url);

const configSchema = z.object({
  note: z.string(),
  date: z.iso.date(),
  idRegion: z.string().regex(/^\d{6}$/),
  experts: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      birth: z.string().regex(/^\d{8}$/),
      seq: z.string().regex(/^\d{3}$/),
      photo: z.object({
        sample: z.number().int().min(1).max(6),
        /** A point inside the wanted face's box (picks one face of a group photo). */
        near: z.tuple([z.number(), z.number()]),
        /** Side of the square cut, in face-box sizes. */
        scale: z.number().min(1.2).max(4),
        /** Turn the cut so that the eyes are level (a head tilted to one side). */
        level: z.boolean().default(false),
      }),
      specialty: z.string(),
      employer: z.string(),
      sites: z.array(z.string()).min(1),
    }),
  ),
  projects: z.array(z.unknown()),
});

/** The cut's centre and side are snapped to a 16-pixel grid and the levelling angle to whole degrees,
 * so that tiny differences in the detected face never change the file. */
const GRID = 16;
const snap = (v: number) => Math.round(v / GRID) * GRID;

/** A side × side square centred on (cx, cy), turned by `degrees` (positive: the picture turns clockwise). */
function cutSquare(image: RgbaImage, cx: number, cy: number, side: number, degrees: number): RgbaImage {
  const t = (-degrees * Math.PI) / 180;
  const a = Math.cos(t);
  const b = Math.sin(t);
  return warpSimilarity(image, { a, b, tx: side / 2 - (a * cx - b * cy), ty: side / 2 - (b * cx + a * cy) }, side);
}

function fail(m: MessagePair): never {
  process.stderr.write(`${translate('zh-CN', 'demo.error')}：${m.zh}\n${translate('en', 'demo.error')}: ${m.en}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({ args: process.argv.slice(2), options: { date: { type: 'string' } }, allowPositionals: true, strict: true });
  } catch (error) {
    fail(messagePair('demo.badArguments', { detail: (error as Error).message }));
  }
  if (parsed.positionals.length !== 1) fail(messagePair('demo.experts.usage'));
  const outDir = resolve(parsed.positionals[0]!);
  const config = configSchema.parse(JSON.parse(readFileSync(CONFIG, 'utf8')));
  const date = parsed.values.date ?? config.date;
  if (!z.iso.date().safeParse(date).success) fail(messagePair('demo.experts.badDate', { date }));

  const pipeline = await loadFacePipeline();
  const registry: RegistryExpert[] = [];
  const experts: { id: string; photo: string }[] = [];
  const embeddings = new Map<string, Float32Array>();
  try {
    for (const e of config.experts) {
      const image = readImageFile(require.resolve(`@vladmandic/face-api/demo/sample${e.photo.sample}.jpg`));
      const { faces } = await pipeline.describeStill(image);
      const [nx, ny] = e.photo.near;
      const found = faces.find(({ face: { box: b } }) => nx >= b.x && nx <= b.x + b.width && ny >= b.y && ny <= b.y + b.height);
      if (!found) fail(messagePair('demo.experts.noFace', { sample: e.photo.sample, x: nx, y: ny }));
      const { box, mesh } = found.face;
      const [eyeL, eyeR] = fivePointsFromMesh(mesh) as [Point2, Point2];
      const roll = e.photo.level ? Math.round((Math.atan2(eyeR[1] - eyeL[1], eyeR[0] - eyeL[0]) * 180) / Math.PI) : 0;
      const cut = cutSquare(image, snap(box.x + box.width / 2), snap(box.y + box.height / 2), snap(Math.max(box.width, box.height) * e.photo.scale), roll);
      const bytes = new Uint8Array(jpeg.encode({ width: cut.width, height: cut.height, data: Buffer.from(cut.data.buffer, cut.data.byteOffset, cut.data.byteLength) }, 90).data);
      const verdict = await examinePhoto(bytes, pipeline);
      if (!verdict.ok) fail(messagePair('demo.experts.photoRefused', { id: e.id, reason: verdict.refusal }));
      for (const [other, embedding] of embeddings) {
        const similarity = cosineSimilarity(embedding, verdict.embedding);
        if (similarity >= FACE_MATCH_THRESHOLD) {
          fail(messagePair('demo.experts.tooSimilar', { id: e.id, other, similarity: similarity.toFixed(3) }));
        }
      }
      embeddings.set(e.id, verdict.embedding);

      const folder = join(outDir, PHOTOS_DIR, e.id);
      mkdirSync(folder, { recursive: true });
      const photo = join(folder, '1.jpg');
      writeFileSync(photo, bytes);
      const first17 = `${config.idRegion}${e.birth}${e.seq}`;
      registry.push({ id: e.id, name: e.name, idNumber: `${first17}${idCheckChar(first17)!}` });
      experts.push({ id: e.id, photo });
    }
  } finally {
    pipeline.dispose();
  }

  const day: DayInput = dayInputSchema.parse({
    date,
    sites: [
      {
        id: 'site-city',
        rooms: [
          { id: 'room-3', rows: 3, cols: 3, disabled: [] },
          { id: 'room-5', rows: 3, cols: 3, disabled: [] },
        ],
      },
      { id: 'site-county', rooms: [{ id: 'room-county-1', rows: 2, cols: 3, disabled: [] }] },
    ],
    experts: config.experts.map((e) => ({ id: e.id, specialties: [e.specialty], employer: e.employer, sites: e.sites })),
    projects: config.projects,
    conflicts: [],
  });
  writeFileSync(join(outDir, REGISTRY_FILE), `${JSON.stringify(registryFileSchema.parse(registry), null, 2)}\n`);
  const dayFile = join(outDir, 'day.json');
  writeFileSync(dayFile, `${JSON.stringify(day, null, 2)}\n`);
  writeFileSync(
    join(outDir, 'README.txt'),
    `${bilingualLines('demo.experts.readme')}\n` +
      'Made by scripts/make-demo-experts.node.ts from resources/demo/demo-experts.json.\n',
  );
  process.stdout.write(`${JSON.stringify({ event: 'demo-experts', dir: outDir, day: dayFile, date, experts })}\n`);
}

await main();
