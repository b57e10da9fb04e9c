import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Configuration } from 'electron-builder';
import electronPackage from 'electron/package.json' with { type: 'json' };
import { buildElectron, type ElectronApp } from './build-electron.node.ts';
import { buildRenderer } from './build-renderer.node.ts';

/**
 * Packages one app with electron-builder (npm run package:booth / package:gate):
 *
 *   node --import tsx scripts/package-electron.node.ts <booth-client|gate-kiosk> [--linux] [--win]
 *
 * Without a platform flag electron-builder builds the current OS's targets (Linux: AppImage + deb,
 * Windows: NSIS). Both apps share electron-builder.yml; this script runs electron-builder with
 * projectDir = the app directory, extending that file with the app's identity.
 *
 * Why a script rather than `electron-builder --projectDir … -c.…` in package.json: electron-builder
 * needs an exact Electron version, and in this workspace electron is a root devDependency with a
 * range (^39…) that it cannot resolve from the app directory; the installed version is read here.
 *
 * Note: electron-builder rebuilds better-sqlite3 in the (hoisted) node_modules for Electron's ABI.
 * Afterwards the Node host and the tests need `npm rebuild better-sqlite3` to get the Node build back,
 * so package on a CI job of its own.
 */

const REPO_ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
export const BASE_CONFIG_FILE = join(REPO_ROOT, 'electron-builder.yml');

interface AppIdentity {
  appId: string;
  /** Shown to people: window title bar, Start menu, installer. */
  productName: string;
  /** Executable, Linux package, artifact and userData directory name: lowercase, no spaces. */
  packageName: string;
}

export const APP_IDENTITIES: Readonly<Record<ElectronApp, AppIdentity>> = {
  'booth-client': { appId: 'org.kawei.booth', productName: 'Kawei Booth', packageName: 'kawei-booth' },
  'gate-kiosk': { appId: 'org.kawei.gate', productName: 'Kawei Gate', packageName: 'kawei-gate' },
};

/** What each app adds to electron-builder.yml. */
export function appConfiguration(app: ElectronApp, electronVersion = electronPackage.version): Configuration {
  const { appId, productName, packageName } = APP_IDENTITIES[app];
  return {
    extends: BASE_CONFIG_FILE,
    appId,
    productName,
    executableName: packageName,
    // The workspace names (@kawei/booth-client) are scoped; the packaged app gets a plain name, which
    // is also what the deb package and Electron's userData directory are called.
    extraMetadata: { name: packageName },
    electronVersion,
  };
}

export async function packageApp(app: ElectronApp, platforms: { linux?: boolean; win?: boolean } = {}): Promise<string[]> {
  await buildRenderer(app);
  await buildElectron(app);
  return build({
    projectDir: join(REPO_ROOT, app),
    config: appConfiguration(app),
    // [] = the targets configured in electron-builder.yml for that platform.
    ...(platforms.linux ? { linux: [] } : {}),
    ...(platforms.win ? { win: [] } : {}),
    publish: 'never',
  });
}

const runDirectly = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (runDirectly) {
  const [app, ...flags] = process.argv.slice(2);
  if (app !== 'booth-client' && app !== 'gate-kiosk') {
    console.error('usage: package-electron.node.ts <booth-client|gate-kiosk> [--linux] [--win]');
    process.exit(2);
  }
  const artifacts = await packageApp(app, { linux: flags.includes('--linux'), win: flags.includes('--win') });
  for (const artifact of artifacts) process.stdout.write(`${artifact}\n`);
}
