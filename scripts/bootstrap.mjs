#!/usr/bin/env node
// The README's two commands land here: `npm start` (the demo) and `npm test` (everything).
// Plain Node with no dependencies, because it runs before `npm ci` has installed anything.
// It installs what is missing (npm packages; apt packages when root, else it prints the apt line)
// and then runs the job. It never downloads anything but npm and Debian packages.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exitCodeOf, runForwardingSignals } from './lib/forward-signals.mjs';
import { workingTreeChanges, workingTreeSnapshot } from './lib/working-tree.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const mode = process.argv[2];
const passThrough = process.argv.slice(3);

/** Debian packages each job needs. Build tools are for better-sqlite3, which compiles from source. */
const APT = {
  start: ['python3', 'make', 'g++', 'chromium', 'fonts-noto-cjk', 'socat', 'ffmpeg', 'softhsm2', 'opensc', 'tesseract-ocr', 'tesseract-ocr-chi-sim', 'tesseract-ocr-eng'],
  test: [
    'python3', 'make', 'g++', 'chromium', 'fonts-noto-cjk', 'postgresql', 'socat', 'libmodbus-dev', 'pkg-config', 'minizinc',
    'espeak-ng', 'ffmpeg', 'softhsm2', 'opensc', 'openssl', 'poppler-utils', 'tesseract-ocr', 'tesseract-ocr-chi-sim', 'tesseract-ocr-eng',
  ],
};

const env = { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1', NO_UPDATE_NOTIFIER: '1' };

function log(message) {
  process.stdout.write(`\n[kawei] ${message}\n`);
}

/**
 * Runs a job step in its own process group; a SIGINT, SIGTERM or SIGHUP to this process goes to the
 * whole group (scripts/lib/forward-signals.mjs), and then this process ends too, with the shell's code
 * for the signal: an interrupted `npm start` leaves no demo running.
 */
async function run(command, args, options = {}) {
  const result = await runForwardingSignals(command, args, { cwd: root, stdio: 'inherit', env, ...options });
  if (result.interruptedBy !== null) {
    process.stderr.write(`\n[kawei] ${result.interruptedBy}: stopped ${[command, ...args].join(' ')}\n`);
    process.exit(exitCodeOf(result));
  }
  if (result.error) process.stderr.write(`[kawei] cannot run ${command}: ${result.error.message}\n`);
  return { ok: result.status === 0, seconds: result.seconds, status: result.status };
}

function missingDebianPackages(packages) {
  return packages.filter((pkg) => {
    const q = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
    return q.status !== 0 || !q.stdout.includes('install ok installed');
  });
}

async function ensureDebianPackages(packages) {
  const missing = missingDebianPackages(packages);
  if (missing.length === 0) return;
  const line = `apt-get update && apt-get install -y --no-install-recommends ${missing.join(' ')}`;
  if (process.getuid?.() !== 0) {
    process.stderr.write(
      `\n缺少系统软件包 / missing Debian packages: ${missing.join(', ')}\n` +
        `请以 root 身份运行 / run as root:\n  sudo ${line.replace('&& apt-get', '&& sudo apt-get')}\n`,
    );
    process.exit(1);
  }
  log(`installing Debian packages: ${missing.join(' ')}`);
  const result = await run('sh', ['-c', line], { env: { ...env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (!result.ok) {
    process.stderr.write(`apt-get failed (exit ${result.status}); the command was:\n  ${line}\n`);
    process.exit(1);
  }
}

/** `npm ci` when node_modules is absent or was installed from another package-lock.json. */
async function ensureNpmPackages() {
  const lock = join(root, 'package-lock.json');
  const stamp = join(root, 'node_modules', '.kawei-lock-sha256');
  const want = createHash('sha256').update(readFileSync(lock)).digest('hex');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return;
  log('installing npm packages (npm ci; better-sqlite3 compiles from source, ~2 min)');
  const result = await run('npm', ['ci', '--no-audit', '--no-fund']);
  if (!result.ok) {
    process.stderr.write('npm ci failed; see the output above.\n');
    process.exit(1);
  }
  writeFileSync(stamp, want);
}

function tsx(script, args = []) {
  return run(process.execPath, ['--import', 'tsx', script, ...args]);
}

if (mode !== 'start' && mode !== 'test') {
  process.stderr.write('usage: node scripts/bootstrap.mjs start|test\n');
  process.exit(2);
}

await ensureDebianPackages(APT[mode]);
await ensureNpmPackages();

if (mode === 'start') {
  if (!(await tsx('scripts/build.node.ts', ['renderer'])).ok) process.exit(1);
  const demo = await tsx('scripts/demo.node.ts', passThrough);
  process.exit(demo.ok ? 0 : 1);
}

// mode === 'test': every check, in the order a failure is cheapest to read.
// vitest writes what failed here (tests/support/failure-digest-reporter.node.ts), printed last.
const vitestDigest = join(mkdtempSync(join(tmpdir(), 'kawei-test-')), 'vitest-failures.txt');
// Tests write to temp folders only: the working tree after them is compared with the one before.
let treeBeforeTests = null;
let treeChanges = [];
const treeUnchanged = () => {
  const after = workingTreeSnapshot(root);
  if (treeBeforeTests === null || after === null) {
    process.stdout.write('  not a git checkout: nothing to compare\n');
    return { ok: true, seconds: 0, status: 0 };
  }
  treeChanges = workingTreeChanges(treeBeforeTests, after);
  for (const change of treeChanges) process.stdout.write(`  ✗ ${change}\n`);
  return { ok: treeChanges.length === 0, seconds: 0, status: treeChanges.length === 0 ? 0 : 1 };
};
const steps = [
  ['build (renderers, Electron bundles)', () => tsx('scripts/build.node.ts')],
  ['typecheck', () => run('npm', ['run', '--silent', 'typecheck'])],
  ['lint (ESLint + electronegativity)', () => run('npm', ['run', '--silent', 'lint'])],
  [
    'unit and integration tests (vitest)',
    () => {
      treeBeforeTests = workingTreeSnapshot(root);
      return run('npm', ['run', '--silent', 'test:unit', '--', ...passThrough], { env: { ...env, KAWEI_TEST_DIGEST: vitestDigest } });
    },
  ],
  ['browser tests (Playwright, Debian chromium)', () => run('npm', ['run', '--silent', 'test:e2e'])],
  ['the tests left the working tree as they found it (git status)', treeUnchanged],
];
const summary = [];
for (const [name, step] of steps) {
  log(`▶ ${name}`);
  const result = await step();
  summary.push({ name, ...result });
  if (!result.ok && name.startsWith('build')) break; // nothing after it can run
}
log('summary');
for (const s of summary) process.stdout.write(`  ${s.ok ? 'PASS' : 'FAIL'}  ${s.name}  (${s.seconds.toFixed(1)} s)\n`);
let digest = '';
try {
  digest = readFileSync(vitestDigest, 'utf8');
} catch {
  // vitest did not get as far as its end (or did not run)
}
if (digest) process.stdout.write(`\n[kawei] what failed in vitest:\n${digest}`);
if (treeChanges.length > 0) {
  process.stdout.write(`\n[kawei] files the tests wrote in the working tree (tests write to temp folders only):\n${treeChanges.map((c) => `  ✗ ${c}\n`).join('')}`);
}
const failed = summary.filter((s) => !s.ok).length + (steps.length - summary.length);
process.exit(failed === 0 ? 0 : 1);
