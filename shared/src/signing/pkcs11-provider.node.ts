import { createHash } from 'node:crypto';
import graphene from 'graphene-pk11';
import * as x509 from './x509.ts';
import { z } from 'zod';
import {
  keyIdSchema,
  pinSchema,
  slotSchema,
  type OpenOptions,
  type SignatureAlgorithm,
  type Signer,
  type TokenInfo,
  type TokenProvider,
  type TokenRemovedEvent,
} from './signer.ts';
import { SigningError } from './signing-errors.ts';
import { bytesEqual } from './trust-list.ts';

/**
 * PKCS#11 token provider on graphene-pk11 (pkcs11js underneath). Works with SoftHSM2 in tests and with
 * any vendor's PKCS#11 module for real USB keys.
 *
 * - One C_Initialize per module path per process (CKF_OS_LOCKING_OK: signing runs on libuv's thread
 *   pool through C_SignAsync while the removal poll calls from the main thread).
 * - Removal: SoftHSM2's C_WaitForSlotEvent does not report events (and pkcs11js has no async form, so
 *   a blocking wait would stall the event loop), so every `pollIntervalMs` the slot of each token with
 *   an open signer is checked: CKF_TOKEN_PRESENT in C_GetSlotInfo, C_GetTokenInfo answering, and the
 *   serial unchanged (a different key in the same slot is a removal too).
 * - Re-insertion: SoftHSM2 and several USB-key vendors' modules build their slot list at C_Initialize,
 *   so a key pulled out and put back (or first plugged in after start) stays invisible to a running
 *   process. While no key is present, `listTokens` initialises the module again (C_Finalize +
 *   C_Initialize; first `rescanIntervalMs` after the removal, then backing off to
 *   `rescanMaxIntervalMs`), but never while a signer of this provider is open or any token operation
 *   is still running (a key pulled mid-signature can keep C_SignAsync busy on a worker thread until a
 *   USB time-out, and C_Finalize under it is undefined behaviour), and only when this provider is the
 *   module's one user in the process: finalising would end other providers' sessions.
 */

export const DEFAULT_PKCS11_MODULE = '/usr/lib/softhsm/libsofthsm2.so';

export const pkcs11ProviderOptionsSchema = z.object({
  modulePath: z.string().min(1).default(DEFAULT_PKCS11_MODULE),
  /** Removal poll period. 200 ms keeps detection under the 500 ms the booth needs. */
  pollIntervalMs: z.number().int().min(20).max(1000).default(200),
  /**
   * While no key is present, how soon after a removal `listTokens` may re-initialise the module to find
   * a key put in (0: never). Each re-initialisation that finds nothing doubles the wait, up to
   * `rescanMaxIntervalMs`: C_Initialize runs on the main thread, and a booth may stand without a key.
   */
  rescanIntervalMs: z.number().int().min(0).max(60_000).default(1000),
  rescanMaxIntervalMs: z.number().int().min(0).max(600_000).default(8000),
});
export type Pkcs11ProviderOptions = z.input<typeof pkcs11ProviderOptionsSchema>;

type Lib = graphene.Module['lib'];
type Handle = Buffer;

// PKCS#11 v2.40 constants (numeric, so this file needs nothing beyond graphene-pk11).
const CKF_TOKEN_PRESENT = 0x1;
const CKF_OS_LOCKING_OK = 0x2;
const CKF_SERIAL_SESSION = 0x4;
const CKF_LOGIN_REQUIRED = 0x4;
const CKF_USER_PIN_FINAL_TRY = 0x20000;
const CKF_USER_PIN_LOCKED = 0x40000;
const CKU_USER = 1;
const CKO_CERTIFICATE = 1;
const CKO_PRIVATE_KEY = 3;
const CKC_X_509 = 0;
const CKA_CLASS = 0x0;
const CKA_VALUE = 0x11;
const CKA_CERTIFICATE_TYPE = 0x80;
const CKA_KEY_TYPE = 0x100;
const CKA_ID = 0x102;
const CKA_SIGN = 0x108;
const CKA_MODULUS = 0x120;
const CKK_RSA = 0x0;
const CKK_EC = 0x3;
const CKM_SHA256_RSA_PKCS = 0x40;
const CKM_ECDSA = 0x1041;

export const CKR = {
  GENERAL_ERROR: 0x5,
  DEVICE_ERROR: 0x30,
  DEVICE_REMOVED: 0x32,
  OBJECT_HANDLE_INVALID: 0x82,
  PIN_INCORRECT: 0xa0,
  PIN_INVALID: 0xa1,
  PIN_LEN_RANGE: 0xa2,
  PIN_EXPIRED: 0xa3,
  PIN_LOCKED: 0xa4,
  SESSION_CLOSED: 0xb0,
  SESSION_HANDLE_INVALID: 0xb3,
  TOKEN_NOT_PRESENT: 0xe0,
  TOKEN_NOT_RECOGNIZED: 0xe1,
  USER_ALREADY_LOGGED_IN: 0x100,
  USER_NOT_LOGGED_IN: 0x101,
} as const;

/** The CK_RV of a pkcs11js/graphene error, or null for anything else. */
export function pkcs11Code(error: unknown): number | null {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : null;
}

/**
 * Maps a failed C_Login / C_Sign to our codes. `present` says whether the token still answers, so a
 * session error after a pull reads TOKEN_REMOVED rather than a generic failure.
 */
export function mapPkcs11Error(error: unknown, during: 'login' | 'sign' | 'open', present: boolean): SigningError {
  if (error instanceof SigningError) return error;
  const code = pkcs11Code(error);
  const detail = `${during}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
  const options = { cause: error };
  switch (code) {
    case CKR.PIN_INCORRECT:
      return new SigningError('PIN_INCORRECT', undefined, options);
    case CKR.PIN_LOCKED:
      return new SigningError('PIN_LOCKED', undefined, options);
    case CKR.PIN_INVALID:
    case CKR.PIN_LEN_RANGE:
      return new SigningError('PIN_FORMAT', undefined, options);
    case CKR.PIN_EXPIRED:
      return new SigningError('PIN_LOCKED', 'PIN expired', options);
    case CKR.DEVICE_REMOVED:
    case CKR.TOKEN_NOT_PRESENT:
      return new SigningError('TOKEN_REMOVED', undefined, options);
  }
  if (!present) return new SigningError('TOKEN_REMOVED', detail, options);
  return new SigningError(during === 'sign' ? 'SIGN_FAILED' : 'TOKEN_ERROR', detail, options);
}

interface LoadedModule {
  module: graphene.Module;
  users: number;
}
const loaded = new Map<string, LoadedModule>();

function acquireModule(path: string): graphene.Module {
  const existing = loaded.get(path);
  if (existing !== undefined) {
    existing.users++;
    return existing.module;
  }
  let module: graphene.Module;
  try {
    module = graphene.Module.load(path, 'kawei-pkcs11');
    module.initialize({ flags: CKF_OS_LOCKING_OK });
  } catch (error) {
    throw new SigningError('MODULE_LOAD_FAILED', `${path}: ${(error as Error).message}`, { cause: error });
  }
  loaded.set(path, { module, users: 1 });
  return module;
}

function releaseModule(path: string): void {
  const entry = loaded.get(path);
  if (entry === undefined) return;
  entry.users--;
  if (entry.users > 0) return;
  loaded.delete(path);
  try {
    entry.module.finalize();
  } catch {
    // already finalised or the library is wedged: nothing more to do at shutdown
  }
}

/** C_Finalize + C_Initialize when `path` is loaded by exactly one provider; false otherwise. */
function reinitializeModule(path: string): boolean {
  const entry = loaded.get(path);
  if (entry === undefined || entry.users !== 1) return false;
  try {
    entry.module.finalize();
  } catch {
    // not initialised any more: initialise below all the same
  }
  try {
    entry.module.initialize({ flags: CKF_OS_LOCKING_OK });
  } catch (error) {
    throw new SigningError('MODULE_LOAD_FAILED', `${path}: re-initialising after a removal failed: ${(error as Error).message}`, { cause: error });
  }
  return true;
}

const slotId = (handle: Handle): string => handle.readBigUInt64LE(0).toString();
const trimmed = (s: string): string => s.replace(/[\s\0]+$/, '');

interface OpenToken {
  handle: Handle;
  serial: string;
  label: string;
  signers: Set<Pkcs11Signer>;
}

export class Pkcs11Provider implements TokenProvider {
  readonly kind = 'pkcs11' as const;
  private readonly options: z.output<typeof pkcs11ProviderOptionsSchema>;
  private readonly lib: Lib;
  private readonly listeners = new Set<(event: TokenRemovedEvent) => void>();
  /** Tokens with at least one open signer, by slot id. */
  private readonly open_ = new Map<string, OpenToken>();
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  /** Serials of the keys the last `listTokens` saw. */
  private lastSerials = new Set<string>();
  /** No key was present at the last `listTokens`: it may re-initialise the module. */
  private wantRescan = false;
  private lastRescanAt = 0;
  private rescanDelayMs: number;
  /** Token operations running now (on libuv's pool), of open and of removed signers alike. */
  private inFlight = 0;

  constructor(options: Pkcs11ProviderOptions = {}) {
    this.options = pkcs11ProviderOptionsSchema.parse(options);
    this.lib = acquireModule(this.options.modulePath).lib;
    this.rescanDelayMs = this.options.rescanIntervalMs;
  }

  get modulePath(): string {
    return this.options.modulePath;
  }

  async listTokens(): Promise<TokenInfo[]> {
    this.assertOpen();
    this.rescanIfDue();
    const out: TokenInfo[] = [];
    for (const handle of this.lib.C_GetSlotList(true)) {
      try {
        out.push(this.tokenInfo(handle));
      } catch {
        // a slot whose token vanished between the list and the query
      }
    }
    // An initialised token has a serial; SoftHSM2's spare slot (and some readers' empty ones) do not.
    const serials = new Set(out.map((t) => t.serial).filter((serial) => serial !== ''));
    if ([...this.lastSerials].some((serial) => !serials.has(serial))) this.keyRemoved();
    this.lastSerials = serials;
    this.wantRescan = serials.size === 0;
    return out;
  }

  /** A key went away: look for one again soon. */
  private keyRemoved(): void {
    this.wantRescan = true;
    this.rescanDelayMs = this.options.rescanIntervalMs;
    this.lastRescanAt = Date.now();
  }

  /** See "Re-insertion" above. */
  private rescanIfDue(): void {
    if (!this.wantRescan || this.options.rescanIntervalMs === 0 || this.open_.size > 0 || this.inFlight > 0) return;
    const now = Date.now();
    if (now - this.lastRescanAt < this.rescanDelayMs) return;
    this.lastRescanAt = now;
    if (reinitializeModule(this.options.modulePath)) {
      this.rescanDelayMs = Math.max(this.options.rescanIntervalMs, Math.min(this.rescanDelayMs * 2, this.options.rescanMaxIntervalMs));
    }
  }

  /** @internal Brackets a token operation, so no re-initialisation runs under it. */
  async operation<T>(job: () => Promise<T>): Promise<T> {
    this.inFlight++;
    try {
      return await job();
    } finally {
      this.inFlight--;
    }
  }

  async open(slot: string, pin: string, options: OpenOptions = {}): Promise<Signer> {
    this.assertOpen();
    const slotParsed = slotSchema.safeParse(slot);
    if (!slotParsed.success) throw new SigningError('TOKEN_NOT_FOUND', `slot ${JSON.stringify(slot)}`);
    if (!pinSchema.safeParse(pin).success) throw new SigningError('PIN_FORMAT');
    if (options.keyId !== undefined && !keyIdSchema.safeParse(options.keyId).success) {
      throw new SigningError('KEY_NOT_FOUND', `key id ${JSON.stringify(options.keyId)}`);
    }
    const handle = this.lib.C_GetSlotList(true).find((h) => slotId(h) === slot);
    if (handle === undefined) throw new SigningError('TOKEN_NOT_FOUND', `slot ${slot}`);
    let info: TokenInfo;
    try {
      info = this.tokenInfo(handle);
    } catch (error) {
      throw mapPkcs11Error(error, 'open', false);
    }
    if (info.pinLocked) throw new SigningError('PIN_LOCKED');

    let session: Handle;
    try {
      session = this.lib.C_OpenSession(handle, CKF_SERIAL_SESSION);
    } catch (error) {
      throw mapPkcs11Error(error, 'open', this.present(handle, info.serial));
    }
    try {
      if (info.loginRequired) this.login(session, pin);
      const pair = this.findKeyPair(session, options.keyId);
      const signer = new Pkcs11Signer(this, session, info, pair);
      this.track(handle, info).signers.add(signer);
      return signer;
    } catch (error) {
      try {
        this.lib.C_CloseSession(session);
      } catch {
        // the token may be gone
      }
      throw mapPkcs11Error(error, 'login', this.present(handle, info.serial));
    }
  }

  onRemoved(listener: (event: TokenRemovedEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    for (const token of [...this.open_.values()]) for (const signer of [...token.signers]) await signer.close();
    this.stopPolling();
    this.closed = true;
    releaseModule(this.options.modulePath);
  }

  // ── internals used by Pkcs11Signer ────────────────────────────────────────────────────────────

  /** @internal */
  libFor(): Lib {
    return this.lib;
  }

  /** @internal Whether the token with `serial` still answers in `handle`'s slot. */
  present(handle: Handle, serial: string): boolean {
    try {
      if ((this.lib.C_GetSlotInfo(handle).flags & CKF_TOKEN_PRESENT) === 0) return false;
      return trimmed(this.lib.C_GetTokenInfo(handle).serialNumber) === serial;
    } catch {
      return false;
    }
  }

  /** @internal */
  forget(signer: Pkcs11Signer): void {
    const token = this.open_.get(signer.slot);
    if (token === undefined) return;
    token.signers.delete(signer);
    if (token.signers.size === 0) {
      this.open_.delete(signer.slot);
      // Closing the last session logs the token out (PKCS#11 §5.6): the next open must prove the PIN.
      if (this.open_.size === 0) this.stopPolling();
    }
  }

  /** @internal Runs one poll now (used when a sign fails, so the error names the removal). */
  poll(): void {
    for (const [slot, token] of [...this.open_]) {
      if (this.present(token.handle, token.serial)) continue;
      this.open_.delete(slot);
      this.keyRemoved();
      const ids = [...token.signers].map((s) => s.id);
      for (const signer of token.signers) signer.markRemoved();
      const event: TokenRemovedEvent = { slot, serial: token.serial, label: token.label, signerIds: ids, detectedAt: Date.now() };
      for (const listener of [...this.listeners]) {
        try {
          listener(event);
        } catch {
          // a listener's failure must not stop the others from locking the screen
        }
      }
    }
    if (this.open_.size === 0) this.stopPolling();
  }

  private tokenInfo(handle: Handle): TokenInfo {
    const t = this.lib.C_GetTokenInfo(handle);
    return {
      slot: slotId(handle),
      label: trimmed(t.label),
      serial: trimmed(t.serialNumber),
      manufacturer: trimmed(t.manufacturerID),
      model: trimmed(t.model),
      loginRequired: (t.flags & CKF_LOGIN_REQUIRED) !== 0,
      pinLocked: (t.flags & CKF_USER_PIN_LOCKED) !== 0,
      pinFinalTry: (t.flags & CKF_USER_PIN_FINAL_TRY) !== 0,
    };
  }

  /**
   * C_Login. CKR_USER_ALREADY_LOGGED_IN is not an error (login state is per process and token, so a
   * second session on a token we already opened gets it), but it is no proof of this PIN either: log
   * out and in again so a wrong PIN on the keypad is refused whatever else is open.
   */
  private login(session: Handle, pin: string): void {
    try {
      this.lib.C_Login(session, CKU_USER, pin);
      return;
    } catch (error) {
      if (pkcs11Code(error) !== CKR.USER_ALREADY_LOGGED_IN) throw error;
    }
    try {
      this.lib.C_Logout(session);
    } catch (error) {
      if (pkcs11Code(error) !== CKR.USER_NOT_LOGGED_IN) throw error;
    }
    try {
      this.lib.C_Login(session, CKU_USER, pin);
    } catch (error) {
      if (pkcs11Code(error) !== CKR.USER_ALREADY_LOGGED_IN) throw error;
    }
  }

  /** @internal The private key with CKA_ID `idHex` (after SoftHSM renumbered handles, say), or null. */
  findPrivateKey(session: Handle, idHex: string): Handle | null {
    this.lib.C_FindObjectsInit(session, [
      { type: CKA_CLASS, value: CKO_PRIVATE_KEY },
      { type: CKA_ID, value: Buffer.from(idHex, 'hex') },
    ]);
    try {
      return this.lib.C_FindObjects(session, 1)[0] ?? null;
    } finally {
      this.lib.C_FindObjectsFinal(session);
    }
  }

  private findKeyPair(session: Handle, keyId: string | undefined): KeyPair {
    const find = (template: { type: number; value: number | boolean | Buffer }[]): Handle[] => {
      this.lib.C_FindObjectsInit(session, template);
      try {
        return this.lib.C_FindObjects(session, 100);
      } finally {
        this.lib.C_FindObjectsFinal(session);
      }
    };
    const keys = find([
      { type: CKA_CLASS, value: CKO_PRIVATE_KEY },
      { type: CKA_SIGN, value: true },
    ]).map((key) => {
      const attrs = this.lib.C_GetAttributeValue(session, key, [{ type: CKA_ID }, { type: CKA_KEY_TYPE }]);
      return { key, id: (attrs[0]?.value as Buffer | undefined) ?? Buffer.alloc(0), type: (attrs[1]?.value as Buffer).readUInt32LE(0) };
    });
    const certs = find([
      { type: CKA_CLASS, value: CKO_CERTIFICATE },
      { type: CKA_CERTIFICATE_TYPE, value: CKC_X_509 },
    ]).map((handle) => {
      const attrs = this.lib.C_GetAttributeValue(session, handle, [{ type: CKA_ID }, { type: CKA_VALUE }]);
      const der = new Uint8Array(attrs[1]?.value as Buffer);
      return { id: (attrs[0]?.value as Buffer | undefined) ?? Buffer.alloc(0), der, cert: new x509.X509Certificate(der) };
    });

    let pairs = certs.flatMap((c) => {
      const key = keys.find((k) => k.id.length > 0 && k.id.equals(c.id));
      return key === undefined ? [] : [{ ...c, key: key.key, keyType: key.type }];
    });
    if (keyId !== undefined) pairs = pairs.filter((p) => p.id.toString('hex') === keyId.toLowerCase());
    else if (pairs.length > 1) {
      // Chinese USB keys often hold a signing and an encryption certificate: keep the signing ones.
      const signing = pairs.filter((p) => {
        const ku = p.cert.getExtension<x509.KeyUsagesExtension>('2.5.29.15');
        return ku === null || (ku.usages & (x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation)) !== 0;
      });
      if (signing.length > 0) pairs = signing;
    }
    if (pairs.length === 0) throw new SigningError('KEY_NOT_FOUND', keyId === undefined ? undefined : `CKA_ID ${keyId}`);
    if (pairs.length > 1) throw new SigningError('KEY_AMBIGUOUS', pairs.map((p) => p.id.toString('hex')).join(', '));
    const pair = pairs[0]!;

    let algorithm: SignatureAlgorithm;
    const publicName = pair.cert.publicKey.algorithm.name;
    if (pair.keyType === CKK_RSA && publicName.startsWith('RSA')) {
      algorithm = 'RSA-SHA256';
      // The certificate must be for this key: compare the modulus (a public attribute of the private key).
      const modulus = this.lib.C_GetAttributeValue(session, pair.key, [{ type: CKA_MODULUS }])[0]?.value as Buffer | undefined;
      if (modulus !== undefined && !certificateHasModulus(pair.cert, modulus)) {
        throw new SigningError('KEY_NOT_FOUND', `certificate ${pair.id.toString('hex')} does not match its key`);
      }
    } else if (pair.keyType === CKK_EC && (publicName === 'ECDSA' || publicName === 'ECDH')) {
      algorithm = 'ECDSA-SHA256';
    } else {
      throw new SigningError('ALGORITHM_UNSUPPORTED', `key type ${pair.keyType}, certificate ${publicName}`);
    }
    const chain = issuerChain(pair.cert, certs.map((c) => c.cert));
    return { key: pair.key, id: pair.id.toString('hex'), certificate: pair.der, chain, algorithm };
  }

  private track(handle: Handle, info: TokenInfo): OpenToken {
    let token = this.open_.get(info.slot);
    if (token === undefined) {
      token = { handle, serial: info.serial, label: info.label, signers: new Set() };
      this.open_.set(info.slot, token);
    }
    if (this.timer === null) {
      this.timer = setInterval(() => this.poll(), this.options.pollIntervalMs);
      this.timer.unref();
    }
    return token;
  }

  private stopPolling(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  private assertOpen(): void {
    if (this.closed) throw new SigningError('SIGNER_CLOSED', 'provider closed');
  }
}

interface KeyPair {
  key: Handle;
  id: string;
  certificate: Uint8Array;
  chain: Uint8Array[];
  algorithm: SignatureAlgorithm;
}

function certificateHasModulus(cert: x509.X509Certificate, modulus: Buffer): boolean {
  // SubjectPublicKeyInfo → BIT STRING → RSAPublicKey SEQUENCE { modulus INTEGER, … }: find the bytes.
  const spki = new Uint8Array(cert.publicKey.rawData);
  let m = modulus;
  while (m.length > 1 && m[0] === 0) m = m.subarray(1);
  outer: for (let i = 0; i + m.length <= spki.length; i++) {
    for (let j = 0; j < m.length; j++) if (spki[i + j] !== m[j]) continue outer;
    return true;
  }
  return false;
}

/** The CA certificates on the token that certify `leaf`, nearest first (by subject/issuer names). */
function issuerChain(leaf: x509.X509Certificate, all: x509.X509Certificate[]): Uint8Array[] {
  const chain: Uint8Array[] = [];
  let current = leaf;
  for (let i = 0; i < 6; i++) {
    const issuerName = new Uint8Array(current.issuerName.toArrayBuffer());
    const next = all.find(
      (c) => c !== current && bytesEqual(new Uint8Array(c.subjectName.toArrayBuffer()), issuerName) && !bytesEqual(new Uint8Array(c.rawData), new Uint8Array(leaf.rawData)),
    );
    if (next === undefined || chain.some((d) => bytesEqual(d, new Uint8Array(next.rawData)))) break;
    chain.push(new Uint8Array(next.rawData));
    if (bytesEqual(new Uint8Array(next.subjectName.toArrayBuffer()), new Uint8Array(next.issuerName.toArrayBuffer()))) break;
    current = next;
  }
  return chain;
}

class Pkcs11Signer implements Signer {
  readonly id: string;
  readonly certificate: Uint8Array;
  readonly chain: readonly Uint8Array[];
  readonly algorithm: SignatureAlgorithm;
  readonly slot: string;
  private state: 'open' | 'closed' | 'removed' = 'open';
  private queue: Promise<unknown> = Promise.resolve();
  private readonly handle: Handle;
  private readonly serial: string;
  private key: Handle;
  private readonly keyId: string;

  constructor(
    private readonly provider: Pkcs11Provider,
    private readonly session: Handle,
    info: TokenInfo,
    pair: KeyPair,
  ) {
    this.id = `pkcs11:${info.serial}:${pair.id}`;
    this.certificate = pair.certificate;
    this.chain = pair.chain;
    this.algorithm = pair.algorithm;
    this.slot = info.slot;
    this.serial = info.serial;
    this.key = pair.key;
    this.keyId = pair.id;
    this.handle = Buffer.alloc(8);
    this.handle.writeBigUInt64LE(BigInt(info.slot));
  }

  sign(data: Uint8Array): Promise<Uint8Array> {
    // One operation at a time per session (PKCS#11 sessions are not concurrent).
    const run = this.queue.then(() => this.signNow(data));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** The bare token operation (what `measureSigning` calls raw): the mechanism over `input` as given. */
  async signMechanismInput(input: Uint8Array): Promise<Uint8Array> {
    this.assertUsable();
    const lib = this.provider.libFor();
    const mechanism = this.algorithm === 'RSA-SHA256' ? CKM_SHA256_RSA_PKCS : CKM_ECDSA;
    const once = () =>
      this.provider.operation(async () => {
        lib.C_SignInit(this.session, { mechanism }, this.key);
        return new Uint8Array(await lib.C_SignAsync(this.session, Buffer.from(input.buffer, input.byteOffset, input.byteLength), Buffer.alloc(1024)));
      });
    try {
      try {
        return await once();
      } catch (error) {
        // SoftHSM2 renumbers object handles when another process changes the token; the key is
        // still there under its CKA_ID.
        if (pkcs11Code(error) !== CKR.OBJECT_HANDLE_INVALID || !this.provider.present(this.handle, this.serial)) throw error;
        const key = this.provider.findPrivateKey(this.session, this.keyId);
        if (key === null) throw error;
        this.key = key;
        return await once();
      }
    } catch (error) {
      this.provider.poll();
      if (this.state === 'removed') throw new SigningError('TOKEN_REMOVED', undefined, { cause: error });
      throw mapPkcs11Error(error, 'sign', this.provider.present(this.handle, this.serial));
    }
  }

  private async signNow(data: Uint8Array): Promise<Uint8Array> {
    if (this.algorithm === 'RSA-SHA256') return this.signMechanismInput(data);
    return this.signMechanismInput(createHash('sha256').update(data).digest());
  }

  async close(): Promise<void> {
    if (this.state === 'open') {
      try {
        this.provider.libFor().C_CloseSession(this.session);
      } catch {
        // token gone: its sessions are gone with it
      }
    }
    if (this.state !== 'removed') this.state = 'closed';
    this.provider.forget(this);
  }

  /** @internal */
  markRemoved(): void {
    if (this.state === 'open') {
      try {
        this.provider.libFor().C_CloseSession(this.session);
      } catch {
        // expected: the token is gone
      }
    }
    this.state = 'removed';
  }

  private assertUsable(): void {
    if (this.state === 'removed') throw new SigningError('TOKEN_REMOVED');
    if (this.state === 'closed') throw new SigningError('SIGNER_CLOSED');
  }
}

export type { Pkcs11Signer };
