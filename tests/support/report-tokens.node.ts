/**
 * USB keys of the report test (issue #14): SoftHSM2 tokens whose certificates come from CAs the test
 * chooses, so one committee can hold keys of several CAs (three RSA keys under CA-A, two ECDSA keys
 * under CA-B) — scripts/lib/softhsm-token.node.ts makes a fresh CA for every token, which is what the
 * committee tests want and not what this test needs.
 *
 * Same layout as createTestToken: every token of the run in ONE token folder (`dir/tokens`, one
 * softhsm2.conf): SoftHSM2 builds its slot list at C_Initialize, so every key is made before the first
 * booth opens its PKCS#11 module. The key pair is generated ON the token (sensitive), the certificate
 * issued by the chosen CA and written back under the same CKA_ID.
 *
 * Also a Signer that drives a token through `pkcs11-tool` in a child process: the test signs as a
 * member outside the booth (a stale signature the booth itself would never make), without a second
 * PKCS#11 session in the booths' process.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as x509 from '@kawei/shared/signing/x509.ts';
import type { Signer } from '@kawei/shared/signing/signer.ts';
import { makeTestCa, SOFTHSM2_MODULE, type TestCa } from '../../scripts/lib/softhsm-token.node.ts';

const run = promisify(execFile);

export { makeTestCa, type TestCa };

export interface ReportToken {
  conf: string;
  modulePath: string;
  /** Decimal CK_SLOT_ID. */
  slot: string;
  label: string;
  pin: string;
  keyId: string;
  keyType: 'rsa' | 'ec';
  codeName: string;
  /** The certificate's issuer. */
  ca: TestCa;
  certificateDer: Uint8Array;
  certificatePem: string;
}

const randomSerial = (): string => {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  bytes[0] = (bytes[0]! & 0x7f) | 0x10;
  return Buffer.from(bytes).toString('hex');
};

const pemOf = (der: Uint8Array): string => `${x509.PemConverter.encode(der.slice().buffer, 'CERTIFICATE').trimEnd()}\n`;

/** The softhsm2.conf of the run's one token folder under `dir` (written once). */
export function tokenConf(dir: string): string {
  const tokenDir = join(dir, 'tokens');
  mkdirSync(tokenDir, { recursive: true });
  const conf = join(dir, 'softhsm2.conf');
  writeFileSync(conf, `directories.tokendir = ${tokenDir}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = true\n`);
  return conf;
}

/** A new token in `dir`'s token folder: a key pair of `keyType` made on it, certified by `ca` as `codeName`. */
export async function createTokenUnder(o: { dir: string; ca: TestCa; keyType: 'rsa' | 'ec'; codeName: string; label: string; pin: string; subjectOu?: string }): Promise<ReportToken> {
  const conf = tokenConf(o.dir);
  const env = { ...process.env, SOFTHSM2_CONF: conf };
  const init = await run('softhsm2-util', ['--init-token', '--free', '--label', o.label, '--pin', o.pin, '--so-pin', '12345678'], { env });
  const slot = /reassigned to slot (\d+)/.exec(init.stdout)?.[1];
  if (slot === undefined) throw new Error(`softhsm2-util did not name the slot: ${init.stdout}`);
  const keyId = '01';
  const tool = (args: string[]) => run('pkcs11-tool', ['--module', SOFTHSM2_MODULE, '--slot', slot, ...args], { env, maxBuffer: 1 << 20 });
  await tool(['--login', '--pin', o.pin, '--keypairgen', '--key-type', o.keyType === 'rsa' ? 'rsa:2048' : 'EC:prime256v1', '--id', keyId, '--label', `${o.label}-${keyId}`, '--usage-sign', '--sensitive']);
  const spkiFile = join(o.dir, `pub-${o.label}.der`);
  await tool(['--read-object', '--type', 'pubkey', '--id', keyId, '-o', spkiFile]);
  const publicKey = new x509.PublicKey(readFileSync(spkiFile));
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: `CN=${o.codeName}, OU=${o.subjectOu ?? '评标专家 Evaluation Expert'}, O=Kawei Test, C=CN`,
    issuer: o.ca.certificate.subject,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 365 * 86_400_000),
    publicKey,
    signingKey: o.ca.keys.privateKey,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation, true),
      await x509.SubjectKeyIdentifierExtension.create(publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(o.ca.certificate),
    ],
  });
  const der = new Uint8Array(cert.rawData);
  const file = join(o.dir, `cert-${o.label}.der`);
  writeFileSync(file, der);
  await tool(['--login', '--pin', o.pin, '--write-object', file, '--type', 'cert', '--id', keyId, '--label', `${o.label}-${keyId}`]);
  return { conf, modulePath: SOFTHSM2_MODULE, slot, label: o.label, pin: o.pin, keyId, keyType: o.keyType, codeName: o.codeName, ca: o.ca, certificateDer: der, certificatePem: pemOf(der) };
}

/**
 * A Signer over `token` that runs `pkcs11-tool --sign` per signature (RSA: SHA256-RSA-PKCS over the
 * data; ECDSA: SHA-256 here, CKM_ECDSA over the digest, raw r‖s as the interface wants).
 */
export function pkcs11ToolSigner(token: ReportToken, workDir: string): Signer {
  let n = 0;
  return {
    id: `pkcs11-tool:${token.label}:${token.keyId}`,
    certificate: token.certificateDer,
    chain: [],
    algorithm: token.keyType === 'rsa' ? 'RSA-SHA256' : 'ECDSA-SHA256',
    async sign(data: Uint8Array): Promise<Uint8Array> {
      n += 1;
      const input = join(workDir, `${token.label}-in-${n}`);
      const output = join(workDir, `${token.label}-sig-${n}`);
      writeFileSync(input, token.keyType === 'rsa' ? data : createHash('sha256').update(data).digest());
      const mechanism = token.keyType === 'rsa' ? 'SHA256-RSA-PKCS' : 'ECDSA';
      await run(
        'pkcs11-tool',
        ['--module', token.modulePath, '--slot', token.slot, '--login', '--pin', token.pin, '--sign', '--id', token.keyId, '--mechanism', mechanism, '-i', input, '-o', output],
        { env: { ...process.env, SOFTHSM2_CONF: token.conf } },
      );
      return new Uint8Array(readFileSync(output));
    },
    async close(): Promise<void> {},
  };
}
