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

export const SIGNING_MESSAGES: Record<SigningErrorCode, { zh: string; en: string }> = {
  MODULE_LOAD_FAILED: { zh: '无法加载 USB Key 驱动程序', en: 'the USB key driver (PKCS#11 module) could not be loaded' },
  TOKEN_NOT_FOUND: { zh: '未检测到 USB Key，请插入', en: 'no USB key found; insert it' },
  TOKEN_REMOVED: { zh: 'USB Key 已拔出', en: 'the USB key was removed' },
  TOKEN_ERROR: { zh: 'USB Key 返回错误，请重新插入或联系工作人员', en: 'the USB key reported an error; re-insert it or call staff' },
  PIN_INCORRECT: { zh: 'PIN 码错误，请重新输入', en: 'wrong PIN; enter it again' },
  PIN_LOCKED: { zh: 'PIN 码已锁定，请联系工作人员', en: 'the PIN is locked; call staff' },
  PIN_FORMAT: { zh: 'PIN 码格式不正确', en: 'the PIN has the wrong format' },
  KEY_NOT_FOUND: { zh: 'USB Key 中没有可用的签名证书', en: 'no certificate with a matching private key on the USB key' },
  KEY_AMBIGUOUS: { zh: 'USB Key 中有多张签名证书，未指定使用哪一张', en: 'several signing certificates on the USB key and none was chosen' },
  ALGORITHM_UNSUPPORTED: { zh: '证书的密钥算法不受支持', en: 'the certificate key algorithm is not supported' },
  SIGNER_CLOSED: { zh: '签名会话已关闭，请重新输入 PIN 码', en: 'the signing session is closed; enter the PIN again' },
  SIGN_FAILED: { zh: '签名失败', en: 'signing failed' },
  CERT_MALFORMED: { zh: '证书格式错误', en: 'malformed certificate' },
  CERT_UNTRUSTED: { zh: '证书不是由受信任的 CA 签发', en: 'the certificate is not issued by a trusted CA' },
  CERT_EXPIRED: { zh: '证书已过期', en: 'the certificate has expired' },
  CERT_NOT_YET_VALID: { zh: '证书尚未生效', en: 'the certificate is not yet valid' },
  CERT_KEY_USAGE: { zh: '证书不能用于数字签名', en: 'the certificate is not valid for digital signatures' },
  CERT_REVOKED: { zh: '证书已吊销', en: 'the certificate has been revoked' },
  CRL_UNAVAILABLE: {
    zh: '无法确认证书是否已吊销（没有该 CA 的证书吊销列表，或吊销列表已过期）',
    en: 'the revocation status of the certificate is unavailable (no CRL of its CA, or the CRL is out of date)',
  },
  TRUST_LIST_EMPTY: { zh: '未配置受信任的 CA 证书', en: 'no trusted CA certificates are configured' },
  TRUST_LIST_BAD_FILE: { zh: '受信任 CA 证书文件无法读取', en: 'a trusted CA certificate file could not be read' },
  CMS_MALFORMED: { zh: '签名数据格式错误', en: 'malformed CMS signature' },
  CMS_DIGEST_MISMATCH: { zh: '签名与内容不符（内容已被改动）', en: 'the signature does not match the content (content changed)' },
  CMS_SIGNATURE_INVALID: { zh: '签名值无效', en: 'the signature value is invalid' },
  CMS_CERT_MISMATCH: { zh: '签名中的证书与签名者不符', en: 'the certificate in the signature does not match the signer' },
};

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
