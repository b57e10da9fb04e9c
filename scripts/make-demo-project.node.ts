import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { makeTenderPdf } from '@kawei/shared/tender/make-tender-pdf.node.ts';
import { dayInputSchema, type DayProject } from '@kawei/central/draw/day-schema.ts';
import { expectedBlind } from '@kawei/central/draw/check-rules.ts';
import { PROJECT_FILE, projectMaterialSchema } from '@kawei/central/projects/project-material.node.ts';
import { bilingual, bilingualLines } from '@kawei/shared/i18n/bilingual.ts';

/**
 * `node --import tsx scripts/make-demo-project.node.ts OUT_DIR --day day.json [--pages N]`
 *
 * Writes the evaluation material of every project of the demo day (the day.json of
 * scripts/make-demo-experts.node.ts) in the form `kawei-central publish-project --material DIR`
 * takes: OUT_DIR/<project>/project.json and one generated tender PDF per bidder
 * (shared/src/tender/make-tender-pdf.node.ts: Chinese text, the bidder's name inside, N pages,
 * default 300). Three fictional bidders, codes A, B, C; criteria 技术 (50) / 商务 (20) / 价格 (30);
 * scheduled on the day's date 09:00–17:00 Asia/Shanghai. `blind` is what the draw decides for that
 * day (central/src/draw/check-rules.ts expectedBlind: government procurement with techWeight > 0.4,
 * or flagged `blind` in day.json — the demo day flags GC-01), so publish-project accepts it against
 * the draw's result.
 *
 * Deterministic for a given day and page count. The last line on stdout is one JSON object:
 *   {"event":"demo-project","dir":…,"date":…,"pages":…,"projects":[{"project","dir","blind","files":[…]}]}
 */

const TENDEREE = '示例市公共资源交易中心';
const BIDDERS = [
  { code: 'A', name: '华东示例建设有限公司', englishName: 'Huadong Shili Construction Co., Ltd.', legalRepresentative: '张示例' },
  { code: 'B', name: '示例（北方）工程咨询有限公司', englishName: 'Shili (North) Engineering Consulting Co., Ltd.', legalRepresentative: '李虚构' },
  { code: 'C', name: '南岭虚构科技股份有限公司', englishName: 'Nanling Fictional Technology Co., Ltd.', legalRepresentative: '王样例' },
] as const;
const CRITERIA = [
  { id: 'tech', name: '技术', max: 50 },
  { id: 'business', name: '商务', max: 20 },
  { id: 'price', name: '价格', max: 30 },
];
/** Public titles of the demo day's projects (fictional); any other project gets a generic one. */
const TITLES: Record<string, string> = {
  'GC-01': '示例市第一中学教学楼改扩建工程',
  'ZF-02': '示例市政务服务平台运维服务采购项目',
  'SL-03': '示例县清水河河道综合治理工程',
};

function titleOf(p: DayProject): string {
  return TITLES[p.id] ?? `示例项目 ${p.id}`;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { day: { type: 'string' }, pages: { type: 'string', default: '300' } },
  });
  const outDir = positionals[0];
  const pages = Number(values.pages);
  if (!outDir || positionals.length !== 1 || !values.day || !Number.isInteger(pages) || pages < 8 || pages > 5000) {
    console.error(`${bilingual('demo.usage')}: make-demo-project.node.ts OUT_DIR --day day.json [--pages N (8-5000)]`);
    process.exit(2);
  }
  const day = dayInputSchema.parse(JSON.parse(readFileSync(values.day, 'utf8')));
  const blind = new Set(expectedBlind(day));
  const dir = resolve(outDir);

  const projects: { project: string; dir: string; title: string; blind: boolean; files: { file: string; bidder: string; pages: number; bytes: number; licencePage: number | null }[] }[] = [];
  for (const [pi, p] of day.projects.entries()) {
    const projectDir = join(dir, p.id);
    mkdirSync(projectDir, { recursive: true });
    const title = titleOf(p);
    const files: (typeof projects)[number]['files'] = [];
    const listed: { path: string; bidder: string; title: string }[] = [];
    for (const [bi, b] of BIDDERS.entries()) {
      const started = performance.now();
      const made = await makeTenderPdf({
        bidder: { name: b.name, englishName: b.englishName, legalRepresentative: b.legalRepresentative },
        project: { name: title, code: p.id, tenderee: TENDEREE },
        pages,
        seed: pi * 10 + bi + 1,
        // A scanned business licence with the name in it: in a blind project only the central's OCR
        // finds that one (publish-project), and the booth covers it like the rest.
        licenceImage: true,
      });
      writeFileSync(join(projectDir, made.fileName), made.bytes);
      files.push({ file: join(projectDir, made.fileName), bidder: b.code, pages: made.pageCount, bytes: made.bytes.length, licencePage: made.licencePage });
      listed.push({ path: made.fileName, bidder: b.code, title: made.fileName.replace(/\.pdf$/i, '') });
      console.error(`${p.id}/${made.fileName}: ${made.pageCount} ${bilingual('demo.pages')}, ${(made.bytes.length / 1e6).toFixed(2)} MB, ${Math.round(performance.now() - started)} ms`);
    }
    const material = projectMaterialSchema.parse({
      title,
      blind: blind.has(p.id),
      startsAt: `${day.date}T09:00:00+08:00`,
      endsAt: `${day.date}T17:00:00+08:00`,
      criteria: CRITERIA,
      bidders: BIDDERS.map((b) => ({ code: b.code, name: b.name, aliases: [b.englishName] })),
      files: listed,
    });
    writeFileSync(join(projectDir, PROJECT_FILE), `${JSON.stringify(material, null, 2)}\n`);
    projects.push({ project: p.id, dir: projectDir, title, blind: material.blind, files });
  }
  writeFileSync(
    join(dir, 'README.txt'),
    `${bilingualLines('demo.project.readme')}\n` +
      'Made by scripts/make-demo-project.node.ts; publish with kawei-central publish-project --material DIR.\n',
  );
  console.log(JSON.stringify({ event: 'demo-project', dir, date: day.date, pages, projects }));
}

main().catch((error: unknown) => {
  console.error(`${bilingual('demo.project.failed')}: ${(error as Error).stack ?? String(error)}`);
  process.exit(1);
});
