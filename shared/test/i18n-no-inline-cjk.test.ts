import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * Every user-facing text lives in the one catalogue (shared/src/i18n/catalogue/). This scans the
 * production sources' string literals, template parts and JSX text (the TypeScript AST, so comments
 * never count) for Chinese characters. A file may hold them only if it is listed below, with why.
 */

const ROOT = join(import.meta.dirname, '..', '..');
const SOURCE_DIRS = ['central/src', 'shared/src', 'gate-kiosk/src', 'booth-client/src', 'led-driver/src', 'scripts'];
const CATALOGUE_DIR = 'shared/src/i18n/catalogue/';

/** Han ideographs (CJK unified, extension A, compatibility). Full-width punctuation alone is layout, not text. */
const HAN = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/;

/**
 * Data, not interface text: fictional demo content, standard code tables, document bodies whose
 * wording is the document, and patterns that read Chinese input. Each is exempt on purpose.
 */
const DATA: Readonly<Record<string, string>> = {
  'scripts/make-demo-project.node.ts': 'demo data: fictional projects, bidders and criteria',
  'scripts/make-demo-tenders.node.ts': 'demo data: fictional project and bidders',
  'shared/src/tender/make-tender-pdf.node.ts': 'demo data: the body text of the generated demo tender PDFs',
  'shared/src/signing/signing-bench.node.ts': 'benchmark data: a sample score sheet',
  'scripts/lib/softhsm-token.node.ts': "test data: the test certificate's subject (OU=评标专家)",
  'shared/src/devices/idcard/idcard-text.ts': 'code tables of the ID card (GB/T 2261.1 sex, GB 3304 nationality names)',
  'shared/src/devices/idcard/idcard-simulator.ts': "test data: the simulator's fictional sample card",
  'shared/src/devices/voice/espeak-text.ts': 'how digits are read aloud in Chinese (text for the speech engine)',
  'booth-client/src/services/session/commitment-letter.ts': 'the commitment letter the expert signs: its wording is the signed document',
  'booth-client/src/services/roster/booth-day.ts': "the Chinese date written in the signed commitment letter",
  'shared/src/tender/blind-match.ts': 'blind-bid matching: the 投标人X label and legal-form suffixes found in tender text',
  'central/src/draw/codenames.ts': 'the published blind bidder labels (投标人01…), data of the draw',
  'central/src/storage/central-sql-store.node.ts': "a room's default name in the topology (N号评标室), stored data",
  'led-driver/src/led-driver.ts': 'patterns that find a room and booth in the LED text',
  'led-driver/src/cli/main.node.ts': "the sample text kawei-devices led shows when none is given",
  'gate-kiosk/src/app.main.ts': 'the window title: the product name "Kawei 卡位"',
  'booth-client/src/app.main.ts': 'the window title: the product name "Kawei 卡位"',
};

/**
 * Interface text still outside the catalogue, owned by other parts of the work: known debt, listed
 * so it cannot grow unnoticed. Migrating a file means deleting its line here (the test below fails
 * while a listed file no longer needs it).
 */
const NOT_YET_MIGRATED: Readonly<Record<string, string>> = {
  'central/src/storage/open-store.node.ts': '--store / --pg-url argument errors',
  'shared/src/device/test-only-settings.ts': 'the packaged-build refusal of test-only settings',
};

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && !entry.name.startsWith('.')) out.push(...sourceFiles(path));
    } else if (/\.(ts|tsx|mts)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) {
      out.push(path);
    }
  }
  return out;
}

/** The Chinese text of every literal in `source` (string, template part, JSX text), with its line. */
export function chineseLiterals(fileName: string, source: string): { line: number; text: string }[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, fileName.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const found: { line: number; text: string }[] = [];
  const visit = (node: ts.Node): void => {
    if (
      ts.isStringLiteral(node) ||
      ts.isNoSubstitutionTemplateLiteral(node) ||
      ts.isTemplateHead(node) ||
      ts.isTemplateMiddle(node) ||
      ts.isTemplateTail(node) ||
      ts.isJsxText(node)
    ) {
      if (HAN.test(node.text)) found.push({ line: file.getLineAndCharacterOfPosition(node.getStart()).line + 1, text: node.text });
    }
    node.forEachChild(visit);
  };
  visit(file);
  return found;
}

describe('no Chinese text outside the catalogue', () => {
  const files = SOURCE_DIRS.flatMap(sourceFiles).filter((f) => !f.startsWith(CATALOGUE_DIR));
  const withChinese = new Map(
    files.map((f) => [f, chineseLiterals(f, readFileSync(join(ROOT, f), 'utf8'))] as const).filter(([, hits]) => hits.length > 0),
  );

  it('scans the production sources', () => {
    expect(files.length).toBeGreaterThan(300);
    expect(files).toContain('central/src/cli/run-cli.node.ts');
  });

  it('finds Chinese literals only in the catalogue and the listed files', () => {
    const offenders = [...withChinese]
      .filter(([f]) => !Object.hasOwn(DATA, f) && !Object.hasOwn(NOT_YET_MIGRATED, f))
      .flatMap(([f, hits]) => hits.map((h) => `${relative('.', f)}:${h.line}: ${JSON.stringify(h.text)}`));
    expect(offenders, 'put these texts in shared/src/i18n/catalogue/ (or list a data file above, saying why)').toEqual([]);
  });

  it('lists no file that no longer needs it', () => {
    const stale = [...Object.keys(DATA), ...Object.keys(NOT_YET_MIGRATED)].filter((f) => !withChinese.has(f));
    expect(stale, 'remove these from the lists').toEqual([]);
  });

  it('sees literals, template parts and JSX text, and ignores comments and regular expressions', () => {
    const source = [
      '// 注释不算',
      '/* 注释 */ const a = "中文";',
      'const b = `x ${a} 模板`;',
      "const c = <p>界面</p>;",
      'const d = /投标人\\d+/;',
      "const e = 'English only（）';",
    ].join('\n');
    expect(chineseLiterals('probe.tsx', source)).toEqual([
      { line: 2, text: '中文' },
      { line: 3, text: ' 模板' },
      { line: 4, text: '界面' },
    ]);
  });
});
