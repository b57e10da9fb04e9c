import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { ecdsaDerToRaw, ecdsaRawToDer } from './ecdsa-der.ts';
import type { SignatureAlgorithm, Signer } from './signer.ts';
import { withDetail } from '../i18n/bilingual.ts';
import { SIGNING_MESSAGES, SigningError, type SigningErrorCode, type SigningErrorDetails } from './signing-errors.ts';
import { SM2_OIDS, type Sm2Engine } from './sm2.ts';
import { sm2Engine } from './sm2-engine.ts';
import {
  bytesEqual,
  checkSigningCertificate,
  parseCertificate,
  sm2PublicKey,
  toArrayBuffer,
  type CertificateCheck,
  type RevocationCheck,
  type TrustList,
} from './trust-list.ts';
import type * as x509 from './x509.ts';

export { ecdsaDerToRaw, ecdsaRawToDer };

/**
 * Detached CMS SignedData (RFC 5652) as `openssl cms -verify -binary -content <data>` expects it:
 * eContentType id-data without eContent, one SignerInfo identified by issuer and serial, signed
 * attributes contentType, messageDigest, signingTime and signingCertificateV2 (RFC 5035), the signer's
 * certificate and its path to the trust anchor included. The signature over the DER of the signed
 * attributes comes from `Signer.sign`, so the private key stays on the token.
 */

export const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  sha256: '2.16.840.1.101.3.4.2.1',
  rsaEncryption: '1.2.840.113549.1.1.1',
  sha256WithRsa: '1.2.840.113549.1.1.11',
  ecPublicKey: '1.2.840.10045.2.1',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
} as const;

export interface CmsOptions {
  trustList: TrustList;
  /** The signingTime attribute and the instant the certificate must be valid at; now by default. */
  signingTime?: Date;
  /** SM3/SM2 for 'SM2-SM3' signers and SM2-signed CA links; the built-in pure-JS engine (sm2-engine.ts) by default. */
  sm2?: Sm2Engine;
  /** Refuse (CRL_UNAVAILABLE) when revocation cannot be checked with a fresh CRL (see CertificateCheckOptions). */
  requireFreshCrl?: boolean;
}

export interface DetachedCms {
  /** DER ContentInfo. */
  der: Uint8Array;
  signingTime: Date;
  certificate: CertificateCheck;
}

export async function createDetachedCms(data: Uint8Array, signer: Signer, options: CmsOptions): Promise<DetachedCms> {
  // Second precision: UTCTime has no fractions, and the returned time must equal the signed one.
  const signingTime = new Date(Math.floor((options.signingTime ?? new Date()).getTime() / 1000) * 1000);
  const sm2 = options.sm2 ?? sm2Engine;
  // Refused here, before the token is touched: the signer's algorithm must be the one its certificate's
  // key implies, or the verifier (which goes by the certificate) could never accept the signature.
  const profile = algorithmProfile(signer.algorithm, sm2);
  const certified = algorithmOfCertificate(parseCertificate(signer.certificate));
  if (certified !== signer.algorithm) {
    throw new SigningError('ALGORITHM_UNSUPPORTED', `the signer says ${signer.algorithm}, its certificate holds a ${certified ?? 'different'} key`);
  }
  // Revocation included (CERT_REVOKED, at the signingTime about to be signed): the token is not asked.
  const check = await checkSigningCertificate(signer.certificate, signer.chain, options.trustList, signingTime, {
    sm2,
    ...(options.requireFreshCrl === undefined ? {} : { requireFreshCrl: options.requireFreshCrl }),
  });

  const cert = pkijsCertificate(signer.certificate);
  const messageDigest = await profile.digest(data);
  const certHash = await profile.digest(signer.certificate);

  const attributes = sortByDer([
    new pkijs.Attribute({ type: OID.contentType, values: [new asn1js.ObjectIdentifier({ value: OID.data })] }),
    new pkijs.Attribute({ type: OID.signingTime, values: [timeValue(signingTime)] }),
    new pkijs.Attribute({ type: OID.messageDigest, values: [new asn1js.OctetString({ valueHex: toArrayBuffer(messageDigest) })] }),
    new pkijs.Attribute({ type: OID.signingCertificateV2, values: [signingCertificateV2(cert, certHash, profile.digestOid)] }),
  ]);
  // The signature covers the attributes encoded as a SET OF (tag 0x31), not as the [0] in SignerInfo.
  const toBeSigned = new Uint8Array(new asn1js.Set({ value: attributes.map((a) => a.toSchema()) }).toBER(false));

  let raw: Uint8Array;
  try {
    raw = await signer.sign(toBeSigned);
  } catch (error) {
    if (error instanceof SigningError) throw error;
    throw new SigningError('SIGN_FAILED', (error as Error).message, { cause: error });
  }
  if (profile.rawLength !== undefined && raw.length !== profile.rawLength) {
    throw new SigningError('SIGN_FAILED', `${signer.algorithm} signature of ${raw.length} bytes, expected r‖s of ${profile.rawLength}`);
  }
  const signature = profile.rawIsRs ? ecdsaRawToDer(raw) : raw;

  const signerInfo = new pkijs.SignerInfo({
    version: 1,
    sid: new pkijs.IssuerAndSerialNumber({ issuer: cert.issuer, serialNumber: cert.serialNumber }),
    digestAlgorithm: algorithmId(profile.digestOid),
    signedAttrs: new pkijs.SignedAndUnsignedAttributes({ type: 0, attributes }),
    signatureAlgorithm: profile.signatureAlgorithm,
    signature: new asn1js.OctetString({ valueHex: toArrayBuffer(signature) }),
  });
  const signedData = new pkijs.SignedData({
    version: 1,
    digestAlgorithms: [algorithmId(profile.digestOid)],
    encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: OID.data }),
    certificates: check.path.map((der) => pkijsCertificate(der)),
    signerInfos: [signerInfo],
  });
  const contentInfo = new pkijs.ContentInfo({ contentType: OID.signedData, content: signedData.toSchema(true) });
  return { der: new Uint8Array(contentInfo.toSchema().toBER(false)), signingTime, certificate: check };
}

export type VerifyResult =
  | {
      ok: true;
      subject: string;
      issuer: string;
      serial: string;
      /** The signer's claim (signingTime attribute), not a trusted timestamp. */
      signingTime: Date | null;
      algorithm: SignatureAlgorithm;
      certificate: Uint8Array;
      /**
       * Revocation at the check time (signingTime by default), as in CertificateCheck: 'good' or 'unknown'
       * (no CRL of a CA on the path). Always set by verifyDetachedCms; optional only for results made elsewhere.
       */
      revocation?: 'good' | 'unknown';
      /** A CRL used was past its nextUpdate at the check time. */
      crlStale?: boolean;
      revocationChecks?: RevocationCheck[];
    }
  | {
      ok: false;
      code: SigningErrorCode;
      zh: string;
      en: string;
      subject: string | null;
      signingTime: Date | null;
      /** Structured facts of the failure, when it has some (CERT_REVOKED: revokedAt, reasonCode, reason, serial…). */
      details?: SigningErrorDetails;
    };

export interface VerifyOptions {
  /**
   * The certificate must be valid, and not revoked, at this instant; the signed signingTime (or now) by
   * default. So a signature made before its certificate's revocationDate still verifies.
   */
  at?: Date;
  /** As in CmsOptions: the built-in engine by default. */
  sm2?: Sm2Engine;
  /** As in CmsOptions: refuse CRL_UNAVAILABLE instead of answering revocation 'unknown' / crlStale. */
  requireFreshCrl?: boolean;
}

/**
 * Checks a detached CMS over `data` as a verifier who trusts only `trustList`: structure, the
 * messageDigest against the data, the signature over the signed attributes with the signer
 * certificate's key, signingCertificateV2 against that certificate, and the certificate's path to an
 * anchor, its validity, key usage and revocation (the trust list's CRLs) — all at the signingTime
 * attribute unless `at` says otherwise: a signature made before the certificate's revocationDate
 * still verifies, one made at or after it is CERT_REVOKED. Never throws for a bad signature: it says why.
 */
export async function verifyDetachedCms(
  data: Uint8Array,
  cms: Uint8Array,
  trustList: TrustList,
  options: VerifyOptions = {},
): Promise<VerifyResult> {
  let subject: string | null = null;
  let signingTime: Date | null = null;
  const fail = (code: SigningErrorCode, detail?: string, details?: SigningErrorDetails): VerifyResult => {
    const m = detail === undefined ? SIGNING_MESSAGES[code] : withDetail(SIGNING_MESSAGES[code], detail);
    return {
      ok: false,
      code,
      zh: m.zh,
      en: m.en,
      subject,
      signingTime,
      ...(details === undefined ? {} : { details }),
    };
  };
  try {
    const parsed = parseSignedData(cms);
    if (typeof parsed === 'string') return fail('CMS_MALFORMED', parsed);
    const { signedData, signerInfo, attrs } = parsed;

    const cert = (signedData.certificates ?? []).find(
      (c): c is pkijs.Certificate =>
        c instanceof pkijs.Certificate &&
        signerInfo.sid instanceof pkijs.IssuerAndSerialNumber &&
        c.issuer.isEqual(signerInfo.sid.issuer) &&
        c.serialNumber.isEqual(signerInfo.sid.serialNumber),
    );
    if (cert === undefined) return fail('CMS_MALFORMED', 'the signer certificate is not in the CMS');
    const certDer = new Uint8Array(cert.toSchema().toBER(false));
    const leaf = parseCertificate(certDer);
    subject = leaf.subject;

    const timeAttr = attrs.get(OID.signingTime);
    if (timeAttr instanceof asn1js.UTCTime || timeAttr instanceof asn1js.GeneralizedTime) signingTime = timeAttr.toDate();

    const algorithm = algorithmOfCertificate(leaf);
    if (algorithm === null) return fail('ALGORITHM_UNSUPPORTED', leaf.publicKey.algorithm.name);
    let profile: AlgorithmProfile;
    try {
      profile = algorithmProfile(algorithm, options.sm2 ?? sm2Engine);
    } catch (error) {
      return fail('ALGORITHM_UNSUPPORTED', (error as Error).message);
    }
    if (signerInfo.digestAlgorithm.algorithmId !== profile.digestOid) {
      return fail('ALGORITHM_UNSUPPORTED', `digest ${signerInfo.digestAlgorithm.algorithmId}`);
    }
    if (!profile.signatureOids.includes(signerInfo.signatureAlgorithm.algorithmId)) {
      return fail('ALGORITHM_UNSUPPORTED', `signature ${signerInfo.signatureAlgorithm.algorithmId}`);
    }

    const contentType = attrs.get(OID.contentType);
    if (!(contentType instanceof asn1js.ObjectIdentifier) || contentType.valueBlock.toString() !== OID.data) {
      return fail('CMS_MALFORMED', 'contentType attribute is not id-data');
    }
    const digestAttr = attrs.get(OID.messageDigest);
    if (!(digestAttr instanceof asn1js.OctetString)) return fail('CMS_MALFORMED', 'no messageDigest attribute');
    if (!bytesEqual(new Uint8Array(digestAttr.valueBlock.valueHexView), await profile.digest(data))) {
      return fail('CMS_DIGEST_MISMATCH');
    }

    const signedBytes = new Uint8Array(signerInfo.signedAttrs!.encodedValue);
    const signature = new Uint8Array(signerInfo.signature.valueBlock.valueHexView);
    if (!(await profile.verify(leaf, signedBytes, signature))) return fail('CMS_SIGNATURE_INVALID');

    const sigCert = attrs.get(OID.signingCertificateV2);
    if (sigCert !== undefined && !(await signingCertificateMatches(sigCert, certDer, profile))) {
      return fail('CMS_CERT_MISMATCH');
    }

    const others = (signedData.certificates ?? [])
      .filter((c): c is pkijs.Certificate => c instanceof pkijs.Certificate && c !== cert)
      .map((c) => new Uint8Array(c.toSchema().toBER(false)));
    // The time rule: validity and revocation at the signed signingTime (the signer's claim), unless `at`.
    const check = await checkSigningCertificate(leaf, others, trustList, options.at ?? signingTime ?? new Date(), {
      sm2: options.sm2 ?? sm2Engine,
      ...(options.requireFreshCrl === undefined ? {} : { requireFreshCrl: options.requireFreshCrl }),
    });
    return {
      ok: true,
      subject: check.subject,
      issuer: check.issuer,
      serial: check.serial,
      signingTime,
      algorithm,
      certificate: certDer,
      revocation: check.revocation,
      crlStale: check.crlStale,
      revocationChecks: check.revocationChecks,
    };
  } catch (error) {
    if (error instanceof SigningError) return fail(error.code, error.detail, error.details);
    return fail('CMS_MALFORMED', (error as Error).message);
  }
}

// ── algorithms ─────────────────────────────────────────────────────────────────────────────────

interface AlgorithmProfile {
  digestOid: string;
  digest(data: Uint8Array): Promise<Uint8Array>;
  signatureAlgorithm: pkijs.AlgorithmIdentifier;
  /** OIDs accepted as SignerInfo.signatureAlgorithm when verifying. */
  signatureOids: readonly string[];
  /** The signer returns r‖s, CMS carries DER. */
  rawIsRs: boolean;
  /** The exact r‖s length the signer must return, where the algorithm fixes it. */
  rawLength?: number;
  verify(cert: x509.X509Certificate, signed: Uint8Array, signatureDer: Uint8Array): Promise<boolean>;
}

async function sha256(data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', toArrayBuffer(data)));
}

function algorithmProfile(algorithm: SignatureAlgorithm, sm2: Sm2Engine): AlgorithmProfile {
  switch (algorithm) {
    case 'RSA-SHA256':
      return {
        digestOid: OID.sha256,
        digest: sha256,
        signatureAlgorithm: algorithmId(OID.rsaEncryption, new asn1js.Null()),
        signatureOids: [OID.rsaEncryption, OID.sha256WithRsa],
        rawIsRs: false,
        verify: async (cert, signed, sig) => {
          const key = await crypto.subtle.importKey('spki', cert.publicKey.rawData, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['verify']);
          return crypto.subtle.verify('RSASSA-PKCS1-v1_5', key, toArrayBuffer(sig), toArrayBuffer(signed));
        },
      };
    case 'ECDSA-SHA256':
      return {
        digestOid: OID.sha256,
        digest: sha256,
        signatureAlgorithm: algorithmId(OID.ecdsaWithSha256),
        signatureOids: [OID.ecdsaWithSha256],
        rawIsRs: true,
        verify: async (cert, signed, sig) => {
          const curve = (cert.publicKey.algorithm as EcKeyAlgorithm).namedCurve;
          const key = await crypto.subtle.importKey('spki', cert.publicKey.rawData, { name: 'ECDSA', namedCurve: curve }, false, ['verify']);
          const size = curve === 'P-384' ? 48 : curve === 'P-521' ? 66 : 32;
          const raw = ecdsaDerToRaw(sig, size);
          return crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, key, toArrayBuffer(raw), toArrayBuffer(signed));
        },
      };
    case 'SM2-SM3':
      // Digest SM3, signature sm2sign-with-sm3 without parameters, DER (r, s); Z from the default signer
      // ID 1234567812345678 (GM/T 0009). OpenSSL 3.0's `cms -verify` uses an empty ID instead (sm2-cms.test.ts).
      return {
        digestOid: SM2_OIDS.sm3,
        digest: async (data) => sm2.sm3(data),
        signatureAlgorithm: algorithmId(SM2_OIDS.sm2SignWithSm3),
        signatureOids: [SM2_OIDS.sm2SignWithSm3],
        rawIsRs: true,
        rawLength: 64,
        verify: async (cert, signed, sig) => {
          const point = sm2PublicKey(cert);
          return point !== null && sm2.verify(signed, ecdsaDerToRaw(sig, 32), point);
        },
      };
  }
}

function algorithmOfCertificate(cert: x509.X509Certificate): SignatureAlgorithm | null {
  // SM2 first: @peculiar/x509 reports an SM2 key as a bare id-ecPublicKey (no WebCrypto curve name).
  if (sm2PublicKey(cert) !== null) return 'SM2-SM3';
  const name = cert.publicKey.algorithm.name;
  if (name === 'RSASSA-PKCS1-v1_5' || name === 'RSA-PSS' || name === 'RSA-OAEP') return 'RSA-SHA256';
  if (name === 'ECDSA' || name === 'ECDH') return 'ECDSA-SHA256';
  return null;
}

// ── encoding helpers ───────────────────────────────────────────────────────────────────────────

function algorithmId(oid: string, params?: asn1js.AsnType): pkijs.AlgorithmIdentifier {
  return params === undefined
    ? new pkijs.AlgorithmIdentifier({ algorithmId: oid })
    : new pkijs.AlgorithmIdentifier({ algorithmId: oid, algorithmParams: params });
}

const pkijsParsed = new WeakMap<Uint8Array, pkijs.Certificate>();

function pkijsCertificate(der: Uint8Array): pkijs.Certificate {
  try {
    let cert = pkijsParsed.get(der);
    if (cert === undefined) {
      cert = pkijs.Certificate.fromBER(toArrayBuffer(der));
      pkijsParsed.set(der, cert);
    }
    return cert;
  } catch (error) {
    throw new SigningError('CERT_MALFORMED', (error as Error).message, { cause: error });
  }
}

/** RFC 5652: UTCTime for 1950–2049, GeneralizedTime otherwise. */
function timeValue(date: Date): asn1js.UTCTime | asn1js.GeneralizedTime {
  const year = date.getUTCFullYear();
  return year >= 1950 && year < 2050 ? new asn1js.UTCTime({ valueDate: date }) : new asn1js.GeneralizedTime({ valueDate: date });
}

/**
 * SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2 }; ESSCertIDv2 ::= SEQUENCE {
 * hashAlgorithm DEFAULT sha256 (so omitted for SHA-256), certHash OCTET STRING, issuerSerial
 * SEQUENCE { issuer GeneralNames (directoryName [4]), serialNumber } }.
 */
function signingCertificateV2(cert: pkijs.Certificate, certHash: Uint8Array, digestOid: string): asn1js.Sequence {
  const issuerSerial = new asn1js.Sequence({
    value: [
      new asn1js.Sequence({ value: [new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 4 }, value: [cert.issuer.toSchema()] })] }),
      cert.serialNumber,
    ],
  });
  const essCertId = new asn1js.Sequence({
    value: [
      ...(digestOid === OID.sha256 ? [] : [algorithmId(digestOid).toSchema()]),
      new asn1js.OctetString({ valueHex: toArrayBuffer(certHash) }),
      issuerSerial,
    ],
  });
  return new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [essCertId] })] });
}

async function signingCertificateMatches(value: asn1js.AsnType, certDer: Uint8Array, profile: AlgorithmProfile): Promise<boolean> {
  if (!(value instanceof asn1js.Sequence)) return false;
  const certs = value.valueBlock.value[0];
  if (!(certs instanceof asn1js.Sequence)) return false;
  const first = certs.valueBlock.value[0];
  if (!(first instanceof asn1js.Sequence)) return false;
  const hashNode = first.valueBlock.value.find((v) => v instanceof asn1js.OctetString);
  if (!(hashNode instanceof asn1js.OctetString)) return false;
  return bytesEqual(new Uint8Array(hashNode.valueBlock.valueHexView), await profile.digest(certDer));
}

/** DER requires a SET OF in ascending order of the elements' encodings. */
function sortByDer(attributes: pkijs.Attribute[]): pkijs.Attribute[] {
  const encoded = attributes.map((a) => ({ a, der: new Uint8Array(a.toSchema().toBER(false)) }));
  encoded.sort((x, y) => compareBytes(x.der, y.der));
  return encoded.map((e) => e.a);
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

interface ParsedSignedData {
  signedData: pkijs.SignedData;
  signerInfo: pkijs.SignerInfo;
  /** First value of each signed attribute, by OID. */
  attrs: Map<string, asn1js.AsnType>;
}

function parseSignedData(cms: Uint8Array): ParsedSignedData | string {
  const asn = asn1js.fromBER(toArrayBuffer(cms));
  if (asn.offset === -1) return 'not DER';
  const contentInfo = new pkijs.ContentInfo({ schema: asn.result });
  if (contentInfo.contentType !== OID.signedData) return 'not SignedData';
  const signedData = new pkijs.SignedData({ schema: contentInfo.content });
  if (signedData.encapContentInfo.eContent !== undefined) return 'not detached';
  if (signedData.signerInfos.length !== 1) return `${signedData.signerInfos.length} signers, expected 1`;
  const signerInfo = signedData.signerInfos[0]!;
  if (signerInfo.signedAttrs === undefined) return 'no signed attributes';
  const attrs = new Map<string, asn1js.AsnType>();
  for (const attr of signerInfo.signedAttrs.attributes) {
    if (attrs.has(attr.type)) return `attribute ${attr.type} twice`;
    const first = attr.values[0] as asn1js.AsnType | undefined;
    if (first !== undefined) attrs.set(attr.type, first);
  }
  return { signedData, signerInfo, attrs };
}
