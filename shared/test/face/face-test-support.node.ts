import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Paths the face tests share. */
export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const DEMO_DIR = join(REPO, 'node_modules/@vladmandic/face-api/demo');
export const demoSample = (n: number): string => join(DEMO_DIR, `sample${n}.jpg`);
/** The labelled development set lives beside the checkout: `<repo>/../shared/data/faces-dev`. */
export const DEV_SET_DIR = resolve(REPO, '../shared/data/faces-dev');
export const HAS_DEV_SET = existsSync(DEV_SET_DIR);
if (!HAS_DEV_SET) {
  console.warn(`[face tests] development set not found at ${DEV_SET_DIR}: the tests that need it are skipped`);
}
