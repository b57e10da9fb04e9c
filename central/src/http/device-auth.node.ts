import type { KeyObject } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { errorCodes, type FastifyInstance, type FastifyRequest } from 'fastify';
import { ApiError } from '@kawei/shared/errors.ts';
import type { DeviceRecord } from '@kawei/shared/api/central-http.ts';
import {
  DEVICE_AUTH_HEADERS,
  NONCE_PATTERN,
  REQUEST_WINDOW_MS,
  centralResponseMessage,
  deviceRequestMessage,
} from '@kawei/shared/api/device-auth.ts';
import { publicKeyFromBase64, signText, verifyText } from '@kawei/shared/crypto/ed25519.node.ts';
import { sha256Hex } from '@kawei/shared/crypto/hash.node.ts';
import type { CentralKeys } from './central-keys.node.ts';
import type { CentralStore } from '../storage/central-store.ts';
import type { ThrottleGuard } from './throttle-guard.node.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set once the device-auth preHandler has accepted the request. */
    authenticatedDevice: DeviceRecord | null;
    /** The request's nonce once the device is known: the answer is then signed over it. */
    centralSignatureNonce: string | null;
    /**
     * Set by a route that streams a body whose SHA-256 it knows beforehand (a content-addressed
     * file): the answer's signature covers that hash instead of a body it cannot hold in memory.
     */
    streamedBodySha256: string | null;
  }
}

/**
 * A nonce must outlive every moment at which its request could still pass the timestamp check.
 * The timestamp can be at most one window ahead of now and stays acceptable one window after
 * itself, so keeping nonces two windows from now covers it.
 */
export const NONCE_RETENTION_MS = 2 * REQUEST_WINDOW_MS;

export interface DeviceAuthDeps {
  store: CentralStore;
  now: () => number;
  centralKeys: () => Promise<CentralKeys>;
  /** Counts failed device authentications per peer address; refuses with RATE_LIMITED when locked out. */
  authThrottle?: ThrottleGuard;
  /** The body a request may carry before its device is known to be active (default 16 KiB). */
  unauthenticatedBodyBytes?: number;
}

/** What a device signed: the method, the path with its query, the headers and the raw body. */
export interface DeviceRequestParts {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  rawBody: string;
}

export type DeviceAuthResult =
  /** `nonce` is set once the device is known: the answer, refusal or not, is then signed over it. */
  | { ok: true; device: DeviceRecord; nonce: string }
  | { ok: false; error: ApiError; nonce: string | null };

/** The headers of a request whose device is known and whose timestamp is fresh; the body is still unread. */
interface CheckedHeaders {
  device: DeviceRecord;
  nonce: string;
  timestamp: number;
  signature: string;
  now: number;
}

/** Failures that look like guessing (not a device's stale clock or a replay), counted by the throttle. */
const GUESSING_CODES: ReadonlySet<string> = new Set(['UNAUTHORIZED', 'DEVICE_UNKNOWN', 'SIGNATURE_INVALID']);

export const DEFAULT_UNAUTHENTICATED_BODY_BYTES = 16 * 1024;

/**
 * The checks that need no body: auth headers present and well-formed (UNAUTHORIZED) → device known
 * (DEVICE_UNKNOWN) → timestamp within the window (REQUEST_STALE). Throws ApiError; `onNonce` learns
 * the nonce as soon as the device is known, so even these refusals can be signed.
 */
async function checkHeaders(deps: DeviceAuthDeps, headers: IncomingHttpHeaders, onNonce: (nonce: string) => void): Promise<CheckedHeaders> {
  const deviceId = singleHeader(headers, DEVICE_AUTH_HEADERS.device);
  const claimedNonce = singleHeader(headers, DEVICE_AUTH_HEADERS.nonce);
  if (!NONCE_PATTERN.test(claimedNonce)) {
    throw new ApiError('UNAUTHORIZED', `${DEVICE_AUTH_HEADERS.nonce} must match ${NONCE_PATTERN.source}`);
  }
  const device = await deps.store.getDevice(deviceId);
  if (!device) throw new ApiError('DEVICE_UNKNOWN', `device "${deviceId}" is not enrolled at this central`);
  onNonce(claimedNonce);

  const timestampText = singleHeader(headers, DEVICE_AUTH_HEADERS.timestamp);
  if (!/^\d{1,15}$/.test(timestampText)) {
    throw new ApiError('UNAUTHORIZED', `${DEVICE_AUTH_HEADERS.timestamp} must be epoch milliseconds`);
  }
  const timestamp = Number(timestampText);
  const now = deps.now();
  if (Math.abs(now - timestamp) > REQUEST_WINDOW_MS) {
    // The central's time rides in the refusal, which is signed over the device's fresh nonce: the
    // device sets its clock offset from this and from no unsigned answer.
    throw new ApiError('REQUEST_STALE', `request timestamp is ${now - timestamp} ms away from the central's clock`, {
      centralTime: now,
    });
  }
  const signature = singleHeader(headers, DEVICE_AUTH_HEADERS.signature);
  return { device, nonce: claimedNonce, timestamp, signature, now };
}

/** Throws SIGNATURE_INVALID unless the device signed this method, path, timestamp, nonce and body. */
function checkSignature(checked: CheckedHeaders, method: string, url: string, rawBody: string): void {
  const devicePublicKey = publicKeyFromBase64(checked.device.publicKey);
  const message = deviceRequestMessage(method, url, checked.timestamp, checked.nonce, sha256Hex(rawBody));
  if (!devicePublicKey || !verifyText(devicePublicKey, message, checked.signature)) {
    throw new ApiError('SIGNATURE_INVALID', 'request signature does not verify with the enrolled key');
  }
}

/**
 * The device-authentication check (shared/src/api/device-auth.ts), usable outside a Fastify route
 * (the sync stream authenticates a WebSocket upgrade with it). Checks, in order:
 *   auth headers present (UNAUTHORIZED) → device known (DEVICE_UNKNOWN) → timestamp within the
 *   window (REQUEST_STALE) → signature (SIGNATURE_INVALID) → device active (DEVICE_REVOKED) →
 *   nonce unseen (REQUEST_REPLAYED).
 * Revocation is reported only to a request the device really signed, so nobody else learns it. A
 * nonce is recorded only after the signature verifies. Store failures are thrown, not returned.
 */
export async function authenticateDeviceRequest(deps: DeviceAuthDeps, request: DeviceRequestParts): Promise<DeviceAuthResult> {
  let nonce: string | null = null;
  try {
    const checked = await checkHeaders(deps, request.headers, (known) => (nonce = known));
    checkSignature(checked, request.method, request.url, request.rawBody);
    const { device, now } = checked;
    if (device.status === 'revoked') throw new ApiError('DEVICE_REVOKED', `device "${device.id}" has been revoked`);

    const outcome = await deps.store.acceptDeviceNonce({
      deviceId: device.id,
      nonce: checked.nonce,
      expiresAt: now + NONCE_RETENTION_MS,
      now,
    });
    if (outcome === 'replayed') throw new ApiError('REQUEST_REPLAYED', 'this request nonce has been used before');
    if (outcome === 'revoked') throw new ApiError('DEVICE_REVOKED', `device "${device.id}" has been revoked`);
    return { ok: true, device, nonce: checked.nonce };
  } catch (error) {
    if (error instanceof ApiError) return { ok: false, error, nonce };
    throw error;
  }
}

/** Counts a refusal that looks like guessing against the peer address (no-op without a throttle). */
export async function countAuthFailure(deps: DeviceAuthDeps, source: string, error: ApiError): Promise<void> {
  if (deps.authThrottle && GUESSING_CODES.has(error.code)) await deps.authThrottle.failed(source);
}

/** The central's signature of an answer to the request with `nonce` (header DEVICE_AUTH_HEADERS.centralSignature). */
export function centralAnswerSignature(privateKey: KeyObject, nonce: string, status: number, body: string | Buffer): string {
  return centralAnswerSignatureOfHash(privateKey, nonce, status, sha256Hex(body));
}

/** The same, given the SHA-256 (hex) of the body rather than the body. */
export function centralAnswerSignatureOfHash(privateKey: KeyObject, nonce: string, status: number, bodySha256: string): string {
  return signText(privateKey, centralResponseMessage(nonce, status, bodySha256));
}

/**
 * Makes every route registered in `scope` device-authenticated with authenticateDeviceRequest.
 * Call it inside an encapsulated plugin and register the routes there. From the moment the device
 * is known, every answer — refusals included — carries the central's signature bound to the
 * request's nonce.
 *
 * Nothing a stranger sends is read beyond the headers or parsed:
 *   - onRequest (before the body is read) refuses a throttled peer (RATE_LIMITED), malformed or
 *     missing auth headers, an unknown device and a stale timestamp; a revoked device may send no
 *     more than the unauthenticated body limit (413), so the 8 MiB a push allows is for active
 *     devices only;
 *   - the body is then read (within the route's limit) and its signature checked BEFORE it is
 *     parsed as JSON (raw-json-body.node.ts's rawBodyCheck);
 *   - preHandler runs the whole check (revocation, nonce) as before.
 */
export function installDeviceAuth(scope: FastifyInstance, deps: DeviceAuthDeps): void {
  scope.decorateRequest('authenticatedDevice', null);
  scope.decorateRequest('centralSignatureNonce', null);
  scope.decorateRequest('streamedBodySha256', null);
  const unauthenticatedBodyBytes = deps.unauthenticatedBodyBytes ?? DEFAULT_UNAUTHENTICATED_BODY_BYTES;

  scope.addHook('onRequest', async (request) => {
    deps.authThrottle?.assertAllowed(request.ip);
    let checked: CheckedHeaders;
    try {
      checked = await checkHeaders(deps, request.headers, (nonce) => (request.centralSignatureNonce = nonce));
    } catch (error) {
      if (error instanceof ApiError) await countAuthFailure(deps, request.ip, error);
      throw error;
    }
    if (checked.device.status === 'revoked' && !bodyFits(request.headers, unauthenticatedBodyBytes)) {
      throw new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE(); // 413, as for any body over its limit
    }
    request.rawBodyCheck = async (req, rawBody) => {
      try {
        checkSignature(checked, req.method, req.url, rawBody);
      } catch (error) {
        if (error instanceof ApiError) await countAuthFailure(deps, req.ip, error);
        throw error;
      }
    };
  });

  scope.addHook('preHandler', async (request) => {
    const result = await authenticateDeviceRequest(deps, request);
    request.centralSignatureNonce = result.nonce;
    if (!result.ok) {
      await countAuthFailure(deps, request.ip, result.error);
      throw result.error;
    }
    request.authenticatedDevice = result.device;
  });

  scope.addHook('onSend', async (request, reply, payload) => {
    const nonce = request.centralSignatureNonce;
    if (nonce === null) return payload;
    const bodySha256 = signableBodySha256(payload, request.streamedBodySha256);
    const { privateKey } = await deps.centralKeys();
    reply.header(DEVICE_AUTH_HEADERS.centralSignature, centralAnswerSignatureOfHash(privateKey, nonce, reply.statusCode, bodySha256));
    return payload;
  });
}

/** Whether the declared body is within `limit` bytes (a chunked body of unknown length is not). */
function bodyFits(headers: IncomingHttpHeaders, limit: number): boolean {
  const length = headers['content-length'];
  if (length === undefined) return headers['transfer-encoding'] === undefined;
  return /^\d+$/.test(length) && Number(length) <= limit;
}

/** The device the preHandler accepted; for use inside handlers of device-authenticated routes. */
export function deviceOf(request: FastifyRequest): DeviceRecord {
  if (!request.authenticatedDevice) throw new ApiError('INTERNAL', 'route is not behind device authentication');
  return request.authenticatedDevice;
}

function singleHeader(headers: IncomingHttpHeaders, name: string): string {
  const value = headers[name];
  if (typeof value !== 'string' || value === '') {
    throw new ApiError('UNAUTHORIZED', `device authentication header ${name} is missing`);
  }
  return value;
}

/**
 * Handlers send pre-serialised strings (see json-reply.node.ts), hashed here; a stream is signed
 * only over the hash its route declared (request.streamedBodySha256). Anything else cannot be signed
 * faithfully. An error answer replacing a stream is a string again, and hashed as such.
 */
function signableBodySha256(payload: unknown, streamedBodySha256: string | null): string {
  if (payload === null || payload === undefined) return sha256Hex('');
  if (typeof payload === 'string' || Buffer.isBuffer(payload)) return sha256Hex(payload);
  if (streamedBodySha256 !== null) return streamedBodySha256;
  throw new Error('device-authenticated responses must be sent as strings');
}
