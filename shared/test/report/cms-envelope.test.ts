import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTool } from '../../../tests/support/require-tool.node.ts';
import { BilingualError } from '../../src/i18n/bilingual.ts';
import { sealForRecipients } from '../../src/signing/cms-envelope.node.ts';
import { issueLeaf, makeCa, tool, type TestLeaf } from './pades-test-support.node.ts';

describe('sealForRecipients: CMS EnvelopedData that openssl decrypts', () => {
  beforeAll(() => requireTool('openssl'));
  let dir: string;
  let rsa: TestLeaf;
  let ec: TestLeaf;
  let other: TestLeaf;
  const data = Buffer.concat([Buffer.from('身份附件 identity annex\n', 'utf8'), Buffer.alloc(5000, 7), Buffer.from([0, 1, 2])]);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kawei-envelope-'));
    const ca = await makeCa('Supervision CA', 'ec');
    rsa = await issueLeaf(ca, 'rsa', 'SUPERVISOR-RSA');
    ec = await issueLeaf(ca, 'ec', 'SUPERVISOR-EC');
    other = await issueLeaf(ca, 'rsa', 'SOMEONE-ELSE');
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function decrypt(envelope: Uint8Array, leaf: TestLeaf, name: string) {
    const inFile = join(dir, `${name}.p7m`);
    const cert = join(dir, `${name}.crt`);
    const key = join(dir, `${name}.key`);
    const out = join(dir, `${name}.out`);
    writeFileSync(inFile, envelope);
    writeFileSync(cert, leaf.pem);
    writeFileSync(key, leaf.keyPem, { mode: 0o600 });
    const run = await tool('openssl', ['cms', '-decrypt', '-inform', 'DER', '-in', inFile, '-recip', cert, '-inkey', key, '-binary', '-out', out]);
    return { ...run, bytes: run.code === 0 ? readFileSync(out) : null };
  }

  it('each recipient (RSA-OAEP and ECDH) gets exactly the input back; someone else gets nothing', async () => {
    const envelope = await sealForRecipients(data, [rsa.der, ec.der]);
    const printed = await tool('openssl', ['cms', '-cmsout', '-print', '-inform', 'DER', '-in', (writeFileSync(join(dir, 'p.p7m'), envelope), join(dir, 'p.p7m'))]);
    expect(printed.output).toContain('aes-256-cbc');
    expect(printed.output).toContain('rsaesOaep');
    for (const [leaf, name] of [[rsa, 'rsa'], [ec, 'ec']] as const) {
      const result = await decrypt(envelope, leaf, name);
      expect(result.code, result.output).toBe(0);
      expect(result.bytes!.equals(data)).toBe(true);
    }
    const stranger = await decrypt(envelope, other, 'other');
    expect(stranger.code).not.toBe(0);
  });

  it('the content key is fresh each time', async () => {
    const a = await sealForRecipients(data, [rsa.der]);
    const b = await sealForRecipients(data, [rsa.der]);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
  });

  it('refuses no recipients and a certificate that is none, in both languages', async () => {
    const none = await sealForRecipients(data, []).then(() => null, (e: unknown) => e);
    expect((none as BilingualError).key).toBe('pades.envelopeNoRecipients');
    const bad = await sealForRecipients(data, [new Uint8Array([1, 2, 3])]).then(() => null, (e: unknown) => e);
    expect(bad).toBeInstanceOf(BilingualError);
    expect((bad as BilingualError).key).toBe('pades.envelopeBadRecipient');
    expect((bad as BilingualError).zh).toContain('#1');
  });
});
