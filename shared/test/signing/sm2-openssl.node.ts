import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * OpenSSL 3 as the independent SM2/SM3 implementation the tests check ours against: it makes the SM2
 * keys and certificates, verifies our signatures and signs messages for us to verify. Nothing here
 * uses our code.
 */

const run = promisify(execFile);

/** The default SM2 signer ID (GM/T 0009), passed to OpenSSL as `distid:` explicitly: 3.0 uses an empty ID otherwise. */
export const SM2_ID = '1234567812345678';
export const DISTID = `distid:${SM2_ID}`;

export interface OpensslResult {
  ok: boolean;
  /** stdout + stderr. */
  output: string;
  stdout: string;
}

export async function openssl(args: string[], cwd?: string): Promise<OpensslResult> {
  try {
    const { stdout, stderr } = await run('openssl', args, { cwd, maxBuffer: 16 * 1024 * 1024 });
    return { ok: true, output: `${stdout}${stderr}`, stdout };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}${e.message}`, stdout: e.stdout ?? '' };
  }
}

export async function opensslVersion(): Promise<string> {
  return (await openssl(['version'])).stdout.trim();
}

async function must(args: string[], cwd: string): Promise<string> {
  const result = await openssl(args, cwd);
  if (!result.ok) throw new Error(`openssl ${args.join(' ')}\n${result.output}`);
  return result.stdout;
}

export interface Sm2Party {
  /** File names inside the PKI's dir. */
  keyFile: string;
  certFile: string;
  /** SubjectPublicKeyInfo PEM (`openssl pkey -pubout`). */
  pubFile: string;
  keyPem: string;
  certPem: string;
  /** The certificate, DER as OpenSSL writes it. */
  certDer: Uint8Array;
  /** 04‖x‖y as OpenSSL reports the key (last 65 bytes of its DER SubjectPublicKeyInfo). */
  point: Uint8Array;
}

export interface Sm2Pki {
  dir: string;
  root: Sm2Party;
  intermediate: Sm2Party;
  /** Issued by `intermediate`, key usage digitalSignature + nonRepudiation. */
  expert: Sm2Party;
  /** Issued by `root` directly. */
  direct: Sm2Party;
  /** Issued by `root` with OpenSSL's default (empty) signer ID: no `-sigopt distid`. */
  emptyId: Sm2Party;
  /** A self-signed SM2 CA outside the trust list, and an expert under it. */
  strangerCa: Sm2Party;
  stranger: Sm2Party;
  /** Issued by `root`, key usage keyEncipherment only. */
  encipherOnly: Sm2Party;
}

type KeyStyle = 'ecparam' | 'pkcs8' | 'sec1';

async function newKey(dir: string, name: string, style: KeyStyle): Promise<string> {
  const file = `${name}.key`;
  if (style === 'ecparam') {
    // The SM2 PARAMETERS block followed by a PKCS#8 PRIVATE KEY.
    await must(['ecparam', '-name', 'SM2', '-genkey', '-out', file], dir);
  } else {
    await must(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:SM2', '-out', `${name}.p8`], dir);
    if (style === 'pkcs8') await must(['pkey', '-in', `${name}.p8`, '-out', file], dir);
    else await must(['ec', '-in', `${name}.p8`, '-out', file], dir); // SEC1: "SM2 PRIVATE KEY"
  }
  return file;
}

async function party(dir: string, name: string, keyFile: string, certFile: string): Promise<Sm2Party> {
  const pubFile = `${name}.pub.pem`;
  await must(['pkey', '-in', keyFile, '-pubout', '-out', pubFile], dir);
  await must(['pkey', '-in', keyFile, '-pubout', '-outform', 'DER', '-out', `${name}.pub.der`], dir);
  await must(['x509', '-in', certFile, '-outform', 'DER', '-out', `${name}.der`], dir);
  const spki = new Uint8Array(readFileSync(join(dir, `${name}.pub.der`)));
  return {
    keyFile,
    certFile,
    pubFile,
    keyPem: readFileSync(join(dir, keyFile), 'utf8'),
    certPem: readFileSync(join(dir, certFile), 'utf8'),
    certDer: new Uint8Array(readFileSync(join(dir, `${name}.der`))),
    point: spki.subarray(spki.length - 65),
  };
}

async function selfSignedCa(dir: string, name: string, cn: string): Promise<Sm2Party> {
  const key = await newKey(dir, name, 'ecparam');
  const cert = `${name}.pem`;
  await must(
    [
      'req', '-x509', '-new', '-key', key, '-sm3', '-sigopt', DISTID, '-subj', `/CN=${cn}`, '-days', '30', '-set_serial', '1',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-out', cert,
    ],
    dir,
  );
  return party(dir, name, key, cert);
}

let serial = 100;

async function issued(
  dir: string,
  name: string,
  cn: string,
  issuer: Sm2Party,
  options: { style: KeyStyle; ca?: boolean; keyUsage?: string; distid?: boolean },
): Promise<Sm2Party> {
  const key = await newKey(dir, name, options.style);
  const idOptions = options.distid === false ? [] : ['-sigopt', DISTID];
  await must(['req', '-new', '-key', key, '-sm3', ...idOptions, '-subj', `/CN=${cn}`, '-out', `${name}.csr`], dir);
  const ext = options.ca
    ? 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n'
    : `keyUsage=critical,${options.keyUsage ?? 'digitalSignature,nonRepudiation'}\n`;
  writeFileSync(join(dir, `${name}.ext`), ext);
  const cert = `${name}.pem`;
  await must(
    [
      'x509', '-req', '-in', `${name}.csr`, '-CA', issuer.certFile, '-CAkey', issuer.keyFile, '-set_serial', String(serial++),
      '-days', '30', '-sm3', ...idOptions, ...(options.distid === false ? [] : ['-vfyopt', DISTID]), '-extfile', `${name}.ext`, '-out', cert,
    ],
    dir,
  );
  return party(dir, name, key, cert);
}

/** Root → intermediate → expert, and the odd ones, all SM2 with SM3, made by OpenSSL in `dir` (≈ 1 s). */
export async function makeSm2Pki(dir: string): Promise<Sm2Pki> {
  const root = await selfSignedCa(dir, 'root', 'Kawei SM2 Test Root');
  const strangerCa = await selfSignedCa(dir, 'stranger-ca', 'Unknown SM2 CA');
  const intermediate = await issued(dir, 'intermediate', 'Kawei SM2 Test Issuing CA', root, { style: 'pkcs8', ca: true });
  return {
    dir,
    root,
    intermediate,
    expert: await issued(dir, 'expert', 'EXPERT-S3M2', intermediate, { style: 'pkcs8' }),
    direct: await issued(dir, 'direct', 'EXPERT-R4D8', root, { style: 'sec1' }),
    emptyId: await issued(dir, 'empty-id', 'EXPERT-E0ID', root, { style: 'pkcs8', distid: false }),
    strangerCa,
    stranger: await issued(dir, 'stranger', 'EXPERT-X9Z1', strangerCa, { style: 'pkcs8' }),
    encipherOnly: await issued(dir, 'encipher', 'EXPERT-K3Y5', root, { style: 'pkcs8', keyUsage: 'keyEncipherment' }),
  };
}

/** `openssl pkeyutl -verify` of a DER SM2 signature over `message` (SM3 with Z from `distid`, or OpenSSL's default). */
export async function opensslSm2Verify(dir: string, pubFile: string, message: Uint8Array, signatureDer: Uint8Array, distid: string | null = SM2_ID): Promise<OpensslResult> {
  const stamp = `${Date.now()}-${Math.random().toString(16).slice(2)}`;
  writeFileSync(join(dir, `msg-${stamp}`), message);
  writeFileSync(join(dir, `sig-${stamp}.der`), signatureDer);
  return openssl(
    [
      'pkeyutl', '-verify', '-pubin', '-inkey', pubFile, '-rawin', '-digest', 'sm3', '-in', `msg-${stamp}`, '-sigfile', `sig-${stamp}.der`,
      ...(distid === null ? [] : ['-pkeyopt', `distid:${distid}`]),
    ],
    dir,
  );
}

/** `openssl pkeyutl -sign`: a DER SM2 signature by OpenSSL over `message`. */
export async function opensslSm2Sign(dir: string, keyFile: string, message: Uint8Array, distid: string | null = SM2_ID): Promise<Uint8Array> {
  const stamp = `${Date.now()}-${Math.random().toString(16).slice(2)}`;
  writeFileSync(join(dir, `tosign-${stamp}`), message);
  await must(
    [
      'pkeyutl', '-sign', '-inkey', keyFile, '-rawin', '-digest', 'sm3', '-in', `tosign-${stamp}`, '-out', `osig-${stamp}.der`,
      ...(distid === null ? [] : ['-pkeyopt', `distid:${distid}`]),
    ],
    dir,
  );
  return new Uint8Array(readFileSync(join(dir, `osig-${stamp}.der`)));
}
