import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { renderReport, REPORT_RENDERER_VERSION } from '../../src/report/render-report.node.ts';
import { finalCommittee } from './render-fixtures.ts';
import { pdfFonts, pdfInfo, pdfText } from './render-tools.ts';

const AT = Date.UTC(2026, 11, 7, 8, 30);

describe('renderReport', () => {
  const fc = finalCommittee();

  it('is deterministic: the same input gives the same bytes', async () => {
    const input = { state: fc.state, material: fc.material, kind: 'draft' as const, dissents: [], renderedAt: AT };
    const a = await renderReport(input);
    const b = await renderReport(input);
    expect(createHash('sha256').update(a).digest('hex')).toBe(createHash('sha256').update(b).digest('hex'));
    const other = await renderReport({ ...input, renderedAt: AT + 1000 });
    expect(Buffer.compare(Buffer.from(a), Buffer.from(other))).not.toBe(0);
    // A classic xref table (no object streams): @signpdf's placeholder needs it.
    const text = Buffer.from(a).toString('latin1');
    expect(text).toContain('\nxref\n');
    expect(text).not.toContain('/ObjStm');
    const info = pdfInfo(a);
    expect(info.Creator).toBe(REPORT_RENDERER_VERSION);
    expect(info.CreationDate).toContain('2026');
    expect(Number(info.Pages)).toBeGreaterThan(3);
  });

  it('embeds its font', async () => {
    const pdf = await renderReport({ state: fc.state, material: fc.material, kind: 'final', dissents: [], renderedAt: AT });
    const fonts = pdfFonts(pdf);
    expect(fonts.length).toBeGreaterThan(0);
    for (const f of fonts) expect(f.emb).toBe('yes');
    expect(pdfText(pdf)).toContain('评标报告');
  });
});
