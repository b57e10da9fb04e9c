import { gateContract } from '@kawei/shared/contract/gate.contract.ts';
import { APP_LAYOUT } from '@kawei/shared/electron/app-layout.ts';
import { runSecureApp } from '@kawei/shared/electron/secure-app.main.ts';
import { createGateServices } from './services/gate-services.node.ts';

/** Electron entry of the gate kiosk; bundled to dist-electron/app.main.cjs (package.json "main"). */
runSecureApp({
  contract: gateContract,
  createServices: createGateServices,
  rendererDir: APP_LAYOUT.rendererDir,
  preloadPath: APP_LAYOUT.preloadBundle,
  title: 'Kawei 卡位 · Gate',
});
