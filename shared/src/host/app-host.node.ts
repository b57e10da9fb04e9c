import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { createHash, timingSafeEqual } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import type { CallResult, Contract, EventHub } from '../contract/contract.ts';
import { randomToken } from '../crypto/hash.node.ts';
import {
  HELLO_TIMEOUT_MS,
  HOST_WS_PATH,
  MAX_CLIENT_FRAME_BYTES,
  SECRET_FRAGMENT_KEY,
  WS_CLOSE,
  clientFrameSchema,
  type HostFrame,
} from './ws-protocol.ts';
import { readStaticFile } from './static-files.node.ts';
import { contentSecurityPolicy } from '../security/renderer-files.ts';

export interface AppHostOptions<K extends Contract> {
  contract: K;
  dispatch: (name: unknown, input: unknown) => Promise<CallResult>;
  events: EventHub<K>;
  /** The built renderer (index.html and assets). */
  rendererDir: string;
  port?: number;
  /** Fixed only in tests; otherwise a fresh secret per launch. */
  secret?: string;
  /** Smaller only in tests (so a timeout is reached quickly); DEFAULT_HOST_LIMITS otherwise. */
  limits?: Partial<HostLimits>;
  /** Where the host reports what it refused or survived; console.warn by default. */
  log?: (message: string) => void;
}

/**
 * What one local process can make the host hold. Any process on the machine can connect to the
 * loopback port, so none of these depend on the launch secret: a socket that has not said hello is a
 * stranger and is dismissed on its first mistake, on a timeout, or to make room for a newer one.
 */
export interface HostLimits {
  /** Sockets waiting for their hello. A new one past the bound dismisses the oldest: the real
   * renderer says hello within milliseconds of opening, so a crowd of silent sockets cannot lock it out. */
  maxPendingSockets: number;
  /** Authenticated sockets. A reloading renderer opens its new socket before the old one is gone;
   * past the bound the oldest is closed. */
  maxSockets: number;
  helloTimeoutMs: number;
  /** An HTTP request (the WebSocket upgrade included) must have sent all its headers by then. */
  headersTimeoutMs: number;
  /** A dismissed stranger that ignores the close handshake is cut off after this. */
  closeGraceMs: number;
  /** Every TCP connection at once: a bound on the host's file descriptors. */
  maxConnections: number;
}

export const DEFAULT_HOST_LIMITS: HostLimits = {
  maxPendingSockets: 8,
  maxSockets: 8,
  helloTimeoutMs: HELLO_TIMEOUT_MS,
  headersTimeoutMs: 5000,
  closeGraceMs: 1000,
  maxConnections: 128,
};

export interface AppHost {
  /** The page without the secret: what a stranger could open (and be refused by the API). */
  url: string;
  /** The page with the secret in its fragment: what we open in Chromium. Never print or log it. */
  launchUrl: string;
  port: number;
  close(): Promise<void>;
}

/** Loopback only: the API must never be reachable from the network. */
const BIND_HOST = '127.0.0.1';

/**
 * Serves the app's renderer and its API to a browser on the same machine: the stand-in for Electron
 * (custom protocol + ipcMain) used to run, demo and test the apps here. The API needs the per-launch
 * secret, the page's own Origin and a Host header naming the loopback port (DNS rebinding).
 *
 * Nothing a client sends may stop the process: every server and socket has an error listener (ws
 * reports an oversized frame or invalid UTF-8 as an 'error' event, which without a listener throws),
 * frames are bounded by MAX_CLIENT_FRAME_BYTES, sockets and connections are bounded (HostLimits), and
 * slow or silent clients time out.
 */
export async function startAppHost<K extends Contract>(options: AppHostOptions<K>): Promise<AppHost> {
  const limits: HostLimits = { ...DEFAULT_HOST_LIMITS, ...options.limits };
  const log = options.log ?? ((message: string) => console.warn(`[host] ${message}`));
  const secret = options.secret ?? randomToken(32);
  const secretDigest = digest(secret);
  // Insertion order is age order: the first entry is the oldest socket of its kind.
  const pending = new Set<WebSocket>();
  const authenticated = new Set<WebSocket>();
  let port = 0;

  const allowedHosts = () => new Set([`${BIND_HOST}:${port}`, `localhost:${port}`]);
  const allowedOrigins = () => new Set([`http://${BIND_HOST}:${port}`, `http://localhost:${port}`]);

  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.headersTimeoutMs * 2,
      // Node checks the two timeouts above only this often (30 s by default).
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(limits.headersTimeoutMs / 2))),
    },
    (req, res) => {
      serveStatic(req, res).catch((error: unknown) => {
        log(`static file failed: ${(error as Error).message}`);
        if (!res.headersSent) refuse(res, 500, 'internal error');
        else res.destroy();
      });
    },
  );
  server.maxConnections = limits.maxConnections;
  // Bytes that are not HTTP, headers too slow (slowloris), a reset mid-request: answer if the socket
  // can still take it, then drop it.
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (!socket.writable || error.code === 'ECONNRESET') return void socket.destroy();
    const status = error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`);
  });

  async function serveStatic(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!allowedHosts().has(req.headers.host ?? '')) return refuse(res, 421, 'misdirected request');
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'method not allowed');
    const path = new URL(req.url ?? '/', 'http://host').pathname;
    const file = await readStaticFile(options.rendererDir, path);
    if (!file) return refuse(res, 404, 'not found');
    res.writeHead(200, {
      'content-type': file.type,
      'content-length': file.body.length,
      'content-security-policy': hostContentSecurityPolicy(port),
      // Cross-origin isolation: lets the face pipeline use wasm threads (SharedArrayBuffer) later.
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-embedder-policy': 'require-corp',
      'cross-origin-resource-policy': 'same-origin',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': file.type.startsWith('text/html') ? 'no-store' : 'no-cache',
    });
    res.end(req.method === 'HEAD' ? undefined : file.body);
  }

  // No compression: a small compressed frame must not inflate to more than maxPayload in memory.
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_FRAME_BYTES, perMessageDeflate: false });
  wss.on('error', (error) => log(`websocket server: ${error.message}`));
  wss.on('wsClientError', (error, socket) => {
    log(`refused a websocket handshake: ${error.message}`);
    socket.destroy();
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Node hands the raw socket over without an error listener; a reset here must not throw.
    socket.on('error', () => socket.destroy());
    const path = new URL(req.url ?? '/', 'http://host').pathname;
    const origin = req.headers.origin ?? '';
    if (path !== HOST_WS_PATH || !allowedHosts().has(req.headers.host ?? '') || !allowedOrigins().has(origin)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => acceptSocket(ws));
  });

  /** Closes with a reason the real client can read, and cuts off one that ignores the handshake. */
  function dismiss(ws: WebSocket, code: number, reason: string): void {
    pending.delete(ws);
    authenticated.delete(ws);
    if (ws.readyState === ws.CLOSED) return;
    ws.close(code, reason);
    setTimeout(() => ws.terminate(), limits.closeGraceMs).unref();
  }

  function makeRoom(sockets: Set<WebSocket>, bound: number): void {
    while (sockets.size >= bound) {
      const oldest = sockets.values().next().value as WebSocket;
      dismiss(oldest, WS_CLOSE.tooManySockets, 'too many sockets');
    }
  }

  function acceptSocket(ws: WebSocket): void {
    makeRoom(pending, limits.maxPendingSockets);
    pending.add(ws);
    let unsubscribe: (() => void) | null = null;
    const send = (frame: HostFrame) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
    };
    const helloTimer = setTimeout(() => dismiss(ws, WS_CLOSE.helloTimeout, 'hello expected'), limits.helloTimeoutMs);

    // ws reports a frame over maxPayload (1009), invalid UTF-8 (1007) and broken framing as 'error' and
    // then closes the socket itself; all that is left to do is not to throw.
    ws.on('error', (error) => {
      log(`${unsubscribe ? 'renderer' : 'unauthenticated'} socket: ${error.message}`);
      pending.delete(ws);
      authenticated.delete(ws);
      ws.terminate();
    });

    ws.on('message', (data, isBinary) => {
      const frame = parseFrame(data, isBinary);
      if (!frame) return dismiss(ws, WS_CLOSE.badFrame, 'malformed frame');
      if (frame.t === 'hello') {
        if (unsubscribe) return dismiss(ws, WS_CLOSE.badFrame, 'hello sent twice');
        if (!timingSafeEqual(digest(frame.secret), secretDigest)) return dismiss(ws, WS_CLOSE.unauthorised, 'wrong secret');
        clearTimeout(helloTimer);
        pending.delete(ws);
        makeRoom(authenticated, limits.maxSockets);
        authenticated.add(ws);
        unsubscribe = options.events.subscribe((channel, payload) => send({ t: 'event', channel, payload }));
        return send({ t: 'ready', contract: options.contract.name });
      }
      if (!unsubscribe) return dismiss(ws, WS_CLOSE.unauthorised, 'hello expected first');
      options
        .dispatch(frame.name, frame.input)
        .then((result) => send({ t: 'result', id: frame.id, result }))
        .catch((error: unknown) => {
          // The dispatcher promises a CallResult; if it ever throws, the renderer still gets an answer.
          log(`dispatch ${frame.name} threw: ${(error as Error).message}`);
          send({ t: 'result', id: frame.id, result: { ok: false, error: { code: 'INTERNAL', message: 'the call failed' } } });
        });
    });
    ws.on('close', () => {
      clearTimeout(helloTimer);
      unsubscribe?.();
      pending.delete(ws);
      authenticated.delete(ws);
    });
  }

  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, BIND_HOST, () => {
      server.off('error', reject);
      resolvePromise();
    });
  });
  // After listening, an accept error (EMFILE…) is reported, never thrown.
  server.on('error', (error) => log(`http server: ${error.message}`));
  port = (server.address() as AddressInfo).port;
  const url = `http://${BIND_HOST}:${port}/`;

  return {
    url,
    launchUrl: `${url}#${SECRET_FRAGMENT_KEY}=${encodeURIComponent(secret)}`,
    port,
    close: async () => {
      for (const ws of [...pending, ...authenticated]) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

function parseFrame(data: unknown, isBinary: boolean) {
  if (isBinary) return null;
  try {
    const parsed = clientFrameSchema.safeParse(JSON.parse(String(data)));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

function refuse(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' });
  res.end(message);
}

/**
 * The host's CSP: Electron's, plus the loopback WebSocket that stands in for IPC, plus WebAssembly
 * compilation for the face pipeline's tfjs wasm backend (FACE.md "Renderer").
 */
export function hostContentSecurityPolicy(port: number): string {
  return contentSecurityPolicy({ connectSrc: [`ws://${BIND_HOST}:${port}`, `ws://localhost:${port}`], wasm: true });
}
