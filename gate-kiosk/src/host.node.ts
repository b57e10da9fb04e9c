import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { gateContract } from '@kawei/shared/contract/gate.contract.ts';
import { runAppHostCli } from '@kawei/shared/host/app-host-cli.node.ts';
import { createGateServices } from './services/gate-services.node.ts';
import { GateConfigError, loadGateConfig } from './services/gate-config.ts';
import pkg from '../package.json' with { type: 'json' };
import { bilingual } from '@kawei/shared/i18n/bilingual.ts';

/**
 * Runs the gate kiosk without Electron: services + renderer served to Chromium on 127.0.0.1.
 * Gate-only option: `--config FILE` (the technician's gate config: devices, liveness, staff PIN);
 * everything else is the shared host's command line.
 */
function splitConfigArg(argv: readonly string[]): { configFile: string | undefined; rest: string[] } {
  const rest: string[] = [];
  let configFile: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--config' || arg.startsWith('--config=')) {
      const value = arg === '--config' ? argv[++i] : arg.slice('--config='.length);
      if (value === undefined || value === '' || value.startsWith('--')) {
        process.stderr.write(`${bilingual('host.cli.configNeedsFile')}\n`);
        process.exit(2);
      }
      configFile = resolve(value);
    } else {
      rest.push(arg);
    }
  }
  return { configFile, rest };
}

const { configFile, rest } = splitConfigArg(process.argv.slice(2));
let config;
try {
  config = loadGateConfig(configFile);
} catch (error) {
  if (!(error instanceof GateConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(2);
}

await runAppHostCli({
  app: 'gate',
  contract: gateContract,
  createServices: (options) => createGateServices({ ...options, config, ...(configFile ? { configFile } : {}) }),
  rendererDir: fileURLToPath(new URL('../dist/renderer', import.meta.url)),
  appVersion: pkg.version,
  argv: rest,
});
