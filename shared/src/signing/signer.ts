import { z } from 'zod';

/**
 * The seam between the booth and whatever holds the expert's private key. A PKCS#11 token is the
 * first implementation (pkcs11-provider.node.ts); an SKF (GM/T 0016) USB key is the planned second one
 * (see docs/SIGNING.md). Nothing above this interface knows which it is, and no implementation ever
 * exports the private key: `sign` hands bytes to the token and gets a signature back.
 */

export const SIGNATURE_ALGORITHMS = ['RSA-SHA256', 'ECDSA-SHA256', 'SM2-SM3'] as const;
export type SignatureAlgorithm = (typeof SIGNATURE_ALGORITHMS)[number];

export interface Signer {
  /** Stable for one key on one token, e.g. `pkcs11:<token serial>:<CKA_ID hex>`. */
  readonly id: string;
  /** The signer's X.509 certificate, DER. */
  readonly certificate: Uint8Array;
  /** Other certificates found with it (issuing CAs stored on the token), DER, nearest issuer first. */
  readonly chain: readonly Uint8Array[];
  readonly algorithm: SignatureAlgorithm;
  /**
   * Signs `data` (the whole message, not a digest). The signer hashes as its mechanism requires:
   * - RSA-SHA256: CKM_SHA256_RSA_PKCS on the token; returns the PKCS#1 v1.5 signature.
   * - ECDSA-SHA256: SHA-256 here, CKM_ECDSA over the digest; returns raw r‖s (2 × 32 bytes for P-256).
   * - SM2-SM3: SM3(Z‖M) with the default ID "1234567812345678"; returns raw r‖s (2 × 32 bytes).
   * Callers that need DER (CMS) convert r‖s with `ecdsaRawToDer` in cms.ts.
   * Throws SigningError TOKEN_REMOVED once the token is gone, SIGNER_CLOSED after close().
   */
  sign(data: Uint8Array): Promise<Uint8Array>;
  /** Ends the session (logs out). Idempotent. */
  close(): Promise<void>;
}

export interface TokenInfo {
  /** The provider's slot reference, passed back to `open` (PKCS#11: the CK_SLOT_ID in decimal). */
  slot: string;
  label: string;
  serial: string;
  manufacturer: string;
  model: string;
  /** The token wants a PIN before private-key use (CKF_LOGIN_REQUIRED). */
  loginRequired: boolean;
  /** The token says the user PIN is locked (CKF_USER_PIN_LOCKED): do not ask for it. */
  pinLocked: boolean;
  /** The token says the next wrong PIN locks it (CKF_USER_PIN_FINAL_TRY). */
  pinFinalTry: boolean;
}

export interface OpenOptions {
  /** Which key pair (CKA_ID, hex) when the token holds several signing certificates. */
  keyId?: string;
}

export interface TokenRemovedEvent {
  slot: string;
  serial: string;
  label: string;
  /** Signer ids that were open on the token; each now throws TOKEN_REMOVED. */
  signerIds: string[];
  /** When the removal was noticed (epoch ms). */
  detectedAt: number;
}

export interface TokenProvider {
  /** 'pkcs11' now; 'skf' for a GM/T 0016 vendor library later. */
  readonly kind: 'pkcs11' | 'skf';
  listTokens(): Promise<TokenInfo[]>;
  open(slot: string, pin: string, options?: OpenOptions): Promise<Signer>;
  /** Called once per removal of a token that has an open signer. Returns an unsubscribe function. */
  onRemoved(listener: (event: TokenRemovedEvent) => void): () => void;
  /** Closes every signer and unloads the module. */
  close(): Promise<void>;
}

/** A PIN as the on-screen keypad sends it. Tokens accept 4–16 characters; keypad PINs are digits. */
export const pinSchema = z.string().min(4).max(16).regex(/^[\x21-\x7e]+$/, 'printable ASCII only');
export const slotSchema = z.string().regex(/^\d{1,20}$/, 'a decimal slot id');
export const keyIdSchema = z.string().regex(/^(?:[0-9a-f]{2})+$/i, 'CKA_ID in hex');
