import { execFile } from 'node:child_process';
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PDFArray, PDFDict, PDFDocument, PDFName, PDFRef, StandardFonts, rgb, type PDFObject } from 'pdf-lib';
import { addSignaturePlaceholder, type PlaceholderOptions } from '../../src/report/pdf-signature.node.ts';
import { readPdfStructure, serialize, writeIncrement, type PdfStructure } from '../../src/report/pdf-xref.node.ts';
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
    notBefore: new Date('2020-01-01T00:00:00Z'),
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
    notBefore: new Date('2020-01-01T00:00:00Z'),
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

// ── forged increments (for the increment check) ───────────────────────────────────────────────

export interface ForgeHook {
  /** The structure of `before`, to look objects up. */
  structure: PdfStructure;
  /** The first free object number after the signature's own objects. */
  nextNumber: number;
  /** The objects the honest increment writes (by number), as raw bodies: replace or add entries. */
  objects: Map<number, { ref: PDFRef; body: Uint8Array }>;
}

const latin1 = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));
const decode = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1');

/**
 * What a dishonest signer could send: the honest placeholder increment of `before` (as
 * addSignaturePlaceholder writes it), changed by `tamper` (more objects, other bodies), written as ONE
 * revision with a byte range again covering the whole file.
 */
export function forgeIncrement(before: Uint8Array, options: PlaceholderOptions, tamper: (hook: ForgeHook) => void): Uint8Array {
  const honest = addSignaturePlaceholder(before, options).pdf;
  const structure = readPdfStructure(before);
  const appended = readPdfStructure(honest).sections[0]!;
  const objects = new Map<number, { ref: PDFRef; body: Uint8Array }>();
  let next = structure.size;
  for (const [number, entry] of [...appended.entries].sort((a, b) => a[0] - b[0])) {
    const text = decode(honest.subarray(entry!.offset));
    const start = text.indexOf('obj\n') + 4;
    const end = text.indexOf('\nendobj');
    objects.set(number, { ref: PDFRef.of(number, entry!.generation), body: honest.slice(entry!.offset + start, entry!.offset + end) });
    next = Math.max(next, number + 1);
  }
  tamper({ structure, nextNumber: next, objects });
  const { pdf } = writeIncrement(structure, [...objects.values()]);
  // Re-aim the byte range at the new position of /Contents.
  const text = decode(pdf);
  const sigAt = text.lastIndexOf('/Type /Sig');
  const lt = text.indexOf('/Contents <', sigAt) + '/Contents '.length;
  const gt = text.indexOf('>', lt) + 1;
  const range = `0 ${lt} ${gt} ${pdf.length - gt}`;
  const open = text.indexOf('/ByteRange [', sigAt) + '/ByteRange ['.length;
  const close = text.indexOf(']', open);
  pdf.set(latin1(range.padEnd(close - open, ' ')), open);
  return pdf;
}

/** A content stream object body (uncompressed): `ops` drawn over the page. */
export function contentStreamBody(ops: string): Uint8Array {
  return latin1(`<<\n/Length ${ops.length}\n>>\nstream\n${ops}\nendstream`);
}

export function serializeBody(object: PDFObject): Uint8Array {
  return serialize(object);
}

export { PDFArray, PDFDict, PDFName, PDFRef };
