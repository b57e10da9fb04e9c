import type { FastifyReply } from 'fastify';

/**
 * Serialises the body ourselves, so the string we hash for the central's response signature is
 * byte for byte the string Fastify sends.
 */
export function sendJson(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send(JSON.stringify(body));
}
