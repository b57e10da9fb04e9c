/**
 * DIR/experts.json read and checked (registry-schema.ts), without the face pipeline: the central's
 * report reads the experts' names from it (`serve --experts`), and a CLI start must not load tfjs.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { messagePair, withEnglishDetail } from '@kawei/shared/i18n/bilingual.ts';
import { ExpertRegistryError, REGISTRY_FILE, registryFileSchema, type RegistryExpert } from './registry-schema.ts';

/** Reads and validates DIR/experts.json. */
export function readRegistryFile(dir: string): RegistryExpert[] {
  const file = join(dir, REGISTRY_FILE);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw ExpertRegistryError.of(messagePair('experts.noFolder', { dir }));
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw ExpertRegistryError.of(withEnglishDetail(messagePair('experts.unreadable', { file }), (error as Error).message), { cause: error });
  }
  const parsed = registryFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`).join('\n');
    const m = messagePair('experts.invalid', { file });
    throw new ExpertRegistryError(`${m.zh}\n${issues}`, `${m.en}:\n${issues}`);
  }
  return [...parsed.data].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
