import { normalizeItems, normalizeText, piecesOf, type MatchPiece } from '@kawei/shared/tender/blind-match.ts';

/*
 * Search highlighting for the booth viewer: where on a page the words of a search are, as rectangles
 * in page units, from the page's text layer — the same sanitised layer the trusted side hands out
 * (for a blind project bidder names are already code labels in it), never anything else. Pure: no
 * React, no DOM; tested under Node (booth-client/test/search-highlight.test.ts).
 *
 * The text layer (shared/src/tender/tender-document.node.ts `textLayer`): items `{ text, x, y, width,
 * height }` in PDF points at scale 1, top-left origin, y down, in the rotated page's frame — the same
 * frame as the page image, so a point (x, y) sits at (x / layer.width, y / layer.height) of the image
 * at any zoom. Each box runs along the baseline for the item's whole advance and from 0.2 em below
 * the baseline to 0.9 em above it (blind-geometry.ts `rectOfItem`): the height is 1.1 × the font size.
 *
 * Matching is the trusted side's search, character for character: the items' strings concatenated in
 * their order, every character normalised by blind-match.ts (NFKC, lower case, whitespace, zero-width
 * characters and soft hyphens dropped), non-overlapping occurrences from the left. So every hit the
 * search counts on a page is highlighted, a word split over two runs (half bold, a line break) too.
 */

/** One text-layer item (booth-session.ts `textLayerSchema`). */
export interface LayerItem {
  readonly text: string;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface TextLayerLike {
  readonly width: number;
  readonly height: number;
  readonly items: readonly LayerItem[];
}

/** A rectangle in page units (points, top-left origin, y down). */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A stretch of one item covered by an occurrence: UTF-16 offsets in the item's text. */
export type Piece = MatchPiece;

/** The layer's box height per em of font size (0.2 em below the baseline + 0.9 em above). */
const BOX_EMS = 1.1;
/** Margins drawn around a highlight, in em: the yellow should frame the glyphs, not clip them. */
const PAD_SIDE_EM = 0.12;
const PAD_VERTICAL_EM = 0.08;
/** Wide (CJK, full-width) characters: about one em each (the same class as blind-geometry.ts). */
const WIDE = /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u3000-\u303f]|[\ud840-\ud8bf][\udc00-\udfff]/;
/**
 * A blind project's code label (blind-match.ts `codeLabel`). In a blind file the label stands where a
 * name was, but the item keeps the name's width, so the label is given whatever width the item has
 * left once its other characters are measured (see `charEdges`).
 */
const LABEL = /投标人[A-Za-z0-9]{1,8}/g;

/** The query as the trusted side compares it (searchFile trims and takes at most 100 characters). */
export function normalizeQuery(query: string): string {
  return normalizeText(query.trim().slice(0, 100));
}

/**
 * Every occurrence of `query` in the items, as the trusted side's search counts them: the pieces of
 * each occurrence, one per item it touches (characters dropped by normalisation between two found
 * ones in the same item are inside the piece; an item that contributes nothing is not a piece).
 */
export function findOccurrences(items: readonly Pick<LayerItem, 'text'>[], query: string): Piece[][] {
  const needle = normalizeQuery(query);
  if (needle.length === 0) return [];
  const map = normalizeItems(items.map((item) => item.text));
  const out: Piece[][] = [];
  for (let at = map.haystack.indexOf(needle); at >= 0; at = map.haystack.indexOf(needle, at + needle.length)) {
    out.push(piecesOf(map, at, at + needle.length));
  }
  return out;
}

/**
 * A character's width in ems: wide characters 1; Latin ones roughly as in common sans-serif fonts (the
 * Latin part of Noto Sans CJK / Source Han Sans: space ≈ 0.22, digits ≈ 0.55, capitals ≈ 0.65);
 * anything else ½.
 */
function charWeight(char: string): number {
  if (WIDE.test(char)) return 1;
  if (char === ' ' || char === '\u00a0') return 0.25;
  if (/[.,:;'!|`]/.test(char)) return 0.28;
  if (/[ijlft()[\]{}"/-]/.test(char)) return 0.35;
  if (/[0-9]/.test(char)) return 0.55;
  if (/[MW@%]/.test(char)) return 0.85;
  if (/[A-Z&]/.test(char)) return 0.65;
  if (/[mw]/.test(char)) return 0.8;
  return 0.5;
}

/** Per UTF-16 unit: its weight in ems (a surrogate pair's second unit weighs 0). */
function weights(text: string): number[] {
  const out: number[] = [];
  for (const char of text) {
    out.push(charWeight(char));
    if (char.length === 2) out.push(0);
  }
  return out;
}

/** How an item's width is shared among its characters (see `charEdges`). */
export interface ItemContext {
  /**
   * The item follows one that ends with a code label (blind file: a name written in two runs or
   * over a line end; its first run got the label, the rest of it was cut from the start of this one).
   */
  afterLabel?: boolean;
}

/**
 * Where each UTF-16 unit of the item starts along its width (`edges[i]`, and `edges[length]` = the
 * width). The item's advance is known, not its glyphs': each character gets its weight's share
 * (`charWeight`),
 * scaled so the total is exact. Two exceptions, both from blind review, where the trusted side cuts
 * names out of the text but leaves each item's box as it was drawn:
 *  - the text holds a code label and its other characters, at their natural width (one em, or half),
 *    leave room for it: they keep that width and the labels share the rest (the names' width);
 *  - the item follows a label and its text is clearly narrower than its box: the cut-off tail of the
 *    name was at its start, so the text sits at the right end at its natural width.
 */
function charEdges(item: LayerItem, em: number, context: ItemContext): number[] {
  const w = weights(item.text);
  const total = w.reduce((s, x) => s + x, 0);
  const inLabel = new Array<boolean>(w.length).fill(false);
  for (const m of item.text.matchAll(LABEL)) for (let i = m.index; i < m.index + m[0].length; i++) inLabel[i] = true;
  let labelWeight = 0;
  w.forEach((x, i) => {
    if (inLabel[i]) labelWeight += x;
  });
  const natural = total * em;
  const fixedWidth = (total - labelWeight) * em;
  const labelRoom = item.width - fixedWidth;
  const elastic = labelWeight > 0 && em > 0 && labelRoom >= 0.5 * labelWeight * em;
  const tail = !elastic && context.afterLabel === true && em > 0 && natural < 0.8 * item.width && item.width - natural > em;
  const unit = total > 0 ? item.width / total : 0;
  const edges = [tail ? item.width - natural : 0];
  let at = edges[0] ?? 0;
  w.forEach((x, i) => {
    at += elastic ? (inLabel[i] ? (x / labelWeight) * labelRoom : x * em) : tail ? x * em : x * unit;
    edges.push(at);
  });
  return edges;
}

/** Rotated text (taller than wide, more than one character): its glyphs' order along the box is unknown. */
const upright = (item: LayerItem) => [...item.text].length > 1 && item.height > 1.5 * item.width;

/**
 * The box of `text[start, end)` of an item. Horizontal text: along x by character position, the
 * item's full height. An upright item (rotated text) or one without width: the item's box.
 */
export function rangeRect(item: LayerItem, start: number, end: number, context: ItemContext = {}): Rect {
  const length = item.text.length;
  if (upright(item) || item.width <= 0) return { x: item.x, y: item.y, width: item.width, height: item.height };
  const edges = charEdges(item, item.height / BOX_EMS, context);
  const x0 = edges[Math.max(0, Math.min(length, start))] ?? 0;
  const x1 = edges[Math.max(0, Math.min(length, end))] ?? item.width;
  return { x: item.x + x0, y: item.y, width: Math.max(0, x1 - x0), height: item.height };
}

const ENDS_WITH_LABEL = /投标人[A-Za-z0-9]{1,8}$/;

/**
 * After a label that ends item `index`: the stretch at the start of the next item where the rest of
 * the name was cut out (the label stands for it too), or null.
 */
function cutTail(items: readonly LayerItem[], index: number): Rect | null {
  if (!ENDS_WITH_LABEL.test(items[index]?.text.trimEnd() ?? '')) return null;
  let next = index + 1;
  while (next < items.length && items[next]?.text.trim() === '') next++;
  const item = items[next];
  if (!item || upright(item) || item.width <= 0) return null;
  const gap = charEdges(item, item.height / BOX_EMS, { afterLabel: true })[0] ?? 0;
  return gap > 0 ? { x: item.x, y: item.y, width: gap, height: item.height } : null;
}

/** Whether item `index` follows (past whitespace-only items) one whose text ends with a code label. */
export function followsLabel(items: readonly Pick<LayerItem, 'text'>[], index: number): boolean {
  for (let i = index - 1; i >= 0; i--) {
    const text = items[i]?.text.trimEnd() ?? '';
    if (text === '') continue;
    return ENDS_WITH_LABEL.test(text);
  }
  return false;
}

/** Same line, same size, touching (or nearly: a space between two runs): one box. */
function mergeable(a: Rect, b: Rect): boolean {
  const size = Math.max(a.height, b.height);
  return Math.abs(a.y - b.y) < 0.25 * size && Math.abs(a.height - b.height) < 0.25 * size && b.x >= a.x && b.x - (a.x + a.width) < 0.6 * size / BOX_EMS;
}

function add(rects: Rect[], r: Rect): void {
  const last = rects[rects.length - 1];
  if (last && mergeable(last, r)) rects[rects.length - 1] = union(last, r);
  else rects.push(r);
}

function union(a: Rect, b: Rect): Rect {
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return { x, y, width: Math.max(a.x + a.width, b.x + b.width) - x, height: Math.max(a.y + a.height, b.y + b.height) - y };
}

/**
 * The highlight rectangles of every occurrence of `query` on the page, in page units, each a little
 * larger than the text it marks and kept inside the page; one list per occurrence, in the order the
 * search counts them. Pieces on one line (a word in two runs) become one box; a word broken across
 * a line end gets a box on each line.
 */
export function highlightRects(layer: TextLayerLike, query: string): Rect[][] {
  return findOccurrences(layer.items, query).map((pieces) => {
    const rects: Rect[] = [];
    for (const piece of pieces) {
      const item = layer.items[piece.item];
      if (!item) continue;
      const r = rangeRect(item, piece.start, piece.end, { afterLabel: followsLabel(layer.items, piece.item) });
      add(rects, r);
    }
    // A match ending with a label that ends its item: the name it stands for went on into the next one.
    const end = pieces[pieces.length - 1];
    const item = end ? layer.items[end.item] : undefined;
    if (end && item && end.end >= item.text.trimEnd().length) {
      const tail = cutTail(layer.items, end.item);
      if (tail) add(rects, tail);
    }
    return rects.map((r) => pad(r, layer));
  });
}

function pad(r: Rect, page: Pick<TextLayerLike, 'width' | 'height'>): Rect {
  const em = r.height / BOX_EMS;
  const x0 = Math.max(0, r.x - PAD_SIDE_EM * em);
  const y0 = Math.max(0, r.y - PAD_VERTICAL_EM * em);
  const x1 = Math.min(page.width > 0 ? page.width : Infinity, r.x + r.width + PAD_SIDE_EM * em);
  const y1 = Math.min(page.height > 0 ? page.height : Infinity, r.y + r.height + PAD_VERTICAL_EM * em);
  return { x: x0, y: y0, width: Math.max(0, x1 - x0), height: Math.max(0, y1 - y0) };
}

// ── the viewer's cache ──────────────────────────────────────────────────────

/** A page's highlights for one query: the page's size in page units and the boxes per occurrence. */
export interface PageHighlights {
  readonly width: number;
  readonly height: number;
  readonly occurrences: readonly (readonly Rect[])[];
}

export type FetchTextLayer = (fileId: string, page: number) => Promise<TextLayerLike>;

/**
 * Text layers and their highlights for the viewer: a layer is asked for once per page (concurrent
 * askers share the request; a failure is not kept, the next mount asks again) and kept in an LRU of
 * `capacity` pages; the boxes are computed once per page and query and kept in an LRU too. The viewer
 * asks only for pages on screen that have hits, so a 1,000-page file costs a few layers.
 */
export class SearchHighlights {
  private readonly layers = new Map<string, TextLayerLike>();
  private readonly inFlight = new Map<string, Promise<TextLayerLike>>();
  private readonly results = new Map<string, PageHighlights>();

  constructor(
    private readonly fetchLayer: FetchTextLayer,
    private readonly capacity = 200,
  ) {}

  private static pageKey(fileId: string, page: number): string {
    return `${fileId}\u0000${page}`;
  }

  static key(fileId: string, page: number, query: string): string {
    return `${fileId}\u0000${page}\u0000${normalizeQuery(query)}`;
  }

  /** Text layers held (for tests). */
  get layerCount(): number {
    return this.layers.size;
  }

  /** Computed highlights, if this page and query were done already (and marks them recently used). */
  get(fileId: string, page: number, query: string): PageHighlights | undefined {
    const key = SearchHighlights.key(fileId, page, query);
    const found = this.results.get(key);
    if (found) touch(this.results, key, found);
    return found;
  }

  async load(fileId: string, page: number, query: string): Promise<PageHighlights> {
    const done = this.get(fileId, page, query);
    if (done) return done;
    const layer = await this.layer(fileId, page);
    const raced = this.get(fileId, page, query);
    if (raced) return raced;
    const result: PageHighlights = { width: layer.width, height: layer.height, occurrences: highlightRects(layer, query) };
    put(this.results, SearchHighlights.key(fileId, page, query), result, this.capacity * 2);
    return result;
  }

  private layer(fileId: string, page: number): Promise<TextLayerLike> {
    const key = SearchHighlights.pageKey(fileId, page);
    const cached = this.layers.get(key);
    if (cached) {
      touch(this.layers, key, cached);
      return Promise.resolve(cached);
    }
    let flying = this.inFlight.get(key);
    if (!flying) {
      flying = this.fetchLayer(fileId, page).then(
        (layer) => {
          this.inFlight.delete(key);
          put(this.layers, key, layer, this.capacity);
          return layer;
        },
        (error: unknown) => {
          this.inFlight.delete(key);
          throw error;
        },
      );
      this.inFlight.set(key, flying);
    }
    return flying;
  }
}

function touch<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  map.set(key, value);
}

function put<V>(map: Map<string, V>, key: string, value: V, capacity: number): void {
  touch(map, key, value);
  while (map.size > capacity) {
    const oldest = map.keys().next().value;
    if (oldest === undefined) break;
    map.delete(oldest);
  }
}
