import type { ThrottlePolicy } from './failure-throttle.ts';

/**
 * Every limit the central's HTTP server enforces, in one place, with defaults sized for one
 * trading centre (a few hundred booths and gates on a LAN). buildCentralServer takes overrides
 * (tests shrink the timeouts); central/README.md "Limits" lists them.
 */
export interface ServerLimits {
  /** A request's headers must be complete within this time (Node's headersTimeout): slowloris is cut. */
  headersTimeoutMs: number;
  /** A whole request (headers and body) must arrive within this time (Node's requestTimeout). */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this time (Node's keepAliveTimeout). */
  keepAliveTimeoutMs: number;
  /** A socket with no traffic at all for this long is destroyed (Fastify's connectionTimeout). */
  connectionTimeoutMs: number;
  /** Requests served on one keep-alive connection before it is closed (0: no limit). */
  maxRequestsPerSocket: number;
  /** Connections open at once (Node's server.maxConnections); further ones are dropped on accept. */
  maxConnections: number;
  /** How often Node checks for requests past headersTimeout/requestTimeout. */
  connectionsCheckingIntervalMs: number;
  /** Body of a request not (yet) authenticated: enrolment, and a revoked device's requests. */
  unauthenticatedBodyBytes: number;
  /** Live sync streams one device may hold; a newer one replaces the oldest. */
  streamsPerDevice: number;
  /** Long polls one device may have waiting; a newer one answers the oldest at once (no messages). */
  longPollsPerDevice: number;
  /** Streams and long polls waiting on the whole server; beyond it new ones are refused (429). */
  maxWaiters: number;
  /** Failed enrolments (wrong, used or expired code, bad proof). */
  enrolThrottle: ThrottlePolicy;
  /** Failed device authentications (unknown device, bad signature, malformed headers). */
  deviceAuthThrottle: ThrottlePolicy;
  /** Failed operator-token checks on the admin API. */
  operatorThrottle: ThrottlePolicy;
}

const MINUTE = 60_000;

export const DEFAULT_SERVER_LIMITS: Readonly<ServerLimits> = {
  headersTimeoutMs: 10_000,
  // A push of 8 MiB over a slow booth link still fits; a long poll waits at most 30 s after its
  // headers (pullQuerySchema), which this does not cover: requestTimeout ends when the request
  // (not the answer) has arrived.
  requestTimeoutMs: 60_000,
  keepAliveTimeoutMs: 10_000,
  // Longer than the longest long poll (30 s, MAX_PULL_WAIT_MS): the socket is silent while the poll waits.
  connectionTimeoutMs: 120_000,
  maxRequestsPerSocket: 1000,
  maxConnections: 2000,
  connectionsCheckingIntervalMs: 1000,
  unauthenticatedBodyBytes: 16 * 1024,
  streamsPerDevice: 1,
  longPollsPerDevice: 2,
  maxWaiters: 1500,
  enrolThrottle: {
    maxFailures: 10,
    windowMs: 10 * MINUTE,
    lockoutMs: MINUTE,
    maxLockoutMs: 60 * MINUTE,
    global: { maxFailures: 100, windowMs: 10 * MINUTE, lockoutMs: 2 * MINUTE },
    maxSources: 10_000,
  },
  deviceAuthThrottle: {
    maxFailures: 30,
    windowMs: MINUTE,
    lockoutMs: MINUTE,
    maxLockoutMs: 10 * MINUTE,
    global: { maxFailures: 3000, windowMs: MINUTE, lockoutMs: MINUTE },
    maxSources: 10_000,
  },
  operatorThrottle: {
    maxFailures: 10,
    windowMs: 10 * MINUTE,
    lockoutMs: MINUTE,
    maxLockoutMs: 60 * MINUTE,
    global: { maxFailures: 100, windowMs: 10 * MINUTE, lockoutMs: 2 * MINUTE },
    maxSources: 10_000,
  },
};
