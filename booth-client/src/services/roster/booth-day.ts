import { evaluationDay } from '@kawei/shared/domain/evaluation-day.ts';

/** The booth's day: the evaluation day (China Standard Time, turning at 04:00; shared/src/domain/evaluation-day.ts). */
export const boothDay: (ms: number) => string = evaluationDay;

/** 2026年11月22日, for the commitment letter. */
export function chineseDate(isoDate: string): string {
  const [y, m, d] = isoDate.split('-').map(Number) as [number, number, number];
  return `${y}年${m}月${d}日`;
}
