import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '@kawei/shared/errors.ts';
import type { ProjectBoothPayload } from '@kawei/shared/api/booth-roster.ts';
import { buildNeedles, normalizeText } from '@kawei/shared/tender/blind-match.ts';
import { makeTenderPdf, type TenderPdfResult } from '@kawei/shared/tender/make-tender-pdf.node.ts';
import { openTenderDocument } from '@kawei/shared/tender/tender-document.node.ts';
import { createBoothFiles, type BoothFiles, type BoothFilesOptions } from '../src/services/files/booth-files.node.ts';
import { TENDER_FILES_DIR, TENDER_FILES_KEY_FILE, TenderFileCache } from '../src/services/files/file-cache.node.ts';
import { IMAGE_PAGE, makeImagePdf } from '../../shared/test/tender/image-pdf.node.ts';

/**
 * The booth's tender-file service on real generated PDFs (8 pages each, names drawn in red), a real
 * data folder, and a fake `fetchFile` standing in for the central (it can fail, or send corrupted
 * bytes, the way a network and a bad proxy do).
 */

const A = { code: 'A', name: '华东示例建设有限公司', aliases: ['Huadong Shili Construction Co., Ltd.'] };
const B = { code: 'B', name: '南岭虚构科技股份有限公司', aliases: ['南岭科技'] };
const RED: [number, number, number] = [0.9, 0, 0];
const NOW = Date.UTC(2026, 4, 1, 1, 30, 0);
const needles = buildNeedles([A, B]).map((n) => n.text);

let root = '';
let fileA: TenderPdfResult;
let fileB: TenderPdfResult;
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const services: BoothFiles[] = [];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'kawei-booth-files-'));
  const project = { name: '示例市第一中学教学楼改扩建工程', code: 'SL-2026-0815', tenderee: '示例市公共资源交易中心' };
  fileA = await makeTenderPdf({ bidder: { name: A.name, englishName: A.aliases[0] }, project, pages: 8, nameColor: RED, seed: 1 });
  fileB = await makeTenderPdf({ bidder: { name: B.name }, project, pages: 8, nameColor: RED, seed: 2 });
});

afterAll(async () => {
  await Promise.all(services.map((s) => s.close()));
  if (root) rmSync(root, { recursive: true, force: true });
});

function payload(blind: boolean): ProjectBoothPayload {
  return {
    date: '2026-05-01',
    project: 'SL-2026-0815',
    title: '示例市第一中学教学楼改扩建工程',
    blind,
    startsAt: null,
    endsAt: null,
    criteria: [{ id: 'tech', name: '技术', max: 60 }],
    bidders: [A, B],
    files: [
      { sha256: sha(fileA.bytes), bytes: fileA.bytes.byteLength, bidder: 'A', title: fileA.fileName.replace(/\.pdf$/, '') },
      { sha256: sha(fileB.bytes), bytes: fileB.bytes.byteLength, bidder: 'B', title: fileB.fileName.replace(/\.pdf$/, '') },
    ],
  };
}

/** The central: serves by hash, and can be told to fail or corrupt the next answers. */
function fakeCentral() {
  const byHash = new Map([fileA.bytes, fileB.bytes].map((b) => [sha(b), b]));
  const central = {
    down: false,
    corruptNext: 0,
    calls: 0,
    fetchFile: async (hash: string): Promise<Uint8Array> => {
      central.calls++;
      await new Promise((r) => setTimeout(r, 1));
      if (central.down) throw new ApiError('CENTRAL_UNREACHABLE', 'connect ECONNREFUSED');
      const bytes = byHash.get(hash);
      if (!bytes) throw new ApiError('NOT_FOUND', 'no such file');
      if (central.corruptNext > 0) {
        central.corruptNext--;
        const bad = new Uint8Array(bytes);
        const at = Math.floor(bad.length / 2);
        bad[at] = (bad[at] ?? 0) ^ 0xff;
        return bad;
      }
      return new Uint8Array(bytes);
    },
  };
  return central;
}

function service(dataDir: string, central: ReturnType<typeof fakeCentral>, extra: Partial<BoothFilesOptions> = {}): BoothFiles {
  const s = createBoothFiles({
    dataDir,
    fetchFile: central.fetchFile,
    watermark: () => ({ codename: 'HK-37', booth: '第3评标室 02号' }),
    now: () => NOW,
    retry: { initialMs: 20, maxMs: 80 },
    ...extra,
  });
  services.push(s);
  return s;
}

/** Every bidder name and alias (normalised as the matcher does) that a JSON value contains. */
const leaks = (value: unknown) => {
  const text = normalizeText(JSON.stringify(value));
  return needles.filter((n) => text.includes(n));
};

const decode = (base64: string) => PNG.sync.read(Buffer.from(base64, 'base64'));
const redPixels = (png: PNG) => {
  let n = 0;
  for (let i = 0; i < png.data.length; i += 4) if ((png.data[i] ?? 0) > 170 && (png.data[i + 1] ?? 0) < 90 && (png.data[i + 2] ?? 0) < 90) n++;
  return n;
};

describe('blind project', () => {
  let files: BoothFiles;
  beforeAll(async () => {
    files = service(join(root, 'blind'), fakeCentral(), { imageFormat: 'png' });
    files.setProject(payload(true));
    await files.prefetch();
  });

  it('lists files by bidder code only, with opaque ids and no filed title', () => {
    const list = files.listFiles();
    expect(list.map((f) => [f.title, f.bidderCode, f.pageCount])).toEqual([
      ['投标文件（投标人A）', 'A', 8],
      ['投标文件（投标人B）', 'B', 8],
    ]);
    expect(leaks(list)).toEqual([]);
    const json = JSON.stringify(list);
    expect(json).not.toContain(sha(fileA.bytes));
    expect(json).not.toContain(sha(fileA.bytes).slice(0, 16));
    expect(json).not.toContain('SL-2026-0815');
    for (const f of list) expect(f.fileId).toMatch(/^[A-Za-z0-9_-]{16,64}$/);
  });

  it('serves page images with every name covered and the watermark burnt in', async () => {
    const [first] = files.listFiles();
    const page = await files.getPage({ fileId: first!.fileId, page: 1, scale: 1 });
    expect(page.mime).toBe('image/png');
    const served = decode(page.data);
    expect(redPixels(served)).toBe(0);

    // The same page rendered open and blind without a watermark, straight from the tender layer.
    const openDoc = await openTenderDocument({ data: fileA.bytes });
    const blindDoc = await openTenderDocument({ data: fileA.bytes }, { blind: { bidders: [A, B] } });
    try {
      expect(redPixels(PNG.sync.read(Buffer.from((await openDoc.renderPage(1, 1)).bytes)))).toBeGreaterThan(100);
      const bare = PNG.sync.read(Buffer.from((await blindDoc.renderPage(1, 1)).bytes));
      expect([served.width, served.height]).toEqual([bare.width, bare.height]);
      // Watermark ink across the page: differences from the bare page in every ninth.
      const grid = new Array<number>(9).fill(0);
      for (let y = 0; y < bare.height; y++) {
        for (let x = 0; x < bare.width; x++) {
          const i = (y * bare.width + x) * 4;
          if (Math.abs((served.data[i] ?? 0) - (bare.data[i] ?? 0)) > 8) {
            grid[Math.min(2, Math.floor((3 * y) / bare.height)) * 3 + Math.min(2, Math.floor((3 * x) / bare.width))]! += 1;
          }
        }
      }
      for (const cell of grid) expect(cell).toBeGreaterThan(100);
    } finally {
      await openDoc.close();
      await blindDoc.close();
    }
  });

  it('gives text layers, outlines and search results without a name', async () => {
    for (const f of files.listFiles()) {
      for (let p = 1; p <= f.pageCount; p++) {
        const layer = await files.getTextLayer({ fileId: f.fileId, page: p });
        expect(leaks(layer)).toEqual([]);
        // Names split across items: the page's items joined must not carry one either.
        expect(leaks(layer.items.map((i) => i.text).join(''))).toEqual([]);
      }
      const outline = await files.getOutline({ fileId: f.fileId });
      expect(outline.length).toBeGreaterThan(0);
      expect(leaks(outline)).toEqual([]);
      for (const q of [A.name, '华东示例', B.name, '南岭科技', 'Huadong Shili']) {
        expect(await files.searchFile({ fileId: f.fileId, query: q })).toEqual([]);
      }
      const hits = await files.searchFile({ fileId: f.fileId, query: `投标人${f.bidderCode}` });
      expect(hits.length).toBeGreaterThan(0);
      expect(leaks(hits)).toEqual([]);
    }
  });

  it('checks its input and the page range', async () => {
    const [first] = files.listFiles();
    await expect(files.getPage({ fileId: first!.fileId, page: 99, scale: 1 })).rejects.toMatchObject({ code: 'BAD_INPUT' });
    await expect(files.getPage({ fileId: first!.fileId, page: 1, scale: 9 })).rejects.toMatchObject({ code: 'BAD_INPUT' });
    await expect(files.getPage({ fileId: 'nope', page: 1, scale: 1 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // The hash is not an id.
    await expect(files.getPage({ fileId: sha(fileA.bytes), page: 1, scale: 1 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('refuses a blind project whose bidder list cannot be matched safely', () => {
    const other = service(join(root, 'refused'), fakeCentral());
    const bad = payload(true);
    bad.bidders = [A, { code: 'B', name: '另一家公司名称', aliases: [A.name] }];
    expect(() => other.setProject(bad)).toThrowError(expect.objectContaining({ code: 'BAD_INPUT' }) as Error);
    expect(other.listFiles()).toEqual([]);
  });
});

describe('open project', () => {
  it('shows the filed titles and the names', async () => {
    const files = service(join(root, 'open'), fakeCentral());
    files.setProject(payload(false));
    await files.prefetch();
    const list = files.listFiles();
    expect(list.map((f) => f.title)).toEqual([fileA.fileName.replace(/\.pdf$/, ''), fileB.fileName.replace(/\.pdf$/, '')]);
    const layer = await files.getTextLayer({ fileId: list[0]!.fileId, page: 1 });
    expect(leaks(layer.items.map((i) => i.text).join(''))).toContain(normalizeText(A.name));
    const page = await files.getPage({ fileId: list[0]!.fileId, page: 1, scale: 0.5 });
    expect(page.mime).toBe('image/jpeg'); // the default encoding
    expect(Buffer.from(page.data, 'base64').subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
  });
});

describe('OCR boxes from the central (imageRedactions)', () => {
  it('a re-published blind project with OCR boxes reopens the file and serves the image page with the box painted, still flagged, no names', async () => {
    const pdf = await makeImagePdf();
    const [W, H] = [595.28, 841.89];
    // Inside makeImagePdf's red image (0.2 W, 0.25 H, 0.5 W × 0.6 H; PDF user space, y up).
    const box = { x: W * 0.3, y: H * 0.4, width: W * 0.2, height: H * 0.25 };
    const base = payload(true);
    const file = { sha256: sha(pdf), bytes: pdf.byteLength, bidder: 'A', title: `技术标-${A.name}` };
    const without: ProjectBoothPayload = { ...base, files: [file] };
    const withBoxes: ProjectBoothPayload = { ...base, files: [{ ...file, imageRedactions: [{ page: IMAGE_PAGE, code: 'A', rects: [box] }] }] };
    const files = service(join(root, 'ocr'), fakeCentral(), { imageFormat: 'png', fetchFile: async () => new Uint8Array(pdf) });
    /** Red and box-coloured pixels inside the box (2 px in from its edges) on the served page. */
    const inside = async (fileId: string) => {
      const view = await files.getPage({ fileId, page: IMAGE_PAGE, scale: 1 });
      const png = decode(view.data);
      let [red, dark, total] = [0, 0, 0];
      for (let y = Math.ceil(H - box.y - box.height) + 2; y < Math.floor(H - box.y) - 2; y++) {
        for (let x = Math.ceil(box.x) + 2; x < Math.floor(box.x + box.width) - 2; x++) {
          const i = (y * png.width + x) * 4;
          const [r, g, b] = [png.data[i] ?? 0, png.data[i + 1] ?? 0, png.data[i + 2] ?? 0];
          total++;
          if (r > 170 && g < 90 && b < 90) red++;
          if (r < 90 && g < 90 && b < 90) dark++;
        }
      }
      return { view, red, dark, total };
    };

    files.setProject(without);
    await files.prefetch();
    const [before] = files.listFiles();
    const plain = await inside(before!.fileId);
    expect(plain.red).toBe(plain.total); // the control: the image is red where the box will go

    files.setProject(withBoxes); // same project, same file: only the OCR boxes are new
    await files.prefetch();
    const list = files.listFiles();
    expect(list.map((f) => [f.fileId, f.state])).toEqual([[before!.fileId, 'ready']]);
    const covered = await inside(list[0]!.fileId);
    expect(covered.red).toBe(0);
    expect(covered.dark / covered.total).toBeGreaterThan(0.8); // the box colour (the label and the watermark take the rest)
    expect(redPixels(decode(covered.view.data))).toBeGreaterThan(50_000); // the rest of the image is shown as it is
    // OCR can miss a name: the warning stays.
    expect(covered.view.unverifiedImages).toBe(true);
    // Nothing the renderer gets names a bidder.
    const { data: _data, ...meta } = covered.view;
    expect(leaks([list, meta, await files.getTextLayer({ fileId: list[0]!.fileId, page: IMAGE_PAGE }), await files.getOutline({ fileId: list[0]!.fileId })])).toEqual([]);

    // A box for a bidder the project does not have is refused with the payload.
    expect(() => files.setProject({ ...withBoxes, files: [{ ...file, imageRedactions: [{ page: IMAGE_PAGE, code: 'Z', rects: [box] }] }] })).toThrow(/bidder Z/);
  });
});

describe('downloads', () => {
  it('answers FILE_UNAVAILABLE while the central is away, and serves the file once it is back', async () => {
    const central = fakeCentral();
    central.down = true;
    const files = service(join(root, 'away'), central);
    files.setProject(payload(true));
    await new Promise((r) => setTimeout(r, 150));
    // Listed, but still downloading: no pages yet.
    expect(files.listFiles().map((f) => [f.state, f.pageCount])).toEqual(files.status().files.map(() => ['downloading', 0]));
    const status = files.status();
    expect(status.ready).toBe(0);
    expect(status.files.every((f) => f.state === 'pending' && f.attempts >= 2 && f.lastError !== null)).toBe(true);
    const id = status.files[0]!.fileId;
    await expect(files.getPage({ fileId: id, page: 1, scale: 1 })).rejects.toMatchObject({ code: 'FILE_UNAVAILABLE' });
    await expect(files.getOutline({ fileId: id })).rejects.toBeInstanceOf(ApiError);
    central.down = false;
    await files.prefetch();
    expect(files.listFiles().map((f) => f.fileId)).toEqual(status.files.map((f) => f.fileId));
    expect(files.listFiles().every((f) => f.state === 'ready' && f.pageCount > 0)).toBe(true);
    const page = await files.getPage({ fileId: id, page: 1, scale: 0.5 });
    expect(page.width).toBeGreaterThan(100);
  });

  it('refuses a corrupted download (hash mismatch) and fetches it again; never stores it', async () => {
    const central = fakeCentral();
    central.corruptNext = 3;
    const dataDir = join(root, 'corrupt');
    const files = service(dataDir, central, { concurrency: 1 });
    const changes: number[] = [];
    files.onChange(() => changes.push(files.status().ready));
    files.setProject(payload(true));
    await files.prefetch();
    expect(files.status().ready).toBe(2);
    expect(central.calls).toBe(5); // 3 corrupted answers refused, then one good answer per file
    expect(files.status().files.reduce((n, f) => n + f.attempts, 0)).toBe(5);
    expect(changes.at(-1)).toBe(2);
    const stored = readdirSync(join(dataDir, TENDER_FILES_DIR));
    expect(stored.sort()).toEqual([`${sha(fileA.bytes)}.sealed`, `${sha(fileB.bytes)}.sealed`].sort());
    // What is stored opens, under the booth's key, to exactly the published bytes.
    const cache = new TenderFileCache(dataDir, readFileSync(join(dataDir, TENDER_FILES_KEY_FILE)));
    for (const name of stored) expect(sha(cache.read(name.slice(0, 64)) ?? new Uint8Array())).toBe(name.slice(0, 64));
  });

  it('keeps verified files on disk across a restart, re-fetches a damaged copy, deletes other projects’ files', async () => {
    const dataDir = join(root, 'restart');
    const first = service(dataDir, fakeCentral());
    first.setProject(payload(true));
    await first.prefetch();
    await first.close();

    // Damage one cached copy; the central is away.
    const dir = join(dataDir, TENDER_FILES_DIR);
    const pathB = join(dir, `${sha(fileB.bytes)}.sealed`);
    const damaged = readFileSync(pathB);
    damaged[100] = (damaged[100] ?? 0) ^ 0xff;
    writeFileSync(pathB, damaged);
    const central = fakeCentral();
    central.down = true;
    const second = service(dataDir, central);
    second.setProject(payload(true));
    await new Promise((r) => setTimeout(r, 100));
    const ready = () => second.listFiles().filter((f) => f.state === 'ready').map((f) => f.bidderCode);
    expect(ready()).toEqual(['A']); // from the disk, without the central
    expect(second.listFiles().find((f) => f.bidderCode === 'B')?.state).not.toBe('ready');
    central.down = false;
    await second.prefetch();
    expect(ready()).toEqual(['A', 'B']);
    expect(readFileSync(pathB).equals(damaged)).toBe(false); // the damaged copy was replaced

    // Another project: the old files are closed and deleted.
    const next = payload(true);
    next.project = 'SL-2026-0999';
    next.files = [next.files[1]!];
    second.setProject(next);
    expect(existsSync(join(dir, `${sha(fileA.bytes)}.sealed`))).toBe(false);
    await second.prefetch();
    expect(second.listFiles().map((f) => f.bidderCode)).toEqual(['B']);
    second.setProject(null);
    expect(readdirSync(dir)).toEqual([]);
    expect(second.listFiles()).toEqual([]);
  });

  it('seals the copies at rest: no PDF, no bidder name on the disk; another key or an old plain copy is discarded', async () => {
    const dataDir = join(root, 'sealed');
    const central = fakeCentral();
    const first = service(dataDir, central);
    first.setProject(payload(true));
    await first.prefetch();
    await first.close();
    const dir = join(dataDir, TENDER_FILES_DIR);
    const keyFile = join(dataDir, TENDER_FILES_KEY_FILE);
    expect(statSync(keyFile).mode & 0o077).toBe(0); // the key is the booth user's alone
    const onDisk = readdirSync(dir).map((name) => readFileSync(join(dir, name)));
    expect(onDisk).toHaveLength(2);
    for (const bytes of onDisk) {
      expect(bytes.includes(Buffer.from('%PDF'))).toBe(false);
      for (const bidder of [A, B]) {
        for (const name of [bidder.name, ...bidder.aliases]) {
          for (const encoding of ['utf8', 'utf16le'] as const) expect(bytes.includes(Buffer.from(name, encoding))).toBe(false);
        }
      }
      // The plain file's own bytes are nowhere either (the generated PDFs keep their text streams in clear).
      expect(bytes.includes(Buffer.from(fileA.bytes.subarray(0, 64)))).toBe(false);
    }

    // A booth reinstalled with a new key, and a plain copy left by an older version: neither is read.
    writeFileSync(join(dir, `${'0'.repeat(64)}.pdf`), fileA.bytes);
    const callsBefore = central.calls;
    const second = service(dataDir, central, { key: new Uint8Array(32).fill(7) });
    second.setProject(payload(true));
    await second.prefetch();
    expect(central.calls - callsBefore).toBe(2); // both fetched again: the old seals do not open
    expect(readdirSync(dir).sort()).toEqual([`${sha(fileA.bytes)}.sealed`, `${sha(fileB.bytes)}.sealed`].sort());
    const [a] = second.listFiles();
    const page = await second.getPage({ fileId: a!.fileId, page: 1, scale: 0.5 });
    expect(page.width).toBeGreaterThan(100);
  });

  it('a booth upgraded while the central is away keeps its plain copies (sealed now); a key emptied by a power cut means fetching again, not a dead booth', async () => {
    const dataDir = join(root, 'upgrade');
    const dir = join(dataDir, TENDER_FILES_DIR);
    mkdirSync(dir, { recursive: true });
    // What a booth before sealing left on its disk: plain copies of the day's files.
    writeFileSync(join(dir, `${sha(fileA.bytes)}.pdf`), fileA.bytes);
    writeFileSync(join(dir, `${sha(fileB.bytes)}.pdf`), Buffer.concat([Buffer.from(fileB.bytes.subarray(0, 100)), Buffer.from('damaged')]));
    const central = fakeCentral();
    central.down = true;
    const first = service(dataDir, central);
    first.setProject(payload(true));
    await new Promise((r) => setTimeout(r, 100));
    expect(first.listFiles().map((f) => [f.bidderCode, f.state === 'ready'])).toEqual([['A', true], ['B', false]]);
    expect(readdirSync(dir).sort()).toEqual([`${sha(fileA.bytes)}.sealed`]); // A sealed, both plain copies gone
    central.down = false;
    await first.prefetch();
    await first.close();

    // The key file emptied (a power cut right after it was made, on a file system that lost it).
    writeFileSync(join(dataDir, TENDER_FILES_KEY_FILE), '');
    const logged: string[] = [];
    const callsBefore = central.calls;
    const second = service(dataDir, central, { log: (m) => logged.push(m) });
    second.setProject(payload(true));
    await second.prefetch();
    expect(logged).toContain('files: the tender-file key cannot be used; a new one is made and the cached copies are fetched again');
    expect(central.calls - callsBefore).toBe(2);
    expect(readFileSync(join(dataDir, TENDER_FILES_KEY_FILE))).toHaveLength(32);
    expect(second.listFiles().every((f) => f.state === 'ready')).toBe(true);
  });

  it('keeps at most maxOpenDocuments open and reopens a closed one from the disk', async () => {
    const files = service(join(root, 'lru'), fakeCentral(), { maxOpenDocuments: 1 });
    files.setProject(payload(false));
    await files.prefetch();
    const [a, b] = files.listFiles();
    const pa = await files.getPage({ fileId: a!.fileId, page: 2, scale: 0.5 });
    await files.getPage({ fileId: b!.fileId, page: 2, scale: 0.5 });
    const again = await files.getPage({ fileId: a!.fileId, page: 2, scale: 0.5 });
    expect(again.data).toBe(pa.data);
  });
});
