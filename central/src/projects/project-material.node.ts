import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, readSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { z } from 'zod';
import { projectBidderSchema, projectCriterionSchema } from '@kawei/shared/api/booth-roster.ts';
import { MAX_TENDER_FILE_BYTES } from './project-files.node.ts';
import { type MessagePair, messagePair } from '@kawei/shared/i18n/bilingual.ts';

/**
 * A project's evaluation material as the trading centre hands it over, in one folder:
 *
 *   DIR/project.json   { title, blind, startsAt, endsAt, criteria: [{ id, name, max }],
 *                        bidders: [{ code, name, aliases }], files: [{ path, bidder, title }] }
 *   DIR/…pdf           the tender files, `path` relative to DIR
 *
 * readProjectMaterial() checks everything before anything is stored or sent, and reports every
 * problem at once, in Chinese and English (MaterialError): unknown fields, duplicate criteria or
 * bidder codes, a file whose bidder is not listed, a path outside DIR, a missing or empty file, one
 * over MAX_TENDER_FILE_BYTES, one that does not start with `%PDF-`, an end before the start.
 */

export const PROJECT_FILE = 'project.json';

const isoInstant = z.iso.datetime({ offset: true }).nullable();

export const projectMaterialSchema = z
  .object({
    title: z.string().trim().min(1).max(300),
    blind: z.boolean(),
    /** ISO 8601 with an offset (2026-11-23T09:00:00+08:00), or null when not scheduled. */
    startsAt: isoInstant,
    endsAt: isoInstant,
    criteria: z.array(projectCriterionSchema.strict()).min(1).max(100),
    bidders: z.array(projectBidderSchema.strict()).min(1).max(99),
    files: z
      .array(
        z
          .object({
            path: z.string().min(1).max(500),
            bidder: z.string().min(1).max(16),
            title: z.string().trim().min(1).max(300),
          })
          .strict(),
      )
      .max(500),
  })
  .strict();
export type ProjectMaterialFile = z.infer<typeof projectMaterialSchema>;

export class MaterialError extends Error {
  override readonly name = 'MaterialError';
  constructor(
    readonly chinese: string,
    english: string,
  ) {
    super(english);
  }
}

export interface CheckedFile {
  path: string;
  absolute: string;
  bidder: string;
  title: string;
  bytes: number;
  sha256: string;
}

export interface ProjectMaterial {
  dir: string;
  title: string;
  blind: boolean;
  startsAt: number | null;
  endsAt: number | null;
  criteria: z.infer<typeof projectCriterionSchema>[];
  bidders: z.infer<typeof projectBidderSchema>[];
  files: CheckedFile[];
}

type Problem = MessagePair;

function materialError(m: MessagePair): MaterialError {
  return new MaterialError(m.zh, m.en);
}

function fail(problems: readonly Problem[], dir: string): never {
  const head = messagePair('projects.material.invalid', { dir });
  throw new MaterialError(
    `${head.zh}\n${problems.map((p) => `  ${p.zh}`).join('\n')}`,
    `${head.en}\n${problems.map((p) => `  ${p.en}`).join('\n')}`,
  );
}

function duplicates(values: readonly string[]): string[] {
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const v of values) (seen.has(v) ? twice : seen).add(v);
  return [...twice];
}

function startsWithPdfHeader(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(5);
    return readSync(fd, head, 0, 5, 0) === 5 && head.toString('latin1') === '%PDF-';
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads and checks DIR/project.json and every file it names; hashes the files. `maxBytes` is the
 * per-file cap (MAX_TENDER_FILE_BYTES; tests lower it).
 */
export function readProjectMaterial(dirInput: string, maxBytes: number = MAX_TENDER_FILE_BYTES): ProjectMaterial {
  const dir = resolve(dirInput);
  let stat;
  try {
    stat = statSync(dir);
  } catch {
    throw materialError(messagePair('projects.material.noFolder', { dir }));
  }
  if (!stat.isDirectory()) throw materialError(messagePair('projects.material.notFolder', { dir }));
  const file = join(dir, PROJECT_FILE);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw materialError(messagePair('projects.material.unreadable', { file, reason: (error as Error).message }));
  }
  const parsed = projectMaterialSchema.safeParse(raw);
  if (!parsed.success) {
    fail(
      parsed.error.issues.map((i) => {
        const where = i.path.join('.') || '(root)';
        return messagePair('projects.material.schema', { file: PROJECT_FILE, where, reason: i.message });
      }),
      dir,
    );
  }
  const m = parsed.data;
  const problems: Problem[] = [];

  for (const id of duplicates(m.criteria.map((c) => c.id))) problems.push(messagePair('projects.material.criterionTwice', { id }));
  for (const code of duplicates(m.bidders.map((b) => b.code))) problems.push(messagePair('projects.material.bidderTwice', { code }));
  for (const p of duplicates(m.files.map((f) => f.path))) problems.push(messagePair('projects.material.fileTwice', { path: p }));
  const startsAt = m.startsAt === null ? null : Date.parse(m.startsAt);
  const endsAt = m.endsAt === null ? null : Date.parse(m.endsAt);
  if (startsAt !== null && endsAt !== null && endsAt <= startsAt) {
    problems.push(messagePair('projects.material.endsBeforeStart', { endsAt: m.endsAt ?? '', startsAt: m.startsAt ?? '' }));
  }

  const codes = new Set(m.bidders.map((b) => b.code));
  const realDir = realpathSync(dir);
  const files: CheckedFile[] = [];
  for (const f of m.files) {
    if (!codes.has(f.bidder)) {
      problems.push(messagePair('projects.material.unknownBidder', { path: f.path, bidder: f.bidder }));
    }
    const absolute = resolve(dir, f.path);
    if (isAbsolute(f.path) || !isInside(realDir, absolute)) {
      problems.push(messagePair('projects.material.outside', { path: f.path }));
      continue;
    }
    let size: number;
    try {
      const s = statSync(absolute);
      if (!s.isFile()) throw new Error('not a file');
      size = s.size;
    } catch {
      problems.push(messagePair('projects.material.missing', { path: f.path }));
      continue;
    }
    if (size === 0) {
      problems.push(messagePair('projects.material.empty', { path: f.path }));
      continue;
    }
    if (size > maxBytes) {
      problems.push(messagePair('projects.material.tooLarge', { path: f.path, size: formatMb(size), max: formatMb(maxBytes) }));
      continue;
    }
    if (!startsWithPdfHeader(absolute)) {
      problems.push(messagePair('projects.material.notPdf', { path: f.path }));
      continue;
    }
    files.push({ path: f.path, absolute, bidder: f.bidder, title: f.title, bytes: size, sha256: '' });
  }
  if (problems.length > 0) fail(problems, dir);

  for (const f of files) f.sha256 = createHash('sha256').update(readFileSync(f.absolute)).digest('hex');
  return { dir, title: m.title, blind: m.blind, startsAt, endsAt, criteria: m.criteria, bidders: m.bidders, files };
}

/** `target` (resolved, symlinks followed) lies inside `realDir`. */
function isInside(realDir: string, target: string): boolean {
  let real: string;
  try {
    real = realpathSync(target);
  } catch {
    real = target; // does not exist: reported as missing, but still judged by its path
  }
  const rel = relative(realDir, real);
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel);
}

export function formatMb(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
