import { weierstrass, type WeierstrassPoint, type WeierstrassPointCons } from '@noble/curves/abstract/weierstrass.js';
import { SigningError } from './signing-errors.ts';
import { SM2_DEFAULT_USER_ID, type Sm2Engine } from './sm2.ts';
import { sm3 } from './sm3.ts';

/**
 * The SM2 digital signature (GB/T 32918.2-2016, GM/T 0003.2-2012) in pure JS: SM3 is ours (sm3.ts),
 * the point arithmetic is @noble/curves' short-Weierstrass implementation (a vetted library),
 * instantiated with the sm2p256v1 parameters of GB/T 32918.5-2017. Everything SM2-specific — Z, e, the
 * (r, s) equations, the range checks — is here and follows the standard's steps (A1–A7, B1–B7).
 *
 * `sm2Engine` is the default engine of cms.ts and trust-list.ts. `sign` exists for the software signer
 * (soft-sm2-signer.node.ts: tests and development); a real USB key signs inside the key (SKF). The
 * BigInt arithmetic around the scalar multiplications is not constant-time, which is acceptable there
 * and irrelevant for verification (public data only).
 */

/** A prime-field curve y² = x³ + ax + b with a generator of prime order n (cofactor 1). */
export interface Sm2Curve {
  readonly p: bigint;
  readonly a: bigint;
  readonly b: bigint;
  readonly n: bigint;
  readonly Gx: bigint;
  readonly Gy: bigint;
}

/** sm2p256v1, GB/T 32918.5-2017 (the same numbers as `openssl ecparam -name SM2 -param_enc explicit`). */
export const SM2P256V1: Sm2Curve = {
  p: 0xfffffffe_ffffffff_ffffffff_ffffffff_ffffffff_00000000_ffffffff_ffffffffn,
  a: 0xfffffffe_ffffffff_ffffffff_ffffffff_ffffffff_00000000_ffffffff_fffffffcn,
  b: 0x28e9fa9e_9d9f5e34_4d5a9e4b_cf6509a7_f39789f5_15ab8f92_ddbcbd41_4d940e93n,
  n: 0xfffffffe_ffffffff_ffffffff_ffffffff_7203df6b_21c6052b_53bbf409_39d54123n,
  Gx: 0x32c4ae2c_1f198119_5f990446_6a39c994_8fe30bbf_f2660be1_715a4589_334c74c7n,
  Gy: 0xbc3736a2_f4f6779c_59bdcee3_6b692153_d0a9877c_c62a4740_02df32e5_2139f0a0n,
};

export interface Sm2SoftwareEngine extends Sm2Engine {
  readonly curve: Sm2Curve;
  /** Z = SM3(ENTL ‖ ID ‖ a ‖ b ‖ xG ‖ yG ‖ xA ‖ yA). Throws CERT_MALFORMED for a key not on the curve. */
  z(publicKey: Uint8Array, userId?: string | Uint8Array): Uint8Array;
  /** 04 ‖ x ‖ y of d·G. Throws SIGN_FAILED for d outside [1, n−2]. */
  publicKeyOf(privateKey: Uint8Array | bigint): Uint8Array;
  /** Whether `publicKey` is 04 ‖ x ‖ y of a point of the curve other than infinity. */
  isValidPublicKey(publicKey: Uint8Array): boolean;
  /**
   * Signs SM3(Z ‖ message) with the private key d, k fresh from `randomBytes` for every signature;
   * returns raw r ‖ s (2 × 32 bytes for sm2p256v1). Throws SIGN_FAILED for an invalid d.
   */
  sign(message: Uint8Array, privateKey: Uint8Array | bigint, userId?: string | Uint8Array): Uint8Array;
}

export interface Sm2EngineOptions {
  /** sm2p256v1 by default; another curve only for the standard's worked example (tests). */
  curve?: Sm2Curve;
  /** Source of k; the platform CSPRNG (crypto.getRandomValues) by default. */
  randomBytes?: (length: number) => Uint8Array;
}

const defaultRandomBytes = (length: number): Uint8Array => crypto.getRandomValues(new Uint8Array(length));

export function createSm2Engine(options: Sm2EngineOptions = {}): Sm2SoftwareEngine {
  const curve = options.curve ?? SM2P256V1;
  const randomBytes = options.randomBytes ?? defaultRandomBytes;
  const { n } = curve;
  const Point: WeierstrassPointCons<bigint> = weierstrass({ ...curve, h: 1n });
  Point.BASE.precompute(8, true);
  const fieldBytes = Math.ceil(curve.p.toString(2).length / 8);
  const scalarBytes = Math.ceil(n.toString(2).length / 8);
  // ENTL ‖ ID comes first; the curve part of Z is the same for every key.
  const curvePart = concat(...[curve.a, curve.b, curve.Gx, curve.Gy].map((v) => toBytes(v, fieldBytes)));

  const mod = (x: bigint): bigint => ((x % n) + n) % n;

  function point(publicKey: Uint8Array): WeierstrassPoint<bigint> {
    if (publicKey.length !== 1 + 2 * fieldBytes || publicKey[0] !== 0x04) {
      throw new SigningError('CERT_MALFORMED', `SM2 public key of ${publicKey.length} bytes, expected 04‖x‖y (${1 + 2 * fieldBytes})`);
    }
    try {
      return Point.fromBytes(publicKey); // checks x, y < p and the curve equation; refuses infinity
    } catch (error) {
      throw new SigningError('CERT_MALFORMED', `SM2 public key is not a point of the curve (${(error as Error).message})`, { cause: error });
    }
  }

  function privateScalar(privateKey: Uint8Array | bigint): bigint {
    const d = typeof privateKey === 'bigint' ? privateKey : fromBytes(privateKey);
    // d = n − 1 would make 1 + d ≡ 0, so GB/T 32918.1 restricts d to [1, n − 2].
    if (d < 1n || d > n - 2n) throw new SigningError('SIGN_FAILED', 'SM2 private key outside [1, n−2]');
    return d;
  }

  function z(publicKey: Uint8Array, userId: string | Uint8Array = SM2_DEFAULT_USER_ID): Uint8Array {
    point(publicKey);
    const id = typeof userId === 'string' ? new TextEncoder().encode(userId) : userId;
    const entl = id.length * 8;
    if (entl > 0xffff) throw new SigningError('SIGN_FAILED', `SM2 user ID of ${id.length} bytes (ENTL is 16 bits)`);
    return sm3(concat(Uint8Array.of(entl >>> 8, entl & 0xff), id, curvePart, publicKey.subarray(1)));
  }

  function sm3WithZ(message: Uint8Array, publicKey: Uint8Array, userId?: string | Uint8Array): Uint8Array {
    return sm3(concat(z(publicKey, userId), message));
  }

  /** A uniformly random k in [1, n − 1], by rejection (no modular bias). */
  function randomScalar(): bigint {
    for (let tries = 0; tries < 1000; tries++) {
      const bytes = randomBytes(scalarBytes);
      if (bytes.length !== scalarBytes) throw new SigningError('SIGN_FAILED', 'random source returned a short buffer');
      const k = fromBytes(bytes);
      if (k >= 1n && k < n) return k;
    }
    throw new SigningError('SIGN_FAILED', 'random source keeps returning values outside [1, n−1]');
  }

  function sign(message: Uint8Array, privateKey: Uint8Array | bigint, userId?: string | Uint8Array): Uint8Array {
    const d = privateScalar(privateKey);
    const publicKey = Point.BASE.multiply(d).toBytes(false);
    // A1–A2: e = SM3(Z ‖ M) as an integer.
    const e = fromBytes(sm3WithZ(message, publicKey, userId));
    const inverse = invert(1n + d, n);
    for (let tries = 0; tries < 100; tries++) {
      // A3–A5: k, (x1, y1) = k·G, r = (e + x1) mod n; retry on r = 0 or r + k = n.
      const k = randomScalar();
      const x1 = Point.BASE.multiply(k).toAffine().x;
      const r = mod(e + x1);
      if (r === 0n || r + k === n) continue;
      // A6: s = (1 + d)⁻¹ · (k − r·d) mod n; retry on s = 0.
      const s = mod(inverse * (k - r * d));
      if (s === 0n) continue;
      return concat(toBytes(r, scalarBytes), toBytes(s, scalarBytes));
    }
    throw new SigningError('SIGN_FAILED', 'no usable k after 100 tries');
  }

  function verify(message: Uint8Array, signatureRs: Uint8Array, publicKey: Uint8Array, userId?: string | Uint8Array): boolean {
    if (signatureRs.length !== 2 * scalarBytes) return false;
    const r = fromBytes(signatureRs.subarray(0, scalarBytes));
    const s = fromBytes(signatureRs.subarray(scalarBytes));
    // B1–B2: r, s in [1, n − 1].
    if (r < 1n || r >= n || s < 1n || s >= n) return false;
    let P: WeierstrassPoint<bigint>;
    let e: bigint;
    try {
      P = point(publicKey);
      e = fromBytes(sm3WithZ(message, publicKey, userId));
    } catch {
      return false;
    }
    // B5: t = (r + s) mod n, not 0.
    const t = mod(r + s);
    if (t === 0n) return false;
    // B6–B7: (x1, y1) = s·G + t·P; R = (e + x1) mod n must equal r.
    const sum = Point.BASE.mulAddUnsafe(s, P, t);
    if (sum.is0()) return false;
    return mod(e + sum.toAffine().x) === r;
  }

  return {
    curve,
    sm3,
    sm3WithZ,
    z,
    verify,
    sign,
    publicKeyOf: (privateKey) => Point.BASE.multiply(privateScalar(privateKey)).toBytes(false),
    isValidPublicKey: (publicKey) => {
      try {
        point(publicKey);
        return true;
      } catch {
        return false;
      }
    },
  };
}

/** The sm2p256v1 engine with the platform CSPRNG: what the signing layer uses unless told otherwise. */
export const sm2Engine: Sm2SoftwareEngine = createSm2Engine();

function invert(a: bigint, m: bigint): bigint {
  // Extended Euclid; m is prime and a ≠ 0 mod m (d ≤ n − 2).
  let [oldR, r] = [((a % m) + m) % m, m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  if (oldR !== 1n) throw new SigningError('SIGN_FAILED', 'no inverse of 1 + d');
  return ((oldS % m) + m) % m;
}

function fromBytes(bytes: Uint8Array): bigint {
  let out = 0n;
  for (const byte of bytes) out = (out << 8n) | BigInt(byte);
  return out;
}

function toBytes(value: bigint, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let v = value;
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
