import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchResult } from './bench.ts';

/**
 * `npm run bench -- NAME` runs bench/NAME.bench.ts and writes bench/results/NAME.json:
 *   { name, date, machine: { cores, cpuModel, memoryGiB, node }, metrics, baseline }
 * `npm run bench` with no name runs them all. docs/PERFORMANCE.md summarises the latest results.
 */
const here = dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => basename(f, '.bench.ts'));
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const unknown = wanted.filter((w) => !available.includes(w));
if (unknown.length > 0) {
  process.stderr.write(`未知的基准 / unknown benchmark: ${unknown.join(', ')}; available: ${available.join(', ')}\n`);
  process.exit(2);
}

const machine = {
  cores: cpus().length,
  cpuModel: cpus()[0]?.model ?? 'unknown',
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
};
mkdirSync(join(here, 'results'), { recursive: true });

for (const name of wanted.length > 0 ? wanted : available) {
  process.stdout.write(`bench ${name}…\n`);
  const mod = (await import(join(here, `${name}.bench.ts`))) as { run: () => Promise<BenchResult> };
  const result = await mod.run();
  const record = { name, date: new Date().toISOString(), machine, ...result };
  const file = join(here, 'results', `${name}.json`);
  writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(record.metrics, null, 2)}\nwritten ${file}\n`);
}
