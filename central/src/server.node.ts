import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { centralKeysLoader } from './http/central-keys.node.ts';
import { sendJson } from './http/json-reply.node.ts';
import { acceptRawJsonBodies } from './http/raw-json-body.node.ts';
import { registerHealthRoute } from './http/routes/health.node.ts';
import { registerEnrolRoute } from './http/routes/enrol.node.ts';
import { deviceRoutes } from './http/routes/device.node.ts';
import { deviceFileRoutes } from './http/routes/device-files.node.ts';
import { adminRoutes } from './http/routes/admin.node.ts';
import { syncRoutes } from './http/routes/sync.node.ts';
import { syncAdminRoutes } from './http/routes/sync-admin.node.ts';
import { attachSyncStream } from './http/routes/sync-stream.node.ts';
import type { CentralStore } from './storage/central-store.ts';
import type { SyncStore } from './storage/sync-store.ts';
import { MessageHub } from './sync/message-hub.node.ts';
import { httpErrorAnswer } from './http/http-errors.ts';
import { applyServerLimits } from './http/apply-server-limits.node.ts';
import { trackConnectionsForClose } from './http/connection-drain.node.ts';
import { DEFAULT_SERVER_LIMITS, type ServerLimits } from './http/server-limits.ts';
import { ThrottleGuard } from './http/throttle-guard.node.ts';
import { installOperatorThrottle } from './http/admin-auth.node.ts';
import { WaiterLimits } from './sync/waiter-limits.ts';
import type { CommitteeService } from './committee/committee-service.node.ts';
import { isCommitteeStore } from './storage/committee-store.ts';
import { isReportStore } from './storage/report-store.ts';
import { deviceReportRoutes } from './http/routes/device-report.node.ts';
import type { KeyObject } from 'node:crypto';
import type { ReportService, ReportServiceDeps } from './report/report-service.node.ts';
import type { TrustList } from '@kawei/shared/signing/trust-list.ts';

/** How often the committee looks for stored review events it has not judged (a crash in between). */
export const COMMITTEE_CATCH_UP_MS = 3000;

/** Requests carry small JSON documents; anything bigger is a mistake or an attack. */
export const BODY_LIMIT_BYTES = 64 * 1024;

export interface CentralServerOptions {
  store: CentralStore & SyncStore;
  /** Epoch milliseconds; tests inject a clock to reach expiry and staleness. */
  now?: () => number;
  /** Fastify's logger option; off by default. */
  logger?: FastifyServerOptions['logger'];
  /**
   * Wakes live streams and long polls when a downstream message is appended. Defaults to one that
   * also polls the store every second (for messages other processes append); tests pass their own
   * to poll faster and to count waiters. The server closes it when it closes.
   */
  messageHub?: MessageHub;
  /** How often sync streams are pinged (dead peers are dropped after one unanswered ping). */
  streamPingMs?: number;
  /** Timeouts, connection and body caps, throttles (central/src/http/server-limits.ts); each defaults. */
  limits?: Partial<ServerLimits>;
  /** The data directory: tender files and their grants (central/src/projects/). Without it no file is served. */
  dataDir?: string;
  /**
   * The central's TLS certificate and key (PEM; central/src/cli/central-tls.node.ts). `serve` always
   * gives them: devices talk to the central only over TLS pinned to this key. Without them the server
   * speaks plain HTTP, which only in-process tests (inject, or a loopback port) use.
   */
  tls?: { cert: string; key: string };
  /** SHA-256 of the TLS key's SPKI, returned with every enrolment code made over the admin API. */
  tlsFingerprint?: string;
  /**
   * The committee (issue #13, central/src/committee/): made when the server is ready if the store
   * keeps the committee ledger; `false` runs without it. It judges pushed review events and catches
   * up every `committeeCatchUpMs` (default COMMITTEE_CATCH_UP_MS).
   */
  committee?: CommitteeService | false;
  committeeCatchUpMs?: number;
  /**
   * The report (issue #14, central/src/report/report-service.node.ts): made with the committee when
   * the server makes it and the store keeps report files; the committee judges booth report events
   * through it and tells it of every append. A test that passes its own committee passes its report.
   */
  report?: (ReportService & { idle?: () => Promise<void> }) | null;
  /** The experts' (and the supervisor's) CAs for the report's signatures (`serve --trust DIR`); none: signatures are refused, saying why. */
  reportTrustList?: () => TrustList | null;
  /** The supervisors' certificates (DER) the identity annex is encrypted for (`serve --supervision-cert`). */
  supervisionCertificates?: readonly Uint8Array[];
  /** The centre's name on its seal, when the seal is made (DATA/seal); the project material's otherwise. */
  centreName?: string;
  /** The experts' names for the identity annex (`serve --experts DIR`); by id without it. */
  expertName?: (expert: string) => string | null;
}

/** The centre's seal lives in DATA/seal (made on first use). */
export const SEAL_DIR_NAME = 'seal';

/** The central's HTTP API (shared/src/api/central-http.ts). Call `listen` or `inject` on the result. */
export function buildCentralServer(options: CentralServerOptions): FastifyInstance {
  const { store } = options;
  const now = options.now ?? Date.now;
  const centralKeys = centralKeysLoader(store);
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: BODY_LIMIT_BYTES,
    // TLS 1.2 at least; the key's owner is proved to devices by its pinned fingerprint, not by a CA.
    ...(options.tls ? { https: { cert: options.tls.cert, key: options.tls.key, minVersion: 'TLSv1.2' as const } } : {}),
  }) as unknown as FastifyInstance;

  app.setErrorHandler((error, request, reply) => {
    const answer = httpErrorAnswer(error);
    if (answer.internal) request.log.error({ err: error }, 'request failed');
    if (answer.retryAfterSeconds !== null) reply.header('retry-after', String(answer.retryAfterSeconds));
    return sendJson(reply, answer.status, answer.body);
  });
  app.setNotFoundHandler((request, reply) =>
    sendJson(reply, 404, { error: { code: 'UNKNOWN_CALL', message: `no route ${request.method} ${request.url}` } }),
  );
  acceptRawJsonBodies(app);
  const limits: ServerLimits = { ...DEFAULT_SERVER_LIMITS, ...options.limits };
  applyServerLimits(app, limits);
  const connections = trackConnectionsForClose(app);
  const guardDeps = { store, now, log: () => app.log };
  const enrolGuard = new ThrottleGuard('enrol', limits.enrolThrottle, guardDeps);
  installOperatorThrottle(app, new ThrottleGuard('operator', limits.operatorThrottle, guardDeps));
  const deviceAuth = {
    store,
    now,
    centralKeys,
    authThrottle: new ThrottleGuard('device-auth', limits.deviceAuthThrottle, guardDeps),
    unauthenticatedBodyBytes: limits.unauthenticatedBodyBytes,
  };
  const waiters = new WaiterLimits({
    perDevice: { stream: limits.streamsPerDevice, poll: limits.longPollsPerDevice },
    total: limits.maxWaiters,
  });
  // Load the identity before the first request, so a broken database fails `ready`, not a device.
  app.addHook('onReady', async () => {
    await centralKeys();
  });

  let committee: CommitteeService | null = options.committee === false ? null : (options.committee ?? null);
  let report: (ReportService & { idle?: () => Promise<void> }) | null = options.report ?? null;
  let catchUpTimer: NodeJS.Timeout | null = null;
  let catchingUp: Promise<void> | null = null;
  const catchUp = () => {
    if (!committee || catchingUp) return;
    catchingUp = committee
      .catchUp()
      .catch((error: unknown) => app.log.error({ err: error }, 'committee: catch-up failed'))
      .finally(() => (catchingUp = null));
  };
  app.addHook('onReady', async () => {
    if (options.committee === false) return;
    if (!committee && isCommitteeStore(store)) {
      // Loaded here, not at the top: the CLI's other commands import this module and need none of it.
      const { createCommitteeService } = await import('./committee/committee-service.node.ts');
      const keys = await centralKeys();
      const log = {
        info: (details: Record<string, unknown>, message: string) => app.log.info(details, message),
        warn: (details: Record<string, unknown>, message: string) => app.log.warn(details, message),
        error: (details: Record<string, unknown>, message: string) => app.log.error(details, message),
      };
      const pipeline = isReportStore(store) ? await makeReportService(store, keys, log) : null;
      report = pipeline;
      committee = createCommitteeService({
        store,
        privateKey: keys.privateKey,
        centralId: keys.centralId,
        now,
        notify: (message) => hub.publish(message),
        log,
        ...(pipeline ? { report: pipeline } : {}),
      });
    }
    // Not awaited: the port opens at once; events stored while the central was down are judged meanwhile.
    catchUp();
    catchUpTimer = setInterval(catchUp, options.committeeCatchUpMs ?? COMMITTEE_CATCH_UP_MS).unref();
  });
  app.addHook('onClose', async () => {
    if (catchUpTimer) clearInterval(catchUpTimer);
    await catchingUp;
    await committee?.idle();
    await report?.idle?.();
  });

  /** The report service on the central's store: the trust list, the seal (DATA/seal) and the supervisors' certificates from the options. */
  async function makeReportService(
    reportStore: ReportServiceDeps['store'],
    keys: { privateKey: KeyObject; centralId: string },
    log: NonNullable<ReportServiceDeps['log']>,
  ) {
    const [{ createReportService }, { loadOrCreateCentreSeal }, { join }] = await Promise.all([
      import('./report/report-service.node.ts'),
      import('./report/centre-seal.node.ts'),
      import('node:path'),
    ]);
    const dataDir = options.dataDir ?? null;
    return createReportService({
      store: reportStore,
      privateKey: keys.privateKey,
      centralId: keys.centralId,
      now,
      dataDir,
      trustList: options.reportTrustList ?? (() => null),
      seal: (materialCentre) => {
        // Without a data folder (an in-process test) there is nowhere to keep the seal: annexes wait.
        if (dataDir === null) return Promise.reject(new Error('no data directory: the centre seal cannot be made'));
        return loadOrCreateCentreSeal(join(dataDir, SEAL_DIR_NAME), options.centreName ?? materialCentre);
      },
      ...(options.supervisionCertificates && options.supervisionCertificates.length > 0 ? { supervisionCertificates: options.supervisionCertificates } : {}),
      ...(options.expertName ? { expertName: options.expertName } : {}),
      notify: (message) => hub.publish(message),
      log,
    });
  }

  registerHealthRoute(app, { now, centralKeys });
  registerEnrolRoute(app, { store, now, centralKeys, throttle: enrolGuard, bodyLimit: limits.unauthenticatedBodyBytes });
  app.register(deviceRoutes, deviceAuth);
  app.register(deviceFileRoutes, { ...deviceAuth, dataDir: options.dataDir ?? null });
  app.register(deviceReportRoutes, { ...deviceAuth, report: () => report });
  app.register(adminRoutes, { store, now, tlsFingerprint: options.tlsFingerprint ?? null });

  const hub = options.messageHub ?? new MessageHub();
  // Long polls answer and streams close now, rather than holding the server's close for up to 30 s.
  app.addHook('preClose', async () => hub.close());
  app.register(syncRoutes, { ...deviceAuth, hub, waiters, committee: () => committee });
  app.register(syncAdminRoutes, { store, now, centralKeys, hub });
  attachSyncStream(app, { ...deviceAuth, hub, waiters, pingMs: options.streamPingMs });
  // Last of the preClose hooks (long polls are answered, streams closed): end every connection
  // that is not sending an answer, so close never waits on a client (connection-drain.node.ts).
  app.addHook('preClose', async () => connections.drain());
  return app;
}
