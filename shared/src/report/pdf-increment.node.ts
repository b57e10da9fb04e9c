import { PDFArray, PDFDict, PDFName, PDFNumber, PDFRawStream, PDFRef, type PDFObject } from 'pdf-lib';
import { BilingualError, messagePair, type MessagePair } from '../i18n/bilingual.ts';
import { formFields, signatureEntries, type PdfSignatureInfo, type SignatureEntry } from './pdf-signature-read.node.ts';
import { readPdfStructure, serialize, type PdfStructure } from './pdf-xref.node.ts';

/**
 * Is `after` exactly `before` plus one signature? A signer (or whoever stands between the booth and
 * the central) could append anything in an incremental update — a page overlay, a replaced content
 * stream, a second field — and every earlier signature would still verify over its own revision.
 * So the appended revision may only:
 *   - add the new signature dictionary and its field/widget (and the AcroForm when there was none);
 *   - rewrite the catalog (only its /AcroForm), the AcroForm (only /Fields and /SigFlags), a page
 *     (only /Annots), or an indirect /Fields or /Annots array — each only by appending the new field;
 *   - and the new field's widget must be invisible (no /AP, a zero-area /Rect), as Kawei writes it;
 * and every page must keep its content streams, resources and every other entry, compared object by
 * object as both revisions resolve them. The first rule broken is the answer, as a bilingual problem.
 */

type Check = { ok: true; info: PdfSignatureInfo } | { ok: false; problem: MessagePair };

const N = (key: string): PDFName => PDFName.of(key);

class Refusal extends Error {
  constructor(readonly problem: MessagePair) {
    super(problem.en);
  }
}
const refuse = (problem: MessagePair): never => {
  throw new Refusal(problem);
};

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));
}

/** The page leaves in order, as references (a page tree with a loop or no references is unreadable). */
function pageRefs(structure: PdfStructure): PDFRef[] {
  const catalog = structure.lookup(structure.root);
  if (!(catalog instanceof PDFDict)) return [];
  const out: PDFRef[] = [];
  const seen = new Set<number>();
  const walk = (node: PDFObject | undefined, depth: number): void => {
    if (!(node instanceof PDFRef) || seen.has(node.objectNumber) || depth > 64) return;
    seen.add(node.objectNumber);
    const dict = structure.lookup(node);
    if (!(dict instanceof PDFDict)) return;
    if (dict.get(N('Type')) === N('Page')) {
      out.push(node);
      return;
    }
    const kids = structure.resolve(dict.get(N('Kids')));
    if (kids instanceof PDFArray) for (const kid of kids.asArray()) walk(kid, depth + 1);
  };
  walk(catalog.get(N('Pages')), 0);
  return out;
}

/**
 * Deep equality of two values as their own files resolve them: references must name the same object
 * numbers, and what they point to must be equal; streams compare their dictionaries and raw bytes.
 * `skip` names keys of the top-level dictionaries that are not compared.
 */
function same(a: PDFObject | undefined, sa: PdfStructure, b: PDFObject | undefined, sb: PdfStructure, seen: Set<number>, skip: readonly string[] = []): boolean {
  if (a instanceof PDFRef || b instanceof PDFRef) {
    if (!(a instanceof PDFRef && b instanceof PDFRef)) return false;
    if (a.objectNumber !== b.objectNumber || a.generationNumber !== b.generationNumber) return false;
    if (seen.has(a.objectNumber)) return true;
    seen.add(a.objectNumber);
    return same(sa.lookup(a), sa, sb.lookup(b), sb, seen);
  }
  if (a === undefined || b === undefined) return a === b;
  if (a instanceof PDFRawStream || b instanceof PDFRawStream) {
    return a instanceof PDFRawStream && b instanceof PDFRawStream && bytesEqual(a.contents, b.contents) && same(a.dict, sa, b.dict, sb, seen);
  }
  if (a instanceof PDFDict || b instanceof PDFDict) {
    if (!(a instanceof PDFDict && b instanceof PDFDict)) return false;
    const ka = keptKeys(a, skip);
    const kb = keptKeys(b, skip);
    if (ka.length !== kb.length || ka.some((k, i) => k !== kb[i])) return false;
    return ka.every((k) => same(a.get(N(k.slice(1))), sa, b.get(N(k.slice(1))), sb, seen));
  }
  if (a instanceof PDFArray || b instanceof PDFArray) {
    if (!(a instanceof PDFArray && b instanceof PDFArray) || a.size() !== b.size()) return false;
    return a.asArray().every((v, i) => same(v, sa, b.get(i), sb, seen));
  }
  return bytesEqual(serialize(a), serialize(b));
}

/**
 * The entries of two dictionaries, `skip` apart, are the same as written: references by number (what
 * they point to is judged as an object of its own), everything else by its serialization.
 */
function sameEntries(a: PDFObject | undefined, b: PDFObject | undefined, skip: readonly string[]): boolean {
  if (!(a instanceof PDFDict && b instanceof PDFDict)) return false;
  const ka = keptKeys(a, skip);
  const kb = keptKeys(b, skip);
  if (ka.length !== kb.length || ka.some((k, i) => k !== kb[i])) return false;
  return ka.every((k) => bytesEqual(serialize(a.get(N(k.slice(1)))!), serialize(b.get(N(k.slice(1)))!)));
}

/** `after` (resolved) is `before` (resolved, absent = empty) with `item` appended, or (when `mayStay`) unchanged. */
function appended(before: PDFObject | undefined, sb: PdfStructure, after: PDFObject | undefined, sa: PdfStructure, item: PDFRef, mayStay: boolean): boolean {
  const b = sb.resolve(before);
  const a = sa.resolve(after);
  const bItems = b instanceof PDFArray ? b.asArray() : b === undefined ? [] : null;
  if (bItems === null || !(a instanceof PDFArray)) return mayStay && same(before, sb, after, sa, new Set());
  const aItems = a.asArray();
  const prefixSame = (n: number): boolean => bItems.every((v, i) => i < n && bytesEqual(serialize(v), serialize(aItems[i]!)));
  if (mayStay && aItems.length === bItems.length && prefixSame(aItems.length)) return true;
  const last = aItems[aItems.length - 1];
  return aItems.length === bItems.length + 1 && prefixSame(bItems.length) && last instanceof PDFRef && last.objectNumber === item.objectNumber && last.generationNumber === item.generationNumber;
}

function sameSignature(x: SignatureEntry, y: SignatureEntry): boolean {
  return x.info.fieldName === y.info.fieldName && x.info.byteRange.every((v, i) => v === y.info.byteRange[i]) && bytesEqual(x.info.cms, y.info.cms);
}

function check(before: Uint8Array, after: Uint8Array): PdfSignatureInfo {
  if (after.length <= before.length || !bytesEqual(after.subarray(0, before.length), before)) refuse(messagePair('pades.incrementNotAppended'));
  const sb = readPdfStructure(before);
  const sa = readPdfStructure(after);

  // One revision, chained to the previous one, written entirely after it.
  const section = sa.sections[0]!;
  const added = sa.sections.length - sb.sections.length;
  if (added !== 1) refuse(messagePair('pades.incrementRevisions', { count: added }));
  if (section.prev !== sb.startXref || section.offset < before.length) {
    refuse(messagePair('pades.incrementUnreadable', { detail: '/Prev does not name the previous revision' }));
  }

  // The signatures: the old ones untouched, exactly one new one covering the whole file.
  const oldSigs = signatureEntries(sb);
  const newSigs = signatureEntries(sa);
  for (const old of oldSigs) {
    if (!newSigs.some((s) => sameSignature(old, s))) refuse(messagePair('pades.incrementOldSignatureChanged', { field: old.info.fieldName }));
  }
  const fresh = newSigs.filter((s) => !oldSigs.some((old) => sameSignature(old, s)));
  if (fresh.length !== 1) refuse(messagePair('pades.incrementSignatureCount', { count: fresh.length }));
  const sig = fresh[0]!;
  const field = sig.info.fieldName;
  if (formFields(sb).some((f) => f.name === field)) refuse(messagePair('pades.incrementFieldExists', { field }));
  if (sig.info.byteRange[0] !== 0 || !sig.info.coversWholeDocument || sig.info.byteRange[1] <= before.length) {
    refuse(messagePair('pades.incrementNotWhole', { field }));
  }
  const widget = sig.field.ref;
  const isNew = (ref: PDFRef | null): ref is PDFRef => ref !== null && !sb.objects.has(ref.objectNumber);
  if (!isNew(widget) || !isNew(sig.sigRef)) refuse(messagePair('pades.incrementNotWhole', { field }));

  // Invisible, as Kawei writes it: an appearance (even one reusing an existing stream) could cover the page.
  const rect = sa.resolve(sig.field.dict.get(N('Rect')));
  const corners = rect instanceof PDFArray ? rect.asArray().map((v) => (v instanceof PDFNumber ? v.asNumber() : NaN)) : [0, 0, 0, 0];
  const zeroArea = corners.length === 4 && (corners[0] === corners[2] || corners[1] === corners[3]);
  if (sig.field.dict.has(N('AP')) || !zeroArea) refuse(messagePair('pades.incrementVisibleWidget', { field }));

  // The pages: same count, same objects, same everything but /Annots.
  const pagesB = pageRefs(sb);
  const pagesA = pageRefs(sa);
  if (pagesB.length !== pagesA.length) refuse(messagePair('pades.incrementPageCount', { before: pagesB.length, after: pagesA.length }));
  // References to pages (a /Dest, an annotation's /P) count as equal: each page is compared on its own.
  const pageSet = pagesB.map((r) => r.objectNumber);
  pagesB.forEach((ref, i) => {
    const other = pagesA[i]!;
    const equalPage =
      ref.objectNumber === other.objectNumber &&
      same(sb.lookup(ref), sb, sa.lookup(other), sa, new Set(pageSet), ['Annots', 'Parent']) &&
      appended((sb.lookup(ref) as PDFDict).get(N('Annots')), sb, (sa.lookup(other) as PDFDict).get(N('Annots')), sa, widget!, true);
    if (!equalPage) refuse(messagePair('pades.incrementPageChanged', { page: i + 1 }));
  });

  // Every object of the revision, by the rules above.
  const catalogB = sb.lookup(sb.root) as PDFDict;
  const catalogA = sa.lookup(sa.root);
  const formRefB = catalogB.get(N('AcroForm'));
  const formRefA = catalogA instanceof PDFDict ? catalogA.get(N('AcroForm')) : undefined;
  const formB = sb.resolve(formRefB);
  const formA = sa.resolve(formRefA);
  const pageNumbers = new Set(pagesB.map((r) => r.objectNumber));
  const arrays = new Set<number>();
  for (const ref of pagesB) {
    const annots = (sb.lookup(ref) as PDFDict).get(N('Annots'));
    if (annots instanceof PDFRef) arrays.add(annots.objectNumber);
  }
  const fieldsB = formB instanceof PDFDict ? formB.get(N('Fields')) : undefined;
  if (fieldsB instanceof PDFRef) arrays.add(fieldsB.objectNumber);
  const formFieldsAppended = appended(fieldsB, sb, formA instanceof PDFDict ? formA.get(N('Fields')) : undefined, sa, widget!, false);

  for (const [number, entry] of section.entries) {
    const object = `${number} ${entry?.generation ?? 0} R`;
    if (entry === null) refuse(messagePair('pades.incrementObjectDeleted', { object }));
    if (entry!.offset < before.length) refuse(messagePair('pades.incrementObjectChanged', { object }));
    const ref = PDFRef.of(number, entry!.generation);
    if (!sb.objects.has(number)) {
      const isForm = formRefA instanceof PDFRef && formRefA.objectNumber === number && formRefB === undefined;
      if (number !== widget!.objectNumber && number !== sig.sigRef!.objectNumber && !(isForm && formFieldsAppended)) {
        refuse(messagePair('pades.incrementObjectAdded', { object }));
      }
      continue;
    }
    let allowed = false;
    if (number === sb.root.objectNumber) {
      allowed = sa.root.objectNumber === number && sameEntries(catalogB, catalogA, ['AcroForm']) && formFieldsAppended;
    } else if (pageNumbers.has(number)) {
      allowed = true; // compared page by page above
    } else if (formRefB instanceof PDFRef && number === formRefB.objectNumber) {
      allowed = sameEntries(formB, formA, ['Fields', 'SigFlags']) && formFieldsAppended;
    } else if (arrays.has(number)) {
      const mayStay = number !== (fieldsB instanceof PDFRef ? fieldsB.objectNumber : -1);
      allowed = appended(ref, sb, ref, sa, widget!, mayStay);
    }
    if (!allowed) refuse(messagePair('pades.incrementObjectChanged', { object }));
  }
  return sig.info;
}

/**
 * `after` = `before` + one incremental update that adds exactly one signature field (its ByteRange
 * covering all of `after`) and changes no page content. Never throws: an unreadable file is a problem too.
 */
export function checkSignatureIncrement(before: Uint8Array, after: Uint8Array): Check {
  if (!(before instanceof Uint8Array) || !(after instanceof Uint8Array)) {
    return { ok: false, problem: messagePair('pades.incrementUnreadable', { detail: 'not bytes' }) };
  }
  try {
    return { ok: true, info: check(before, after) };
  } catch (error) {
    if (error instanceof Refusal) return { ok: false, problem: error.problem };
    if (error instanceof BilingualError) return { ok: false, problem: { zh: error.zh, en: error.en } };
    return { ok: false, problem: messagePair('pades.incrementUnreadable', { detail: (error as Error).message }) };
  }
}

/** A dictionary's keys as written (`/Name`), those in `skip` (without the slash) left out, sorted. */
function keptKeys(d: PDFDict, skip: readonly string[]): string[] {
  return d
    .keys()
    .map((k) => k.asString())
    .filter((k) => !skip.includes(k.slice(1)))
    .sort();
}
