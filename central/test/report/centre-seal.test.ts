import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTool } from '../../../tests/support/require-tool.node.ts';
import { BilingualError } from '@kawei/shared/i18n/bilingual.ts';
import { createDetachedCms, verifyDetachedCms } from '@kawei/shared/signing/cms.ts';
import { parseCertificate } from '@kawei/shared/signing/trust-list.ts';
import * as x509 from '@kawei/shared/signing/x509.ts';
import { opensslCmsVerify } from '../../../shared/test/signing/signing-test-support.node.ts';
import { loadOrCreateCentreSeal, SEAL_CA_FILE, SEAL_CERT_FILE, SEAL_KEY_FILE } from '../../src/report/centre-seal.node.ts';

describe('the centre seal', () => {
  beforeAll(() => requireTool('openssl'));
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'kawei-seal-'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('is made once (files 0600 in a 0700 folder) and loaded the same afterwards', async () => {
    const dir = join(root, 'seal');
    const made = await loadOrCreateCentreSeal(dir, '某市公共资源交易中心');
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const file of [SEAL_KEY_FILE, SEAL_CERT_FILE, SEAL_CA_FILE]) expect(statSync(join(dir, file)).mode & 0o777).toBe(0o600);
    const again = await loadOrCreateCentreSeal(dir, 'another name is ignored once the seal exists');
    expect(again.certificatePem).toBe(made.certificatePem);
    expect(again.caPem).toBe(made.caPem);
    expect(Buffer.from(again.signer.certificate).equals(Buffer.from(made.signer.certificate))).toBe(true);
    expect(made.signer.algorithm).toBe('ECDSA-SHA256');

    const cert = parseCertificate(made.certificatePem);
    expect(cert.subject).toContain('某市公共资源交易中心 电子印章');
    const ku = cert.getExtension(x509.KeyUsagesExtension)!;
    expect(ku.usages).toBe(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation);
    expect(cert.getExtension(x509.BasicConstraintsExtension)?.ca).toBe(false);
    const ca = parseCertificate(made.caPem);
    expect(ca.getExtension(x509.BasicConstraintsExtension)?.ca).toBe(true);
    expect(cert.issuer).toBe(ca.subject);
  });

  it('seals bytes with a CMS that openssl verifies against seal-ca.pem and our verifier accepts', async () => {
    const dir = join(root, 'seal-cms');
    const seal = await loadOrCreateCentreSeal(dir, 'Test Centre');
    const data = new TextEncoder().encode('%PDF-1.7 揭标附件 unblinding annex bytes\n');
    const cms = await createDetachedCms(data, seal.signer, { trustList: seal.trustList });
    const verdict = await opensslCmsVerify(root, data, cms.der, join(dir, SEAL_CA_FILE));
    expect(verdict.ok, verdict.output).toBe(true);
    const ours = await verifyDetachedCms(data, cms.der, seal.trustList);
    expect(ours.ok).toBe(true);
    const tampered = data.slice();
    tampered[0] = tampered[0]! ^ 1;
    expect((await opensslCmsVerify(root, tampered, cms.der, join(dir, SEAL_CA_FILE))).ok).toBe(false);
    expect((await verifyDetachedCms(tampered, cms.der, seal.trustList)).ok).toBe(false);
  });

  it('refuses a folder with a key that does not match its certificate, or certificates without a key', async () => {
    const a = join(root, 'seal-a');
    const b = join(root, 'seal-b');
    await loadOrCreateCentreSeal(a, 'A');
    const sealB = await loadOrCreateCentreSeal(b, 'B');
    writeFileSync(join(a, SEAL_CERT_FILE), sealB.certificatePem);
    const mismatch = await loadOrCreateCentreSeal(a, 'A').then(() => null, (e: unknown) => e);
    expect(mismatch).toBeInstanceOf(BilingualError);
    expect((mismatch as BilingualError).key).toBe('pades.sealMismatch');

    const c = join(root, 'seal-c');
    await loadOrCreateCentreSeal(c, 'C');
    rmSync(join(c, SEAL_KEY_FILE));
    const incomplete = await loadOrCreateCentreSeal(c, 'C').then(() => null, (e: unknown) => e);
    expect((incomplete as BilingualError).key).toBe('pades.sealIncomplete');
    expect((incomplete as BilingualError).zh).toContain(SEAL_KEY_FILE);
  });

  it('refuses an empty centre name', async () => {
    const error = await loadOrCreateCentreSeal(join(root, 'x'), '  ').then(() => null, (e: unknown) => e);
    expect((error as BilingualError).key).toBe('pades.sealBadName');
  });

  it('two loads racing on a fresh folder agree on one seal', async () => {
    const dir = join(root, 'seal-race');
    const [one, two] = await Promise.all([loadOrCreateCentreSeal(dir, 'R'), loadOrCreateCentreSeal(dir, 'R')]);
    expect(one.certificatePem).toBe(two.certificatePem);
  });
});
