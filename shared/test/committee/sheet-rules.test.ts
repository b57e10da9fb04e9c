import { describe, expect, it } from 'vitest';
import type { ObjectiveItem, PreliminaryItem, SubjectiveItem } from '../../src/committee/evaluation-rules.ts';
import {
  NOTE_REQUIRED_AT_OR_ABOVE,
  NOTE_REQUIRED_AT_OR_BELOW,
  SCORE_STEP,
  cellProblem,
  isRejected,
  preliminaryProblems,
} from '../../src/committee/sheet-rules.ts';

const plain: SubjectiveItem = { id: 'tech', group: 'g', name: 'Tech', description: '', max: 10, kind: 'subjective', tiers: [] };
const tiered: SubjectiveItem = {
  ...plain,
  id: 'plan',
  tiers: [
    { label: 'A', min: 8, max: 10 },
    { label: 'B', min: 5, max: 7.5 },
    { label: 'C', min: 0, max: 3 },
  ],
};
const iso: ObjectiveItem = { id: 'iso', group: 'g', name: 'ISO', description: '', max: 2, kind: 'objective', options: [0, 1.5, 2] };

describe('constants', () => {
  it('are the booth rules of today', () => {
    expect([SCORE_STEP, NOTE_REQUIRED_AT_OR_ABOVE, NOTE_REQUIRED_AT_OR_BELOW]).toEqual([0.5, 0.9, 0.2]);
  });
});

describe('cellProblem, subjective', () => {
  it('missing when null', () => expect(cellProblem(plain, null, '')).toBe('missing'));
  it('out of range below 0, above max, off the half step, not finite', () => {
    for (const v of [-0.5, 10.5, 4.25, Number.NaN, Number.POSITIVE_INFINITY]) expect(cellProblem(plain, v, 'n'), String(v)).toBe('out_of_range');
  });
  it('needs a note at ≥ 90 % (9 of 10) and ≤ 20 % (2 of 10), not between', () => {
    expect(cellProblem(plain, 9, '')).toBe('note_required');
    expect(cellProblem(plain, 10, '  ')).toBe('note_required');
    expect(cellProblem(plain, 2, '')).toBe('note_required');
    expect(cellProblem(plain, 0, '')).toBe('note_required');
    expect(cellProblem(plain, 8.5, '')).toBeNull();
    expect(cellProblem(plain, 2.5, '')).toBeNull();
    expect(cellProblem(plain, 9, 'excellent plan')).toBeNull();
  });
  it('with tiers: in some tier, or in the chosen one', () => {
    expect(cellProblem(tiered, 4, 'n')).toBe('outside_tiers'); // between C (≤ 3) and B (≥ 5)
    expect(cellProblem(tiered, 6, 'n')).toBeNull();
    expect(cellProblem(tiered, 6, 'n', 'B')).toBeNull();
    expect(cellProblem(tiered, 6, 'n', 'A')).toBe('outside_tiers');
    expect(cellProblem(tiered, 6, 'n', 'Z')).toBe('outside_tiers');
    expect(cellProblem(tiered, 6, 'n', '')).toBeNull(); // '' = no tier chosen
    expect(cellProblem(tiered, 9, '', 'A')).toBe('note_required'); // tiers first, then the note
    expect(cellProblem(tiered, 11, 'n', 'A')).toBe('out_of_range');
  });
});

describe('cellProblem, objective', () => {
  it('must be one of the options; no note rule', () => {
    expect(cellProblem(iso, 2, '')).toBeNull();
    expect(cellProblem(iso, 0, '')).toBeNull();
    expect(cellProblem(iso, 1.5, '')).toBeNull();
    expect(cellProblem(iso, 1, '')).toBe('not_an_option');
    expect(cellProblem(iso, 0.5, '')).toBe('not_an_option');
    expect(cellProblem(iso, 3, '')).toBe('out_of_range');
    expect(cellProblem(iso, null, '')).toBe('missing');
  });
  it('compares options with a slack (0.1 + 0.2 is the option 0.3)', () => {
    expect(cellProblem({ ...iso, options: [0, 0.3, 2] }, 0.1 + 0.2, '')).toBeNull();
  });
});

describe('preliminaryProblems', () => {
  const items: PreliminaryItem[] = [
    { id: 'licence', name: 'Licence', kind: 'qualification', description: '' },
    { id: 'bond', name: 'Bond', kind: 'conformity', description: '' },
  ];
  it('lists missing cells and fails without a reason, bid then item', () => {
    const problems = preliminaryProblems(items, ['A', 'B', 'C'], {
      A: { licence: { pass: true, reason: '' }, bond: { pass: false, reason: 'no bond' } },
      B: { licence: { pass: false, reason: '  ' }, bond: { pass: null, reason: '' } },
    });
    expect(problems).toEqual([
      { bid: 'B', item: 'licence', problem: 'reason_required' },
      { bid: 'B', item: 'bond', problem: 'missing' },
      { bid: 'C', item: 'licence', problem: 'missing' },
      { bid: 'C', item: 'bond', problem: 'missing' },
    ]);
  });
  it('is empty when done', () => {
    expect(preliminaryProblems(items, ['A'], { A: { licence: { pass: true, reason: '' }, bond: { pass: true, reason: '' } } })).toEqual([]);
  });
  it('does not read inherited properties as verdicts', () => {
    expect(preliminaryProblems([{ ...items[0]!, id: 'toString' }], ['constructor'], {})).toHaveLength(1);
  });
});

describe('isRejected', () => {
  it('majority: more than half', () => {
    expect(isRejected('majority', 2, 3)).toBe(true);
    expect(isRejected('majority', 1, 3)).toBe(false);
    expect(isRejected('majority', 2, 4)).toBe(false);
    expect(isRejected('majority', 3, 5)).toBe(true);
    expect(isRejected('majority', 1, 1)).toBe(true);
  });
  it('two thirds: at least 2n/3', () => {
    expect(isRejected('two_thirds', 2, 3)).toBe(true);
    expect(isRejected('two_thirds', 3, 5)).toBe(false); // 3/5 = 60 %
    expect(isRejected('two_thirds', 4, 5)).toBe(true);
    expect(isRejected('two_thirds', 6, 9)).toBe(true);
    expect(isRejected('two_thirds', 5, 9)).toBe(false);
  });
  it('unanimous: everyone', () => {
    expect(isRejected('unanimous', 5, 5)).toBe(true);
    expect(isRejected('unanimous', 4, 5)).toBe(false);
  });
  it('nothing with no votes or no members', () => {
    expect(isRejected('majority', 0, 5)).toBe(false);
    expect(isRejected('unanimous', 0, 0)).toBe(false);
  });
});
