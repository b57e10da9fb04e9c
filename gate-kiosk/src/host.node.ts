import { fileURLToPath } from 'node:url';
import { gateContract } from '@kawei/shared/contract/gate.contract.ts';
import { runAppHostCli } from '@kawei/shared/host/app-host-cli.node.ts';
import { createGateServices } from './services/gate-services.node.ts';
import pkg from '../package.json' with { type: 'json' };

/** Runs the gate kiosk without Electron: services + renderer served to Chromium on 127.0.0.1. */
await runAppHostCli({
  app: 'gate',
  contract: gateContract,
  createServices: createGateServices,
  rendererDir: fileURLToPath(new URL('../dist/renderer', import.meta.url)),
  appVersion: pkg.version,
});
