import { execFile } from 'node:child_process';
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PDFDocument, StandardFonts, rgb } from 'pdf-lib';
import * as x509 from '../../src/signing/x509.ts';

const run = promisify(execFile);

/** Test PKI with software keys: CAs and leaves in ECDSA P-256 or RSA-2048, made in this run. */

export type KeyKind = 'ec' | 'rsa';

export interface TestCa {
  name: string;
  cert: x509.X509Certificate;
  der: Uint8Array;
  pem: string;
  keys: CryptoKeyPair;
  kind: KeyKind;
}

export interface TestLeaf {
  der: Uint8Array;
  pem: string;
  privateKey: KeyObject;
  keyPem: string;
}

let serialCounter = 0x100;
const serial = (): string => (++serialCounter).toString(16).padStart(8, '0');

const algorithm = (kind: KeyKind) =>
  kind === 'ec'
    ? ({ name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const)
    : ({ name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' } as const);

async function keyPair(kind: KeyKind): Promise<CryptoKeyPair> {
  return (await crypto.subtle.generateKey(algorithm(kind), true, ['sign', 'verify'])) as CryptoKeyPair;
}

const pemOf = (der: Uint8Array, label = 'CERTIFICATE'): string => `${x509.PemConverter.encode(der.slice().buffer, label).trimEnd()}\n`;

export async function makeCa(name: string, kind: KeyKind): Promise<TestCa> {
  const keys = await keyPair(kind);
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=${name}, O=Kawei Test PKI, C=CN`,
    notBefore: new Date(now - 86_400_000),
    notAfter: new Date(now + 3650 * 86_400_000),
    keys,
    signingAlgorithm: algorithm(kind),
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const der = new Uint8Array(cert.rawData);
  return { name, cert, der, pem: pemOf(der), keys, kind };
}

export async function issueLeaf(ca: TestCa, kind: KeyKind, codeName: string): Promise<TestLeaf> {
  const keys = await keyPair(kind);
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${codeName}, O=Kawei Test, C=CN`,
    issuer: ca.cert.subject,
    notBefore: new Date(now - 86_400_000),
    notAfter: new Date(now + 365 * 86_400_000),
    publicKey: keys.publicKey,
    signingKey: ca.keys.privateKey,
    signingAlgorithm: algorithm(ca.kind),
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(ca.cert),
    ],
  });
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey('pkcs8', keys.privateKey));
  const keyPem = pemOf(pkcs8, 'PRIVATE KEY');
  const der = new Uint8Array(cert.rawData);
  return { der, pem: pemOf(der), privateKey: createPrivateKey(keyPem), keyPem };
}

/** A small two-page report stand-in, saved as the renderer saves (classic xref table). */
export async function samplePdf(title = 'Kawei evaluation report (test)'): Promise<Uint8Array> {
  const doc = await PDFDocument.create({ updateMetadata: false });
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let i = 1; i <= 2; i++) {
    const page = doc.addPage([595, 842]);
    page.drawText(`${title} - page ${i}`, { x: 50, y: 780, size: 16, font, color: rgb(0, 0, 0) });
    page.drawText('Bidder A: 91.5   Bidder B: 88.0', { x: 50, y: 740, size: 12, font });
  }
  doc.setCreationDate(new Date('2025-01-02T03:04:05Z'));
  doc.setModificationDate(new Date('2025-01-02T03:04:05Z'));
  return doc.save({ useObjectStreams: false });
}

export interface ToolRun {
  code: number;
  output: string;
}

export async function tool(command: string, args: string[]): Promise<ToolRun> {
  try {
    const { stdout, stderr } = await run(command, args, { maxBuffer: 8 << 20 });
    return { code: 0, output: `${stdout}${stderr}` };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

/** `pdfsig -nocert FILE`: poppler checks each signature over its byte range (not the certificate: no NSS db here). */
export async function pdfsig(dir: string, pdf: Uint8Array, name: string): Promise<ToolRun> {
  const file = join(dir, name);
  writeFileSync(file, pdf);
  return tool('pdfsig', ['-nocert', file]);
}

/** One block of pdfsig's output per signature: "Signature #n: …" up to the next. */
export function pdfsigBlocks(output: string): string[] {
  return output.split(/^Signature #\d+:/m).slice(1);
}
