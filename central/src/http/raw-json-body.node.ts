import type { FastifyInstance } from 'fastify';
import { ApiError } from '@kawei/shared/errors.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The request body exactly as received ('' when there is none): device signatures cover these bytes. */
    rawBody: string;
  }
}

/**
 * Accepts only JSON bodies, keeping the raw string next to the parsed value. Every other content
 * type is refused (415) rather than parsed some other way, so a signed body can never be
 * interpreted differently from the bytes that were signed.
 */
export function acceptRawJsonBodies(app: FastifyInstance): void {
  app.decorateRequest('rawBody', '');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    request.rawBody = text;
    if (text === '') {
      done(null, undefined);
      return;
    }
    try {
      done(null, JSON.parse(text));
    } catch {
      done(new ApiError('BAD_INPUT', 'request body is not valid JSON'), undefined);
    }
  });
}
