import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { idSchema } from '@kawei/shared/domain/topology.ts';
import { bilingualError } from '@kawei/shared/i18n/bilingual.ts';
import { PROJECTS_DIR } from '../projects/project-files.node.ts';
import { reportMaterialSchema, type ReportMaterial } from './report-model.ts';

/**
 * What the report (issue #14) needs of a project beyond its committee's ledger: the title, the
 * category (which sections the rules require: engineering vs government procurement), whether it was
 * reviewed blind, the centre's name, and the bidders' names (printed only in open projects and in the
 * 揭标 annex). `publish-project` writes it beside the grants; the report service reads it when it
 * renders.
 *
 *   DATA/projects/<date>-<project>.report.json   (0600: blind projects' bidder names are secret
 *                                                 until the report is signed)
 *
 * A file, like the grants (project-files.node.ts), not a store row: it is written by the same command
 * and read by the central that published. Validated on read: a file edited by hand and wrong is a
 * clear error naming the field, never a report rendered from half a document.
 */
// The one schema of the material, the renderer's (report-model.ts): what is written is what renders.
export { reportMaterialSchema, type ReportMaterial };

const isoDate = z.iso.date();

export const REPORT_MATERIAL_SUFFIX = '.report.json';

/** DATA/projects/<date>-<project>.report.json; the date and project are checked (they name a file). */
export function reportMaterialPath(dataDir: string, date: string, project: string): string {
  if (!isoDate.safeParse(date).success) throw bilingualError('reportCli.material.badDate', { date });
  if (!idSchema.safeParse(project).success) throw bilingualError('reportCli.material.badProject', { project });
  return join(dataDir, PROJECTS_DIR, `${date}-${project}${REPORT_MATERIAL_SUFFIX}`);
}

/** `material` checked against the schema; a BilingualError naming `where` and the first wrong field otherwise. */
export function checkReportMaterial(material: unknown, where: string): ReportMaterial {
  const parsed = reportMaterialSchema.safeParse(material);
  if (!parsed.success) throw invalid(where, parsed.error);
  return parsed.data;
}

/** Writes (or replaces) the project's report material: temporary file, fsync, rename; 0600 whatever the umask. */
export function writeReportMaterial(dataDir: string, date: string, project: string, material: ReportMaterial): string {
  const file = reportMaterialPath(dataDir, date, project);
  const checked = checkReportMaterial(material, file);
  const dir = join(dataDir, PROJECTS_DIR);
  mkdirSync(dir, { recursive: true });
  const temp = join(dir, `.tmp-${randomBytes(8).toString('hex')}`);
  const bytes = Buffer.from(`${JSON.stringify(checked, null, 2)}\n`, 'utf8');
  const fd = openSync(temp, 'w', 0o600);
  try {
    let done = 0;
    while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  chmodSync(temp, 0o600); // the mode given to open is masked by the umask
  renameSync(temp, file);
  const dirFd = openSync(dir, 'r');
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
  return file;
}

/** The project's report material, or null when none was written. A file that is not valid JSON or not the schema throws, naming the field. */
export function readReportMaterial(dataDir: string, date: string, project: string): ReportMaterial | null {
  const file = reportMaterialPath(dataDir, date, project);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw bilingualError('reportCli.material.unreadable', { file, reason: (error as Error).message });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw bilingualError('reportCli.material.unreadable', { file, reason: (error as Error).message });
  }
  const parsed = reportMaterialSchema.safeParse(raw);
  if (!parsed.success) throw invalid(file, parsed.error);
  return parsed.data;
}

function invalid(file: string, error: z.ZodError) {
  const issue = error.issues[0];
  const path = issue && issue.path.length > 0 ? issue.path.join('.') : '';
  // An unknown field is reported at its parent: name the field itself.
  const unknown = issue?.code === 'unrecognized_keys' ? issue.keys.join(', ') : '';
  const field = [path, unknown].filter((p) => p !== '').join('.') || '(root)';
  return bilingualError('reportCli.material.invalid', { file, field, reason: issue?.message ?? '' });
}
