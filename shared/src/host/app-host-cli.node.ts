import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { existsSync } from 'node:fs';
import type { Contract } from '../contract/contract.ts';
import type { AppServices, DeviceAppOptions } from '../device/device-app-services.node.ts';
import { startAppHost } from './app-host.node.ts';
import { openAppWindow } from './chromium.node.ts';
import { bilingual, bilingualLines } from '../i18n/bilingual.ts';

export interface AppHostCliOptions<K extends Contract> {
  app: 'booth' | 'gate';
  contract: K;
  createServices: (options: DeviceAppOptions) => AppServices<K>;
  rendererDir: string;
  appVersion: string;
  argv?: string[];
}

const USAGE = bilingualLines('host.cli.usage');

/**
 * The command line of an app's Node host: opens the data directory, starts the services and the
 * host, prints one JSON line `{"event":"listening",…}` (tests and the demo wait for it), and opens
 * a Chromium app window when asked and a display exists. SIGINT/SIGTERM close everything cleanly.
 *
 * The launch secret is never printed unless `--print-launch-url` asks for it (a developer, the test
 * harness): stdout ends up in terminals, logs and journals other people read. `--open` hands it to
 * Chromium over the DevTools pipe, not on a command line (chromium.node.ts).
 */
export async function runAppHostCli<K extends Contract>(cli: AppHostCliOptions<K>): Promise<void> {
  let values: { data?: string; port?: string; open?: boolean; 'link-interval'?: string; 'print-launch-url'?: boolean };
  try {
    ({ values } = parseArgs({
      args: cli.argv ?? process.argv.slice(2),
      options: {
        data: { type: 'string' },
        port: { type: 'string' },
        open: { type: 'boolean', default: false },
        'link-interval': { type: 'string' },
        'print-launch-url': { type: 'boolean', default: false },
      },
      strict: true,
    }));
  } catch (error) {
    fail(`${bilingual('host.cli.badArguments', { reason: (error as Error).message })}\n${USAGE}`);
  }
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`${bilingual('host.cli.badPort', { port: String(values.port) })}\n${USAGE}`);
  const linkIntervalMs = values['link-interval'] === undefined ? undefined : Number(values['link-interval']);
  if (linkIntervalMs !== undefined && (!Number.isInteger(linkIntervalMs) || linkIntervalMs < 100)) {
    fail(bilingual('host.cli.badLinkInterval', { value: String(values['link-interval']) }));
  }
  if (!existsSync(resolve(cli.rendererDir, 'index.html'))) {
    fail(bilingual('host.cli.notBuilt', { dir: cli.rendererDir }));
  }
  const dataDir = resolve(values.data ?? `.kawei-data/${cli.app}`);

  const services = cli.createServices({ dataDir, appVersion: cli.appVersion, linkIntervalMs });
  const host = await startAppHost({
    contract: cli.contract,
    dispatch: services.dispatch,
    events: services.events,
    rendererDir: cli.rendererDir,
    port,
  });
  const launchUrl = values['print-launch-url'] ? { launchUrl: host.launchUrl } : {};
  process.stdout.write(`${JSON.stringify({ event: 'listening', app: cli.app, url: host.url, ...launchUrl, dataDir })}\n`);
  const window = values.open ? openAppWindow(host.launchUrl) : null;

  const shutdown = async () => {
    window?.kill();
    await host.close();
    await services.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown());
  process.once('SIGTERM', () => void shutdown());
}

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}
