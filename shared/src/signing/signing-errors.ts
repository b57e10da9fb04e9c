import { type MessagePair, messagePair } from '../i18n/bilingual.ts';

/**
 * Errors of the signing layer. The code is the contract (the booth maps it to a screen: PIN keypad
 * again, "call staff", lock); `zh` is shown first, `en` goes to logs and technicians.
 */
export const SIGNING_ERROR_CODES = [
  'MODULE_LOAD_FAILED',
  'TOKEN_NOT_FOUND',
  'TOKEN_REMOVED',
  'TOKEN_ERROR',
  'PIN_INCORRECT',
  'PIN_LOCKED',
  'PIN_FORMAT',
  'KEY_NOT_FOUND',
  'KEY_AMBIGUOUS',
  'ALGORITHM_UNSUPPORTED',
  'SIGNER_CLOSED',
  'SIGN_FAILED',
  'CERT_MALFORMED',
  'CERT_UNTRUSTED',
  'CERT_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_KEY_USAGE',
  'CERT_REVOKED',
  'CRL_UNAVAILABLE',
  'TRUST_LIST_EMPTY',
  'TRUST_LIST_BAD_FILE',
  'CMS_MALFORMED',
  'CMS_DIGEST_MISMATCH',
  'CMS_SIGNATURE_INVALID',
  'CMS_CERT_MISMATCH',
] as const;

export type SigningErrorCode = (typeof SIGNING_ERROR_CODES)[number];

/** Both texts of each code, from the catalogue (shared/src/i18n/catalogue/signing.ts). */
export const SIGNING_MESSAGES: Readonly<Record<SigningErrorCode, MessagePair>> = Object.fromEntries(
  SIGNING_ERROR_CODES.map((code) => [code, messagePair(`signing.${code}`)]),
) as Record<SigningErrorCode, MessagePair>;

/** Structured facts about an error (JSON values only, so they can cross IPC), e.g. CERT_REVOKED's revocation date and reason. */
export type SigningErrorDetails = Readonly<Record<string, string | number | boolean | null>>;

export interface SigningErrorOptions extends ErrorOptions {
  details?: SigningErrorDetails;
}

export class SigningError extends Error {
  override readonly name = 'SigningError';
  readonly zh: string;
  readonly en: string;
  /** Structured facts, when the code has some (CERT_REVOKED: subject, serial, revokedAt, reasonCode, reason…). */
  readonly details?: SigningErrorDetails;
  constructor(
    readonly code: SigningErrorCode,
    /** Extra detail for logs (e.g. the PKCS#11 return value); appended to both texts. */
    readonly detail?: string,
    options?: SigningErrorOptions,
  ) {
    const m = SIGNING_MESSAGES[code];
    const en = detail === undefined ? m.en : `${m.en} (${detail})`;
    super(en, options);
    this.en = en;
    this.zh = detail === undefined ? m.zh : `${m.zh}（${detail}）`;
    if (options?.details !== undefined) this.details = options.details;
  }
}

export function isSigningError(error: unknown, code?: SigningErrorCode): error is SigningError {
  return error instanceof SigningError && (code === undefined || error.code === code);
}
