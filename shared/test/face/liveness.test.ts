import { describe, expect, it } from 'vitest';
import type { FrameObservation } from '../../src/face/face-types.ts';
import {
  DEFAULT_TIME_LIMITS_MS,
  LIVENESS_CHALLENGES,
  LIVENESS_FAILURES,
  LivenessSession,
  createChallengeSequence,
  cryptoRandom,
  type LivenessChallenge,
  type LivenessChallengeKind,
  type LivenessState,
} from '../../src/face/liveness.ts';
import { MESSAGES } from '../../src/i18n/messages.ts';
import { FRAME_MS, act, photo } from './fixtures/liveness-actor.ts';
import { BOOTH_CAMERA, frameOf, frontalShape, poseMesh, seededRandom, similarity } from './fixtures/synthetic-mesh.ts';

const challenges = (...kinds: LivenessChallengeKind[]): LivenessChallenge[] =>
  kinds.map((kind) => ({ kind, timeLimitMs: DEFAULT_TIME_LIMITS_MS[kind] }));

function run(sequence: readonly LivenessChallenge[], frames: readonly FrameObservation[]): { final: LivenessState; states: LivenessState[] } {
  const session = new LivenessSession(sequence);
  const states = frames.map((f) => session.push(f));
  return { final: session.state, states };
}

/** All 18 orders of three distinct challenges that include a blink. */
function allOrders(): LivenessChallengeKind[][] {
  const out: LivenessChallengeKind[][] = [];
  for (const a of LIVENESS_CHALLENGES) {
    for (const b of LIVENESS_CHALLENGES) {
      for (const c of LIVENESS_CHALLENGES) {
        const o = [a, b, c];
        if (new Set(o).size === 3 && o.includes('blink')) out.push(o);
      }
    }
  }
  return out;
}

describe('createChallengeSequence', () => {
  it('draws three distinct challenges with a blink, each with its time limit', () => {
    const seq = createChallengeSequence(seededRandom(1));
    expect(seq).toHaveLength(3);
    expect(new Set(seq.map((c) => c.kind)).size).toBe(3);
    expect(seq.map((c) => c.kind)).toContain('blink');
    for (const c of seq) expect(c.timeLimitMs).toBe(DEFAULT_TIME_LIMITS_MS[c.kind]);
  });

  it('reaches all 18 orders, about equally often', () => {
    const random = seededRandom(42);
    const counts = new Map<string, number>();
    for (let i = 0; i < 3600; i++) {
      const key = createChallengeSequence(random).map((c) => c.kind).join(',');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual(allOrders().map((o) => o.join(',')).sort());
    for (const n of counts.values()) {
      expect(n).toBeGreaterThan(130);
      expect(n).toBeLessThan(270);
    }
  });

  it('is the same for the same random source and differs for another', () => {
    const a = createChallengeSequence(seededRandom(7)).map((c) => c.kind);
    expect(createChallengeSequence(seededRandom(7)).map((c) => c.kind)).toEqual(a);
    const others = [8, 9, 10, 11, 12].map((s) => createChallengeSequence(seededRandom(s)).map((c) => c.kind).join());
    expect(others.some((o) => o !== a.join())).toBe(true);
  });

  it('honours count, requireBlink and time limits, and refuses impossible counts', () => {
    expect(createChallengeSequence(seededRandom(1), { count: 4 }).map((c) => c.kind).sort()).toEqual([...LIVENESS_CHALLENGES].sort());
    expect(createChallengeSequence(seededRandom(1), { count: 1 })).toEqual([{ kind: 'blink', timeLimitMs: DEFAULT_TIME_LIMITS_MS.blink }]);
    const random = seededRandom(5);
    const noBlink = Array.from({ length: 50 }, () => createChallengeSequence(random, { count: 1, requireBlink: false })[0]?.kind);
    expect(new Set(noBlink).size).toBe(4);
    expect(createChallengeSequence(seededRandom(1), { timeLimitsMs: { blink: 2500 } }).find((c) => c.kind === 'blink')?.timeLimitMs).toBe(2500);
    expect(() => createChallengeSequence(seededRandom(1), { count: 0 })).toThrow(RangeError);
    expect(() => createChallengeSequence(seededRandom(1), { count: 5 })).toThrow(RangeError);
  });

  it('cryptoRandom gives uniform numbers in [0, 1) from the platform CSPRNG', () => {
    const xs = Array.from({ length: 2000 }, cryptoRandom);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    expect(new Set(xs).size).toBe(xs.length);
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean).toBeGreaterThan(0.45);
    expect(mean).toBeLessThan(0.55);
    expect(createChallengeSequence(cryptoRandom)).toHaveLength(3);
  });
});

describe('LivenessSession: a live person', () => {
  it('passes every order when doing what is asked, with progress rising step by step', () => {
    for (const [i, order] of allOrders().entries()) {
      const { final, states } = run(challenges(...order), act(order, { seed: i + 1 }));
      expect(final.status, order.join()).toBe('passed');
      expect(final.progress).toBe(1);
      const progress = states.map((s) => s.progress);
      for (let k = 1; k < progress.length; k++) expect(progress[k]).toBeGreaterThanOrEqual(progress[k - 1] as number);
      const shown = [...new Set(states.flatMap((s) => (s.status === 'challenge' && s.challenge ? [s.challenge.kind] : [])))];
      expect(shown).toEqual(order);
    }
  });

  it('passes with a single missed detection in the middle', () => {
    const frames = act(['turn_right', 'blink', 'nod']);
    frames[20] = { ...(frames[20] as FrameObservation), faces: [] };
    expect(run(challenges('turn_right', 'blink', 'nod'), frames).final.status).toBe('passed');
  });

  it('starts with a baseline phase, then shows the first challenge with its deadline', () => {
    const session = new LivenessSession(challenges('nod', 'blink', 'turn_left'));
    const frames = act([], { tailMs: 1000 });
    expect(session.push(frames[0] as FrameObservation).status).toBe('baseline');
    let state = session.state;
    for (const f of frames.slice(1)) state = session.push(f);
    expect(state.status).toBe('challenge');
    expect(state.challenge?.kind).toBe('nod');
    expect(state.deadline).toBeGreaterThan(frames[4]?.t ?? 0);
  });
});

describe('LivenessSession: attacks and failures', () => {
  it('a photo held up fails as no_motion, even slid, turned in plane and brought nearer', () => {
    const { final } = run(challenges('blink', 'turn_left', 'nod'), photo(8000));
    expect(final).toMatchObject({ status: 'failed', reason: 'no_motion', index: 0 });
    expect(final.maxParallax).toBeLessThan(0.015);
  });

  it('a photo cannot pass a turn or a nod either', () => {
    for (const kind of ['turn_left', 'turn_right', 'nod'] as const) {
      expect(run(challenges(kind), photo(7000, { seed: 9 })).final.reason).toBe('no_motion');
    }
  });

  it('a recording made for one order fails for every other order', () => {
    const recorded: LivenessChallengeKind[] = ['blink', 'turn_left', 'nod'];
    const replay = act(recorded, { seed: 3, tailMs: 6000 });
    expect(run(challenges(...recorded), replay).final.status).toBe('passed');
    const reasons = new Set<string>();
    for (const order of allOrders()) {
      if (order.join() === recorded.join()) continue;
      const { final } = run(challenges(...order), replay);
      expect(final.status, order.join()).toBe('failed');
      reasons.add(final.reason ?? '');
    }
    expect([...reasons].every((r) => r === 'wrong_action' || r === 'timeout')).toBe(true);
    expect(reasons.has('wrong_action')).toBe(true);
  });

  it('wrong_action: turning the other way, or nodding when a blink is asked', () => {
    expect(run(challenges('turn_left'), act(['turn_right'])).final.reason).toBe('wrong_action');
    expect(run(challenges('blink'), act(['nod'])).final.reason).toBe('wrong_action');
    expect(run(challenges('nod'), act(['turn_left'])).final.reason).toBe('wrong_action');
  });

  it('timeout: live but not doing the move in time (and the same move too late)', () => {
    const glancing = act(['glance', 'glance', 'glance', 'glance', 'glance', 'glance', 'glance'], { gapMs: 300 });
    expect(run(challenges('blink'), glancing).final).toMatchObject({ status: 'failed', reason: 'timeout' });
    const late = act(['glance', 'blink'], { gapMs: 4500 });
    const { final } = run(challenges('blink'), late);
    expect(final).toMatchObject({ status: 'failed', reason: 'timeout' });
    expect(final.maxParallax).toBeGreaterThan(0.015);
  });

  it('several_faces: a second face fails the session at once', () => {
    const frames = act(['blink', 'turn_left', 'nod']);
    const other = poseMesh(frontalShape(), { yaw: 0, pitch: 0, roll: 0 }, { ...BOOTH_CAMERA, cx: 560 }, 0.5);
    const at = 15;
    const f = frames[at] as FrameObservation;
    frames[at] = frameOf(f.t, [...f.faces.map((face) => face.mesh), other]);
    const { final } = run(challenges('blink', 'turn_left', 'nod'), frames);
    expect(final).toMatchObject({ status: 'failed', reason: 'several_faces', t: f.t });
  });

  it('face_lost: no face for a second', () => {
    const frames = act(['blink', 'turn_left', 'nod']).map((f, i) => (i >= 15 && i < 28 ? { ...f, faces: [] } : f));
    expect(run(challenges('blink', 'turn_left', 'nod'), frames).final.reason).toBe('face_lost');
  });

  it('face_swapped: the face box jumps between two frames', () => {
    const frames = act(['blink', 'turn_left', 'nod']).map((f, i) =>
      i >= 15 ? frameOf(f.t, f.faces.map((face) => similarity(face.mesh, { dx: 180 }))) : f,
    );
    expect(run(challenges('blink', 'turn_left', 'nod'), frames).final.reason).toBe('face_swapped');
    // Moving steadily across the same distance is not a swap.
    const steady = act(['blink', 'turn_left', 'nod']).map((f, i) =>
      frameOf(f.t, f.faces.map((face) => similarity(face.mesh, { dx: Math.min(i, 30) * 6 }))),
    );
    expect(run(challenges('blink', 'turn_left', 'nod'), steady).final.status).toBe('passed');
  });

  it('stays failed or passed once decided, and refuses frames out of order', () => {
    const session = new LivenessSession(challenges('blink'));
    const frames = act(['blink']);
    for (const f of frames) session.push(f);
    expect(session.state.status).toBe('passed');
    expect(session.push(frameOf((frames.at(-1)?.t ?? 0) + FRAME_MS, [])).status).toBe('passed');
    const other = new LivenessSession(challenges('blink'));
    other.push(frames[3] as FrameObservation);
    expect(() => other.push(frames[2] as FrameObservation)).toThrow(RangeError);
  });
});

describe('messages', () => {
  it('has Chinese and English prompts for every challenge and every failure', () => {
    for (const kind of LIVENESS_CHALLENGES) {
      expect(MESSAGES['zh-CN'][`face.liveness.challenge.${kind}`]).toMatch(/[\u4e00-\u9fff]/);
      expect(MESSAGES.en[`face.liveness.challenge.${kind}`]).toMatch(/[a-z]/);
    }
    for (const reason of LIVENESS_FAILURES) {
      expect(MESSAGES['zh-CN'][`face.liveness.failed.${reason}`]).toMatch(/[\u4e00-\u9fff]/);
      expect(MESSAGES.en[`face.liveness.failed.${reason}`]).toMatch(/[a-z]/);
    }
  });
});
