import { resolve, join } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { STORE_CLI_OPTIONS, storeOptionsFromCli, type OpenStoreOptions } from '../storage/open-store.node.ts';
import { messagePair, type MessagePair } from '@kawei/shared/i18n/bilingual.ts';
import type { MessageKey, TranslateArgs } from '@kawei/shared/i18n/messages.ts';

/** A mistake in how the CLI was called: reported in Chinese, then English, with exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(
    readonly chinese: string,
    english: string,
  ) {
    super(english);
  }

  /** The UsageError saying `pair` (from the catalogue, maybe with a detail). */
  static of(pair: MessagePair): UsageError {
    return new UsageError(pair.zh, pair.en);
  }
}

/** `throw usageError('central.args.device')`: the catalogue's text for `key`, as a UsageError. */
export function usageError<K extends MessageKey>(key: K, ...args: TranslateArgs<K>): UsageError {
  return UsageError.of(messagePair(key, ...args));
}

export const DEFAULT_DATA_DIR = '.kawei-data/central';
export const DATABASE_FILE = 'central.sqlite';

type Options = NonNullable<ParseArgsConfig['options']>;

export interface ParsedCommandArgs {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
  dataDir: string;
  databaseFile: string;
  /** Which store to open (--store, --pg-url / KAWEI_PG_URL; SQLite in DIR by default), for openStore(). */
  storage: OpenStoreOptions;
}
const DATA_OPTION = { data: { type: 'string', default: DEFAULT_DATA_DIR }, ...STORE_CLI_OPTIONS } as const;

/** Parses one command's arguments (plus the common --data DIR); unknown or malformed ones are UsageErrors. */
export function parseCommandArgs(
  command: string,
  args: string[],
  options: Options,
  positionals: { min: number; max: number; name?: string } = { min: 0, max: 0 },
): ParsedCommandArgs {
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({ args, options: { ...options, ...DATA_OPTION }, allowPositionals: true, strict: true }) as typeof parsed;
  } catch (error) {
    const message = (error as Error).message;
    throw usageError('central.args.bad', { command, message });
  }
  const count = parsed.positionals.length;
  if (count < positionals.min || count > positionals.max) {
    const what = positionals.name ?? 'arguments';
    throw positionals.max === 0
      ? usageError('central.args.noExtra', { command, extra: parsed.positionals.join(' ') })
      : usageError('central.args.needs', { command, what });
  }
  const dataDir = resolve(String(parsed.values['data']));
  const databaseFile = join(dataDir, DATABASE_FILE);
  const storage = storeOptionsFromCli(parsed.values, databaseFile);
  if ('error' in storage) throw new UsageError(storage.error.chinese, storage.error.english);
  return { values: parsed.values, positionals: parsed.positionals, dataDir, databaseFile, storage };
}
