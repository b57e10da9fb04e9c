import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

/**
 * One Electronegativity scan, in a process of its own. Spawned by electronegativity-gate.node.ts
 * (never imported), with UV_THREADPOOL_SIZE=1:
 *
 *   node --import tsx scripts/electronegativity-scan.node.ts <input> <report.csv> <summary.json>
 *
 * Why a separate process: Electronegativity writes its CSV report with two un-awaited fs.writeFile
 * calls (header with flag 'w', rows with flag 'a'). On a busy machine the header write can land
 * after the rows and overwrite them. With a single libuv thread those writes run in the order they
 * were issued, and they are guaranteed to have finished once this process has exited.
 *
 * Why the JS API and not the CLI: only the API returns the files it could not parse; the CLI drops
 * them silently when it writes a report. The summary file carries them (and the issue count, to
 * cross-check the report) back to the gate.
 */

export interface ScanSummary {
  issueCount: number;
  unparsedFiles: { file: string; message: string }[];
}

interface ElectronegativityResult {
  issues: unknown[];
  errors: { file: string; message: string; tolerable: boolean }[];
}
type RunElectronegativity = (options: {
  input: string;
  output: string;
  isSarif: boolean;
  isRelative: boolean;
  electronVersionOverride: string;
}) => Promise<ElectronegativityResult>;

const require = createRequire(import.meta.url);
const [input, reportFile, summaryFile] = process.argv.slice(2);
if (!input || !reportFile || !summaryFile) {
  throw new Error('usage: electronegativity-scan.node.ts <input> <report.csv> <summary.json>');
}

const run = require('@doyensec/electronegativity') as RunElectronegativity;
const result = await run({
  input,
  output: reportFile,
  isSarif: false,
  isRelative: true,
  // Without it Electronegativity guesses v0.1.0 (our sources have no package.json naming electron)
  // and judges against defaults that changed years ago, e.g. the long-removed remote module.
  electronVersionOverride: (require('electron/package.json') as { version: string }).version,
});
const summary: ScanSummary = {
  issueCount: result.issues.length,
  unparsedFiles: result.errors.filter((e) => !e.tolerable).map(({ file, message }) => ({ file, message })),
};
await writeFile(summaryFile, JSON.stringify(summary));
