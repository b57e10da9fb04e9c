import type { KeyObject } from 'node:crypto';
import { generateEd25519, privateKeyFromPkcs8, publicKeyFromBase64, signText, verifyText } from '@kawei/shared/crypto/ed25519.node.ts';
import { randomToken, sha256Hex } from '@kawei/shared/crypto/hash.node.ts';
import { enrolProofMessage, type EnrolRequest } from '@kawei/shared/api/central-http.ts';
import { DEVICE_AUTH_HEADERS, centralResponseMessage, deviceRequestMessage } from '@kawei/shared/api/device-auth.ts';

/**
 * Test-only stand-in for a device: a key pair that signs enrolment proofs and requests exactly as
 * shared/src/api/device-auth.ts describes. The real device-side signer lives in shared/src/device.
 */
export class TestDevice {
  readonly publicKey: string;
  /** Also seals the device's sync events (event-chain-builder.ts). */
  readonly privateKey: KeyObject;
  deviceId = '';

  constructor() {
    const keys = generateEd25519();
    this.publicKey = keys.publicKey;
    this.privateKey = privateKeyFromPkcs8(keys.privateKeyPkcs8);
  }

  enrolRequest(code: string, kind: 'booth' | 'gate', overrides: Partial<EnrolRequest> = {}): EnrolRequest {
    return {
      code,
      kind,
      publicKey: this.publicKey,
      proof: signText(this.privateKey, enrolProofMessage(code, this.publicKey)),
      hostname: `${kind}-pc`,
      appVersion: '0.1.0-test',
      ...overrides,
    };
  }

  /** Headers (and body) for a signed request; pieces can be overridden to forge or replay. */
  signedRequest(request: {
    method: 'GET' | 'POST';
    url: string;
    body?: string;
    timestamp?: number;
    nonce?: string;
    deviceId?: string;
  }): { method: 'GET' | 'POST'; url: string; headers: Record<string, string>; payload?: string; nonce: string } {
    const body = request.body ?? '';
    const timestamp = request.timestamp ?? Date.now();
    const nonce = request.nonce ?? randomToken(18);
    const signature = signText(
      this.privateKey,
      deviceRequestMessage(request.method, request.url, timestamp, nonce, sha256Hex(body)),
    );
    const headers: Record<string, string> = {
      [DEVICE_AUTH_HEADERS.device]: request.deviceId ?? this.deviceId,
      [DEVICE_AUTH_HEADERS.timestamp]: String(timestamp),
      [DEVICE_AUTH_HEADERS.nonce]: nonce,
      [DEVICE_AUTH_HEADERS.signature]: signature,
    };
    if (request.body === undefined) return { method: request.method, url: request.url, headers, nonce };
    headers['content-type'] = 'application/json';
    return { method: request.method, url: request.url, headers, payload: body, nonce };
  }
}

/** Whether `signature` is the central's signature of this answer to the request with `nonce`. */
export function isCentralSignature(
  centralPublicKey: string,
  answer: { nonce: string; status: number; body: string; signature: string | undefined },
): boolean {
  const key = publicKeyFromBase64(centralPublicKey);
  if (!key || answer.signature === undefined) return false;
  return verifyText(key, centralResponseMessage(answer.nonce, answer.status, sha256Hex(answer.body)), answer.signature);
}
