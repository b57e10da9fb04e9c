/**
 * How a device authenticates its requests to the central after enrolment, and how the central
 * answers so the device knows the answer is really the central's (the key it pinned at enrolment).
 *
 * Request: the device signs
 *   KAWEI-DEVICE-V1 \n METHOD \n PATH?QUERY \n TIMESTAMP_MS \n NONCE \n SHA256_HEX(BODY)
 * and sends the headers below. The central refuses an unknown or revoked device, a timestamp outside
 * the window, a bad signature, and a nonce it has already seen from that device (replay). Nonces are
 * remembered for longer than the window, so a captured request can never be played again.
 *
 * Response: the central signs
 *   KAWEI-CENTRAL-V1 \n NONCE \n STATUS \n SHA256_HEX(BODY)
 * binding its answer to this request's nonce.
 */
export const DEVICE_AUTH_HEADERS = {
  device: 'x-kawei-device',
  timestamp: 'x-kawei-timestamp',
  nonce: 'x-kawei-nonce',
  signature: 'x-kawei-signature',
  centralSignature: 'x-kawei-central-signature',
} as const;

/** Requests older or newer than this (device clock vs central clock) are refused as stale. */
export const REQUEST_WINDOW_MS = 5 * 60 * 1000;

export const NONCE_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;

export function deviceRequestMessage(
  method: string,
  pathWithQuery: string,
  timestampMs: number,
  nonce: string,
  bodySha256Hex: string,
): string {
  return ['KAWEI-DEVICE-V1', method.toUpperCase(), pathWithQuery, String(timestampMs), nonce, bodySha256Hex].join('\n');
}

export function centralResponseMessage(nonce: string, status: number, bodySha256Hex: string): string {
  return ['KAWEI-CENTRAL-V1', nonce, String(status), bodySha256Hex].join('\n');
}
