import { z } from 'zod';
import { bilingualError } from '../i18n/bilingual.ts';

/**
 * Finding bidders' names in extracted text, for blind review (暗标). Pure: no PDF here, only the
 * strings of a page's text items in reading order.
 *
 * Rules (docs/TENDER-FILES.md "Matcher"):
 *  - Text and names are compared after NFKC (full-width letters, digits and brackets become their
 *    half-width forms; the ideographic space becomes a space) and lower-casing, with every whitespace,
 *    zero-width character and soft hyphen dropped. So a name split across text items, across a line
 *    break, or with a stray space inside it still matches, and so does an English name in capitals.
 *  - Needles: each bidder's name, its aliases, and a short form with the legal-form suffix taken off
 *    (华东示例建设有限公司 → 华东示例建设) when four or more characters remain.
 *  - Overlapping finds are merged into one (never a partial cover); the longest needle's bidder wins.
 */

export const bidderSchema = z.object({
  name: z.string().trim().min(2),
  /** Shown instead of the name: "A" becomes 投标人A. Letters and digits only. */
  code: z.string().regex(/^[A-Za-z0-9]{1,8}$/),
  aliases: z.array(z.string().trim().min(2)).default([]),
});
export const bidderListSchema = z
  .array(bidderSchema)
  .min(1)
  .refine((list) => new Set(list.map((b) => b.code)).size === list.length, { message: 'bidder codes must be unique' });
export type Bidder = z.input<typeof bidderSchema>;

export const codeLabel = (code: string): string => `投标人${code}`;

const LEGAL_SUFFIXES = ['股份有限公司', '有限责任公司', '有限公司', '集团公司', '公司', 'co.,ltd.', 'co.,ltd', 'co.ltd.', 'ltd.', 'ltd', 'inc.', 'inc'];
const DROP = /[\s\u200b-\u200d\u2060\ufeff\u00ad]/u;

/** One character's comparable form ('' when it is dropped). */
export function normalizeChar(char: string): string {
  let out = '';
  for (const c of char.normalize('NFKC').toLowerCase()) if (!DROP.test(c)) out += c;
  return out;
}

export function normalizeText(text: string): string {
  let out = '';
  for (const c of text) out += normalizeChar(c);
  return out;
}

export interface Needle {
  code: string;
  text: string; // normalised
}

export function buildNeedles(bidders: readonly Bidder[]): Needle[] {
  const parsed = bidderListSchema.parse(bidders);
  const seen = new Map<string, string>();
  for (const b of parsed) {
    const forms = [b.name, ...b.aliases].map(normalizeText);
    for (const form of [...forms]) {
      for (const suffix of LEGAL_SUFFIXES) {
        if (form.endsWith(suffix) && [...form].length - [...suffix].length >= 4) {
          forms.push(form.slice(0, form.length - suffix.length));
          break;
        }
      }
    }
    for (const form of forms) {
      if ([...form].length < 2) continue;
      const other = seen.get(form);
      if (other !== undefined && other !== b.code) {
        throw bilingualError('tender.sharedName', { form });
      }
      seen.set(form, b.code);
    }
  }
  return [...seen].map(([text, code]) => ({ code, text })).sort((a, b) => b.text.length - a.text.length);
}

/** A stretch of normalised text covered by a name. */
interface Span {
  start: number;
  end: number;
  code: string;
  length: number;
}

function findSpans(haystack: string, needles: readonly Needle[]): Span[] {
  const found: Span[] = [];
  for (const n of needles) {
    for (let at = haystack.indexOf(n.text); at >= 0; at = haystack.indexOf(n.text, at + 1)) {
      found.push({ start: at, end: at + n.text.length, code: n.code, length: n.text.length });
    }
  }
  found.sort((a, b) => a.start - b.start || b.length - a.length);
  const merged: Span[] = [];
  for (const s of found) {
    const last = merged[merged.length - 1];
    if (last && s.start < last.end) {
      if (s.end > last.end) last.end = s.end;
      if (s.length > last.length) {
        last.length = s.length;
        last.code = s.code;
      }
    } else merged.push({ ...s });
  }
  return merged;
}

/** Occurrences per bidder code in a plain string (e.g. pdftotext's output, an outline title). */
export function countNames(text: string, needles: readonly Needle[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const s of findSpans(normalizeText(text), needles)) counts.set(s.code, (counts.get(s.code) ?? 0) + 1);
  return counts;
}

export interface MatchPiece {
  /** Index of the text item. */
  item: number;
  /** UTF-16 range inside that item's string. */
  start: number;
  end: number;
}

export interface NameMatch {
  code: string;
  pieces: MatchPiece[];
}

/**
 * The items' text, normalised (normalizeChar) and joined, with each normalised character mapped back
 * to the item and UTF-16 range it came from: what the blind matcher and the booth's search
 * highlighting both search in, so a hit means the same characters to both.
 */
export interface NormalizedItems {
  haystack: string;
  /** Per character of `haystack`: the piece of the items it came from. */
  source: MatchPiece[];
}

export function normalizeItems(items: readonly string[]): NormalizedItems {
  let haystack = '';
  const source: MatchPiece[] = [];
  items.forEach((str, item) => {
    let k = 0;
    for (const char of str) {
      const norm = normalizeChar(char);
      for (let j = 0; j < norm.length; j++) source.push({ item, start: k, end: k + char.length });
      haystack += norm;
      k += char.length;
    }
  });
  return { haystack, source };
}

/**
 * The item ranges behind haystack[start, end), one piece per item touched. Characters dropped by
 * normalisation (a space inside a name) between two found ones are inside the piece.
 */
export function piecesOf(map: NormalizedItems, start: number, end: number): MatchPiece[] {
  const pieces: MatchPiece[] = [];
  for (let p = start; p < end; p++) {
    const src = map.source[p];
    if (!src) continue;
    const last = pieces[pieces.length - 1];
    if (last && last.item === src.item) {
      last.start = Math.min(last.start, src.start);
      last.end = Math.max(last.end, src.end);
    } else pieces.push({ ...src });
  }
  return pieces;
}

/** Every name occurrence in a page's text items, each as the item ranges it covers. */
export function findNames(items: readonly string[], needles: readonly Needle[]): NameMatch[] {
  const map = normalizeItems(items);
  return findSpans(map.haystack, needles).map((span) => ({ code: span.code, pieces: piecesOf(map, span.start, span.end) }));
}

/** The items' strings with every match removed and the code label put where each match begins. */
export function redactItems(items: readonly string[], matches: readonly NameMatch[], label = codeLabel): string[] {
  const cuts = items.map(() => [] as { start: number; end: number; insert: string }[]);
  for (const m of matches) {
    m.pieces.forEach((p, i) => cuts[p.item]?.push({ start: p.start, end: p.end, insert: i === 0 ? label(m.code) : '' }));
  }
  return items.map((str, i) => {
    const list = (cuts[i] ?? []).sort((a, b) => a.start - b.start);
    let out = '';
    let at = 0;
    for (const c of list) {
      out += str.slice(at, Math.max(at, c.start)) + c.insert;
      at = Math.max(at, c.end);
    }
    return out + str.slice(at);
  });
}

/** A single string with names replaced by code labels (outline titles, snippets). */
export function redactString(text: string, needles: readonly Needle[], label = codeLabel): string {
  const chars = [...text];
  return redactItems(chars, findNames(chars, needles), label).join('');
}
