/**
 * The booth's USB key: one PKCS#11 provider per process, the key's presence for the session screen,
 * and `sign(kind, value, pin)` for the commitment letter and the score sheet.
 *
 * - Presence: every `pollMs` the token list is read (`C_GetSlotList` + `C_GetTokenInfo`; a token whose
 *   info no longer answers counts as gone, as does another key in its place once a key is bound).
 *   The provider's own removal watch (`onRemoved`, for a key with an open signer) triggers an
 *   immediate poll too. Listeners hear every change of { present, label, serial }.
 * - Binding: once the commitment is signed the session binds the key's serial (`bind`), so from then
 *   on only that key counts as present and only that key signs.
 * - Signing: the PIN opens a fresh signer for each signature (the keypad's PIN is proved every time:
 *   see SIGNING.md "Login"), the document is signed as canonical JSON into a detached CMS after the
 *   certificate was checked against the trust list, and the signer is closed again. One signature at
 *   a time. `signWith` lends the opened signer to a job instead (the report's PAdES signature).
 * - Errors become the contract's codes: PIN_INCORRECT, PIN_LOCKED, TOKEN_ABSENT, CERT_REJECTED,
 *   SIGNING_FAILED (the signing layer's code and Chinese text go along in `details`, with its facts
 *   as `signingDetails`: a revoked certificate's date and reason). The renderer shows CERT_REVOKED and
 *   CRL_UNAVAILABLE in their own words (booth-view.ts `signingErrorText`).
 * - Trust list and CRLs: `trustDir` is read at start and again whenever a file in it changes (a
 *   technician drops a new CRL in: the next signature uses it). CRL problems (unreadable, not signed
 *   by its CA, delta…), the CRLs in use and the CAs without one go to the log at every (re)load. A
 *   revoked certificate is refused before the key is asked to sign; revocation unknown (no CRL) is
 *   allowed unless `requireFreshCrl`.
 */
import { ApiError, type ErrorCode } from '@kawei/shared/errors.ts';
import { signCanonicalJson, type SignedDocument, type SignedDocumentKind } from '@kawei/shared/signing/canonical-signing.ts';
import { Pkcs11Provider } from '@kawei/shared/signing/pkcs11-provider.node.ts';
import { isSigningError, SigningError, type SigningErrorCode } from '@kawei/shared/signing/signing-errors.ts';
import type { CmsOptions } from '@kawei/shared/signing/cms.ts';
import type { Signer, TokenInfo, TokenProvider } from '@kawei/shared/signing/signer.ts';
import { loadTrustListFolder, trustFolderStamp } from '@kawei/shared/signing/trust-list.node.ts';
import { checkTrustListCrls, type TrustList } from '@kawei/shared/signing/trust-list.ts';

export type BoothSignKind = 'scores' | 'commitment' | 'preliminary' | 'report-dissent';

export interface BoothSignature {
  /** Epoch ms of the CMS signingTime. */
  signedAt: number;
  /** Subject CN of the signing certificate (a code name on the expert's key). */
  signer: string;
  /** The detached CMS, DER in base64 (= document.cms). */
  cmsBase64: string;
  /** The signed canonical JSON with its hash, the CMS and the signer's subject/issuer/serial. */
  document: SignedDocument;
  /** Serial of the key that signed (the session binds it after the commitment). */
  tokenSerial: string;
}

export interface TokenView {
  present: boolean;
  label: string | null;
  serial: string | null;
}

export interface BoothSignerOptions {
  modulePath: string;
  /** CA folder; without it every signature is refused CERT_REJECTED. */
  trustDir?: string;
  /** Only this slot counts (a reader with several); any token otherwise. */
  slot?: string;
  pollMs: number;
  /** A provider to use instead of loading `modulePath` (tests of the mapping). */
  provider?: TokenProvider;
  log?: (message: string) => void;
  /** Refuse to sign when a CA on the path has no CRL, or its CRL is past nextUpdate (CRL_UNAVAILABLE). Off: booths run offline. */
  requireFreshCrl?: boolean;
}

const DOCUMENT_KIND: Record<BoothSignKind, SignedDocumentKind> = {
  scores: 'score-sheet',
  commitment: 'commitment-letter',
  // The committee's preliminary review (committee-events.ts preliminarySignedPayloadSchema). Not yet in
  // SIGNED_DOCUMENT_KINDS (canonical-signing.ts): signCanonicalJson only writes the kind into the document.
  preliminary: 'preliminary-review',
  // A member's dissent from the report's draft (report-events.ts reportDissentPayloadSchema).
  'report-dissent': 'report-dissent',
};

const CODE_MAP: Partial<Record<SigningErrorCode, ErrorCode>> = {
  PIN_INCORRECT: 'PIN_INCORRECT',
  // The keypad sends 4–16 digits; a PIN the token cannot take is just a wrong PIN to the expert.
  PIN_FORMAT: 'PIN_INCORRECT',
  PIN_LOCKED: 'PIN_LOCKED',
  TOKEN_NOT_FOUND: 'TOKEN_ABSENT',
  TOKEN_REMOVED: 'TOKEN_ABSENT',
  SIGNER_CLOSED: 'TOKEN_ABSENT',
  CERT_MALFORMED: 'CERT_REJECTED',
  CERT_UNTRUSTED: 'CERT_REJECTED',
  CERT_EXPIRED: 'CERT_REJECTED',
  CERT_NOT_YET_VALID: 'CERT_REJECTED',
  CERT_KEY_USAGE: 'CERT_REJECTED',
  CERT_REVOKED: 'CERT_REJECTED',
  CRL_UNAVAILABLE: 'CERT_REJECTED',
  KEY_NOT_FOUND: 'CERT_REJECTED',
  KEY_AMBIGUOUS: 'CERT_REJECTED',
  ALGORITHM_UNSUPPORTED: 'CERT_REJECTED',
  TRUST_LIST_EMPTY: 'CERT_REJECTED',
  TRUST_LIST_BAD_FILE: 'CERT_REJECTED',
};

/** A signing-layer error (or anything else) as the booth contract's error. */
export function toBoothSigningError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (isSigningError(error)) {
    const code = CODE_MAP[error.code] ?? 'SIGNING_FAILED';
    return new ApiError(code, error.en, {
      signingCode: error.code,
      zh: error.zh,
      ...(error.details === undefined ? {} : { signingDetails: error.details }),
    });
  }
  return new ApiError('SIGNING_FAILED', `signing failed: ${(error as Error).message ?? String(error)}`);
}

/** CN of an RFC 4514-ish subject as @peculiar/x509 prints it ("CN=EXPERT-K7Q2, O=…"). */
export function commonName(subject: string): string {
  const m = /(?:^|,\s*)CN=((?:\\,|[^,])+)/.exec(subject);
  return m ? (m[1] as string).replace(/\\,/g, ',').trim() : subject;
}

export class BoothSigner {
  private provider: TokenProvider | null = null;
  private providerError: SigningError | null = null;
  private trust: { list: TrustList; stamp: string } | null = null;
  private token: TokenView & { slot: string | null } = { present: false, label: null, serial: null, slot: null };
  private boundSerial: string | null = null;
  private readonly listeners = new Set<(token: TokenView) => void>();
  private timer: NodeJS.Timeout | null = null;
  private stopRemoved: (() => void) | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private polling = false;
  private closed = false;
  private readonly log: (message: string) => void;

  constructor(private readonly options: BoothSignerOptions) {
    this.log = options.log ?? ((m) => console.warn(`[booth signer] ${m}`));
    try {
      this.provider = options.provider ?? new Pkcs11Provider({ modulePath: options.modulePath });
    } catch (error) {
      this.providerError = isSigningError(error) ? error : new SigningError('MODULE_LOAD_FAILED', (error as Error).message);
      this.log(`the USB key driver ${options.modulePath} could not be loaded: ${this.providerError.en}`);
    }
    if (this.provider) {
      this.stopRemoved = this.provider.onRemoved(() => void this.poll());
      void this.poll();
      this.timer = setInterval(() => void this.poll(), options.pollMs);
      this.timer.unref();
    }
    // Read the trust list (and log its CRLs) now rather than at the first signature; in the queue, so a
    // signature waits for it. A failure is logged here and thrown again by the signature.
    if (options.trustDir !== undefined) {
      this.queue = this.queue.then(() => this.trustList()).catch((error: unknown) => this.log(`the trust list could not be read: ${(error as Error).message}`));
    }
  }

  /** The key as the session shows it. */
  tokenView(): TokenView {
    return { present: this.token.present, label: this.token.label, serial: this.token.serial };
  }

  onTokenChange(listener: (token: TokenView) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** From now on only the key with this serial counts (null: any key again). Re-polls at once. */
  bind(serial: string | null): Promise<void> {
    this.boundSerial = serial;
    return this.poll();
  }

  get bound(): string | null {
    return this.boundSerial;
  }

  /** Reads the token list now and tells listeners about a change. */
  async poll(): Promise<void> {
    if (!this.provider || this.closed || this.polling) return;
    this.polling = true;
    try {
      let tokens: TokenInfo[];
      try {
        tokens = await this.provider.listTokens();
      } catch (error) {
        tokens = [];
        this.log(`listing the USB keys failed: ${(error as Error).message}`);
      }
      const t = this.pick(tokens);
      const next = t ? { present: true, label: t.label, serial: t.serial, slot: t.slot } : { present: false, label: null, serial: null, slot: null };
      const changed = next.present !== this.token.present || next.serial !== this.token.serial || next.label !== this.token.label;
      this.token = next;
      if (changed) {
        const view = this.tokenView();
        for (const listener of [...this.listeners]) {
          try {
            listener(view);
          } catch (error) {
            this.log(`a token listener failed: ${(error as Error).message}`);
          }
        }
      }
    } finally {
      this.polling = false;
    }
  }

  private pick(tokens: TokenInfo[]): TokenInfo | undefined {
    // A reader's empty slot can report an uninitialised token (SoftHSM2's free slot: no label, no
    // serial): that is no expert key.
    return tokens.find(
      (t) =>
        t.serial !== '' && (this.options.slot === undefined || t.slot === this.options.slot) && (this.boundSerial === null || t.serial === this.boundSerial),
    );
  }

  /**
   * Signs `value` as canonical JSON with the key in the booth. Throws ApiError PIN_INCORRECT,
   * PIN_LOCKED, TOKEN_ABSENT, CERT_REJECTED or SIGNING_FAILED.
   */
  sign(kind: BoothSignKind, value: unknown, pin: string): Promise<BoothSignature> {
    const run = this.queue.then(() => this.signNow(kind, value, pin));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async signNow(kind: BoothSignKind, value: unknown, pin: string): Promise<BoothSignature> {
    return this.withOpenSigner(pin, async (signer, cms, serial) => {
      const document = await signCanonicalJson(DOCUMENT_KIND[kind], value, signer, cms);
      return {
        signedAt: Date.parse(document.signedAt),
        signer: commonName(document.signer.subject),
        cmsBase64: document.cms,
        document,
        tokenSerial: serial,
      };
    });
  }

  /**
   * Runs `job` with the key opened by `pin` and the trust list, in the same queue as `sign()` and
   * with the same error mapping (PIN_INCORRECT, PIN_LOCKED, TOKEN_ABSENT, CERT_REJECTED,
   * SIGNING_FAILED): for signatures that are not canonical JSON, such as the report's PAdES CMS
   * (report/booth-report.node.ts). `cms` holds the trust list and the booth's CRL rule, to pass to
   * createDetachedCms as they are. The signer is closed when the job ends; the job must not keep it.
   */
  signWith<T>(pin: string, job: (signer: Signer, trustList: TrustList, cms: CmsOptions) => Promise<T>): Promise<T> {
    const run = this.queue.then(() => this.withOpenSigner(pin, (signer, cms) => job(signer, cms.trustList, cms)));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async withOpenSigner<T>(pin: string, job: (signer: Signer, cms: CmsOptions, serial: string) => Promise<T>): Promise<T> {
    if (this.closed) throw new ApiError('SIGNING_FAILED', 'the booth is shutting down');
    if (!this.provider) throw toBoothSigningError(this.providerError ?? new SigningError('MODULE_LOAD_FAILED'));
    try {
      const trustList = await this.trustList();
      await this.poll();
      const slot = this.token.slot;
      const serial = this.token.serial;
      if (!this.token.present || slot === null || serial === null) {
        throw new SigningError('TOKEN_NOT_FOUND', this.boundSerial === null ? undefined : 'the key that signed the commitment');
      }
      const signer = await this.provider.open(slot, pin);
      try {
        return await job(signer, { trustList, ...(this.options.requireFreshCrl === undefined ? {} : { requireFreshCrl: this.options.requireFreshCrl }) }, serial);
      } finally {
        await signer.close().catch(() => undefined);
      }
    } catch (error) {
      if (isSigningError(error, 'TOKEN_REMOVED')) void this.poll();
      if (isSigningError(error, 'CERT_REVOKED') || isSigningError(error, 'CRL_UNAVAILABLE')) this.log(`signature refused: ${error.en}`);
      throw toBoothSigningError(error);
    }
  }

  /** The trust list, read again when a file of `trustDir` changed (name, size or mtime). */
  private async trustList(): Promise<TrustList> {
    const dir = this.options.trustDir;
    if (dir === undefined) throw new SigningError('TRUST_LIST_EMPTY', 'no trustDir in the booth config');
    const stamp = trustFolderStamp(dir);
    if (this.trust && this.trust.stamp === stamp) return this.trust.list;
    const list = loadTrustListFolder(dir);
    this.trust = { list, stamp };
    await this.logCrls(dir, list);
    return list;
  }

  private async logCrls(dir: string, list: TrustList): Promise<void> {
    const report = await checkTrustListCrls(list);
    for (const problem of report.problems) this.log(`trust list ${dir}: CRL problem: ${problem.source}: ${problem.reason}`);
    for (const crl of report.accepted) {
      this.log(
        `trust list ${dir}: CRL ${crl.source} of ${crl.issuer} in use (number ${crl.crlNumber ?? '-'}, this update ${crl.thisUpdate.toISOString()}, ` +
          `next update ${crl.nextUpdate?.toISOString() ?? 'none'}, ${crl.revoked} revoked)${crl.stale ? ': STALE, past its next update (still used; get a new CRL)' : ''}`,
      );
    }
    for (const ca of report.withoutCrl) {
      this.log(`trust list ${dir}: no CRL of ${ca}: revocation of its certificates is unknown${this.options.requireFreshCrl ? ' (refused: requireFreshCrl)' : ' (allowed)'}`);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.stopRemoved?.();
    await this.queue;
    if (!this.options.provider) await this.provider?.close();
  }
}
