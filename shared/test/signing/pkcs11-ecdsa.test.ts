import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTool } from '../../../tests/support/require-tool.node.ts';
import { createDetachedCms, verifyDetachedCms } from '../../src/signing/cms.ts';
import { Pkcs11Provider } from '../../src/signing/pkcs11-provider.node.ts';
import { loadTrustListFolder } from '../../src/signing/trust-list.node.ts';
import { opensslCmsPrint, opensslCmsVerify, tokenForThisFile } from './signing-test-support.node.ts';

describe('PKCS#11 ECDSA P-256 (SoftHSM2: hash first, r‖s → DER)', () => {
  beforeAll(() => requireTool('softhsm2', 'openssl'));
  let token: Awaited<ReturnType<typeof tokenForThisFile>>;
  let provider: Pkcs11Provider;

  beforeAll(async () => {
    token = await tokenForThisFile({ cas: 1, keyType: 'ec', codeName: 'EXPERT-E2C4' });
    provider = new Pkcs11Provider({ modulePath: token.modulePath });
  });
  afterAll(async () => {
    await provider?.close();
    token?.cleanup();
  });

  it('signs 20 times with an on-token P-256 key; openssl and our verifier accept every one, reject tampering', async () => {
    const trust = loadTrustListFolder(token.trustDir);
    const signer = await provider.open(token.slot, token.pin);
    expect(signer.algorithm).toBe('ECDSA-SHA256');
    const raw = await signer.sign(new TextEncoder().encode('x'));
    expect(raw.length).toBe(64); // r‖s as the token returns it
    // 20 signatures: r or s with a high bit or leading zero bytes come up, and the DER must be right each time
    for (let i = 0; i < 20; i++) {
      const data = new TextEncoder().encode(`{"bidder":"B0${i % 9}","tech":${40 + i}}`);
      const cms = await createDetachedCms(data, signer, { trustList: trust });
      const verdict = await opensslCmsVerify(token.dir, data, cms.der, join(token.trustDir, 'ca-1.pem'));
      expect(verdict.output).toContain('Verification successful');
      expect(await verifyDetachedCms(data, cms.der, trust)).toMatchObject({ ok: true, algorithm: 'ECDSA-SHA256' });
      if (i === 0) {
        expect(await opensslCmsPrint(token.dir, cms.der)).toContain('ecdsa-with-SHA256');
        const tampered = new TextEncoder().encode(`{"bidder":"B00","tech":41}`);
        expect((await opensslCmsVerify(token.dir, tampered, cms.der, join(token.trustDir, 'ca-1.pem'))).ok).toBe(false);
        expect(await verifyDetachedCms(tampered, cms.der, trust)).toMatchObject({ ok: false, code: 'CMS_DIGEST_MISMATCH' });
      }
    }
    await signer.close();
  });
});
