import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTool } from '../../../tests/support/require-tool.node.ts';
import { ecdsaDerToRaw, ecdsaRawToDer } from '../../src/signing/cms.ts';
import { isSigningError } from '../../src/signing/signing-errors.ts';
import { SM2_DEFAULT_USER_ID } from '../../src/signing/sm2.ts';
import { createSm2Engine, SM2P256V1, sm2Engine, type Sm2Curve } from '../../src/signing/sm2-engine.ts';
import { parseSm2PrivateKey } from '../../src/signing/soft-sm2-signer.node.ts';
import { openssl, opensslSm2Sign, opensslSm2Verify, SM2_ID } from './sm2-openssl.node.ts';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const fromHex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'hex'));
const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);
const big = (bytes: Uint8Array): bigint => BigInt(`0x${hex(bytes) || '0'}`);
const be32 = (value: bigint): Uint8Array => fromHex(value.toString(16).padStart(64, '0'));
const { n } = SM2P256V1;

/**
 * GM/T 0003.2-2012 / GB/T 32918.2 Annex A, example 1: SM2 signature over the 256-bit *test* curve of
 * the standard's annex (not sm2p256v1), ID "ALICE123@YAHOO.COM", message "message digest", with the
 * fixed k of the example. The same numbers are in OpenSSL's own test suite (test/sm2_internal_test.c,
 * sm2_sig_test); Z and e are the intermediate values the annex prints.
 */
const ANNEX_A = {
  curve: {
    p: 0x8542d69e_4c044f18_e8b92435_bf6ff7de_45728391_5c45517d_722edb8b_08f1dfc3n,
    a: 0x787968b4_fa32c3fd_2417842e_73bbfeff_2f3c848b_6831d7e0_ec65228b_3937e498n,
    b: 0x63e4c6d3_b23b0c84_9cf84241_484bfe48_f61d59a5_b16ba06e_6e12d1da_27c5249an,
    Gx: 0x421debd6_1b62eab6_746434eb_c3cc315e_32220b3b_add50bdc_4c4e6c14_7fedd43dn,
    Gy: 0x0680512b_cbb42c07_d47349d2_153b70c4_e5d7fdfc_bfa36ea1_a85841b9_e46e09a2n,
    n: 0x8542d69e_4c044f18_e8b92435_bf6ff7dd_29772063_0485628d_5ae74ee7_c32e79b7n,
  } satisfies Sm2Curve,
  id: 'ALICE123@YAHOO.COM',
  message: 'message digest',
  d: '128B2FA8 BD433C6C 068C8D80 3DFF7979 2A519A55 171B1B65 0C23661D 15897263',
  xA: '0AE4C779 8AA0F119 471BEE11 825BE462 02BB79E2 A5844495 E97C04FF 4DF2548A',
  yA: '7C0240F8 8F1CD4E1 6352A73C 17B7F16F 07353E53 A176D684 A9FE0C6B B798E857',
  z: 'F4A38489 E32B45B6 F876E3AC 2168CA39 2362DC8F 23459C1D 1146FC3D BFB7BC9A',
  e: 'B524F552 CD82B8B0 28476E00 5C377FB1 9A87E6FC 682D48BB 5D42E3D9 B9EFFE76',
  k: '6CB28D99 385C175C 94F94E93 4817663F C176D925 DD72B727 260DBAAE 1FB2F96F',
  r: '40F1EC59 F793D9F4 9E09DCEF 49130D41 94F79FB1 EED2CAA5 5BACDB49 C4E755D1',
  s: '6FC6DAC3 2C5D5CF1 0C77DFB2 0F7C2EB6 67A45787 2FB09EC5 6327A67E C7DEEBE7',
};

describe('SM2 (GB/T 32918.2) on the standard’s worked example', () => {
  it('reproduces Annex A example 1: public key, Z, e, r and s', () => {
    let calls = 0;
    const engine = createSm2Engine({
      curve: ANNEX_A.curve,
      randomBytes: () => {
        calls++;
        return fromHex(ANNEX_A.k);
      },
    });
    const d = fromHex(ANNEX_A.d);
    const publicKey = engine.publicKeyOf(d);
    expect(hex(publicKey)).toBe(`04${ANNEX_A.xA}${ANNEX_A.yA}`.replace(/\s+/g, '').toLowerCase());
    const message = ascii(ANNEX_A.message);
    expect(hex(engine.z(publicKey, ANNEX_A.id))).toBe(hex(fromHex(ANNEX_A.z)));
    expect(hex(engine.sm3WithZ(message, publicKey, ANNEX_A.id))).toBe(hex(fromHex(ANNEX_A.e)));
    const signature = engine.sign(message, d, ANNEX_A.id);
    expect(calls).toBe(1);
    expect(hex(signature)).toBe(hex(fromHex(ANNEX_A.r + ANNEX_A.s)));
    expect(engine.verify(message, signature, publicKey, ANNEX_A.id)).toBe(true);
    expect(engine.verify(ascii('message digesT'), signature, publicKey, ANNEX_A.id)).toBe(false);
    expect(engine.verify(message, signature, publicKey, 'ALICE123@YAHOO.CO')).toBe(false);
  });

  it('refuses r + n and s + n, which reduce to the valid r and s (on this curve n ≈ 0.52 · 2²⁵⁶, so they fit 32 bytes)', () => {
    const engine = createSm2Engine({ curve: ANNEX_A.curve });
    const d = fromHex(ANNEX_A.d);
    const publicKey = engine.publicKeyOf(d);
    const message = ascii(ANNEX_A.message);
    const r = big(fromHex(ANNEX_A.r));
    const s = big(fromHex(ANNEX_A.s));
    const pair = (a: bigint, b: bigint) => new Uint8Array([...be32(a), ...be32(b)]);
    expect(engine.verify(message, pair(r, s), publicKey, ANNEX_A.id)).toBe(true);
    expect(r + ANNEX_A.curve.n).toBeLessThan(2n ** 256n);
    expect(s + ANNEX_A.curve.n).toBeLessThan(2n ** 256n);
    expect(engine.verify(message, pair(r + ANNEX_A.curve.n, s), publicKey, ANNEX_A.id)).toBe(false);
    expect(engine.verify(message, pair(r, s + ANNEX_A.curve.n), publicKey, ANNEX_A.id)).toBe(false);
  });

  it('draws k again while the random bytes are not in [1, n−1] (no modular reduction)', () => {
    const draws = [new Uint8Array(32).fill(0xff), new Uint8Array(32), be32(ANNEX_A.curve.n), fromHex(ANNEX_A.k)];
    let calls = 0;
    const engine = createSm2Engine({ curve: ANNEX_A.curve, randomBytes: () => draws[calls++]! });
    const signature = engine.sign(ascii(ANNEX_A.message), fromHex(ANNEX_A.d), ANNEX_A.id);
    expect(calls).toBe(4);
    expect(hex(signature)).toBe(hex(fromHex(ANNEX_A.r + ANNEX_A.s)));
  });
});

describe('SM2 engine on sm2p256v1: behaviour and bad inputs', () => {
  const d = 0x3945208f_7b2144b1_3f36e38a_c6d39f95_88939369_2860b51a_42fb81ef_4df7c5b8n;
  const publicKey = sm2Engine.publicKeyOf(d);
  const message = ascii('评分表 KW-2026-0142');
  const signature = sm2Engine.sign(message, d);
  const withRs = (r: bigint, s: bigint) => new Uint8Array([...be32(r), ...be32(s)]);

  it('signs with a fresh k each time; both signatures verify with the default ID only', () => {
    const again = sm2Engine.sign(message, d);
    expect(signature).toHaveLength(64);
    expect(hex(again)).not.toBe(hex(signature));
    for (const sig of [signature, again]) {
      expect(sm2Engine.verify(message, sig, publicKey)).toBe(true);
      expect(sm2Engine.verify(message, sig, publicKey, SM2_DEFAULT_USER_ID)).toBe(true);
      expect(sm2Engine.verify(message, sig, publicKey, '')).toBe(false);
    }
  });

  it('the default engine uses the platform CSPRNG (k differs across 50 signatures of one message)', () => {
    const rs = new Set(Array.from({ length: 50 }, () => hex(sm2Engine.sign(message, d).subarray(0, 32))));
    expect(rs.size).toBe(50);
  });

  it('rejects a signature of the wrong length, r or s of 0 or ≥ n, r + s = n', () => {
    const r = big(signature.subarray(0, 32));
    const s = big(signature.subarray(32));
    expect(sm2Engine.verify(message, signature.subarray(0, 63), publicKey)).toBe(false);
    expect(sm2Engine.verify(message, new Uint8Array([...signature, 0]), publicKey)).toBe(false);
    expect(sm2Engine.verify(message, new Uint8Array(0), publicKey)).toBe(false);
    expect(sm2Engine.verify(message, withRs(0n, s), publicKey)).toBe(false);
    expect(sm2Engine.verify(message, withRs(r, 0n), publicKey)).toBe(false);
    expect(sm2Engine.verify(message, withRs(n, s), publicKey)).toBe(false);
    expect(sm2Engine.verify(message, withRs(r, n), publicKey)).toBe(false);
    expect(sm2Engine.verify(message, withRs(2n ** 256n - 1n, s), publicKey)).toBe(false);
    expect(sm2Engine.verify(message, withRs(r, 2n ** 256n - 1n), publicKey)).toBe(false);
    expect(sm2Engine.verify(message, withRs(r, n - r), publicKey)).toBe(false); // t = 0
    expect(sm2Engine.verify(message, new Uint8Array(64).fill(0xff), publicKey)).toBe(false);
  });

  it('rejects public keys that are not points of the curve, without throwing', () => {
    const offCurve = publicKey.slice();
    offCurve[64]! ^= 0x01;
    const compressed = Uint8Array.of(publicKey[64]! & 1 ? 3 : 2, ...publicKey.subarray(1, 33));
    const xTooBig = new Uint8Array([4, ...be32(SM2P256V1.p), ...publicKey.subarray(33)]); // x ≥ p
    const infinity = new Uint8Array(65);
    infinity[0] = 4;
    for (const key of [offCurve, compressed, xTooBig, infinity, publicKey.subarray(1), new Uint8Array(0)]) {
      expect(sm2Engine.isValidPublicKey(key)).toBe(false);
      expect(sm2Engine.verify(message, signature, key)).toBe(false);
      const error = (() => {
        try {
          return sm2Engine.sm3WithZ(message, key);
        } catch (e) {
          return e;
        }
      })();
      expect(isSigningError(error, 'CERT_MALFORMED')).toBe(true);
    }
    expect(sm2Engine.isValidPublicKey(publicKey)).toBe(true);
  });

  it('refuses private keys outside [1, n−2] with SIGN_FAILED', () => {
    for (const bad of [0n, n - 1n, n, n + 5n, -1n]) {
      expect(() => sm2Engine.sign(message, bad)).toThrow(expect.objectContaining({ code: 'SIGN_FAILED' }));
      expect(() => sm2Engine.publicKeyOf(bad)).toThrow(expect.objectContaining({ code: 'SIGN_FAILED' }));
    }
    expect(() => sm2Engine.sign(message, new Uint8Array(32))).toThrow(expect.objectContaining({ code: 'SIGN_FAILED' }));
    // d = n − 2 is the largest allowed key and works
    expect(sm2Engine.verify(message, sm2Engine.sign(message, n - 2n), sm2Engine.publicKeyOf(n - 2n))).toBe(true);
  });

  it('refuses a user ID whose bit length does not fit ENTL (16 bits), accepts 8191 bytes', () => {
    expect(() => sm2Engine.z(publicKey, 'x'.repeat(8192))).toThrow(expect.objectContaining({ code: 'SIGN_FAILED' }));
    expect(sm2Engine.z(publicKey, 'x'.repeat(8191))).toHaveLength(32);
  });
});

describe('SM2 engine against OpenSSL 3', () => {
  beforeAll(() => requireTool('openssl-sm2'));
  const dir = mkdtempSync(join(tmpdir(), 'kawei-sm2-'));
  let d: bigint;
  let point: Uint8Array;
  const pub = 'key.pub.pem';
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  beforeAll(async () => {
    for (const args of [
      ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:SM2', '-out', 'key.pem'],
      ['pkey', '-in', 'key.pem', '-pubout', '-out', pub],
      ['pkey', '-in', 'key.pem', '-pubout', '-outform', 'DER', '-out', 'key.pub.der'],
    ]) {
      const result = await openssl(args, dir);
      expect(result.ok, result.output).toBe(true);
    }
    d = parseSm2PrivateKey(readFileSync(join(dir, 'key.pem'), 'utf8'));
    const spki = new Uint8Array(readFileSync(join(dir, 'key.pub.der')));
    point = spki.subarray(spki.length - 65);
  });

  it('has the curve OpenSSL calls SM2 (explicit parameters printed by openssl ecparam)', async () => {
    const text = (await openssl(['ecparam', '-name', 'SM2', '-param_enc', 'explicit', '-text', '-noout'])).stdout;
    const field = (label: string): bigint => {
      const match = new RegExp(`${label}:\\s*([0-9a-f:\\s]+?)\\n(?=\\S)`, 'i').exec(`${text}\nEND`);
      return BigInt(`0x${match![1]!.replace(/[:\s]/g, '')}`);
    };
    expect(field('Prime')).toBe(SM2P256V1.p);
    expect(field('A')).toBe(SM2P256V1.a);
    expect(field('B')).toBe(SM2P256V1.b);
    expect(field('Order')).toBe(SM2P256V1.n);
    const generator = field('Generator \\(uncompressed\\)');
    expect(generator).toBe((4n << 512n) | (SM2P256V1.Gx << 256n) | SM2P256V1.Gy);
  });

  it('derives the public key OpenSSL derives from the same private key', () => {
    expect(hex(sm2Engine.publicKeyOf(d))).toBe(hex(point));
  });

  it('our signatures verify with openssl pkeyutl -verify -rawin -digest sm3 (distid 1234567812345678); a changed byte fails', async () => {
    const messages = [new Uint8Array(0), ascii('abc'), ...Array.from({ length: 18 }, (_, i) => new Uint8Array(randomBytes(1 + i * 37)))];
    for (const message of messages) {
      const der = ecdsaRawToDer(sm2Engine.sign(message, d));
      const verdict = await opensslSm2Verify(dir, pub, message, der);
      expect(verdict.output).toContain('Signature Verified Successfully');
      expect(verdict.ok).toBe(true);
    }
    const message = ascii('{"bidder":"B01","tech":52}');
    const raw = sm2Engine.sign(message, d);
    const changedMessage = message.slice();
    changedMessage[5]! ^= 0x01;
    const changedR = raw.slice();
    changedR[7]! ^= 0x01;
    for (const [m, sig] of [
      [changedMessage, raw],
      [message, changedR],
    ] as const) {
      const verdict = await opensslSm2Verify(dir, pub, m, ecdsaRawToDer(sig));
      expect(verdict.ok).toBe(false);
      expect(verdict.output).toContain('Signature Verification Failure');
    }
    // Same signature, OpenSSL left at its own default ID: it fails, because 3.0's default is an empty ID.
    expect((await opensslSm2Verify(dir, pub, message, ecdsaRawToDer(raw), null)).ok).toBe(false);
  });

  it('OpenSSL’s signatures verify with our engine; a changed byte fails', async () => {
    for (let i = 0; i < 10; i++) {
      const message = new Uint8Array(randomBytes(i * 29));
      const raw = ecdsaDerToRaw(await opensslSm2Sign(dir, 'key.pem', message), 32);
      expect(sm2Engine.verify(message, raw, point)).toBe(true);
      if (message.length > 0) {
        const changed = message.slice();
        changed[0]! ^= 0x80;
        expect(sm2Engine.verify(changed, raw, point)).toBe(false);
      }
      const changedS = raw.slice();
      changedS[63]! ^= 0x01;
      expect(sm2Engine.verify(message, changedS, point)).toBe(false);
    }
  });

  it('OpenSSL 3.0 without -pkeyopt distid signs with an empty signer ID (ENTL = 0), not 1234567812345678', async () => {
    const message = ascii('which ID?');
    const raw = ecdsaDerToRaw(await opensslSm2Sign(dir, 'key.pem', message, null), 32);
    expect(sm2Engine.verify(message, raw, point, '')).toBe(true);
    expect(sm2Engine.verify(message, raw, point, SM2_ID)).toBe(false);
  });

  it('reads the private key in every form OpenSSL writes it; refuses encrypted, non-SM2 and garbage keys', async () => {
    const forms: [string, string[]][] = [
      ['p8.der', ['pkey', '-in', 'key.pem', '-outform', 'DER', '-out', 'p8.der']],
      ['sec1.pem', ['ec', '-in', 'key.pem', '-out', 'sec1.pem']],
      ['sec1.der', ['ec', '-in', 'key.pem', '-outform', 'DER', '-out', 'sec1.der']],
      ['sec1-nopub.pem', ['ec', '-in', 'key.pem', '-no_public', '-out', 'sec1-nopub.pem']],
    ];
    for (const [file, args] of forms) {
      const result = await openssl(args, dir);
      expect(result.ok, result.output).toBe(true);
      const bytes = new Uint8Array(readFileSync(join(dir, file)));
      const key = file.endsWith('.der') ? bytes : new TextDecoder().decode(bytes);
      expect(parseSm2PrivateKey(key), file).toBe(d);
    }
    expect(readFileSync(join(dir, 'sec1.pem'), 'utf8')).toContain('BEGIN SM2 PRIVATE KEY');

    // `openssl ecparam -genkey` writes an SM2 PARAMETERS block before the key
    await openssl(['ecparam', '-name', 'SM2', '-genkey', '-out', 'ecparam.pem'], dir);
    await openssl(['pkey', '-in', 'ecparam.pem', '-pubout', '-outform', 'DER', '-out', 'ecparam.pub.der'], dir);
    const ecparamKey = readFileSync(join(dir, 'ecparam.pem'), 'utf8');
    expect(ecparamKey).toContain('BEGIN SM2 PARAMETERS');
    const ecparamSpki = new Uint8Array(readFileSync(join(dir, 'ecparam.pub.der')));
    expect(hex(sm2Engine.publicKeyOf(parseSm2PrivateKey(ecparamKey)))).toBe(hex(ecparamSpki.subarray(ecparamSpki.length - 65)));

    await openssl(['pkey', '-in', 'key.pem', '-aes256', '-passout', 'pass:secret', '-out', 'enc.pem'], dir);
    await openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'p256.pem'], dir);
    await openssl(['ec', '-in', 'p256.pem', '-out', 'p256-sec1.pem'], dir);
    writeFileSync(join(dir, 'garbage.pem'), '-----BEGIN PRIVATE KEY-----\nMAMCAQA=\n-----END PRIVATE KEY-----\n');
    const code = (file: string): string => {
      try {
        parseSm2PrivateKey(readFileSync(join(dir, file), 'utf8'));
        return 'accepted';
      } catch (error) {
        return isSigningError(error) ? error.code : String(error);
      }
    };
    expect(code('enc.pem')).toBe('KEY_NOT_FOUND');
    expect(code('p256.pem')).toBe('ALGORITHM_UNSUPPORTED');
    expect(code('p256-sec1.pem')).toBe('ALGORITHM_UNSUPPORTED');
    expect(code('garbage.pem')).toBe('KEY_NOT_FOUND');
    expect(code('key.pub.pem')).toBe('KEY_NOT_FOUND');
  });
});
