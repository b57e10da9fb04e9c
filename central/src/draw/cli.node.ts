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
const USAGE = `用法 / usage:
  kawei-draw commit --input day.json (--secret-out FILE | --secret HEX)
  kawei-draw draw   --input day.json (--secret HEX | --secret-file FILE) [--public-value V] [--out result.json]
  kawei-draw verify --input day.json (--secret HEX | --secret-file FILE) [--public-value V] --result result.json
  kawei-draw schema --out DIR`;

class UsageError extends Error {}

function fail(zh: string, en: string): never {
  throw new UsageError(`${zh}\n${en}`);
}

function readJson(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    fail(`无法读取${what}：${path}`, `cannot read the ${what} file ${path}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    fail(`${what}不是有效的 JSON：${path}`, `${path} is not valid JSON: ${(error as Error).message}`);
  }
}

function readInput(path: string | undefined): DayInput {
  if (!path) fail('缺少 --input 参数', 'missing --input day.json');
  const parsed = dayInputSchema.safeParse(readJson(path, '抽取输入 / input'));
  if (!parsed.success) fail(`抽取输入不符合格式：${path}`, `${path}: ${describeZodError(parsed.error)}`);
  return parsed.data;
}

function readSecret(values: { secret?: string; 'secret-file'?: string }): string {
  const secret = values.secret ?? (values['secret-file'] ? readFileSync(values['secret-file'], 'utf8').trim() : undefined);
  if (!secret) fail('缺少 --secret 或 --secret-file', 'give --secret HEX or --secret-file FILE');
  try {
    assertSecret(secret);
  } catch (error) {
    fail('密钥格式错误（应为 64 位十六进制小写字符）', (error as Error).message);
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
    err(`参数错误 / bad arguments: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  try {
    switch (command) {
      case 'commit': {
        const input = readInput(values['input']);
        const secret = values['secret'] ?? randomBytes(32).toString('hex');
        assertSecret(secret);
        if (!values['secret'] && !values['secret-out']) fail('请用 --secret-out 指定保存密钥的文件', 'give --secret-out FILE to keep the secret until the reveal');
        if (values['secret-out']) writeFileSync(values['secret-out'], `${secret}\n`, { mode: 0o600 });
        const { inputHash, commitment } = commitmentFor(input, secret);
        out(`${JSON.stringify({ date: input.date, procedure: PROCEDURE_VERSION, inputHash, commitment }, null, 2)}\n`);
        return 0;
      }
      case 'draw': {
        const input = readInput(values['input']);
        const outcome = runDraw(input, { secret: readSecret(values), publicValue: values['public-value'] ?? '' });
        if (!outcome.ok) {
          err('无法完成抽取 / the day cannot be drawn:\n');
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
        if (!values['result']) fail('缺少 --result 参数', 'missing --result result.json');
        const published = readJson(values['result'], '抽取结果 / result');
        const verdict = verifyDraw(input, { secret: readSecret(values), publicValue: values['public-value'] ?? '' }, published);
        if (verdict.ok) {
          out('一致：结果可由公开的输入、密钥和公开值重现 / identical: the result follows from the published values\n');
          return 0;
        }
        out('不一致 / differs:\n');
        for (const line of verdict.diff) out(`  ${line}\n`);
        return 1;
      }
      case 'schema': {
        const dir = values['out'];
        if (!dir) fail('缺少 --out 目录', 'missing --out DIR');
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, 'day.schema.json'), `${JSON.stringify(jsonSchema(dayInputSchema, 'input'), null, 2)}\n`);
        writeFileSync(join(dir, 'result.schema.json'), `${JSON.stringify(jsonSchema(drawResultSchema, 'output'), null, 2)}\n`);
        out(`wrote ${join(dir, 'day.schema.json')} and ${join(dir, 'result.schema.json')}\n`);
        return 0;
      }
      default:
        err(`未知命令 / unknown command: ${command ?? '(none)'}\n${USAGE}\n`);
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

