import * as asn1js from 'asn1js';
import { newestFirst, normalizeSerial, readCrls, type RevocationList, type TrustListProblem } from './crl.ts';
import { ecdsaDerToRaw } from './ecdsa-der.ts';
import { SigningError } from './signing-errors.ts';
import { SM2_DEFAULT_USER_ID, SM2_OIDS, type Sm2Engine } from './sm2.ts';
import { sm2Engine } from './sm2-engine.ts';
import * as x509 from './x509.ts';

export type { RevocationList, TrustListProblem } from './crl.ts';

/**
 * The configured CA certificates whose expert certificates the booth accepts (several CAs issue USB
 * keys in one province), and the CRLs placed beside them. Pure: loading a folder of PEM files is
 * trust-list.node.ts.
 */
export interface TrustList {
  readonly anchors: readonly x509.X509Certificate[];
  /**
   * CRLs as read (crl.ts), not yet trusted: a CRL is used for a CA's certificates only once its
   * signature verifies with that CA's key (and the CA may sign CRLs). Absent: no CRL at all.
   */
  readonly crls?: readonly RevocationList[];
  /** What was found while loading and not used (a CRL file that is no CRL, a delta CRL…), for the log. */
  readonly problems?: readonly TrustListProblem[];
}

/** Revocation of one certificate on the path, by the CRL of the CA that issued it. */
export interface RevocationCheck {
  subject: string;
  /** Hex, as in the certificate. */
  serial: string;
  issuer: string;
  /** 'unknown': no CRL of that CA verified. 'revoked' only appears in CERT_REVOKED, never in a result. */
  status: 'good' | 'revoked' | 'unknown';
  /** The CRL used: the newest one of the issuing CA whose signature verified. */
  crl: { source: string; thisUpdate: Date; nextUpdate: Date | null; crlNumber: string | null } | null;
  /** The CRL's nextUpdate is before the check time (or it has none): used all the same. */
  stale: boolean;
  /**
   * When the certificate is on the CRL: its revocationDate, reason and invalidityDate. With status
   * 'good' the revocation is later than the check time (a signature made before it stays valid).
   */
  revokedAt?: Date;
  reasonCode?: number | null;
  reason?: string | null;
  invalidityDate?: Date | null;
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
  /**
   * 'good': every certificate on the path was checked against a CRL of its issuing CA and is not
   * revoked at the check time. 'unknown': at least one issuing CA has no CRL in the trust list (allowed
   * unless `requireFreshCrl`). A revoked certificate never gets here: CERT_REVOKED.
   */
  revocation: 'good' | 'unknown';
  /** A CRL used was past its nextUpdate at the check time (still used: revoked stays revoked). */
  crlStale: boolean;
  /** Per certificate on the path below the trust anchor (leaf first; the anchor too when its issuer is in the trust list). */
  revocationChecks: RevocationCheck[];
}

export interface CertificateCheckOptions {
  /**
   * Checks certificate links signed with SM2 (sm2sign-with-sm3, signer ID 1234567812345678 as GM/T 0015
   * prescribes); the built-in pure-JS engine (sm2-engine.ts) unless another is given. WebCrypto
   * checks the RSA and ECDSA links.
   */
  sm2?: Sm2Engine;
  /**
   * Refuse (CRL_UNAVAILABLE) when revocation is 'unknown' for a certificate on the path or a CRL used
   * is stale. Off by default: booths work offline and a missing CRL must not stop an evaluation.
   */
  requireFreshCrl?: boolean;
}

const KEY_USAGE_OID = '2.5.29.15';
const BASIC_CONSTRAINTS_OID = '2.5.29.19';
const MAX_DEPTH = 6;

/**
 * A trust list from CA certificates (DER or PEM) and, optionally, CRLs (DER, or PEM text with `X509
 * CRL` blocks). A CRL that cannot be read becomes a problem, not an error.
 */
export function trustListFromCertificates(
  certs: readonly (Uint8Array | string)[],
  options: { crls?: readonly (Uint8Array | string)[] } = {},
): TrustList {
  const anchors = certs.map((c) => parseCertificate(c));
  if (anchors.length === 0) throw new SigningError('TRUST_LIST_EMPTY');
  if (options.crls === undefined) return { anchors };
  const crls: RevocationList[] = [];
  const problems: TrustListProblem[] = [];
  options.crls.forEach((input, i) => {
    const read = readCrls(input, `crl #${i + 1}`);
    crls.push(...read.crls);
    problems.push(...read.problems);
  });
  return { anchors, crls, problems };
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
 * usage extension without digitalSignature or nonRepudiation), or revoked at `at` — it or a CA on its
 * path — by the CRL of the CA that issued it (CERT_REVOKED; see `revocationOfPath`). `extra` are
 * certificates that may be intermediates (from the token or from the CMS).
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
    if (trust.anchors.some((a) => sameCertificate(a, current))) return finish(leaf, path, trust, at, sm2, options);
    const anchor = await findIssuer(current, trust.anchors, sm2);
    if (anchor !== null) {
      checkValidity(anchor, at, `the CA ${anchor.subject}`);
      path.push(anchor);
      return finish(leaf, path, trust, at, sm2, options);
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
  return issuerSigned(
    () => certificateParts(cert),
    issuer,
    sm2,
    () => cert.verify({ publicKey: issuer.publicKey, signatureOnly: true }),
  );
}

/**
 * The one signature check of the trust list, for certificates and CRLs alike: sm2sign-with-sm3 by the
 * engine over the signed DER (tbsCertificate / tbsCertList) with the default ID, as GM/T 0015 signs
 * them; anything else by WebCrypto (`webCrypto`). False, not an exception, for anything unusable.
 */
async function issuerSigned(
  parts: () => { tbs: Uint8Array; signatureOid: string; signature: Uint8Array },
  issuer: x509.X509Certificate,
  sm2: Sm2Engine,
  webCrypto: () => Promise<boolean>,
): Promise<boolean> {
  try {
    const { tbs, signatureOid, signature } = parts();
    if (signatureOid === SM2_OIDS.sm2SignWithSm3) {
      // WebCrypto has no SM2: the engine checks SM3(Z ‖ tbs) against the issuer's SM2 key.
      const key = sm2PublicKey(issuer);
      if (key === null) return false;
      return sm2.verify(tbs, ecdsaDerToRaw(signature, 32), key, SM2_DEFAULT_USER_ID);
    }
    return await webCrypto();
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

/** The path is built and valid: revocation, then the summary. */
async function finish(
  leaf: x509.X509Certificate,
  path: x509.X509Certificate[],
  trust: TrustList,
  at: Date,
  sm2: Sm2Engine,
  options: CertificateCheckOptions,
): Promise<CertificateCheck> {
  const checks = await revocationOfPath(path, trust, at, sm2);
  const revoked = checks.find((c) => c.status === 'revoked');
  if (revoked !== undefined) throw revokedError(revoked, leaf);
  const unknown = checks.filter((c) => c.status === 'unknown');
  const stale = checks.filter((c) => c.stale);
  if (options.requireFreshCrl === true && (unknown.length > 0 || stale.length > 0)) {
    const why = [
      ...unknown.map((c) => `no CRL of ${c.issuer}`),
      ...stale.map((c) => `the CRL of ${c.issuer} (${c.crl?.source ?? '?'}) is past its nextUpdate ${c.crl?.nextUpdate?.toISOString() ?? '(none)'}`),
    ];
    throw new SigningError('CRL_UNAVAILABLE', why.join('; '), {
      details: { subject: leaf.subject, serial: leaf.serialNumber, unknown: unknown.length, stale: stale.length },
    });
  }
  return {
    subject: leaf.subject,
    issuer: leaf.issuer,
    serial: leaf.serialNumber,
    notBefore: leaf.notBefore,
    notAfter: leaf.notAfter,
    path: path.map(derOf),
    revocation: unknown.length > 0 ? 'unknown' : 'good',
    crlStale: stale.length > 0,
    revocationChecks: checks,
  };
}

function revokedError(check: RevocationCheck, leaf: x509.X509Certificate): SigningError {
  const what = check.subject === leaf.subject && check.serial === leaf.serialNumber ? 'the certificate' : `the CA ${check.subject}`;
  const reason = check.reasonCode === null || check.reasonCode === undefined ? '' : `, reason ${check.reason ?? '?'} (${check.reasonCode})`;
  return new SigningError(
    'CERT_REVOKED',
    `${what} (serial ${check.serial}) revoked ${check.revokedAt?.toISOString() ?? '?'}${reason}, by the CRL of ${check.issuer} (${check.crl?.source ?? '?'})`,
    {
      details: {
        subject: check.subject,
        serial: check.serial,
        issuer: check.issuer,
        leaf: what === 'the certificate',
        revokedAt: check.revokedAt?.toISOString() ?? null,
        reasonCode: check.reasonCode ?? null,
        reason: check.reason ?? null,
        invalidityDate: check.invalidityDate?.toISOString() ?? null,
        crl: check.crl?.source ?? null,
        crlThisUpdate: check.crl?.thisUpdate.toISOString() ?? null,
        crlStale: check.stale,
      },
    },
  );
}

// ── revocation (CRLs) ─────────────────────────────────────────────────────────────────────────────

/**
 * Each certificate on the path (leaf first) against the newest CRL of the CA that issued it whose
 * signature verifies with that CA's key. The trust anchor itself is checked only when it is not
 * self-issued and its issuer is also in the trust list (a root beside its issuing CA). Time rule: a
 * certificate is revoked at `at` when it is on the CRL with a revocationDate at or before `at`; a
 * stale CRL (nextUpdate before `at`) still counts, and says so.
 */
export async function revocationOfPath(
  path: readonly x509.X509Certificate[],
  trust: TrustList,
  at: Date,
  sm2: Sm2Engine = sm2Engine,
): Promise<RevocationCheck[]> {
  const checks: RevocationCheck[] = [];
  for (let i = 0; i + 1 < path.length; i++) checks.push(await revocationOf(path[i]!, path[i + 1]!, trust, at, sm2));
  const top = path.at(-1);
  if (top !== undefined && !selfIssued(top)) {
    const above = await findIssuer(
      top,
      trust.anchors.filter((a) => !sameCertificate(a, top)),
      sm2,
    );
    if (above !== null) checks.push(await revocationOf(top, above, trust, at, sm2));
  }
  return checks;
}

async function revocationOf(cert: x509.X509Certificate, issuer: x509.X509Certificate, trust: TrustList, at: Date, sm2: Sm2Engine): Promise<RevocationCheck> {
  const base = { subject: cert.subject, serial: cert.serialNumber, issuer: issuer.subject };
  const crl = await currentCrl(issuer, trust, sm2);
  if (crl === null) return { ...base, status: 'unknown', crl: null, stale: false };
  const stale = crl.nextUpdate === null || crl.nextUpdate.getTime() < at.getTime();
  const used = { source: crl.source, thisUpdate: crl.thisUpdate, nextUpdate: crl.nextUpdate, crlNumber: crl.crlNumber?.toString() ?? null };
  const entry = crl.revoked.get(normalizeSerial(cert.serialNumber));
  if (entry === undefined) return { ...base, status: 'good', crl: used, stale };
  return {
    ...base,
    status: entry.revokedAt.getTime() <= at.getTime() ? 'revoked' : 'good',
    crl: used,
    stale,
    revokedAt: entry.revokedAt,
    reasonCode: entry.reasonCode,
    reason: entry.reason,
    invalidityDate: entry.invalidityDate,
  };
}

/** The newest CRL naming `issuer` as its issuer whose signature `issuer`'s key made; null if none. */
async function currentCrl(issuer: x509.X509Certificate, trust: TrustList, sm2: Sm2Engine): Promise<RevocationList | null> {
  if (trust.crls === undefined || trust.crls.length === 0) return null;
  const name = new Uint8Array(issuer.subjectName.toArrayBuffer());
  for (const crl of newestFirst(trust.crls.filter((c) => bytesEqual(c.issuerName, name)))) {
    if (await crlSignedBy(crl, issuer, sm2)) return crl;
  }
  return null;
}

/** Verdicts per CRL and issuer key (and SM2 engine): the signature depends on nothing else. */
const crlVerdicts = new WeakMap<RevocationList, Map<string, Promise<boolean>>>();

/** Whether `issuer` may sign CRLs (key usage cRLSign, when the extension is present) and its key signed `crl`. */
async function crlSignedBy(crl: RevocationList, issuer: x509.X509Certificate, sm2: Sm2Engine): Promise<boolean> {
  if (!maySignCrls(issuer)) return false;
  let byKey = crlVerdicts.get(crl);
  if (byKey === undefined) {
    byKey = new Map();
    crlVerdicts.set(crl, byKey);
  }
  const key = `${engineId(sm2)}:${base64(issuer.publicKey.rawData)}`;
  let verdict = byKey.get(key);
  if (verdict === undefined) {
    verdict = issuerSigned(
      () => crl,
      issuer,
      sm2,
      () => crl.crl.verify({ publicKey: issuer.publicKey }),
    );
    byKey.set(key, verdict);
  }
  return verdict;
}

function maySignCrls(cert: x509.X509Certificate): boolean {
  const ku = cert.getExtension<x509.KeyUsagesExtension>(KEY_USAGE_OID);
  return ku === null || (ku.usages & x509.KeyUsageFlags.cRLSign) !== 0;
}

function selfIssued(cert: x509.X509Certificate): boolean {
  return bytesEqual(new Uint8Array(cert.subjectName.toArrayBuffer()), new Uint8Array(cert.issuerName.toArrayBuffer()));
}

/** A CRL of the trust list that its CA's key verified: the one used for that CA. */
export interface AcceptedCrl {
  source: string;
  issuer: string;
  thisUpdate: Date;
  nextUpdate: Date | null;
  crlNumber: string | null;
  /** Entries on it. */
  revoked: number;
  /** nextUpdate before `at` (or none). */
  stale: boolean;
}

export interface CrlReport {
  /** The newest verified CRL of each CA of the trust list. */
  accepted: AcceptedCrl[];
  /** Everything not used and why: the trust list's own `problems` (unreadable, delta…) and the CRLs refused here. */
  problems: TrustListProblem[];
  /** CAs of the trust list with no verified CRL: revocation of what they issue is 'unknown'. */
  withoutCrl: string[];
}

/**
 * Checks every CRL of the trust list against the CAs of the trust list now, as the certificate check
 * would (same cache), and says what is used and what is not — for the log, once after loading. A CRL
 * whose issuer is not a CA of the list is reported too: it can still serve for an issuing CA that
 * arrives on a certificate's path (token or CMS), verified with that CA's key at that moment.
 */
export async function checkTrustListCrls(trust: TrustList, options: { sm2?: Sm2Engine; at?: Date } = {}): Promise<CrlReport> {
  const sm2 = options.sm2 ?? sm2Engine;
  const at = options.at ?? new Date();
  const problems: TrustListProblem[] = [...(trust.problems ?? [])];
  const anchors = trust.anchors.filter((a, i) => trust.anchors.findIndex((b) => sameCertificate(a, b)) === i);
  const verified = new Map<x509.X509Certificate, RevocationList[]>();
  for (const crl of trust.crls ?? []) {
    const named = anchors.filter((a) => bytesEqual(new Uint8Array(a.subjectName.toArrayBuffer()), crl.issuerName));
    if (named.length === 0) {
      problems.push({
        source: crl.source,
        reason: `its issuer ${crl.issuer} is not a CA of the trust list: used only if that CA's certificate comes on a certificate's path (token or CMS) and its key verifies the CRL`,
      });
      continue;
    }
    let signedByAny = false;
    for (const anchor of named) {
      if (!(await crlSignedBy(crl, anchor, sm2))) continue;
      signedByAny = true;
      verified.set(anchor, [...(verified.get(anchor) ?? []), crl]);
    }
    if (!signedByAny) {
      problems.push({
        source: crl.source,
        reason: named.some(maySignCrls)
          ? `its signature does not verify with the key of ${crl.issuer} (altered, or signed by another CA): ignored`
          : `the CA ${crl.issuer} may not sign CRLs (key usage without cRLSign): ignored`,
      });
    }
  }
  const accepted: AcceptedCrl[] = [];
  const withoutCrl: string[] = [];
  for (const anchor of anchors) {
    const [newest, ...older] = newestFirst(verified.get(anchor) ?? []);
    if (newest === undefined) {
      withoutCrl.push(anchor.subject);
      continue;
    }
    accepted.push({
      source: newest.source,
      issuer: newest.issuer,
      thisUpdate: newest.thisUpdate,
      nextUpdate: newest.nextUpdate,
      crlNumber: newest.crlNumber?.toString() ?? null,
      revoked: newest.revoked.size,
      stale: newest.nextUpdate === null || newest.nextUpdate.getTime() < at.getTime(),
    });
    for (const old of older) problems.push({ source: old.source, reason: `superseded by ${newest.source} (a newer CRL of ${newest.issuer}): not used` });
  }
  return { accepted, problems, withoutCrl };
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
