import { boothContract } from '@kawei/shared/contract/booth.contract.ts';
import { APP_LAYOUT } from '@kawei/shared/electron/app-layout.ts';
import { runSecureApp } from '@kawei/shared/electron/secure-app.main.ts';
import { createBoothServices } from './services/booth-services.node.ts';

/** Electron entry of the booth client; bundled to dist-electron/app.main.cjs (package.json "main"). */
runSecureApp({
  contract: boothContract,
  createServices: createBoothServices,
  rendererDir: APP_LAYOUT.rendererDir,
  preloadPath: APP_LAYOUT.preloadBundle,
  title: 'Kawei 卡位 · Booth',
});
