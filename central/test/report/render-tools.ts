/**
 * Poppler as the report tests' reader: the text a PDF gives back (pdftotext), its fonts (pdffonts),
 * its info (pdfinfo), and whether every word is drawn (pdftoppm pages against pdftotext's word boxes).
 * Files go to a temp dir, removed after each call.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function withFile<T>(pdf: Uint8Array, job: (file: string, dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'kawei-report-test-'));
  try {
    const file = join(dir, 'report.pdf');
    writeFileSync(file, pdf);
    return job(file, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const run = (cmd: string, args: string[]): string => execFileSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });

/** pdftotext's text: reading order, or with `layout` the physical layout (a table row on one line). */
export function pdfText(pdf: Uint8Array, pages?: { first: number; last: number }, layout = false): string {
  return withFile(pdf, (file) =>
    run('pdftotext', [...(pages ? ['-f', String(pages.first), '-l', String(pages.last)] : []), ...(layout ? ['-layout'] : []), '-enc', 'UTF-8', file, '-']),
  );
}

export function pdfInfo(pdf: Uint8Array): Record<string, string> {
  const out = withFile(pdf, (file) => run('pdfinfo', [file]));
  return Object.fromEntries(out.split('\n').flatMap((line) => {
    const at = line.indexOf(':');
    return at < 0 ? [] : [[line.slice(0, at).trim(), line.slice(at + 1).trim()]];
  }));
}

export interface FontLine {
  name: string;
  type: string;
  emb: string;
  sub: string;
  uni: string;
}

export function pdfFonts(pdf: Uint8Array): FontLine[] {
  const out = withFile(pdf, (file) => run('pdffonts', [file]));
  return out
    .split('\n')
    .slice(2)
    .filter((l) => l.trim())
    .map((line) => {
      // name, type (may contain spaces), encoding, emb, sub, uni, object, id
      const parts = line.trim().split(/\s+/);
      const n = parts.length;
      return { name: parts[0] ?? '', type: parts.slice(1, n - 6).join(' '), emb: parts[n - 5] ?? '', sub: parts[n - 4] ?? '', uni: parts[n - 3] ?? '' };
    });
}

export interface WordBox {
  page: number;
  text: string;
  xMin: number;
  yMin: number;
  xMax: number;
  yMax: number;
}

/** Words with their boxes (PDF points from the page's top left), from `pdftotext -bbox-layout`. */
export function wordBoxes(pdf: Uint8Array, pages?: { first: number; last: number }): WordBox[] {
  const html = withFile(pdf, (file) => run('pdftotext', [...(pages ? ['-f', String(pages.first), '-l', String(pages.last)] : []), '-bbox-layout', '-enc', 'UTF-8', file, '-']));
  const words: WordBox[] = [];
  let page = (pages?.first ?? 1) - 1;
  const re = /<page\b|<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g;
  for (const m of html.matchAll(re)) {
    if (m[0] === '<page') {
      page += 1;
      continue;
    }
    words.push({ page, xMin: Number(m[1]), yMin: Number(m[2]), xMax: Number(m[3]), yMax: Number(m[4]), text: decodeEntities(m[5] ?? '') });
  }
  return words;
}

function decodeEntities(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
}

interface GrayPage {
  width: number;
  height: number;
  pixels: Uint8Array;
}

/** A binary PGM (P5) as pdftoppm -gray writes it. */
function readPgm(bytes: Buffer): GrayPage {
  let at = 0;
  const tokens: string[] = [];
  while (tokens.length < 4) {
    while (at < bytes.length && /\s/.test(String.fromCharCode(bytes[at] as number))) at++;
    if (bytes[at] === 0x23) {
      while (at < bytes.length && bytes[at] !== 0x0a) at++;
      continue;
    }
    let token = '';
    while (at < bytes.length && !/\s/.test(String.fromCharCode(bytes[at] as number))) token += String.fromCharCode(bytes[at++] as number);
    tokens.push(token);
  }
  at++; // the one whitespace after maxval
  const [magic, w, h] = tokens;
  if (magic !== 'P5') throw new Error(`not a binary PGM: ${magic}`);
  return { width: Number(w), height: Number(h), pixels: new Uint8Array(bytes.buffer, bytes.byteOffset + at, Number(w) * Number(h)) };
}

/** Pages rendered in grey at `dpi` (pdftoppm -gray), 1-based page → pixels. */
export function grayPages(pdf: Uint8Array, dpi: number, pages?: { first: number; last: number }): Map<number, GrayPage> {
  return withFile(pdf, (file, dir) => {
    run('pdftoppm', ['-r', String(dpi), '-gray', ...(pages ? ['-f', String(pages.first), '-l', String(pages.last)] : []), file, join(dir, 'p')]);
    const out = new Map<number, GrayPage>();
    for (const name of readdirSync(dir)) {
      const m = /^p-0*(\d+)\.pgm$/.exec(name);
      if (m) out.set(Number(m[1]), readPgm(readFileSync(join(dir, name))));
    }
    return out;
  });
}

/**
 * Words whose box holds no dark pixel on the rendered page: text that extracts but is not drawn
 * (the blank-glyph failure of a bad CJK font embedding). `dark` is a grey level (0 black … 255 white).
 */
export function blankWords(pdf: Uint8Array, options: { dpi?: number; dark?: number; pages?: { first: number; last: number } } = {}): WordBox[] {
  const dpi = options.dpi ?? 50;
  const dark = options.dark ?? 200;
  const scale = dpi / 72;
  const images = grayPages(pdf, dpi, options.pages);
  return wordBoxes(pdf, options.pages).filter((word) => {
    const image = images.get(word.page);
    if (image === undefined) return true;
    const x0 = Math.max(0, Math.floor(word.xMin * scale));
    const x1 = Math.min(image.width - 1, Math.ceil(word.xMax * scale));
    const y0 = Math.max(0, Math.floor(word.yMin * scale));
    const y1 = Math.min(image.height - 1, Math.ceil(word.yMax * scale));
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) if ((image.pixels[y * image.width + x] as number) < dark) return false;
    }
    return true;
  });
}
