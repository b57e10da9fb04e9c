import { boothContract } from '@kawei/shared/contract/booth.contract.ts';
import { APP_LAYOUT } from '@kawei/shared/electron/app-layout.ts';
import { runSecureApp } from '@kawei/shared/electron/secure-app.main.ts';
import { refuseTestOnlySettingsWhenPackaged } from '@kawei/shared/device/test-only-settings.ts';
import { createBoothServices } from './services/booth-services.node.ts';
import { boothTestOnlySettings, loadBoothConfig } from './services/booth-config.ts';

/** Electron entry of the booth client; bundled to dist-electron/app.main.cjs (package.json "main"). */
runSecureApp({
  contract: boothContract,
  // The technician's config (<userData>/config.json); a packaged build refuses test-only settings.
  createServices: (context) => {
    const config = loadBoothConfig(context.configFile);
    refuseTestOnlySettingsWhenPackaged(boothTestOnlySettings(config), context.isPackaged);
    return createBoothServices({ dataDir: context.dataDir, appVersion: context.appVersion, config });
  },
  rendererDir: APP_LAYOUT.rendererDir,
  preloadPath: APP_LAYOUT.preloadBundle,
  title: 'Kawei 卡位 · Booth',
});
