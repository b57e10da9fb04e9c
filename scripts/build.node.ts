import { buildRenderer } from './build-renderer.node.ts';
import { buildElectron } from './build-electron.node.ts';

/**
 * Builds what the apps need to run: the React renderers (served by the Node host here, by the
 * kawei:// protocol in Electron) and the Electron main/preload bundles (checked here, run on devices).
 * `build.node.ts renderer` builds only the renderers (what `npm start` needs).
 */
const APPS = ['booth-client', 'gate-kiosk'] as const;
const only = process.argv[2];

for (const app of APPS) {
  const started = Date.now();
  await buildRenderer(app);
  if (only !== 'renderer') await buildElectron(app);
  process.stdout.write(`built ${app} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}
