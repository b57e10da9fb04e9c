/** Types for subset-font (HarfBuzz's hb-subset compiled to wasm), which ships none. Only what we use. */
declare module 'subset-font' {
  interface SubsetFontOptions {
    /** 'truetype' is any sfnt (an OpenType font with CFF outlines stays CFF). */
    targetFormat?: 'sfnt' | 'truetype' | 'woff' | 'woff2';
    /** Keep only the glyphs the characters map to, not those GSUB could reach from them. */
    noLayoutClosure?: boolean;
    /** OpenType layout features to keep (all when omitted). */
    keepFeatures?: string[];
    noHinting?: boolean;
    dropTables?: string[];
  }
  export default function subsetFont(font: Buffer | Uint8Array, text: string, options?: SubsetFontOptions): Promise<Buffer>;
}
