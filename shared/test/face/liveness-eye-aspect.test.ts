import { describe, expect, it } from 'vitest';
import { eyeAspect, eyeAspectRatio } from '../../src/face/eye-aspect.ts';
import { LEFT_EYE, RIGHT_EYE } from '../../src/face/landmark-indices.ts';
import { closeEyes, frontalShape, poseMesh, realFixture, similarity } from './fixtures/synthetic-mesh.ts';

const shape = frontalShape();
const open = poseMesh(shape, { yaw: 0, pitch: 0, roll: 0 });

describe('eye aspect ratio (the blink signal)', () => {
  it('reads open eyes on the real mesh in the usual 0.25–0.4 range, both eyes alike', () => {
    const ear = eyeAspect(realFixture.mesh);
    expect(ear.right).toBeGreaterThan(0.25);
    expect(ear.left).toBeGreaterThan(0.25);
    expect(ear.right).toBeLessThan(0.4);
    expect(ear.left).toBeLessThan(0.4);
    expect(ear.mean).toBeCloseTo((ear.right + ear.left) / 2, 10);
  });

  it('falls with the lids: half closed ≈ 0.55 of open, shut ≈ 0.1 of open', () => {
    const e0 = eyeAspect(open).mean;
    expect(eyeAspect(closeEyes(open, 0.5)).mean / e0).toBeCloseTo(0.55, 1);
    expect(eyeAspect(closeEyes(open, 1)).mean / e0).toBeLessThan(0.15);
  });

  it('does not change when the whole face moves, scales or turns in the image plane (a photo)', () => {
    const e0 = eyeAspect(open).mean;
    for (const motion of [{ dx: 100, dy: -40 }, { scale: 0.6 }, { angle: 35 }, { scale: 1.4, angle: -20, dx: 30 }]) {
      expect(eyeAspect(similarity(open, motion)).mean).toBeCloseTo(e0, 6);
    }
  });

  it('stays within 10 % of frontal through a 25° head turn or nod (measured in 3D)', () => {
    const e0 = eyeAspect(open).mean;
    for (const pose of [{ yaw: 25, pitch: 0, roll: 0 }, { yaw: -25, pitch: 0, roll: 0 }, { yaw: 0, pitch: -20, roll: 0 }]) {
      expect(Math.abs(eyeAspect(poseMesh(shape, pose)).mean - e0) / e0).toBeLessThan(0.1);
    }
  });

  it('uses each eye\'s own points, and refuses a mesh without them', () => {
    const oneClosed = open.map((p, i) => (i === RIGHT_EYE.upperOuter || i === RIGHT_EYE.upperInner ? closeEyes(open, 1)[i] ?? p : p));
    expect(eyeAspectRatio(oneClosed, RIGHT_EYE)).toBeLessThan(eyeAspectRatio(open, RIGHT_EYE) * 0.3);
    expect(eyeAspectRatio(oneClosed, LEFT_EYE)).toBe(eyeAspectRatio(open, LEFT_EYE));
    expect(() => eyeAspect(open.slice(0, 100))).toThrow(RangeError);
  });
});
