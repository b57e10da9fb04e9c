/**
 * `npm run bench -- report`: the evaluation report's figures from issue #14.
 *
 * - `report_render_ms`: renderReport (central/src/report/render-report.node.ts) of the final report of
 *   a committee of 9 experts × 20 bids × 30 items — the model, the layout (wrapping, tables split over
 *   pages with repeated headers, header/footer on every page), the font subset and the save — median
 *   of 5 runs after a warm-up (the process's working font face is made once, before timing; target ≤ 2 s).
 * - `report_baseline_ms`, same run: pdf-lib writing the same tables' text with the same font embedder
 *   (CjkPdfFont over the same face) but no layout logic — every row of every table and every
 *   paragraph as one plain line of text, a new page every 60 lines, no wrapping, no borders, no
 *   header or footer — then the same font subset and save. The ratio says what the layout costs.
 * - `report_pdf_bytes`: the rendered report's size.
 * - `report_sign_ms`: one PAdES signature on top of that report (signPdf, shared/src/report/
 *   pdf-signature.node.ts: the incremental update with a 32 KB placeholder, the CMS with a software
 *   ECDSA P-256 signer, the embedding), median of 9; `raw_token_sign_ms`: the same signer's
 *   `sign()` over 100 bytes alone, median of 50. Target: report_sign_ms − raw_token_sign_ms ≤ 300 ms.
 */
import { PDFDocument, PDFName, PDFNumber, PDFOperator, PDFOperatorNames as Ops } from 'pdf-lib';
import { signPdf } from '../shared/src/report/pdf-signature.node.ts';
import { softwareSigner } from '../shared/src/signing/software-signer.node.ts';
import { trustListFromCertificates } from '../shared/src/signing/trust-list.ts';
import { CjkPdfFont } from '../shared/src/tender/pdf-cjk-font.node.ts';
import { issueLeaf, makeCa } from '../shared/test/report/pades-test-support.node.ts';
import { reportFace, warmReportFont } from '../central/src/report/layout-font.node.ts';
import { renderReport, type ReportInput } from '../central/src/report/render-report.node.ts';
import { reportModel, type ReportDocument } from '../central/src/report/report-model.ts';
import { finalCommittee } from '../central/test/report/render-fixtures.ts';
import { type BenchResult, summarise } from './bench.ts';

const RUNS = 5;

async function time<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

/** The same text as the report, one plain line per row or paragraph, no layout. */
async function baselinePdf(document: ReportDocument): Promise<Uint8Array> {
  const doc = await PDFDocument.create({ updateMetadata: false });
  const font = new CjkPdfFont(doc, await reportFace(JSON.stringify(document)));
  const lines: string[] = [];
  for (const block of document.blocks) {
    switch (block.kind) {
      case 'title':
      case 'heading':
      case 'paragraph':
        lines.push(block.text);
        break;
      case 'keyValues':
        for (const row of block.rows) lines.push(`${row.key} ${row.value}`);
        break;
      case 'table':
        lines.push(block.columns.map((c) => c.title).join(' '));
        for (const row of block.rows) lines.push(row.join(' '));
        break;
      case 'pageBreak':
        break;
    }
  }
  let page = doc.addPage([595.28, 841.89]);
  let key = page.node.newFontDictionary('F', font.ref);
  lines.forEach((line, i) => {
    if (i > 0 && i % 60 === 0) {
      page = doc.addPage([595.28, 841.89]);
      key = page.node.newFontDictionary('F', font.ref);
    }
    page.pushOperators(
      PDFOperator.of(Ops.BeginText),
      PDFOperator.of(Ops.SetFontAndSize, [key as PDFName, PDFNumber.of(8)]),
      PDFOperator.of(Ops.MoveText, [PDFNumber.of(40), PDFNumber.of(800 - (i % 60) * 12.5)]),
      PDFOperator.of(Ops.ShowText, [font.encode(line.replace(/\n/g, ' '))]),
      PDFOperator.of(Ops.EndText),
    );
  });
  await font.embed();
  return doc.save({ useObjectStreams: false });
}

export async function run(): Promise<BenchResult> {
  const setup0 = performance.now();
  const fc = finalCommittee({ members: 9, bids: 20, items: 30 });
  const input: ReportInput = { state: fc.state, material: fc.material, kind: 'final', dissents: [], renderedAt: Date.UTC(2026, 11, 7, 9, 0) };
  await warmReportFont();
  const document = reportModel(input);
  // Warm both paths (JIT, the face's parse), then interleave.
  const first = await renderReport(input);
  await baselinePdf(document);
  const render: number[] = [];
  const baseline: number[] = [];
  let pdf = first;
  for (let i = 0; i < RUNS; i++) {
    const r = await time(() => renderReport(input));
    render.push(r.ms);
    pdf = r.value;
    baseline.push((await time(() => baselinePdf(reportModel(input)))).ms);
  }
  if (Buffer.compare(Buffer.from(pdf), Buffer.from(first)) !== 0) throw new Error('report bytes differ between runs');
  const pages = (await PDFDocument.load(pdf)).getPageCount();

  const ca = await makeCa('Kawei Report Bench CA', 'ec');
  const leaf = await issueLeaf(ca, 'ec', 'K01');
  const signer = softwareSigner({ privateKey: leaf.privateKey, certificate: leaf.der });
  const trustList = trustListFromCertificates([ca.der]);
  const signingTime = new Date('2026-12-07T09:30:00Z');
  const sign = () => signPdf(pdf, signer, { fieldName: 'kawei-judge-1', signerName: 'K01', signingTime, cms: { trustList, signingTime } });
  await sign();
  const signs: number[] = [];
  for (let i = 0; i < 9; i++) signs.push((await time(sign)).ms);
  const data = new Uint8Array(100).fill(7);
  for (let i = 0; i < 5; i++) await signer.sign(data);
  const raw: number[] = [];
  for (let i = 0; i < 50; i++) raw.push((await time(() => signer.sign(data))).ms);
  const setupS = (performance.now() - setup0) / 1000;

  const renderMs = summarise(render).p50;
  const baselineMs = summarise(baseline).p50;
  const signMs = summarise(signs).p50;
  const rawMs = summarise(raw).p50;
  const round = (n: number) => Math.round(n * 10) / 10;
  return {
    metrics: {
      report_render_ms: round(renderMs),
      report_render_max_ms: round(Math.max(...render)),
      report_pdf_bytes: pdf.length,
      report_pages: pages,
      report_baseline_ms: round(baselineMs),
      report_render_over_baseline: Math.round((renderMs / baselineMs) * 100) / 100,
      report_sign_ms: round(signMs),
      raw_token_sign_ms: Math.round(rawMs * 1000) / 1000,
      report_sign_overhead_ms: round(signMs - rawMs),
    },
    baseline: {
      description: 'pdf-lib + the same CjkPdfFont face writing every table row and paragraph as one plain line (no wrapping, borders, page flow, header/footer), same run',
      metrics: { report_baseline_ms: round(baselineMs) },
    },
    notes: `9 experts × 20 bids × 30 items, final report; medians of ${RUNS} renders and 9 signatures after a warm-up; ECDSA P-256 software signer; setup ${setupS.toFixed(1)} s`,
  };
}
