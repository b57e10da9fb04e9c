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
import { WebSocket } from 'ws';
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

/**
 * Talks HTTP to the central. Every failure becomes an ApiError with a code the UI can translate:
 * the central's own refusal keeps its code; no answer is CENTRAL_UNREACHABLE; an answer that is not
 * ours (wrong shape, missing or wrong central signature) is CENTRAL_BAD_RESPONSE.
 */
export class CentralClient {
  /**
   * Central clock − device clock, learnt when the central refuses a request as stale. Booth PCs run
   * for months on a UPS without a time server; a drifted clock must not stop sync, so the request
   * timestamps (replay protection) follow the central's clock while event times stay the device's
   * own (the central records their skew).
   */
  private clockOffsetMs = 0;

  constructor(
    readonly baseUrl: string,
    private readonly timeoutMs = CENTRAL_REQUEST_TIMEOUT_MS,
    private readonly now: () => number = Date.now,
  ) {}

  get clockOffset(): number {
    return this.clockOffsetMs;
  }

  /** Runs a signed call; if the central finds its timestamp stale, learns the central's time and retries once. */
  private async withClockCorrection<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof ApiError) || error.code !== 'REQUEST_STALE') throw error;
      const sentAt = this.now();
      const { time } = await this.health();
      const receivedAt = this.now();
      this.clockOffsetMs = time - (sentAt + receivedAt) / 2;
      return call();
    }
  }

  private deviceTimestamp(): number {
    return Math.round(this.now() + this.clockOffsetMs);
  }

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
  ): Promise<{ status: number; body: string; headers: Headers }> {
    let response: Response;
    const timeout = AbortSignal.timeout(timeoutMs);
    try {
      response = await fetch(this.baseUrl + path, {
        method,
        body,
        headers,
        signal: cancel ? AbortSignal.any([timeout, cancel]) : timeout,
        redirect: 'error',
      });
    } catch (error) {
      throw new ApiError('CENTRAL_UNREACHABLE', `${this.baseUrl}: ${describeFetchError(error)}`);
    }
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      throw new ApiError('CENTRAL_UNREACHABLE', `${this.baseUrl}: ${describeFetchError(error)}`);
    }
    return { status: response.status, body: text, headers: response.headers };
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
    const centralSignature = res.headers.get(DEVICE_AUTH_HEADERS.centralSignature);
    const genuine =
      centralSignature !== null &&
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

  async deviceMe(credentials: DeviceCredentials): Promise<DeviceMeResponse> {
    return this.withClockCorrection(async () => {
      const res = await this.signedRequest(credentials, 'GET', CENTRAL_PATHS.deviceMe);
      return parseBody(deviceMeResponseSchema, res.body, res.status);
    });
  }

  /** Upstream sync: one batch. A refusal is an ApiError (SYNC_GAP carries { expectedSeq, ackedSeq }). */
  async push(credentials: DeviceCredentials, request: PushRequest): Promise<PushResponse> {
    return this.withClockCorrection(async () => {
      const res = await this.signedRequest(credentials, 'POST', SYNC_PATHS.push, request, PUSH_TIMEOUT_MS);
      return parseBody(pushResponseSchema, res.body, res.status);
    });
  }

  async head(credentials: DeviceCredentials): Promise<HeadResponse> {
    return this.withClockCorrection(async () => {
      const res = await this.signedRequest(credentials, 'GET', SYNC_PATHS.head);
      return parseBody(headResponseSchema, res.body, res.status);
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

  private async fetchFileOnce(credentials: DeviceCredentials, sha256: string, cap: number, options: FetchFileOptions): Promise<Uint8Array> {
    const path = BOOTH_FILE_PATH.replace(':sha256', sha256);
    const url = this.baseUrl + path;
    const { headers, nonce } = signedHeaders(credentials, 'GET', path, '', this.deviceTimestamp());
    const timeout = AbortSignal.timeout(options.timeoutMs ?? FETCH_FILE_TIMEOUT_MS);
    const controller = new AbortController();
    const signal = AbortSignal.any([timeout, controller.signal, ...(options.cancel ? [options.cancel] : [])]);
    let response: Response;
    try {
      response = await fetch(url, { method: 'GET', headers, signal, redirect: 'error' });
    } catch (error) {
      throw new ApiError('CENTRAL_UNREACHABLE', `${this.baseUrl}: ${describeFetchError(error)}`);
    }
    const genuine = (bodySha256: string) => {
      const signature = response.headers.get(DEVICE_AUTH_HEADERS.centralSignature);
      return signature !== null && verifyText(credentials.centralPublicKey, centralResponseMessage(nonce, response.status, bodySha256), signature);
    };

    if (response.status !== 200) {
      // A refusal is small JSON, signed like any other answer.
      let text: string;
      try {
        text = await readCapped(response, 64 * 1024, controller).then((b) => Buffer.from(b).toString('utf8'));
      } catch (error) {
        if (error instanceof ApiError) throw error;
        throw new ApiError('CENTRAL_UNREACHABLE', `${url}: ${describeFetchError(error)}`);
      }
      if (!genuine(sha256Hex(text))) {
        throw new ApiError('CENTRAL_BAD_RESPONSE', `${url}: answer not signed by the central this device enrolled with (HTTP ${response.status})`);
      }
      parseBody(z.unknown(), text, response.status);
      throw new ApiError('CENTRAL_BAD_RESPONSE', `${url}: HTTP ${response.status} instead of the file`);
    }

    const declared = Number(response.headers.get('content-length') ?? NaN);
    if (Number.isFinite(declared) && declared > cap) {
      controller.abort();
      throw new ApiError('CENTRAL_BAD_RESPONSE', `${url}: the file is ${declared} bytes, more than the ${cap} expected`, { bytes: declared, cap });
    }
    let bytes: Uint8Array;
    try {
      bytes = await readCapped(response, cap, controller);
    } catch (error) {
      if (error instanceof ApiError) throw error;
      throw new ApiError('CENTRAL_UNREACHABLE', `${url}: ${describeFetchError(error)}`);
    }
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
    return bytes;
  }

  /**
   * Downstream long poll: messages after `cursor`, the central holding the request up to `waitMs`.
   * `cancel` ends it early (the app is closing).
   */
  async pull(credentials: DeviceCredentials, cursor: number, waitMs: number, cancel?: AbortSignal): Promise<PullResponse> {
    const path = `${SYNC_PATHS.pull}?cursor=${cursor}&waitMs=${waitMs}`;
    return this.withClockCorrection(async () => {
      const res = await this.signedRequest(credentials, 'GET', path, undefined, waitMs + this.timeoutMs, cancel);
      return parseBody(pullResponseSchema, res.body, res.status);
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
    const url = this.baseUrl.replace(/^http/, 'ws') + path;
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers, handshakeTimeout: this.timeoutMs, maxPayload: 16 * 1024 * 1024 });
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
            parseBody(z.unknown(), text, res.statusCode ?? 500);
            reject(new ApiError('CENTRAL_BAD_RESPONSE', `${url}: HTTP ${res.statusCode} instead of a stream`));
          } catch (error) {
            reject(error);
          }
        });
      });
      ws.once('error', (error) => reject(new ApiError('CENTRAL_UNREACHABLE', `${url}: ${describeFetchError(error)}`)));
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
}

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

function parseBody<T>(schema: z.ZodType<T>, text: string, status: number): T {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ApiError('CENTRAL_BAD_RESPONSE', `HTTP ${status}: the answer is not JSON`);
  }
  if (status >= 400) {
    const err = z.object({ error: apiErrorBodySchema }).safeParse(json);
    if (err.success) throw ApiError.fromBody(err.data.error);
    throw new ApiError('CENTRAL_BAD_RESPONSE', `HTTP ${status} without a readable error`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new ApiError('CENTRAL_BAD_RESPONSE', `HTTP ${status}: unexpected answer shape`);
  return parsed.data;
}

/** Reads a response body, aborting (and failing) as soon as it passes `cap` bytes. */
async function readCapped(response: Response, cap: number, controller: AbortController): Promise<Uint8Array> {
  const reader = response.body?.getReader();
  if (!reader) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > cap) {
      controller.abort();
      await reader.cancel().catch(() => undefined);
      throw new ApiError('CENTRAL_BAD_RESPONSE', `${response.url}: the answer is longer than ${cap} bytes; it was not kept`, { cap });
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total);
}

function describeFetchError(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as Error & { cause?: unknown }).cause;
    if (cause instanceof Error) return `${error.message} (${cause.message})`;
    return error.message;
  }
  return String(error);
}
