import { describe, expect, it } from 'vitest';
import { requireTool } from '../../tests/support/require-tool.node.ts';
import { existsSync, mkdirSync, readFileSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { makeTenderPdf } from '@kawei/shared/tender/make-tender-pdf.node.ts';
import { projectBoothPayloadSchema } from '@kawei/shared/api/booth-roster.ts';
import { decodeEmbedding } from '@kawei/shared/api/gate-roster.ts';
import type { DeviceRecord } from '@kawei/shared/api/central-http.ts';
import { runDrawCli } from '../src/draw/cli.node.ts';
import { drawResultSchema, type DayInput, type DrawResult } from '../src/draw/day-schema.ts';
import { runCli } from '../src/cli/run-cli.node.ts';
import { SqliteCentralStore } from '../src/storage/sqlite-central-store.node.ts';
import { MaterialError, readProjectMaterial } from '../src/projects/project-material.node.ts';
import { checkFileAccess, readGrantsSync, storeFile, writeGrant, fileStorePath } from '../src/projects/project-files.node.ts';
import { planBoothFaces } from '../src/projects/booth-faces.ts';
import { formatPageList } from '../src/projects/tender-file-check.node.ts';
import { seatedBooths } from '../src/projects/booth-seats.ts';
import { useTempDir } from './temp-dir.ts';
import { addCode, attempt } from './store-fixtures.ts';
import { napiCanvas } from '@kawei/shared/tender/pdfjs.node.ts';
import { PDFDocument } from 'pdf-lib';
import { IMAGE_PAGE, makeImagePdf } from '../../shared/test/tender/image-pdf.node.ts';

const tempDir = useTempDir();

/** Two A4 pages; page 2 shows 南岭虚构科技股份有限公司 only inside an image (ocr-names.test.ts has the measured twin). */
async function nameInImagePdf(): Promise<Uint8Array> {
  const canvas = napiCanvas().createCanvas(1200, 500);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = 'white';
  ctx.fillRect(0, 0, 1200, 500);
  ctx.fillStyle = 'black';
  ctx.font = '56px "Noto Sans CJK SC"';
  ctx.textBaseline = 'top';
  ctx.fillText('营业执照（副本）', 80, 60);
  ctx.fillText('名称：南岭虚构科技股份有限公司', 80, 200);
  const doc = await PDFDocument.create();
  const image = await doc.embedPng(await canvas.encode('png'));
  doc.addPage([595.28, 841.89]);
  doc.addPage([595.28, 841.89]).drawImage(image, { x: 60, y: 400, width: 480, height: 200 });
  return doc.save();
}

let pdfCache: Uint8Array | null = null;
async function realPdf(): Promise<Uint8Array> {
  pdfCache ??= (
    await makeTenderPdf({
      bidder: { name: '华东示例建设有限公司' },
      project: { name: '示例市第一中学教学楼改扩建工程', code: 'GC-01', tenderee: '示例市公共资源交易中心' },
      pages: 8,
    })
  ).bytes;
  return pdfCache;
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

function goodProject(files: { path: string; bidder: string; title: string }[], blind = true) {
  return {
    title: '示例市第一中学教学楼改扩建工程',
    blind,
    startsAt: '2026-11-23T09:00:00+08:00',
    endsAt: '2026-11-23T17:00:00+08:00',
    criteria: [
      { id: 'tech', name: '技术', max: 50 },
      { id: 'business', name: '商务', max: 20 },
      { id: 'price', name: '价格', max: 30 },
    ],
    bidders: [
      { code: 'A', name: '华东示例建设有限公司', aliases: ['Huadong Shili Construction Co., Ltd.'] },
      { code: 'B', name: '示例（北方）工程咨询有限公司', aliases: [] },
    ],
    files,
  };
}

async function materialDir(dir: string, project: unknown = goodProject([{ path: 'a.pdf', bidder: 'A', title: '华东示例建设有限公司投标文件' }])): Promise<string> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'a.pdf'), await realPdf());
  writeFileSync(join(dir, 'project.json'), JSON.stringify(project));
  return dir;
}

function io() {
  let stdout = '';
  let stderr = '';
  return {
    io: { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } },
    out: () => stdout,
    err: () => stderr,
  };
}

/** The demo topology and a day on it: GC-01 flagged blind (3 experts), ZF-02 open (2). */
async function centralWithDraw(dir: string): Promise<{ data: string; resultFile: string; result: DrawResult }> {
  const data = join(dir, 'central');
  const seeded = io();
  expect(await runCli(['seed-demo', '--data', data], seeded.io)).toBe(0);
  const day: DayInput = {
    date: '2026-11-23',
    sites: [{ id: 'site-city', rooms: [{ id: 'room-3', rows: 3, cols: 3, disabled: [] }, { id: 'room-5', rows: 3, cols: 3, disabled: [] }] }],
    experts: Array.from({ length: 10 }, (_, i) => ({ id: `E${100 + i}`, specialties: ['土建'], employer: `单位${i}`, sites: ['site-city'] })),
    projects: ['GC-01', 'ZF-02'].map((id, i) => ({
      id,
      category: 'engineering' as const,
      techWeight: 0.6,
      needs: [{ specialty: '土建', count: 3 - i }],
      alternates: 0,
      bidders: [{ id: `${id}-b1`, name: '某建设集团', org: '某建设集团有限公司' }],
      blind: i === 0,
    })),
    conflicts: [],
  };
  writeFileSync(join(dir, 'day.json'), JSON.stringify(day));
  const resultFile = join(dir, 'result.json');
  expect(runDrawCli(['draw', '--input', join(dir, 'day.json'), '--secret', 'cd'.repeat(32), '--public-value', '1 2 3', '--out', resultFile], () => undefined, () => undefined)).toBe(0);
  const result = drawResultSchema.parse(JSON.parse(readFileSync(resultFile, 'utf8')));
  expect(result.blind).toEqual(['GC-01']);
  return { data, resultFile, result };
}

describe('project material (project.json and the PDFs)', () => {
  it('reads good material: times in epoch ms, files hashed', async () => {
    const dir = await materialDir(join(tempDir(), 'm'));
    const m = readProjectMaterial(dir);
    expect(m).toMatchObject({ blind: true, startsAt: Date.UTC(2026, 10, 23, 1), endsAt: Date.UTC(2026, 10, 23, 9) });
    expect(m.files).toEqual([expect.objectContaining({ path: 'a.pdf', bidder: 'A', bytes: (await realPdf()).length, sha256: sha(await realPdf()) })]);
  });

  it('refuses everything wrong at once, in Chinese and English', async () => {
    const root = tempDir();
    const dir = join(root, 'm');
    const project = goodProject([
      { path: 'a.pdf', bidder: 'Z', title: '未列出的投标人' },
      { path: 'notes.pdf', bidder: 'A', title: '不是 PDF' },
      { path: 'missing.pdf', bidder: 'B', title: '缺失' },
      { path: '../outside.pdf', bidder: 'B', title: '目录之外' },
      { path: 'link.pdf', bidder: 'B', title: '链接到目录之外' },
      { path: 'empty.pdf', bidder: 'B', title: '空文件' },
      { path: 'big.pdf', bidder: 'B', title: '过大' },
    ]);
    project.bidders.push({ code: 'A', name: '重复代码', aliases: [] });
    project.endsAt = '2026-11-23T08:00:00+08:00';
    await materialDir(dir, project);
    writeFileSync(join(dir, 'notes.pdf'), 'just text, no PDF header');
    writeFileSync(join(root, 'outside.pdf'), await realPdf());
    symlinkSync(join(root, 'outside.pdf'), join(dir, 'link.pdf'));
    writeFileSync(join(dir, 'empty.pdf'), '');
    writeFileSync(join(dir, 'big.pdf'), await realPdf());

    let error: unknown;
    try {
      readProjectMaterial(dir, 50_000); // the 8-page demo PDF is ~89 KB
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MaterialError);
    const e = error as MaterialError;
    for (const [zh, en] of [
      ['投标人代码重复：A', 'bidder code used twice: A'],
      ['结束时间', 'endsAt 2026-11-23T08:00:00+08:00 is not after startsAt'],
      ['文件 a.pdf 的投标人代码 Z 不在投标人名单中', 'file a.pdf names bidder Z, who is not in the bidder list'],
      ['不是 PDF 文件（开头不是 %PDF-）：notes.pdf', 'not a PDF (it does not start with %PDF-): notes.pdf'],
      ['找不到文件：missing.pdf', 'file not found: missing.pdf'],
      ['文件路径必须在材料目录之内：../outside.pdf', 'file path must stay inside the material folder: ../outside.pdf'],
      ['文件路径必须在材料目录之内：link.pdf', 'file path must stay inside the material folder: link.pdf'],
      ['文件为空：empty.pdf', 'file is empty: empty.pdf'],
      ['文件过大：big.pdf', 'file too large: big.pdf'],
    ] as const) {
      expect(e.chinese).toContain(zh);
      expect(e.message).toContain(en);
    }
  });

  it('refuses a project.json that does not fit the schema, naming the field', async () => {
    const dir = await materialDir(join(tempDir(), 'm'), { ...goodProject([]), criteria: [], extra: 1 });
    const error = (() => {
      try {
        readProjectMaterial(dir);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(MaterialError);
    expect((error as MaterialError).chinese).toMatch(/project\.json 的 criteria 不符合要求/);
    expect((error as MaterialError).message).toMatch(/project\.json criteria: /);
    expect((error as MaterialError).message).toMatch(/"extra"/);
  });
});

describe('kawei-central publish-project', () => {
  it('stores the files by hash, grants the seated booths and reports seats without a device', async () => {
    const dir = tempDir();
    const { data, resultFile, result } = await centralWithDraw(dir);
    const material = await materialDir(join(dir, 'material'));
    const run = io();
    expect(await runCli(['publish-project', '--result', resultFile, '--project', 'GC-01', '--material', material, '--data', data], run.io)).toBe(0);
    const pdf = await realPdf();
    expect(run.out()).toMatch(/项目 GC-01「示例市第一中学教学楼改扩建工程」（2026-11-23，暗标）：投标人 2 家，文件 1 个/);
    expect(run.out()).toMatch(/project GC-01 ".*" \(2026-11-23, blind\): 2 bidder\(s\), 1 file\(s\), .* \(1 newly stored\)/);
    expect(run.out()).toMatch(/3 booth\(s\) granted, 0 project\.booth message\(s\) sent/);
    expect(run.out().match(/未送达 \/ not delivered: .* — 该卡位尚无已注册设备 \/ no enrolled device/g)).toHaveLength(3);
    expect(readFileSync(fileStorePath(data, sha(pdf)))).toEqual(Buffer.from(pdf));

    const seated = result.seats.filter((s) => s.project === 'GC-01').map((s) => `${s.room}-${s.label}`).sort();
    const [grant] = readGrantsSync(data);
    expect(grant).toMatchObject({ date: '2026-11-23', project: 'GC-01', booths: seated, files: [{ sha256: sha(pdf), bidder: 'A' }] });

    // again: nothing new to store, the grant replaced; --json for scripts
    const again = io();
    expect(await runCli(['publish-project', '--result', resultFile, '--project', 'GC-01', '--material', material, '--data', data, '--json'], again.io)).toBe(0);
    expect(JSON.parse(again.out())).toMatchObject({ project: 'GC-01', blind: true, files: [{ stored: false }], booths: 3, sent: 0, undelivered: [{ why: 'no_device' }, {}, {}] });
    expect(readGrantsSync(data)).toHaveLength(1);
  });

  it('refuses an unknown project, a blind flag the draw contradicts, bad material and an oversized file — nothing stored', async () => {
    const dir = tempDir();
    const { data, resultFile } = await centralWithDraw(dir);
    const material = await materialDir(join(dir, 'material'));
    const publish = async (project: string, folder: string) => {
      const run = io();
      const code = await runCli(['publish-project', '--result', resultFile, '--project', project, '--material', folder, '--data', data], run.io);
      return { code, err: run.err() };
    };

    const unknown = await publish('XX-99', material);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/错误：抽取结果中没有项目 XX-99（本次抽取的项目：GC-01、ZF-02）/);
    expect(unknown.err).toMatch(/error: the draw result has no project XX-99/);

    const open = await publish('ZF-02', material); // the material says blind, the draw says open
    expect(open.code).toBe(2);
    expect(open.err).toMatch(/项目 ZF-02 的材料写明暗标，但抽取结果定为明标/);
    expect(open.err).toMatch(/the material of ZF-02 says blind: true, the draw says blind: false/);

    const bad = await materialDir(join(dir, 'bad'), goodProject([{ path: 'a.pdf', bidder: 'C', title: '未列出' }]));
    const refused = await publish('GC-01', bad);
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/文件 a\.pdf 的投标人代码 C 不在投标人名单中/);
    expect(refused.err).toMatch(/file a\.pdf names bidder C, who is not in the bidder list/);

    // 201 MB (sparse) behind a real PDF header: refused by size before it is read
    const big = await materialDir(join(dir, 'big'), goodProject([{ path: 'a.pdf', bidder: 'A', title: '过大' }]));
    truncateSync(join(big, 'a.pdf'), 201 * 1024 * 1024);
    const tooBig = await publish('GC-01', big);
    expect(tooBig.code).toBe(2);
    expect(tooBig.err).toMatch(/文件过大：a\.pdf（201\.0 MB，上限 200\.0 MB）/);
    expect(tooBig.err).toMatch(/file too large: a\.pdf \(201\.0 MB, the limit is 200\.0 MB\)/);

    expect(existsSync(join(data, 'files'))).toBe(false);
    expect(readGrantsSync(data)).toEqual([]);
  });
});

describe('publish-project looks inside the PDFs', () => {
  it('warns staff of blind pages with images, page by page, in text and JSON; an open project is not scanned', async () => {
    const dir = tempDir();
    const { data, resultFile } = await centralWithDraw(dir);
    const material = join(dir, 'images');
    mkdirSync(material, { recursive: true });
    writeFileSync(join(material, 'a.pdf'), await realPdf());
    writeFileSync(join(material, 'scan.pdf'), await makeImagePdf());
    writeFileSync(
      join(material, 'project.json'),
      JSON.stringify(
        goodProject([
          { path: 'a.pdf', bidder: 'A', title: '华东示例建设有限公司投标文件' },
          { path: 'scan.pdf', bidder: 'B', title: '资质证明（扫描件）' },
        ]),
      ),
    );
    const run = io();
    expect(await runCli(['publish-project', '--result', resultFile, '--project', 'GC-01', '--material', material, '--data', data, '--no-ocr'], run.io)).toBe(0);
    expect(run.out()).toContain('注意（暗标）：未进行文字识别（已按 --no-ocr 跳过文字识别），图片中的投标人名称未遮盖');
    expect(run.out()).toContain(`注意（暗标）：投标人B的文件 scan.pdf 第 ${IMAGE_PAGE} 页含图片，系统无法识别图片中的投标人名称，请在评标前人工核查`);
    expect(run.out()).toMatch(new RegExp(`note \\(blind\\): scan\\.pdf \\(bidder B\\) has images on page\\(s\\) ${IMAGE_PAGE};`));
    expect(run.out()).not.toMatch(/a\.pdf.*含图片/); // the generated tender is text only
    expect(run.err()).toMatch(/scanning images: scan\.pdf 3\/3/);

    const json = io();
    expect(await runCli(['publish-project', '--result', resultFile, '--project', 'GC-01', '--material', material, '--data', data, '--json'], json.io)).toBe(0);
    // OCR on (the red image has no name): the page is read, nothing covered
    requireTool('tesseract');
    expect(JSON.parse(json.out())).toMatchObject({
      ocrAvailable: true,
      imageWarnings: [{ bidder: 'B', path: 'scan.pdf', pages: 3, imagePages: [IMAGE_PAGE], ocr: { pages: [IMAGE_PAGE], covered: 0, failedPages: [] } }],
    });

    // The same file in an open project: names are shown anyway, nothing to warn about.
    const open = join(dir, 'open');
    mkdirSync(open, { recursive: true });
    writeFileSync(join(open, 'scan.pdf'), await makeImagePdf());
    writeFileSync(join(open, 'project.json'), JSON.stringify(goodProject([{ path: 'scan.pdf', bidder: 'B', title: '资质证明' }], false)));
    const openRun = io();
    expect(await runCli(['publish-project', '--result', resultFile, '--project', 'ZF-02', '--material', open, '--data', data, '--json'], openRun.io)).toBe(0);
    expect(JSON.parse(openRun.out())).toMatchObject({ imageWarnings: [], ocrAvailable: null });
    expect(openRun.err()).toBe('');
  });

  it('covers names OCR finds inside images: imageRedactions in the queued project.booth, an OCR line; --no-ocr and a missing tesseract leave them out', async () => {
    requireTool('tesseract');
    const dir = tempDir();
    const { data, resultFile, result } = await centralWithDraw(dir);
    const material = join(dir, 'ocr');
    mkdirSync(material, { recursive: true });
    writeFileSync(join(material, 'a.pdf'), await realPdf());
    writeFileSync(join(material, 'scan.pdf'), await nameInImagePdf());
    const project = goodProject([
      { path: 'a.pdf', bidder: 'A', title: '华东示例建设有限公司投标文件' },
      { path: 'scan.pdf', bidder: 'B', title: '营业执照（扫描件）' },
    ]);
    project.bidders[1] = { code: 'B', name: '南岭虚构科技股份有限公司', aliases: [] };
    writeFileSync(join(material, 'project.json'), JSON.stringify(project));

    // one booth of GC-01 with an enrolled device, so project.booth is queued for it
    const store = await SqliteCentralStore.open(join(data, 'central.sqlite'));
    const boothId = seatedBooths(result, await store.listSiteTrees(), []).find((s) => s.seat.project === 'GC-01')!.boothId!;
    await addCode(store, 'OCRB2222', { kind: 'booth', boothId });
    const { device } = await store.consumeEnrolmentCode(attempt('OCRB2222', 'booth'));
    await store.close();
    const lastPayload = async () => {
      const s = await SqliteCentralStore.open(join(data, 'central.sqlite'));
      try {
        const messages = (await s.messagesAfter(device.id, 0, 100)).filter((m) => m.type === 'project.booth');
        return projectBoothPayloadSchema.parse(messages[messages.length - 1]!.payload);
      } finally {
        await s.close();
      }
    };
    const publish = async (...extra: string[]) => {
      const run = io();
      expect(await runCli(['publish-project', '--result', resultFile, '--project', 'GC-01', '--material', material, '--data', data, ...extra], run.io)).toBe(0);
      return run;
    };

    const run = await publish();
    expect(run.out()).toMatch(/1 project\.booth message\(s\) sent/);
    expect(run.out()).toContain('OCR：投标人B的文件 scan.pdf 第 2 页图片中识别出投标人名称 1 处，已遮盖');
    expect(run.out()).toContain('OCR covered 1 name in images on page 2 of scan.pdf');
    expect(run.out()).toMatch(/note \(blind\): scan\.pdf \(bidder B\) has images on page\(s\) 2; OCR ran, but it can miss names/); // the warning stays
    expect(run.err()).toMatch(/文字识别 \/ OCR: scan\.pdf 第 2 页 \/ page 2 \(1\/1\) 1 \d+\.\d s/);
    const payload = await lastPayload();
    const [a, scan] = payload.files;
    expect(a!.imageRedactions).toBeUndefined(); // text only: nothing to OCR, nothing added
    expect(scan!.imageRedactions).toEqual([{ page: 2, code: 'B', rects: [expect.objectContaining({ x: expect.any(Number), width: expect.any(Number) })] }]);
    const rect = scan!.imageRedactions![0]!.rects[0]!;
    // the name is drawn from x ≈ 159 to 428, y ≈ 496 to 520 (PDF points)
    expect(rect.x).toBeLessThan(162);
    expect(rect.x + rect.width).toBeGreaterThan(426);
    expect(rect.y).toBeLessThan(497);
    expect(rect.y + rect.height).toBeGreaterThan(518);

    const json = JSON.parse((await publish('--json')).out()) as { ocrAvailable: boolean; imageWarnings: unknown[] };
    expect(json).toMatchObject({ ocrAvailable: true, ocrNote: null, imageWarnings: [{ path: 'scan.pdf', imagePages: [2], ocr: { pages: [2], covered: 1, coveredPages: [{ page: 2, names: 1 }], failedPages: [] } }] });

    const off = await publish('--no-ocr');
    expect(off.out()).not.toContain('OCR：');
    expect(off.err()).not.toContain('OCR:');
    expect((await lastPayload()).files[1]!.imageRedactions).toBeUndefined();

    process.env['KAWEI_TESSERACT'] = '/nonexistent/tesseract';
    try {
      const missing = await publish();
      expect(missing.out()).toContain('注意（暗标）：未进行文字识别（无法运行文字识别程序 /nonexistent/tesseract');
      expect(missing.out()).toMatch(/note \(blind\): no OCR \(cannot run the OCR program \/nonexistent\/tesseract \(not found;/);
      expect(missing.out()).toContain('注意（暗标）：投标人B的文件 scan.pdf 第 2 页含图片，系统无法识别图片中的投标人名称，请在评标前人工核查');
      expect((await lastPayload()).files[1]!.imageRedactions).toBeUndefined();
    } finally {
      delete process.env['KAWEI_TESSERACT'];
    }
  });

  it('lists pages for staff as runs', () => {
    expect(formatPageList([2, 5, 6, 7, 9])).toBe('2、5–7、9');
    expect(formatPageList([1, 2], ', ')).toBe('1–2');
    expect(formatPageList([])).toBe('');
  });

  it('refuses a PDF the booth could not open and a blind bidder list the matcher cannot use — nothing stored', async () => {
    const dir = tempDir();
    const { data, resultFile } = await centralWithDraw(dir);
    const publish = async (folder: string) => {
      const run = io();
      const code = await runCli(['publish-project', '--result', resultFile, '--project', 'GC-01', '--material', folder, '--data', data], run.io);
      return { code, err: run.err() };
    };

    const broken = await materialDir(join(dir, 'broken'));
    writeFileSync(join(broken, 'a.pdf'), Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(4096, 0x41)]));
    const damaged = await publish(broken);
    expect(damaged.code).toBe(2);
    expect(damaged.err).toMatch(/文件 a\.pdf 无法作为 PDF 打开/);
    expect(damaged.err).toMatch(/file a\.pdf does not open as a PDF/);

    const shared = goodProject([{ path: 'a.pdf', bidder: 'A', title: '投标文件' }]);
    shared.bidders[1]!.aliases = ['华东示例建设有限公司'];
    const ambiguous = await publish(await materialDir(join(dir, 'ambiguous'), shared));
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.err).toMatch(/暗标投标人名单无法用于遮盖：两个投标人有相同的名称或别名 “华东示例建设有限公司”/);

    expect(existsSync(join(data, 'files'))).toBe(false);
    expect(readGrantsSync(data)).toEqual([]);
  });
});

describe('file grants', () => {
  it('answers unknown, forbidden or granted; only the booth\'s latest day counts; devices that are no booth never', async () => {
    const data = tempDir();
    const pdf = await realPdf();
    const h = sha(pdf);
    storeFile(data, h, pdf);
    const file = { sha256: h, bytes: pdf.length, bidder: 'A', title: 't' };
    writeGrant(data, { date: '2026-11-22', project: 'OLD-1', booths: ['room-3-A1'], files: [file], publishedAt: 1 });
    expect(await checkFileAccess(data, h, 'room-3-A1')).toEqual({ kind: 'granted', project: 'OLD-1', date: '2026-11-22', bytes: pdf.length });
    expect(await checkFileAccess(data, h, 'room-3-A2')).toEqual({ kind: 'forbidden' });
    expect(await checkFileAccess(data, h, null)).toEqual({ kind: 'forbidden' });
    expect(await checkFileAccess(data, 'ab'.repeat(32), 'room-3-A1')).toEqual({ kind: 'unknown' });
    // the next day the booth sits on another project: yesterday's file is closed to it
    writeGrant(data, { date: '2026-11-23', project: 'NEW-1', booths: ['room-3-A1'], files: [], publishedAt: 2 });
    expect(await checkFileAccess(data, h, 'room-3-A1')).toEqual({ kind: 'forbidden' });
  });

  it('re-stores a damaged copy and refuses bytes that are not the hash', async () => {
    const data = tempDir();
    const pdf = await realPdf();
    expect(storeFile(data, sha(pdf), pdf)).toEqual({ written: true });
    expect(storeFile(data, sha(pdf), pdf)).toEqual({ written: false });
    writeFileSync(fileStorePath(data, sha(pdf)), 'damaged');
    expect(storeFile(data, sha(pdf), pdf)).toEqual({ written: true });
    expect(readFileSync(fileStorePath(data, sha(pdf)))).toEqual(Buffer.from(pdf));
    expect(() => storeFile(data, 'ab'.repeat(32), pdf)).toThrow(/file changed while it was published/);
  });
});

describe('faces.booth plan', () => {
  it('sends each seated booth device its expert\'s template only; lists booths whose expert has none', async () => {
    const dir = tempDir();
    const { data, result } = await centralWithDraw(dir);
    const store = await SqliteCentralStore.open(join(data, 'central.sqlite'));
    const sites = await store.listSiteTrees();
    await store.close();
    const [first, second, third] = seatedBooths(result, sites, []);
    const device = (id: string, boothId: string, status: 'active' | 'revoked' = 'active'): DeviceRecord => ({
      id,
      kind: 'booth',
      target: { kind: 'booth', boothId },
      publicKey: 'A'.repeat(44),
      hostname: 'pc',
      appVersion: 't',
      status,
      enrolledAt: 1,
      revokedAt: null,
      lastSeenAt: null,
    });
    const devices = [device('dev-1', first!.boothId!), device('dev-2', second!.boothId!), device('dev-3', third!.boothId!, 'revoked')];
    const template = new Float32Array(128).map((_, i) => (i === 0 ? 1 : 0));
    const plan = planBoothFaces(result, { model: 'm-1', experts: [{ id: first!.seat.expert, template }, { id: second!.seat.expert, template: null }] }, sites, devices);
    expect(plan.messages).toHaveLength(1);
    expect(plan.messages[0]).toMatchObject({ deviceId: 'dev-1', type: 'faces.booth', payload: { date: '2026-11-23', expert: first!.seat.expert, model: 'm-1' } });
    expect(Object.keys(plan.messages[0]!.payload).sort()).toEqual(['date', 'embedding', 'expert', 'model']);
    expect(decodeEmbedding(plan.messages[0]!.payload.embedding)[0]).toBe(1);
    expect(plan.withoutFace.map((s) => s.seat.expert)).toEqual([second!.seat.expert]);
    expect(plan.undelivered).toHaveLength(result.seats.length - 2); // a revoked device is no device
  });
});

describe('project.booth payload', () => {
  it('is what the schema says', async () => {
    const dir = tempDir();
    const { result } = await centralWithDraw(dir);
    const { projectBoothPayload } = await import('../src/projects/publish-project.node.ts');
    const payload = projectBoothPayload(result, 'GC-01', readProjectMaterial(await materialDir(join(dir, 'm'))));
    expect(projectBoothPayloadSchema.parse(payload)).toEqual(payload);
    expect(payload).toMatchObject({ project: 'GC-01', blind: true, criteria: [{ id: 'tech', max: 50 }, {}, {}], files: [{ bidder: 'A' }] });
  });
});
