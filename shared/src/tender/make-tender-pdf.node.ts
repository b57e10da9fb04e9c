import {
  beginText,
  endText,
  fill,
  lineTo,
  moveText,
  moveTo,
  PDFArray,
  PDFDocument,
  PDFHexString,
  PDFName,
  PDFNull,
  PDFNumber,
  type PDFPage,
  type PDFRef,
  popGraphicsState,
  pushGraphicsState,
  rectangle,
  setFillingRgbColor,
  setFontAndSize,
  setLineWidth,
  setStrokingRgbColor,
  showText,
  stroke,
} from 'pdf-lib';
import { z } from 'zod';
import { loadCjkFont } from './cjk-font.node.ts';
import { CjkPdfFont } from './pdf-cjk-font.node.ts';
import { napiCanvas } from './pdfjs.node.ts';
import { mulberry32 } from '../random/mulberry32.ts';

/**
 * Demo tender documents (投标文件): a cover, a table of contents with a PDF outline, 投标函, the legal
 * representative's certificate, 技术方案, 商务部分 and 报价 with tables, in Chinese, typeset in Noto
 * Sans CJK (subset embedded). The bidder's (fictional) name is everywhere a real one would be — body
 * text, running header and footer, outline titles, metadata, the suggested file name — and in the
 * awkward forms the blind-review matcher must handle: written in two runs (half of it bold), broken
 * across a line end, with an ideographic space inside, with half-width brackets for full-width ones,
 * in its English form in capitals.
 *
 * Deterministic for a given seed. `nameColor` draws every name occurrence in that colour (tests use
 * it to find the name's ink on a rendered page independently of the matcher).
 */

export const tenderPdfOptionsSchema = z.object({
  bidder: z.object({
    name: z.string().min(2),
    /** English name, shown in capitals on the cover. */
    englishName: z.string().optional(),
    legalRepresentative: z.string().default('张示例'),
  }),
  project: z.object({
    name: z.string().min(2),
    code: z.string().min(1),
    tenderee: z.string().min(2),
  }),
  pages: z.number().int().min(8).max(5000),
  seed: z.number().int().default(1),
  nameColor: z.tuple([z.number().min(0).max(1), z.number().min(0).max(1), z.number().min(0).max(1)]).optional(),
  /**
   * Attach a scanned-looking business licence (营业执照) to the 法定代表人身份证明 page: an image with the
   * bidder's name in it, which only OCR can find (the central's publish-time OCR, docs/TENDER-FILES.md).
   */
  licenceImage: z.boolean().default(false),
});
export type TenderPdfOptions = z.input<typeof tenderPdfOptionsSchema>;

export interface TenderPdfResult {
  bytes: Uint8Array;
  pageCount: number;
  /** Suggested file name (carries the bidder's name, as real submissions do). */
  fileName: string;
  /** Name occurrences drawn per page (1-based page → count), the full name and its English form. */
  namesPerPage: number[];
  /** The page carrying the licence image (its name is not counted in namesPerPage), or null. */
  licencePage: number | null;
}

const PAGE_W = 595.28;
const PAGE_H = 841.89;
const MARGIN_X = 64;
const BODY_SIZE = 11;
const LEADING = 19;
const BODY_TOP = 768;
const BODY_BOTTOM = 78;
const TEXT_W = PAGE_W - 2 * MARGIN_X;

type Rgb = readonly [number, number, number];
const BLACK: Rgb = [0, 0, 0];
const GREY: Rgb = [0.35, 0.35, 0.35];

interface Run {
  text: string;
  bold?: boolean;
  name?: boolean;
}

/** A paragraph: runs, wrapped on any character (Chinese breaks between any two characters). */
type Para = Run[];


const TECH_TOPICS = ['施工组织设计', '质量保证措施', '安全文明施工措施', '进度计划与保证措施', '环境保护措施', '项目管理机构', '主要施工机械配置', '劳动力安排计划', '关键工序施工方法', '冬雨季施工措施'];
const BIZ_TOPICS = ['资格证明文件', '类似项目业绩', '财务状况', '信誉情况', '拟派项目负责人'];
const PHRASES = [
  '严格按照国家现行规范、标准及招标文件要求组织施工',
  '建立以项目经理为第一责任人的质量管理体系',
  '对关键工序实行样板引路、过程旁站和隐蔽验收制度',
  '施工现场实行封闭管理，进出人员一律登记',
  '材料进场前须经监理工程师见证取样检验合格后方可使用',
  '每周召开一次生产例会，协调解决施工中出现的问题',
  '合理安排工序穿插，确保关键线路上的工作按期完成',
  '配备足够的应急物资，定期组织应急演练',
  '施工用电采用三级配电两级保护，实行一机一闸一漏一箱',
  '土方开挖采用分层分段开挖，严禁超挖',
  '混凝土浇筑前对模板、钢筋及预埋件进行全面检查',
  '扬尘治理做到六个百分之百',
  '夜间施工须办理相关手续并采取降噪措施',
  '对施工人员进行三级安全教育和技术交底',
  '竣工资料与工程进度同步收集、整理、归档',
  '华东地区的气候特点决定了雨季施工须提前准备排水设施',
];

function pick<T>(rand: () => number, list: readonly T[]): T {
  const item = list[Math.floor(rand() * list.length)];
  if (item === undefined) throw new Error('empty list');
  return item;
}

interface Section {
  title: string;
  /** Outline title (some carry the bidder's name, as real files do). */
  outlineTitle: string;
  children?: { title: string; page: number }[];
  page: number;
}

export async function makeTenderPdf(input: TenderPdfOptions): Promise<TenderPdfResult> {
  const opts = tenderPdfOptionsSchema.parse(input);
  const { bidder, project } = opts;
  const name = bidder.name;
  const rand = mulberry32(opts.seed);
  const nameInk: Rgb = opts.nameColor ?? BLACK;

  const doc = await PDFDocument.create({ updateMetadata: false });
  const regular = new CjkPdfFont(doc);
  const bold = new CjkPdfFont(doc, loadCjkFont('/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc', 'NotoSansCJKsc-Bold'));
  const namesPerPage: number[] = [0];
  const pages: PDFPage[] = [];
  const fontKeys = new Map<PDFPage, { r: PDFName; b: PDFName }>();

  const newPage = (): PDFPage => {
    const page = doc.addPage([PAGE_W, PAGE_H]);
    fontKeys.set(page, { r: page.node.newFontDictionary('R', regular.ref), b: page.node.newFontDictionary('B', bold.ref) });
    pages.push(page);
    namesPerPage.push(0);
    return page;
  };
  const countName = () => {
    namesPerPage[pages.length] = (namesPerPage[pages.length] ?? 0) + 1;
  };

  /** Draws runs on one line starting at x; each run is its own text object (BT … ET). */
  const drawRuns = (page: PDFPage, runs: readonly Run[], x: number, y: number, size: number, color: Rgb = BLACK) => {
    const keys = fontKeys.get(page);
    if (!keys) throw new Error('page without fonts');
    for (const run of runs) {
      if (!run.text) continue;
      const font = run.bold ? bold : regular;
      const ink = run.name ? nameInk : color;
      page.pushOperators(
        setFillingRgbColor(ink[0], ink[1], ink[2]),
        beginText(),
        setFontAndSize(run.bold ? keys.b : keys.r, size),
        moveText(x, y),
        showText(font.encode(run.text)),
        endText(),
      );
      x += font.widthOf(run.text, size);
    }
  };
  const widthOf = (runs: readonly Run[], size: number) => runs.reduce((w, r) => w + (r.bold ? bold : regular).widthOf(r.text, size), 0);

  // Body flow: paragraphs wrapped on characters, a fresh page when the body is full.
  let page: PDFPage = newPage();
  let cursorY = BODY_TOP;
  let sectionTitleForHeader = '';
  const breakPage = () => {
    page = newPage();
    cursorY = BODY_TOP;
  };
  const ensureLine = () => {
    if (cursorY < BODY_BOTTOM) breakPage();
  };
  const paragraph = (para: Para, size = BODY_SIZE, indent = 2) => {
    let line: Run[] = [];
    let x = indent * size;
    const flush = () => {
      ensureLine();
      drawRuns(page, line, MARGIN_X, cursorY, size);
      cursorY -= LEADING;
      line = [];
      x = 0;
    };
    // A name is counted once, on the page where it starts.
    for (const run of para) {
      if (run.name) {
        // Never let a name run over a page end (a split there is beyond any page-wise matcher).
        const lastLine = cursorY - LEADING < BODY_BOTTOM;
        if (lastLine && line.length && x + widthOf([run], size) > TEXT_W) flush();
        ensureLine();
        countName();
      }
      let piece = '';
      for (const char of run.text) {
        const w = (run.bold ? bold : regular).widthOf(char, size);
        if (x + w > TEXT_W) {
          if (piece) line.push({ ...run, text: piece });
          piece = '';
          flush();
        }
        piece += char;
        x += w;
      }
      if (piece) line.push({ ...run, text: piece });
    }
    if (line.length) flush();
    cursorY -= 4;
  };
  const heading = (text: string, size = 15) => {
    if (cursorY < BODY_BOTTOM + 60) breakPage();
    drawRuns(page, [{ text, bold: true }], MARGIN_X, cursorY - 4, size);
    cursorY -= size + 18;
  };
  /** Prefix filler so that the following name starts four characters before the line's end. */
  const breakingPrefix = (lead: string): string => {
    let text = lead;
    const target = TEXT_W - 4 * BODY_SIZE;
    const filler = '本投标人已详细审阅全部招标文件，包括修改文件及有关附件，同意按招标文件规定的条件承担本项目。';
    let i = 0;
    while (regular.widthOf(text, BODY_SIZE) + 2 * BODY_SIZE < target) text += filler[i++ % filler.length];
    while (regular.widthOf(text, BODY_SIZE) + 2 * BODY_SIZE > target) text = text.slice(0, -1);
    return text;
  };

  const sections: Section[] = [];
  const startSection = (title: string, outlineTitle = title) => {
    if (cursorY !== BODY_TOP) breakPage();
    sectionTitleForHeader = title;
    sectionStarts.set(pages.length, sectionTitleForHeader);
    const section: Section = { title, outlineTitle, page: pages.length, children: [] };
    sections.push(section);
    heading(title, 17);
    return section;
  };
  const sectionStarts = new Map<number, string>();

  // 封面 (cover)
  {
    const keys = fontKeys.get(page);
    if (!keys) throw new Error('page without fonts');
    drawRuns(page, [{ text: project.name, bold: true }], MARGIN_X, 640, 22);
    drawRuns(page, [{ text: `项目编号：${project.code}` }], MARGIN_X, 600, 14);
    drawRuns(page, [{ text: '投 标 文 件', bold: true }], MARGIN_X + 120, 500, 32);
    drawRuns(page, [{ text: '投标人：' }, { text: name, name: true }, { text: '（盖单位章）' }], MARGIN_X, 360, 14);
    countName();
    if (bidder.englishName) {
      drawRuns(page, [{ text: bidder.englishName.toUpperCase(), name: true }], MARGIN_X, 336, 12);
      countName();
    }
    drawRuns(page, [{ text: `法定代表人或其委托代理人：${bidder.legalRepresentative}（签字）` }], MARGIN_X, 310, 14);
    drawRuns(page, [{ text: '二〇二六年十一月' }], MARGIN_X + 150, 220, 14);
    const half = Math.ceil([...name].length / 2);
    const chars = [...name];
    // The seal: the name in two runs, the first half bold (two text objects and two fonts).
    drawRuns(page, [{ text: chars.slice(0, half).join(''), bold: true, name: true }, { text: chars.slice(half).join(''), name: true }, { text: '（公章）' }], MARGIN_X + 200, 260, 12);
    countName();
  }

  // 目录 (table of contents) is drawn once the page numbers are known; reserve its page now.
  breakPage();
  const tocPage = page;
  breakPage();

  const totalBudget = opts.pages;
  const remaining = () => totalBudget - pages.length;

  // 一、投标函
  startSection('一、投标函', `一、投标函（${name}）`);
  paragraph([{ text: `致：${project.tenderee}` }], BODY_SIZE, 0);
  paragraph([{ text: `1. 我方已仔细研究了${project.name}（项目编号：${project.code}）招标文件的全部内容，愿意以人民币（大写）叁仟贰佰肆拾伍万元整的投标总报价，按合同约定实施和完成承包工程。` }]);
  paragraph([{ text: breakingPrefix('2. ') }, { text: name, name: true }, { text: '承诺在投标有效期内不修改、撤销投标文件。' }]);
  paragraph([{ text: '3. 投标人名称：' }, { text: [...name].slice(0, 4).join('') + '\u3000' + [...name].slice(4).join(''), name: true }, { text: '（此处名称中误排了一个全角空格）。' }]);
  paragraph([{ text: '4. 投标人（盖章）：' }, { text: name.replace(/（/g, '(').replace(/）/g, ')'), name: true }]);

  // 二、法定代表人身份证明
  startSection('二、法定代表人身份证明');
  paragraph([{ text: '投标人名称：' }, { text: name, name: true }]);
  paragraph([{ text: `姓名：${bidder.legalRepresentative}\u3000性别：男\u3000职务：总经理` }]);
  paragraph([{ text: '系' }, { text: name, name: true }, { text: '的法定代表人。特此证明。' }]);
  let licencePage: number | null = null;
  if (opts.licenceImage) {
    paragraph([{ text: '附：营业执照（扫描件）' }]);
    const png = await licencePng(name, bidder.legalRepresentative, nameInk);
    page.drawImage(await doc.embedPng(png.bytes), { x: MARGIN_X, y: LICENCE_BOTTOM, width: TEXT_W, height: (TEXT_W * png.height) / png.width });
    licencePage = pages.length;
  }

  const fillPages = (topic: string, pageBudget: number, section: Section) => {
    const endPage = pages.length + pageBudget;
    let n = 0;
    heading(`${section.children?.length ? section.children.length + 1 : 1}. ${topic}`, 13);
    section.children?.push({ title: topic, page: pages.length });
    while (pages.length < endPage || (pages.length === endPage && cursorY > BODY_BOTTOM + LEADING * 3)) {
      if (pages.length >= totalBudget && cursorY < BODY_BOTTOM + LEADING * 3) break;
      const sentences = 2 + Math.floor(rand() * 3);
      const para: Para = [];
      for (let s = 0; s < sentences; s++) {
        const r = rand();
        if (r < 0.18) {
          para.push({ text: s === 0 ? '' : '，' }, { text: name, name: true }, { text: pick(rand, ['将', '承诺', '保证', '负责']) + pick(rand, PHRASES) });
        } else {
          para.push({ text: (s === 0 ? '' : '，') + pick(rand, PHRASES) });
        }
      }
      para.push({ text: '。' });
      // Merge plain runs so that a name sits inside one longer run, as typeset text usually is.
      const merged: Para = [];
      for (const run of para) {
        const last = merged[merged.length - 1];
        if (last && !last.name && !run.name && !last.bold && !run.bold) last.text += run.text;
        else merged.push({ ...run });
      }
      paragraph(merged);
      n++;
      if (n % 9 === 0) paragraph([{ text: breakingPrefix('') }, { text: name, name: true }, { text: '对上述措施的落实负全部责任。' }]);
    }
  };

  // 三、技术方案 ~60 %, 四、商务部分 ~25 %, 五、报价 the rest (at least one page each part).
  const techBudget = Math.max(1, Math.floor(remaining() * 0.6));
  const tech = startSection('三、技术方案');
  const techTopics = TECH_TOPICS.slice(0, Math.max(1, Math.min(TECH_TOPICS.length, techBudget)));
  techTopics.forEach((topic, i) => {
    const per = Math.floor(techBudget / techTopics.length) + (i < techBudget % techTopics.length ? 1 : 0);
    fillPages(topic, Math.max(0, per - 1), tech);
  });
  const bizBudget = Math.max(1, Math.floor(remaining() * 0.6));
  const biz = startSection('四、商务部分', `四、商务部分（${name}）`);
  const bizTopics = BIZ_TOPICS.slice(0, Math.max(1, Math.min(BIZ_TOPICS.length, bizBudget)));
  bizTopics.forEach((topic, i) => {
    const per = Math.floor(bizBudget / bizTopics.length) + (i < bizBudget % bizTopics.length ? 1 : 0);
    fillPages(topic, Math.max(0, per - 1), biz);
  });

  // 五、报价: tables until the budget is used.
  startSection('五、报价');
  paragraph([{ text: '投标报价一览表（单位：元）' }], BODY_SIZE, 0);
  let row = 0;
  const ROW_H = 22;
  const cols = [0, 40, 250, 310, 370, TEXT_W];
  const drawRow = (cells: string[], header = false) => {
    if (cursorY - ROW_H < BODY_BOTTOM) {
      if (pages.length >= totalBudget) return false;
      breakPage();
    }
    const top = cursorY + 14;
    page.pushOperators(pushGraphicsState(), setLineWidth(0.5), setStrokingRgbColor(0.3, 0.3, 0.3));
    if (header) page.pushOperators(setFillingRgbColor(0.92, 0.92, 0.92), rectangle(MARGIN_X, top - ROW_H, TEXT_W, ROW_H), fill());
    page.pushOperators(rectangle(MARGIN_X, top - ROW_H, TEXT_W, ROW_H), stroke());
    for (const c of cols.slice(1, -1)) page.pushOperators(moveTo(MARGIN_X + c, top), lineTo(MARGIN_X + c, top - ROW_H), stroke());
    page.pushOperators(popGraphicsState());
    cells.forEach((cell, i) => drawRuns(page, [{ text: cell, bold: header }], MARGIN_X + (cols[i] ?? 0) + 4, top - 15, 10));
    cursorY -= ROW_H;
    return true;
  };
  drawRow(['序号', '项目名称', '单位', '数量', '金额'], true);
  const ITEMS = ['土方开挖', '基础垫层', '钢筋制作安装', '模板工程', '混凝土浇筑', '砌体工程', '抹灰工程', '防水工程', '给排水安装', '电气安装', '道路硬化', '绿化工程'];
  while (pages.length < totalBudget || cursorY - ROW_H >= BODY_BOTTOM) {
    row++;
    const amount = (10000 + Math.floor(rand() * 900000)).toLocaleString('en-US');
    if (!drawRow([String(row), `${pick(rand, ITEMS)}（第${row}项）`, pick(rand, ['m³', 't', 'm²', '项']), String(1 + Math.floor(rand() * 500)), amount])) break;
  }
  if (cursorY > BODY_BOTTOM + LEADING) {
    paragraph([{ text: '投标人：' }, { text: name, name: true }, { text: '（盖章）' }], BODY_SIZE, 0);
  }

  // 目录 with page numbers, now that they are known.
  {
    const keys = fontKeys.get(tocPage);
    if (!keys) throw new Error('page without fonts');
    let y = BODY_TOP;
    let tocNameCount = 0;
    drawRuns(tocPage, [{ text: '目\u3000录', bold: true }], MARGIN_X + 180, y, 18);
    y -= 40;
    const entry = (text: string, pageNo: number, indent: number, runs?: Run[]) => {
      if (y < BODY_BOTTOM) return;
      drawRuns(tocPage, runs ?? [{ text }], MARGIN_X + indent, y, 11);
      const num = String(pageNo);
      drawRuns(tocPage, [{ text: num }], MARGIN_X + TEXT_W - regular.widthOf(num, 11), y, 11);
      y -= 20;
    };
    entry('封面', 1, 0);
    for (const s of sections) {
      if (s.outlineTitle !== s.title) {
        entry('', s.page, 0, [{ text: s.title.replace(/）$/, '') + '（' }, { text: name, name: true }, { text: '）' }]);
        tocNameCount++;
      } else entry(s.title, s.page, 0);
      for (const c of s.children ?? []) entry(c.title, c.page, 22);
    }
    namesPerPage[2] = (namesPerPage[2] ?? 0) + tocNameCount;
  }

  // Running header and footer on every page but the cover.
  const pageCount = pages.length;
  let currentSection = '';
  pages.forEach((p, i) => {
    if (i === 0) return;
    currentSection = sectionStarts.get(i + 1) ?? currentSection;
    const headerLeft = `${project.name} 投标文件${currentSection ? ' · ' + currentSection : ''}`;
    drawRuns(p, [{ text: headerLeft }], MARGIN_X, PAGE_H - 40, 8, GREY);
    const headerRight: Run[] = [{ text: name, name: true }];
    drawRuns(p, headerRight, PAGE_W - MARGIN_X - widthOf(headerRight, 8), PAGE_H - 40, 8, GREY);
    p.pushOperators(pushGraphicsState(), setLineWidth(0.4), setStrokingRgbColor(0.5, 0.5, 0.5), moveTo(MARGIN_X, PAGE_H - 46), lineTo(PAGE_W - MARGIN_X, PAGE_H - 46), stroke(), popGraphicsState());
    drawRuns(p, [{ text: '投标人：' }, { text: name, name: true }], MARGIN_X, 40, 8, GREY);
    const footerRight = `第 ${i + 1} 页 共 ${pageCount} 页`;
    drawRuns(p, [{ text: footerRight }], PAGE_W - MARGIN_X - regular.widthOf(footerRight, 8), 40, 8, GREY);
    namesPerPage[i + 1] = (namesPerPage[i + 1] ?? 0) + 2;
  });

  addOutline(doc, pages, [
    { title: '封面', page: 1, children: [] },
    { title: '目录', page: 2, children: [] },
    ...sections.map((s) => ({ title: s.outlineTitle, page: s.page, children: (s.children ?? []).map((c) => ({ title: c.title, page: c.page, children: [] })) })),
  ]);

  doc.setTitle(`${name} ${project.name} 投标文件`);
  doc.setAuthor(name);
  doc.setSubject(`${project.name}（${project.code}）`);
  doc.setKeywords([name, project.code, '投标文件']);
  doc.setProducer(`${name} 电子投标文件制作工具`);
  doc.setCreator(`${name} 投标文件生成器`);
  doc.setCreationDate(new Date('2026-11-20T09:00:00+08:00'));
  doc.setModificationDate(new Date('2026-11-20T09:00:00+08:00'));

  await regular.embed();
  await bold.embed();
  const bytes = await doc.save({ useObjectStreams: true });
  return { bytes, pageCount, fileName: `${project.code}-${name}-投标文件.pdf`, namesPerPage: namesPerPage.slice(0, pageCount + 1), licencePage };
}

/** Where the licence image sits on its page (PDF points from the bottom): below the section's text. */
const LICENCE_BOTTOM = 150;

/** A plain 营业执照 as a scan would show it: black text on white, the name in `nameInk`. */
async function licencePng(name: string, legalRepresentative: string, nameInk: Rgb): Promise<{ bytes: Uint8Array; width: number; height: number }> {
  const [width, height] = [1200, 620];
  const canvas = napiCanvas().createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = 'white';
  ctx.fillRect(0, 0, width, height);
  ctx.strokeStyle = '#444';
  ctx.lineWidth = 6;
  ctx.strokeRect(12, 12, width - 24, height - 24);
  ctx.textBaseline = 'top';
  ctx.fillStyle = 'black';
  ctx.font = '64px "Noto Sans CJK SC"';
  ctx.fillText('营业执照', 470, 50);
  ctx.font = '44px "Noto Sans CJK SC"';
  const rows: [string, string, boolean][] = [
    ['名称：', name, true],
    ['类型：', '有限责任公司', false],
    ['法定代表人：', legalRepresentative, false],
    ['住所：', '示例市高新区创新路一号', false],
  ];
  rows.forEach(([label, value, isName], i) => {
    const y = 190 + i * 95;
    ctx.fillStyle = 'black';
    ctx.fillText(label, 80, y);
    ctx.fillStyle = isName ? `rgb(${nameInk.map((c) => Math.round(c * 255)).join(',')})` : 'black';
    ctx.fillText(value, 80 + ctx.measureText(label).width, y);
  });
  return { bytes: new Uint8Array(await canvas.encode('png')), width, height };
}
interface OutlineNode {
  title: string;
  page: number;
  children: OutlineNode[];
}

/** A PDF outline (bookmarks) with /XYZ destinations to the top of each page. */
function addOutline(doc: PDFDocument, pages: readonly PDFPage[], nodes: readonly OutlineNode[]): void {
  const ctx = doc.context;
  const rootRef = ctx.nextRef();
  const build = (list: readonly OutlineNode[], parent: PDFRef): { first: PDFRef; last: PDFRef; count: number } | null => {
    if (list.length === 0) return null;
    const refs = list.map(() => ctx.nextRef());
    let total = 0;
    list.forEach((node, i) => {
      const ref = refs[i] as PDFRef;
      const target = pages[node.page - 1] ?? pages[0];
      if (!target) throw new Error('outline target page missing');
      const dest = PDFArray.withContext(ctx);
      dest.push(target.ref);
      dest.push(PDFName.of('XYZ'));
      dest.push(PDFNull);
      dest.push(PDFNumber.of(PAGE_H));
      dest.push(PDFNull);
      const dict = ctx.obj({ Title: PDFHexString.fromText(node.title), Parent: parent, Dest: dest });
      const prev = refs[i - 1];
      const next = refs[i + 1];
      if (prev) dict.set(PDFName.of('Prev'), prev);
      if (next) dict.set(PDFName.of('Next'), next);
      const kids = build(node.children, ref);
      if (kids) {
        dict.set(PDFName.of('First'), kids.first);
        dict.set(PDFName.of('Last'), kids.last);
        dict.set(PDFName.of('Count'), PDFNumber.of(kids.count));
        total += kids.count;
      }
      ctx.assign(ref, dict);
      total += 1;
    });
    return { first: refs[0] as PDFRef, last: refs[refs.length - 1] as PDFRef, count: total };
  };
  const top = build(nodes, rootRef);
  const root = ctx.obj({ Type: 'Outlines' });
  if (top) {
    root.set(PDFName.of('First'), top.first);
    root.set(PDFName.of('Last'), top.last);
    root.set(PDFName.of('Count'), PDFNumber.of(top.count));
  }
  ctx.assign(rootRef, root);
  doc.catalog.set(PDFName.of('Outlines'), rootRef);
  doc.catalog.set(PDFName.of('PageMode'), PDFName.of('UseOutlines'));
}
