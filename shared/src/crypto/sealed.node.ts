/**
 * Authenticated encryption at rest for small records (face templates, enrolled photos): AES-256-GCM
 * with a fresh 96-bit nonce per record and the record's identity as additional data, so a row copied
 * onto another person (or another model, or another day) fails to open instead of being believed.
 * The key comes from a 0600 key file (face-template-store.node.ts `loadOrCreateKeyFile`).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export const SEAL_NONCE_BYTES = 12;
export const SEAL_TAG_BYTES = 16;

export interface Sealed {
  nonce: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

/** `parts` of the additional data are joined with NUL after a purpose label, e.g. ('kawei-gate-face-v1', date, expert, model). */
export function sealAad(purpose: string, ...parts: string[]): Buffer {
  return Buffer.from([purpose, ...parts].join('\0'), 'utf8');
}

export function seal(key: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Sealed {
  const nonce = randomBytes(SEAL_NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: SEAL_TAG_BYTES });
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { nonce, ciphertext, tag: cipher.getAuthTag() };
}

/** Throws when the key, the additional data or any byte of the record is wrong. */
export function openSealed(key: Uint8Array, sealed: Sealed, aad: Uint8Array): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.nonce, { authTagLength: SEAL_TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(sealed.tag);
  return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]);
}

/** The bytes of a Float32Array (no copy). */
export function floatBytes(v: Float32Array): Buffer {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

/** A Float32Array of `count` values copied out of `bytes` from `offset` (alignment-safe). */
export function floatsFrom(bytes: Uint8Array, count: number, offset = 0): Float32Array {
  const out = new Float32Array(count);
  new Uint8Array(out.buffer).set(bytes.subarray(offset, offset + count * 4));
  return out;
}
