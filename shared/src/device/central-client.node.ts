import { z } from 'zod';
import type { KeyObject } from 'node:crypto';
import { ApiError, apiErrorBodySchema } from '../errors.ts';
import {
  CENTRAL_PATHS,
  deviceMeResponseSchema,
  enrolResponseSchema,
  healthResponseSchema,
  type DeviceMeResponse,
  type EnrolRequest,
  type EnrolResponse,
} from '../api/central-http.ts';
import {
  DEVICE_AUTH_HEADERS,
  centralResponseMessage,
  deviceRequestMessage,
} from '../api/device-auth.ts';
import { publicKeyFromBase64, signText, verifyText } from '../crypto/ed25519.node.ts';
import { randomToken, sha256Hex } from '../crypto/hash.node.ts';
import { BOOTH_FILE_PATH } from '../api/booth-roster.ts';
import { reportFilePath } from '../report/report-view.ts';
import { WebSocket } from 'ws';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { PinnedCentralAgent, pinnedRequest, readBody } from './pinned-tls.node.ts';
import {
  SYNC_PATHS,
  headResponseSchema,
  pullResponseSchema,
  pushResponseSchema,
  type HeadResponse,
  type PullResponse,
  type PushRequest,
  type PushResponse,
} from '../sync/sync-http.ts';

export const CENTRAL_REQUEST_TIMEOUT_MS = 8000;

export interface CentralClientOptions {
  /**
   * The central's TLS key: the full SHA-256 of its SPKI once enrolled, or at enrolment the prefix
   * (≥ 32 hex digits) the technician typed. No byte is sent to a server with another key.
   */
  tlsPin: string;
  timeoutMs?: number;
  now?: () => number;
}

/**
 * Talks HTTPS to the central, over a connection pinned to its TLS key (PinnedCentralAgent). Every
 * failure becomes an ApiError with a code the UI can translate: the central's own refusal keeps its
 * code; another key at the address is CENTRAL_TLS_MISMATCH; no answer is CENTRAL_UNREACHABLE; an
 * answer that is not ours (wrong shape, missing or wrong central signature) is CENTRAL_BAD_RESPONSE.
 */
export class CentralClient {
  /**
   * Central clock − device clock, learnt when the central refuses a request as stale. Booth PCs run
   * for months on a UPS without a time server; a drifted clock must not stop sync, so the request
   * timestamps (replay protection) follow the central's clock while event times stay the device's
   * own (the central records their skew). The central's time is taken only from its signed refusal
   * (bound to this request's fresh nonce), never from an unsigned answer such as /api/health.
   */
  private clockOffsetMs = 0;
  readonly agent: PinnedCentralAgent;
  private readonly timeoutMs: number;
  private readonly now: () => number;

  constructor(
    readonly baseUrl: string,
    options: CentralClientOptions,
  ) {
    this.agent = new PinnedCentralAgent(options.tlsPin);
    this.timeoutMs = options.timeoutMs ?? CENTRAL_REQUEST_TIMEOUT_MS;
    this.now = options.now ?? Date.now;
  }

  get clockOffset(): number {
    return this.clockOffsetMs;
  }

  /** The full SHA-256 of the central's TLS key met on the last connection that matched the pin. */
  get seenTlsKey(): string | null {
    return this.agent.seenSpki;
  }

  /** Closes idle keep-alive connections. */
  close(): void {
    this.agent.destroy();
  }

  /**
   * Runs a signed call; if the central refuses its timestamp as stale, takes the central's time from
   * that refusal — accepted only because its signature by the pinned key over this request's nonce
   * verified — and retries once.
   */
  private async withClockCorrection<T>(call: () => Promise<T>): Promise<T> {
    const sentAt = this.now();
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof ApiError) || error.code !== 'REQUEST_STALE') throw error;
      const centralTime = signedCentralTime(error);
      if (centralTime === null) throw error;
      const receivedAt = this.now();
      this.clockOffsetMs = centralTime - (sentAt + receivedAt) / 2;
      return call();
    }
  }

  private deviceTimestamp(): number {
    return Math.round(this.now() + this.clockOffsetMs);
  }

  /** The central's unsigned liveness answer: for people and scripts, never for the device's clock. */
  async health(): Promise<z.infer<typeof healthResponseSchema>> {
    const res = await this.send('GET', CENTRAL_PATHS.health, undefined, {});
    return parseBody(healthResponseSchema, res.body, res.status);
  }

  async enrol(request: EnrolRequest): Promise<EnrolResponse> {
    const body = JSON.stringify(request);
    const res = await this.send('POST', CENTRAL_PATHS.enrol, body, { 'content-type': 'application/json' });
    return parseBody(enrolResponseSchema, res.body, res.status);
  }

  private async send(
    method: string,
    path: string,
    body: string | undefined,
    headers: Record<string, string>,
    timeoutMs = this.timeoutMs,
    cancel?: AbortSignal,
  ): Promise<{ status: number; body: string; headers: IncomingHttpHeaders }> {
    const timeout = AbortSignal.timeout(timeoutMs);
    const url = this.baseUrl + path;
    const signal = cancel ? AbortSignal.any([timeout, cancel]) : timeout;
    const response = await pinnedRequest(this.agent, url, { method, headers, body, signal });
    const text = (await readBody(response, MAX_ANSWER_BYTES, url)).toString('utf8');
    return { status: response.statusCode ?? 0, body: text, headers: response.headers };
  }

  /** A request signed with the device key; the answer must carry the pinned central's signature. */
  async signedRequest(
    credentials: DeviceCredentials,
    method: 'GET' | 'POST',
    path: string,
    payload?: unknown,
    timeoutMs?: number,
    cancel?: AbortSignal,
  ): Promise<{ status: number; body: string }> {
    const body = payload === undefined ? '' : JSON.stringify(payload);
    const { headers, nonce } = signedHeaders(credentials, method, path, body, this.deviceTimestamp());
    if (payload !== undefined) headers['content-type'] = 'application/json';
    const res = await this.send(method, path, payload === undefined ? undefined : body, headers, timeoutMs, cancel);
    const centralSignature = res.headers[DEVICE_AUTH_HEADERS.centralSignature];
    const genuine =
      typeof centralSignature === 'string' &&
      verifyText(
        credentials.centralPublicKey,
        centralResponseMessage(nonce, res.status, sha256Hex(res.body)),
        centralSignature,
      );
    if (!genuine) {
      throw new ApiError(
        'CENTRAL_BAD_RESPONSE',
        `${this.baseUrl}${path}: answer not signed by the central this device enrolled with (HTTP ${res.status})`,
      );
    }
    return { status: res.status, body: res.body };
  }

  /** Parses an answer that signedRequest verified: a refusal in it is marked as the central's own. */
  private static parseSigned<T>(schema: z.ZodType<T>, res: { status: number; body: string }): T {
    return parseBody(schema, res.body, res.status, true);
  }

  async deviceMe(credentials: DeviceCredentials): Promise<DeviceMeResponse> {
    return this.withClockCorrection(async () => {
      const res = await this.signedRequest(credentials, 'GET', CENTRAL_PATHS.deviceMe);
      return CentralClient.parseSigned(deviceMeResponseSchema, res);
    });
  }

  /** Upstream sync: one batch. A refusal is an ApiError (SYNC_GAP carries { expectedSeq, ackedSeq }). */
  async push(credentials: DeviceCredentials, request: PushRequest): Promise<PushResponse> {
    return this.withClockCorrection(async () => {
      const res = await this.signedRequest(credentials, 'POST', SYNC_PATHS.push, request, PUSH_TIMEOUT_MS);
      return CentralClient.parseSigned(pushResponseSchema, res);
    });
  }

  async head(credentials: DeviceCredentials): Promise<HeadResponse> {
    return this.withClockCorrection(async () => {
      const res = await this.signedRequest(credentials, 'GET', SYNC_PATHS.head);
      return CentralClient.parseSigned(headResponseSchema, res);
    });
  }

  /**
   * One tender file (`GET BOOTH_FILE_PATH`), signed like every device request, for a booth seated on
   * a project that lists it. The bytes are returned only if their SHA-256 equals `sha256` — the hash
   * the booth got in the central-signed `project.booth` message — and the central's signature over
   * (nonce, status, that hash) verifies; anything else is an error and no byte is returned, so the
   * caller writes nothing. The answer is read with a cap (`expectedBytes`, else `maxBytes`) and
   * abandoned as soon as it goes over. Refusals keep the central's code (NOT_FOUND: no project lists
   * the file; UNAUTHORIZED with HTTP 403: this booth is not seated on one).
   */
  async fetchFile(credentials: DeviceCredentials, sha256: string, options: FetchFileOptions = {}): Promise<Uint8Array> {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new ApiError('BAD_INPUT', `not a SHA-256 hex digest: ${sha256}`);
    const cap = options.expectedBytes ?? options.maxBytes ?? MAX_FETCH_FILE_BYTES;
    if (!Number.isInteger(cap) || cap < 0) throw new ApiError('BAD_INPUT', `bad size cap: ${cap}`);
    return this.withClockCorrection(() => this.fetchFileOnce(credentials, sha256, cap, options));
  }

  /**
   * One PDF of the evaluation report (`GET REPORT_FILE_PATH`: the draft, the final PDF or a signed
   * head), for a booth of the committee — with exactly the rules of `fetchFile`: the bytes only if
   * they hash to `sha256` and the central signed the answer, nothing kept otherwise.
   */
  async fetchReportFile(credentials: DeviceCredentials, sha256: string, options: Omit<FetchFileOptions, 'resource'> = {}): Promise<Uint8Array> {
    return this.fetchFile(credentials, sha256, { ...options, resource: 'report' });
  }

  private async fetchFileOnce(credentials: DeviceCredentials, sha256: string, cap: number, options: FetchFileOptions): Promise<Uint8Array> {
    const path = options.resource === 'report' ? reportFilePath(sha256) : BOOTH_FILE_PATH.replace(':sha256', sha256);
    const url = this.baseUrl + path;
    const { headers, nonce } = signedHeaders(credentials, 'GET', path, '', this.deviceTimestamp());
    const timeout = AbortSignal.timeout(options.timeoutMs ?? FETCH_FILE_TIMEOUT_MS);
    const signal = options.cancel ? AbortSignal.any([timeout, options.cancel]) : timeout;
    const response = await pinnedRequest(this.agent, url, { method: 'GET', headers, signal });
    const status = response.statusCode ?? 0;
    const genuine = (bodySha256: string) => {
      const signature = response.headers[DEVICE_AUTH_HEADERS.centralSignature];
      return typeof signature === 'string' && verifyText(credentials.centralPublicKey, centralResponseMessage(nonce, status, bodySha256), signature);
    };

    if (status !== 200) {
      // A refusal is small JSON, signed like any other answer.
      const text = (await readBody(response, 64 * 1024, url)).toString('utf8');
      if (!genuine(sha256Hex(text))) {
        throw new ApiError('CENTRAL_BAD_RESPONSE', `${url}: answer not signed by the central this device enrolled with (HTTP ${status})`);
      }
      parseBody(z.unknown(), text, status, true);
      throw new ApiError('CENTRAL_BAD_RESPONSE', `${url}: HTTP ${status} instead of the file`);
    }

    const declared = Number(response.headers['content-length'] ?? NaN);
    if (Number.isFinite(declared) && declared > cap) {
      response.destroy();
      throw new ApiError('CENTRAL_BAD_RESPONSE', `${url}: the file is ${declared} bytes, more than the ${cap} expected`, { bytes: declared, cap });
    }
    const bytes = options.onProgress ? await readBodyCounting(response, cap, url, Number.isFinite(declared) ? declared : (options.expectedBytes ?? 0), options.onProgress) : await readBody(response, cap, url);
    const actual = sha256Hex(bytes);
    if (actual !== sha256) {
      throw new ApiError('CENTRAL_BAD_RESPONSE', `${url}: the file received does not match its SHA-256 (got ${actual}); it was not kept`, {
        expected: sha256,
        actual,
      });
    }
    if (options.expectedBytes !== undefined && bytes.length !== options.expectedBytes) {
      throw new ApiError('CENTRAL_BAD_RESPONSE', `${url}: the file has ${bytes.length} bytes, the project says ${options.expectedBytes}`);
    }
    if (!genuine(actual)) {
      throw new ApiError('CENTRAL_BAD_RESPONSE', `${url}: file not signed by the central this device enrolled with`);
    }
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /**
   * Downstream long poll: messages after `cursor`, the central holding the request up to `waitMs`.
   * `cancel` ends it early (the app is closing).
   */
  async pull(credentials: DeviceCredentials, cursor: number, waitMs: number, cancel?: AbortSignal): Promise<PullResponse> {
    const path = `${SYNC_PATHS.pull}?cursor=${cursor}&waitMs=${waitMs}`;
    return this.withClockCorrection(async () => {
      const res = await this.signedRequest(credentials, 'GET', path, undefined, waitMs + this.timeoutMs, cancel);
      return CentralClient.parseSigned(pullResponseSchema, res);
    });
  }

  /**
   * Downstream live stream: a WebSocket whose upgrade is signed like any device request. Resolves
   * once the central's 101 answer proves (by its signature) that it is the pinned central.
   * `onFrame` is attached when the socket is created: the central sends its backlog right behind the
   * 101, often in the same packet, and a listener attached after this promise resolves would miss it.
   */
  openStream(credentials: DeviceCredentials, cursor: number, onFrame: (text: string) => void): Promise<WebSocket> {
    return this.withClockCorrection(() => this.openStreamOnce(credentials, cursor, onFrame));
  }

  private openStreamOnce(credentials: DeviceCredentials, cursor: number, onFrame: (text: string) => void): Promise<WebSocket> {
    const path = `${SYNC_PATHS.stream}?cursor=${cursor}`;
    const { headers, nonce } = signedHeaders(credentials, 'GET', path, '', this.deviceTimestamp());
    const url = this.baseUrl.replace(/^https:/, 'wss:') + path;
    return new Promise((resolve, reject) => {
      if (!url.startsWith('wss:')) {
        reject(new ApiError('CENTRAL_URL_INVALID', `${this.baseUrl}: the central is reached over https only`));
        return;
      }
      // The pinned agent opens the socket: the signed upgrade is written only to the central's key.
      const ws = new WebSocket(url, { headers, agent: this.agent, handshakeTimeout: this.timeoutMs, maxPayload: 16 * 1024 * 1024 });
      let verified = false;
      ws.on('message', (data) => {
        if (verified) onFrame(String(data));
      });
      ws.once('upgrade', (res) => {
        const signature = res.headers[DEVICE_AUTH_HEADERS.centralSignature];
        verified =
          typeof signature === 'string' &&
          verifyText(credentials.centralPublicKey, centralResponseMessage(nonce, 101, sha256Hex('')), signature);
      });
      ws.once('open', () => {
        if (verified) return resolve(ws);
        ws.terminate();
        reject(new ApiError('CENTRAL_BAD_RESPONSE', `${url}: stream not opened by the central this device enrolled with`));
      });
      ws.once('unexpected-response', (_req, res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => {
          try {
            // A refusal counts (and its time may set the clock) only if the pinned central signed it.
            const status = res.statusCode ?? 500;
            const signature = res.headers[DEVICE_AUTH_HEADERS.centralSignature];
            const signed =
              typeof signature === 'string' &&
              verifyText(credentials.centralPublicKey, centralResponseMessage(nonce, status, sha256Hex(text)), signature);
            if (!signed) throw new ApiError('CENTRAL_BAD_RESPONSE', `${url}: HTTP ${status} not signed by the central this device enrolled with`);
            parseBody(z.unknown(), text, status, true);
            reject(new ApiError('CENTRAL_BAD_RESPONSE', `${url}: HTTP ${res.statusCode} instead of a stream`));
          } catch (error) {
            reject(error);
          }
        });
      });
      ws.once('error', (error) =>
        reject(error instanceof ApiError ? error : new ApiError('CENTRAL_UNREACHABLE', `${url}: ${describeFetchError(error)}`)),
      );
    });
  }
}

/** The largest tender file a booth fetches (the central refuses to publish larger ones). */
export const MAX_FETCH_FILE_BYTES = 200 * 1024 * 1024;
/** A 200 MB file over a slow, busy booth LAN (≈ 1 MB/s) still arrives. */
export const FETCH_FILE_TIMEOUT_MS = 10 * 60_000;

export interface FetchFileOptions {
  /** The size the signed `project.booth` message gave: a longer answer is refused as it arrives. */
  expectedBytes?: number;
  /** Cap when expectedBytes is not given (default MAX_FETCH_FILE_BYTES). */
  maxBytes?: number;
  timeoutMs?: number;
  cancel?: AbortSignal;
  /** Which endpoint serves the hash: a tender file (BOOTH_FILE_PATH, default) or a report PDF (REPORT_FILE_PATH). */
  resource?: 'tender' | 'report';
  /** Told the bytes received so far and the total (Content-Length, else expectedBytes, else 0) as they arrive. */
  onProgress?: (received: number, total: number) => void;
}

/** readBody (pinned-tls.node.ts) that also reports progress: same cap, same errors. */
async function readBodyCounting(
  response: IncomingMessage,
  cap: number,
  url: string,
  total: number,
  onProgress: (received: number, total: number) => void,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let received = 0;
  try {
    for await (const chunk of response as AsyncIterable<Buffer>) {
      received += chunk.length;
      if (received > cap) {
        response.destroy();
        throw new ApiError('CENTRAL_BAD_RESPONSE', `${url}: the answer is longer than ${cap} bytes; it was not kept`, { cap });
      }
      chunks.push(chunk);
      try {
        onProgress(received, total);
      } catch {
        // A listener's bug must not lose the download.
      }
    }
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw new ApiError('CENTRAL_UNREACHABLE', `${url}: ${(error as Error).message}`);
  }
  return Buffer.concat(chunks, received);
}

/** The largest JSON answer read (a long poll's batch of messages with face templates). */
const MAX_ANSWER_BYTES = 64 * 1024 * 1024;

/** Long enough for a 500-event batch to be verified and fsynced on a busy 2-core central. */
const PUSH_TIMEOUT_MS = 30_000;

function signedHeaders(
  credentials: DeviceCredentials,
  method: string,
  path: string,
  body: string,
  timestamp: number,
): { headers: Record<string, string>; nonce: string } {
  const nonce = randomToken(18);
  const signature = signText(credentials.privateKey, deviceRequestMessage(method, path, timestamp, nonce, sha256Hex(body)));
  return {
    nonce,
    headers: {
      [DEVICE_AUTH_HEADERS.device]: credentials.deviceId,
      [DEVICE_AUTH_HEADERS.timestamp]: String(timestamp),
      [DEVICE_AUTH_HEADERS.nonce]: nonce,
      [DEVICE_AUTH_HEADERS.signature]: signature,
    },
  };
}

export interface DeviceCredentials {
  deviceId: string;
  privateKey: KeyObject;
  centralPublicKey: KeyObject;
}

export function credentialsFrom(identity: {
  deviceId: string;
  privateKey: KeyObject;
  centralPublicKey: string;
}): DeviceCredentials {
  const centralPublicKey = publicKeyFromBase64(identity.centralPublicKey);
  if (!centralPublicKey) throw new ApiError('INTERNAL', 'stored central public key is not an Ed25519 key');
  return { deviceId: identity.deviceId, privateKey: identity.privateKey, centralPublicKey };
}

/** Refusals whose body the pinned central signed (over this request's nonce): their details are its word. */
const signedRefusals = new WeakSet<ApiError>();

/** The central's clock from a signed REQUEST_STALE refusal; null from anything unsigned or malformed. */
export function signedCentralTime(error: ApiError): number | null {
  if (!signedRefusals.has(error)) return null;
  const parsed = z.object({ centralTime: z.number().int().positive() }).safeParse(error.details);
  return parsed.success ? parsed.data.centralTime : null;
}

function parseBody<T>(schema: z.ZodType<T>, text: string, status: number, signed = false): T {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ApiError('CENTRAL_BAD_RESPONSE', `HTTP ${status}: the answer is not JSON`);
  }
  if (status >= 400) {
    const err = z.object({ error: apiErrorBodySchema }).safeParse(json);
    if (err.success) {
      const refusal = ApiError.fromBody(err.data.error);
      if (signed) signedRefusals.add(refusal);
      throw refusal;
    }
    throw new ApiError('CENTRAL_BAD_RESPONSE', `HTTP ${status} without a readable error`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new ApiError('CENTRAL_BAD_RESPONSE', `HTTP ${status}: unexpected answer shape`);
  return parsed.data;
}

function describeFetchError(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as Error & { cause?: unknown }).cause;
    if (cause instanceof Error) return `${error.message} (${cause.message})`;
    return error.message;
  }
  return String(error);
}
