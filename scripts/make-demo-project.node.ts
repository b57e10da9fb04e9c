import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { makeTenderPdf } from '@kawei/shared/tender/make-tender-pdf.node.ts';
import { dayInputSchema, type DayProject } from '@kawei/central/draw/day-schema.ts';
import { expectedBlind } from '@kawei/central/draw/check-rules.ts';
import { PROJECT_FILE, projectMaterialSchema } from '@kawei/central/projects/project-material.node.ts';
import { evaluationRulesSchema, type EvaluationRulesInput, type OpeningBid } from '@kawei/shared/committee/evaluation-rules.ts';
import { bilingual, bilingualLines } from '@kawei/shared/i18n/bilingual.ts';

/**
 * `node --import tsx scripts/make-demo-project.node.ts OUT_DIR --day day.json [--pages N] [--criteria-only]`
 *
 * Writes the evaluation material of every project of the demo day (the day.json of
 * scripts/make-demo-experts.node.ts) in the form `kawei-central publish-project --material DIR`
 * takes: OUT_DIR/<project>/project.json and one generated tender PDF per bidder
 * (shared/src/tender/make-tender-pdf.node.ts: Chinese text, the bidder's name inside, N pages,
 * default 300). Three fictional bidders, codes A, B, C; the evaluation rules of a school building
 * tender (RULES: 综合评分法, four preliminary items, twelve scoring items in 技术 50 / 商务 20, the
 * price 30 points computed by lowest_over_bid) and an opening record with realistic prices (bidsOf);
 * with --criteria-only, the plain criteria alone (material as before issue #13: one expert scores and
 * signs without a committee — the single-booth stack of the booth's E2E and benchmark);
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
/** The groups' totals as plain criteria, for booths built before the rules (issue #13). */
const CRITERIA = [
  { id: 'tech', name: '技术', max: 50 },
  { id: 'business', name: '商务', max: 20 },
  { id: 'price', name: '价格', max: 30 },
];

/** A subjective item's tiers 优/良/中/差, each a range in half points: [优 from, 良 from, 中 from] of `max`. */
function tiers(max: number, good: number, fair: number, poor: number) {
  return [
    { label: '优', min: good, max },
    { label: '良', min: fair, max: good - 0.5 },
    { label: '中', min: poor, max: fair - 0.5 },
    { label: '差', min: 0, max: poor - 0.5 },
  ];
}

/**
 * 评标办法 of the demo's projects (fictional, after the usual shape of a construction tender's 评分细则):
 * qualification and conformity review, then 技术 (subjective, 优/良/中/差) and 商务 (objective: fixed
 * points a certificate or a record earns), and the price score computed from the opening record.
 */
const RULES: EvaluationRulesInput = {
  method: 'comprehensive',
  preliminary: [
    { id: 'Q1', kind: 'qualification', name: '营业执照与施工资质', description: '具有有效的营业执照，且具有建筑工程施工总承包三级及以上资质和有效的安全生产许可证。' },
    { id: 'Q2', kind: 'qualification', name: '项目经理资格', description: '拟派项目经理具有建筑工程专业二级及以上注册建造师执业资格和安全生产考核合格证书（B 证），且未在其他在建工程任职。' },
    { id: 'C1', kind: 'conformity', name: '投标保证金', description: '按招标文件规定的金额、形式和时间足额提交投标保证金。' },
    { id: 'C2', kind: 'conformity', name: '签署盖章、有效期与报价', description: '投标函按要求签字盖章；投标有效期不少于 90 日历天；投标报价不超过最高投标限价。' },
  ],
  groups: [
    { id: 'tech', name: '技术' },
    { id: 'business', name: '商务' },
    { id: 'price', name: '价格' },
  ],
  items: [
    { id: 'T1', group: 'tech', kind: 'subjective', name: '施工方案与技术措施', max: 12, tiers: tiers(12, 10.5, 8.5, 6),
      description: '方案针对本工程特点，重点难点分析透彻，主要分部分项工程施工方法先进可行的为优；方案完整、措施基本可行的为良；方案一般、措施欠具体的为中；方案简单或有明显缺陷的为差。' },
    { id: 'T2', group: 'tech', kind: 'subjective', name: '质量管理体系与措施', max: 10, tiers: tiers(10, 8.5, 7, 5),
      description: '质量目标明确，管理体系健全，检验与验收措施具体、针对性强的为优；依次递减。' },
    { id: 'T3', group: 'tech', kind: 'subjective', name: '安全管理体系与措施', max: 8, tiers: tiers(8, 7, 5.5, 4),
      description: '安全组织机构与责任制健全，危大工程专项方案、校园周边交通与在校师生安全防护措施完善的为优；依次递减。' },
    { id: 'T4', group: 'tech', kind: 'subjective', name: '文明施工与环境保护', max: 6, tiers: tiers(6, 5, 4, 3),
      description: '扬尘、噪声与建筑垃圾控制措施具体，避开教学时段安排高噪声作业的为优；依次递减。' },
    { id: 'T5', group: 'tech', kind: 'subjective', name: '工期计划与保证措施', max: 8, tiers: tiers(8, 7, 5.5, 4),
      description: '进度计划科学合理、关键线路清晰，寒暑假施工安排与劳动力、机械配置满足工期要求的为优；依次递减。' },
    { id: 'T6', group: 'tech', kind: 'subjective', name: '施工总平面布置', max: 6, tiers: tiers(6, 5, 4, 3),
      description: '平面布置合理紧凑，施工区与教学区分隔、临时设施与交通组织满足在校教学需要的为优；依次递减。' },
    { id: 'B1', group: 'business', kind: 'objective', name: '质量管理体系认证', max: 2, options: [0, 2],
      description: '具有有效的 ISO 9001 质量管理体系认证证书的得 2 分，否则不得分（以证书复印件为准）。' },
    { id: 'B2', group: 'business', kind: 'objective', name: '职业健康安全管理体系认证', max: 2, options: [0, 2],
      description: '具有有效的 ISO 45001 职业健康安全管理体系认证证书的得 2 分，否则不得分。' },
    { id: 'B3', group: 'business', kind: 'objective', name: '企业类似工程业绩', max: 6, options: [0, 2, 4, 6],
      description: '近三年（以竣工验收日期为准）每完成一项单体建筑面积 5000 平方米及以上的学校建筑工程得 2 分，最多 6 分。' },
    { id: 'B4', group: 'business', kind: 'objective', name: '项目经理类似业绩', max: 4, options: [0, 2, 4],
      description: '拟派项目经理近三年以项目经理身份完成类似工程的，每项得 2 分，最多 4 分。' },
    { id: 'B5', group: 'business', kind: 'objective', name: '企业信用评价', max: 3, options: [0, 1.5, 3],
      description: '本年度建筑市场信用评价 AAA 级得 3 分，AA 级得 1.5 分，其余不得分。' },
    { id: 'B6', group: 'business', kind: 'subjective', name: '工程保修与服务承诺', max: 3, tiers: tiers(3, 2.5, 2, 1),
      description: '保修期长于法定最低期限、响应时间与维修措施具体可行的为优；依次递减。' },
  ],
  price: { formula: 'lowest_over_bid', group: 'price', points: 30 },
};

/**
 * 开标记录: each bidder's price as read out at the opening, in yuan. GC-01's are what a ¥38 million
 * school building tender sees (within 3 % of one another); other projects are scaled from them.
 */
const PRICES: Record<string, readonly [number, number, number]> = {
  'GC-01': [38_652_318.46, 37_918_560.0, 39_260_000.0],
  'ZF-02': [2_856_000.0, 2_738_400.0, 2_912_500.0],
  'SL-03': [12_480_930.5, 12_986_000.0, 12_215_760.0],
};

function bidsOf(project: string): OpeningBid[] {
  const prices = PRICES[project] ?? PRICES['GC-01']!;
  return BIDDERS.map((b, i) => ({ code: b.code, price: prices[i]! }));
}
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
    options: { day: { type: 'string' }, pages: { type: 'string', default: '300' }, 'criteria-only': { type: 'boolean', default: false } },
  });
  const outDir = positionals[0];
  const pages = Number(values.pages);
  if (!outDir || positionals.length !== 1 || !values.day || !Number.isInteger(pages) || pages < 8 || pages > 5000) {
    console.error(`${bilingual('demo.usage')}: make-demo-project.node.ts OUT_DIR --day day.json [--pages N (8-5000)] [--criteria-only]`);
    process.exit(2);
  }
  evaluationRulesSchema.parse(RULES); // a slip in the demo rules stops here, not at publish-project
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
      ...(values['criteria-only'] ? {} : { rules: RULES, bids: bidsOf(p.id) }),
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
