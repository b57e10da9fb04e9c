import { createHash } from 'node:crypto';
import { PDFArray, PDFDict, PDFHexString, PDFName, PDFNumber, PDFRef } from 'pdf-lib';
import { z } from 'zod';
import { bilingualError, messagePair, withDetail } from '../i18n/bilingual.ts';
import { translate } from '../i18n/messages.ts';
import { createDetachedCms, verifyDetachedCms, type CmsOptions, type VerifyOptions, type VerifyResult } from '../signing/cms.ts';
import type { Signer } from '../signing/signer.ts';
import { SIGNING_MESSAGES } from '../signing/signing-errors.ts';
import type { TrustList } from '../signing/trust-list.ts';
import { formFields, formatPdfDate, signatureEntries, trimContents, type PdfSignatureInfo } from './pdf-signature-read.node.ts';
import { guardedRead, readPdfStructure, serialize, writeIncrement, type IncrementObject, type PdfStructure } from './pdf-xref.node.ts';

export { readPdfSignatures, type PdfSignatureInfo } from './pdf-signature-read.node.ts';
export { checkSignatureIncrement } from './pdf-increment.node.ts';

/**
 * PAdES signatures (ETSI EN 319 142, SubFilter ETSI.CAdES.detached) added to a PDF one after another,
 * each as an incremental update, so every earlier signature stays valid over its own revision:
 *
 *   prepared = addSignaturePlaceholder(head, options)   // deterministic: booth and central agree
 *   cms = CMS over prepared.signedContent (the token signs)
 *   signed = embedSignature(prepared, cms)
 *
 * The increment is written here (pdf-xref.node.ts) rather than by @signpdf/placeholder-plain, which
 * names every field "SignatureN" (our /T must be the seat's field name), always adds /ContactInfo and
 * /Prop_Build, finds the AcroForm by searching the text for "/Type /AcroForm", and strips a trailing
 * newline of its input (so the signed file would no longer start with the previous file's bytes).
 * The layout follows it: a signature dictionary with a zero-filled hex /Contents and a /ByteRange
 * that excludes exactly that hex string, an invisible widget (Rect [0 0 0 0]) on the first page that
 * is also the field, the AcroForm with SigFlags 3.
 */

export const SIGNATURE_PLACEHOLDER_BYTES = 32768;

export interface PlaceholderOptions {
  /** /T of the field, unique per document. */
  fieldName: string;
  /** /Name. */
  signerName: string;
  /** /M (whole seconds: milliseconds are dropped). */
  signingTime: Date;
  /** /Reason, default t('pades.reason') in zh-CN. */
  reason?: string;
  /** /Location, default ''. */
  location?: string;
  /** Bytes of CMS room; default SIGNATURE_PLACEHOLDER_BYTES. */
  placeholderBytes?: number;
}

export interface PreparedPdf {
  /** Head + incremental update with zeroed /Contents. */
  pdf: Uint8Array;
  byteRange: [number, number, number, number];
  /** The two ByteRange parts concatenated: what the CMS signs. */
  signedContent: Uint8Array;
}

export interface PdfSignatureCheck {
  info: PdfSignatureInfo;
  result: VerifyResult;
  /** SHA-256 (hex) of the revision this signature covers: bytes [0, revisionEnd). */
  revisionSha256: string;
}

const SUBFILTER = 'ETSI.CAdES.detached';
/** Sub-filters whose /Contents is a detached CMS over the ByteRange (the older Adobe one is read too). */
const DETACHED_SUBFILTERS = new Set([SUBFILTER, 'adbe.pkcs7.detached']);
/** Room for "0 a b c" (four integers up to 15 digits) inside the brackets, padded with spaces. */
const BYTE_RANGE_WIDTH = 64;
/** Widget flags: Print (4) + Locked (128). */
const WIDGET_FLAGS = 132;

const noControl = (s: string): boolean => [...s].every((c) => c.charCodeAt(0) >= 0x20 && c.charCodeAt(0) !== 0x7f);
const optionsSchema = z.object({
  // '.' separates the parts of a qualified field name, so it cannot be in a partial one.
  fieldName: z.string().min(1).max(100).refine((s) => noControl(s) && !s.includes('.'), 'no control characters and no "."'),
  signerName: z.string().min(1).max(200).refine(noControl, 'no control characters'),
  signingTime: z.date().refine((d) => d.getUTCFullYear() >= 1970 && d.getUTCFullYear() <= 9999, 'a year from 1970 to 9999'),
  reason: z.string().max(500).refine(noControl, 'no control characters').optional(),
  location: z.string().max(200).refine(noControl, 'no control characters').optional(),
  placeholderBytes: z.number().int().min(1024).max(1 << 20).optional(),
});
const bytesSchema = z.instanceof(Uint8Array);

function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ');
    throw bilingualError('pades.badOptions', { detail });
  }
  return parsed.data;
}

/** A PDF text string: literal for printable ASCII (readable in the file), UTF-16BE hex otherwise. */
function pdfText(text: string): string {
  if (/^[\x20-\x7e]*$/.test(text)) return `(${text.replace(/[\\()]/g, (c) => `\\${c}`)})`;
  return PDFHexString.fromText(text).toString();
}

const latin1 = (text: string): Uint8Array => Buffer.from(text, 'latin1');
const decoder = new TextDecoder('latin1');

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

function firstPage(structure: PdfStructure): { ref: PDFRef; dict: PDFDict } {
  const catalog = structure.lookup(structure.root);
  if (!(catalog instanceof PDFDict)) throw bilingualError('pades.notPdf', { detail: 'the /Root is not a dictionary' });
  let node = catalog.get(PDFName.of('Pages'));
  for (let depth = 0; depth < 64; depth++) {
    const dict = structure.resolve(node);
    if (!(node instanceof PDFRef) || !(dict instanceof PDFDict)) break;
    if (dict.get(PDFName.of('Type')) === PDFName.of('Page')) return { ref: node, dict };
    const kids = structure.resolve(dict.get(PDFName.of('Kids')));
    if (!(kids instanceof PDFArray) || kids.size() === 0) break;
    node = kids.get(0);
  }
  throw bilingualError('pades.notPdf', { detail: 'no page found' });
}

/** `array` (direct, or the object a reference names) with `item` appended; an indirect array is rewritten in place. */
function appendTo(
  structure: PdfStructure,
  value: ReturnType<PDFDict['get']>,
  item: PDFRef,
  writes: IncrementObject[],
): PDFArray | PDFRef {
  if (value instanceof PDFRef) {
    const target = structure.lookup(value);
    if (!(target instanceof PDFArray)) throw bilingualError('pades.notPdf', { detail: `object ${value.objectNumber} is not an array` });
    const copy = target.clone(structure.context);
    copy.push(item);
    writes.push({ ref: value, body: serialize(copy) });
    return value;
  }
  const copy = value instanceof PDFArray ? value.clone(structure.context) : PDFArray.withContext(structure.context);
  copy.push(item);
  return copy;
}

/**
 * `pdf` with one more signature field (named options.fieldName, on the first page, invisible) and a
 * zero-filled placeholder for its CMS, as one incremental update. Deterministic: the same `pdf` and
 * options give the same bytes (no clock, no random identifiers), which is how the central can rebuild
 * what a booth signed. Throws a BilingualError for a PDF it cannot extend (unreadable, cross-reference
 * stream, encrypted), bad options, or a field name already in the form.
 */
export function addSignaturePlaceholder(pdf: Uint8Array, options: PlaceholderOptions): PreparedPdf {
  const bytes = parseOrThrow(bytesSchema, pdf);
  const o = parseOrThrow(optionsSchema, options);
  const room = o.placeholderBytes ?? SIGNATURE_PLACEHOLDER_BYTES;
  const signingTime = new Date(Math.floor(o.signingTime.getTime() / 1000) * 1000);
  return guardedRead(() => {
    const structure = readPdfStructure(bytes);
    const ctx = structure.context;
    if (formFields(structure).some((f) => f.name === o.fieldName)) throw bilingualError('pades.fieldExists', { field: o.fieldName });
    const page = firstPage(structure); // checks the catalog is a dictionary
    const catalog = structure.lookup(structure.root) as PDFDict;

    let next = structure.size;
    const sigRef = PDFRef.of(next++);
    const widgetRef = PDFRef.of(next++);
    const writes: IncrementObject[] = [];

    const sigBody = [
      '<<',
      '/Type /Sig',
      '/Filter /Adobe.PPKLite',
      `/SubFilter /${SUBFILTER}`,
      `/ByteRange [${' '.repeat(BYTE_RANGE_WIDTH)}]`,
      `/Contents <${'0'.repeat(room * 2)}>`,
      `/M ${pdfText(formatPdfDate(signingTime))}`,
      `/Name ${pdfText(o.signerName)}`,
      `/Reason ${pdfText(o.reason ?? translate('zh-CN', 'pades.reason'))}`,
      `/Location ${pdfText(o.location ?? '')}`,
      '>>',
    ].join('\n');
    writes.push({ ref: sigRef, body: latin1(sigBody) });
    const widgetBody = [
      '<<',
      '/Type /Annot',
      '/Subtype /Widget',
      '/FT /Sig',
      `/T ${pdfText(o.fieldName)}`,
      `/V ${sigRef.toString()}`,
      `/F ${WIDGET_FLAGS}`,
      '/Rect [0 0 0 0]',
      `/P ${page.ref.toString()}`,
      '>>',
    ].join('\n');
    writes.push({ ref: widgetRef, body: latin1(widgetBody) });

    // The form: extend the existing one (indirect or inside the catalog) or create it.
    const formValue = catalog.get(PDFName.of('AcroForm'));
    const formTarget = structure.resolve(formValue);
    let catalogCopy: PDFDict | null = null;
    const formCopy = formTarget instanceof PDFDict ? formTarget.clone(ctx) : PDFDict.withContext(ctx);
    const fields = appendTo(structure, formCopy.get(PDFName.of('Fields')), widgetRef, writes);
    formCopy.set(PDFName.of('Fields'), fields);
    const flags = formCopy.get(PDFName.of('SigFlags'));
    formCopy.set(PDFName.of('SigFlags'), PDFNumber.of((flags instanceof PDFNumber ? flags.asNumber() : 0) | 3));
    if (formValue instanceof PDFRef && formTarget instanceof PDFDict) {
      writes.push({ ref: formValue, body: serialize(formCopy) });
    } else if (formTarget instanceof PDFDict) {
      catalogCopy = catalog.clone(ctx);
      catalogCopy.set(PDFName.of('AcroForm'), formCopy);
    } else {
      const formRef = PDFRef.of(next++);
      writes.push({ ref: formRef, body: serialize(formCopy) });
      catalogCopy = catalog.clone(ctx);
      catalogCopy.set(PDFName.of('AcroForm'), formRef);
    }
    if (catalogCopy !== null) writes.push({ ref: structure.root, body: serialize(catalogCopy) });

    // The widget in the first page's annotations.
    const annots = page.dict.get(PDFName.of('Annots'));
    const newAnnots = appendTo(structure, annots, widgetRef, writes);
    if (!(annots instanceof PDFRef)) {
      const pageCopy = page.dict.clone(ctx);
      pageCopy.set(PDFName.of('Annots'), newAnnots);
      writes.push({ ref: page.ref, body: serialize(pageCopy) });
    }

    const written = writeIncrement(structure, writes);
    const out = written.pdf;
    const sigStart = written.bodyOffsets.get(sigRef.objectNumber)!;
    const contentsStart = sigStart + sigBody.indexOf('/Contents <') + '/Contents '.length;
    const contentsEnd = contentsStart + 2 + room * 2;
    const byteRange: [number, number, number, number] = [0, contentsStart, contentsEnd, out.length - contentsEnd];
    const rangeText = byteRange.join(' ').padEnd(BYTE_RANGE_WIDTH, ' ');
    out.set(latin1(rangeText), sigStart + sigBody.indexOf('/ByteRange [') + '/ByteRange ['.length);
    return { pdf: out, byteRange, signedContent: concat(out.subarray(0, contentsStart), out.subarray(contentsEnd)) };
  });
}

const preparedSchema = z.object({
  pdf: bytesSchema,
  byteRange: z.tuple([z.literal(0), z.number().int().positive(), z.number().int().positive(), z.number().int().nonnegative()]),
});

/** The placeholder's hex room [start, end) inside `pdf`, or null when the byte range does not frame a `<…>` at the end. */
function contentsGap(pdf: Uint8Array, byteRange: readonly number[]): { start: number; end: number } | null {
  const [first, a, b, c] = byteRange as [number, number, number, number];
  if (first !== 0 || !(a > 0 && a + 2 <= b && b + c === pdf.length)) return null;
  if (pdf[a] !== 0x3c /* < */ || pdf[b - 1] !== 0x3e /* > */ || (b - a - 2) % 2 !== 0) return null;
  return { start: a + 1, end: b - 1 };
}

/**
 * The prepared PDF with /Contents holding `cmsDer` (hex, zero-padded to the room reserved). Throws
 * `pades.cmsTooLarge` when the CMS does not fit, `pades.notPrepared` when `prepared` is not a
 * placeholder made by addSignaturePlaceholder.
 */
export function embedSignature(prepared: PreparedPdf, cmsDer: Uint8Array): Uint8Array {
  const p = preparedSchema.safeParse(prepared);
  if (!p.success || !(cmsDer instanceof Uint8Array) || cmsDer.length === 0) throw bilingualError('pades.notPrepared');
  const gap = contentsGap(p.data.pdf, p.data.byteRange);
  if (gap === null) throw bilingualError('pades.notPrepared');
  const room = (gap.end - gap.start) / 2;
  if (cmsDer.length > room) throw bilingualError('pades.cmsTooLarge', { size: cmsDer.length, room });
  const out = p.data.pdf.slice();
  out.set(latin1(Buffer.from(cmsDer).toString('hex')), gap.start);
  return out;
}

function gapBytes(pdf: Uint8Array, gap: { start: number; end: number }): Uint8Array | null {
  const hex = decoder.decode(pdf.subarray(gap.start, gap.end));
  if (!/^[0-9a-fA-F]*$/.test(hex)) return null;
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

/**
 * Checks every signature of `pdf` (readPdfSignatures order) as a verifier trusting only `trustList`:
 * the byte range must be [0, a, b, c] with the excluded gap exactly the `<hex>` of /Contents, then the
 * CMS over the two parts with verifyDetachedCms — at `options.at`, else at /M, else at the CMS's
 * signingTime. Never throws for a bad signature (its result says why); throws a BilingualError for a
 * file it cannot read at all.
 */
export async function verifyPdfSignatures(pdf: Uint8Array, trustList: TrustList, options: VerifyOptions = {}): Promise<PdfSignatureCheck[]> {
  const bytes = parseOrThrow(bytesSchema, pdf);
  const entries = guardedRead(() => signatureEntries(readPdfStructure(bytes)));
  const checks: PdfSignatureCheck[] = [];
  for (const { info } of entries) {
    const end = Math.min(info.revisionEnd, bytes.length);
    const revisionSha256 = createHash('sha256').update(bytes.subarray(0, end)).digest('hex');
    const fail = (detail: ReturnType<typeof messagePair>): PdfSignatureCheck => {
      const m = withDetail(SIGNING_MESSAGES.CMS_MALFORMED, detail);
      return { info, revisionSha256, result: { ok: false, code: 'CMS_MALFORMED', zh: m.zh, en: m.en, subject: null, signingTime: info.signingTime } };
    };
    const [, a, b, c] = info.byteRange;
    // A revision's byte range ends where that revision ends: the gap must be exactly its /Contents.
    const gap = b + c <= bytes.length ? contentsGap(bytes.subarray(0, b + c), info.byteRange) : null;
    const cms = gap === null ? null : gapBytes(bytes, gap);
    if (gap === null || cms === null || !DETACHED_SUBFILTERS.has(info.subFilter) || !Buffer.from(trimContents(cms)).equals(info.cms)) {
      checks.push(fail(messagePair('pades.badByteRange', { field: info.fieldName })));
      continue;
    }
    if (info.cms.length === 0) {
      checks.push(fail(messagePair('pades.unsigned', { field: info.fieldName })));
      continue;
    }
    const content = concat(bytes.subarray(0, a), bytes.subarray(b, b + c));
    const at = options.at ?? info.signingTime ?? undefined;
    const result = await verifyDetachedCms(content, info.cms, trustList, { ...options, ...(at === undefined ? {} : { at }) });
    checks.push({ info, result, revisionSha256 });
  }
  return checks;
}

/**
 * Placeholder, CMS (createDetachedCms over the signed content, signingTime = options.signingTime
 * unless options.cms says otherwise) and embedding in one call. SM2 keys are refused
 * (`pades.sm2NotPades`): PDF readers do not verify SM2 inside a PDF, so the caller makes a detached
 * CMS over the PDF file instead.
 */
export async function signPdf(
  pdf: Uint8Array,
  signer: Signer,
  options: PlaceholderOptions & { cms: CmsOptions },
): Promise<{ pdf: Uint8Array; cms: Uint8Array }> {
  if (signer.algorithm === 'SM2-SM3') throw bilingualError('pades.sm2NotPades');
  if (options?.cms?.trustList === undefined) throw bilingualError('pades.badOptions', { detail: 'cms.trustList: required' });
  const prepared = addSignaturePlaceholder(pdf, options);
  const signingTime = options.cms.signingTime ?? new Date(Math.floor(options.signingTime.getTime() / 1000) * 1000);
  const cms = await createDetachedCms(prepared.signedContent, signer, { ...options.cms, signingTime });
  return { pdf: embedSignature(prepared, cms.der), cms: cms.der };
}
