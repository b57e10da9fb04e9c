import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkSignatureIncrement, signPdf } from '@kawei/shared/report/pdf-signature.node.ts';
import { judgeFieldName, SUPERVISOR_FIELD } from '@kawei/shared/report/report-view.ts';
import { softwareSigner } from '@kawei/shared/signing/software-signer.node.ts';
import { trustListFromCertificates } from '@kawei/shared/signing/trust-list.ts';
import { issueLeaf, makeCa, pdfsig, pdfsigBlocks } from '../../../shared/test/report/pades-test-support.node.ts';
import { renderReport } from '../../src/report/render-report.node.ts';
import { finalCommittee } from './render-fixtures.ts';
import { pdfText } from './render-tools.ts';

describe('the rendered report takes PAdES signatures', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kawei-report-signed-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('two members then the supervisor sign in turn: pdfsig finds each valid, the text unchanged', async () => {
    const fc = finalCommittee({ members: 3, bids: 4, items: 3, replacement: false });
    const report = await renderReport({ state: fc.state, material: fc.material, kind: 'final', dissents: [], renderedAt: Date.UTC(2026, 11, 7, 9) });
    const ca = await makeCa('Kawei Report Test CA', 'ec');
    const trustList = trustListFromCertificates([ca.der]);
    const fields = [judgeFieldName(1), judgeFieldName(2), SUPERVISOR_FIELD];
    let head = report;
    for (const [i, fieldName] of fields.entries()) {
      const leaf = await issueLeaf(ca, 'ec', `SIGNER-${i + 1}`);
      const signingTime = new Date(Date.UTC(2026, 11, 7, 9, 10 + i));
      const signed = await signPdf(head, softwareSigner({ privateKey: leaf.privateKey, certificate: leaf.der }), { fieldName, signerName: `K0${i + 1}`, signingTime, cms: { trustList, signingTime } });
      expect(checkSignatureIncrement(head, signed.pdf).ok).toBe(true);
      head = signed.pdf;
    }
    const out = await pdfsig(dir, head, 'signed.pdf');
    const blocks = pdfsigBlocks(out.output);
    expect(blocks, out.output).toHaveLength(3);
    blocks.forEach((block, i) => {
      expect(block).toContain(`Signature Field Name: ${fields[i]}`);
      expect(block).toContain('Signature Validation: Signature is Valid.');
    });
    expect(pdfText(head)).toBe(pdfText(report));
  });
});
