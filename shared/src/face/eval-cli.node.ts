import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { embedLabelledImages, evaluateEmbeddedSet, listLabelledImages } from './face-eval.node.ts';
import { loadFacePipeline } from './face-pipeline.node.ts';
import { bilingual } from '../i18n/bilingual.ts';

/**
 * `npm run face-eval -- DIR [--pad 0.5] [--backend wasm|cpu] [--models DIR]`
 *
 * DIR holds one folder per person with that person's images (JPEG/PNG/WebP; others are reported as skipped). Every image is embedded
 * (largest face), every unordered pair scored by cosine similarity, and one JSON object printed:
 * { auc, eer, eer_threshold, tar_at_far_1e-3, tar_at_far_1e-2, threshold, threshold_rule, pairs,
 *   genuine, impostor, genuine_min, impostor_max, images, people, failed_images }.
 * `threshold` is the lowest cosine similarity with FAR ≤ 1e-3 on these impostor pairs.
 * Exit status: 0 printed, 2 usage error, 1 failure.
 */

const Args = z.object({
  dir: z.string().min(1),
  pad: z.coerce.number().min(0).max(2),
  backend: z.enum(['wasm', 'cpu']),
  models: z.string().optional(),
});

const usage = 'usage: npm run face-eval -- DIR [--pad 0.5] [--backend wasm|cpu] [--models resources/models]\n';

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: { pad: { type: 'string', default: '0.5' }, backend: { type: 'string', default: 'wasm' }, models: { type: 'string' }, help: { type: 'boolean' } },
    });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${usage}`);
    return 2;
  }
  if (parsed.values.help) {
    process.stdout.write(usage);
    return 0;
  }
  const args = Args.safeParse({ dir: parsed.positionals[0], pad: parsed.values.pad, backend: parsed.values.backend, models: parsed.values.models });
  if (!args.success || parsed.positionals.length !== 1) {
    process.stderr.write(`${bilingual('face.eval.badArguments')}: ${args.success ? 'exactly one DIR expected' : z.prettifyError(args.error)}\n${usage}`);
    return 2;
  }
  const dir = resolve(args.data.dir);
  if (!existsSync(dir)) {
    process.stderr.write(`${bilingual('face.eval.noDirectory')}: ${dir}\n`);
    return 2;
  }
  const images = listLabelledImages(dir);
  if (images.length < 2) {
    process.stderr.write(`${bilingual('face.eval.needTwoImages', { dir })}\n`);
    return 2;
  }
  const pipeline = await loadFacePipeline({ backend: args.data.backend, ...(args.data.models ? { modelsDir: resolve(args.data.models) } : {}) });
  try {
    const set = await embedLabelledImages(pipeline, images, { pad: args.data.pad });
    for (const f of set.failed) process.stderr.write(`${bilingual('face.eval.skipped')} ${f.file}: ${f.reason}\n`);
    const people = new Set(set.items.map((i) => i.person));
    const anyGenuine = [...people].some((p) => set.items.filter((i) => i.person === p).length > 1);
    if (people.size < 2 || !anyGenuine) {
      process.stderr.write(`${bilingual('face.eval.tooFew')}\n`);
      process.stdout.write(`${JSON.stringify({ images: set.items.length, people: people.size, failed_images: set.failed }, null, 2)}\n`);
      return 0;
    }
    process.stdout.write(`${JSON.stringify(evaluateEmbeddedSet(set), null, 2)}\n`);
    return 0;
  } finally {
    pipeline.dispose();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`face-eval failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
