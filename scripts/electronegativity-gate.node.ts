import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ScanSummary } from './electronegativity-scan.node.ts';

/**
 * Security lint for the Electron apps (second half of `npm run lint`): runs Doyensec's
 * Electronegativity (electronegativity-scan.node.ts, one child process per app), reads the CSV
 * report it writes, prints the findings and fails on any HIGH or MEDIUM one. Electronegativity
 * itself always exits 0, so this script is what makes it a gate.
 *
 * Fail-closed by design: no report file, a report that does not parse, a report that disagrees with
 * the number of issues the scan returned, or a source file the scanner could not parse all fail the
 * gate, because each of them would otherwise look exactly like "no findings".
 *
 * No check is excluded. Findings reviewed and accepted are disabled inline, next to the code, with an
 * `eng-disable` comment that says why (see shared/src/electron/secure-app.main.ts).
 */

const REPO_ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

/**
 * What ships in each app. Scanned as one tree per app, because Electronegativity's global checks
 * (navigation limits, permission handler, CSP) look for the hook anywhere in the input: scanning
 * booth-client/src without shared/src/electron would report those hooks missing.
 */
export const APP_SCAN_TARGETS: readonly ScanTarget[] = [
  { name: 'booth-client', sources: ['booth-client/src', 'shared/src/electron'] },
  { name: 'gate-kiosk', sources: ['gate-kiosk/src', 'shared/src/electron'] },
];

export interface ScanTarget {
  name: string;
  /** Repo-relative directories or files; findings are reported with these paths. */
  sources: readonly string[];
}

export const SEVERITIES = ['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH'] as const;
export const CONFIDENCES = ['TENTATIVE', 'FIRM', 'CERTAIN'] as const;
export type Severity = (typeof SEVERITIES)[number];
export type Confidence = (typeof CONFIDENCES)[number];
export const FAILING_SEVERITIES: ReadonlySet<Severity> = new Set(['HIGH', 'MEDIUM']);

export interface Finding {
  check: string;
  severity: Severity;
  confidence: Confidence;
  file: string;
  location: string;
  sample: string;
  description: string;
}

// --- the CSV report --------------------------------------------------------------------------------

const CSV_HEADER = ['issue', 'severity', 'confidence', 'filename', 'location', 'sample', 'description', 'url'];

/**
 * Parses Electronegativity's CSV report (RFC 4180 quoting: fields may be quoted, "" is a quote,
 * quoted fields may hold commas and newlines). Throws on anything unexpected rather than skipping
 * it: a row the gate cannot read must not count as a row without findings.
 */
export function parseElectronegativityCsv(text: string): Finding[] {
  const [header, ...rows] = parseCsvRecords(text);
  if (!header || header.map((h) => h.trim()).join(',') !== CSV_HEADER.join(',')) {
    throw new Error(`not an Electronegativity CSV report (header: ${JSON.stringify(header ?? null)})`);
  }
  return rows.map((fields, index) => {
    if (fields.length !== CSV_HEADER.length) {
      throw new Error(`report row ${index + 1} has ${fields.length} fields, expected ${CSV_HEADER.length}`);
    }
    const [check, severity, confidence, file, location, sample, description] = fields as [
      string, string, string, string, string, string, string,
    ];
    if (!isOneOf(SEVERITIES, severity)) throw new Error(`report row ${index + 1}: unknown severity ${severity}`);
    if (!isOneOf(CONFIDENCES, confidence)) throw new Error(`report row ${index + 1}: unknown confidence ${confidence}`);
    if (!/^[A-Z0-9_]+$/.test(check)) throw new Error(`report row ${index + 1}: unexpected check id ${check}`);
    return { check, severity, confidence, file, location, sample, description };
  });
}

function isOneOf<T extends string>(values: readonly T[], value: string): value is T {
  return (values as readonly string[]).includes(value);
}

function parseCsvRecords(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') {
        quoted = false;
      } else {
        field += char;
      }
    } else if (char === '"' && field === '') {
      quoted = true;
    } else if (char === ',') {
      record.push(field);
      field = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[i + 1] === '\n') i++;
      record.push(field);
      records.push(record);
      record = [];
      field = '';
    } else {
      field += char;
    }
  }
  if (quoted) throw new Error('report ends inside a quoted field');
  if (field !== '' || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  return records;
}

export function failingFindings(findings: readonly Finding[]): Finding[] {
  return findings.filter((f) => FAILING_SEVERITIES.has(f.severity));
}

export function formatFindingsTable(findings: readonly Finding[]): string {
  if (findings.length === 0) return '  (no findings)';
  const rows = findings.map((f) => [f.severity, f.confidence, f.check, `${f.file}:${f.location}`, f.description]);
  const widths = [0, 1, 2, 3].map((col) => Math.max(...rows.map((r) => r[col]!.length)));
  return rows.map((r) => `  ${r.map((cell, col) => (col < 4 ? cell.padEnd(widths[col]!) : cell)).join('  ')}`).join('\n');
}

// --- running Electronegativity --------------------------------------------------------------------

export interface ScanReport {
  findings: Finding[];
  /** Files the scanner could not parse: they were not checked at all. */
  unparsedFiles: { file: string; message: string }[];
}

const SCAN_RUNNER = join(REPO_ROOT, 'scripts/electronegativity-scan.node.ts');

/** Scans one directory (in a child process, see electronegativity-scan.node.ts) and reads its report. */
export async function scanDirectory(input: string, workDir: string): Promise<ScanReport> {
  const reportFile = join(workDir, 'report.csv');
  const summaryFile = join(workDir, 'summary.json');
  await runScanner([input, reportFile, summaryFile]);
  const summary = JSON.parse(await readFile(summaryFile, 'utf8')) as ScanSummary;
  const findings = await readReport(reportFile, summary.issueCount);
  const unparsedFiles = summary.unparsedFiles.map(({ file, message }) => ({ file: relative(input, file), message }));
  return { findings, unparsedFiles };
}

function runScanner(args: readonly string[]): Promise<void> {
  return new Promise((done, fail) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', SCAN_RUNNER, ...args],
      { cwd: REPO_ROOT, env: { ...process.env, UV_THREADPOOL_SIZE: '1' }, maxBuffer: 16 * 1024 * 1024 },
      (error, _stdout, stderr) => {
        if (error) fail(new Error(`Electronegativity failed (${error.message.split('\n')[0]}):\n${stderr}`));
        else done();
      },
    );
  });
}

/**
 * Reads the CSV report once the scanner has exited. Fails loudly if there is none, if it does not
 * parse, or if it lists a different number of findings than the scan returned.
 */
export async function readReport(reportFile: string, expectedFindings: number): Promise<Finding[]> {
  const text = await readFile(reportFile, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new Error(`Electronegativity produced no report file at ${reportFile} (${error.code ?? error.message})`);
  });
  let findings: Finding[];
  try {
    findings = parseElectronegativityCsv(text);
  } catch (error) {
    throw new Error(`report ${reportFile} is unreadable: ${(error as Error).message}`);
  }
  if (findings.length !== expectedFindings) {
    throw new Error(`report ${reportFile} lists ${findings.length} findings, the scan returned ${expectedFindings}`);
  }
  return findings;
}

/** Copies a target's sources into a temp tree (keeping repo-relative paths) and scans it as one app. */
export async function scanTarget(target: ScanTarget, repoRoot = REPO_ROOT): Promise<ScanReport> {
  const workDir = await mkdtemp(join(tmpdir(), `kawei-electronegativity-${target.name.replace(/[^\w.-]+/g, '_')}-`));
  try {
    const tree = join(workDir, 'tree');
    for (const source of target.sources) {
      // stat first: a missing source must fail the gate, not shrink the scan.
      await stat(join(repoRoot, source));
      await cp(join(repoRoot, source), join(tree, source), { recursive: true });
    }
    return await scanDirectory(tree, workDir);
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

/** Scans every target, prints the findings, returns the process exit code. */
export async function runGate(targets: readonly ScanTarget[], log: (line: string) => void = console.log): Promise<number> {
  let failed = false;
  const reports = await Promise.all(targets.map((target) => scanTarget(target)));
  for (const [index, target] of targets.entries()) {
    const { findings, unparsedFiles } = reports[index]!;
    const failing = failingFindings(findings);
    log(`\nElectronegativity: ${target.name} (${target.sources.join(', ')})`);
    log(formatFindingsTable(findings));
    for (const { file, message } of unparsedFiles) log(`  NOT SCANNED (parse error) ${file}: ${message}`);
    if (failing.length > 0 || unparsedFiles.length > 0) {
      failed = true;
      log(`  FAIL: ${failing.length} HIGH/MEDIUM finding(s), ${unparsedFiles.length} file(s) not scanned`);
    } else {
      log(`  ok: no HIGH or MEDIUM findings`);
    }
  }
  return failed ? 1 : 0;
}

const runDirectly = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (runDirectly) {
  // Paths given on the command line are scanned as they are (used by the gate's own test on an
  // insecure fixture); by default the two apps are scanned.
  const paths = process.argv.slice(2);
  const targets = paths.length > 0 ? paths.map((p) => ({ name: p, sources: [relative(REPO_ROOT, resolve(p))] })) : APP_SCAN_TARGETS;
  try {
    process.exitCode = await runGate(targets);
  } catch (error) {
    console.error(`electronegativity gate: ${(error as Error).message}`);
    process.exitCode = 1;
  }
}
