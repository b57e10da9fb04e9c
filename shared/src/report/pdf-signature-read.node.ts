import { PDFArray, PDFDict, PDFHexString, PDFName, PDFNumber, PDFRef, PDFString, type PDFObject } from 'pdf-lib';
import type { PdfStructure } from './pdf-xref.node.ts';
import { readPdfStructure } from './pdf-xref.node.ts';

/**
 * Reading the signatures of a PDF: the AcroForm's signature fields (/FT /Sig, inherited through
 * /Kids) whose value /V is a signature dictionary. Works on the newest revision of a classic-xref
 * file (pdf-xref.node.ts) and parses only the objects on the way, never the page content.
 */

export interface PdfSignatureInfo {
  /** Fully qualified field name (parent names joined with '.'), the /T Kawei writes. */
  fieldName: string;
  signerName: string | null;
  reason: string | null;
  /** From /M (whole seconds); null when absent or unreadable. */
  signingTime: Date | null;
  /** Without the leading '/', e.g. 'ETSI.CAdES.detached'. */
  subFilter: string;
  byteRange: [number, number, number, number];
  /** /Contents without the zero padding (empty for a placeholder not yet filled). */
  cms: Uint8Array;
  /** byteRange[2] + byteRange[3]. */
  revisionEnd: number;
  /** revisionEnd === pdf.length. */
  coversWholeDocument: boolean;
}

/** A field as found in the form, for the increment check. */
export interface FormField {
  name: string;
  /** The field dictionary's reference, when it is an indirect object. */
  ref: PDFRef | null;
  dict: PDFDict;
  /** /FT, inherited from ancestors; null when none. */
  type: string | null;
}

export interface SignatureEntry {
  info: PdfSignatureInfo;
  field: FormField;
  /** The signature dictionary's reference (null when /V is a direct dictionary). */
  sigRef: PDFRef | null;
}

const name = (key: string): PDFName => PDFName.of(key);

export function textOf(value: PDFObject | undefined): string | null {
  if (value instanceof PDFString || value instanceof PDFHexString) return value.decodeText();
  return null;
}

export function nameOf(value: PDFObject | undefined): string | null {
  return value instanceof PDFName ? value.asString().replace(/^\//, '') : null;
}

/** `D:YYYYMMDDHHmmSS+00'00'`: the PDF date Kawei writes (UTC, whole seconds). */
export function formatPdfDate(date: Date): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `D:${p(date.getUTCFullYear(), 4)}${p(date.getUTCMonth() + 1)}${p(date.getUTCDate())}${p(date.getUTCHours())}${p(date.getUTCMinutes())}${p(date.getUTCSeconds())}+00'00'`;
}

/** A PDF date (ISO 32000-1 §7.9.4), missing parts defaulting as the standard says; null when it is none. */
export function parsePdfDate(text: string | null): Date | null {
  if (text === null) return null;
  const m = /^D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:(Z)|([+-])(\d{2})'?(\d{2})?'?)?/.exec(text.trim());
  if (m === null) return null;
  const num = (s: string | undefined, fallback: number): number => (s === undefined ? fallback : Number(s));
  let ms = Date.UTC(num(m[1], 0), num(m[2], 1) - 1, num(m[3], 1), num(m[4], 0), num(m[5], 0), num(m[6], 0));
  if (m[8] !== undefined) ms -= (m[8] === '-' ? -1 : 1) * (num(m[9], 0) * 60 + num(m[10], 0)) * 60_000;
  return Number.isFinite(ms) ? new Date(ms) : null;
}

/** The DER length of the CMS at the start of `contents`, so trailing padding goes (a DER value may end in 00). */
export function trimContents(contents: Uint8Array): Uint8Array {
  if (contents[0] === 0x30 && contents.length >= 2) {
    const first = contents[1]!;
    let length = -1;
    if (first < 0x80) length = 2 + first;
    else {
      const n = first & 0x7f;
      if (n >= 1 && n <= 4 && contents.length >= 2 + n) {
        let value = 0;
        for (let i = 0; i < n; i++) value = value * 256 + contents[2 + i]!;
        length = 2 + n + value;
      }
    }
    if (length > 0 && length <= contents.length) return contents.subarray(0, length);
  }
  let end = contents.length;
  while (end > 0 && contents[end - 1] === 0) end--;
  return contents.subarray(0, end);
}

/** The catalog's AcroForm dictionary, or null. */
export function acroFormOf(structure: PdfStructure): PDFDict | null {
  const catalog = structure.lookup(structure.root);
  if (!(catalog instanceof PDFDict)) return null;
  const form = structure.resolve(catalog.get(name('AcroForm')));
  return form instanceof PDFDict ? form : null;
}

/** Every field of the form (terminal or not), depth first in /Fields order; loops and deep trees are cut. */
export function formFields(structure: PdfStructure): FormField[] {
  const form = acroFormOf(structure);
  const out: FormField[] = [];
  if (form === null) return out;
  const visited = new Set<string>();
  const walk = (kids: PDFObject | undefined, parent: string | null, inheritedType: string | null, depth: number): void => {
    const array = structure.resolve(kids);
    if (!(array instanceof PDFArray) || depth > 32) return;
    for (const kid of array.asArray()) {
      const ref = kid instanceof PDFRef ? kid : null;
      if (ref !== null) {
        const key = `${ref.objectNumber} ${ref.generationNumber}`;
        if (visited.has(key)) continue;
        visited.add(key);
      }
      const dict = structure.resolve(kid);
      if (!(dict instanceof PDFDict)) continue;
      const partial = textOf(dict.get(name('T')));
      // A kid without /T is a widget of its parent field, not a field.
      if (partial === null && parent !== null) continue;
      const full = parent === null ? (partial ?? '') : `${parent}.${partial}`;
      const type = nameOf(dict.get(name('FT'))) ?? inheritedType;
      out.push({ name: full, ref, dict, type });
      walk(dict.get(name('Kids')), full, type, depth + 1);
    }
  };
  walk(form.get(name('Fields')), null, null, 0);
  return out;
}

function byteRangeOf(value: PDFObject | undefined): [number, number, number, number] {
  if (value instanceof PDFArray && value.size() === 4) {
    const numbers = value.asArray().map((v) => (v instanceof PDFNumber ? v.asNumber() : NaN));
    if (numbers.every((n) => Number.isSafeInteger(n) && n >= 0)) return numbers as [number, number, number, number];
  }
  return [0, 0, 0, 0];
}

/** The signed fields of a parsed file, in file order (by where their /Contents starts). */
export function signatureEntries(structure: PdfStructure): SignatureEntry[] {
  const entries: SignatureEntry[] = [];
  for (const field of formFields(structure)) {
    if (field.type !== 'Sig') continue;
    const v = field.dict.get(name('V'));
    const sig = structure.resolve(v);
    if (!(sig instanceof PDFDict)) continue;
    const byteRange = byteRangeOf(sig.get(name('ByteRange')));
    const contents = sig.get(name('Contents'));
    const raw = contents instanceof PDFHexString || contents instanceof PDFString ? contents.asBytes() : new Uint8Array(0);
    const revisionEnd = byteRange[2] + byteRange[3];
    entries.push({
      info: {
        fieldName: field.name,
        signerName: textOf(sig.get(name('Name'))),
        reason: textOf(sig.get(name('Reason'))),
        signingTime: parsePdfDate(textOf(sig.get(name('M')))),
        subFilter: nameOf(sig.get(name('SubFilter'))) ?? '',
        byteRange,
        cms: trimContents(raw),
        revisionEnd,
        coversWholeDocument: revisionEnd === structure.bytes.length,
      },
      field,
      sigRef: v instanceof PDFRef ? v : null,
    });
  }
  return entries.sort((a, b) => a.info.byteRange[1] - b.info.byteRange[1]);
}

/** The signatures of `pdf`, in file order; [] when it has none. Throws a BilingualError for a file it cannot read. */
export function readPdfSignatures(pdf: Uint8Array): PdfSignatureInfo[] {
  return signatureEntries(readPdfStructure(pdf)).map((e) => e.info);
}
