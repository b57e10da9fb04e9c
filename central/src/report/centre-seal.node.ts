import { createPrivateKey, createPublicKey, randomBytes, webcrypto, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { bilingualError } from '@kawei/shared/i18n/bilingual.ts';
import { translate } from '@kawei/shared/i18n/messages.ts';
import type { Signer } from '@kawei/shared/signing/signer.ts';
import { softwareSigner } from '@kawei/shared/signing/software-signer.node.ts';
import { trustListFromCertificates, type TrustList } from '@kawei/shared/signing/trust-list.ts';
import * as x509 from '@kawei/shared/signing/x509.ts';

/**
 * The centre's seal (电子印章) for the report's annexes: an ECDSA P-256 key and its certificate,
 * issued by a seal CA made for it. Made once in `dir` — seal-key.pem (PKCS#8), seal-cert.pem,
 * seal-ca.pem, each 0600 in a 0700 folder — and loaded ever after. The CA's private key is not kept:
 * it signs the one seal certificate and is dropped, so nothing else can ever chain to seal-ca.pem.
 * Whoever verifies an annex trusts seal-ca.pem (`openssl cms -verify -CAfile seal-ca.pem`, or the
 * returned trustList).
 */

export interface CentreSeal {
  signer: Signer;
  certificatePem: string;
  caPem: string;
  trustList: TrustList;
}

export const SEAL_KEY_FILE = 'seal-key.pem';
export const SEAL_CERT_FILE = 'seal-cert.pem';
export const SEAL_CA_FILE = 'seal-ca.pem';

const EC_P256 = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING = { name: 'ECDSA', hash: 'SHA-256' } as const;
const DAY = 86_400_000;

const nameSchema = z
  .string()
  .trim()
  .min(1)
  .max(120)
  .refine((s) => [...s].every((c) => c.charCodeAt(0) >= 0x20 && c.charCodeAt(0) !== 0x7f), 'no control characters');

const pemOf = (der: ArrayBuffer, label: string): string => `${x509.PemConverter.encode(der, label).trimEnd()}\n`;

function writePrivate(file: string, text: string, flag: 'wx' | 'w'): void {
  writeFileSync(file, text, { mode: 0o600, flag });
  chmodSync(file, 0o600); // the mode given to open is masked by the umask
}

/** Written under a temporary name and renamed: a reader never sees half a certificate. */
function writeAtomically(file: string, text: string): void {
  const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  writePrivate(temp, text, 'wx');
  renameSync(temp, file);
}

async function makeSeal(dir: string, centre: string): Promise<void> {
  const caKeys = (await webcrypto.subtle.generateKey(EC_P256, true, ['sign', 'verify'])) as CryptoKeyPair;
  const keys = (await webcrypto.subtle.generateKey(EC_P256, true, ['sign', 'verify'])) as CryptoKeyPair;
  const now = Date.now();
  const serial = (): string => {
    const bytes = randomBytes(16);
    bytes[0] = (bytes[0]! & 0x7f) | 0x10;
    return bytes.toString('hex');
  };
  // A day back: an annex sealed right after the seal is made must not meet a clock a few seconds behind.
  const notBefore = new Date(now - DAY);
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: [{ CN: [translate('zh-CN', 'pades.sealCaSubject', { centre })] }, { O: [centre] }, { C: ['CN'] }],
    notBefore,
    notAfter: new Date(now + 20 * 365 * DAY),
    keys: caKeys,
    signingAlgorithm: SIGNING,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const leaf = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: [{ CN: [translate('zh-CN', 'pades.sealSubject', { centre })] }, { O: [centre] }, { C: ['CN'] }],
    issuer: ca.subjectName,
    notBefore,
    notAfter: new Date(now + 10 * 365 * DAY),
    publicKey: keys.publicKey,
    signingKey: caKeys.privateKey,
    signingAlgorithm: SIGNING,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(ca),
    ],
  });
  const keyPem = pemOf(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY');
  // The key file first, exclusively: of two processes making a seal at once, one wins; the other loads.
  try {
    writePrivate(join(dir, SEAL_KEY_FILE), keyPem, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return;
    throw error;
  }
  writeAtomically(join(dir, SEAL_CA_FILE), pemOf(ca.rawData, 'CERTIFICATE'));
  writeAtomically(join(dir, SEAL_CERT_FILE), pemOf(leaf.rawData, 'CERTIFICATE'));
}

async function waitForFiles(dir: string): Promise<void> {
  // Another process holding the key file is writing the certificates; give it a moment.
  for (let i = 0; i < 50; i++) {
    if (existsSync(join(dir, SEAL_CERT_FILE)) && existsSync(join(dir, SEAL_CA_FILE))) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const missing = [SEAL_CA_FILE, SEAL_CERT_FILE].find((f) => !existsSync(join(dir, f)))!;
  throw bilingualError('pades.sealIncomplete', { dir, file: missing });
}

function loadSeal(dir: string): CentreSeal {
  let keyPem: string;
  let certificatePem: string;
  let caPem: string;
  try {
    for (const file of [SEAL_KEY_FILE, SEAL_CERT_FILE, SEAL_CA_FILE]) chmodSync(join(dir, file), 0o600);
    keyPem = readFileSync(join(dir, SEAL_KEY_FILE), 'utf8');
    certificatePem = readFileSync(join(dir, SEAL_CERT_FILE), 'utf8');
    caPem = readFileSync(join(dir, SEAL_CA_FILE), 'utf8');
  } catch (error) {
    throw bilingualError('pades.sealUnreadable', { dir, detail: (error as Error).message });
  }
  let privateKey: KeyObject;
  let parsedCert: x509.X509Certificate;
  let certificate: Uint8Array;
  let ca: Uint8Array;
  try {
    privateKey = createPrivateKey(keyPem);
    parsedCert = new x509.X509Certificate(certificatePem);
    certificate = new Uint8Array(parsedCert.rawData);
    ca = new Uint8Array(new x509.X509Certificate(caPem).rawData);
  } catch (error) {
    throw bilingualError('pades.sealUnreadable', { dir, detail: (error as Error).message });
  }
  const certSpki = Buffer.from(parsedCert.publicKey.rawData);
  if (!certSpki.equals(createPublicKey(privateKey).export({ type: 'spki', format: 'der' }))) {
    throw bilingualError('pades.sealMismatch', { dir });
  }
  const signer = softwareSigner({ privateKey, certificate, chain: [ca], id: 'centre-seal' });
  return { signer, certificatePem, caPem, trustList: trustListFromCertificates([ca]) };
}

/**
 * The centre's seal key + certificate for annexes: made once in `dir` (files 0600), loaded after.
 * ECDSA P-256, a seal CA + leaf (digitalSignature, nonRepudiation). `centreName` names a new seal
 * (subject CN and O); an existing one is loaded as it is.
 */
export async function loadOrCreateCentreSeal(dir: string, centreName: string): Promise<CentreSeal> {
  const parsed = nameSchema.safeParse(centreName);
  if (!parsed.success) throw bilingualError('pades.sealBadName', { detail: parsed.error.issues.map((i) => i.message).join('; ') });
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
  } catch (error) {
    throw bilingualError('pades.sealUnreadable', { dir, detail: (error as Error).message });
  }
  if (!existsSync(join(dir, SEAL_KEY_FILE))) {
    // Certificates without their key are leftovers of nothing we made: refuse rather than overwrite.
    const stray = [SEAL_CERT_FILE, SEAL_CA_FILE].find((f) => existsSync(join(dir, f)));
    if (stray !== undefined) throw bilingualError('pades.sealIncomplete', { dir, file: SEAL_KEY_FILE });
    await makeSeal(dir, parsed.data);
  }
  await waitForFiles(dir);
  return loadSeal(dir);
}
