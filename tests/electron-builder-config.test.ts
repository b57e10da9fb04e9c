import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, matchesGlob, relative, resolve } from 'node:path';
import { extractAll } from '@electron/asar';
import { Ajv, type AnySchema } from 'ajv';
import { build } from 'electron-builder';
import { load as loadYaml } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_LAYOUT } from '@kawei/shared/electron/app-layout.ts';
import { APP_ENTRY_URL } from '@kawei/shared/electron/secure-policy.ts';
import { buildElectron } from '../scripts/build-electron.node.ts';
import { buildRenderer } from '../scripts/build-renderer.node.ts';
import { APP_IDENTITIES, appConfiguration, BASE_CONFIG_FILE } from '../scripts/package-electron.node.ts';
import { createFakeMainElectron, loadCommonJsBundle, requireFrom } from './support/fake-electron.ts';

/**
 * electron-builder.yml is checked against electron-builder's own JSON schema (the one it validates
 * with at build time), and its `files` globs against what the build scripts really write. Real
 * packaging downloads Electron, which this machine cannot; the last part runs electron-builder with a
 * stand-in Electron distribution instead, and starts the packed main bundle to prove the package
 * holds everything it loads at run time.
 */

const REPO_ROOT = resolve(import.meta.dirname, '..');
const require = createRequire(import.meta.url);

interface BaseConfig {
  files: string[];
  asarUnpack: string[];
  [key: string]: unknown;
}

async function loadBaseConfig(): Promise<BaseConfig> {
  return loadYaml(await readFile(BASE_CONFIG_FILE, 'utf8'), { filename: BASE_CONFIG_FILE }) as BaseConfig;
}

function electronBuilderValidator() {
  const schema = require('app-builder-lib/scheme.json') as AnySchema;
  const ajv = new Ajv({ allErrors: true });
  // The schema's one non-standard keyword: hooks may be functions in a JS config (never in YAML).
  ajv.addKeyword({ keyword: 'typeof', schemaType: 'string', validate: (type: string, data: unknown) => typeof data === type });
  return ajv.compile(schema);
}

/** electron-builder's file-set semantics for a flat list: patterns apply in order, the last match wins. */
function isPackaged(file: string, patterns: readonly string[]): boolean {
  let packaged = false;
  for (const pattern of patterns) {
    const negated = pattern.startsWith('!');
    if (matchesGlob(file, negated ? pattern.slice(1) : pattern)) packaged = !negated;
  }
  return packaged;
}

/** What the main bundle loads from node_modules at run time, as paths inside the packaged app. */
const RUNTIME_MODULE_FILES = [
  'better-sqlite3/package.json',
  'better-sqlite3/lib/index.js',
  'better-sqlite3/build/Release/better_sqlite3.node',
  'bindings/bindings.js',
  'file-uri-to-path/index.js',
].map((file) => `node_modules/${relative(join(REPO_ROOT, 'node_modules'), require.resolve(file))}`);

describe('electron-builder.yml', () => {
  it("is valid against electron-builder's schema", async () => {
    const validate = electronBuilderValidator();
    const valid = validate(await loadBaseConfig());
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it.each(Object.keys(APP_IDENTITIES) as (keyof typeof APP_IDENTITIES)[])('%s: the per-app additions are valid too', (app) => {
    const validate = electronBuilderValidator();
    const config = appConfiguration(app, '39.0.0');
    expect(validate(config), JSON.stringify(validate.errors)).toBe(true);
    expect(config.extends).toBe(BASE_CONFIG_FILE);
    expect(config.executableName).toMatch(/^[a-z][a-z0-9-]*$/);
  });

  it('packages Linux AppImage + deb and a Windows assisted NSIS installer, hardened for a kiosk', async () => {
    const config = await loadBaseConfig();
    expect(config).toMatchObject({
      linux: { target: ['AppImage', 'deb'], category: expect.any(String) as unknown, maintainer: expect.stringMatching(/<.+@.+>/) as unknown },
      win: { target: ['nsis'] },
      nsis: { oneClick: false, perMachine: true, deleteAppDataOnUninstall: false },
      asar: true,
      publish: null,
      electronFuses: { runAsNode: false, onlyLoadAppFromAsar: true, enableNodeCliInspectArguments: false },
    });
  });

  it('packs exactly the native modules the bundles load, and unpacks the addon from the asar', async () => {
    const { files, asarUnpack } = await loadBaseConfig();
    expect(RUNTIME_MODULE_FILES.filter((file) => !isPackaged(file, files))).toEqual([]);
    for (const bundledAway of ['node_modules/antd/package.json', 'node_modules/react/index.js', 'node_modules/zod/package.json', 'node_modules/@kawei/shared/package.json']) {
      expect(isPackaged(bundledAway, files), bundledAway).toBe(false);
    }
    const addon = RUNTIME_MODULE_FILES.find((file) => file.endsWith('.node'))!;
    expect(isPackaged(addon, asarUnpack)).toBe(true);
  });

  describe('against a real build of gate-kiosk', () => {
    const appDir = join(REPO_ROOT, 'gate-kiosk');
    let produced: string[];

    beforeAll(async () => {
      const renderer = await buildRenderer('gate-kiosk');
      const electron = await buildElectron('gate-kiosk');
      produced = [
        ...renderer.files.map((f) => relative(appDir, join(renderer.outDir, f.file))),
        relative(appDir, electron.mainBundle),
        relative(appDir, electron.preloadBundle),
      ];
    }, 60_000);

    it('builds to the directories the layout names', () => {
      expect(produced).toContain(APP_LAYOUT.mainBundle);
      expect(produced).toContain(APP_LAYOUT.preloadBundle);
      expect(produced).toContain(`${APP_LAYOUT.rendererDir}/index.html`);
    });

    it('packs every file the build produces, and every build-output glob matches something', async () => {
      const { files } = await loadBaseConfig();
      expect(produced.filter((file) => !isPackaged(file, files))).toEqual([]);
      const outputGlobs = files.filter((p) => !p.startsWith('!') && !p.startsWith('node_modules/') && p !== 'package.json');
      expect(outputGlobs.length).toBeGreaterThan(0);
      for (const pattern of outputGlobs) expect(produced.some((file) => matchesGlob(file, pattern)), pattern).toBe(true);
    });

    it('packs package.json, whose main is the bundled main process, and leaves source maps out', async () => {
      const { files } = await loadBaseConfig();
      const pkg = JSON.parse(await readFile(join(appDir, 'package.json'), 'utf8')) as { main: string };
      expect(isPackaged('package.json', files)).toBe(true);
      expect(pkg.main).toBe(APP_LAYOUT.mainBundle);
      expect(isPackaged(pkg.main, files)).toBe(true);
      expect(isPackaged(`${APP_LAYOUT.mainBundle}.map`, files)).toBe(false);
    });

    describe('electron-builder --linux dir, with a stand-in Electron distribution', () => {
      let workDir: string;
      let unpacked: string;

      beforeAll(async () => {
        workDir = await mkdtemp(join(tmpdir(), 'kawei-electron-builder-'));
        const electronDist = await createStandInElectronDist(join(workDir, 'electron-dist'));
        await build({
          projectDir: appDir,
          config: {
            ...appConfiguration('gate-kiosk'),
            electronDist,
            directories: { output: join(workDir, 'release') },
            // The stand-in binary has no fuse sentinel to flip, and a rebuild would download
            // Electron's headers; both need the real Electron, which this machine cannot fetch.
            electronFuses: null,
            npmRebuild: false,
          },
          linux: ['dir'],
          publish: 'never',
        });
        unpacked = join(workDir, 'release', 'linux-unpacked');
      }, 120_000);
      afterAll(async () => {
        await rm(workDir, { recursive: true, force: true });
      });

      it('names the executable after the app and keeps only the zh-CN and en-US locales', async () => {
        expect((await stat(join(unpacked, 'kawei-gate'))).isFile()).toBe(true);
        expect((await readdir(join(unpacked, 'locales'))).sort()).toEqual(['en-US.pak', 'zh-CN.pak']);
      });

      it('ships the face models beside the asar, where the packaged app looks for them', async () => {
        const models = join(unpacked, 'resources', 'models');
        for (const dir of ['facemesh-detection-short', 'facemesh', 'face-recognition']) {
          expect((await readdir(join(models, dir))).length, dir).toBeGreaterThan(0);
        }
      });

      it('packs an app whose main process starts from the package alone', async () => {
        const appPath = join(workDir, 'app');
        extractAll(join(unpacked, 'resources', 'app.asar'), appPath);
        // Electron reads app.asar.unpacked transparently; a plain directory needs the two merged.
        const addon = RUNTIME_MODULE_FILES.find((file) => file.endsWith('.node'))!;
        const unpackedAddon = join(unpacked, 'resources', 'app.asar.unpacked', addon);
        await writeFile(join(appPath, addon), await readFile(unpackedAddon));

        const packagedJson = JSON.parse(await readFile(join(appPath, 'package.json'), 'utf8')) as { name: string; main: string };
        expect(packagedJson).toMatchObject({ name: 'kawei-gate', main: APP_LAYOUT.mainBundle });

        const fake = createFakeMainElectron({ appPath, userData: join(workDir, 'userData'), version: '0.1.0' });
        const mainBundle = join(appPath, packagedJson.main);
        // Externals resolve from the packaged app only, not from the repo's node_modules.
        loadCommonJsBundle(mainBundle, await readFile(mainBundle, 'utf8'), fake.electron, requireFrom(appPath));
        fake.becomeReady();
        await fake.started;
        try {
          expect(fake.exitCode).toBeNull();
          expect(fake.windows[0]?.loadedUrl).toBe(APP_ENTRY_URL);
          const index = await fake.protocolHandlers.get('kawei')!(new Request(APP_ENTRY_URL));
          expect(index.status).toBe(200);
          const getStatus = fake.ipcHandlers.get('gate:getStatus')!;
          await expect(getStatus({ senderFrame: { url: APP_ENTRY_URL, parent: null } }, {})).resolves.toMatchObject({ ok: true });
        } finally {
          fake.emitApp('will-quit', { preventDefault: () => {} });
          await new Promise((done) => setTimeout(done, 50));
        }
      });
    });
  });
});

/** The files electron-builder copies from an unpacked Electron: an executable, locales, resources/. */
async function createStandInElectronDist(dir: string): Promise<string> {
  await mkdir(join(dir, 'locales'), { recursive: true });
  await mkdir(join(dir, 'resources'), { recursive: true });
  await writeFile(join(dir, 'electron'), '#!/bin/sh\necho "stand-in for the Electron binary"\n');
  await chmod(join(dir, 'electron'), 0o755);
  for (const locale of ['en-US', 'zh-CN', 'fr', 'de']) await writeFile(join(dir, 'locales', `${locale}.pak`), '');
  await writeFile(join(dir, 'version'), '39.0.0');
  return dir;
}
