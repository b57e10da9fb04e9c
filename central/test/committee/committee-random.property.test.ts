import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REVIEW_EVENTS, committeeBoothPayloadSchema } from '@kawei/shared/committee/committee-events.ts';
import { boothViews, replayCommittee, resultsJson } from '../../src/committee/committee-state.ts';
import { committeeRun, openedPayload, preliminaryPayload, scoresFor, sheetPayload, stepPayload, votePayload } from './committee-fixtures.ts';

/**
 * Any sequence of booth events and operator acts — right, wrong, out of order, from the wrong
 * device — never throws, replays to the same state, and never puts an expert id in a booth's view.
 */
const codename = fc.constantFrom('K01', 'K02', 'K03', 'K04', 'K10', 'K99');
const device = fc.constantFrom('device-01', 'device-02', 'device-03', 'device-04', 'device-10');
const bidSet = fc.oneof({ arbitrary: fc.constant(['A', 'B', 'D']), weight: 6 }, fc.constant(['A', 'B', 'C', 'D']), fc.constant(['A', 'B']));
const revision = fc.oneof({ arbitrary: fc.constant(1), weight: 4 }, fc.integer({ min: 1, max: 3 }));
const seated = fc.constantFrom('K01', 'K02', 'K03', 'K04');
const action = fc.oneof(
  fc.record({ kind: fc.constant('vote' as const), who: codename, candidate: codename, device }),
  fc.record({ kind: fc.constant('preliminary' as const), who: codename, failC: fc.boolean(), device }),
  { arbitrary: fc.record({ kind: fc.constant('sheet' as const), who: seated, bids: bidSet, revision, iso: fc.constantFrom(2, 2, 0), device }), weight: 6 },
  fc.record({ kind: fc.constant('start' as const), who: codename, device }),
  fc.record({ kind: fc.constant('recheck' as const), who: codename, target: codename, device }),
  fc.record({ kind: fc.constant('confirm' as const), who: codename, current: fc.boolean(), device }),
  fc.record({ kind: fc.constant('name' as const), target: codename }),
  fc.record({ kind: fc.constant('replace' as const), target: codename }),
  fc.record({ kind: fc.constant('garbage' as const), device, type: fc.constantFrom(...Object.values(REVIEW_EVENTS)), payload: fc.jsonValue() }),
);

describe('a committee under random input', () => {
  it('stays consistent', () => {
    const reached = new Set<string>();
    fc.assert(
      fc.property(fc.boolean(), fc.array(action, { minLength: 5, maxLength: 40, size: 'max' }), (detailed, actions) => {
        const opened = openedPayload({ members: 4, alternates: ['alt-1'] });
        const run = committeeRun(opened);
        if (detailed) {
          // Half the runs start in the detailed review (C rejected), where sheets, re-checks and results happen.
          for (const who of ['K01', 'K02', 'K03', 'K04']) run.vote(who, 'K01');
          for (const who of ['K01', 'K02', 'K03', 'K04']) run.preliminary(who, { C: { licence: 'x' } });
          run.step('K01', { step: 'start_detailed' });
        }
        for (const a of actions) {
          // Mostly from the member's own device, sometimes from another.
          const own = (who: string, fallback: string): string => run.state.members.find((m) => m.codename === who && m.active)?.device ?? fallback;
          switch (a.kind) {
            case 'vote':
              run.booth(own(a.who, a.device), REVIEW_EVENTS.chairVote, votePayload(a.who, a.candidate));
              break;
            case 'preliminary':
              run.booth(own(a.who, a.device), REVIEW_EVENTS.preliminarySigned, preliminaryPayload(opened, a.who, a.failC ? { C: { licence: 'x' } } : {}));
              break;
            case 'sheet':
              run.booth(own(a.who, a.device), REVIEW_EVENTS.scoresSubmitted, sheetPayload(opened, a.who, scoresFor(a.bids, 0, (bid, item) => (bid === 'A' && item === 'iso' ? a.iso : undefined)), { revision: a.revision }));
              break;
            case 'start':
              run.booth(own(a.who, a.device), REVIEW_EVENTS.chairStep, stepPayload(a.who, { step: 'start_detailed' }));
              break;
            case 'recheck':
              run.booth(own(a.who, a.device), REVIEW_EVENTS.chairStep, stepPayload(a.who, { step: 'request_recheck', recheck: { codename: a.target, reason: 'other', cells: [], note: '' } }));
              break;
            case 'confirm':
              run.booth(own(a.who, a.device), REVIEW_EVENTS.chairStep, stepPayload(a.who, { step: 'confirm_results', resultsSha256: a.current && run.state.resultsSha256 ? run.state.resultsSha256 : 'a'.repeat(64) }));
              break;
            case 'name':
              run.act({ kind: 'name_chair', codename: a.target, operator: 'op', why: 'test' });
              break;
            case 'replace':
              run.act({ kind: 'replace', codename: a.target, reason: 'other', replacement: { codename: 'K10', expert: 'alt-1', booth: 'b', device: 'device-10' }, operator: 'op', why: 'test' });
              break;
            case 'garbage':
              run.booth(a.device, a.type, a.payload);
              break;
          }
        }
        const replayed = replayCommittee(run.entries, run.lookup);
        expect(replayed).toEqual(run.state);
        expect(replayed.problems).toEqual([]);
        if (replayed.aggregate !== null) reached.add(replayed.stage);
        const views = [...boothViews(replayed).values()];
        expect(views).toHaveLength(4);
        for (const view of views) expect(committeeBoothPayloadSchema.safeParse(view).success).toBe(true);
        expect(JSON.stringify(views) + JSON.stringify(resultsJson(replayed))).not.toMatch(/expert-\d|alt-1/);
      }),
      // A fixed seed (FC_SEED to explore others): the assertion below needs runs that reach the
      // results, and a random seed could, rarely, produce none.
      { numRuns: 60, seed: Number(process.env['FC_SEED'] ?? 1307) },
    );
    // The random runs do get somewhere (at least some of them).
    expect(reached.size).toBeGreaterThan(0);
  });
});
