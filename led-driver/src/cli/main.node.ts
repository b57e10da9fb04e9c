/**
 * kawei-devices: the field technician's tool for the gate's serial devices.
 *
 *   kawei-devices list [--json]
 *   kawei-devices led PATH [--protocol bx|alpha] [--text 3号评标室 A5] [--area 0] [--clear-after MS] [--brightness 1-16] [--address N] [--baud N]
 *   kawei-devices speak PATH|espeak [--chip syn6288|xfs5152] [--text …] [--volume 0-10] [--speed 0-10] [--baud N]
 *   kawei-devices pulse PATH [--slave 1] [--coil 0] [--ms 500] [--inputs 0] [--baud 9600]
 *   kawei-devices read-card PATH [--wait 15000] [--baud 115200]
 *   kawei-devices simulate KIND…|all [--dir DIR]
 *
 * Every failure prints one line in Chinese and English and exits non-zero (see cli-error.ts).
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { formatSeatMessage } from '../led-driver.ts';
import { CliError, EXIT, cliError } from './cli-error.ts';
import { ledTest, pulseTest, readCardTest, speakTest } from './device-commands.node.ts';
import { formatPortTable, listPorts } from './list-ports.node.ts';
import { type RunningSimulator, parseKinds, startSimulator } from './simulate.node.ts';
import { bilingual, messagePair } from '@kawei/shared/i18n/bilingual.ts';

const USAGE = `${bilingual('ledDriver.usage')}: kawei-devices <list|led|speak|pulse|read-card|simulate> …
  list                          ${bilingual('ledDriver.usage.list')} (--json)
  led PATH                      ${bilingual('ledDriver.usage.led')} (--protocol bx|alpha --text --area --clear-after MS --brightness 1-16 --address --baud)
  speak PATH|espeak             ${bilingual('ledDriver.usage.speak')} (--chip syn6288|xfs5152 --text --volume --speed --baud)
  pulse PATH                    ${bilingual('ledDriver.usage.pulse')} (--slave --coil --ms --inputs N --baud)
  read-card PATH                ${bilingual('ledDriver.usage.readCard')} (--wait MS --baud)
  simulate KIND…|all            ${bilingual('ledDriver.usage.simulate')} (led-bx led-alpha syn6288 xfs5152 relay idcard; --dir)`;

const options = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  protocol: { type: 'string' },
  text: { type: 'string' },
  area: { type: 'string' },
  'clear-after': { type: 'string' },
  brightness: { type: 'string' },
  address: { type: 'string' },
  baud: { type: 'string' },
  chip: { type: 'string' },
  volume: { type: 'string' },
  speed: { type: 'string' },
  slave: { type: 'string' },
  coil: { type: 'string' },
  ms: { type: 'string' },
  inputs: { type: 'string' },
  wait: { type: 'string' },
  dir: { type: 'string' },
} as const;

const BAUDS = [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200] as const;
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const baud = (fallback: number) =>
  z.coerce.number().int().refine((b) => (BAUDS as readonly number[]).includes(b), { message: `baud must be one of ${BAUDS.join(', ')}` }).default(fallback);

/** zod issues → one bilingual usage error naming the option. */
function parseOrExplain<T>(schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const detail = r.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; ');
  throw cliError(messagePair('ledDriver.badOption', { detail }), EXIT.usage);
}

function needPath(positionals: string[]): string {
  const path = positionals[1];
  if (!path) throw cliError(messagePair('ledDriver.noPath'), EXIT.usage);
  return path;
}

async function main(argv: string[], print: (l: string) => void): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw cliError(messagePair('ledDriver.badArguments', { detail: (e as Error).message }), EXIT.usage);
  }
  const { values: v, positionals } = parsed;
  const command = positionals[0];
  if (v.help || !command) {
    print(USAGE);
    return command ? EXIT.ok : EXIT.usage;
  }
  switch (command) {
    case 'list': {
      const ports = await listPorts();
      print(v.json ? JSON.stringify(ports, null, 2) : formatPortTable(ports));
      return EXIT.ok;
    }
    case 'led': {
      const a = parseOrExplain(
        z.object({
          protocol: z.enum(['bx', 'alpha']).default('bx'),
          text: z.string().min(1).max(128).default(formatSeatMessage(3, 'A5')),
          area: int(0, 31).default(0),
          'clear-after': int(100, 3_600_000).optional(),
          brightness: int(1, 16).optional(),
          address: int(0, 0xffff).optional(),
          baud: baud(v.protocol === 'alpha' ? 9600 : 57600),
        }),
        v,
      );
      await ledTest(
        {
          path: needPath(positionals),
          protocol: a.protocol,
          baud: a.baud,
          area: a.area,
          text: a.text,
          ...(a['clear-after'] === undefined ? {} : { clearAfterMs: a['clear-after'] }),
          ...(a.brightness === undefined ? {} : { brightness: a.brightness }),
          ...(a.address === undefined ? {} : { address: a.address }),
        },
        print,
      );
      return EXIT.ok;
    }
    case 'speak': {
      const path = needPath(positionals);
      const a = parseOrExplain(
        z.object({
          chip: z.enum(['syn6288', 'xfs5152']).default('syn6288'),
          text: z.string().min(1).max(200).default('请到3号评标室A5号卡位'),
          volume: int(0, 10).optional(),
          speed: int(0, 10).optional(),
          baud: baud(9600),
        }),
        v,
      );
      await speakTest(
        {
          path,
          chip: path === 'espeak' ? 'espeak' : a.chip,
          baud: a.baud,
          text: a.text,
          ...(a.volume === undefined ? {} : { volume: a.volume }),
          ...(a.speed === undefined ? {} : { speed: a.speed }),
        },
        print,
      );
      return EXIT.ok;
    }
    case 'pulse': {
      const a = parseOrExplain(
        z.object({ slave: int(1, 247).default(1), coil: int(0, 65535).default(0), ms: int(50, 10_000).default(500), inputs: int(0, 64).default(0), baud: baud(9600) }),
        v,
      );
      await pulseTest({ path: needPath(positionals), ...a }, print);
      return EXIT.ok;
    }
    case 'read-card': {
      const a = parseOrExplain(z.object({ wait: int(500, 600_000).default(15_000), baud: baud(115200) }), v);
      await readCardTest({ path: needPath(positionals), baud: a.baud, waitMs: a.wait }, print);
      return EXIT.ok;
    }
    case 'simulate': {
      const kinds = parseKinds(positionals.slice(1));
      const dir = v.dir ?? mkdtempSync(join(tmpdir(), 'kawei-sim-'));
      mkdirSync(dir, { recursive: true });
      const running: RunningSimulator[] = [];
      const stop = async (): Promise<void> => {
        await Promise.all(running.map((s) => s.close()));
      };
      try {
        for (const kind of kinds) {
          const sim = await startSimulator(kind, dir);
          running.push(sim);
        }
        // One line a script can wait for, naming where each driver connects.
        print(JSON.stringify({ event: 'simulating', devices: running.map((s) => ({ kind: s.kind, hostPath: s.hostPath, baud: s.baud })) }));
      } catch (e) {
        await stop();
        throw cliError(messagePair('ledDriver.cannotSimulate', { reason: (e as Error).message }), EXIT.port);
      }
      const seen = new Map<RunningSimulator, number>();
      const timer = setInterval(() => {
        for (const s of running) {
          const lines = s.activity();
          for (const line of lines.slice(seen.get(s) ?? 0)) print(`[${s.kind}] ${line}`);
          seen.set(s, lines.length);
        }
      }, 100);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      clearInterval(timer);
      await stop();
      return EXIT.ok;
    }
    default: {
      const m = messagePair('ledDriver.unknownCommand', { command });
      throw new CliError(m.zh, `${m.en}\n${USAGE}`, EXIT.usage);
    }
  }
}

main(process.argv.slice(2), (l) => process.stdout.write(`${l}\n`))
  .then((code) => process.exit(code))
  .catch((e: unknown) => {
    if (e instanceof CliError) {
      process.stderr.write(`${bilingual('ledDriver.error')}: ${e.zh}\n       ${e.en}\n`);
      process.exit(e.exitCode);
    }
    process.stderr.write(`${bilingual('ledDriver.internalError')}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(EXIT.device);
  });
