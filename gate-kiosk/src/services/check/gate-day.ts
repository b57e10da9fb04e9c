import { evaluationDay } from '@kawei/shared/domain/evaluation-day.ts';

/** The gate's day: the evaluation day (China Standard Time, turning at 04:00; shared/src/domain/evaluation-day.ts). */
export const gateDay: (ms: number) => string = evaluationDay;
