import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions } from 'esbuild';
import { APP_LAYOUT, ELECTRON_OUT_DIR } from '@kawei/shared/electron/app-layout.ts';

/**
 * Bundles an app's Electron main and preload into CommonJS files under <app>/dist-electron. The
 * renderer is built separately by Vite (scripts/build-renderer.node.ts).
 *
 * CommonJS because a sandboxed preload cannot be an ES module, and keeping main in the same format
 * keeps one build recipe. node22 is the Node inside Electron 39.
 */
export type ElectronApp = 'booth-client' | 'gate-kiosk';
export const ELECTRON_APPS: readonly ElectronApp[] = ['booth-client', 'gate-kiosk'];

const REPO_ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

/**
 * Not bundled, loaded from node_modules at run time: electron is provided by the runtime itself;
 * better-sqlite3, serialport, pkcs11js, @napi-rs/canvas and sharp load compiled .node files (rebuilt for
 * Electron's ABI by electron-builder, shipped beside the asar: electron-builder.yml); ws's
 * optional native accelerators are left to `require` failing softly as ws expects.
 */
export const NATIVE_EXTERNALS = [
  'electron',
  'better-sqlite3',
  'bufferutil',
  'utf-8-validate',
  'fsevents',
  // The gate's serial ports, the booth's USB key (PKCS#11) and the PDF renderer's canvas.
  'serialport',
  '@serialport/bindings-cpp',
  'pkcs11js',
  'graphene-pk11',
  '@napi-rs/canvas',
  // Photo decoding (JPEG/PNG/WebP, EXIF) for the face pipeline: a .node file plus libvips from @img/*.
  'sharp',
];

export interface ElectronBuildResult {
  mainBundle: string;
  preloadBundle: string;
}

export interface ElectronBuildOptions {
  /** Where to write the two bundles; defaults to <app>/dist-electron. Tests use a temp directory. */
  outDir?: string;
}

export async function buildElectron(app: ElectronApp, options: ElectronBuildOptions = {}): Promise<ElectronBuildResult> {
  const appDir = join(REPO_ROOT, app);
  const outDir = options.outDir ?? join(appDir, ELECTRON_OUT_DIR);
  const mainBundle = join(outDir, fileName(APP_LAYOUT.mainBundle));
  const preloadBundle = join(outDir, fileName(APP_LAYOUT.preloadBundle));

  await Promise.all([
    build({
      ...commonOptions,
      entryPoints: [join(appDir, 'src/app.main.ts')],
      outfile: mainBundle,
      external: NATIVE_EXTERNALS,
      ...importMetaForCommonJs,
    }),
    build({
      ...commonOptions,
      entryPoints: [join(appDir, 'src/app.preload.ts')],
      outfile: preloadBundle,
      // A sandboxed preload can require nothing but electron (and a few polyfilled modules): everything
      // else must be inside the bundle, so electron is the only external.
      external: ['electron'],
    }),
  ]);
  return { mainBundle, preloadBundle };
}

const commonOptions: BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node22',
  sourcemap: 'linked',
  logLevel: 'warning',
  absWorkingDir: REPO_ROOT,
};

/**
 * The shared Node code is written as ES modules and may use import.meta.url / dirname / filename,
 * which do not exist in CommonJS; esbuild would leave them empty. Map them to their CommonJS
 * equivalents for the main bundle.
 */
const importMetaForCommonJs: BuildOptions = {
  banner: { js: 'const __kaweiImportMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
  define: {
    'import.meta.url': '__kaweiImportMetaUrl',
    'import.meta.dirname': '__dirname',
    'import.meta.filename': '__filename',
  },
};

function fileName(layoutPath: string): string {
  return layoutPath.slice(layoutPath.lastIndexOf('/') + 1);
}

const runDirectly = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (runDirectly) {
  for (const app of ELECTRON_APPS) {
    const { mainBundle, preloadBundle } = await buildElectron(app);
    process.stdout.write(`${app}: ${mainBundle}\n${app}: ${preloadBundle}\n`);
  }
}
