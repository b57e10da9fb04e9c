import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embedLabelledImages, type EvaluationReport, evaluateEmbeddedSet, listLabelledImages } from '../../src/face/face-eval.node.ts';
import { type FacePipeline, loadFacePipeline } from '../../src/face/face-pipeline.node.ts';
import { FACE_MATCH_THRESHOLD } from '../../src/face/matching.ts';
import { DEV_SET_DIR, HAS_DEV_SET } from './face-test-support.node.ts';

/** Needs the labelled development set `<repo>/../shared/data/faces-dev` (8 people × 5 crops); skipped without it. */
describe.skipIf(!HAS_DEV_SET)('development set (../shared/data/faces-dev)', () => {
  let pipeline: FacePipeline;
  let report: EvaluationReport;

  beforeAll(async () => {
    pipeline = await loadFacePipeline();
    report = evaluateEmbeddedSet(await embedLabelledImages(pipeline, listLabelledImages(DEV_SET_DIR), { pad: 0.5 }));
  }, 120_000);
  afterAll(() => pipeline?.dispose());

  it('embeds every image and separates the people with AUC ≥ 0.999', () => {
    expect(report.failed_images).toEqual([]);
    expect(report.images).toBe(40);
    expect(report.pairs).toBe(780);
    expect(report.genuine).toBe(80);
    expect(report.auc).toBeGreaterThanOrEqual(0.999);
    expect(report.eer).toBeLessThan(0.02);
  });

  it('accepts no impostor pair at the shipped threshold', () => {
    expect(report.impostor_max).toBeLessThan(FACE_MATCH_THRESHOLD);
    expect(report['tar_at_far_1e-2']).toBeGreaterThanOrEqual(0.95);
  });
});
