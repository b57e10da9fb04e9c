import { ApiError, type ApiErrorBody, type ErrorCode } from '@kawei/shared/errors.ts';
import { TopologyConflictError } from '../storage/central-store.ts';

/** The HTTP status the central answers each error code with. */
export const STATUS_BY_CODE: Readonly<Record<ErrorCode, number>> = {
  BAD_INPUT: 400,
  UNKNOWN_CALL: 404,
  UNAUTHORIZED: 401,
  NOT_FOUND: 404,
  INTERNAL: 500,
  ENROL_CODE_INVALID: 404,
  ENROL_CODE_USED: 409,
  ENROL_CODE_EXPIRED: 410,
  ENROL_CODE_WRONG_KIND: 400,
  ENROL_PROOF_INVALID: 401,
  POSITION_TAKEN: 409,
  ALREADY_ENROLLED: 409,
  DEVICE_UNKNOWN: 401,
  DEVICE_REVOKED: 403,
  SIGNATURE_INVALID: 401,
  REQUEST_STALE: 401,
  REQUEST_REPLAYED: 401,
  RATE_LIMITED: 429,
  SYNC_GAP: 409,
  SYNC_EVENT_FORGED: 422,
  SYNC_CHAIN_BROKEN: 422,
  SYNC_SEQ_CONFLICT: 422,
  // Only devices raise these (about their link to the central); the central never answers with them.
  NOT_ENROLLED: 500,
  CENTRAL_URL_INVALID: 500,
  CENTRAL_UNREACHABLE: 500,
  CENTRAL_BAD_RESPONSE: 500,
  CENTRAL_TLS_MISMATCH: 500,
  // Gate kiosk only (staff and camera); never from the central.
  STAFF_PIN_WRONG: 500,
  STAFF_LOCKED_OUT: 500,
  STAFF_SESSION_EXPIRED: 500,
  IMAGE_UNREADABLE: 500,
  FACE_ENGINE_UNAVAILABLE: 500,
  // Booth client only (its screen and USB key); never from the central.
  WRONG_PHASE: 500,
  COMMITMENT_REQUIRED: 500,
  PIN_INCORRECT: 500,
  PIN_LOCKED: 500,
  TOKEN_ABSENT: 500,
  CERT_REJECTED: 500,
  SIGNING_FAILED: 500,
  SHEET_INCOMPLETE: 500,
  SHEET_FROZEN: 500,
  SCORE_INVALID: 500,
  FILE_UNAVAILABLE: 500,
  PRELIMINARY_INCOMPLETE: 500,
  REVIEW_WAITING: 409,
  NOT_CHAIR: 403,
  COMMITTEE_REFUSED: 409,
  REPORT_NOT_READY: 409,
  REPORT_NOT_YOUR_TURN: 409,
  REPORT_CHANGED: 409,
  DISSENT_CLOSED: 409,
};

export interface HttpErrorAnswer {
  status: number;
  body: { error: ApiErrorBody };
  /** True when the fault is ours, so it is worth a log line with the stack. */
  internal: boolean;
  /** Whole seconds for a Retry-After header (RATE_LIMITED answers), else null. */
  retryAfterSeconds: number | null;
}

/**
 * A 429: too many failures or waits. `retryAfterMs` becomes both the Retry-After header (whole
 * seconds, rounded up) and `details.retryAfterSeconds`, so a client can wait exactly that long.
 */
export function rateLimited(message: string, retryAfterMs: number, details: Record<string, unknown> = {}): ApiError {
  const retryAfterSeconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return new ApiError('RATE_LIMITED', `${message}; try again in ${retryAfterSeconds} s`, { ...details, retryAfterSeconds });
}

/** Fastify's own refusals, reworded without its FST_ codes. */
const FASTIFY_MESSAGES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'request body is too large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported content type; send application/json',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'content-length does not match the body',
};

/** Turns anything thrown while handling a request into the status and `{ error }` body we send. */
export function httpErrorAnswer(error: unknown): HttpErrorAnswer {
  if (error instanceof ApiError) {
    const status = error instanceof TopologyConflictError ? 409 : STATUS_BY_CODE[error.code];
    return { status, body: { error: error.toBody() }, internal: status >= 500, retryAfterSeconds: retryAfterOf(error) };
  }
  const fastifyStatus = clientErrorStatus(error);
  if (fastifyStatus !== null) {
    const { code, message } = error as { code?: unknown; message?: unknown };
    const text = (typeof code === 'string' ? FASTIFY_MESSAGES[code] : undefined) ?? String(message);
    return { status: fastifyStatus, body: { error: { code: 'BAD_INPUT', message: text } }, internal: false, retryAfterSeconds: null };
  }
  return { status: 500, body: { error: { code: 'INTERNAL', message: 'internal error' } }, internal: true, retryAfterSeconds: null };
}

function retryAfterOf(error: ApiError): number | null {
  if (error.code !== 'RATE_LIMITED') return null;
  const seconds = (error.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
  return typeof seconds === 'number' && Number.isInteger(seconds) && seconds > 0 ? seconds : null;
}

/** The 4xx status Fastify attached to one of its own errors (body too large, bad media type…), if any. */
function clientErrorStatus(error: unknown): number | null {
  if (typeof error !== 'object' || error === null) return null;
  const status = (error as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : null;
}
