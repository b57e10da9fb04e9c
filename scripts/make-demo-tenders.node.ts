import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { makeTenderPdf } from '@kawei/shared/tender/make-tender-pdf.node.ts';
import { loadPdfjs } from '@kawei/shared/tender/pdfjs.node.ts';
import { openTenderDocument } from '@kawei/shared/tender/tender-document.node.ts';
import { bilingual } from '@kawei/shared/i18n/bilingual.ts';

/**
 * `node --import tsx scripts/make-demo-tenders.node.ts OUT_DIR [--pages N] [--measure]`
 *
 * Writes one demo tender PDF (投标文件) per fictional bidder into OUT_DIR, named as real submissions
 * are (project code + bidder name), and OUT_DIR/bidders.json: the project's bidder list
 * `[{ name, code, aliases }]` that a blind project's redaction takes.
 *
 * `--measure` then opens the first file blind in a fresh process (so the generator's fonts do not count)
 * and reports, on stderr and in the last line: open + first redacted page (scale 1.5, PNG), and the
 * process memory after rendering 50 pages with the default bounded caches (docs/TENDER-FILES.md
 * "Performance"). `--measure-file FILE --bidders FILE` is that fresh process.
 *
 * The last line on stdout is one JSON object: {"event":"demo-tenders","dir":…,"files":[…],…}
 */

const PROJECT = { name: '示例市第一中学教学楼改扩建工程', code: 'SL-2026-0815', tenderee: '示例市公共资源交易中心' };
const BIDDERS = [
  { name: '华东示例建设有限公司', code: 'A', englishName: 'Huadong Shili Construction Co., Ltd.', legalRepresentative: '张示例' },
  { name: '示例（北方）工程咨询有限公司', code: 'B', englishName: 'Shili (North) Engineering Consulting Co., Ltd.', legalRepresentative: '李虚构' },
  { name: '南岭虚构科技股份有限公司', code: 'C', englishName: 'Nanling Fictional Technology Co., Ltd.', legalRepresentative: '王样例' },
];

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      pages: { type: 'string', default: '300' },
      measure: { type: 'boolean', default: false },
      'measure-file': { type: 'string' },
      bidders: { type: 'string' },
    },
  });
  if (values['measure-file'] && values.bidders) {
    const bidders = JSON.parse(readFileSync(values.bidders, 'utf8')) as { name: string; code: string; aliases: string[] }[];
    console.log(JSON.stringify(await measure(values['measure-file'], bidders)));
    return;
  }
  const outDir = positionals[0];
  const pages = Number(values.pages);
  if (!outDir || !Number.isInteger(pages) || pages < 8 || pages > 5000) {
    console.error(`${bilingual('demo.usage')}: make-demo-tenders.node.ts OUT_DIR [--pages N (8-5000)] [--measure]`);
    process.exit(2);
  }
  const dir = resolve(outDir);
  mkdirSync(dir, { recursive: true });
  const files: { file: string; code: string; pages: number; bytes: number; ms: number }[] = [];
  for (const [i, b] of BIDDERS.entries()) {
    const started = performance.now();
    const made = await makeTenderPdf({
      bidder: { name: b.name, englishName: b.englishName, legalRepresentative: b.legalRepresentative },
      project: PROJECT,
      pages,
      seed: i + 1,
    });
    const file = join(dir, made.fileName);
    writeFileSync(file, made.bytes);
    const ms = Math.round(performance.now() - started);
    files.push({ file, code: b.code, pages: made.pageCount, bytes: made.bytes.length, ms });
    console.error(`${made.fileName}: ${made.pageCount} ${bilingual('demo.pages')}, ${(made.bytes.length / 1e6).toFixed(2)} MB, ${ms} ms`);
  }
  const bidders = BIDDERS.map((b) => ({ name: b.name, code: b.code, aliases: [b.englishName] }));
  writeFileSync(join(dir, 'bidders.json'), JSON.stringify(bidders, null, 2) + '\n');

  let measured: Record<string, number> | undefined;
  if (values.measure && files[0]) {
    const child = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', process.argv[1] ?? '', '--measure-file', files[0].file, '--bidders', join(dir, 'bidders.json')], {
      encoding: 'utf8',
    });
    if (child.status !== 0) throw new Error(`measuring failed: ${child.stderr}`);
    measured = JSON.parse(child.stdout.trim().split('\n').pop() ?? '{}') as Record<string, number>;
    console.error(JSON.stringify(measured));
  }
  console.log(JSON.stringify({ event: 'demo-tenders', dir, bidders: join(dir, 'bidders.json'), files, ...(measured ? { measured } : {}) }));
}

async function measure(file: string, bidders: { name: string; code: string; aliases: string[] }[]): Promise<Record<string, number>> {
  const t0 = performance.now();
  await loadPdfjs();
  const tImport = performance.now();
  const doc = await openTenderDocument({ path: file }, { blind: { bidders } });
  const tOpen = performance.now();
  await doc.renderPage(1, 1.5);
  const tFirst = performance.now();
  await doc.renderPage(2, 1.5); // a body page (the cover has little text)
  const tSecond = performance.now();
  const last = Math.min(50, doc.info.pageCount);
  for (let p = 3; p <= last; p++) await doc.renderPage(p, 1.5);
  const tFifty = performance.now();
  (globalThis as { gc?: () => void }).gc?.();
  const mem = process.memoryUsage();
  await doc.close();
  return {
    pdfjs_import_ms: Math.round(tImport - t0),
    open_ms: Math.round(tOpen - tImport),
    first_page_ms: Math.round(tFirst - tImport),
    render_page1_ms: Math.round(tFirst - tOpen),
    render_page2_ms: Math.round(tSecond - tFirst),
    mean_page_ms_3_to_50: Math.round((tFifty - tSecond) / Math.max(1, last - 2)),
    rss_mb_after_50: Math.round(mem.rss / 1048576),
    heap_mb_after_50: Math.round(mem.heapUsed / 1048576),
    external_mb_after_50: Math.round(mem.external / 1048576),
  };
}

main().catch((error: unknown) => {
  console.error(`${bilingual('demo.tenders.failed')}: ${(error as Error).stack ?? String(error)}`);
  process.exit(1);
});
