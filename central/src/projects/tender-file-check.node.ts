import type { ImageRedaction } from '@kawei/shared/api/booth-roster.ts';
import { BLIND_IMAGE_WARN_SHARE } from '@kawei/shared/contract/booth-session.ts';
import { buildNeedles, type Bidder } from '@kawei/shared/tender/blind-match.ts';
import { openTenderDocument, TenderFileError } from '@kawei/shared/tender/tender-document.node.ts';
import { checkTesseract, ocrNames, OcrUnavailableError, type OcrFailedPage } from './ocr-names.node.ts';
import { type MessagePair, messagePair } from '@kawei/shared/i18n/bilingual.ts';

/**
 * What publish-project checks inside each PDF before a booth is told about it, with the same pdf.js
 * the booth opens it with (shared/src/tender):
 *
 * - on a blind project, the bidder list gives the matcher safe needles (two bidders sharing a name or
 *   alias would make the booth refuse the whole project);
 * - the file opens at all: an encrypted or damaged PDF would reach the booth and sit there as
 *   "broken" in front of the expert, so it is refused here, while staff can still ask the bidder;
 * - on a blind project (暗标), which pages carry raster images over BLIND_IMAGE_WARN_SHARE of their
 *   area. The name matcher reads text only: a scanned 营业执照 or a letterhead image can show a bidder's
 *   name that nothing covers. The booth flags those pages to the expert; staff hear of them here, at
 *   publish time, so they can check them by hand (or ask for a cleaned file) before the evaluation;
 * - on a blind project, unless OCR is turned off, those image pages are read with tesseract
 *   (ocr-names.node.ts): names found become `imageRedactions` the booth paints. OCR can miss a name,
 *   so the image warning stays; no tesseract → `ocr.available: false` and the warning alone.
 */

export interface TenderFileCheck {
  path: string;
  bidder: string;
  pages: number;
  /** Blind projects only: pages (1-based) whose images cover ≥ BLIND_IMAGE_WARN_SHARE of the page. */
  imagePages: number[];
  /** Blind projects with OCR run on this file's image pages; null when OCR did not run. */
  ocr: FileOcr | null;
}

export interface FileOcr {
  /** Pages OCR'd. */
  pages: number[];
  /** Names found inside images, PDF user space (for the project.booth payload). */
  redactions: ImageRedaction[];
  /** Pages tesseract failed on (time-out, crash): not OCR'd. */
  failedPages: OcrFailedPage[];
}

export interface TenderFilesCheck {
  files: TenderFileCheck[];
  /**
   * Blind projects: whether OCR ran (`available`), or why not (`reason`: turned off, tesseract
   * missing). Open projects: null.
   */
  ocr: { available: boolean; reason: { chinese: string; english: string } | null } | null;
}

export class TenderFileCheckError extends Error {
  override readonly name = 'TenderFileCheckError';
  constructor(
    readonly chinese: string,
    message: string,
  ) {
    super(message);
  }
}

function checkError(m: MessagePair): TenderFileCheckError {
  return new TenderFileCheckError(m.zh, m.en);
}

export interface CheckTenderFilesInput {
  files: readonly { path: string; absolute: string; bidder: string }[];
  /** The bidder list when the project is blind; null for an open project (no image scan). */
  blindBidders: readonly Bidder[] | null;
  /** Called after each page of the image scan, for a progress line on long files. */
  onProgress?: (progress: { path: string; page: number; pages: number }) => void;
  /** Blind projects: OCR the image pages (default true); false is `--no-ocr`. */
  ocr?: boolean;
  /** After each OCR'd page. */
  onOcrPage?: (progress: { path: string; page: number; done: number; total: number; found: number; ms: number; failed: boolean }) => void;
}

export async function checkTenderFiles(input: CheckTenderFilesInput): Promise<TenderFilesCheck> {
  if (input.blindBidders) {
    try {
      buildNeedles([...input.blindBidders]);
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      throw checkError(messagePair('projects.check.badBidders', { reason: text }));
    }
  }
  let ocr: TenderFilesCheck['ocr'] = null;
  if (input.blindBidders) {
    if (input.ocr === false) {
      const skipped = messagePair('projects.check.ocrSkipped');
      ocr = { available: false, reason: { chinese: skipped.zh, english: skipped.en } };
    } else {
      try {
        await checkTesseract();
        ocr = { available: true, reason: null };
      } catch (error) {
        if (!(error instanceof OcrUnavailableError)) throw error;
        ocr = { available: false, reason: { chinese: error.chinese, english: error.message } };
      }
    }
  }
  const checks: TenderFileCheck[] = [];
  for (const f of input.files) {
    let doc;
    try {
      doc = await openTenderDocument({ path: f.absolute });
    } catch (error) {
      if (error instanceof TenderFileError && error.code === 'TENDER_ENCRYPTED') {
        throw checkError(messagePair('projects.check.encrypted', { path: f.path }));
      }
      throw checkError(messagePair('projects.check.notPdf', { path: f.path, reason: error instanceof Error ? error.message : String(error) }));
    }
    try {
      const pages = doc.info.pageCount;
      const imagePages: number[] = [];
      if (input.blindBidders) {
        for (let page = 1; page <= pages; page++) {
          if ((await doc.imageShare(page)) >= BLIND_IMAGE_WARN_SHARE) imagePages.push(page);
          input.onProgress?.({ path: f.path, page, pages });
        }
      }
      checks.push({ path: f.path, bidder: f.bidder, pages, imagePages, ocr: null });
    } finally {
      await doc.close();
    }
  }
  // One file open at a time: the image scan's document is closed before OCR opens its own.
  if (input.blindBidders && ocr?.available) {
    for (const c of checks) {
      if (c.imagePages.length === 0) continue;
      const absolute = input.files.find((f) => f.path === c.path)?.absolute ?? c.path;
      try {
        const found = await ocrNames({
          path: absolute,
          pages: c.imagePages,
          bidders: input.blindBidders,
          onPage: (p) => input.onOcrPage?.({ path: c.path, ...p }),
        });
        c.ocr = { pages: found.pages, redactions: found.redactions, failedPages: found.failedPages };
      } catch (error) {
        // tesseract vanished between the check and this file: the file's pages count as not OCR'd.
        if (!(error instanceof OcrUnavailableError)) throw error;
        c.ocr = { pages: [], redactions: [], failedPages: c.imagePages.map((page) => ({ page, reason: error.message })) };
      }
    }
  }
  return { files: checks, ocr };
}

/** "2、5–7、9" for staff: runs of consecutive pages joined. */
export function formatPageList(pages: readonly number[], separator = '、'): string {
  const runs: string[] = [];
  for (let i = 0; i < pages.length; ) {
    let j = i;
    while (j + 1 < pages.length && pages[j + 1] === (pages[j] ?? 0) + 1) j++;
    runs.push(j === i ? `${pages[i]}` : `${pages[i]}–${pages[j]}`);
    i = j + 1;
  }
  return runs.join(separator);
}
