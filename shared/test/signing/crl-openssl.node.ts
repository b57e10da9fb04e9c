import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Signer } from '../../src/signing/signer.ts';
import { openssl, type OpensslResult } from './sm2-openssl.node.ts';

/**
 * OpenSSL CAs for the CRL tests, nothing of ours: `openssl req` / `openssl ca` make the CA and issue
 * certificates (with a chosen notBefore), `openssl ca -revoke` writes its index.txt, `openssl ca
 * -gencrl` signs the CRL (CRL number from its crlnumber file). Each CA lives in its own directory.
 */

export type KeyType = 'ec' | 'rsa';

export interface Party {
  /** Absolute paths. */
  keyFile: string;
  certFile: string;
  keyPem: string;
  certPem: string;
  certDer: Uint8Array;
  /** Hex as OpenSSL prints it (upper case). */
  serial: string;
}

export interface Crl {
  /** PEM file. */
  file: string;
  /** DER file. */
  derFile: string;
  pem: string;
  der: Uint8Array;
}

export interface CrlOptions {
  /** `-crlhours` (default 24). */
  hours?: number;
  /** `-crl_lastupdate` / `-crl_nextupdate`, YYYYMMDDHHMMSSZ. */
  lastUpdate?: string;
  nextUpdate?: string;
  /** A section of the CA's config for `-crlexts` ('delta' makes a delta CRL). */
  exts?: string;
  /** Extra `openssl ca` options (`-sigopt distid:…`). */
  extra?: string[];
}

export interface OpensslCa extends Party {
  dir: string;
  /** Issues an end-entity (digitalSignature, nonRepudiation) or CA certificate with `openssl ca`. */
  issue(name: string, cn: string, options?: { ca?: boolean; keyType?: KeyType; startDate?: string }): Promise<Party>;
  /** `openssl ca -revoke <cert> -crl_reason <reason>`. */
  revoke(certFile: string, reason?: string): Promise<void>;
  /** `openssl ca -gencrl`, PEM and DER copies. */
  gencrl(name: string, options?: CrlOptions): Promise<Crl>;
}

export async function must(args: string[], cwd: string): Promise<OpensslResult> {
  const result = await openssl(args, cwd);
  if (!result.ok) throw new Error(`openssl ${args.join(' ')}\n${result.output}`);
  return result;
}

/** YYYYMMDDHHMMSSZ, as `openssl ca -startdate` and `-crl_lastupdate` take it. */
export function asn1Time(date: Date): string {
  return `${date.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
}

const newKeyArgs = (type: KeyType): string[] => (type === 'rsa' ? ['-newkey', 'rsa:2048'] : ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256']);

async function party(dir: string, keyFile: string, certFile: string): Promise<Party> {
  await must(['x509', '-in', certFile, '-outform', 'DER', '-out', `${certFile}.der`], dir);
  const serial = (await must(['x509', '-in', certFile, '-noout', '-serial'], dir)).stdout.trim().replace(/^serial=/, '');
  return {
    keyFile: join(dir, keyFile),
    certFile: join(dir, certFile),
    keyPem: readFileSync(join(dir, keyFile), 'utf8'),
    certPem: readFileSync(join(dir, certFile), 'utf8'),
    certDer: new Uint8Array(readFileSync(join(dir, `${certFile}.der`))),
    serial,
  };
}

function caConfig(md: string): string {
  return `[ ca ]
default_ca = CA_default
[ CA_default ]
database = ./index.txt
crlnumber = ./crlnumber
serial = ./serial
new_certs_dir = ./issued
certificate = ./ca.pem
private_key = ./ca.key
default_md = ${md}
default_days = 365
default_crl_hours = 24
policy = policy_any
unique_subject = no
copy_extensions = none
[ policy_any ]
commonName = supplied
organizationName = optional
[ leaf ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation
[ subca ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
[ delta ]
2.5.29.27 = critical,DER:02:01:01
`;
}

function wrap(dir: string, self: Party): OpensslCa {
  return {
    ...self,
    dir,
    async issue(name, cn, options = {}) {
      await must(['req', ...newKeyArgs(options.keyType ?? 'ec'), '-nodes', '-keyout', `${name}.key`, '-subj', `/CN=${cn}/O=Kawei CRL Test`, '-out', `${name}.csr`], dir);
      await must(
        [
          'ca', '-config', 'ca.cnf', '-batch', '-notext', '-in', `${name}.csr`, '-out', `${name}.pem`, '-extensions', options.ca ? 'subca' : 'leaf',
          ...(options.startDate === undefined ? [] : ['-startdate', options.startDate]),
        ],
        dir,
      );
      return party(dir, `${name}.key`, `${name}.pem`);
    },
    async revoke(certFile, reason = 'keyCompromise') {
      await must(['ca', '-config', 'ca.cnf', '-revoke', certFile, '-crl_reason', reason], dir);
    },
    async gencrl(name, options = {}) {
      const times =
        options.lastUpdate !== undefined || options.nextUpdate !== undefined
          ? [...(options.lastUpdate ? ['-crl_lastupdate', options.lastUpdate] : []), ...(options.nextUpdate ? ['-crl_nextupdate', options.nextUpdate] : [])]
          : ['-crlhours', String(options.hours ?? 24)];
      const file = join(dir, `${name}.crl.pem`);
      await must(['ca', '-config', 'ca.cnf', '-gencrl', ...times, ...(options.exts ? ['-crlexts', options.exts] : []), ...(options.extra ?? []), '-out', file], dir);
      await must(['crl', '-in', file, '-outform', 'DER', '-out', `${name}.crl`], dir);
      const derFile = join(dir, `${name}.crl`);
      return { file, derFile, pem: readFileSync(file, 'utf8'), der: new Uint8Array(readFileSync(derFile)) };
    },
  };
}

function initCaDir(dir: string, md: string): void {
  mkdirSync(join(dir, 'issued'), { recursive: true });
  writeFileSync(join(dir, 'ca.cnf'), caConfig(md));
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'crlnumber'), '01\n');
  writeFileSync(join(dir, 'serial'), `${(0x1000 + Math.floor(Math.random() * 0xefff)).toString(16)}\n`);
}

/**
 * A self-signed root CA (basicConstraints CA, keyCertSign + cRLSign) in `dir`, valid from three days
 * ago (`openssl ca -selfsign -startdate`: `req -x509` in 3.0 cannot backdate), so signatures dated a
 * day back fall inside its validity.
 */
export async function makeRootCa(dir: string, cn: string, keyType: KeyType = 'ec'): Promise<OpensslCa> {
  initCaDir(dir, 'sha256');
  await must(['req', ...newKeyArgs(keyType), '-nodes', '-keyout', 'ca.key', '-subj', `/CN=${cn}/O=Kawei CRL Test`, '-out', 'ca.csr'], dir);
  await must(
    [
      'ca', '-config', 'ca.cnf', '-batch', '-notext', '-selfsign', '-keyfile', 'ca.key', '-in', 'ca.csr', '-extensions', 'subca',
      '-startdate', asn1Time(new Date(Date.now() - 3 * 86_400_000)), '-days', '3650', '-out', 'ca.pem',
    ],
    dir,
  );
  return wrap(dir, await party(dir, 'ca.key', 'ca.pem'));
}

/** An issued CA certificate (`parent.issue(…, { ca: true })`) made into a CA of its own in `dir`. */
export function caFromParty(dir: string, ca: Party, md = 'sha256'): OpensslCa {
  initCaDir(dir, md);
  writeFileSync(join(dir, 'ca.pem'), ca.certPem);
  writeFileSync(join(dir, 'ca.key'), ca.keyPem);
  return wrap(dir, { ...ca, certFile: join(dir, 'ca.pem'), keyFile: join(dir, 'ca.key') });
}

// ── a software signer for RSA / P-256 keys OpenSSL made (the CMS tests; SoftHSM2 is not needed) ──

function pemBody(pem: string, label: string): Uint8Array<ArrayBuffer> {
  const m = new RegExp(`-----BEGIN ${label}-----([\\s\\S]+?)-----END ${label}-----`).exec(pem);
  if (m === null) throw new Error(`no ${label} block`);
  return new Uint8Array(Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64'));
}

export interface CountingSigner extends Signer {
  /** How many times `sign` was called (the token "asked"). */
  readonly calls: number;
}

/** A Signer over a PKCS#8 key file (as `openssl req -nodes` writes it): r‖s for P-256, PKCS#1 v1.5 for RSA. */
export async function softSigner(p: Party, chain: Party[], keyType: KeyType): Promise<CountingSigner> {
  const pkcs8 = pemBody(p.keyPem, 'PRIVATE KEY');
  const algorithm = keyType === 'rsa' ? { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } : { name: 'ECDSA', namedCurve: 'P-256' };
  const key = await crypto.subtle.importKey('pkcs8', pkcs8, algorithm, false, ['sign']);
  let calls = 0;
  return {
    id: `soft:${p.serial}`,
    certificate: p.certDer,
    chain: chain.map((c) => c.certDer),
    algorithm: keyType === 'rsa' ? 'RSA-SHA256' : 'ECDSA-SHA256',
    get calls() {
      return calls;
    },
    async sign(data) {
      calls++;
      const params = keyType === 'rsa' ? { name: 'RSASSA-PKCS1-v1_5' } : { name: 'ECDSA', hash: 'SHA-256' };
      return new Uint8Array(await crypto.subtle.sign(params, key, new Uint8Array(data)));
    },
    async close() {},
  };
}
