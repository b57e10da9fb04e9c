import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { WebSocketServer, type WebSocket } from 'ws';
import { ApiError, badInput } from '@kawei/shared/errors.ts';
import { DEVICE_AUTH_HEADERS } from '@kawei/shared/api/device-auth.ts';
import { MAX_PULL_MESSAGES, pullQuerySchema, SYNC_PATHS, type StreamFrame } from '@kawei/shared/sync/sync-http.ts';
import { authenticateDeviceRequest, centralAnswerSignature, countAuthFailure } from '../device-auth.node.ts';
import { httpErrorAnswer, rateLimited } from '../http-errors.ts';
import type { SyncRouteDeps } from './sync.node.ts';
import { WAITERS_FULL_RETRY_MS } from '../../sync/waiter-limits.ts';

/** Every so often each stream is pinged; a peer that has not answered the previous ping is dropped. */
export const DEFAULT_STREAM_PING_MS = 30_000;
/** On shutdown, streams get this long to finish their closing handshake before they are cut. */
const CLOSE_GRACE_MS = 1000;
/** The close code of a stream replaced by a newer stream of the same device (WaiterLimits). */
export const STREAM_REPLACED_CLOSE_CODE = 4001;

const streamQuerySchema = pullQuerySchema.pick({ cursor: true });

/**
 * GET SYNC_PATHS.stream?cursor=N as a WebSocket (ws, noServer, on the Fastify server's 'upgrade'):
 *   1. the upgrade request is device-authenticated exactly like a route (method GET, path with query,
 *      empty body); a refusal is an ordinary HTTP error answer with the JSON error body, signed by the
 *      central once the device is known, and the connection is closed;
 *   2. the 101 answer carries x-kawei-central-signature over centralResponseMessage(nonce, 101,
 *      sha256('')), so the device knows it reached its pinned central before it trusts any frame;
 *   3. the central sends the backlog after N as {t:'message'} frames, then {t:'live', cursor}, then
 *      each new message as it is appended (MessageHub: at once if appended in this process, within
 *      one poll interval if appended by another process such as the operator CLI).
 * Devices send nothing; the central pings every `pingMs` and drops peers that stop answering.
 */
export function attachSyncStream(app: FastifyInstance, deps: SyncRouteDeps & { pingMs?: number }): void {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024, clientTracking: false });
  const upgradeSignatures = new WeakMap<IncomingMessage, string>();
  const sessions = new Set<StreamSession>();
  let closing = false;

  wss.on('headers', (headers, request) => {
    const signature = upgradeSignatures.get(request);
    if (signature !== undefined) headers.push(`${DEVICE_AUTH_HEADERS.centralSignature}: ${signature}`);
  });

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Until ws owns the socket, a reset by the peer must not become an uncaught 'error'.
    socket.on('error', () => socket.destroy());
    const url = request.url ?? '/';
    if (closing) {
      socket.destroy();
      return;
    }
    if (url.split('?')[0] !== SYNC_PATHS.stream) {
      writeRefusal(socket, new ApiError('UNKNOWN_CALL', `no WebSocket at ${url.split('?')[0]}`), null);
      return;
    }
    void (async () => {
      let nonce: string | null = null;
      const source = request.socket.remoteAddress ?? 'unknown';
      try {
        deps.authThrottle?.assertAllowed(source);
      } catch (error) {
        return writeRefusal(socket, error, null);
      }
      try {
        const auth = await authenticateDeviceRequest(deps, { method: request.method ?? 'GET', url, headers: request.headers, rawBody: '' });
        nonce = auth.nonce;
        const { privateKey } = await deps.centralKeys();
        const sign = (status: number, body: string) => (nonce === null ? null : centralAnswerSignature(privateKey, nonce, status, body));
        if (!auth.ok) {
          await countAuthFailure(deps, source, auth.error);
          return writeRefusal(socket, auth.error, sign);
        }
        const query = streamQuerySchema.safeParse(Object.fromEntries(new URL(url, 'http://central').searchParams));
        if (!query.success) return writeRefusal(socket, badInput(query.error, 'sync stream'), sign);
        if (socket.destroyed || closing) return socket.destroy();
        // One stream per device (by default): a newer one replaces the older, even mid-handshake.
        const holder: { session: StreamSession | null; replaced: boolean } = { session: null, replaced: false };
        const release = deps.waiters.admit('stream', auth.device.id, () => {
          holder.replaced = true;
          holder.session?.replace();
        });
        if (release === null) {
          return writeRefusal(socket, rateLimited('too many streams and long polls are open at this central', WAITERS_FULL_RETRY_MS, { scope: 'server' }), sign);
        }
        upgradeSignatures.set(request, sign(101, '')!);
        socket.once('close', release);
        wss.handleUpgrade(request, socket, head, (ws) => {
          const session = new StreamSession(ws, auth.device.id, query.data.cursor, deps, app);
          holder.session = session;
          sessions.add(session);
          ws.once('close', () => {
            sessions.delete(session);
            release();
          });
          if (holder.replaced) session.replace();
        });
      } catch (error) {
        app.log.error({ err: error }, 'sync stream upgrade failed');
        const keys = nonce === null ? null : await deps.centralKeys().catch(() => null);
        writeRefusal(socket, error, keys && nonce ? (status, body) => centralAnswerSignature(keys.privateKey, nonce!, status, body) : null);
      }
    })();
  };
  app.server.on('upgrade', onUpgrade);

  const pinger = setInterval(() => {
    for (const session of sessions) session.heartbeat();
  }, deps.pingMs ?? DEFAULT_STREAM_PING_MS).unref();

  // preClose runs before the HTTP server stops: the server would otherwise wait for the streams,
  // which never end on their own.
  app.addHook('preClose', async () => {
    closing = true;
    clearInterval(pinger);
    app.server.off('upgrade', onUpgrade);
    const closed = [...sessions].map((session) => session.shutDown());
    await Promise.all(closed);
    wss.close();
  });
}

/** One device's stream: sends everything after its cursor, in order, never twice. */
class StreamSession {
  private alive = true;
  private live = false;
  private pumping = false;
  private again = false;
  private closed = false;
  private readonly unsubscribe: () => void;
  private readonly gone: Promise<void>;

  constructor(
    private readonly ws: WebSocket,
    private readonly deviceId: string,
    private cursor: number,
    private readonly deps: SyncRouteDeps,
    private readonly app: FastifyInstance,
  ) {
    this.gone = new Promise((resolve) => ws.once('close', () => resolve()));
    // Subscribe before the first read, so nothing appended meanwhile can fall between the two.
    this.unsubscribe = deps.hub.subscribe({
      deviceId,
      wake: () => void this.pump(),
      close: () => void this.shutDown(),
    });
    ws.once('close', () => {
      this.closed = true;
      this.unsubscribe();
    });
    ws.on('error', () => ws.terminate());
    ws.on('pong', () => (this.alive = true));
    ws.on('message', () => ws.close(1008, 'devices send no frames on this stream'));
    void this.pump();
  }

  heartbeat(): void {
    if (!this.alive) {
      this.ws.terminate();
      return;
    }
    this.alive = false;
    this.ws.ping();
  }

  /** Closes with 1001 (going away); a peer that does not complete the handshake in time is cut. */
  shutDown(): Promise<void> {
    this.closeWith(1001, 'central shutting down');
    return this.gone;
  }

  /** The same device opened a newer stream: this one ends (4001) and the newer one carries on. */
  replace(): void {
    this.closeWith(STREAM_REPLACED_CLOSE_CODE, 'replaced by a newer stream of this device');
  }

  private closeWith(code: number, reason: string): void {
    if (this.closed) return;
    this.ws.close(code, reason);
    setTimeout(() => this.ws.terminate(), CLOSE_GRACE_MS).unref();
  }

  /** Sends every message after the cursor; concurrent wake-ups fold into one more round. */
  private async pump(): Promise<void> {
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.again = false;
        for (;;) {
          const messages = await this.deps.store.messagesAfter(this.deviceId, this.cursor, MAX_PULL_MESSAGES);
          if (this.closed) return;
          if (messages.length === 0) break;
          let written: Promise<void> = Promise.resolve();
          for (const message of messages) written = this.send({ t: 'message', message });
          this.cursor = messages.at(-1)!.cursor;
          // Back-pressure: a device catching up on a long backlog is fed page by page.
          await written;
          if (messages.length < MAX_PULL_MESSAGES) break;
        }
        if (!this.live && !this.closed) {
          this.live = true;
          void this.send({ t: 'live', cursor: this.cursor });
        }
      } while (this.again && !this.closed);
    } catch (error) {
      if (!this.closed) {
        this.app.log.error({ err: error, deviceId: this.deviceId }, 'sync stream failed');
        this.ws.close(1011, 'internal error');
      }
    } finally {
      this.pumping = false;
    }
  }

  private send(frame: StreamFrame): Promise<void> {
    return new Promise((resolve) => {
      if (this.closed) return resolve();
      // A failed write surfaces as the socket's 'error'/'close'; the pump stops on `closed`.
      this.ws.send(JSON.stringify(frame), () => resolve());
    });
  }
}

/** A refused upgrade: a plain HTTP answer with the usual { error } body, then the connection closes. */
function writeRefusal(socket: Duplex, error: unknown, sign: ((status: number, body: string) => string | null) | null): void {
  if (socket.destroyed) return;
  const answer = httpErrorAnswer(error);
  const body = JSON.stringify(answer.body);
  const lines = [
    `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status] ?? ''}`,
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
  ];
  if (answer.retryAfterSeconds !== null) lines.push(`Retry-After: ${answer.retryAfterSeconds}`);
  const signature = sign?.(answer.status, body) ?? null;
  if (signature !== null) lines.push(`${DEVICE_AUTH_HEADERS.centralSignature}: ${signature}`);
  socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
}
