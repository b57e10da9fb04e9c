import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTool } from '../../../tests/support/require-tool.node.ts';
import { checkSignatureIncrement, readPdfSignatures, signPdf, verifyPdfSignatures } from '../../src/report/pdf-signature.node.ts';
import { Pkcs11Provider } from '../../src/signing/pkcs11-provider.node.ts';
import { loadTrustListFolder } from '../../src/signing/trust-list.node.ts';
import type { TestToken } from '../../../scripts/lib/softhsm-token.node.ts';
import { tokenForThisFile } from '../signing/signing-test-support.node.ts';
import { pdfsig, pdfsigBlocks, samplePdf } from './pades-test-support.node.ts';

/** The real path: the key never leaves the token (SoftHSM2 standing in for the expert's USB key). */
describe('PAdES with keys on a PKCS#11 token (SoftHSM2: RSA-2048 then ECDSA P-256)', () => {
  beforeAll(() => requireTool('softhsm2', 'poppler'));
  let token: TestToken & { cleanup(): void };
  let provider: Pkcs11Provider;

  beforeAll(async () => {
    token = await tokenForThisFile({ cas: 1, keyType: 'rsa' });
    await token.issue({ keyId: '02', issuer: token.cas[0]!, keyType: 'ec', codeName: 'EXPERT-EC02' });
    provider = new Pkcs11Provider({ modulePath: token.modulePath });
  }, 60_000);
  afterAll(async () => {
    await provider?.close();
    token?.cleanup();
  });

  it('two token signatures in turn: pdfsig and our verifier accept both', async () => {
    const trust = loadTrustListFolder(token.trustDir);
    const signingTime = new Date(Math.floor(Date.now() / 1000) * 1000);
    let pdf = await samplePdf();
    const heads = [pdf];
    for (const [n, keyId] of [[1, '01'], [2, '02']] as const) {
      const signer = await provider.open(token.slot, token.pin, { keyId });
      try {
        pdf = (await signPdf(pdf, signer, { fieldName: `kawei-judge-${n}`, signerName: `评委${n}`, signingTime, cms: { trustList: trust } })).pdf;
      } finally {
        await signer.close();
      }
      heads.push(pdf);
      expect(checkSignatureIncrement(heads[n - 1]!, pdf).ok).toBe(true);
    }
    const out = await pdfsig(token.dir, pdf, 'token-signed.pdf');
    const blocks = pdfsigBlocks(out.output);
    expect(blocks, out.output).toHaveLength(2);
    expect(blocks.every((b) => b.includes('Signature is Valid.'))).toBe(true);
    const checks = await verifyPdfSignatures(pdf, trust);
    expect(checks.map((c) => (c.result.ok ? c.result.algorithm : c.result.en))).toEqual(['RSA-SHA256', 'ECDSA-SHA256']);
    expect(readPdfSignatures(pdf).map((s) => s.signerName)).toEqual(['评委1', '评委2']);
  });
});
