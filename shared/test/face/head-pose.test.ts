import { describe, expect, it } from 'vitest';
import type { HeadPose } from '../../src/face/face-types.ts';
import { estimateHeadPose } from '../../src/face/head-pose.ts';
import { CHIN, FOREHEAD, LEFT_EYE, NOSE_TIP, RIGHT_EYE } from '../../src/face/landmark-indices.ts';
import { addNoise, frontalShape, poseMesh, realFixture, seededRandom, similarity } from './fixtures/synthetic-mesh.ts';

const shape = frontalShape();

describe('estimateHeadPose on the real FaceMesh', () => {
  it('reads the captured photo as nearly frontal, turned a little to her right and looking a little down', () => {
    // Looking at sample3.jpg: the nose points slightly to the image's left, the head upright.
    const pose = estimateHeadPose(realFixture.mesh);
    expect(pose.yaw).toBeLessThan(-5);
    expect(pose.yaw).toBeGreaterThan(-25);
    expect(Math.abs(pose.pitch)).toBeLessThan(15);
    expect(Math.abs(pose.roll)).toBeLessThan(5);
  });

  it('reads the frontalised shape as 0/0/0', () => {
    const pose = estimateHeadPose(poseMesh(shape, { yaw: 0, pitch: 0, roll: 0 }));
    expect(Math.abs(pose.yaw)).toBeLessThan(1);
    expect(Math.abs(pose.pitch)).toBeLessThan(1);
    expect(Math.abs(pose.roll)).toBeLessThan(1);
  });
});

describe('sign conventions (independent of the estimator: where the points go on screen)', () => {
  const frontal = poseMesh(shape, { yaw: 0, pitch: 0, roll: 0 });
  const x = (m: readonly (readonly number[])[], i: number): number => (m[i] as number[])[0] as number;
  const y = (m: readonly (readonly number[])[], i: number): number => (m[i] as number[])[1] as number;

  it('yaw > 0 moves the nose toward image right, and reads back positive', () => {
    const m = poseMesh(shape, { yaw: 20, pitch: 0, roll: 0 });
    expect(x(m, NOSE_TIP) - x(frontal, NOSE_TIP)).toBeGreaterThan(10);
    expect(estimateHeadPose(m).yaw).toBeGreaterThan(15);
  });

  it('pitch > 0 moves the nose up the image relative to forehead and chin, and reads back positive', () => {
    const m = poseMesh(shape, { yaw: 0, pitch: 20, roll: 0 });
    const rel = (mesh: typeof m): number => y(mesh, NOSE_TIP) - (y(mesh, FOREHEAD) + y(mesh, CHIN)) / 2;
    expect(rel(m)).toBeLessThan(rel(frontal) - 5);
    expect(estimateHeadPose(m).pitch).toBeGreaterThan(15);
  });

  it('roll > 0 turns the eye line clockwise on screen (the person\'s left eye lower)', () => {
    const m = poseMesh(shape, { yaw: 0, pitch: 0, roll: 15 });
    expect(y(m, LEFT_EYE.outer)).toBeGreaterThan(y(m, RIGHT_EYE.outer) + 20);
    expect(estimateHeadPose(m).roll).toBeCloseTo(15, 0);
  });
});

describe('accuracy on synthetically rotated real meshes (perspective camera, 0.5 px noise)', () => {
  it('is within 5° on a grid over ±30° of yaw and pitch and ±30° of roll', () => {
    const random = seededRandom(6);
    let worst = 0;
    let worstAt: HeadPose | null = null;
    const steps = [-30, -20, -10, 0, 10, 20, 30];
    for (const yaw of steps) {
      for (const pitch of steps) {
        for (const roll of [-30, 0, 15, 30]) {
          const truth = { yaw, pitch, roll };
          const est = estimateHeadPose(addNoise(poseMesh(shape, truth), 0.5, random));
          const err = Math.max(Math.abs(est.yaw - yaw), Math.abs(est.pitch - pitch), Math.abs(est.roll - roll));
          if (err > worst) {
            worst = err;
            worstAt = truth;
          }
        }
      }
    }
    expect(worst, `worst at ${JSON.stringify(worstAt)}`).toBeLessThanOrEqual(5);
  });

  it('does not move yaw or pitch when the face moves in the image plane (a photo slid and turned)', () => {
    const base = poseMesh(shape, { yaw: 0, pitch: 0, roll: 0 });
    for (const angle of [-40, -10, 25]) {
      const pose = estimateHeadPose(similarity(base, { dx: 80, dy: -30, scale: 0.7, angle }));
      expect(Math.abs(pose.yaw)).toBeLessThan(1);
      expect(Math.abs(pose.pitch)).toBeLessThan(1);
      expect(pose.roll).toBeCloseTo(angle, 0);
    }
  });
});
