import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { REPO_ROOT, runNode } from '../../scripts/lib/processes.node.ts';
import { dayInputSchema, type DayInput } from '../src/draw/day-schema.ts';

/** What scripts/make-demo-experts.node.ts prints as its last line. */
export interface DemoExperts {
  event: 'demo-experts';
  dir: string;
  day: string;
  date: string;
  experts: { id: string; photo: string }[];
}

export const MAKE_DEMO_EXPERTS = join(REPO_ROOT, 'scripts/make-demo-experts.node.ts');
const require = createRequire(import.meta.url);
/** One of face-api's demo group photos (three people). */
export const demoSample = (n: number): string => require.resolve(`@vladmandic/face-api/demo/sample${n}.jpg`);

/** Runs the demo-experts script into `dir` (as the demo and the end-to-end tests do). */
export async function makeDemoExperts(dir: string, args: string[] = []): Promise<DemoExperts> {
  const out = await runNode(MAKE_DEMO_EXPERTS, [dir, ...args]);
  if (out.code !== 0) throw new Error(`make-demo-experts (${out.code}): ${out.stderr}`);
  const last = out.stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(last) as DemoExperts;
}

export function readDay(file: string): DayInput {
  return dayInputSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
}
