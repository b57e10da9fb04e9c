import { X509Certificate, createPrivateKey, createPublicKey, webcrypto } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import { join } from 'node:path';
import * as x509 from '@kawei/shared/signing/x509.ts';
import { spkiSha256 } from '@kawei/shared/device/pinned-tls.node.ts';
import { usageError } from './cli-args.node.ts';

/**
 * The central's TLS identity: the certificate `serve` presents and whose key devices pin.
 *
 * By default the installation makes its own: an ECDSA P-256 key (DIR/tls/central.key, mode 0600, in
 * a 0700 folder) and a self-signed certificate (DIR/tls/central.crt) valid ten years, naming
 * localhost, 127.0.0.1, ::1, the machine's host name and the addresses `serve` is told to listen on
 * or to name (--tls-name). Devices do not rely on those names or on a CA: they pin the SHA-256 of
 * the key (printed with every enrolment code), so when a new name is needed the certificate is
 * re-issued over the same key and no device notices. An installation with its own PKI gives
 * --tls-cert/--tls-key instead; then the fingerprint is that certificate's key.
 */

export const TLS_DIR = 'tls';
export const TLS_CERT_FILE = 'central.crt';
export const TLS_KEY_FILE = 'central.key';
const VALID_DAYS = 3650;
const EC_P256 = { name: 'ECDSA', namedCurve: 'P-256' } as const;

export interface CentralTls {
  cert: string;
  key: string;
  /** SHA-256 (hex) of the certificate's SPKI: what devices pin. */
  fingerprint: string;
  certFile: string;
  keyFile: string;
  /** made: a new key and certificate; reissued: new names over the existing key; loaded: as found. */
  state: 'made' | 'reissued' | 'loaded' | 'given';
}

export interface CentralTlsOptions {
  dataDir: string;
  /** Host names and IP addresses the certificate should name (besides the loopback ones). */
  names?: readonly string[];
  /** An installation's own certificate and key (PEM files); both or neither. */
  certFile?: string;
  keyFile?: string;
}

/** Loads the central's certificate and key, making (or re-issuing) the self-signed one if needed. */
export async function ensureCentralTls(options: CentralTlsOptions): Promise<CentralTls> {
  if (options.certFile !== undefined || options.keyFile !== undefined) return givenTls(options);
  const dir = join(options.dataDir, TLS_DIR);
  const certFile = join(dir, TLS_CERT_FILE);
  const keyFile = join(dir, TLS_KEY_FILE);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);

  const wanted = certificateNames(options.names ?? []);
  let state: CentralTls['state'] = 'loaded';
  if (!existsSync(keyFile)) {
    const keys = (await webcrypto.subtle.generateKey(EC_P256, true, ['sign', 'verify'])) as CryptoKeyPair;
    const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
    const pem = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }).export({ type: 'pkcs8', format: 'pem' }) as string;
    // 'wx': two processes starting on a fresh directory must not overwrite each other's key.
    try {
      writeFileSync(keyFile, pem, { mode: 0o600, flag: 'wx' });
      writeCert(certFile, await issue(keys, wanted));
      state = 'made';
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  chmodSync(keyFile, 0o600);
  const key = readFileSync(keyFile, 'utf8');
  let cert = existsSync(certFile) ? readFileSync(certFile, 'utf8') : '';
  const named = cert ? namesOf(new X509Certificate(cert)) : new Set<string>();
  const missing = wanted.filter((name) => !named.has(name));
  if (!cert || missing.length > 0 || !sameKey(cert, key)) {
    const keys = await webCryptoKeys(key);
    cert = await issue(keys, [...new Set([...named, ...wanted])]);
    writeCert(certFile, cert);
    if (state === 'loaded') state = 'reissued';
  }
  return { cert, key, fingerprint: spkiSha256(cert), certFile, keyFile, state };
}

function givenTls(options: CentralTlsOptions): CentralTls {
  const { certFile, keyFile } = options;
  if (certFile === undefined || keyFile === undefined) {
    throw usageError('central.tls.bothOrNeither');
  }
  let cert: string;
  let key: string;
  try {
    cert = readFileSync(certFile, 'utf8');
    key = readFileSync(keyFile, 'utf8');
    new X509Certificate(cert);
    createPrivateKey(key);
  } catch (error) {
    throw usageError('central.tls.unreadable', { reason: (error as Error).message });
  }
  if (!sameKey(cert, key)) {
    throw usageError('central.tls.keyMismatch');
  }
  return { cert, key, fingerprint: spkiSha256(cert), certFile, keyFile, state: 'given' };
}

/** The names to certify: what was asked, the loopback names, this machine's name; wildcards ("0.0.0.0") become every local address. */
function certificateNames(requested: readonly string[]): string[] {
  const names = new Set(['localhost', '127.0.0.1', '::1', hostname()].map(canonicalName));
  for (const raw of requested) {
    const name = raw.trim().replace(/^\[|\]$/g, '').toLowerCase();
    if (!name) continue;
    if (name === '0.0.0.0' || name === '::') {
      for (const addresses of Object.values(networkInterfaces())) {
        for (const a of addresses ?? []) if (!a.address.startsWith('fe80')) names.add(canonicalName(a.address));
      }
      continue;
    }
    names.add(canonicalName(name));
  }
  return [...names];
}

/** Lower case; an IPv6 address in its compressed form (OpenSSL prints "0:0:0:0:0:0:0:1" for "::1"). */
function canonicalName(name: string): string {
  const lower = name.trim().toLowerCase();
  return isIP(lower) === 6 ? new URL(`http://[${lower}]`).hostname.slice(1, -1) : lower;
}

function namesOf(cert: X509Certificate): Set<string> {
  const names = new Set<string>();
  for (const part of (cert.subjectAltName ?? '').split(/,\s*/)) {
    const match = /^(DNS|IP Address):(.+)$/.exec(part);
    if (match) names.add(canonicalName(match[2]!));
  }
  return names;
}

function sameKey(cert: string, key: string): boolean {
  const fromCert = new X509Certificate(cert).publicKey.export({ type: 'spki', format: 'der' });
  const fromKey = createPublicKey(createPrivateKey(key)).export({ type: 'spki', format: 'der' });
  return Buffer.compare(fromCert, fromKey) === 0;
}

async function webCryptoKeys(pem: string): Promise<CryptoKeyPair> {
  const privateKey = createPrivateKey(pem);
  const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'der' });
  const spki = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  try {
    return {
      privateKey: await webcrypto.subtle.importKey('pkcs8', pkcs8, EC_P256, true, ['sign']),
      publicKey: await webcrypto.subtle.importKey('spki', spki, EC_P256, true, ['verify']),
    } as CryptoKeyPair;
  } catch {
    throw usageError('central.tls.notP256', { file: TLS_KEY_FILE });
  }
}

async function issue(keys: CryptoKeyPair, names: readonly string[]): Promise<string> {
  const now = Date.now();
  const serial = webcrypto.getRandomValues(new Uint8Array(16));
  serial[0] = (serial[0]! & 0x7f) | 0x10;
  const altNames = names.map((name) => (isIP(name) ? { type: 'ip' as const, value: name } : { type: 'dns' as const, value: name }));
  const certificate = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: Buffer.from(serial).toString('hex'),
      name: `CN=Kawei central ${hostname()}, O=Kawei`,
      notBefore: new Date(now - 5 * 60_000),
      notAfter: new Date(now + VALID_DAYS * 86_400_000),
      keys,
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension(altNames),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, webcrypto as Crypto),
      ],
    },
    webcrypto as Crypto,
  );
  return certificate.toString('pem') + '\n';
}

function writeCert(file: string, pem: string): void {
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, pem, { mode: 0o644 });
  renameSync(temp, file);
}
