import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * The Debian tools the tests drive for real (socat pty pairs, OpenSSL as an independent verifier,
 * SoftHSM2 as the USB key, tesseract, poppler, espeak-ng, MiniZinc, libmodbus, the CJK font).
 *
 * A test that needs one calls `requireTool(...)` first, usually as `beforeAll(() => requireTool('socat'))`
 * at the top of its describe: when the tool is missing every test of the suite FAILS with a message
 * naming the apt packages to install. It never skips: in CI every test runs, and the no-skip reporter
 * (no-skip-reporter.node.ts) fails a run that skipped anything. `npm test` (scripts/bootstrap.mjs)
 * installs all of these as root, or prints the apt line.
 *
 * `hasTool` is for the rare test that asserts something different when a tool is absent (an error
 * message naming the tool); it must not be used to skip.
 */

interface ToolSpec {
  /** What the tests use it for, in the failure message. */
  what: string;
  /** Debian packages that provide it. */
  apt: readonly string[];
  /** null when usable, otherwise why not. */
  probe(): string | null;
}

const succeeds = (command: string, args: readonly string[]): { ok: boolean; output: string } => {
  const r = spawnSync(command, args, { encoding: 'utf8', timeout: 15_000 });
  return { ok: r.status === 0, output: `${r.stdout ?? ''}${r.stderr ?? ''}` };
};

const needCommand = (command: string, args: readonly string[]) => (): string | null =>
  succeeds(command, args).ok ? null : `\`${command} ${args.join(' ')}\` does not run`;

/** The font Debian's fonts-noto-cjk installs, which the LED panel picture and the fixtures draw with. */
export const NOTO_CJK_FONT = '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc';

const TOOLS = {
  socat: { what: 'socat (serial pty pairs for the device simulators)', apt: ['socat'], probe: needCommand('socat', ['-V']) },
  openssl: { what: 'OpenSSL (the independent verifier)', apt: ['openssl'], probe: needCommand('openssl', ['version']) },
  'openssl-sm2': {
    what: 'OpenSSL ≥ 3 with SM2 and SM3',
    apt: ['openssl'],
    probe: () => {
      if (!succeeds('openssl', ['ecparam', '-name', 'SM2', '-noout']).ok) return 'openssl does not know the SM2 curve';
      const digests = succeeds('openssl', ['list', '-digest-algorithms']);
      return digests.ok && /SM3/i.test(digests.output) ? null : 'openssl does not list the SM3 digest';
    },
  },
  softhsm2: {
    what: 'SoftHSM2 and pkcs11-tool (the USB key)',
    apt: ['softhsm2', 'opensc'],
    probe: () => {
      if (!succeeds('softhsm2-util', ['--version']).ok) return '`softhsm2-util --version` does not run';
      // pkcs11-tool --help exits 1 but prints its usage
      return /Usage/.test(succeeds('pkcs11-tool', ['--help']).output) ? null : '`pkcs11-tool --help` does not run';
    },
  },
  tesseract: {
    what: 'tesseract with the chi_sim and eng languages (OCR of page images)',
    apt: ['tesseract-ocr', 'tesseract-ocr-chi-sim', 'tesseract-ocr-eng'],
    probe: () => {
      const r = succeeds('tesseract', ['--list-langs']);
      if (!r.ok) return '`tesseract --list-langs` does not run';
      const langs = new Set(r.output.split(/\r?\n/).map((l) => l.trim()));
      const missing = ['chi_sim', 'eng'].filter((l) => !langs.has(l));
      return missing.length === 0 ? null : `tesseract lacks ${missing.join(', ')}`;
    },
  },
  poppler: { what: "poppler's pdfinfo and pdftotext", apt: ['poppler-utils'], probe: needCommand('pdftotext', ['-v']) },
  'espeak-ng': { what: 'espeak-ng (the gate voice on a PC)', apt: ['espeak-ng'], probe: needCommand('espeak-ng', ['--version']) },
  minizinc: {
    what: 'MiniZinc with Gecode (the seating baseline)',
    apt: ['minizinc'],
    probe: () => (/org\.gecode\.gecode/.test(succeeds('minizinc', ['--solvers']).output) ? null : '`minizinc --solvers` lists no Gecode'),
  },
  libmodbus: {
    what: 'a C compiler, pkg-config and libmodbus (the reference Modbus RTU slave)',
    apt: ['gcc', 'pkg-config', 'libmodbus-dev'],
    probe: () => {
      if (!succeeds('cc', ['--version']).ok) return 'no C compiler (cc)';
      if (!succeeds('pkg-config', ['--version']).ok) return 'no pkg-config';
      return succeeds('pkg-config', ['--exists', 'libmodbus']).ok ? null : 'pkg-config does not find libmodbus';
    },
  },
  'noto-cjk': { what: `the Noto Sans CJK font (${NOTO_CJK_FONT})`, apt: ['fonts-noto-cjk'], probe: () => (existsSync(NOTO_CJK_FONT) ? null : `${NOTO_CJK_FONT} is missing`) },
} satisfies Record<string, ToolSpec>;

export type ToolName = keyof typeof TOOLS;

const probed = new Map<ToolName, string | null>();

/** Why the tool is not usable here, or null when it is. Probed once per process. */
export function whyToolMissing(name: ToolName): string | null {
  if (!probed.has(name)) probed.set(name, TOOLS[name].probe());
  return probed.get(name)!;
}

export function hasTool(name: ToolName): boolean {
  return whyToolMissing(name) === null;
}

export class MissingToolError extends Error {
  override readonly name = 'MissingToolError';
}

/** The failure a test gets when a tool is missing: what, why, and the apt line that installs it. */
export function missingToolMessage(names: readonly ToolName[]): string | null {
  const missing = names.filter((n) => !hasTool(n));
  if (missing.length === 0) return null;
  const apt = [...new Set(missing.flatMap((n) => TOOLS[n].apt))];
  const lines = missing.map((n) => `  - ${TOOLS[n].what}: ${whyToolMissing(n)}`);
  return (
    `缺少测试所需的系统工具，测试不会跳过 / a tool these tests need is missing, and tests do not skip:\n${lines.join('\n')}\n` +
    `安装 / install: apt-get install -y --no-install-recommends ${apt.join(' ')}  (npm test installs them when run as root)`
  );
}

/** Throws MissingToolError (failing the test or the suite's beforeAll) unless every named tool is usable. */
export function requireTool(...names: ToolName[]): void {
  const message = missingToolMessage(names);
  if (message !== null) throw new MissingToolError(message);
}
