import { PDFContext, PDFDict, PDFName, PDFNumber, PDFObjectParser, PDFRef, type PDFObject } from 'pdf-lib';
import { BilingualError, bilingualError } from '../i18n/bilingual.ts';

/**
 * Just enough of a PDF reader and incremental writer for signatures (ISO 32000-1 §7.5): the classic
 * cross-reference tables of every revision (newest wins), the trailer, and single indirect objects
 * parsed on demand with pdf-lib's object parser. Nothing else of the file is parsed, so adding a
 * signature to a report costs the same whatever its fonts weigh, and every byte the writer appends is
 * decided here (no clock, no random IDs): the booth and the central produce the same increment.
 *
 * Cross-reference STREAMS are refused (PdfXrefStreamError): pdf-lib's default save writes them, the
 * report renderer saves with `useObjectStreams: false`, and an update of a stream-xref file would have
 * to be written as a stream too.
 */

export interface XrefEntry {
  offset: number;
  generation: number;
}

/** One `xref … trailer … ` section as found at `offset`. */
export interface XrefSection {
  offset: number;
  /** In-use entries; `null` = a free entry (the object is deleted from this revision on). */
  entries: Map<number, XrefEntry | null>;
  trailer: PDFDict;
  /** The trailer's /Prev, when there is one. */
  prev: number | null;
}

export interface PdfStructure {
  readonly bytes: Uint8Array;
  /** The file's last `startxref` value: the newest section, /Prev of the next increment. */
  readonly startXref: number;
  /** Newest first. */
  readonly sections: readonly XrefSection[];
  /** Live objects: the newest entry of each number, free ones removed. */
  readonly objects: ReadonlyMap<number, XrefEntry>;
  /** max(trailer /Size, highest object number + 1): the first free object number. */
  readonly size: number;
  /** The newest trailer. */
  readonly trailer: PDFDict;
  readonly root: PDFRef;
  /** Holds the parsed objects (pdf-lib needs one to create objects). */
  readonly context: PDFContext;
  /** The object `ref` points to, parsed (and cached) on first use; undefined when it is not live. */
  lookup(ref: PDFRef): PDFObject | undefined;
  /** `value` itself, or what it points to when it is a reference. */
  resolve(value: PDFObject | undefined): PDFObject | undefined;
}

/** Thrown for a cross-reference stream: callers that only read may fall back to pdf-lib's full parser. */
export class PdfXrefStreamError extends BilingualError {
  constructor() {
    const e = bilingualError('pades.xrefStream');
    super(e.key, { zh: e.zh, en: e.en });
  }
}

const WHITESPACE = new Set([0x00, 0x09, 0x0a, 0x0c, 0x0d, 0x20]);
// Buffer's latin1 encoder: Uint8Array.from(text, mapper) costs milliseconds on a 64 KB placeholder.
const ascii = (text: string): Uint8Array => Buffer.from(text, 'latin1');
const XREF = ascii('xref');
const TRAILER = ascii('trailer');
const STARTXREF = ascii('startxref');
const OBJ = ascii('obj');

const unreadable = (detail: string): BilingualError => bilingualError('pades.notPdf', { detail });

/**
 * Runs a reader over untrusted bytes: a BilingualError passes through, anything else a parser throws
 * (pdf-lib's own errors, a RangeError on a truncated file) becomes `pades.notPdf`, never a crash.
 */
export function guardedRead<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof BilingualError) throw error;
    throw unreadable((error as Error).message);
  }
}

function startsWith(bytes: Uint8Array, at: number, word: Uint8Array): boolean {
  if (at < 0 || at + word.length > bytes.length) return false;
  for (let i = 0; i < word.length; i++) if (bytes[at + i] !== word[i]) return false;
  return true;
}

function skipWhitespace(bytes: Uint8Array, at: number): number {
  let i = at;
  for (;;) {
    while (i < bytes.length && WHITESPACE.has(bytes[i]!)) i++;
    if (bytes[i] !== 0x25 /* % */) return i;
    while (i < bytes.length && bytes[i] !== 0x0a && bytes[i] !== 0x0d) i++;
  }
}

/** An unsigned decimal integer at `at` (after whitespace): [value, position after it]. */
function readUnsigned(bytes: Uint8Array, at: number, what: string): [number, number] {
  let i = skipWhitespace(bytes, at);
  const start = i;
  let value = 0;
  while (i < bytes.length && bytes[i]! >= 0x30 && bytes[i]! <= 0x39 && i - start < 15) value = value * 10 + (bytes[i++]! - 0x30);
  if (i === start) throw unreadable(`${what} expected at byte ${start}`);
  return [value, i];
}

function lastIndexOf(bytes: Uint8Array, word: Uint8Array, from: number): number {
  for (let i = Math.min(from, bytes.length - word.length); i >= 0; i--) if (startsWith(bytes, i, word)) return i;
  return -1;
}

function parseObjectAt(bytes: Uint8Array, at: number, context: PDFContext): PDFObject {
  try {
    return PDFObjectParser.forBytes(bytes.subarray(at), context).parseObject();
  } catch (error) {
    throw unreadable(`object at byte ${at}: ${(error as Error).message}`);
  }
}

function readSection(bytes: Uint8Array, offset: number, context: PDFContext): XrefSection {
  if (!Number.isSafeInteger(offset) || offset < 0 || offset >= bytes.length) throw unreadable(`xref offset ${offset} outside the file`);
  let at = skipWhitespace(bytes, offset);
  if (!startsWith(bytes, at, XREF)) {
    // "12 0 obj" here is a cross-reference stream.
    if (/^\d+\s+\d+\s+obj/.test(Buffer.from(bytes.subarray(at, at + 32)).toString('latin1'))) throw new PdfXrefStreamError();
    throw unreadable(`no xref table at byte ${offset}`);
  }
  at += XREF.length;
  const entries = new Map<number, XrefEntry | null>();
  for (;;) {
    at = skipWhitespace(bytes, at);
    if (startsWith(bytes, at, TRAILER)) break;
    let first: number;
    let count: number;
    [first, at] = readUnsigned(bytes, at, 'xref subsection start');
    [count, at] = readUnsigned(bytes, at, 'xref subsection count');
    // Each entry takes 20 bytes: a count the file cannot hold is garbage, not a loop to run.
    if (count * 18 > bytes.length - at) throw unreadable(`xref subsection of ${count} entries at byte ${at}`);
    for (let i = 0; i < count; i++) {
      let entryOffset: number;
      let generation: number;
      [entryOffset, at] = readUnsigned(bytes, at, 'xref entry offset');
      [generation, at] = readUnsigned(bytes, at, 'xref entry generation');
      at = skipWhitespace(bytes, at);
      const kind = bytes[at++];
      // Only the first definition of a number within one section counts (as readers do).
      if (entries.has(first + i)) continue;
      if (kind === 0x6e /* n */) entries.set(first + i, { offset: entryOffset, generation });
      else if (kind === 0x66 /* f */) entries.set(first + i, null);
      else throw unreadable(`xref entry type at byte ${at - 1}`);
    }
  }
  const trailer = parseObjectAt(bytes, at + TRAILER.length, context);
  if (!(trailer instanceof PDFDict)) throw unreadable(`trailer at byte ${at} is not a dictionary`);
  if (trailer.has(PDFName.of('XRefStm'))) throw new PdfXrefStreamError();
  const prevValue = trailer.get(PDFName.of('Prev'));
  const prev = prevValue instanceof PDFNumber ? prevValue.asNumber() : null;
  return { offset, entries, trailer, prev };
}

/** The last `startxref` value of `bytes` (the newest cross-reference section). */
export function readStartXref(bytes: Uint8Array): number {
  const at = lastIndexOf(bytes, STARTXREF, bytes.length);
  if (at < 0 || bytes.length - at > 4096) throw unreadable('no startxref at the end of the file');
  return readUnsigned(bytes, at + STARTXREF.length, 'startxref offset')[0];
}

/**
 * Reads the cross-reference chain of `bytes` (a classic-xref PDF, possibly with incremental updates).
 * Throws a BilingualError `pades.notPdf` for anything unreadable, PdfXrefStreamError for xref streams,
 * `pades.encrypted` for an encrypted file.
 */
export function readPdfStructure(bytes: Uint8Array): PdfStructure {
  // The header at byte 0: xref offsets count from there, so a file with a prefix is not ours.
  if (!(bytes instanceof Uint8Array) || bytes.length < 32 || !startsWith(bytes, 0, ascii('%PDF-'))) throw unreadable('no %PDF- header');
  const context = PDFContext.create();
  const startXref = readStartXref(bytes);
  const sections: XrefSection[] = [];
  const seen = new Set<number>();
  for (let offset: number | null = startXref; offset !== null; ) {
    if (seen.has(offset)) throw unreadable(`the /Prev chain loops at byte ${offset}`);
    seen.add(offset);
    const section = readSection(bytes, offset, context);
    sections.push(section);
    offset = section.prev;
  }
  const newest = new Map<number, XrefEntry | null>();
  for (const section of sections) for (const [n, e] of section.entries) if (!newest.has(n)) newest.set(n, e);
  const objects = new Map<number, XrefEntry>();
  let highest = 0;
  for (const [n, e] of newest) {
    if (e === null || n === 0) continue;
    if (e.offset <= 0 || e.offset >= bytes.length) throw unreadable(`object ${n} at byte ${e.offset} outside the file`);
    objects.set(n, e);
    highest = Math.max(highest, n);
  }
  const trailer = sections[0]!.trailer;
  if (trailer.has(PDFName.of('Encrypt'))) throw bilingualError('pades.encrypted');
  const root = trailer.get(PDFName.of('Root'));
  if (!(root instanceof PDFRef)) throw unreadable('the trailer has no /Root reference');
  const sizeValue = trailer.get(PDFName.of('Size'));
  const size = Math.max(sizeValue instanceof PDFNumber ? sizeValue.asNumber() : 0, highest + 1);

  const cache = new Map<number, PDFObject>();
  const lookup = (ref: PDFRef): PDFObject | undefined => {
    const entry = objects.get(ref.objectNumber);
    if (entry === undefined || entry.generation !== ref.generationNumber) return undefined;
    const cached = cache.get(ref.objectNumber);
    if (cached !== undefined) return cached;
    const [number, afterNumber] = readUnsigned(bytes, entry.offset, 'object number');
    const [generation, afterGeneration] = readUnsigned(bytes, afterNumber, 'object generation');
    const at = skipWhitespace(bytes, afterGeneration);
    if (number !== ref.objectNumber || generation !== ref.generationNumber || !startsWith(bytes, at, OBJ)) {
      throw unreadable(`object ${ref.objectNumber} ${ref.generationNumber} is not at byte ${entry.offset}`);
    }
    const object = parseObjectAt(bytes, at + OBJ.length, context);
    cache.set(ref.objectNumber, object);
    return object;
  };
  const resolve = (value: PDFObject | undefined): PDFObject | undefined => (value instanceof PDFRef ? lookup(value) : value);
  return { bytes, startXref, sections, objects, size, trailer, root, context, lookup, resolve };
}

export interface IncrementObject {
  ref: PDFRef;
  /** The object's serialization (between `n g obj` and `endobj`). */
  body: Uint8Array;
}

export interface WrittenIncrement {
  pdf: Uint8Array;
  /** Where each object's body starts in `pdf`, by object number. */
  bodyOffsets: Map<number, number>;
}

/** pdf-lib's serialization of one object, as bytes. */
export function serialize(object: PDFObject): Uint8Array {
  const out = new Uint8Array(object.sizeInBytes());
  object.copyBytesInto(out, 0);
  return out;
}

const pad = (value: number, width: number): string => String(value).padStart(width, '0');

/**
 * `structure.bytes` followed, byte for byte unchanged, by one incremental update: the objects (in the
 * order given), a cross-reference section for exactly them, and a trailer with /Prev to the previous
 * section (/Root, /Info and /ID carried over). Deterministic.
 */
export function writeIncrement(structure: PdfStructure, objects: readonly IncrementObject[]): WrittenIncrement {
  const chunks: Uint8Array[] = [structure.bytes];
  let length = structure.bytes.length;
  const push = (chunk: Uint8Array | string): void => {
    const bytes = typeof chunk === 'string' ? ascii(chunk) : chunk;
    chunks.push(bytes);
    length += bytes.length;
  };
  const last = structure.bytes[structure.bytes.length - 1];
  if (last !== 0x0a && last !== 0x0d) push('\n');

  const offsets = new Map<number, XrefEntry>();
  const bodyOffsets = new Map<number, number>();
  let highest = structure.size - 1;
  for (const { ref, body } of objects) {
    if (offsets.has(ref.objectNumber)) throw new Error(`object ${ref.objectNumber} written twice in one increment`);
    offsets.set(ref.objectNumber, { offset: length, generation: ref.generationNumber });
    push(`${ref.objectNumber} ${ref.generationNumber} obj\n`);
    bodyOffsets.set(ref.objectNumber, length);
    push(body);
    push('\nendobj\n');
    highest = Math.max(highest, ref.objectNumber);
  }

  const xrefOffset = length;
  let table = 'xref\n';
  const numbers = [...offsets.keys()].sort((a, b) => a - b);
  for (let i = 0; i < numbers.length; ) {
    let j = i;
    while (j + 1 < numbers.length && numbers[j + 1] === numbers[j]! + 1) j++;
    table += `${numbers[i]} ${j - i + 1}\n`;
    for (let k = i; k <= j; k++) {
      const e = offsets.get(numbers[k]!)!;
      // Exactly 20 bytes per entry, the end-of-line being " \n".
      table += `${pad(e.offset, 10)} ${pad(e.generation, 5)} n \n`;
    }
    i = j + 1;
  }
  push(table);

  const trailer = PDFDict.withContext(structure.context);
  trailer.set(PDFName.of('Size'), PDFNumber.of(highest + 1));
  trailer.set(PDFName.of('Root'), structure.root);
  for (const key of ['Info', 'ID']) {
    const value = structure.trailer.get(PDFName.of(key));
    if (value !== undefined) trailer.set(PDFName.of(key), value);
  }
  trailer.set(PDFName.of('Prev'), PDFNumber.of(structure.startXref));
  push('trailer\n');
  push(serialize(trailer));
  push(`\nstartxref\n${xrefOffset}\n%%EOF\n`);

  const pdf = new Uint8Array(length);
  let at = 0;
  for (const chunk of chunks) {
    pdf.set(chunk, at);
    at += chunk.length;
  }
  return { pdf, bodyOffsets };
}
