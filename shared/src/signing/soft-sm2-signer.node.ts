import { readFileSync } from 'node:fs';
import * as asn1js from 'asn1js';
import type { Signer } from './signer.ts';
import { SigningError } from './signing-errors.ts';
import { SM2_OIDS } from './sm2.ts';
import { sm2Engine, type Sm2SoftwareEngine } from './sm2-engine.ts';
import { bytesEqual, parseCertificate, sm2PublicKey } from './trust-list.ts';

/**
 * An SM2 signer whose private key is a file in this process: for tests and development only. A real
 * expert's SM2 key lives on a USB key and signs there, through an SKF (GM/T 0016) provider with the
 * vendor's library (docs/SIGNING.md); SoftHSM2, the PKCS#11 stand-in used for RSA and ECDSA, has no
 * SM2 mechanism, so this is what exercises the SM2 CMS path end to end.
 *
 * It reads the key as OpenSSL writes it: PKCS#8 (`PRIVATE KEY`, from `openssl genpkey` or
 * `openssl ecparam -genkey`) or SEC1 (`SM2 PRIVATE KEY` / `EC PRIVATE KEY`, from `openssl ec`), PEM or
 * DER; a PEM file may also hold the `SM2 PARAMETERS` block `ecparam` writes first. Encrypted keys are
 * refused. The key must be on sm2p256v1 and must be the certificate's key.
 *
 * `sign(data)` returns r‖s over SM3(Z ‖ data) with the default signer ID 1234567812345678, as the
 * `Signer` contract and cms.ts expect.
 */

export interface SoftSm2SignerOptions {
  /** PKCS#8 or SEC1 SM2 private key, PEM text or DER. */
  privateKey: string | Uint8Array;
  /** The signer's certificate, PEM text or DER. */
  certificate: string | Uint8Array;
  /** Issuing CAs (PEM or DER), nearest first. */
  chain?: readonly (string | Uint8Array)[];
  /** `Signer.id`; `soft-sm2:<certificate serial>` by default. */
  id?: string;
  engine?: Sm2SoftwareEngine;
}

export function createSoftSm2Signer(options: SoftSm2SignerOptions): Signer {
  const engine = options.engine ?? sm2Engine;
  const d = parseSm2PrivateKey(options.privateKey);
  const certificate = certificateDer(options.certificate);
  const parsed = parseCertificate(certificate);
  const certKey = sm2PublicKey(parsed);
  if (certKey === null) throw new SigningError('ALGORITHM_UNSUPPORTED', 'the certificate does not hold an SM2 key');
  if (!bytesEqual(engine.publicKeyOf(d), certKey)) {
    throw new SigningError('KEY_NOT_FOUND', 'the private key is not the certificate’s key');
  }
  const chain = (options.chain ?? []).map(certificateDer);
  let closed = false;
  return {
    id: options.id ?? `soft-sm2:${parsed.serialNumber}`,
    certificate,
    chain,
    algorithm: 'SM2-SM3',
    sign: async (data) => {
      if (closed) throw new SigningError('SIGNER_CLOSED');
      return engine.sign(data, d);
    },
    close: async () => {
      closed = true;
    },
  };
}

/** The same, reading the files (PEM or DER). */
export function softSm2SignerFromFiles(keyFile: string, certificateFile: string, chainFiles: readonly string[] = []): Signer {
  const read = (file: string): string | Uint8Array => {
    const bytes = new Uint8Array(readFileSync(file));
    return bytes[0] === 0x30 ? bytes : new TextDecoder().decode(bytes);
  };
  return createSoftSm2Signer({ privateKey: read(keyFile), certificate: read(certificateFile), chain: chainFiles.map(read) });
}

const EC_PUBLIC_KEY_OID = '1.2.840.10045.2.1';

/**
 * The private scalar d of an SM2 key in PKCS#8 (PrivateKeyInfo, algorithm id-ecPublicKey with the SM2
 * curve, or the SM2 OID itself) or SEC1 (ECPrivateKey) form, PEM or DER. Throws KEY_NOT_FOUND for an
 * unreadable or encrypted key, ALGORITHM_UNSUPPORTED for a key on another curve.
 */
export function parseSm2PrivateKey(key: string | Uint8Array): bigint {
  let der: Uint8Array;
  if (typeof key === 'string') {
    if (/-----BEGIN ENCRYPTED PRIVATE KEY-----/.test(key) || /Proc-Type: 4,ENCRYPTED/.test(key)) {
      throw new SigningError('KEY_NOT_FOUND', 'encrypted private key; decrypt it first (openssl pkey)');
    }
    const block = /-----BEGIN ((?:EC |SM2 )?PRIVATE KEY)-----([\s\S]+?)-----END \1-----/.exec(key);
    if (block === null) throw new SigningError('KEY_NOT_FOUND', 'no PRIVATE KEY block in the PEM text');
    der = Uint8Array.from(atob(block[2]!.replace(/\s+/g, '')), (c) => c.charCodeAt(0));
  } else {
    der = key;
  }
  const asn = asn1js.fromBER(der);
  if (asn.offset === -1 || !(asn.result instanceof asn1js.Sequence)) throw new SigningError('KEY_NOT_FOUND', 'the private key is not DER');
  const items = asn.result.valueBlock.value;

  // PKCS#8: SEQUENCE { version 0, AlgorithmIdentifier, OCTET STRING (ECPrivateKey), … }
  if (items[1] instanceof asn1js.Sequence && items[2] instanceof asn1js.OctetString) {
    const [oid, params] = items[1].valueBlock.value;
    const name = oid instanceof asn1js.ObjectIdentifier ? oid.valueBlock.toString() : '';
    const curve = params instanceof asn1js.ObjectIdentifier ? params.valueBlock.toString() : null;
    if (!((name === EC_PUBLIC_KEY_OID && curve === SM2_OIDS.curve) || name === SM2_OIDS.curve)) {
      throw new SigningError('ALGORITHM_UNSUPPORTED', `private key algorithm ${name}${curve === null ? '' : ` on ${curve}`}, not SM2`);
    }
    return parseSm2PrivateKey(new Uint8Array(items[2].valueBlock.valueHexView));
  }

  // SEC1: SEQUENCE { version 1, OCTET STRING d, [0] curve OID OPTIONAL, [1] public key OPTIONAL }
  const [version, secret] = items;
  if (!(version instanceof asn1js.Integer) || version.valueBlock.valueDec !== 1 || !(secret instanceof asn1js.OctetString)) {
    throw new SigningError('KEY_NOT_FOUND', 'neither a PKCS#8 nor a SEC1 EC private key');
  }
  const params = items.find((i) => i.idBlock.tagClass === 3 && i.idBlock.tagNumber === 0);
  if (params instanceof asn1js.Constructed) {
    const curve = params.valueBlock.value[0];
    const name = curve instanceof asn1js.ObjectIdentifier ? curve.valueBlock.toString() : 'explicit parameters';
    if (name !== SM2_OIDS.curve) throw new SigningError('ALGORITHM_UNSUPPORTED', `private key on ${name}, not SM2`);
  }
  let d = 0n;
  for (const byte of new Uint8Array(secret.valueBlock.valueHexView)) d = (d << 8n) | BigInt(byte);
  return d;
}

function certificateDer(cert: string | Uint8Array): Uint8Array {
  return new Uint8Array(parseCertificate(cert).rawData);
}
