import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { describeZodError } from '@kawei/shared/errors.ts';
import { assertSecret } from './commitment.ts';
import { dayInputSchema, drawResultSchema, type DayInput } from './day-schema.ts';
import { commitmentFor, PROCEDURE_VERSION, runDraw } from './run-draw.ts';
import { verifyDraw } from './verify.ts';
import { type MessagePair, bilingual, messagePair, messagePairBy } from '@kawei/shared/i18n/bilingual.ts';
import { type Lang, translate } from '@kawei/shared/i18n/messages.ts';

/**
 * kawei-draw — the day's batch draw, and anyone's check of it.
 *
 *   kawei-draw commit --input day.json --secret-out secret.txt   before the draw: publish the commitment
 *   kawei-draw draw   --input day.json --secret-file secret.txt [--public-value V] [--out result.json]
 *   kawei-draw verify --input day.json --secret HEX [--public-value V] --result result.json
 *   kawei-draw schema --out docs/draw                            the JSON Schemas of day.json and result.json
 *
 * Exit codes: 0 done / identical; 1 the day cannot be drawn, or verification found a difference;
 * 2 bad arguments or bad input files.
 */
const USAGE = `${bilingual('draw.usage')}:
  kawei-draw commit --input day.json (--secret-out FILE | --secret HEX)
  kawei-draw draw   --input day.json (--secret HEX | --secret-file FILE) [--public-value V] [--out result.json]
  kawei-draw verify --input day.json (--secret HEX | --secret-file FILE) [--public-value V] --result result.json
  kawei-draw schema --out DIR`;

class UsageError extends Error {}

/** Ends the command with exit code 2: Chinese on one line, English (with `detail`, untranslated) on the next. */
function fail(m: MessagePair, detail?: string): never {
  throw new UsageError(`${m.zh}\n${detail === undefined ? m.en : `${m.en}: ${detail}`}`);
}

function readJson(path: string, whatKey: 'draw.what.input' | 'draw.what.result'): unknown {
  const what = (lang: Lang) => ({ what: translate(lang, whatKey), path });
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    fail(messagePairBy('draw.cannotRead', what), (error as Error).message);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    fail(messagePairBy('draw.notJson', what), (error as Error).message);
  }
}

function readInput(path: string | undefined): DayInput {
  if (!path) fail(messagePair('draw.missingInput'));
  const parsed = dayInputSchema.safeParse(readJson(path, 'draw.what.input'));
  if (!parsed.success) fail(messagePair('draw.inputInvalid', { path }), describeZodError(parsed.error));
  return parsed.data;
}

function readSecret(values: { secret?: string; 'secret-file'?: string }): string {
  const secret = values.secret ?? (values['secret-file'] ? readFileSync(values['secret-file'], 'utf8').trim() : undefined);
  if (!secret) fail(messagePair('draw.missingSecret'));
  try {
    assertSecret(secret);
  } catch (error) {
    fail(messagePair('draw.badSecret'), (error as Error).message);
  }
  return secret;
}

export function runDrawCli(argv: string[], out: (s: string) => void, err: (s: string) => void): number {
  const [command, ...rest] = argv;
  let values: Record<string, string | undefined>;
  try {
    values = parseArgs({
      args: rest,
      options: {
        input: { type: 'string' },
        secret: { type: 'string' },
        'secret-file': { type: 'string' },
        'secret-out': { type: 'string' },
        'public-value': { type: 'string', default: '' },
        out: { type: 'string' },
        result: { type: 'string' },
      },
      strict: true,
    }).values as Record<string, string | undefined>;
  } catch (error) {
    err(`${bilingual('draw.badArguments')}: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  try {
    switch (command) {
      case 'commit': {
        const input = readInput(values['input']);
        const secret = values['secret'] ?? randomBytes(32).toString('hex');
        assertSecret(secret);
        if (!values['secret'] && !values['secret-out']) fail(messagePair('draw.secretOut'));
        if (values['secret-out']) writeFileSync(values['secret-out'], `${secret}\n`, { mode: 0o600 });
        const { inputHash, commitment } = commitmentFor(input, secret);
        out(`${JSON.stringify({ date: input.date, procedure: PROCEDURE_VERSION, inputHash, commitment }, null, 2)}\n`);
        return 0;
      }
      case 'draw': {
        const input = readInput(values['input']);
        const outcome = runDraw(input, { secret: readSecret(values), publicValue: values['public-value'] ?? '' });
        if (!outcome.ok) {
          err(`${bilingual('draw.cannotDraw')}:\n`);
          for (const f of outcome.failures) err(`  - [${f.reason}] ${f.message}\n`);
          out(`${JSON.stringify({ failures: outcome.failures }, null, 2)}\n`);
          return 1;
        }
        const text = `${JSON.stringify(outcome.result, null, 2)}\n`;
        if (values['out']) writeFileSync(values['out'], text);
        else out(text);
        return 0;
      }
      case 'verify': {
        const input = readInput(values['input']);
        if (!values['result']) fail(messagePair('draw.missingResult'));
        const published = readJson(values['result'], 'draw.what.result');
        const verdict = verifyDraw(input, { secret: readSecret(values), publicValue: values['public-value'] ?? '' }, published);
        if (verdict.ok) {
          out(`${bilingual('draw.identical')}\n`);
          return 0;
        }
        out(`${bilingual('draw.differs')}:\n`);
        for (const line of verdict.diff) out(`  ${line}\n`);
        return 1;
      }
      case 'schema': {
        const dir = values['out'];
        if (!dir) fail(messagePair('draw.missingOut'));
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, 'day.schema.json'), `${JSON.stringify(jsonSchema(dayInputSchema, 'input'), null, 2)}\n`);
        writeFileSync(join(dir, 'result.schema.json'), `${JSON.stringify(jsonSchema(drawResultSchema, 'output'), null, 2)}\n`);
        out(`${bilingual('draw.wrote', { day: join(dir, 'day.schema.json'), result: join(dir, 'result.schema.json') })}\n`);
        return 0;
      }
      default:
        err(`${bilingual('draw.unknownCommand')}: ${command ?? '(none)'}\n${USAGE}\n`);
        return 2;
    }
  } catch (error) {
    if (error instanceof UsageError) {
      err(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

/** The documented JSON Schema of a draw file; `input` shows defaults as optional. */
export function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): unknown {
  return z.toJSONSchema(schema, { io, target: 'draft-2020-12' });
}

