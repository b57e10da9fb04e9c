import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { boothContract } from '@kawei/shared/contract/booth.contract.ts';
import { runAppHostCli } from '@kawei/shared/host/app-host-cli.node.ts';
import { createBoothServices } from './services/booth-services.node.ts';
import { BoothConfigError, loadBoothConfig, type BoothConfig } from './services/booth-config.ts';
import pkg from '../package.json' with { type: 'json' };
import { bilingual } from '@kawei/shared/i18n/bilingual.ts';

/**
 * Runs the booth client without Electron: services + renderer served to Chromium on 127.0.0.1.
 * Booth-only option: `--config FILE` (the technician's booth config: PKCS#11 module, trusted CAs,
 * token slot, re-check interval, absence limit, liveness); everything else is the shared host's
 * command line.
 */
function takeConfigOption(argv: readonly string[]): { configFile: string | undefined; rest: string[] } {
  const rest: string[] = [];
  let configFile: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg !== '--config' && !arg.startsWith('--config=')) {
      rest.push(arg);
      continue;
    }
    const value = arg === '--config' ? argv[++i] : arg.slice('--config='.length);
    if (value === undefined || value === '' || value.startsWith('--')) {
      process.stderr.write(`${bilingual('host.cli.configNeedsFile')}\n`);
      process.exit(2);
    }
    configFile = resolve(value);
  }
  return { configFile, rest };
}

const { configFile, rest } = takeConfigOption(process.argv.slice(2));
let config: BoothConfig;
try {
  config = loadBoothConfig(configFile);
} catch (error) {
  if (!(error instanceof BoothConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(2);
}

await runAppHostCli({
  app: 'booth',
  contract: boothContract,
  createServices: (options) => createBoothServices({ ...options, config }),
  rendererDir: fileURLToPath(new URL('../dist/renderer', import.meta.url)),
  appVersion: pkg.version,
  argv: rest,
});
