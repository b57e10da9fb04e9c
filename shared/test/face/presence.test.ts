import { describe, expect, it } from 'vitest';
import type { FrameObservation } from '../../src/face/face-types.ts';
import { PRESENCE_EVENTS, PresenceWatch, type PresenceEvent, type PresenceOptions } from '../../src/face/presence-watch.ts';
import { MESSAGES } from '../../src/i18n/messages.ts';
import { BOOTH_CAMERA, frameOf, frontalShape, poseMesh } from './fixtures/synthetic-mesh.ts';

const shape = frontalShape();
const expert = poseMesh(shape, { yaw: 0, pitch: 0, roll: 0 });
const visitor = poseMesh(shape, { yaw: 25, pitch: 0, roll: 0 }, { ...BOOTH_CAMERA, cx: 540 }, 0.6);

const STEP = 100;

function frame(t: number, faces: number): FrameObservation {
  return frameOf(t, [expert, visitor, visitor].slice(0, faces));
}

/** Feed frames every 100 ms from `from` (inclusive) to `to` (exclusive) with `faces(t)` faces. */
function feed(watch: PresenceWatch, from: number, to: number, faces: (t: number) => number): PresenceEvent[] {
  const events: PresenceEvent[] = [];
  for (let t = from; t < to; t += STEP) events.push(...watch.observe(frame(t, faces(t))));
  return events;
}

const make = (options: PresenceOptions = {}): PresenceWatch => new PresenceWatch(options);

describe('PresenceWatch: second face', () => {
  it('raises once when a second face stays for 1.5 s, with the time it appeared', () => {
    const w = make();
    expect(feed(w, 0, 5000, () => 1)).toEqual([]);
    const events = feed(w, 5000, 12_000, () => 2);
    expect(events).toEqual([{ type: 'second_face', t: 5000, faces: 2 }]);
    expect(w.snapshot.secondFace).toBe(true);
  });

  it('ignores someone passing through for a second', () => {
    const w = make();
    expect(feed(w, 0, 10_000, (t) => (t >= 3000 && t < 4000 ? 2 : 1))).toEqual([]);
  });

  it('one incident, one event: the second face flickering in and out does not raise it again', () => {
    const w = make();
    // Two faces from 1 s to 9 s, but the second drops out for 0.5 s every 2 s.
    const events = feed(w, 0, 10_000, (t) => (t >= 1000 && t < 9000 && t % 2000 < 1500 ? 2 : 1));
    expect(events).toEqual([{ type: 'second_face', t: 1000, faces: 2 }]);
  });

  it('a new incident after 3 s with one face raises again', () => {
    const w = make();
    const events = feed(w, 0, 20_000, (t) => ((t >= 1000 && t < 4000) || (t >= 10_000 && t < 13_000) ? 2 : 1));
    expect(events).toEqual([
      { type: 'second_face', t: 1000, faces: 2 },
      { type: 'second_face', t: 10_000, faces: 2 },
    ]);
  });
});

describe('PresenceWatch: absent and returned', () => {
  it('absent after 10 s without a face, stamped with the first empty frame; returned after 1 s of face', () => {
    const w = make();
    const events = [
      ...feed(w, 0, 2000, () => 1),
      ...feed(w, 2000, 15_000, () => 0),
      ...feed(w, 15_000, 20_000, () => 1),
    ];
    expect(events).toEqual([
      { type: 'absent', t: 2000 },
      { type: 'returned', t: 15_000, absentMs: 13_000 },
    ]);
  });

  it('raises absent exactly when 10 s have passed, not one frame earlier', () => {
    const w = make();
    feed(w, 0, 1000, () => 1);
    expect(feed(w, 1000, 11_000, () => 0)).toEqual([]);
    expect(w.snapshot).toMatchObject({ present: true, noFaceSince: 1000 });
    expect(w.observe(frame(11_000, 0))).toEqual([{ type: 'absent', t: 1000 }]);
    expect(w.snapshot.present).toBe(false);
  });

  it('a face seen now and then keeps the expert present (bending down for a document)', () => {
    const w = make();
    expect(feed(w, 0, 60_000, (t) => (t % 8000 < 500 ? 1 : 0))).toEqual([]);
  });

  it('N is configurable', () => {
    const w = make({ absentMs: 3000 });
    expect(feed(w, 0, 5000, (t) => (t < 1000 ? 1 : 0))).toEqual([{ type: 'absent', t: 1000 }]);
  });

  it('a single spurious detection in an empty booth is not a return', () => {
    const w = make();
    const events = feed(w, 0, 30_000, (t) => (t < 1000 ? 1 : t === 20_000 || t === 20_300 ? 1 : 0));
    expect(events).toEqual([{ type: 'absent', t: 1000 }]);
    expect(w.snapshot.present).toBe(false);
  });
});

describe('PresenceWatch: different person', () => {
  it('raises on the second "not the same" in a row, stamped with the first', () => {
    const w = make();
    expect(w.verdict({ t: 1000, same: true, similarity: 0.82 })).toEqual([]);
    expect(w.verdict({ t: 31_000, same: false, similarity: 0.31 })).toEqual([]);
    expect(w.verdict({ t: 61_000, same: false, similarity: 0.4 })).toEqual([{ type: 'different_person', t: 31_000, similarity: 0.4 }]);
    expect(w.verdict({ t: 91_000, same: false, similarity: 0.2 })).toEqual([]);
    expect(w.snapshot.differentPerson).toBe(true);
  });

  it('a "same" between two "not same" verdicts resets the run', () => {
    const w = make();
    const verdicts = [false, true, false, true, false].map((same, i) => w.verdict({ t: i * 1000, same, similarity: same ? 0.8 : 0.3 }));
    expect(verdicts.flat()).toEqual([]);
  });

  it('after a "same" verdict, a new run raises again; after a return too', () => {
    const w = make();
    w.verdict({ t: 0, same: false, similarity: 0.3 });
    expect(w.verdict({ t: 1, same: false, similarity: 0.3 })).toHaveLength(1);
    w.verdict({ t: 2, same: true, similarity: 0.9 });
    w.verdict({ t: 3, same: false, similarity: 0.3 });
    expect(w.verdict({ t: 4, same: false, similarity: 0.3 })).toHaveLength(1);
    feed(w, 0, 12_000, () => 0);
    feed(w, 12_000, 14_000, () => 1);
    expect(w.snapshot.differentPerson).toBe(false);
    w.verdict({ t: 14_000, same: false, similarity: 0.3 });
    expect(w.verdict({ t: 15_000, same: false, similarity: 0.3 })).toEqual([{ type: 'different_person', t: 14_000, similarity: 0.3 }]);
  });

  it('refuses frames or verdicts out of order', () => {
    const w = make();
    w.observe(frame(1000, 1));
    expect(() => w.observe(frame(900, 1))).toThrow(RangeError);
    w.verdict({ t: 1000, same: true, similarity: 0.9 });
    expect(() => w.verdict({ t: 999, same: true, similarity: 0.9 })).toThrow(RangeError);
  });
});

describe('messages', () => {
  it('has a Chinese and an English text for every presence event', () => {
    for (const type of PRESENCE_EVENTS) {
      expect(MESSAGES['zh-CN'][`face.presence.${type}`]).toMatch(/[\u4e00-\u9fff]/);
      expect(MESSAGES.en[`face.presence.${type}`]).toMatch(/[a-z]/);
    }
  });
});
