import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';

/**
 * Builds an app's React renderer with Vite's JS API: `<app>/src/renderer` → `<app>/dist/renderer`,
 * relative asset URLs (base './') so the same files work from kawei://app/ in Electron and from the
 * Node host's 127.0.0.1 server.
 *
 * There is no @vitejs/plugin-react: Vite 8 transforms TSX with Oxc, told here to use React's
 * automatic runtime (imports from react/jsx-runtime, no `import React` needed). No Fast Refresh,
 * which a production build does not want anyway.
 *
 * Afterwards the output is checked for anything that would load from the network: the devices have
 * no internet, and a CDN reference would be a blank screen in the evaluation room.
 */

export type RendererApp = 'booth-client' | 'gate-kiosk';
export const RENDERER_APPS: readonly RendererApp[] = ['booth-client', 'gate-kiosk'];

const repoRoot = resolve(fileURLToPath(new URL('..', import.meta.url)));

export interface BuiltFile {
  readonly file: string;
  readonly bytes: number;
  readonly gzipBytes: number;
}

export interface RendererBuild {
  readonly app: RendererApp;
  readonly outDir: string;
  readonly files: readonly BuiltFile[];
}

export async function buildRenderer(app: RendererApp, outDir?: string): Promise<RendererBuild> {
  const root = join(repoRoot, app, 'src', 'renderer');
  const out = resolve(outDir ?? join(repoRoot, app, 'dist', 'renderer'));
  await build({
    root,
    base: './',
    configFile: false,
    envDir: false,
    publicDir: false,
    logLevel: 'warn',
    mode: 'production',
    oxc: { jsx: { runtime: 'automatic', importSource: 'react' } },
    build: {
      outDir: out,
      emptyOutDir: true,
      // Both runtimes are recent Chromium (Electron 39's, Debian's); no legacy output needed.
      target: 'chrome120',
      // Chromium knows modulepreload; the polyfill would only add code.
      modulePreload: { polyfill: false },
      sourcemap: false,
      reportCompressedSize: false,
      // One app, loaded from disk: a single large chunk is fine, the warning would only be noise.
      chunkSizeWarningLimit: 4096,
      rolldownOptions: {
        onLog(level, log, forward) {
          // antd marks its modules "use client" for React Server Components; in a client-only bundle
          // the directive means nothing, and a warning per antd file would bury real warnings.
          if (log.code === 'MODULE_LEVEL_DIRECTIVE' && log.message.includes('"use client"')) return;
          forward(level, log);
        },
      },
    },
  });
  const files = await listBuiltFiles(out);
  await assertNoRemoteReferences(out, files);
  return { app, outDir: out, files };
}

async function listBuiltFiles(dir: string): Promise<BuiltFile[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files: BuiltFile[] = [];
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const content = await readFile(path);
    files.push({ file: relative(dir, path), bytes: (await stat(path)).size, gzipBytes: gzipSync(content).length });
  }
  return files.sort((a, b) => a.file.localeCompare(b.file));
}

/**
 * Things that would make the browser fetch from outside: http(s) or protocol-relative URLs in HTML
 * src/href attributes, in CSS url()/@import, or passed to import()/fetch/new WebSocket/EventSource
 * in JS. URLs that only appear as text (React's error-decoder links, SVG namespaces, doc links in
 * warnings) are not loads and are left alone.
 */
const REMOTE_LOAD_PATTERNS: readonly (readonly [string, RegExp])[] = [
  ['html', /\s(?:src|href|srcset|action|poster|data)\s*=\s*["']?\s*(?:https?:)?\/\/[^"'\s>]+/gi],
  ['css', /url\(\s*["']?\s*(?:https?:)?\/\/[^)"']+/gi],
  ['css', /@import\s+["']\s*(?:https?:)?\/\/[^"']+/gi],
  ['js', /\b(?:import|fetch|EventSource|WebSocket|Worker|importScripts)\s*\(\s*["'`](?:https?:|wss?:)?\/\/[^"'`]+/g],
  ['js', /\bnew\s+(?:WebSocket|EventSource|Worker)\s*\(\s*["'`](?:https?:|wss?:)?\/\/[^"'`]+/g],
  // Well-known CDNs, anywhere in any file: there is no legitimate reason for them to appear.
  ['any', /\b(?:unpkg\.com|cdn\.jsdelivr\.net|cdnjs\.cloudflare\.com|fonts\.googleapis\.com|fonts\.gstatic\.com|at\.alicdn\.com|gw\.alipayobjects\.com)\b[^"'`\s)]*/g],
];

function kindOf(file: string): 'html' | 'css' | 'js' | 'other' {
  if (file.endsWith('.html')) return 'html';
  if (file.endsWith('.css')) return 'css';
  if (file.endsWith('.js') || file.endsWith('.mjs')) return 'js';
  return 'other';
}

export function findRemoteReferences(file: string, text: string): string[] {
  const kind = kindOf(file);
  const found: string[] = [];
  for (const [applies, pattern] of REMOTE_LOAD_PATTERNS) {
    if (applies !== 'any' && applies !== kind) continue;
    for (const match of text.matchAll(pattern)) found.push(match[0].trim());
  }
  return found;
}

async function assertNoRemoteReferences(dir: string, files: readonly BuiltFile[]): Promise<void> {
  const problems: string[] = [];
  for (const { file } of files) {
    if (kindOf(file) === 'other') continue;
    const text = await readFile(join(dir, file), 'utf8');
    for (const reference of findRemoteReferences(file, text)) problems.push(`${file}: ${reference.slice(0, 120)}`);
  }
  if (problems.length > 0) {
    throw new Error(`the renderer bundle references remote resources (no CDN allowed):\n  ${problems.join('\n  ')}`);
  }
}

function formatKiB(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

export function describeBuild(result: RendererBuild): string {
  const lines = result.files.map(
    (f) => `  ${f.file.padEnd(40)} ${formatKiB(f.bytes).padStart(11)}  gzip ${formatKiB(f.gzipBytes).padStart(10)}`,
  );
  const total = result.files.reduce((sum, f) => sum + f.bytes, 0);
  const totalGzip = result.files.reduce((sum, f) => sum + f.gzipBytes, 0);
  return [
    `${result.app} → ${relative(repoRoot, result.outDir)}`,
    ...lines,
    `  ${'total'.padEnd(40)} ${formatKiB(total).padStart(11)}  gzip ${formatKiB(totalGzip).padStart(10)}`,
  ].join('\n');
}

// `node --import tsx scripts/build-renderer.node.ts [app…]` builds the named apps, or both.
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const requested = process.argv.slice(2);
  const unknown = requested.filter((a) => !(RENDERER_APPS as readonly string[]).includes(a));
  if (unknown.length > 0) {
    process.stderr.write(`unknown app(s): ${unknown.join(', ')}; expected ${RENDERER_APPS.join(' or ')}\n`);
    process.exit(2);
  }
  const apps = requested.length > 0 ? (requested as RendererApp[]) : RENDERER_APPS;
  for (const app of apps) process.stdout.write(`${describeBuild(await buildRenderer(app))}\n`);
}
