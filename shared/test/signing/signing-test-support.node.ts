import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createTestToken, type TestToken, type TestTokenOptions } from '../../../scripts/lib/softhsm-token.node.ts';

const run = promisify(execFile);

/**
 * A fresh SoftHSM2 token in a temp dir for this test file, with SOFTHSM2_CONF pointed at it for this
 * process (each vitest file runs in its own process, and SoftHSM2 reads the variable at C_Initialize).
 */
export async function tokenForThisFile(options: Partial<TestTokenOptions> = {}): Promise<TestToken & { cleanup(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'kawei-signing-'));
  const token = await createTestToken({ dir, ...options });
  process.env.SOFTHSM2_CONF = token.conf;
  return { ...token, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface OpensslVerdict {
  ok: boolean;
  output: string;
}

/** `openssl cms -verify -binary -content <data> -inform DER -in <sig> -CAfile <ca>`: the independent check. */
export async function opensslCmsVerify(dir: string, data: Uint8Array, cms: Uint8Array, caFile: string): Promise<OpensslVerdict> {
  const stamp = `${Date.now()}-${Math.random().toString(16).slice(2)}`;
  const dataFile = join(dir, `data-${stamp}.bin`);
  const sigFile = join(dir, `sig-${stamp}.der`);
  writeFileSync(dataFile, data);
  writeFileSync(sigFile, cms);
  try {
    const { stdout, stderr } = await run('openssl', [
      'cms', '-verify', '-binary', '-content', dataFile, '-inform', 'DER', '-in', sigFile, '-CAfile', caFile, '-out', '/dev/null',
    ]);
    return { ok: true, output: `${stdout}${stderr}` };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

/** `openssl cms -cmsout -print`: the structure as OpenSSL reads it. */
export async function opensslCmsPrint(dir: string, cms: Uint8Array): Promise<string> {
  const sigFile = join(dir, `print-${Date.now()}.der`);
  writeFileSync(sigFile, cms);
  const { stdout } = await run('openssl', ['cms', '-cmsout', '-print', '-inform', 'DER', '-in', sigFile]);
  return stdout;
}

export function writeBundle(dir: string, name: string, pems: string[]): string {
  const file = join(dir, name);
  writeFileSync(file, pems.join(''));
  return file;
}
