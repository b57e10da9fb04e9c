/**
 * What the booth's report tests share: small report PDFs (pdf-lib, classic cross-reference table as
 * the central's renderer writes them, so the PAdES placeholder can extend them), `report.booth`
 * payloads, and pdfsig as the independent check of a PAdES signature.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import type { ReportBoothPayload } from '@kawei/shared/report/report-view.ts';

const run = promisify(execFile);

export const sha256Of = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** A report-like PDF: `pages` pages, each saying `title` and its number (ASCII: the standard font). */
export async function makeReportPdf(title: string, pages = 2): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  // Fixed dates: the same title gives the same bytes.
  doc.setCreationDate(new Date(Date.UTC(2026, 4, 1)));
  doc.setModificationDate(new Date(Date.UTC(2026, 4, 1)));
  for (let i = 1; i <= pages; i++) {
    const page = doc.addPage([595, 842]);
    page.drawText(`${title} - page ${i}`, { x: 60, y: 760, size: 18, font });
    page.drawText('Evaluation report of project JS-2026-0418: bids A, B, C.', { x: 60, y: 720, size: 12, font });
  }
  return doc.save({ useObjectStreams: false });
}

export const ref = (bytes: Uint8Array) => ({ sha256: sha256Of(bytes), bytes: bytes.byteLength });

export const MEMBERS = ['HK-37', 'QX-12', 'MB-05'] as const;

/** A report.booth payload for `codename` (HK-37, seat 1, by default). */
export function reportMessage(
  base: { date: string; project: string; codename?: string },
  over: Partial<ReportBoothPayload> & { states?: Record<string, { dissent?: 'pending' | 'none' | 'dissent'; signature?: 'pending' | 'signed' | 'refused' }> },
): ReportBoothPayload {
  const { states = {}, ...rest } = over;
  const codename = base.codename ?? 'HK-37';
  return {
    date: base.date,
    project: base.project,
    codename,
    version: 1,
    stage: 'dissent',
    draft: { sha256: 'a'.repeat(64), bytes: 1 },
    final: null,
    head: null,
    members: MEMBERS.map((c, i) => ({
      codename: c,
      judge: `评委${i + 1}`,
      chair: i === 0,
      dissent: states[c]?.dissent ?? 'pending',
      signature: states[c]?.signature ?? 'pending',
    })),
    turn: null,
    fieldName: `kawei-judge-${MEMBERS.indexOf(codename as (typeof MEMBERS)[number]) + 1}`,
    ...rest,
  };
}

/** `pdfsig` on a PDF: its output (it exits non-zero for an unsigned or broken file). */
export async function pdfsig(dir: string, pdf: Uint8Array, name = `signed-${Date.now()}.pdf`): Promise<string> {
  const file = join(dir, name);
  writeFileSync(file, pdf);
  try {
    const { stdout, stderr } = await run('pdfsig', [file]);
    return `${stdout}${stderr}`;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    return `${e.stdout ?? ''}${e.stderr ?? ''}`;
  }
}
