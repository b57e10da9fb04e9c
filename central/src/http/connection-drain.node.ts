import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { Server as TlsServer } from 'node:tls';
import type { FastifyInstance } from 'fastify';

/**
 * Lets `app.close()` finish as soon as the answers in flight are sent, whatever clients do.
 *
 * Why: Node's server.close() waits for every connection to end, and closeIdleConnections (which
 * Fastify calls) only ends keep-alive connections that have served a request. A connection that
 * was opened but has not sent a complete request yet counts as active, so close waited for the
 * client to give it up: undici (Node's fetch) opens such spare connections and drops them after its
 * 4 s keep-alive timeout — the 3.995 s `app.close()` seen in CI — and a slowloris client would hold
 * close forever. Likewise a long poll answered during close left its connection open for keep-alive.
 *
 * What: every connection is tracked with the responses it has in flight. When the server closes
 * (call `drain()` from the last preClose hook, after long polls were answered and streams closed):
 * connections with nothing in flight are destroyed at once; those still answering get
 * `Connection: close` and are ended as soon as their answer is sent. Connections arriving after
 * that are destroyed. WebSocket streams are closed by their own preClose hook before this runs.
 */
export function trackConnectionsForClose(app: FastifyInstance): { drain(): void } {
  const inFlight = new Map<Socket, Set<ServerResponse>>();
  let draining = false;

  // Over TLS the requests' socket is the TLSSocket; a client still in its handshake is ended by the
  // TLS server's handshakeTimeout instead.
  const connectionEvent = app.server instanceof TlsServer ? 'secureConnection' : 'connection';
  app.server.on(connectionEvent, (socket: Socket) => {
    if (draining) {
      socket.destroy();
      return;
    }
    inFlight.set(socket, new Set());
    socket.once('close', () => inFlight.delete(socket));
  });

  app.server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const socket = request.socket;
    const responses = inFlight.get(socket);
    if (!responses) return;
    responses.add(response);
    if (draining) closeAfter(response);
    response.once('close', () => {
      responses.delete(response);
      if (draining && responses.size === 0) socket.end();
    });
  });

  return {
    drain() {
      draining = true;
      for (const [socket, responses] of inFlight) {
        if (responses.size === 0) socket.destroy();
        else for (const response of responses) closeAfter(response);
      }
    },
  };
}

function closeAfter(response: ServerResponse): void {
  if (!response.headersSent) response.setHeader('connection', 'close');
}
