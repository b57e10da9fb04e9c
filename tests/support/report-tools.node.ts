/**
 * The independent checkers the report test trusts instead of our own code (issue #14): poppler's
 * `pdfsig` (every PAdES signature, "Total document signed" or not) and `pdftotext`, OpenSSL's
 * `cms -verify` (the centre's seal over an annex) and `cms -decrypt` (the identity annex sealed for
 * the supervisors). Each runs on files in a temp folder; the outputs are parsed here once.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface PdfsigSignature {
  /** 1-based, in the order pdfsig lists them (file order). */
  index: number;
  fieldName: string | null;
  commonName: string | null;
  /** The "Signature Validation" line's text. */
  validation: string;
  valid: boolean;
  /** "Total document signed" (true) or "Not total document signed" (false); null when pdfsig said neither. */
  total: boolean | null;
  subFilter: string | null;
}

export interface PdfsigReport {
  code: number | null;
  output: string;
  signatures: PdfsigSignature[];
}

const tool = (command: string, args: string[], input?: Buffer) => {
  const r = spawnSync(command, args, { encoding: 'buffer', timeout: 60_000, ...(input ? { input } : {}) });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr.toString('utf8') };
};

/** Parses pdfsig's listing (poppler 22.x wording). */
export function parsePdfsig(output: string): PdfsigSignature[] {
  const blocks = output.split(/^Signature #(\d+):\s*$/m);
  const out: PdfsigSignature[] = [];
  for (let i = 1; i < blocks.length; i += 2) {
    const body = blocks[i + 1] ?? '';
    const line = (label: string) => new RegExp(`^\\s*- ${label}:\\s*(.*)$`, 'm').exec(body)?.[1]?.trim() ?? null;
    const validation = line('Signature Validation') ?? '';
    out.push({
      index: Number(blocks[i]),
      fieldName: line('Signature Field Name'),
      commonName: line('Signer Certificate Common Name'),
      validation,
      valid: validation === 'Signature is Valid.',
      total: /^\s*- Total document signed\s*$/m.test(body) ? true : /^\s*- Not total document signed\s*$/m.test(body) ? false : null,
      subFilter: line('Signature Type'),
    });
  }
  return out;
}

/** `pdfsig FILE` on the bytes (written to `dir`). */
export function pdfsig(dir: string, pdf: Uint8Array, name = 'check.pdf'): PdfsigReport {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, name);
  writeFileSync(file, pdf);
  const r = tool('pdfsig', [file]);
  const output = `${r.stdout.toString('utf8')}${r.stderr}`;
  return { code: r.code, output, signatures: parsePdfsig(output) };
}

/** `pdftotext -layout FILE -` of the bytes. */
export function pdftotext(dir: string, pdf: Uint8Array, name = 'text.pdf'): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, name);
  writeFileSync(file, pdf);
  const r = tool('pdftotext', ['-layout', file, '-']);
  if (r.code !== 0) throw new Error(`pdftotext ${name} failed (${r.code}): ${r.stderr}`);
  return r.stdout.toString('utf8');
}

/** `openssl cms -verify -binary -inform DER -content annex.pdf -CAfile ca.pem`: exit code and what it said. */
export function opensslVerifyDetached(dir: string, input: { content: Uint8Array; cms: Uint8Array; caPem: string; name: string }): { ok: boolean; output: string } {
  mkdirSync(dir, { recursive: true });
  const content = join(dir, `${input.name}.pdf`);
  const cms = join(dir, `${input.name}.p7s`);
  const ca = join(dir, `${input.name}-ca.pem`);
  writeFileSync(content, input.content);
  writeFileSync(cms, input.cms);
  writeFileSync(ca, input.caPem);
  // The command VERIFY.txt gives an operator, as it is (no -purpose any, no -noverify).
  const r = tool('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', cms, '-content', content, '-CAfile', ca, '-out', join(dir, `${input.name}.out`)]);
  return { ok: r.code === 0, output: `${r.stdout.toString('utf8')}${r.stderr}` };
}

/** `openssl cms -decrypt -inform DER -recip cert.pem -inkey key.pem`: the plaintext, or throws with what openssl said. */
export function opensslDecrypt(dir: string, envelope: Uint8Array, certFile: string, keyFile: string): Uint8Array {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'envelope.p7m');
  const out = join(dir, 'envelope.out');
  writeFileSync(file, envelope);
  const r = tool('openssl', ['cms', '-decrypt', '-inform', 'DER', '-in', file, '-recip', certFile, '-inkey', keyFile, '-out', out]);
  if (r.code !== 0) throw new Error(`openssl cms -decrypt failed (${r.code}): ${r.stderr}`);
  return new Uint8Array(readFileSync(out));
}

/**
 * A copy of `bytes` with the byte at `at` changed to another of its kind — a digit to the next digit,
 * a hex letter to the next hex letter, anything else with its low bit flipped — so an offset stays a
 * number and a CMS stays hex: the file still parses, and only the checks can tell.
 */
export function flipByte(bytes: Uint8Array, at: number): Uint8Array {
  const copy = new Uint8Array(bytes);
  const b = copy[at]!;
  const cycle = (first: number, last: number) => (b === last ? first : b + 1);
  copy[at] = b >= 0x30 && b <= 0x39 ? cycle(0x30, 0x39) : b >= 0x61 && b <= 0x66 ? cycle(0x61, 0x66) : b >= 0x41 && b <= 0x46 ? cycle(0x41, 0x46) : b ^ 0x01;
  return copy;
}
