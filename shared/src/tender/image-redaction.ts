import { z } from 'zod';

/**
 * A bidder's name the central's OCR found inside a page image (blind projects; central/src/projects/
 * ocr-names.node.ts): rectangles in PDF user space (the page's coordinates, as pdf.js's
 * `convertToViewportRectangle` takes them), one per OCR line the name covers. Carried per file in
 * `project.booth` (shared/src/api/booth-roster.ts) and painted by the booth exactly like the boxes of
 * a name found in the text layer (tender-document.node.ts).
 */
const pdfRectSchema = z.object({ x: z.number().finite(), y: z.number().finite(), width: z.number().finite().min(0), height: z.number().finite().min(0) });

export const imageRedactionSchema = z.object({
  page: z.number().int().min(1),
  code: z.string().min(1).max(16),
  rects: z.array(pdfRectSchema).min(1).max(64),
});
export type ImageRedaction = z.infer<typeof imageRedactionSchema>;

/** At most this many boxes per file. */
export const MAX_IMAGE_REDACTIONS = 20_000;
