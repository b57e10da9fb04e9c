import { z } from 'zod';

/**
 * Every error that crosses a boundary (IPC, the host's WebSocket, the central's HTTP API) carries one
 * of these codes. The code is the contract; the wording lives in i18n so the renderer can show it in
 * Chinese first and English second. Add a code here and the type checker asks for both translations.
 */
export const ERROR_CODES = [
  // boundary
  'BAD_INPUT',
  'UNKNOWN_CALL',
  'UNAUTHORIZED',
  'NOT_FOUND',
  'INTERNAL',
  // enrolment (device side and central side)
  'ENROL_CODE_INVALID',
  'ENROL_CODE_USED',
  'ENROL_CODE_EXPIRED',
  'ENROL_CODE_WRONG_KIND',
  'ENROL_PROOF_INVALID',
  'POSITION_TAKEN',
  'ALREADY_ENROLLED',
  'NOT_ENROLLED',
  'CENTRAL_URL_INVALID',
  'CENTRAL_UNREACHABLE',
  'CENTRAL_BAD_RESPONSE',
  'CENTRAL_TLS_MISMATCH',
  // device authentication at the central
  'DEVICE_UNKNOWN',
  'DEVICE_REVOKED',
  'SIGNATURE_INVALID',
  'REQUEST_STALE',
  'REQUEST_REPLAYED',
  // the central's throttles (failed enrolments and authentications, concurrent waits)
  'RATE_LIMITED',
  // sync (see shared/src/sync/sync-http.ts)
  'SYNC_GAP',
  'SYNC_EVENT_FORGED',
  'SYNC_CHAIN_BROKEN',
  'SYNC_SEQ_CONFLICT',
  // gate kiosk
  'STAFF_PIN_WRONG',
  'STAFF_LOCKED_OUT',
  'STAFF_SESSION_EXPIRED',
  'IMAGE_UNREADABLE',
  'FACE_ENGINE_UNAVAILABLE',
  // booth client
  'WRONG_PHASE',
  'COMMITMENT_REQUIRED',
  'PIN_INCORRECT',
  'PIN_LOCKED',
  'TOKEN_ABSENT',
  'CERT_REJECTED',
  'SIGNING_FAILED',
  'SHEET_INCOMPLETE',
  'SHEET_FROZEN',
  'SCORE_INVALID',
  'FILE_UNAVAILABLE',
  // the committee's review (issue #13)
  'PRELIMINARY_INCOMPLETE',
  'REVIEW_WAITING',
  'NOT_CHAIR',
  'COMMITTEE_REFUSED',
  // the evaluation report (issue #14)
  'REPORT_NOT_READY',
  'REPORT_NOT_YOUR_TURN',
  'REPORT_CHANGED',
  'DISSENT_CLOSED',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];
export const errorCodeSchema = z.enum(ERROR_CODES);

export const apiErrorBodySchema = z.object({
  code: errorCodeSchema,
  /** English, for logs and technicians; the UI translates `code`. */
  message: z.string(),
  details: z.unknown().optional(),
});
export type ApiErrorBody = z.infer<typeof apiErrorBodySchema>;

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }

  toBody(): ApiErrorBody {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }

  static fromBody(body: ApiErrorBody): ApiError {
    return new ApiError(body.code, body.message, body.details);
  }
}

/** A short, human-readable summary of zod issues: "centralUrl: Invalid URL; code: Too small". */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}

export function badInput(error: z.ZodError, where: string): ApiError {
  return new ApiError('BAD_INPUT', `${where}: ${describeZodError(error)}`, {
    issues: error.issues.map((i) => ({ path: i.path.map(String), message: i.message })),
  });
}
