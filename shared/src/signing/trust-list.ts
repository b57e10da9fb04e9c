import * as asn1js from 'asn1js';
import { ecdsaDerToRaw } from './ecdsa-der.ts';
import { SigningError } from './signing-errors.ts';
import { SM2_DEFAULT_USER_ID, SM2_OIDS, type Sm2Engine } from './sm2.ts';
import { sm2Engine } from './sm2-engine.ts';
import * as x509 from './x509.ts';

/**
 * The configured CA certificates whose expert certificates the booth accepts (several CAs issue USB
 * keys in one province). Pure: loading a folder of PEM files is trust-list.node.ts.
 */
export interface TrustList {
  readonly anchors: readonly x509.X509Certificate[];
}

/** What the pre-signing check and the verifier found out about a certificate. */
export interface CertificateCheck {
  subject: string;
  issuer: string;
  /** Hex, as in the certificate. */
  serial: string;
  notBefore: Date;
  notAfter: Date;
  /** Leaf first, trust anchor last (DER). */
  path: Uint8Array[];
}

export interface CertificateCheckOptions {
  /**
   * Checks certificate links signed with SM2 (sm2sign-with-sm3, signer ID 1234567812345678 as GM/T 0015
   * prescribes); the built-in pure-JS engine (sm2-engine.ts) unless another is given. WebCrypto
   * checks the RSA and ECDSA links.
   */
  sm2?: Sm2Engine;
}

const KEY_USAGE_OID = '2.5.29.15';
const BASIC_CONSTRAINTS_OID = '2.5.29.19';
const MAX_DEPTH = 6;

export function trustListFromCertificates(certs: readonly (Uint8Array | string)[]): TrustList {
  const anchors = certs.map((c) => parseCertificate(c));
  if (anchors.length === 0) throw new SigningError('TRUST_LIST_EMPTY');
  return { anchors };
}

/** Splits a PEM bundle into certificates (ignores anything that is not a CERTIFICATE block). */
export function certificatesFromPem(pem: string): x509.X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((b) => parseCertificate(b));
}

/** Parsed certificates by the byte array they came from (a signer hands the same array every time). */
const parsed = new WeakMap<Uint8Array, x509.X509Certificate>();

export function parseCertificate(cert: Uint8Array | string | x509.X509Certificate): x509.X509Certificate {
  if (cert instanceof x509.X509Certificate) return cert;
  try {
    if (typeof cert === 'string') return new x509.X509Certificate(cert);
    let out = parsed.get(cert);
    if (out === undefined) {
      out = new x509.X509Certificate(toArrayBuffer(cert));
      parsed.set(cert, out);
    }
    return out;
  } catch (error) {
    throw new SigningError('CERT_MALFORMED', (error as Error).message, { cause: error });
  }
}

/**
 * Refuses, with a specific code, a certificate that may not sign: not chaining to a trust anchor
 * (CERT_UNTRUSTED), outside its validity at `at` or with an expired/not-yet-valid CA on the path
 * (CERT_EXPIRED / CERT_NOT_YET_VALID), or whose key usage excludes signatures (CERT_KEY_USAGE: a key
 * usage extension without digitalSignature or nonRepudiation). `extra` are certificates that may be
 * intermediates (from the token or from the CMS).
 */
export async function checkSigningCertificate(
  certificate: Uint8Array | x509.X509Certificate,
  extra: readonly (Uint8Array | x509.X509Certificate)[],
  trust: TrustList,
  at: Date = new Date(),
  options: CertificateCheckOptions = {},
): Promise<CertificateCheck> {
  const sm2 = options.sm2 ?? sm2Engine;
  if (trust.anchors.length === 0) throw new SigningError('TRUST_LIST_EMPTY');
  const leaf = parseCertificate(certificate);
  checkValidity(leaf, at, 'the certificate');
  const ku = leaf.getExtension<x509.KeyUsagesExtension>(KEY_USAGE_OID);
  if (ku !== null && (ku.usages & (x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation)) === 0) {
    throw new SigningError('CERT_KEY_USAGE', `key usage ${ku.usages}`);
  }

  const intermediates = extra.map((c) => parseCertificate(c));
  const path: x509.X509Certificate[] = [leaf];
  let current = leaf;
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    if (trust.anchors.some((a) => sameCertificate(a, current))) return summary(leaf, path);
    const anchor = await findIssuer(current, trust.anchors, sm2);
    if (anchor !== null) {
      checkValidity(anchor, at, `the CA ${anchor.subject}`);
      path.push(anchor);
      return summary(leaf, path);
    }
    const next = await findIssuer(current, intermediates, sm2);
    if (next === null || path.some((p) => sameCertificate(p, next))) break;
    const bc = next.getExtension<x509.BasicConstraintsExtension>(BASIC_CONSTRAINTS_OID);
    if (bc === null || !bc.ca) break;
    checkValidity(next, at, `the CA ${next.subject}`);
    path.push(next);
    current = next;
  }
  throw new SigningError('CERT_UNTRUSTED', `issuer: ${current.issuer}`);
}

/**
 * Signature checks already passed, as "child DER → issuer DER" (base64). Only successes are kept, and
 * only the signature: validity dates and key usage are checked afresh every time. Bounded.
 */
const verifiedLinks = new Set<string>();
const base64 = (bytes: ArrayBuffer): string => btoa(String.fromCharCode(...new Uint8Array(bytes)));
/** Links are cached per SM2 engine, so an engine passed in is asked even for a link another engine passed. */
const engineIds = new WeakMap<Sm2Engine, number>();
let engineCount = 0;
function engineId(engine: Sm2Engine): number {
  let id = engineIds.get(engine);
  if (id === undefined) {
    id = engineCount++;
    engineIds.set(engine, id);
  }
  return id;
}

async function findIssuer(
  cert: x509.X509Certificate,
  candidates: readonly x509.X509Certificate[],
  sm2: Sm2Engine,
): Promise<x509.X509Certificate | null> {
  const issuer = new Uint8Array(cert.issuerName.toArrayBuffer());
  for (const candidate of candidates) {
    if (!bytesEqual(new Uint8Array(candidate.subjectName.toArrayBuffer()), issuer)) continue;
    const link = `${engineId(sm2)}:${base64(cert.rawData)}→${base64(candidate.rawData)}`;
    if (verifiedLinks.has(link)) return candidate;
    if (await signedBy(cert, candidate, sm2)) {
      if (verifiedLinks.size >= 256) verifiedLinks.clear();
      verifiedLinks.add(link);
      return candidate;
    }
  }
  return null;
}

/** Whether `issuer`'s key made `cert`'s signature. False, not an exception, for anything unusable. */
async function signedBy(cert: x509.X509Certificate, issuer: x509.X509Certificate, sm2: Sm2Engine): Promise<boolean> {
  try {
    const parts = certificateParts(cert);
    if (parts.signatureOid === SM2_OIDS.sm2SignWithSm3) {
      // WebCrypto has no SM2: the engine checks SM3(Z ‖ tbsCertificate) against the issuer's SM2 key.
      const key = sm2PublicKey(issuer);
      if (key === null) return false;
      return sm2.verify(parts.tbs, ecdsaDerToRaw(parts.signature, 32), key, SM2_DEFAULT_USER_ID);
    }
    return await cert.verify({ publicKey: issuer.publicKey, signatureOnly: true });
  } catch {
    // an algorithm WebCrypto lacks, or a malformed signature: not this issuer, as far as we can tell
    return false;
  }
}

/** tbsCertificate (DER, as signed), the outer signatureAlgorithm OID and the signature BIT STRING contents. */
function certificateParts(cert: x509.X509Certificate): { tbs: Uint8Array; signatureOid: string; signature: Uint8Array } {
  const asn = asn1js.fromBER(cert.rawData);
  const [tbs, algorithm, signature] = asn.offset === -1 || !(asn.result instanceof asn1js.Sequence) ? [] : asn.result.valueBlock.value;
  const oid = algorithm instanceof asn1js.Sequence ? algorithm.valueBlock.value[0] : undefined;
  if (tbs === undefined || !(oid instanceof asn1js.ObjectIdentifier) || !(signature instanceof asn1js.BitString)) {
    throw new SigningError('CERT_MALFORMED', 'not a Certificate SEQUENCE');
  }
  return {
    tbs: new Uint8Array(tbs.valueBeforeDecodeView),
    signatureOid: oid.valueBlock.toString(),
    signature: new Uint8Array(signature.valueBlock.valueHexView),
  };
}

const EC_PUBLIC_KEY_OID = '1.2.840.10045.2.1';

/**
 * The public key 04‖x‖y of a certificate whose subjectPublicKeyInfo is an SM2 key (id-ecPublicKey with
 * the sm2p256v1 curve, as OpenSSL and GM/T 0015 write it, or the SM2 OID itself as the algorithm);
 * null for any other key.
 */
export function sm2PublicKey(cert: x509.X509Certificate): Uint8Array | null {
  const asn = asn1js.fromBER(cert.publicKey.rawData);
  if (asn.offset === -1 || !(asn.result instanceof asn1js.Sequence)) return null;
  const [algorithm, bits] = asn.result.valueBlock.value;
  if (!(algorithm instanceof asn1js.Sequence) || !(bits instanceof asn1js.BitString)) return null;
  const [oid, params] = algorithm.valueBlock.value;
  if (!(oid instanceof asn1js.ObjectIdentifier)) return null;
  const name = oid.valueBlock.toString();
  const curve = params instanceof asn1js.ObjectIdentifier ? params.valueBlock.toString() : null;
  if (!((name === EC_PUBLIC_KEY_OID && curve === SM2_OIDS.curve) || name === SM2_OIDS.curve)) return null;
  return new Uint8Array(bits.valueBlock.valueHexView);
}

function checkValidity(cert: x509.X509Certificate, at: Date, what: string): void {
  if (at.getTime() < cert.notBefore.getTime()) {
    throw new SigningError('CERT_NOT_YET_VALID', `${what} is valid from ${cert.notBefore.toISOString()}`);
  }
  if (at.getTime() > cert.notAfter.getTime()) {
    throw new SigningError('CERT_EXPIRED', `${what} expired ${cert.notAfter.toISOString()}`);
  }
}

function summary(leaf: x509.X509Certificate, path: x509.X509Certificate[]): CertificateCheck {
  return {
    subject: leaf.subject,
    issuer: leaf.issuer,
    serial: leaf.serialNumber,
    notBefore: leaf.notBefore,
    notAfter: leaf.notAfter,
    path: path.map(derOf),
  };
}

const ders = new WeakMap<x509.X509Certificate, Uint8Array>();
/** The DER of a parsed certificate, the same array each time (so parsers downstream can cache). */
function derOf(cert: x509.X509Certificate): Uint8Array {
  let der = ders.get(cert);
  if (der === undefined) {
    der = new Uint8Array(cert.rawData);
    ders.set(cert, der);
  }
  return der;
}

function sameCertificate(a: x509.X509Certificate, b: x509.X509Certificate): boolean {
  return bytesEqual(new Uint8Array(a.rawData), new Uint8Array(b.rawData));
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}
