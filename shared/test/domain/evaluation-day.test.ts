import { describe, expect, it } from 'vitest';
import { DAY_TURN_HOUR, evaluationDay } from '../../src/domain/evaluation-day.ts';

/** China Standard Time (UTC+8, no daylight saving) as epoch ms. */
const cst = (y: number, m: number, d: number, h: number, min = 0) => Date.UTC(y, m - 1, d, h - 8, min);

describe('the evaluation day', () => {
  it('is the date in China Standard Time, whatever the PC says', () => {
    expect(evaluationDay(cst(2026, 11, 22, 9, 0))).toBe('2026-11-22');
    expect(evaluationDay(cst(2026, 11, 22, 23, 59))).toBe('2026-11-22');
    // 2026-11-22 01:00 UTC is 09:00 in Beijing, the same day; 17:30 UTC is 01:30 the next morning there.
    expect(evaluationDay(Date.UTC(2026, 10, 22, 1, 0))).toBe('2026-11-22');
  });

  it('turns at 04:00, so an evaluation into the night stays on its day', () => {
    expect(DAY_TURN_HOUR).toBe(4);
    expect(evaluationDay(cst(2026, 11, 23, 0, 30))).toBe('2026-11-22');
    expect(evaluationDay(cst(2026, 11, 23, 3, 59))).toBe('2026-11-22');
    expect(evaluationDay(cst(2026, 11, 23, 4, 0))).toBe('2026-11-23');
    // across a month and a year
    expect(evaluationDay(cst(2027, 1, 1, 2, 0))).toBe('2026-12-31');
    expect(evaluationDay(cst(2027, 3, 1, 3, 0))).toBe('2027-02-28');
  });
});
