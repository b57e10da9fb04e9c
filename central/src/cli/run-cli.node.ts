import { eventsCommand } from './events-command.node.ts';
import { signaturesCommand } from './signatures-command.node.ts';
import { ApiError, type ErrorCode } from '@kawei/shared/errors.ts';
import { errorMessage, translate, type MessageKey } from '@kawei/shared/i18n/messages.ts';
import { bilingual, bilingualLabel, messagePair } from '@kawei/shared/i18n/bilingual.ts';
import { serveCommand } from './serve.node.ts';
import {
  devicesCommand,
  enrolCodeCommand,
  revokeCommand,
  seedDemoCommand,
  messageCommand,
  publishRostersCommand,
  alertsCommand,
  sitesCommand,
} from './operator-commands.node.ts';
import { UsageError, usageError } from './cli-args.node.ts';
import { publishProjectCommand } from '../projects/publish-project.node.ts';
import type { CliIo } from './cli-io.ts';

/** A command and what it does: on its line when the synopsis is short, else Chinese and English under it. */
const DESCRIPTION_COLUMN = 59;
function usageEntry(synopsis: string, key: Extract<MessageKey, `central.usage.${string}`> | 'reportCli.usage', layout: 'inline' | 'below' | 'lines' = 'inline'): string {
  const first = `  kawei-central ${synopsis}`;
  const indent = ' '.repeat(DESCRIPTION_COLUMN);
  const { zh, en } = messagePair(key);
  if (layout === 'lines') return `${first}\n${indent}${zh}\n${indent}/ ${en}`;
  if (layout === 'below') return `${first}\n${indent}${zh} / ${en}`;
  return `${first.padEnd(DESCRIPTION_COLUMN)}${zh} / ${en}`;
}

/** "(默认 default: …)", "(或 or …)". */
const aside = (key: 'central.usage.default' | 'central.usage.or', text: string): string => `(${bilingualLabel(key)}${key === 'central.usage.default' ? ':' : ''} ${text})`;

export const USAGE = [
  `kawei-central — ${bilingual('central.usage.title')}`,
  '',
  `${bilingual('central.usage.heading')}:`,
  usageEntry('serve [--host 127.0.0.1] [--port 8600] [--tls-name NAME]... [--tls-cert FILE --tls-key FILE] [--trust DIR] [--supervision-cert FILE]... [--experts DIR]', 'central.usage.serve', 'lines'),
  usageEntry('seed-demo', 'central.usage.seedDemo'),
  usageEntry('sites', 'central.usage.sites'),
  usageEntry('enrol-code (--booth ID | --gate ID) [--ttl MINUTES] [--json] [--tls-cert FILE --tls-key FILE]', 'central.usage.enrolCode', 'below'),
  usageEntry('devices [--json]', 'central.usage.devices'),
  usageEntry('revoke DEVICE_ID', 'central.usage.revoke'),
  usageEntry('publish-rosters --result result.json [--experts REGISTRY_DIR [--day day.json] [--strict]] [--json]', 'central.usage.publishRosters', 'lines'),
  usageEntry('publish-project --result result.json --project CODE --material DIR [--centre NAME] [--no-ocr] [--json]', 'central.usage.publishProject', 'lines'),
  usageEntry('message (--device ID | --all) --type TYPE --text TEXT [--json]', 'central.usage.message', 'below'),
  usageEntry('alerts [--device ID] [--limit N] [--json]', 'central.usage.alerts'),
  usageEntry('events --device ID [--type T] [--from SEQ] [--limit N] [--json]', 'central.usage.events', 'below'),
  usageEntry('signatures --trust DIR [--date YYYY-MM-DD] [--project CODE] [--json]', 'central.usage.signatures', 'lines'),
  usageEntry('results --project CODE [--date YYYY-MM-DD] [--json]', 'central.usage.results', 'lines'),
  usageEntry('results verify --project CODE [--date YYYY-MM-DD] [--json]', 'central.usage.resultsVerify', 'lines'),
  usageEntry(
    'committee chair|recheck|replace|confirm --project CODE [--date D] --operator NAME --why TEXT\n' +
      '      chair --codename C | recheck --codename C --reason R [--cell BID:ITEM]... [--note T]\n' +
      '      replace --codename C --reason absent|recused|ill|other --alternate EXPERT [--booth ID] [--experts REGISTRY_DIR]\n' +
      '      confirm [--results SHA256]\n' +
      '      face --codename C --experts REGISTRY_DIR   (no --operator/--why: not a ledger act)',
    'central.usage.committee',
    'lines',
  ),
  usageEntry(
    'report render|status|verify|sign|close-dissent|record-unsigned|export --project CODE [--date D] [--json]\n' +
      '      render | status | verify --trust DIR [--pdf FILE]\n' +
      '      sign --trust DIR --slot S --pin-file FILE --name SUPERVISOR [--module LIB] [--operator NAME]\n' +
      '      close-dissent --operator NAME --why TEXT | record-unsigned --codename CODE --operator NAME --why TEXT | export --out DIR\n' +
      '      (render, sign, close-dissent: [--supervision-cert FILE]... [--experts DIR])',
    'reportCli.usage',
    'lines',
  ),
  '',
  `${bilingual('central.usage.common')}:`,
  `  --data DIR                 ${bilingual('central.usage.data')} ${aside('central.usage.default', '.kawei-data/central')}`,
  `  --store sqlite|postgres    ${bilingual('central.usage.store')} ${aside('central.usage.default', 'sqlite, DIR/central.sqlite')}`,
  `  --pg-url URL               ${bilingual('central.usage.pgUrl')} ${aside('central.usage.or', 'KAWEI_PG_URL')}`,
  '',
].join('\n');

const COMMANDS: Record<string, (args: string[], io: CliIo) => Promise<number>> = {
  serve: serveCommand,
  'seed-demo': seedDemoCommand,
  sites: sitesCommand,
  'enrol-code': enrolCodeCommand,
  devices: devicesCommand,
  revoke: revokeCommand,
  message: messageCommand,
  'publish-rosters': publishRostersCommand,
  'publish-project': publishProjectCommand,
  alerts: alertsCommand,
  events: eventsCommand,
  signatures: signaturesCommand,
  // Loaded when used: the committee's modules are many, and every other command would pay for them.
  results: async (args, io) => (await import('./committee-commands.node.ts')).resultsCommand(args, io),
  committee: async (args, io) => (await import('./committee-commands.node.ts')).committeeCommand(args, io),
  report: async (args, io) => (await import('./report-commands.node.ts')).reportCommand(args, io),
};

/** Codes that mean "the arguments name something wrong", so they exit 2 like any other usage error. */
const ARGUMENT_ERROR_CODES: readonly ErrorCode[] = ['BAD_INPUT', 'NOT_FOUND'];

/** Runs one CLI invocation and returns its exit code: 0 done, 2 bad arguments, 1 anything else. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...args] = argv;
  if (command === 'help' || command === '--help' || command === '-h') {
    io.stdout.write(USAGE);
    return 0;
  }
  try {
    const run = command === undefined ? undefined : COMMANDS[command];
    if (!run) {
      throw command === undefined
        ? usageError('central.noCommand')
        : usageError('central.unknownCommand', { command });
    }
    return await run(args, io);
  } catch (error) {
    return reportFailure(error, io);
  }
}

function bilingualPairOf(error: ApiError): { zh: string; en: string } | null {
  const pair = (error as { pair?: unknown }).pair;
  if (typeof pair !== 'object' || pair === null) return null;
  const { zh, en } = pair as { zh?: unknown; en?: unknown };
  return typeof zh === 'string' && typeof en === 'string' ? { zh, en } : null;
}

function reportFailure(error: unknown, io: CliIo): number {
  if (error instanceof UsageError) {
    io.stderr.write(`${translate('zh-CN', 'central.error', { message: error.chinese })}\n${translate('en', 'central.error', { message: error.message })}\n\n${USAGE}`);
    return 2;
  }
  if (error instanceof ApiError) {
    // An error that carries its own wording in both languages (the committee's CommitteeApiError,
    // recognised by shape so this module does not load the committee code) prints it as a pair.
    const pair = bilingualPairOf(error);
    const zh = translate('zh-CN', 'central.errorWithCode', { message: pair?.zh ?? errorMessage(error.code, 'zh-CN'), code: error.code });
    io.stderr.write(`${zh}\n${translate('en', 'central.error', { message: pair?.en ?? error.message })}\n`);
    return ARGUMENT_ERROR_CODES.includes(error.code) ? 2 : 1;
  }
  io.stderr.write(`${bilingual('central.internalError')}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return 1;
}
