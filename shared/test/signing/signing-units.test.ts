import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ecdsaDerToRaw, ecdsaRawToDer, createDetachedCms, verifyDetachedCms } from '../../src/signing/cms.ts';
import { CKR, mapPkcs11Error } from '../../src/signing/pkcs11-provider.node.ts';
import type { Signer } from '../../src/signing/signer.ts';
import { SIGNING_ERROR_CODES, SIGNING_MESSAGES, isSigningError } from '../../src/signing/signing-errors.ts';
import { loadTrustListFolder } from '../../src/signing/trust-list.node.ts';
import { makeTestCa } from '../../../scripts/lib/softhsm-token.node.ts';

const pkcs11Error = (code: number, name: string) => Object.assign(new Error(name), { code });

describe('PKCS#11 return values → signing codes', () => {
  it('maps the PIN family and removal', () => {
    expect(mapPkcs11Error(pkcs11Error(CKR.PIN_INCORRECT, 'CKR_PIN_INCORRECT'), 'login', true).code).toBe('PIN_INCORRECT');
    // SoftHSM2 never locks a PIN (12 wrong tries still say CKR_PIN_INCORRECT), so PIN_LOCKED is checked here
    expect(mapPkcs11Error(pkcs11Error(CKR.PIN_LOCKED, 'CKR_PIN_LOCKED'), 'login', true).code).toBe('PIN_LOCKED');
    expect(mapPkcs11Error(pkcs11Error(CKR.PIN_LEN_RANGE, 'CKR_PIN_LEN_RANGE'), 'login', true).code).toBe('PIN_FORMAT');
    expect(mapPkcs11Error(pkcs11Error(CKR.DEVICE_REMOVED, 'CKR_DEVICE_REMOVED'), 'sign', true).code).toBe('TOKEN_REMOVED');
    expect(mapPkcs11Error(pkcs11Error(CKR.TOKEN_NOT_PRESENT, 'CKR_TOKEN_NOT_PRESENT'), 'open', true).code).toBe('TOKEN_REMOVED');
    expect(mapPkcs11Error(pkcs11Error(CKR.SESSION_HANDLE_INVALID, 'CKR_SESSION_HANDLE_INVALID'), 'sign', false).code).toBe('TOKEN_REMOVED');
    expect(mapPkcs11Error(pkcs11Error(CKR.GENERAL_ERROR, 'CKR_GENERAL_ERROR'), 'sign', true).code).toBe('SIGN_FAILED');
    expect(mapPkcs11Error(pkcs11Error(CKR.GENERAL_ERROR, 'CKR_GENERAL_ERROR'), 'login', true).code).toBe('TOKEN_ERROR');
  });

  it('every code has Chinese and English text', () => {
    for (const code of SIGNING_ERROR_CODES) {
      expect(SIGNING_MESSAGES[code].zh).toMatch(/[\u4e00-\u9fff]/);
      expect(SIGNING_MESSAGES[code].en).toMatch(/^[\x20-\x7e]+$/);
    }
  });
});

describe('ECDSA r‖s ↔ DER', () => {
  it('round-trips halves with a high bit and with leading zeros', () => {
    const cases = [
      Uint8Array.from({ length: 64 }, (_, i) => (i === 0 || i === 32 ? 0x80 : i)),
      Uint8Array.from({ length: 64 }, (_, i) => (i < 3 || (i >= 32 && i < 34) ? 0 : 0xff)),
      Uint8Array.from({ length: 64 }, () => 0x11),
    ];
    for (const raw of cases) {
      const der = ecdsaRawToDer(raw);
      expect(der[0]).toBe(0x30);
      expect(Buffer.from(ecdsaDerToRaw(der, 32)).equals(Buffer.from(raw))).toBe(true);
    }
  });

  it('reads strict DER only: trailing bytes, a padded or a negative INTEGER are CMS_MALFORMED', () => {
    const raw = Uint8Array.from({ length: 64 }, (_, i) => (i === 0 || i === 32 ? 0x12 : i + 1));
    const der = ecdsaRawToDer(raw); // 30 44 02 20 <r> 02 20 <s>
    expect(Buffer.from(ecdsaDerToRaw(der, 32)).equals(Buffer.from(raw))).toBe(true);
    const r = der.subarray(4, 36);
    const s = der.subarray(38, 70);
    const variants = {
      trailing: Uint8Array.of(...der, 0x00),
      paddedR: Uint8Array.of(0x30, 0x45, 0x02, 0x21, 0x00, ...r, 0x02, 0x20, ...s),
      longLength: Uint8Array.of(0x30, 0x81, 0x44, ...der.subarray(2)),
      negativeR: Uint8Array.of(0x30, 0x44, 0x02, 0x20, 0x80 | r[0]!, ...r.subarray(1), 0x02, 0x20, ...s),
    };
    for (const [name, bytes] of Object.entries(variants)) {
      let code = '';
      try {
        ecdsaDerToRaw(bytes, 32);
      } catch (error) {
        code = (error as { code?: string }).code ?? String(error);
      }
      expect(`${name}: ${code}`).toBe(`${name}: CMS_MALFORMED`);
    }
  });
});

describe('trust list folder and algorithm plug-ins', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kawei-trust-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads every PEM, refuses an empty folder and a file without a certificate', async () => {
    const [a, b] = await Promise.all([makeTestCa('Trust A'), makeTestCa('Trust B')]);
    const good = join(dir, 'good');
    const empty = join(dir, 'empty');
    const bad = join(dir, 'bad');
    for (const d of [good, empty, bad]) mkdirSync(d, { recursive: true });
    writeFileSync(join(good, 'a.pem'), a.pem);
    writeFileSync(join(good, 'bundle.crt'), `${b.pem}${a.pem}`);
    writeFileSync(join(good, 'README.txt'), 'not a certificate');
    writeFileSync(join(bad, 'x.pem'), 'garbage');
    expect(loadTrustListFolder(good).anchors.map((c) => c.subject)).toEqual([
      expect.stringContaining('Trust A'),
      expect.stringContaining('Trust B'),
      expect.stringContaining('Trust A'),
    ]);
    expect(() => loadTrustListFolder(empty)).toThrow(expect.objectContaining({ code: 'TRUST_LIST_EMPTY' }));
    expect(() => loadTrustListFolder(bad)).toThrow(expect.objectContaining({ code: 'TRUST_LIST_BAD_FILE' }));
    expect(() => loadTrustListFolder(join(dir, 'missing'))).toThrow(expect.objectContaining({ code: 'TRUST_LIST_BAD_FILE' }));
  });

  // SM2 itself is built in now (sm2-engine.ts, the default engine; sm2-*.test.ts): what is refused is a
  // signer whose algorithm is not the one its certificate's key implies.
  it('an SM2-SM3 signer whose certificate holds a P-256 key is refused with ALGORITHM_UNSUPPORTED, before sign()', async () => {
    const ca = await makeTestCa('SM2 Placeholder CA');
    let calls = 0;
    const signer: Signer = {
      id: 'skf:demo',
      certificate: ca.der, // a self-signed P-256 CA is its own trust anchor here; only the algorithm matters
      chain: [],
      algorithm: 'SM2-SM3',
      sign: async () => {
        calls++;
        return new Uint8Array(64);
      },
      close: async () => {},
    };
    const error = await createDetachedCms(new Uint8Array([1]), signer, { trustList: { anchors: [ca.certificate] } }).catch((e: unknown) => e);
    expect(isSigningError(error, 'ALGORITHM_UNSUPPORTED')).toBe(true);
    expect(calls).toBe(0);
  });

  it('garbage is CMS_MALFORMED, not an exception', async () => {
    const ca = await makeTestCa('Any CA');
    expect(await verifyDetachedCms(new Uint8Array([1]), new Uint8Array([0x30, 0x03, 1, 2, 3]), { anchors: [ca.certificate] })).toMatchObject({
      ok: false,
      code: 'CMS_MALFORMED',
    });
  });
});
