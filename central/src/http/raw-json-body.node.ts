import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parseJsonBody } from './safe-json.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The request body exactly as received ('' when there is none): device signatures cover these bytes. */
    rawBody: string;
    /**
     * Set by an onRequest hook that can check the raw body before it is parsed (device routes: the
     * signature over its SHA-256). Throws to refuse: a body a stranger sent is never parsed.
     */
    rawBodyCheck: ((request: FastifyRequest, rawBody: string) => Promise<void>) | null;
  }
}

/**
 * Accepts only JSON bodies, keeping the raw string next to the parsed value. Every other content
 * type is refused (415) rather than parsed some other way, so a signed body can never be
 * interpreted differently from the bytes that were signed. Parsing is depth-limited and refuses
 * `__proto__`/`constructor.prototype` keys (safe-json.ts), both with BAD_INPUT.
 */
export function acceptRawJsonBodies(app: FastifyInstance): void {
  app.decorateRequest('rawBody', '');
  app.decorateRequest('rawBodyCheck', null);
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, async (request: FastifyRequest, body: string | Buffer) => {
    const text = body as string;
    request.rawBody = text;
    if (request.rawBodyCheck) await request.rawBodyCheck(request, text);
    return text === '' ? undefined : parseJsonBody(text);
  });
}
