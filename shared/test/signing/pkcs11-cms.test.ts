import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTool } from '../../../tests/support/require-tool.node.ts';
import { signCanonicalJson, verifySignedDocument } from '../../src/signing/canonical-signing.ts';
import { createDetachedCms, verifyDetachedCms } from '../../src/signing/cms.ts';
import { Pkcs11Provider } from '../../src/signing/pkcs11-provider.node.ts';
import type { Signer } from '../../src/signing/signer.ts';
import { isSigningError } from '../../src/signing/signing-errors.ts';
import { loadTrustListFolder } from '../../src/signing/trust-list.node.ts';
import { parseCertificate, type TrustList } from '../../src/signing/trust-list.ts';
import * as x509 from '../../src/signing/x509.ts';
import type { TestToken } from '../../../scripts/lib/softhsm-token.node.ts';
import { opensslCmsPrint, opensslCmsVerify, tokenForThisFile, writeBundle } from './signing-test-support.node.ts';

/** Counts what reaches the token, to prove a refusal happens before signing. */
function counting(signer: Signer): Signer & { calls: number } {
  const wrapped = {
    calls: 0,
    id: signer.id,
    certificate: signer.certificate,
    chain: signer.chain,
    algorithm: signer.algorithm,
    sign: (data: Uint8Array) => {
      wrapped.calls++;
      return signer.sign(data);
    },
    close: () => signer.close(),
  };
  return wrapped;
}

const expectCode = async (promise: Promise<unknown>, code: string) => {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(isSigningError(error) ? error.code : error).toBe(code);
  return error;
};

describe('PKCS#11 (SoftHSM2, RSA-2048) → detached CMS checked by openssl', () => {
  beforeAll(() => requireTool('softhsm2', 'openssl'));
  let token: TestToken & { cleanup(): void };
  let provider: Pkcs11Provider;
  let trust: TrustList;
  let signer: Signer;
  let caBundle: string;
  const data = new TextEncoder().encode('评标承诺书：本人承诺独立、客观、公正地评审。\n');

  beforeAll(async () => {
    token = await tokenForThisFile({ cas: 2, keyType: 'rsa' });
    provider = new Pkcs11Provider({ modulePath: token.modulePath });
    trust = loadTrustListFolder(token.trustDir);
    caBundle = writeBundle(token.dir, 'all-cas.pem', token.cas.map((c) => c.pem));
    signer = await provider.open(token.slot, token.pin);
  });
  afterAll(async () => {
    await provider?.close();
    token?.cleanup();
  });

  it('lists the token by label and serial', async () => {
    const tokens = await provider.listTokens();
    const ours = tokens.find((t) => t.slot === token.slot);
    expect(ours).toMatchObject({ label: token.label, serial: token.serial, loginRequired: true, pinLocked: false });
  });

  it('opens the key pair by CKA_ID with the certificate from the token', () => {
    expect(signer.algorithm).toBe('RSA-SHA256');
    expect(signer.id).toBe(`pkcs11:${token.serial}:01`);
    expect(Buffer.from(signer.certificate).equals(Buffer.from(token.certificate.der))).toBe(true);
    expect(parseCertificate(signer.certificate).subject).toContain('CN=EXPERT-K7Q2');
  });

  it('signs a detached CMS that openssl cms -verify accepts with the CA, and our verifier agrees', async () => {
    const cms = await createDetachedCms(data, signer, { trustList: trust });
    const verdict = await opensslCmsVerify(token.dir, data, cms.der, join(token.trustDir, 'ca-1.pem'));
    expect(verdict.output).toContain('Verification successful');
    expect(verdict.ok).toBe(true);

    const ours = await verifyDetachedCms(data, cms.der, trust);
    expect(ours).toMatchObject({ ok: true, algorithm: 'RSA-SHA256' });
    if (ours.ok) {
      expect(ours.subject).toContain('CN=EXPERT-K7Q2');
      expect(ours.signingTime?.getTime()).toBe(cms.signingTime.getTime());
    }
  });

  it('carries contentType, messageDigest, signingTime and signingCertificateV2, and the chain', async () => {
    const cms = await createDetachedCms(data, signer, { trustList: trust });
    const printed = await opensslCmsPrint(token.dir, cms.der);
    for (const attr of ['contentType', 'messageDigest', 'signingTime', 'id-smime-aa-signingCertificateV2']) expect(printed).toContain(attr);
    expect(printed).toContain('eContent: <ABSENT>');
    expect(printed).toContain('Kawei Test CA 1'); // the CA certificate is included
  });

  it('tampered data fails in openssl and in our verifier', async () => {
    const cms = await createDetachedCms(data, signer, { trustList: trust });
    const tampered = data.slice();
    tampered[tampered.length - 2]! ^= 0x01;
    const verdict = await opensslCmsVerify(token.dir, tampered, cms.der, join(token.trustDir, 'ca-1.pem'));
    expect(verdict.ok).toBe(false);
    expect(verdict.output).toMatch(/digest failure|verification failure/i);
    expect(await verifyDetachedCms(tampered, cms.der, trust)).toMatchObject({ ok: false, code: 'CMS_DIGEST_MISMATCH' });
  });

  it('a flipped signature byte fails in openssl and in our verifier', async () => {
    const cms = await createDetachedCms(data, signer, { trustList: trust });
    const broken = cms.der.slice();
    broken[broken.length - 10]! ^= 0x01; // inside the RSA signature, the last field of the SignerInfo
    expect((await opensslCmsVerify(token.dir, data, broken, join(token.trustDir, 'ca-1.pem'))).ok).toBe(false);
    expect(await verifyDetachedCms(data, broken, trust)).toMatchObject({ ok: false, code: 'CMS_SIGNATURE_INVALID' });
  });

  it('signs the canonical JSON of a score sheet; the content file verifies in openssl, reordered keys verify too', async () => {
    const sheet = { project: 'KW-2026-0142', expert: 'EXPERT-K7Q2', scores: [{ bidder: 'B01', tech: 52, note: '方案合理' }] };
    const doc = await signCanonicalJson('score-sheet', sheet, signer, { trustList: trust });
    expect(doc.content).toBe('{"expert":"EXPERT-K7Q2","project":"KW-2026-0142","scores":[{"bidder":"B01","note":"方案合理","tech":52}]}');
    const verdict = await opensslCmsVerify(token.dir, new TextEncoder().encode(doc.content), Buffer.from(doc.cms, 'base64'), join(token.trustDir, 'ca-1.pem'));
    expect(verdict.ok).toBe(true);
    const reordered = { scores: [{ note: '方案合理', tech: 52, bidder: 'B01' }], expert: 'EXPERT-K7Q2', project: 'KW-2026-0142' };
    expect(await verifySignedDocument(doc, trust, { expected: reordered })).toMatchObject({ ok: true });
    const changed = { ...reordered, scores: [{ note: '方案合理', tech: 53, bidder: 'B01' }] };
    expect(await verifySignedDocument(doc, trust, { expected: changed })).toMatchObject({ ok: false, code: 'CMS_DIGEST_MISMATCH' });
  });

  it('accepts certificates from both CAs of the trust list (openssl with both CAs, and ours)', async () => {
    const second = await token.issue({ keyId: '02', issuer: token.cas[1]!, codeName: 'EXPERT-M3X9' });
    const other = await provider.open(token.slot, token.pin, { keyId: second.keyId });
    try {
      for (const s of [signer, other]) {
        const cms = await createDetachedCms(data, s, { trustList: trust });
        expect((await opensslCmsVerify(token.dir, data, cms.der, caBundle)).ok).toBe(true);
        expect(await verifyDetachedCms(data, cms.der, trust)).toMatchObject({ ok: true });
      }
      // and CA 2 alone does not vouch for CA 1's expert
      const cms1 = await createDetachedCms(data, signer, { trustList: trust });
      expect((await opensslCmsVerify(token.dir, data, cms1.der, join(token.trustDir, 'ca-2.pem'))).ok).toBe(false);
    } finally {
      await other.close();
    }
  });

  it('with several signing certificates on the token and none chosen: KEY_AMBIGUOUS', async () => {
    await expectCode(provider.open(token.slot, token.pin), 'KEY_AMBIGUOUS');
  });

  it('refuses a certificate from an unknown CA before the token signs', async () => {
    const stranger = await token.createCa('Unknown Test CA');
    await token.issue({ keyId: '03', issuer: stranger, codeName: 'EXPERT-Z0Z0' });
    const s = counting(await provider.open(token.slot, token.pin, { keyId: '03' }));
    try {
      const error = await expectCode(createDetachedCms(data, s, { trustList: trust }), 'CERT_UNTRUSTED');
      expect((error as { zh: string }).zh).toContain('受信任');
      expect(s.calls).toBe(0);
      // a CMS made with that key anyway (trust list including the stranger) is refused by a verifier without it
      const cms = await createDetachedCms(data, s, { trustList: { anchors: [...trust.anchors, stranger.certificate] } });
      expect(await verifyDetachedCms(data, cms.der, trust)).toMatchObject({ ok: false, code: 'CERT_UNTRUSTED' });
      expect((await opensslCmsVerify(token.dir, data, cms.der, caBundle)).ok).toBe(false);
    } finally {
      await s.close();
    }
  });

  it('refuses an expired certificate and one not valid for signatures, before signing', async () => {
    const now = Date.now();
    await token.issue({ keyId: '04', issuer: token.cas[0]!, notBefore: new Date(now - 400 * 86_400_000), notAfter: new Date(now - 86_400_000) });
    await token.issue({ keyId: '05', issuer: token.cas[0]!, keyUsage: x509.KeyUsageFlags.keyEncipherment });
    await token.issue({ keyId: '06', issuer: token.cas[0]!, notBefore: new Date(now + 86_400_000) });
    for (const [keyId, code] of [
      ['04', 'CERT_EXPIRED'],
      ['05', 'CERT_KEY_USAGE'],
      ['06', 'CERT_NOT_YET_VALID'],
    ] as const) {
      const s = counting(await provider.open(token.slot, token.pin, { keyId }));
      await expectCode(createDetachedCms(data, s, { trustList: trust }), code);
      expect(s.calls).toBe(0);
      await s.close();
    }
  });

  it('wrong PIN: PIN_INCORRECT (bilingual); a malformed PIN: PIN_FORMAT; unknown slot: TOKEN_NOT_FOUND', async () => {
    const error = await expectCode(provider.open(token.slot, '000000', { keyId: '01' }), 'PIN_INCORRECT');
    expect((error as { zh: string }).zh).toBe('PIN 码错误，请重新输入');
    expect((error as Error).message).toBe('wrong PIN; enter it again');
    await expectCode(provider.open(token.slot, '12'), 'PIN_FORMAT');
    await expectCode(provider.open('999999', token.pin), 'TOKEN_NOT_FOUND');
  });

  it('CKR_USER_ALREADY_LOGGED_IN is success, yet a second open still checks the PIN', async () => {
    // `signer` keeps the token logged in; a second open gets CKR_USER_ALREADY_LOGGED_IN from C_Login
    await expectCode(provider.open(token.slot, '999999', { keyId: '01' }), 'PIN_INCORRECT');
    const again = await provider.open(token.slot, token.pin, { keyId: '01' });
    const cms = await createDetachedCms(data, again, { trustList: trust });
    expect((await opensslCmsVerify(token.dir, data, cms.der, caBundle)).output).toContain('Verification successful');
    await again.close();
    // the first signer still works after the other's open and close
    expect((await verifyDetachedCms(data, (await createDetachedCms(data, signer, { trustList: trust })).der, trust)).ok).toBe(true);
  });

  it('a closed signer refuses to sign', async () => {
    const s = await provider.open(token.slot, token.pin, { keyId: '01' });
    await s.close();
    await expectCode(s.sign(data), 'SIGNER_CLOSED');
  });
});
