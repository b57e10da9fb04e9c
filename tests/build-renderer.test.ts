import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildRenderer, findRemoteReferences } from '../scripts/build-renderer.node.ts';

describe('findRemoteReferences', () => {
  it('flags loads from the network', () => {
    expect(findRemoteReferences('index.html', '<script src="https://cdn.example/x.js"></script>')).toHaveLength(1);
    expect(findRemoteReferences('index.html', '<link href="//fonts.example/a.css">')).toHaveLength(1);
    expect(findRemoteReferences('a.css', '@font-face{src:url(https://x/f.woff2)}')).toHaveLength(1);
    expect(findRemoteReferences('a.css', '@import "http://x/a.css";')).toHaveLength(1);
    expect(findRemoteReferences('a.js', 'import("https://esm.sh/react")')).toHaveLength(1);
    expect(findRemoteReferences('a.js', 'fetch(`https://api.example/x`)')).toHaveLength(1);
    expect(findRemoteReferences('a.js', 'const u="https://cdn.jsdelivr.net/npm/x"')).toHaveLength(1);
  });

  it('leaves URLs that are only text alone', () => {
    expect(findRemoteReferences('a.js', 'createElementNS("http://www.w3.org/2000/svg","svg")')).toEqual([]);
    expect(findRemoteReferences('a.js', '"https://react.dev/errors/"+code')).toEqual([]);
    expect(findRemoteReferences('index.html', '<script type="module" src="./assets/index.js"></script>')).toEqual([]);
  });
});

describe('buildRenderer', () => {
  const outDirs: string[] = [];
  afterAll(async () => {
    for (const dir of outDirs) await rm(dir, { recursive: true, force: true });
  });

  it('builds the booth renderer with relative URLs and its CSP', async () => {
    const outDir = await mkdtemp(join(tmpdir(), 'kawei-renderer-'));
    outDirs.push(outDir);
    const result = await buildRenderer('booth-client', outDir);
    const html = await readFile(join(outDir, 'index.html'), 'utf8');
    expect(html).toContain('<html lang="zh-CN">');
    expect(html).toMatch(/http-equiv="Content-Security-Policy"[\s\S]*script-src 'self';/);
    expect(html).toMatch(/<script type="module"[^>]* src="\.\/assets\/[^"]+\.js"/);
    expect(result.files.some((f) => f.file.endsWith('.js'))).toBe(true);
  }, 120_000);
});
