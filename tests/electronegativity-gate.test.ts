import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  failingFindings,
  formatFindingsTable,
  parseElectronegativityCsv,
  readReport,
  scanTarget,
} from '../scripts/electronegativity-gate.node.ts';

/**
 * The security gate must be able to fail. The fixture app under tests/fixtures/insecure-electron is
 * insecure on purpose; its report was produced by running Electronegativity 1.10.3 on it
 * (scripts/electronegativity-scan.node.ts), and the last test runs the real gate on it again.
 */

const REPO_ROOT = resolve(import.meta.dirname, '..');
const FIXTURE_DIR = join(REPO_ROOT, 'tests/fixtures/insecure-electron');
const SAMPLE_REPORT = join(FIXTURE_DIR, 'electronegativity-report.csv');

describe('parseElectronegativityCsv', () => {
  it('reads the real report of the insecure fixture, quoted commas and all', async () => {
    const findings = parseElectronegativityCsv(await readFile(SAMPLE_REPORT, 'utf8'));
    expect(findings).toHaveLength(11);
    expect(findings).toContainEqual({
      check: 'CONTEXT_ISOLATION_JS_CHECK',
      severity: 'HIGH',
      confidence: 'FIRM',
      file: 'main.js',
      location: '9:6',
      sample: 'contextIsolation: false,',
      description: 'Review the use of the contextIsolation option',
    });
    expect(findings.find((f) => f.check === 'OPEN_EXTERNAL_JS_CHECK')?.sample).toBe(
      "window.webContents.on('new-window', (_event, url) => shell.openExternal(url));",
    );
  });

  it('makes the gate fail on that report: HIGH and MEDIUM findings fail, LOW does not', async () => {
    const findings = parseElectronegativityCsv(await readFile(SAMPLE_REPORT, 'utf8'));
    const failing = failingFindings(findings);
    expect(failing.length).toBe(10);
    expect(failing.map((f) => f.severity).every((s) => s === 'HIGH' || s === 'MEDIUM')).toBe(true);
    expect(findings.filter((f) => !failing.includes(f)).map((f) => f.check)).toEqual(['EXPERIMENTAL_FEATURES_JS_CHECK']);
    expect(formatFindingsTable(failing)).toMatch(/HIGH\s+FIRM\s+CONTEXT_ISOLATION_JS_CHECK\s+main\.js:9:6/);
  });

  it('reads a report without findings as no findings', () => {
    expect(parseElectronegativityCsv('issue, severity, confidence, filename, location, sample, description, url\n')).toEqual([]);
  });

  it.each([
    ['an empty file', ''],
    ['another header', 'a,b,c\n'],
    ['a header overwritten mid-row', 'issue, severity, confidence, filename, location, sample, description, url\n,"HIGH","FIRM"\n'],
    ['an unknown severity', 'issue, severity, confidence, filename, location, sample, description, url\nX_CHECK,"SEVERE","FIRM","f","1:1",N/A,"d",u\n'],
    ['an unterminated quote', 'issue, severity, confidence, filename, location, sample, description, url\nX_CHECK,"HIGH","FIRM","f,1:1\n'],
  ])('refuses %s instead of reading it as "no findings"', (_label, text) => {
    expect(() => parseElectronegativityCsv(text)).toThrow();
  });
});

describe('readReport', () => {
  it('fails loudly when Electronegativity wrote no report', async () => {
    await expect(readReport(join(FIXTURE_DIR, 'no-such-report.csv'), 0)).rejects.toThrow(
      /produced no report file/,
    );
  });

  it('fails when the report disagrees with the number of issues the scan returned', async () => {
    await expect(readReport(SAMPLE_REPORT, 12)).rejects.toThrow(/lists 11 findings, the scan returned 12/);
  });
});

describe('scanTarget', () => {
  it('reports a file Electronegativity could not parse, so the gate can fail on it', async () => {
    const report = await scanTarget({ name: 'unparseable', sources: ['tests/fixtures/unparseable-electron'] });
    expect(report.unparsedFiles).toEqual([
      { file: 'tests/fixtures/unparseable-electron/broken.js', message: expect.stringMatching(/Unexpected token/) as unknown },
    ]);
  });
});

describe('the gate script', () => {
  it('exits 1 on the insecure fixture and lists its findings', async () => {
    const sample = parseElectronegativityCsv(await readFile(SAMPLE_REPORT, 'utf8'));
    const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((done) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', 'scripts/electronegativity-gate.node.ts', 'tests/fixtures/insecure-electron'],
        { cwd: REPO_ROOT },
        (error, out) => done({ code: error ? (error.code as number | null) : 0, stdout: out }),
      );
    });
    expect(code).toBe(1);
    expect(stdout).toContain('FAIL: 10 HIGH/MEDIUM finding(s)');
    for (const finding of sample) expect(stdout).toContain(finding.check);
  });
});
