import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, readSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { z } from 'zod';
import { projectBidderSchema, projectCriterionSchema } from '@kawei/shared/api/booth-roster.ts';
import { MAX_TENDER_FILE_BYTES } from './project-files.node.ts';

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

interface Problem {
  zh: string;
  en: string;
}

function fail(problems: readonly Problem[], dir: string): never {
  throw new MaterialError(
    `项目材料有误（${dir}）：\n${problems.map((p) => `  ${p.zh}`).join('\n')}`,
    `the project material in ${dir} is not usable:\n${problems.map((p) => `  ${p.en}`).join('\n')}`,
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
    throw new MaterialError(`找不到项目材料目录：${dir}`, `the project material folder does not exist: ${dir}`);
  }
  if (!stat.isDirectory()) throw new MaterialError(`项目材料不是目录：${dir}`, `the project material is not a folder: ${dir}`);
  const file = join(dir, PROJECT_FILE);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new MaterialError(`无法读取项目说明 ${file}：${(error as Error).message}`, `cannot read ${file}: ${(error as Error).message}`);
  }
  const parsed = projectMaterialSchema.safeParse(raw);
  if (!parsed.success) {
    fail(
      parsed.error.issues.map((i) => {
        const where = i.path.join('.') || '(root)';
        return { zh: `${PROJECT_FILE} 的 ${where} 不符合要求：${i.message}`, en: `${PROJECT_FILE} ${where}: ${i.message}` };
      }),
      dir,
    );
  }
  const m = parsed.data;
  const problems: Problem[] = [];

  for (const id of duplicates(m.criteria.map((c) => c.id))) problems.push({ zh: `评分项编号重复：${id}`, en: `criterion id used twice: ${id}` });
  for (const code of duplicates(m.bidders.map((b) => b.code))) problems.push({ zh: `投标人代码重复：${code}`, en: `bidder code used twice: ${code}` });
  for (const p of duplicates(m.files.map((f) => f.path))) problems.push({ zh: `文件重复列出：${p}`, en: `file listed twice: ${p}` });
  const startsAt = m.startsAt === null ? null : Date.parse(m.startsAt);
  const endsAt = m.endsAt === null ? null : Date.parse(m.endsAt);
  if (startsAt !== null && endsAt !== null && endsAt <= startsAt) {
    problems.push({ zh: `结束时间 ${m.endsAt} 不晚于开始时间 ${m.startsAt}`, en: `endsAt ${m.endsAt} is not after startsAt ${m.startsAt}` });
  }

  const codes = new Set(m.bidders.map((b) => b.code));
  const realDir = realpathSync(dir);
  const files: CheckedFile[] = [];
  for (const f of m.files) {
    if (!codes.has(f.bidder)) {
      problems.push({ zh: `文件 ${f.path} 的投标人代码 ${f.bidder} 不在投标人名单中`, en: `file ${f.path} names bidder ${f.bidder}, who is not in the bidder list` });
    }
    const absolute = resolve(dir, f.path);
    if (isAbsolute(f.path) || !isInside(realDir, absolute)) {
      problems.push({ zh: `文件路径必须在材料目录之内：${f.path}`, en: `file path must stay inside the material folder: ${f.path}` });
      continue;
    }
    let size: number;
    try {
      const s = statSync(absolute);
      if (!s.isFile()) throw new Error('not a file');
      size = s.size;
    } catch {
      problems.push({ zh: `找不到文件：${f.path}`, en: `file not found: ${f.path}` });
      continue;
    }
    if (size === 0) {
      problems.push({ zh: `文件为空：${f.path}`, en: `file is empty: ${f.path}` });
      continue;
    }
    if (size > maxBytes) {
      problems.push({
        zh: `文件过大：${f.path}（${formatMb(size)}，上限 ${formatMb(maxBytes)}）`,
        en: `file too large: ${f.path} (${formatMb(size)}, the limit is ${formatMb(maxBytes)})`,
      });
      continue;
    }
    if (!startsWithPdfHeader(absolute)) {
      problems.push({ zh: `不是 PDF 文件（开头不是 %PDF-）：${f.path}`, en: `not a PDF (it does not start with %PDF-): ${f.path}` });
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
