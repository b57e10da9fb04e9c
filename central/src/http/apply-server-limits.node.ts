import type { Server } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { ServerLimits } from './server-limits.ts';

/**
 * Sets the Node server's timeouts and connection cap from `limits` (server-limits.ts). Done on the
 * server object rather than through Fastify's options so it applies alike to HTTP and HTTPS;
 * it must run before `listen` (Node starts its request-timeout checker then).
 */
export function applyServerLimits(app: FastifyInstance, limits: ServerLimits): void {
  const server = app.server as Server & { connectionsCheckingInterval: number };
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.maxRequestsPerSocket = limits.maxRequestsPerSocket;
  server.maxConnections = limits.maxConnections;
  server.connectionsCheckingInterval = limits.connectionsCheckingIntervalMs;
  // Idle sockets (no bytes either way) are destroyed; streams turn this off once upgraded (ws).
  server.setTimeout(limits.connectionTimeoutMs);
}
