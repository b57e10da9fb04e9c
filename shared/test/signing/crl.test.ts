/**
 * Revocation by CRL, against OpenSSL 3: the CAs, certificates, revocations and CRLs are OpenSSL's
 * (`openssl ca -revoke`, `openssl ca -gencrl`), and every good / revoked verdict of ours is checked
 * with `openssl verify -crl_check` (`-crl_check_all` for the intermediate) in the same test; CMS with
 * `openssl cms -verify -crl_check`.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTool } from '../../../tests/support/require-tool.node.ts';
import { createDetachedCms, verifyDetachedCms } from '../../src/signing/cms.ts';
import { normalizeSerial, parseCrl } from '../../src/signing/crl.ts';
import type { Signer } from '../../src/signing/signer.ts';
import { isSigningError, SigningError } from '../../src/signing/signing-errors.ts';
import { createSoftSm2Signer } from '../../src/signing/soft-sm2-signer.node.ts';
import { loadTrustListFolder } from '../../src/signing/trust-list.node.ts';
import { checkSigningCertificate, checkTrustListCrls, trustListFromCertificates, type TrustList } from '../../src/signing/trust-list.ts';
import { asn1Time, caFromParty, makeRootCa, must, softSigner, type Crl, type OpensslCa, type Party } from './crl-openssl.node.ts';
import { DISTID, makeSm2Pki, openssl, opensslSm2Verify, type Sm2Pki } from './sm2-openssl.node.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

async function errorOf(promise: Promise<unknown>): Promise<SigningError> {
  const error = await promise.then(
    () => new Error('resolved'),
    (e: unknown) => e,
  );
  if (!isSigningError(error)) throw new Error(`expected a SigningError, got ${String(error)}`);
  return error;
}

/** `openssl verify` with the given options; `ok` is the exit status, `output` what it said. */
async function opensslVerify(args: string[], cwd: string): Promise<{ ok: boolean; output: string }> {
  const result = await openssl(['verify', ...args], cwd);
  return { ok: result.ok, output: result.output };
}

/** `openssl cms -verify -crl_check` with a CAfile holding the CA and its CRL (OpenSSL loads both from it). */
async function opensslCmsVerifyWithCrl(dir: string, data: Uint8Array, cms: Uint8Array, caAndCrl: string[]): Promise<{ ok: boolean; output: string }> {
  const stamp = `${Date.now()}-${Math.random().toString(16).slice(2)}`;
  writeFileSync(join(dir, `data-${stamp}`), data);
  writeFileSync(join(dir, `cms-${stamp}.der`), cms);
  writeFileSync(join(dir, `ca-${stamp}.pem`), caAndCrl.join('\n'));
  const result = await openssl(
    ['cms', '-verify', '-crl_check', '-binary', '-content', `data-${stamp}`, '-inform', 'DER', '-in', `cms-${stamp}.der`, '-CAfile', `ca-${stamp}.pem`, '-out', '/dev/null'],
    dir,
  );
  return { ok: result.ok, output: result.output };
}

describe('certificate revocation by CRL, checked against OpenSSL 3', () => {
  beforeAll(() => requireTool('openssl'));
  const dir = mkdtempSync(join(tmpdir(), 'kawei-crl-'));
  const data = new TextEncoder().encode('{"bidder":"B01","expert":"EXPERT-D1G7","tech":41}');
  let root: OpensslCa;
  let inter: OpensslCa;
  let interParty: Party;
  /** Issued by root: d1 stays good, d2 is revoked (keyCompromise). i1 is issued by the intermediate. */
  let d1: Party;
  let d2: Party;
  let i1: Party;
  /** Root CRL 1 revokes d2; root CRL 2 also revokes the intermediate (cACompromise); the intermediate's CRL is empty. */
  let rootCrl1: Crl;
  let rootCrl2: Crl;
  let interCrl: Crl;
  let revokedBetween: [number, number];
  let folders = 0;

  /** A trust folder with these files. */
  const folder = (files: Record<string, string | Uint8Array>): string => {
    const path = join(dir, `trust-${++folders}`);
    mkdirSync(path, { recursive: true });
    for (const [name, content] of Object.entries(files)) writeFileSync(join(path, name), content);
    return path;
  };

  beforeAll(async () => {
    const issuedFrom = asn1Time(new Date(Date.now() - 2 * DAY));
    root = await makeRootCa(join(dir, 'root'), 'Kawei CRL Test Root');
    d1 = await root.issue('d1', 'EXPERT-D1G7', { startDate: issuedFrom });
    d2 = await root.issue('d2', 'EXPERT-D2R9', { startDate: issuedFrom });
    interParty = await root.issue('inter', 'Kawei CRL Issuing CA', { ca: true, startDate: issuedFrom });
    inter = caFromParty(join(dir, 'inter'), interParty);
    i1 = await inter.issue('i1', 'EXPERT-I1K4', { startDate: issuedFrom });
    const before = Math.floor(Date.now() / 1000) * 1000;
    await root.revoke(d2.certFile, 'keyCompromise');
    revokedBetween = [before, Date.now()];
    rootCrl1 = await root.gencrl('root-1');
    interCrl = await inter.gencrl('inter-1');
    await root.revoke(interParty.certFile, 'cACompromise');
    rootCrl2 = await root.gencrl('root-2');
  }, 60_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a revoked leaf is refused CERT_REVOKED with its date and reason; an unrevoked one passes with revocation good (openssl verify -crl_check agrees)', async () => {
    const trust = loadTrustListFolder(folder({ 'root.pem': root.certPem, 'root.crl': rootCrl1.der }));
    expect(trust.problems).toEqual([]);
    expect(trust.crls).toHaveLength(1);

    const good = await checkSigningCertificate(d1.certDer, [], trust);
    expect(good).toMatchObject({ revocation: 'good', crlStale: false });
    expect(good.revocationChecks).toEqual([
      expect.objectContaining({ status: 'good', stale: false, serial: normalizeSerial(d1.serial), crl: expect.objectContaining({ crlNumber: '1' }) }),
    ]);
    const ours = await opensslVerify(['-crl_check', '-CAfile', root.certFile, '-CRLfile', rootCrl1.file, d1.certFile], dir);
    expect(ours.output).toContain(': OK');
    expect(ours.ok).toBe(true);

    const error = await errorOf(checkSigningCertificate(d2.certDer, [], trust));
    expect(error.code).toBe('CERT_REVOKED');
    expect(error.zh).toMatch(/^证书已吊销（/);
    expect(error.en).toMatch(/^the certificate has been revoked \(the certificate \(serial [0-9a-f]+\) revoked .*reason keyCompromise \(1\)/);
    expect(error.details).toMatchObject({ leaf: true, serial: normalizeSerial(d2.serial), reasonCode: 1, reason: 'keyCompromise', crlStale: false });
    const revokedAt = Date.parse(String(error.details?.revokedAt));
    expect(revokedAt).toBeGreaterThanOrEqual(revokedBetween[0]);
    expect(revokedAt).toBeLessThanOrEqual(revokedBetween[1]);
    const theirs = await opensslVerify(['-crl_check', '-CAfile', root.certFile, '-CRLfile', rootCrl1.file, d2.certFile], dir);
    expect(theirs.ok).toBe(false);
    expect(theirs.output).toContain('certificate revoked');

    // the report a booth logs after loading: this CRL is used for the root
    expect(await checkTrustListCrls(trust)).toMatchObject({
      accepted: [{ source: expect.stringMatching(/root\.crl$/), crlNumber: '1', revoked: 1, stale: false }],
      problems: [],
      withoutCrl: [],
    });
  });

  it('createDetachedCms refuses a revoked signer before it signs; verifyDetachedCms refuses its CMS; openssl cms -verify -crl_check agrees both ways', async () => {
    const trust = loadTrustListFolder(folder({ 'root.pem': root.certPem, 'root-crl.pem': rootCrl1.pem }));
    const noCrl = trustListFromCertificates([root.certPem]);
    const good = await softSigner(d1, [], 'ec');
    const revoked = await softSigner(d2, [], 'ec');

    const cms = await createDetachedCms(data, good, { trustList: trust });
    expect(cms.certificate).toMatchObject({ revocation: 'good', crlStale: false });
    expect(await verifyDetachedCms(data, cms.der, trust)).toMatchObject({ ok: true, revocation: 'good', crlStale: false });
    expect((await opensslCmsVerifyWithCrl(dir, data, cms.der, [root.certPem, rootCrl1.pem])).ok).toBe(true);

    const refused = await errorOf(createDetachedCms(data, revoked, { trustList: trust }));
    expect(refused.code).toBe('CERT_REVOKED');
    expect(revoked.calls).toBe(0);

    // made where the CRL was not yet known, checked where it is
    const unaware = await createDetachedCms(data, revoked, { trustList: noCrl });
    expect(revoked.calls).toBe(1);
    expect(await verifyDetachedCms(data, unaware.der, trust)).toMatchObject({
      ok: false,
      code: 'CERT_REVOKED',
      zh: expect.stringContaining('证书已吊销'),
      details: { reasonCode: 1, reason: 'keyCompromise', serial: normalizeSerial(d2.serial) },
    });
    const theirs = await opensslCmsVerifyWithCrl(dir, data, unaware.der, [root.certPem, rootCrl1.pem]);
    expect(theirs.ok).toBe(false);
    expect(theirs.output).toContain('certificate revoked');
    // without the CRL, both accept it
    expect(await verifyDetachedCms(data, unaware.der, noCrl)).toMatchObject({ ok: true, revocation: 'unknown' });
  });

  it('the time rule: a signature made before the revocation date verifies (revokedAt reported), one made after it is refused', async () => {
    const trust = trustListFromCertificates([root.certPem], { crls: [rootCrl1.der] });
    const noCrl = trustListFromCertificates([root.certPem]);
    const signer = await softSigner(d2, [], 'ec');
    const revokedAt = revokedBetween[0];

    const before = await createDetachedCms(data, signer, { trustList: noCrl, signingTime: new Date(revokedAt - DAY) });
    expect(signer.calls).toBe(1);
    const earlier = await verifyDetachedCms(data, before.der, trust);
    expect(earlier).toMatchObject({ ok: true, revocation: 'good', signingTime: before.signingTime });
    const [check] = earlier.ok ? (earlier.revocationChecks ?? []) : [];
    expect(check).toMatchObject({ status: 'good', reasonCode: 1, reason: 'keyCompromise' });
    expect(check!.revokedAt!.getTime()).toBeGreaterThan(before.signingTime.getTime());
    // the same CMS judged at another moment (`at`) is refused
    expect(await verifyDetachedCms(data, before.der, trust, { at: new Date() })).toMatchObject({ ok: false, code: 'CERT_REVOKED' });

    const after = await createDetachedCms(data, signer, { trustList: noCrl, signingTime: new Date(Date.now() + HOUR) });
    expect(await verifyDetachedCms(data, after.der, trust)).toMatchObject({ ok: false, code: 'CERT_REVOKED', signingTime: after.signingTime });

    // A CRL already valid at the signing time gives the same verdicts.
    const wide = await root.gencrl('wide', { lastUpdate: asn1Time(new Date(revokedAt - 2 * DAY)), nextUpdate: asn1Time(new Date(Date.now() + DAY)) });
    const wideTrust = trustListFromCertificates([root.certPem], { crls: [wide.pem] });
    expect(await verifyDetachedCms(data, before.der, wideTrust)).toMatchObject({ ok: true, revocation: 'good', crlStale: false });
    expect(await verifyDetachedCms(data, after.der, wideTrust)).toMatchObject({ ok: false, code: 'CERT_REVOKED' });
    // OpenSSL has no such rule: at -attime = the earlier signing time, with that CRL valid then, it still
    // says revoked (a listed serial is revoked whatever its revocationDate). Recorded, not copied.
    const theirs = await opensslVerify(
      ['-crl_check', '-attime', String(before.signingTime.getTime() / 1000), '-CAfile', root.certFile, '-CRLfile', wide.file, d2.certFile],
      dir,
    );
    expect(theirs.ok).toBe(false);
    expect(theirs.output).toContain('certificate revoked');
    expect(theirs.output).not.toContain('not yet valid');
  });

  it('an intermediate CA revoked by the root CRL is refused for its experts (openssl verify -crl_check_all agrees; -crl_check alone does not look)', async () => {
    const revokedFolder = folder({ 'root.pem': root.certPem, 'root-1.crl': rootCrl1.der, 'root-2.crl': rootCrl2.der, 'inter.crl': interCrl.der });
    const trust = loadTrustListFolder(revokedFolder);
    expect(trust.problems).toEqual([]);
    const report = await checkTrustListCrls(trust);
    // the newest root CRL is used; the intermediate's CRL waits for the intermediate to arrive on a path
    expect(report.accepted).toEqual([expect.objectContaining({ source: expect.stringMatching(/root-2\.crl$/), crlNumber: '2', revoked: 2 })]);
    expect(report.problems).toEqual(
      expect.arrayContaining([
        { source: expect.stringMatching(/root-1\.crl$/), reason: expect.stringContaining('superseded by') },
        { source: expect.stringMatching(/inter\.crl$/), reason: expect.stringContaining('not a CA of the trust list') },
      ]),
    );

    const error = await errorOf(checkSigningCertificate(i1.certDer, [interParty.certDer], trust));
    expect(error.code).toBe('CERT_REVOKED');
    expect(error.details).toMatchObject({ leaf: false, subject: expect.stringContaining('Kawei CRL Issuing CA'), reasonCode: 2, reason: 'cACompromise' });
    const all = await opensslVerify(['-crl_check_all', '-CAfile', root.certFile, '-untrusted', interParty.certFile, '-CRLfile', rootCrl2.file, '-CRLfile', interCrl.file, i1.certFile], dir);
    expect(all.ok).toBe(false);
    expect(all.output).toContain('certificate revoked');
    expect(all.output).toMatch(/error 23 at 1 depth/);
    const leafOnly = await opensslVerify(['-crl_check', '-CAfile', root.certFile, '-untrusted', interParty.certFile, '-CRLfile', interCrl.file, i1.certFile], dir);
    expect(leafOnly.ok).toBe(true);

    const signer = await softSigner(i1, [interParty], 'ec');
    expect((await errorOf(createDetachedCms(data, signer, { trustList: trust }))).code).toBe('CERT_REVOKED');
    expect(signer.calls).toBe(0);

    // before the root revoked it: both links checked, both good
    const earlier = loadTrustListFolder(folder({ 'root.pem': root.certPem, 'root-1.crl': rootCrl1.der, 'inter.crl': interCrl.der }));
    const good = await checkSigningCertificate(i1.certDer, [interParty.certDer], earlier);
    expect(good.revocation).toBe('good');
    expect(good.revocationChecks.map((c) => [c.subject.match(/CN=([^,]+)/)?.[1], c.status])).toEqual([
      ['EXPERT-I1K4', 'good'],
      ['Kawei CRL Issuing CA', 'good'],
    ]);
    const ok = await opensslVerify(['-crl_check_all', '-CAfile', root.certFile, '-untrusted', interParty.certFile, '-CRLfile', rootCrl1.file, '-CRLfile', interCrl.file, i1.certFile], dir);
    expect(ok.output).toContain(': OK');
    // without the intermediate's CRL the leaf's revocation is unknown (openssl -crl_check_all: no CRL)
    const partial = await checkSigningCertificate(i1.certDer, [interParty.certDer], trustListFromCertificates([root.certPem], { crls: [rootCrl1.der] }));
    expect(partial.revocation).toBe('unknown');
    expect((await opensslVerify(['-crl_check_all', '-CAfile', root.certFile, '-untrusted', interParty.certFile, '-CRLfile', rootCrl1.file, i1.certFile], dir)).output).toContain(
      'unable to get certificate CRL',
    );
  });

  it('a CRL signed by another CA is ignored with a problem: a stranger CA, and a forger with the root name (even a newer one)', async () => {
    const stranger = await makeRootCa(join(dir, 'stranger'), 'Unknown CRL CA');
    await stranger.revoke(d1.certFile);
    const strangerCrl = await stranger.gencrl('stranger');
    // same subject DN as the root, its own key; revokes d1; CRL number 5, newer than the root's
    const forger = await makeRootCa(join(dir, 'forger'), 'Kawei CRL Test Root');
    writeFileSync(join(forger.dir, 'crlnumber'), '05\n');
    await forger.revoke(d1.certFile);
    const forged = await forger.gencrl('forged');
    expect(parseCrl(forged.der, 'forged').issuerName).toEqual(parseCrl(rootCrl1.der, 'root').issuerName);

    const trust = loadTrustListFolder(folder({ 'root.pem': root.certPem, 'a-root.crl': rootCrl1.der, 'b-stranger.crl': strangerCrl.der, 'c-forged.crl': forged.der }));
    const report = await checkTrustListCrls(trust);
    expect(report.accepted).toEqual([expect.objectContaining({ source: expect.stringMatching(/a-root\.crl$/) })]);
    expect(report.problems).toEqual([
      { source: expect.stringMatching(/b-stranger\.crl$/), reason: expect.stringMatching(/Unknown CRL CA, O=Kawei CRL Test is not a CA of the trust list/) },
      { source: expect.stringMatching(/c-forged\.crl$/), reason: expect.stringContaining('signature does not verify with the key of') },
    ]);
    const good = await checkSigningCertificate(d1.certDer, [], trust);
    expect(good).toMatchObject({ revocation: 'good' });
    expect(good.revocationChecks[0]!.crl!.source).toMatch(/a-root\.crl$/);
    // only the forged CRL: nothing verified, so unknown — not revoked, and not good either
    const onlyForged = loadTrustListFolder(folder({ 'root.pem': root.certPem, 'forged.crl': forged.der }));
    expect(await checkSigningCertificate(d1.certDer, [], onlyForged)).toMatchObject({ revocation: 'unknown' });

    const theirs = await opensslVerify(['-crl_check', '-CAfile', root.certFile, '-CRLfile', forged.file, d1.certFile], dir);
    expect(theirs.ok).toBe(false);
    expect(theirs.output).toContain('CRL signature failure');
    expect((await opensslVerify(['-crl_check', '-CAfile', root.certFile, '-CRLfile', rootCrl1.file, d1.certFile], dir)).ok).toBe(true);
  });

  it('a tampered CRL (a byte of the revoked serial, or of the signature, flipped) is ignored with a problem; openssl says CRL signature failure', async () => {
    // the entry: INTEGER serial followed by the revocationDate UTCTime
    const hex = Buffer.from(d2.serial.length % 2 ? `0${d2.serial}` : d2.serial, 'hex');
    const serial = hex[0]! >= 0x80 ? Buffer.concat([Buffer.from([0]), hex]) : hex; // DER: a leading 00 before a high bit
    const der = Buffer.from(rootCrl1.der);
    const entry = der.indexOf(Buffer.concat([Buffer.from([0x02, serial.length]), serial, Buffer.from([0x17, 0x0d])]));
    expect(entry).toBeGreaterThan(0);
    const flip = (at: number): Buffer => {
      const copy = Buffer.from(der);
      copy[at] = copy[at]! ^ 0x01;
      return copy;
    };
    const unrevoked = flip(entry + 1 + serial.length); // the serial's last byte
    const badSignature = flip(der.length - 1);

    for (const tampered of [unrevoked, badSignature]) {
      const trust = loadTrustListFolder(folder({ 'root.pem': root.certPem, 'root.crl': tampered }));
      expect(trust.problems).toEqual([]);
      expect((await checkTrustListCrls(trust)).problems).toEqual([{ source: expect.stringMatching(/root\.crl$/), reason: expect.stringContaining('does not verify') }]);
      // d2 is not revoked by it — and not "good" either
      expect(await checkSigningCertificate(d2.certDer, [], trust)).toMatchObject({ revocation: 'unknown' });
      expect((await errorOf(checkSigningCertificate(d2.certDer, [], trust, new Date(), { requireFreshCrl: true }))).code).toBe('CRL_UNAVAILABLE');

      // openssl crl converts without checking; openssl verify refuses the signature
      writeFileSync(join(dir, 'tampered.crl'), tampered);
      await must(['crl', '-inform', 'DER', '-in', 'tampered.crl', '-out', 'tampered.crl.pem'], dir);
      const theirs = await opensslVerify(['-crl_check', '-CAfile', root.certFile, '-CRLfile', 'tampered.crl.pem', d2.certFile], dir);
      expect(theirs.ok).toBe(false);
      expect(theirs.output).toContain('CRL signature failure');
    }
  });

  it('a stale CRL (nextUpdate past) still revokes and flags crlStale; an unrevoked certificate passes flagged stale (openssl: CRL has expired)', async () => {
    const stale = await root.gencrl('stale', { lastUpdate: asn1Time(new Date(Date.now() - 3 * DAY)), nextUpdate: asn1Time(new Date(Date.now() - 2 * DAY)) });
    const trust = loadTrustListFolder(folder({ 'root.pem': root.certPem, 'stale.crl': stale.der }));
    expect((await checkTrustListCrls(trust)).accepted).toEqual([expect.objectContaining({ stale: true })]);

    const error = await errorOf(checkSigningCertificate(d2.certDer, [], trust));
    expect(error.code).toBe('CERT_REVOKED');
    expect(error.details).toMatchObject({ crlStale: true, reasonCode: 1 });
    const good = await checkSigningCertificate(d1.certDer, [], trust);
    expect(good).toMatchObject({ revocation: 'good', crlStale: true });
    expect(good.revocationChecks[0]).toMatchObject({ status: 'good', stale: true });

    const revoked = await opensslVerify(['-crl_check', '-CAfile', root.certFile, '-CRLfile', stale.file, d2.certFile], dir);
    expect(revoked.output).toContain('CRL has expired');
    expect(revoked.output).toContain('certificate revoked');
    const expired = await opensslVerify(['-crl_check', '-CAfile', root.certFile, '-CRLfile', stale.file, d1.certFile], dir);
    expect(expired.ok).toBe(false);
    expect(expired.output).toContain('CRL has expired');
    expect(expired.output).not.toContain('certificate revoked');

    // requireFreshCrl: stale is refused for the unrevoked one; the revoked one is still CERT_REVOKED
    expect((await errorOf(checkSigningCertificate(d1.certDer, [], trust, new Date(), { requireFreshCrl: true }))).code).toBe('CRL_UNAVAILABLE');
    expect((await errorOf(checkSigningCertificate(d2.certDer, [], trust, new Date(), { requireFreshCrl: true }))).code).toBe('CERT_REVOKED');
  });

  it('requireFreshCrl refuses an unknown revocation (no CRL) with CRL_UNAVAILABLE, and passes with a fresh CRL; the default allows unknown', async () => {
    const bare = loadTrustListFolder(folder({ 'root.pem': root.certPem }));
    const fresh = loadTrustListFolder(folder({ 'root.pem': root.certPem, 'root.crl': rootCrl1.der }));
    expect(await checkSigningCertificate(d1.certDer, [], bare)).toMatchObject({ revocation: 'unknown', crlStale: false, revocationChecks: [{ status: 'unknown', crl: null }] });
    expect((await checkTrustListCrls(bare)).withoutCrl).toEqual([expect.stringContaining('Kawei CRL Test Root')]);
    const error = await errorOf(checkSigningCertificate(d1.certDer, [], bare, new Date(), { requireFreshCrl: true }));
    expect(error).toMatchObject({ code: 'CRL_UNAVAILABLE', zh: expect.stringContaining('无法确认证书是否已吊销') });
    expect(await checkSigningCertificate(d1.certDer, [], fresh, new Date(), { requireFreshCrl: true })).toMatchObject({ revocation: 'good' });
    // openssl's counterpart of "required": -crl_check without a CRL fails
    expect((await opensslVerify(['-crl_check', '-CAfile', root.certFile, d1.certFile], dir)).output).toContain('unable to get certificate CRL');

    const signer = await softSigner(d1, [], 'ec');
    expect((await errorOf(createDetachedCms(data, signer, { trustList: bare, requireFreshCrl: true }))).code).toBe('CRL_UNAVAILABLE');
    expect(signer.calls).toBe(0);
    const cms = await createDetachedCms(data, signer, { trustList: bare });
    expect(cms.certificate.revocation).toBe('unknown');
    expect(await verifyDetachedCms(data, cms.der, bare, { requireFreshCrl: true })).toMatchObject({ ok: false, code: 'CRL_UNAVAILABLE' });
    expect(await verifyDetachedCms(data, cms.der, fresh, { requireFreshCrl: true })).toMatchObject({ ok: true, revocation: 'good' });
  });

  it('RSA: a CRL signed by an RSA CA revokes (cessationOfOperation); CMS signed by the unrevoked key verifies in openssl with -crl_check', async () => {
    const rsa = await makeRootCa(join(dir, 'rsa'), 'Kawei CRL RSA Root', 'rsa');
    const r1 = await rsa.issue('r1', 'EXPERT-R1A5', { keyType: 'rsa' });
    const r2 = await rsa.issue('r2', 'EXPERT-R2B6', { keyType: 'rsa' });
    await rsa.revoke(r2.certFile, 'cessationOfOperation');
    const crl = await rsa.gencrl('rsa');
    const trust = loadTrustListFolder(folder({ 'rsa.pem': rsa.certPem, 'ec.pem': root.certPem, 'rsa.crl': crl.pem }));
    expect((await checkTrustListCrls(trust)).accepted).toEqual([expect.objectContaining({ issuer: expect.stringContaining('Kawei CRL RSA Root') })]);

    const error = await errorOf(checkSigningCertificate(r2.certDer, [], trust));
    expect(error.details).toMatchObject({ reasonCode: 5, reason: 'cessationOfOperation' });
    expect((await opensslVerify(['-crl_check', '-CAfile', rsa.certFile, '-CRLfile', crl.file, r2.certFile], dir)).output).toContain('certificate revoked');
    expect(await checkSigningCertificate(r1.certDer, [], trust)).toMatchObject({ revocation: 'good' });
    expect((await opensslVerify(['-crl_check', '-CAfile', rsa.certFile, '-CRLfile', crl.file, r1.certFile], dir)).ok).toBe(true);
    // the EC root has no CRL here: its experts are unknown, not refused
    expect(await checkSigningCertificate(d2.certDer, [], trust)).toMatchObject({ revocation: 'unknown' });

    const signer = await softSigner(r1, [], 'rsa');
    const cms = await createDetachedCms(data, signer, { trustList: trust });
    expect((await opensslCmsVerifyWithCrl(dir, data, cms.der, [rsa.certPem, crl.pem])).ok).toBe(true);
    const refused = await softSigner(r2, [], 'rsa');
    expect((await errorOf(createDetachedCms(data, refused, { trustList: trust }))).code).toBe('CERT_REVOKED');
    expect(refused.calls).toBe(0);
  });

  it('bad input: garbage, empty, truncated and delta CRLs are ignored with a problem, never an error; CRLs in .pem files count', async () => {
    const delta = await root.gencrl('delta', { exts: 'delta' });
    expect((await openssl(['crl', '-in', delta.file, '-noout', '-text'], dir)).output).toContain('Delta CRL Indicator');
    const path = folder({
      'root.pem': root.certPem,
      'a-garbage.crl': crypto.getRandomValues(new Uint8Array(300)),
      'b-empty.crl': new Uint8Array(0),
      'c-text.crl': 'not a CRL at all\n',
      'd-truncated.crl': rootCrl1.der.subarray(0, rootCrl1.der.length - 20),
      'e-delta.crl': delta.der,
      'f-bad-block.pem': '-----BEGIN X509 CRL-----\nnot*base64\n-----END X509 CRL-----\n',
      'g-bundle.pem': `${root.certPem}${rootCrl1.pem}`,
      'h-cert-in.crl': root.certPem,
    });
    const trust = loadTrustListFolder(path);
    expect(trust.anchors).toHaveLength(2);
    expect(trust.crls).toHaveLength(1);
    const problems = trust.problems ?? [];
    const why = (name: string): string => problems.filter((p) => p.source.endsWith(name)).map((p) => p.reason).join(' | ');
    expect(why('a-garbage.crl')).toContain('not a usable CRL');
    expect(why('b-empty.crl')).toContain('not a usable CRL');
    expect(why('c-text.crl')).toContain('not a usable CRL');
    expect(why('d-truncated.crl')).toContain('not a usable CRL');
    expect(why('e-delta.crl')).toContain('delta CRL');
    expect(why('f-bad-block.pem')).toContain('not a usable CRL');
    expect(why('h-cert-in.crl')).toContain('not trust anchors');
    expect(problems).toHaveLength(8); // h: no CRL block, and certificates ignored
    // the good CRL inside the bundle is used
    expect((await errorOf(checkSigningCertificate(d2.certDer, [], trust))).code).toBe('CERT_REVOKED');
    // still an error as before: a .pem with neither certificate nor CRL, an empty folder of certificates
    expect(() => loadTrustListFolder(folder({ 'x.pem': 'garbage' }))).toThrow(expect.objectContaining({ code: 'TRUST_LIST_BAD_FILE' }));
    expect(() => loadTrustListFolder(folder({ 'root.crl': rootCrl1.der }))).toThrow(expect.objectContaining({ code: 'TRUST_LIST_EMPTY' }));
  });
});

/**
 * SM2 CRLs: OpenSSL 3.0 signs one with the default ID given explicitly (`openssl ca -gencrl -sigopt
 * distid:1234567812345678`), which our trust list accepts. OpenSSL's own CRL check cannot set the ID
 * (its `verify -vfyopt` applies to the certificate only), so it checks CRL signatures with the empty ID:
 * the distid CRL's signature is checked by `openssl pkeyutl` over the tbsCertList instead, and the
 * revocation verdict is compared with `openssl verify` on the same CRL signed with the empty ID (which
 * ours refuses, as it refuses certificates signed that way).
 */
describe('SM2 CRLs (sm2sign-with-sm3, ID 1234567812345678) made by OpenSSL 3', () => {
  beforeAll(() => requireTool('openssl-sm2'));
  const dir = mkdtempSync(join(tmpdir(), 'kawei-crl-sm2-'));
  let pki: Sm2Pki;
  let ca: OpensslCa;
  let crl: Crl;
  let emptyIdCrl: Crl;

  beforeAll(async () => {
    pki = await makeSm2Pki(dir);
    const rootParty: Party = {
      keyFile: join(dir, pki.root.keyFile),
      certFile: join(dir, pki.root.certFile),
      keyPem: pki.root.keyPem,
      certPem: pki.root.certPem,
      certDer: pki.root.certDer,
      serial: '01',
    };
    ca = caFromParty(join(dir, 'ca'), rootParty, 'sm3');
    await ca.revoke(join(dir, pki.direct.certFile), 'superseded');
    crl = await ca.gencrl('sm2', { extra: ['-sigopt', DISTID] });
    emptyIdCrl = await ca.gencrl('sm2-empty-id');
  }, 60_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** tbsCertList and the DER signature of a CRL, located by `openssl asn1parse`. */
  async function crlSignedParts(file: string): Promise<{ tbs: Uint8Array; signature: Uint8Array }> {
    const parsed = await must(['asn1parse', '-inform', 'DER', '-in', file], dir);
    const lines = parsed.stdout
      .split('\n')
      .map((l) => /^\s*(\d+):d=(\d+)\s+hl=(\d+)\s+l=\s*(\d+)\s+(?:prim|cons):\s*(\S+)/.exec(l))
      .filter((m) => m !== null)
      .map((m) => ({ offset: Number(m[1]), depth: Number(m[2]), hl: Number(m[3]), length: Number(m[4]), type: m[5]! }));
    const top = lines.filter((l) => l.depth === 1);
    const der = new Uint8Array(readFileSync(file));
    const tbs = top[0]!;
    const bits = top[2]!;
    expect(bits.type).toBe('BIT');
    return {
      tbs: der.slice(tbs.offset, tbs.offset + tbs.hl + tbs.length),
      signature: der.slice(bits.offset + bits.hl + 1, bits.offset + bits.hl + bits.length),
    };
  }

  it('the distid CRL revokes (CERT_REVOKED, superseded) and leaves the others good; the empty-ID one is ignored with a problem', async () => {
    const trust: TrustList = trustListFromCertificates([pki.root.certPem], { crls: [crl.pem] });
    expect(await checkTrustListCrls(trust)).toMatchObject({ accepted: [{ revoked: 1, stale: false }], problems: [] });
    const error = await errorOf(checkSigningCertificate(pki.direct.certDer, [], trust));
    expect(error.details).toMatchObject({ reasonCode: 4, reason: 'superseded', leaf: true });
    // root → intermediate checked by the root's CRL; the intermediate has no CRL: the leaf is unknown
    const chain = await checkSigningCertificate(pki.expert.certDer, [pki.intermediate.certDer], trust);
    expect(chain.revocationChecks.map((c) => c.status)).toEqual(['unknown', 'good']);
    expect(chain.revocation).toBe('unknown');

    const signer: Signer = createSoftSm2Signer({ privateKey: pki.direct.keyPem, certificate: pki.direct.certPem, chain: [] });
    let calls = 0;
    const counting: Signer = { ...signer, id: signer.id, certificate: signer.certificate, chain: signer.chain, algorithm: signer.algorithm, sign: (d) => (calls++, signer.sign(d)), close: () => signer.close() };
    expect((await errorOf(createDetachedCms(new Uint8Array([1, 2, 3]), counting, { trustList: trust }))).code).toBe('CERT_REVOKED');
    expect(calls).toBe(0);

    const emptyId = trustListFromCertificates([pki.root.certPem], { crls: [emptyIdCrl.der] });
    expect((await checkTrustListCrls(emptyId)).problems).toEqual([{ source: 'crl #1', reason: expect.stringContaining('does not verify') }]);
    expect(await checkSigningCertificate(pki.direct.certDer, [], emptyId)).toMatchObject({ revocation: 'unknown' });
  });

  it('OpenSSL: pkeyutl verifies the distid CRL signature over tbsCertList (and not with the empty ID); verify -crl_check revokes with the empty-ID CRL and cannot check the distid one', async () => {
    const { tbs, signature } = await crlSignedParts(crl.derFile);
    expect((await opensslSm2Verify(dir, pki.root.pubFile, tbs, signature)).ok).toBe(true);
    expect((await opensslSm2Verify(dir, pki.root.pubFile, tbs, signature, null)).ok).toBe(false);
    expect((await openssl(['crl', '-in', crl.file, '-noout', '-text'], dir)).output).toMatch(/SM2-with-SM3[\s\S]*Superseded/);

    const revoked = await opensslVerify(['-crl_check', '-vfyopt', DISTID, '-CAfile', pki.root.certFile, '-CRLfile', emptyIdCrl.file, pki.direct.certFile], dir);
    expect(revoked.output).toContain('certificate revoked');
    // the intermediate: not on the CRL for OpenSSL either
    const good = await opensslVerify(['-crl_check', '-vfyopt', DISTID, '-CAfile', pki.root.certFile, '-CRLfile', emptyIdCrl.file, pki.intermediate.certFile], dir);
    expect(good.output).toContain(': OK');
    // OpenSSL 3.0 checks CRL signatures with the empty ID: the distid CRL fails there
    const quirk = await opensslVerify(['-crl_check', '-vfyopt', DISTID, '-CAfile', pki.root.certFile, '-CRLfile', crl.file, pki.direct.certFile], dir);
    expect(quirk.output).toContain('CRL signature failure');
  });
});
