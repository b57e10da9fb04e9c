import * as asn1js from 'asn1js';
import * as x509 from './x509.ts';

/**
 * Certificate revocation lists (RFC 5280 §5) as the trust list holds them: parsed and screened here,
 * pure and synchronous; whether a CRL's signature is its CA's is decided in trust-list.ts (the same
 * WebCrypto / SM2 code that checks certificate links), before the CRL is used for anything.
 *
 * Only complete CRLs of the CA that issued the certificate are supported. Refused when read, each with
 * a reason the caller logs: delta CRLs (deltaCRLIndicator), partitioned or indirect CRLs (an
 * issuingDistributionPoint limiting the scope, entries naming another certificateIssuer), CRLs with a
 * critical extension we do not know, and CRLs whose inner and outer signature algorithms differ.
 */

export const CRL_OIDS = {
  crlNumber: '2.5.29.20',
  deltaCrlIndicator: '2.5.29.27',
  issuingDistributionPoint: '2.5.29.28',
  reasonCode: '2.5.29.21',
  holdInstructionCode: '2.5.29.23',
  invalidityDate: '2.5.29.24',
  certificateIssuer: '2.5.29.29',
} as const;

/** RFC 5280 CRLReason names by code (7 is unused). */
export const CRL_REASONS: Readonly<Record<number, string>> = {
  0: 'unspecified',
  1: 'keyCompromise',
  2: 'cACompromise',
  3: 'affiliationChanged',
  4: 'superseded',
  5: 'cessationOfOperation',
  6: 'certificateHold',
  8: 'removeFromCRL',
  9: 'privilegeWithdrawn',
  10: 'aACompromise',
};

export interface RevokedCertificate {
  /** Hex, lower case, without leading zero bytes (see `normalizeSerial`). */
  serial: string;
  /** The CRL entry's revocationDate: from this instant on the certificate is revoked. */
  revokedAt: Date;
  /** CRLReason code, when the entry has one. */
  reasonCode: number | null;
  reason: string | null;
  /** invalidityDate, when present (reported, not used: the time rule goes by revokedAt). */
  invalidityDate: Date | null;
}

/** A CRL as read, NOT yet known to be its CA's: trust-list.ts verifies the signature before any use. */
export interface RevocationList {
  /** Where it came from (a file, "file (CRL 2)", "crl #1"): for problems and logs. */
  readonly source: string;
  readonly der: Uint8Array;
  /** The issuer as text, and as DER (compared byte for byte with the CA certificate's subject). */
  readonly issuer: string;
  readonly issuerName: Uint8Array;
  readonly thisUpdate: Date;
  /** Null when the CRL has none (RFC 5280 requires one; such a CRL counts as stale). */
  readonly nextUpdate: Date | null;
  readonly crlNumber: bigint | null;
  /** The signed tbsCertList (DER, as signed), the signature algorithm OID and the signature bits. */
  readonly tbs: Uint8Array;
  readonly signatureOid: string;
  readonly signature: Uint8Array;
  /** The parsed CRL (its WebCrypto `verify`). */
  readonly crl: x509.X509Crl;
  /** By normalised serial. */
  readonly revoked: ReadonlyMap<string, RevokedCertificate>;
}

/** Something found beside the trust anchors and not used, with why: for the caller's log. */
export interface TrustListProblem {
  source: string;
  reason: string;
}

const CRL_PEM = /-----BEGIN X509 CRL-----[\s\S]+?-----END X509 CRL-----/g;

/** The `X509 CRL` PEM blocks of a text (anything else in it is ignored). */
export function crlPemBlocks(text: string): string[] {
  return text.match(CRL_PEM) ?? [];
}

/** Serial numbers as compared: hex, lower case, leading zero bytes dropped (DER adds one before a high bit). */
export function normalizeSerial(hex: string): string {
  return hex.toLowerCase().replace(/^(?:00)+(?=[0-9a-f]{2})/, '');
}

/**
 * Reads the CRLs in `input` (DER bytes, or PEM text / bytes holding one or more `X509 CRL` blocks).
 * Never throws: what cannot be used becomes a problem.
 */
export function readCrls(input: Uint8Array | string, source: string): { crls: RevocationList[]; problems: TrustListProblem[] } {
  const crls: RevocationList[] = [];
  const problems: TrustListProblem[] = [];
  const text = typeof input === 'string' ? input : looksLikePem(input) ? new TextDecoder().decode(input) : null;
  if (text === null) {
    try {
      crls.push(parseCrl(input as Uint8Array, source));
    } catch (error) {
      problems.push({ source, reason: `not a usable CRL: ${(error as Error).message}` });
    }
    return { crls, problems };
  }
  const blocks = crlPemBlocks(text);
  if (blocks.length === 0) problems.push({ source, reason: 'no X509 CRL block (neither DER nor PEM CRL)' });
  blocks.forEach((block, i) => {
    const name = blocks.length === 1 ? source : `${source} (CRL ${i + 1})`;
    try {
      crls.push(parseCrl(block, name));
    } catch (error) {
      problems.push({ source: name, reason: `not a usable CRL: ${(error as Error).message}` });
    }
  });
  return { crls, problems };
}

function looksLikePem(bytes: Uint8Array): boolean {
  // "-----BEGIN" possibly after a BOM or whitespace; DER starts with 0x30.
  const head = new TextDecoder().decode(bytes.subarray(0, 64));
  return /^\uFEFF?\s*-----BEGIN /.test(head) || (bytes[0] !== 0x30 && head.includes('-----BEGIN '));
}

/**
 * Parses and screens one CRL (DER, or one PEM block). Throws an Error saying why it cannot be used:
 * not a CertificateList, a delta / partitioned / indirect CRL, an unknown critical extension, inner
 * and outer signature algorithms that differ. The signature is NOT checked here.
 */
export function parseCrl(input: Uint8Array | string, source: string): RevocationList {
  const der = typeof input === 'string' ? pemToDer(input) : new Uint8Array(input);
  const parts = crlParts(der);
  const crl = new x509.X509Crl(toArrayBuffer(der));
  const version = crl.version;
  if (version !== undefined && version !== 1) throw new Error(`CRL version ${version + 1}`);

  let crlNumber: bigint | null = null;
  for (const ext of crl.extensions) {
    switch (ext.type) {
      case CRL_OIDS.deltaCrlIndicator:
        throw new Error('a delta CRL (deltaCRLIndicator): not supported, only complete CRLs are used');
      case CRL_OIDS.issuingDistributionPoint: {
        const scope = distributionPointScope(ext.value);
        if (scope.length > 0) throw new Error(`a partitioned or indirect CRL (issuingDistributionPoint ${scope.join(', ')}): not supported`);
        break;
      }
      case CRL_OIDS.crlNumber:
        crlNumber = integerOf(ext.value);
        break;
      default:
        if (ext.critical) throw new Error(`unsupported critical extension ${ext.type}`);
    }
  }

  const revoked = new Map<string, RevokedCertificate>();
  for (const entry of crl.entries) {
    for (const ext of entry.extensions) {
      if (ext.type === CRL_OIDS.certificateIssuer) throw new Error('an indirect CRL (entry with certificateIssuer): not supported');
      if (ext.critical && ext.type !== CRL_OIDS.reasonCode && ext.type !== CRL_OIDS.invalidityDate) {
        throw new Error(`unsupported critical entry extension ${ext.type}`);
      }
    }
    const reasonCode = entry.reason ?? null;
    if (reasonCode === 8) throw new Error('removeFromCRL in a complete CRL (only delta CRLs may carry it)');
    const serial = normalizeSerial(entry.serialNumber);
    const item: RevokedCertificate = {
      serial,
      revokedAt: entry.revocationDate,
      reasonCode,
      reason: reasonCode === null ? null : (CRL_REASONS[reasonCode] ?? `reason ${reasonCode}`),
      invalidityDate: entry.invalidity ?? null,
    };
    const before = revoked.get(serial);
    if (before === undefined || item.revokedAt.getTime() < before.revokedAt.getTime()) revoked.set(serial, item);
  }

  const thisUpdate = crl.thisUpdate;
  if (Number.isNaN(thisUpdate.getTime())) throw new Error('no valid thisUpdate');
  return {
    source,
    der,
    issuer: crl.issuer,
    issuerName: new Uint8Array(crl.issuerName.toArrayBuffer()),
    thisUpdate,
    nextUpdate: crl.nextUpdate ?? null,
    crlNumber,
    tbs: parts.tbs,
    signatureOid: parts.signatureOid,
    signature: parts.signature,
    crl,
    revoked,
  };
}

/** Whether `a` supersedes `b` (same CA): the higher CRL number when both have one, else the later thisUpdate. */
export function isNewerCrl(a: RevocationList, b: RevocationList): boolean {
  if (a.crlNumber !== null && b.crlNumber !== null && a.crlNumber !== b.crlNumber) return a.crlNumber > b.crlNumber;
  return a.thisUpdate.getTime() > b.thisUpdate.getTime();
}

/** Newest first (see `isNewerCrl`). */
export function newestFirst(crls: readonly RevocationList[]): RevocationList[] {
  return [...crls].sort((a, b) => (isNewerCrl(a, b) ? -1 : isNewerCrl(b, a) ? 1 : 0));
}

// ── DER helpers ──────────────────────────────────────────────────────────────────────────────────

function pemToDer(pem: string): Uint8Array {
  const m = /-----BEGIN X509 CRL-----([\s\S]+?)-----END X509 CRL-----/.exec(pem);
  if (m === null) throw new Error('no X509 CRL block');
  const body = m[1]!.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body)) throw new Error('the PEM block is not base64');
  return Uint8Array.from(atob(body), (c) => c.charCodeAt(0));
}

/**
 * CertificateList ::= SEQUENCE { tbsCertList, signatureAlgorithm, signatureValue BIT STRING }: the tbs
 * as signed, the outer algorithm (which must equal tbsCertList.signature) and the signature bits.
 */
function crlParts(der: Uint8Array): { tbs: Uint8Array; signatureOid: string; signature: Uint8Array } {
  const asn = asn1js.fromBER(toArrayBuffer(der));
  if (asn.offset === -1 || !(asn.result instanceof asn1js.Sequence)) throw new Error('not DER');
  if (asn.offset !== der.length) throw new Error('bytes after the CRL');
  const [tbs, algorithm, signature] = asn.result.valueBlock.value;
  if (!(tbs instanceof asn1js.Sequence) || !(algorithm instanceof asn1js.Sequence) || !(signature instanceof asn1js.BitString)) {
    throw new Error('not a CertificateList SEQUENCE');
  }
  const oid = algorithm.valueBlock.value[0];
  if (!(oid instanceof asn1js.ObjectIdentifier)) throw new Error('no signature algorithm');
  // tbsCertList: [version INTEGER], signature AlgorithmIdentifier, issuer, …
  const fields = tbs.valueBlock.value;
  const inner = fields[0] instanceof asn1js.Integer ? fields[1] : fields[0];
  if (!(inner instanceof asn1js.Sequence) || !bytesEqual(new Uint8Array(inner.valueBeforeDecodeView), new Uint8Array(algorithm.valueBeforeDecodeView))) {
    throw new Error('the signature algorithm in tbsCertList differs from the outer one');
  }
  return {
    tbs: new Uint8Array(tbs.valueBeforeDecodeView),
    signatureOid: oid.valueBlock.toString(),
    signature: new Uint8Array(signature.valueBlock.valueHexView),
  };
}

/** The scope-limiting fields of an IssuingDistributionPoint that are present and set (a name alone is fine). */
function distributionPointScope(value: ArrayBuffer): string[] {
  const asn = asn1js.fromBER(value);
  if (asn.offset === -1 || !(asn.result instanceof asn1js.Sequence)) throw new Error('malformed issuingDistributionPoint');
  const names: Record<number, string> = {
    1: 'onlyContainsUserCerts',
    2: 'onlyContainsCACerts',
    3: 'onlySomeReasons',
    4: 'indirectCRL',
    5: 'onlyContainsAttributeCerts',
  };
  const scope: string[] = [];
  for (const field of asn.result.valueBlock.value) {
    const tag = field.idBlock.tagNumber;
    if (tag === 0) continue;
    const bytes = new Uint8Array(field.valueBeforeDecodeView);
    // BOOLEAN DEFAULT FALSE fields: an explicit FALSE (not DER, but seen) limits nothing.
    if (tag !== 3 && bytes.length === 3 && bytes[2] === 0) continue;
    scope.push(names[tag] ?? `[${tag}]`);
  }
  return scope;
}

function integerOf(value: ArrayBuffer): bigint {
  const asn = asn1js.fromBER(value);
  if (asn.offset === -1 || !(asn.result instanceof asn1js.Integer)) throw new Error('malformed CRL number');
  const bytes = new Uint8Array(asn.result.valueBlock.valueHexView);
  if (bytes.length === 0 || (bytes[0]! & 0x80) !== 0) throw new Error('malformed CRL number');
  return BigInt(`0x${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('') || '0'}`);
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}
