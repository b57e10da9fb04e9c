import * as asn1js from 'asn1js';
import { SigningError } from './signing-errors.ts';

/**
 * ECDSA and SM2 signatures travel as DER Ecdsa-Sig-Value (SEQUENCE { r INTEGER, s INTEGER }) in CMS and
 * X.509; tokens and WebCrypto speak raw r‖s. Re-exported by cms.ts.
 */

/** r‖s (two equal halves, big-endian) → DER Ecdsa-Sig-Value (as CMS and X.509 carry ECDSA and SM2). */
export function ecdsaRawToDer(raw: Uint8Array): Uint8Array {
  if (raw.length === 0 || raw.length % 2 !== 0) throw new SigningError('SIGN_FAILED', `ECDSA signature of ${raw.length} bytes`);
  const half = raw.length / 2;
  const integer = (bytes: Uint8Array): asn1js.Integer => {
    let start = 0;
    while (start < bytes.length - 1 && bytes[start] === 0) start++;
    const trimmed = bytes.subarray(start);
    const body = trimmed[0]! & 0x80 ? Uint8Array.of(0, ...trimmed) : trimmed;
    return new asn1js.Integer({ valueHex: toArrayBuffer(body) });
  };
  return new Uint8Array(new asn1js.Sequence({ value: [integer(raw.subarray(0, half)), integer(raw.subarray(half))] }).toBER(false));
}

/**
 * DER Ecdsa-Sig-Value → r‖s with each half `size` bytes (what WebCrypto verifies). Strict DER only:
 * the input must be exactly what `ecdsaRawToDer` writes for the same r and s (no trailing bytes, no
 * long-form lengths, minimal and non-negative INTEGERs), so one signature has one encoding.
 */
export function ecdsaDerToRaw(der: Uint8Array, size: number): Uint8Array {
  const asn = asn1js.fromBER(toArrayBuffer(der));
  const seq = asn.result;
  if (asn.offset === -1 || !(seq instanceof asn1js.Sequence) || seq.valueBlock.value.length !== 2) {
    throw new SigningError('CMS_MALFORMED', 'ECDSA signature is not a SEQUENCE of two INTEGERs');
  }
  const out = new Uint8Array(size * 2);
  seq.valueBlock.value.forEach((node, i) => {
    if (!(node instanceof asn1js.Integer)) throw new SigningError('CMS_MALFORMED', 'ECDSA signature part is not an INTEGER');
    let bytes = new Uint8Array(node.valueBlock.valueHexView);
    while (bytes.length > size && bytes[0] === 0) bytes = bytes.subarray(1);
    if (bytes.length > size) throw new SigningError('CMS_MALFORMED', 'ECDSA signature part too long');
    out.set(bytes, i * size + (size - bytes.length));
  });
  const canonical = ecdsaRawToDer(out);
  if (canonical.length !== der.length || canonical.some((b, i) => b !== der[i])) {
    throw new SigningError('CMS_MALFORMED', 'ECDSA signature is not in strict DER (trailing bytes, or a non-minimal or negative INTEGER)');
  }
  return out;
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}
