// The card photo is WLT-compressed; only the vendor's licensed library decodes it (to 102×126 BGR).
// No default implementation: without a configured decoder the reader returns the raw WLT and photo: null.

export interface DecodedPhoto {
  width: number;
  height: number;
  /** Pixel rows, 3 bytes per pixel in B, G, R order. */
  bgr: Uint8Array;
}

export interface WltPhotoDecoder {
  decode(wlt: Uint8Array): Promise<DecodedPhoto>;
}

export const WLT_PHOTO_WIDTH = 102;
export const WLT_PHOTO_HEIGHT = 126;
