import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as x509 from '../../shared/src/signing/x509.ts';

/**
 * A SoftHSM2 token standing in for an expert's USB key, for tests, the demo and the benchmark:
 * its own token directory and config under `dir` (nothing shared with the machine's SoftHSM), test CAs
 * made in this run (ECDSA P-256, software keys: they are test CAs), and the expert's key pair generated
 * ON the token by pkcs11-tool, certified by CA 1 and the certificate written back under the same
 * CKA_ID. The expert is named by a code name, never a real name.
 *
 * The token tools run as child processes with SOFTHSM2_CONF set for them only; the caller's process
 * must set `process.env.SOFTHSM2_CONF = token.conf` before its own PKCS#11 module is initialised
 * (SoftHSM2 reads the variable once, at C_Initialize).
 */

const run = promisify(execFile);

export const SOFTHSM2_MODULE = '/usr/lib/softhsm/libsofthsm2.so';

export interface TestTokenOptions {
  dir: string;
  pin?: string;
  soPin?: string;
  label?: string;
  /** How many test CAs to make (all go into `trustDir`); the expert's certificate is issued by the first. */
  cas?: number;
  keyType?: 'rsa' | 'ec';
  codeName?: string;
  modulePath?: string;
}

export interface TestCa {
  name: string;
  certificate: x509.X509Certificate;
  der: Uint8Array;
  pem: string;
  keys: CryptoKeyPair;
}

export interface IssueOptions {
  /** CKA_ID in hex; must be new on the token. */
  keyId: string;
  issuer: TestCa;
  keyType?: 'rsa' | 'ec';
  codeName?: string;
  notBefore?: Date;
  notAfter?: Date;
  /** x509.KeyUsageFlags bits; digitalSignature | nonRepudiation by default. */
  keyUsage?: number;
}

export interface IssuedCertificate {
  keyId: string;
  der: Uint8Array;
  pem: string;
  file: string;
}

export interface TestToken {
  dir: string;
  /** The softhsm2.conf path. */
  conf: string;
  env: { SOFTHSM2_CONF: string };
  modulePath: string;
  /** Decimal CK_SLOT_ID, as Pkcs11Provider names slots. */
  slot: string;
  serial: string;
  label: string;
  pin: string;
  soPin: string;
  keyId: string;
  keyType: 'rsa' | 'ec';
  cas: TestCa[];
  /** Folder holding every CA in `cas` as PEM: the trust list. */
  trustDir: string;
  certificate: IssuedCertificate;
  /** Generates another key pair on the token and imports a certificate for it. */
  issue(options: IssueOptions): Promise<IssuedCertificate>;
  /** Makes a CA that is NOT written to `trustDir` (an unknown CA). */
  createCa(name: string): Promise<TestCa>;
  /** `softhsm2-util --delete-token`: to the module, as good as pulling the key out. */
  deleteToken(): Promise<void>;
}

export async function softhsmAvailable(): Promise<boolean> {
  try {
    await run('softhsm2-util', ['--version']);
    await run('pkcs11-tool', ['--help']).catch((error: { stdout?: string }) => {
      if (!error.stdout?.includes('Usage')) throw error;
    });
    return true;
  } catch {
    return false;
  }
}

const randomSerial = (): string => {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  bytes[0] = (bytes[0]! & 0x7f) | 0x10;
  return Buffer.from(bytes).toString('hex');
};

const pemOf = (der: Uint8Array): string => `${x509.PemConverter.encode(der.slice().buffer, 'CERTIFICATE').trimEnd()}\n`;

const EC_SIGNING = { name: 'ECDSA', hash: 'SHA-256' } as const;

export async function makeTestCa(name: string, validDays = 3650): Promise<TestCa> {
  const keys = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair;
  const now = Date.now();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: `CN=${name}, O=Kawei Test PKI, C=CN`,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + validDays * 86_400_000),
    keys,
    signingAlgorithm: EC_SIGNING,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const der = new Uint8Array(certificate.rawData);
  return { name, certificate, der, pem: pemOf(der), keys };
}

export async function createTestToken(options: TestTokenOptions): Promise<TestToken> {
  const dir = options.dir;
  const pin = options.pin ?? '123456';
  const soPin = options.soPin ?? '12345678';
  const label = options.label ?? 'expert-key';
  const keyType = options.keyType ?? 'rsa';
  const modulePath = options.modulePath ?? SOFTHSM2_MODULE;
  const tokenDir = join(dir, 'tokens');
  const trustDir = join(dir, 'trust');
  mkdirSync(tokenDir, { recursive: true });
  mkdirSync(trustDir, { recursive: true });
  const conf = join(dir, 'softhsm2.conf');
  writeFileSync(conf, `directories.tokendir = ${tokenDir}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = true\n`);
  const env = { ...process.env, SOFTHSM2_CONF: conf };

  const init = await run('softhsm2-util', ['--init-token', '--free', '--label', label, '--pin', pin, '--so-pin', soPin], { env });
  const slotMatch = /reassigned to slot (\d+)/.exec(init.stdout);
  if (slotMatch === null) throw new Error(`softhsm2-util did not name the slot: ${init.stdout}`);
  const slot = slotMatch[1]!;
  const shown = await run('softhsm2-util', ['--show-slots'], { env });
  const serial = new RegExp(`Slot ${slot}[\\s\\S]*?Serial number:\\s*(\\S+)`).exec(shown.stdout)?.[1] ?? '';

  const cas = await Promise.all(Array.from({ length: Math.max(1, options.cas ?? 2) }, (_, i) => makeTestCa(`Kawei Test CA ${i + 1}`)));
  cas.forEach((ca, i) => writeFileSync(join(trustDir, `ca-${i + 1}.pem`), ca.pem));

  const tool = (args: string[]) => run('pkcs11-tool', ['--module', modulePath, '--slot', slot, ...args], { env, maxBuffer: 1 << 20 });

  const issue = async (o: IssueOptions): Promise<IssuedCertificate> => {
    const type = o.keyType ?? keyType;
    await tool([
      '--login', '--pin', pin, '--keypairgen',
      '--key-type', type === 'rsa' ? 'rsa:2048' : 'EC:prime256v1',
      '--id', o.keyId, '--label', `${label}-${o.keyId}`, '--usage-sign', '--sensitive',
    ]);
    const spkiFile = join(dir, `pub-${o.keyId}.der`);
    await tool(['--read-object', '--type', 'pubkey', '--id', o.keyId, '-o', spkiFile]);
    const publicKey = new x509.PublicKey(readFileSync(spkiFile));
    const now = Date.now();
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: randomSerial(),
      subject: `CN=${o.codeName ?? options.codeName ?? 'EXPERT-K7Q2'}, OU=评标专家 Evaluation Expert, O=Kawei Test, C=CN`,
      issuer: o.issuer.certificate.subject,
      notBefore: o.notBefore ?? new Date(now - 60_000),
      notAfter: o.notAfter ?? new Date(now + 365 * 86_400_000),
      publicKey,
      signingKey: o.issuer.keys.privateKey,
      signingAlgorithm: EC_SIGNING,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(o.keyUsage ?? x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation, true),
        await x509.SubjectKeyIdentifierExtension.create(publicKey),
        await x509.AuthorityKeyIdentifierExtension.create(o.issuer.certificate),
      ],
    });
    const der = new Uint8Array(cert.rawData);
    const file = join(dir, `cert-${o.keyId}.der`);
    writeFileSync(file, der);
    await tool(['--login', '--pin', pin, '--write-object', file, '--type', 'cert', '--id', o.keyId, '--label', `${label}-${o.keyId}`]);
    return { keyId: o.keyId, der, pem: pemOf(der), file };
  };

  const keyId = '01';
  const certificate = await issue({ keyId, issuer: cas[0]! });
  return {
    dir,
    conf,
    env: { SOFTHSM2_CONF: conf },
    modulePath,
    slot,
    serial,
    label,
    pin,
    soPin,
    keyId,
    keyType,
    cas,
    trustDir,
    certificate,
    issue,
    createCa: (name) => makeTestCa(name),
    deleteToken: async () => {
      await run('softhsm2-util', ['--delete-token', '--token', label], { env });
    },
  };
}
