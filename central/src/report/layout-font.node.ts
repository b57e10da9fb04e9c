/**
 * The report's font program: Noto Sans CJK SC through the tender's CID font embedder (CjkPdfFont,
 * shared/src/tender/pdf-cjk-font.node.ts), fed a smaller face. The full face is a 16 MB CFF font:
 * opening it (fontkit) and subsetting it (HarfBuzz) cost about a second per document. So each
 * process first subsets it once to a working face — GB 2312 (the 6,763 common hanzi and its symbols),
 * ASCII, Latin-1 and the punctuation, letterlike, arrow and maths blocks (about 1.8 MB) — and every
 * report then opens and subsets that face instead, in a fraction of the time. HarfBuzz keeps each
 * glyph's CID in a CID-keyed subset, so a subset of the working face names the same glyphs as one of
 * the full face (CjkPdfFont.embed checks it). A document with a character outside the working set (a
 * rare character in a name or a dissent) is set from the full face: slower, never wrong.
 */
import subsetFont from 'subset-font';
import { loadCjkFont } from '@kawei/shared/tender/cjk-font.node.ts';

function workingCharacters(): Set<string> {
  const chars = new Set<string>();
  const gb2312 = new TextDecoder('gbk');
  for (let lead = 0xa1; lead <= 0xf7; lead++) {
    for (let trail = 0xa1; trail <= 0xfe; trail++) {
      const ch = gb2312.decode(new Uint8Array([lead, trail]));
      if (ch.length === 1 && ch !== '\ufffd') chars.add(ch);
    }
  }
  const ranges: [number, number][] = [
    [0x20, 0x7e],
    [0xa0, 0x24f],
    [0x2000, 0x206f],
    [0x2100, 0x22ff],
    [0x2460, 0x24ff],
    [0x2500, 0x25ff],
    [0x3000, 0x303f],
    [0xff00, 0xffef],
  ];
  for (const [from, to] of ranges) for (let cp = from; cp <= to; cp++) chars.add(String.fromCodePoint(cp));
  return chars;
}

let working: { chars: Set<string>; face: Promise<Uint8Array> } | null = null;

function workingFace(): { chars: Set<string>; face: Promise<Uint8Array> } {
  if (working === null) {
    const chars = workingCharacters();
    const full = loadCjkFont();
    const face = subsetFont(Buffer.from(full.buffer, full.byteOffset, full.byteLength), [...chars].join(''), {
      targetFormat: 'truetype',
      noLayoutClosure: true,
      keepFeatures: [],
    }).then((bytes) => new Uint8Array(bytes));
    // A failed subset is retried by the next document rather than cached.
    face.catch(() => {
      working = null;
    });
    working = { chars, face };
  }
  return working;
}

/** The face to set `text` in: the working face when it has every character, else the full one. */
export async function reportFace(text: string): Promise<Uint8Array> {
  const { chars, face } = workingFace();
  for (const ch of text) {
    if (ch !== '\n' && !chars.has(ch)) return loadCjkFont();
  }
  return face;
}

/** Starts the working face's subset ahead of the first report (the central calls it at start). */
export function warmReportFont(): Promise<void> {
  return workingFace().face.then(() => undefined);
}
