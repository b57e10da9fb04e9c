import { z } from 'zod';
import { apiErrorBodySchema } from '../errors.ts';

/**
 * The Node host's WebSocket protocol (the stand-in for Electron IPC when the renderer runs in a
 * browser). Path: HOST_WS_PATH on the host's 127.0.0.1 port.
 *
 *   client → host  { t: 'hello', secret }            first message, within HELLO_TIMEOUT_MS
 *   host → client  { t: 'ready', contract }          the secret was right
 *   client → host  { t: 'call', id, name, input }    any number, concurrently
 *   host → client  { t: 'result', id, result }       one per call, CallResult
 *   host → client  { t: 'event', channel, payload }  pushed after ready
 *
 * The launch secret reaches the renderer in the URL fragment (#k=…), which browsers never send to a
 * server, so a process that only fetches the page learns nothing. The host also checks Origin.
 * A wrong secret or a malformed frame closes the socket with a WS_CLOSE code and a reason; a frame
 * over MAX_CLIENT_FRAME_BYTES closes it with 1009, invalid UTF-8 with 1007 (RFC 6455).
 */
export const HOST_WS_PATH = '/api/ws';
export const HELLO_TIMEOUT_MS = 5000;
export const SECRET_FRAGMENT_KEY = 'k';

export const WS_CLOSE = {
  unauthorised: 4401,
  badFrame: 4400,
  helloTimeout: 4408,
  /** Too many sockets: the oldest of its kind (waiting for hello, or authenticated) makes room. */
  tooManySockets: 4429,
} as const;

export const clientFrameSchema = z.discriminatedUnion('t', [
  z.object({ t: z.literal('hello'), secret: z.string().min(1).max(200) }),
  z.object({
    t: z.literal('call'),
    id: z.number().int().nonnegative(),
    name: z.string().min(1).max(100),
    input: z.unknown(),
  }),
]);
export type ClientFrame = z.infer<typeof clientFrameSchema>;

const callResultFrame = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), value: z.unknown() }),
  z.object({ ok: z.literal(false), error: apiErrorBodySchema }),
]);

export const hostFrameSchema = z.discriminatedUnion('t', [
  z.object({ t: z.literal('ready'), contract: z.string() }),
  z.object({ t: z.literal('result'), id: z.number().int(), result: callResultFrame }),
  z.object({ t: z.literal('event'), channel: z.string(), payload: z.unknown() }),
]);
export type HostFrame = z.infer<typeof hostFrameSchema>;

/** Largest frame the host accepts from a renderer. */
export const MAX_CLIENT_FRAME_BYTES = 1024 * 1024;
