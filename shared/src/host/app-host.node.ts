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
}

export interface AppHost {
  /** The page without the secret: what a stranger could open (and be refused by the API). */
  url: string;
  /** The page with the secret in its fragment: what we open in Chromium. */
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
 */
export async function startAppHost<K extends Contract>(options: AppHostOptions<K>): Promise<AppHost> {
  const secret = options.secret ?? randomToken(32);
  const secretDigest = digest(secret);
  const sockets = new Set<WebSocket>();
  let port = 0;

  const allowedHosts = () => new Set([`${BIND_HOST}:${port}`, `localhost:${port}`]);
  const allowedOrigins = () => new Set([`http://${BIND_HOST}:${port}`, `http://localhost:${port}`]);

  const server = createServer((req, res) => {
    void serveStatic(req, res);
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

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_FRAME_BYTES });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = new URL(req.url ?? '/', 'http://host').pathname;
    const origin = req.headers.origin ?? '';
    if (path !== HOST_WS_PATH || !allowedHosts().has(req.headers.host ?? '') || !allowedOrigins().has(origin)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => acceptSocket(ws));
  });

  function acceptSocket(ws: WebSocket): void {
    sockets.add(ws);
    let unsubscribe: (() => void) | null = null;
    const send = (frame: HostFrame) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
    };
    const helloTimer = setTimeout(() => ws.close(WS_CLOSE.helloTimeout, 'hello expected'), HELLO_TIMEOUT_MS);

    ws.on('message', (data, isBinary) => {
      const frame = parseFrame(data, isBinary);
      if (!frame) return ws.close(WS_CLOSE.badFrame, 'malformed frame');
      if (frame.t === 'hello') {
        if (unsubscribe) return ws.close(WS_CLOSE.badFrame, 'hello sent twice');
        if (!timingSafeEqual(digest(frame.secret), secretDigest)) return ws.close(WS_CLOSE.unauthorised, 'wrong secret');
        clearTimeout(helloTimer);
        unsubscribe = options.events.subscribe((channel, payload) => send({ t: 'event', channel, payload }));
        return send({ t: 'ready', contract: options.contract.name });
      }
      if (!unsubscribe) return ws.close(WS_CLOSE.unauthorised, 'hello expected first');
      void options.dispatch(frame.name, frame.input).then((result) => send({ t: 'result', id: frame.id, result }));
    });
    ws.on('close', () => {
      clearTimeout(helloTimer);
      unsubscribe?.();
      sockets.delete(ws);
    });
  }

  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, BIND_HOST, () => resolvePromise());
  });
  port = (server.address() as AddressInfo).port;
  const url = `http://${BIND_HOST}:${port}/`;

  return {
    url,
    launchUrl: `${url}#${SECRET_FRAGMENT_KEY}=${encodeURIComponent(secret)}`,
    port,
    close: async () => {
      for (const ws of sockets) ws.terminate();
      wss.close();
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
