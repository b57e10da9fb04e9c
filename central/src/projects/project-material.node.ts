import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, readSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { z } from 'zod';
import { projectBidderSchema, projectCriterionSchema } from '@kawei/shared/api/booth-roster.ts';
import { openingBidSchema, type EvaluationRules, type OpeningBid } from '@kawei/shared/committee/evaluation-rules.ts';
import { checkEvaluationRules, rulesFromCriteria } from '@kawei/shared/committee/rules-check.ts';
import { MAX_TENDER_FILE_BYTES } from './project-files.node.ts';
import { bidProblems, criteriaFromRules } from './project-rules.ts';
import { type MessagePair, messagePair } from '@kawei/shared/i18n/bilingual.ts';

/**
 * A project's evaluation material as the trading centre hands it over, in one folder:
 *
 *   DIR/project.json   { title, blind, startsAt, endsAt, category?,                       (engineering | procurement)
 *                        rules: { method, preliminary, groups, items, price, settings },   (评标办法)
 *                        bids: [{ code, price, evaluatedPrice? }],                          (开标记录)
 *                        criteria: [{ id, name, max }],        (before issue #13: instead of rules)
 *                        bidders: [{ code, name, aliases }], files: [{ path, bidder, title }] }
 *   DIR/…pdf           the tender files, `path` relative to DIR
 *
 * `rules` (shared/src/committee/evaluation-rules.ts) or `criteria`, at least one. Plain criteria are
 * the degenerate case: rulesFromCriteria (no preliminary review, every criterion a subjective item).
 * Rules without criteria: the booth payload's criteria are derived from the rules' items
 * (project-rules.ts). With rules, `bids` is required: one bid per listed bidder, no other.
 *
 * readProjectMaterial() checks everything before anything is stored or sent, and reports every
 * problem at once, in Chinese and English (MaterialError): unknown fields, every problem of the rules
 * (checkEvaluationRules, naming the field), bids that do not match the bidders, duplicate criteria or
 * bidder codes, a file whose bidder is not listed, a path outside DIR, a missing or empty file, one
 * over MAX_TENDER_FILE_BYTES, one that does not start with `%PDF-`, an end before the start.
 */

export const PROJECT_FILE = 'project.json';

/** The evaluation report's categories; project.json without one is 'procurement'. */
export const PROJECT_REPORT_CATEGORIES = ['engineering', 'procurement'] as const;
export type ProjectReportCategory = (typeof PROJECT_REPORT_CATEGORIES)[number];
export const DEFAULT_PROJECT_CATEGORY: ProjectReportCategory = 'procurement';

const isoInstant = z.iso.datetime({ offset: true }).nullable();

export const projectMaterialSchema = z
  .object({
    title: z.string().trim().min(1).max(300),
    blind: z.boolean(),
    /**
     * Which rules the evaluation report follows (issue #14): 工程建设 (engineering) or 政府采购
     * (procurement, the default: material written before the report had no category).
     */
    category: z.enum(PROJECT_REPORT_CATEGORIES).optional(),
    /** ISO 8601 with an offset (2026-11-23T09:00:00+08:00), or null when not scheduled. */
    startsAt: isoInstant,
    endsAt: isoInstant,
    criteria: z.array(projectCriterionSchema.strict()).min(1).max(100).optional(),
    /** Checked as a whole by checkEvaluationRules (every problem at once), not here. */
    rules: z.unknown().optional(),
    bids: z.array(openingBidSchema).max(99).optional(),
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
  /** As written, or DEFAULT_PROJECT_CATEGORY. */
  category: ProjectReportCategory;
  blind: boolean;
  startsAt: number | null;
  endsAt: number | null;
  /** As written, or derived from the rules' scoring items when project.json has rules only. */
  criteria: z.infer<typeof projectCriterionSchema>[];
  /** As written (defaults filled in), or rulesFromCriteria(criteria) (what a committee opens under). */
  rules: EvaluationRules;
  /**
   * Whether project.json gave the rules. False: derived from plain criteria, and left out of
   * project.booth, so that the booth reviews plain criteria exactly as before issue #13.
   */
  rulesGiven: boolean;
  /** The opening record, or null when project.json has none (plain criteria only). */
  bids: OpeningBid[] | null;
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
  // The rules are judged even when the rest does not parse, so that one run lists every problem.
  const rawRules = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>)['rules'] : undefined;
  const rawBids = parsed.success ? parsed.data.bids : undefined;
  const rulesCheck = rawRules === undefined ? null : checkEvaluationRules(rawRules, rawBids);
  const rulesProblems = rulesCheck === null || rulesCheck.ok ? [] : rulesCheck.problems.map((p) => rulesProblem(p));
  if (!parsed.success) {
    fail(
      [
        ...parsed.error.issues.map((i) => {
          const where = i.path.join('.') || '(root)';
          return messagePair('projects.material.schema', { file: PROJECT_FILE, where, reason: i.message });
        }),
        ...rulesProblems,
      ],
      dir,
    );
  }
  const m = parsed.data;
  const problems: Problem[] = [...rulesProblems];
  if (m.criteria === undefined && m.rules === undefined) problems.push(messagePair('projects.material.noRules', { file: PROJECT_FILE }));
  problems.push(...bidProblems({ bidders: m.bidders, bids: m.bids ?? null, rulesGiven: m.rules !== undefined }));

  for (const id of duplicates((m.criteria ?? []).map((c) => c.id))) problems.push(messagePair('projects.material.criterionTwice', { id }));
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
  // null: the rules given have problems (listed above).
  let rules = rulesCheck === null ? rulesFromCriteria(m.criteria ?? []) : rulesCheck.ok ? rulesCheck.rules : null;
  if (rulesCheck === null && m.criteria !== undefined && m.bids !== undefined) {
    // Plain criteria with an opening record open a committee under rulesFromCriteria: those rules must
    // hold as rules (a criterion id such as 技术 is no rule id). Without bids no committee opens, and
    // the booth keeps reviewing plain criteria as it always did.
    const derived = checkEvaluationRules(rules, m.bids);
    if (derived.ok) rules = derived.rules;
    else {
      problems.push(...derived.problems.map((p) => criteriaProblem(p)));
      rules = null;
    }
  }
  const criteria = m.criteria ?? (rules === null ? [] : criteriaFromRules(rules));
  if (rules !== null && m.rules !== undefined && criteria.length === 0) problems.push(messagePair('projects.material.noCriteria', { file: PROJECT_FILE }));
  if (problems.length > 0 || rules === null) fail(problems, dir);

  for (const f of files) f.sha256 = createHash('sha256').update(readFileSync(f.absolute)).digest('hex');
  return {
    dir,
    title: m.title,
    category: m.category ?? DEFAULT_PROJECT_CATEGORY,
    blind: m.blind,
    startsAt,
    endsAt,
    criteria,
    rules,
    rulesGiven: rulesCheck !== null,
    bids: m.bids ?? null,
    bidders: m.bidders,
    files,
  };
}

/** A problem of the rules made from plain criteria (rulesFromCriteria: criteria[i] is items[i]). */
function criteriaProblem(p: MessagePair): Problem {
  const zh = messagePair('projects.material.criteriaAsRules', { file: PROJECT_FILE, problem: p.zh }).zh;
  const en = messagePair('projects.material.criteriaAsRules', { file: PROJECT_FILE, problem: p.en }).en;
  return { zh, en };
}

/** A problem of the rules, said as one of project.json's (checkEvaluationRules names the field inside `rules`). */
function rulesProblem(p: MessagePair): Problem {
  const zh = messagePair('projects.material.rules', { file: PROJECT_FILE, problem: p.zh }).zh;
  const en = messagePair('projects.material.rules', { file: PROJECT_FILE, problem: p.en }).en;
  return { zh, en };
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
