import { fileURLToPath } from 'node:url';
import { boothContract } from '@kawei/shared/contract/booth.contract.ts';
import { runAppHostCli } from '@kawei/shared/host/app-host-cli.node.ts';
import { createBoothServices } from './services/booth-services.node.ts';
import pkg from '../package.json' with { type: 'json' };

/** Runs the booth client without Electron: services + renderer served to Chromium on 127.0.0.1. */
await runAppHostCli({
  app: 'booth',
  contract: boothContract,
  createServices: createBoothServices,
  rendererDir: fileURLToPath(new URL('../dist/renderer', import.meta.url)),
  appVersion: pkg.version,
});
