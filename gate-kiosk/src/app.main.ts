import { gateContract } from '@kawei/shared/contract/gate.contract.ts';
import { APP_LAYOUT } from '@kawei/shared/electron/app-layout.ts';
import { runSecureApp } from '@kawei/shared/electron/secure-app.main.ts';
import { refuseTestOnlySettingsWhenPackaged } from '@kawei/shared/device/test-only-settings.ts';
import { createGateServices } from './services/gate-services.node.ts';
import { gateTestOnlySettings, loadGateConfig } from './services/gate-config.ts';

/** Electron entry of the gate kiosk; bundled to dist-electron/app.main.cjs (package.json "main"). */
runSecureApp({
  contract: gateContract,
  // The technician's config (<userData>/config.json); a packaged build refuses test-only settings.
  createServices: (context) => {
    const config = loadGateConfig(context.configFile);
    refuseTestOnlySettingsWhenPackaged(gateTestOnlySettings(config), context.isPackaged);
    return createGateServices({ dataDir: context.dataDir, appVersion: context.appVersion, config });
  },
  rendererDir: APP_LAYOUT.rendererDir,
  preloadPath: APP_LAYOUT.preloadBundle,
  title: 'Kawei 卡位 · Gate',
});
