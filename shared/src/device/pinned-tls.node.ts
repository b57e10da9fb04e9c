import { createHash, X509Certificate } from 'node:crypto';
import https from 'node:https';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { isIP } from 'node:net';
import tls from 'node:tls';
import { ApiError } from '../errors.ts';
import { fingerprintMatches, formatFingerprint } from '../api/central-tls.ts';

/** SHA-256 (hex) of a certificate's SubjectPublicKeyInfo: the value a device pins. */
export function spkiSha256(cert: X509Certificate | string | Buffer): string {
  const x509 = cert instanceof X509Certificate ? cert : new X509Certificate(cert);
  return createHash('sha256').update(x509.publicKey.export({ type: 'spki', format: 'der' })).digest('hex');
}

/**
 * An https.Agent that trusts exactly one key: the central's, by the SHA-256 of its SPKI.
 *
 * The central's certificate is self-signed (or from the installation's own CA), so the usual CA
 * check cannot vouch for it, and a host-name check adds nothing once the key itself is pinned (the
 * technician types an IP address that DHCP may change). The socket is therefore opened without CA
 * validation, and handed to the HTTP or WebSocket layer only after the key it presents has been
 * compared with the pin — before a single byte of the request is written. Any other key is
 * CENTRAL_TLS_MISMATCH; there is no fallback to plain HTTP.
 *
 * At enrolment the pin is what the technician typed (a prefix of at least 128 bits); `seenSpki`
 * then holds the full hash of the key met, which the device stores as its pin from then on.
 */
export class PinnedCentralAgent extends https.Agent {
  /** Full SPKI SHA-256 of the last key that matched the pin. */
  seenSpki: string | null = null;

  constructor(readonly pin: string) {
    super({ keepAlive: true, maxSockets: 16, timeout: 60_000 });
  }

  override createConnection(
    options: tls.ConnectionOptions,
    callback?: (error: Error | null, socket: Duplex) => void,
  ): Duplex | undefined {
    const socket = tls.connect({
      ...options,
      // SNI carries host names only; an IP address there is a protocol error (and a Node warning).
      servername: options.servername && !isIP(options.servername) ? options.servername : undefined,
      // The key is checked below against the pin, which is stricter than any CA.
      rejectUnauthorized: false,
      minVersion: 'TLSv1.2',
      // No resumption: every connection shows the central's certificate again.
      session: undefined,
    });
    let settled = false;
    const settle = (error: Error | null) => {
      if (settled) return;
      settled = true;
      socket.off('error', onError);
      if (error) socket.destroy();
      callback?.(error, socket);
    };
    const onError = (error: Error) => settle(error);
    socket.once('error', onError);
    socket.once('secureConnect', () => {
      const cert = socket.getPeerX509Certificate();
      const actual = cert ? spkiSha256(cert) : '';
      if (!fingerprintMatches(this.pin, actual)) {
        return settle(
          new ApiError(
            'CENTRAL_TLS_MISMATCH',
            `the server at ${options.host ?? ''}:${options.port ?? ''} presented TLS key ${formatFingerprint(actual) || '(none)'}, ` +
              `not the central's ${formatFingerprint(this.pin)}`,
            { expected: this.pin, actual },
          ),
        );
      }
      this.seenSpki = actual;
      settle(null);
    });
    return undefined;
  }
}

export interface CentralHttpsRequest {
  method: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  signal?: AbortSignal;
}

/**
 * One request over the pinned agent. Resolves with the answer's head (the body still to be read);
 * rejects with the agent's CENTRAL_TLS_MISMATCH as is, and any other failure to get an answer as
 * CENTRAL_UNREACHABLE. Only https: URLs.
 */
export function pinnedRequest(agent: PinnedCentralAgent, url: string, request: CentralHttpsRequest): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    if (target.protocol !== 'https:') {
      reject(new ApiError('CENTRAL_URL_INVALID', `${url}: the central is reached over https only`));
      return;
    }
    if (request.signal?.aborted) {
      reject(new ApiError('CENTRAL_UNREACHABLE', `${url}: ${describeAbort(request.signal)}`));
      return;
    }
    const headers: Record<string, string | number> = { ...request.headers };
    if (request.body !== undefined) headers['content-length'] = Buffer.byteLength(request.body);
    const req = https.request(target, { method: request.method, headers, agent, signal: request.signal });
    req.once('response', resolve);
    req.once('error', (error) => {
      if (error instanceof ApiError) return reject(error);
      const reason = request.signal?.aborted ? describeAbort(request.signal) : error.message;
      reject(new ApiError('CENTRAL_UNREACHABLE', `${url}: ${reason}`));
    });
    req.end(request.body);
  });
}

/** Reads a whole answer, failing as soon as it passes `cap` bytes (the socket is then destroyed). */
export async function readBody(response: IncomingMessage, cap: number, url: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of response as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > cap) {
        response.destroy();
        throw new ApiError('CENTRAL_BAD_RESPONSE', `${url}: the answer is longer than ${cap} bytes; it was not kept`, { cap });
      }
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw new ApiError('CENTRAL_UNREACHABLE', `${url}: ${(error as Error).message}`);
  }
  return Buffer.concat(chunks, total);
}

function describeAbort(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name === 'TimeoutError') return 'no answer in time';
  return reason instanceof Error ? reason.message : 'cancelled';
}

/**
 * For operators' scripts and tests that call the central's admin API: one JSON request to a central
 * whose key is `pin`, answering { status, body }.
 */
export async function centralHttpsJson(
  url: string,
  pin: string,
  request: { method?: string; headers?: Record<string, string>; json?: unknown } = {},
): Promise<{ status: number; body: unknown; text: string; headers: IncomingHttpHeaders }> {
  const agent = new PinnedCentralAgent(pin);
  try {
    const body = request.json === undefined ? undefined : JSON.stringify(request.json);
    const headers = { ...request.headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) };
    const res = await pinnedRequest(agent, url, { method: request.method ?? (body ? 'POST' : 'GET'), headers, body, signal: AbortSignal.timeout(30_000) });
    const text = (await readBody(res, 64 * 1024 * 1024, url)).toString('utf8');
    let parsed: unknown = null;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = null;
    }
    return { status: res.statusCode ?? 0, body: parsed, text, headers: res.headers };
  } finally {
    agent.destroy();
  }
}
