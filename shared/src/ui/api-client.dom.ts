import { ApiError, describeZodError, type ApiErrorBody } from '../errors.ts';
import {
  callResultSchema,
  type ApiClient,
  type CallResult,
  type CallSpec,
  type Contract,
  type EventName,
  type EventPayload,
} from '../contract/contract.ts';
import { BRIDGE_GLOBAL, type PreloadBridge } from '../contract/bridge.ts';
import { HOST_WS_PATH, SECRET_FRAGMENT_KEY, WS_CLOSE, hostFrameSchema, type ClientFrame } from '../host/ws-protocol.ts';

/**
 * The renderer's one way to talk to its services. Two transports, one typed client:
 *
 *  - Electron: the preload put a PreloadBridge on `window.kawei`; calls go through it.
 *  - Browser (the Node host serves the page on 127.0.0.1): a WebSocket to HOST_WS_PATH speaking
 *    ws-protocol.ts, authenticated with the launch secret from the URL fragment.
 *
 * Whatever the transport, results are CallResults, outputs and event payloads are parsed with the
 * contract's zod schemas on arrival, and failures surface as ApiError with a code the UI translates.
 *
 * Runs in the renderer only; nothing at module level touches `window`, so the pure parts can be
 * unit-tested under Node.
 */

// ── observable connection state ──────────────────────────────────────────────

export type TransportKind = 'bridge' | 'websocket';

/** Terminal problems that retrying cannot fix: someone has to restart the app. */
export type ConnectionFailure = 'no-secret' | 'unauthorised' | 'wrong-contract';

export type ConnectionState =
  | { readonly status: 'connecting'; readonly transport: TransportKind }
  | { readonly status: 'ready'; readonly transport: TransportKind }
  | { readonly status: 'reconnecting'; readonly transport: TransportKind; readonly attempt: number; readonly retryAt: number }
  | { readonly status: 'failed'; readonly transport: TransportKind; readonly failure: ConnectionFailure };

/** Shaped for React's useSyncExternalStore: `get` returns the same object until the state changes. */
export interface Observable<T> {
  get(): T;
  subscribe(listener: () => void): () => void;
}

class Store<T> implements Observable<T> {
  private readonly listeners = new Set<() => void>();
  constructor(private value: T) {}
  get = (): T => this.value;
  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };
  set(value: T): void {
    this.value = value;
    for (const listener of [...this.listeners]) listener();
  }
}

// ── transports ───────────────────────────────────────────────────────────────

/** What both transports offer. `call` never rejects: transport trouble is a CallResult error too. */
export interface Transport {
  readonly kind: TransportKind;
  readonly connection: Observable<ConnectionState>;
  call(name: string, input: unknown): Promise<CallResult>;
  subscribe(channel: string, listener: (payload: unknown) => void): () => void;
  close(): void;
}

function failure(code: ApiErrorBody['code'], message: string): CallResult {
  return { ok: false, error: { code, message } };
}

/**
 * The local host is gone (or never came). INTERNAL rather than CENTRAL_UNREACHABLE: it is this
 * machine's own service that is missing, and telling an expert "the central is unreachable" would
 * send the technician to the wrong box.
 */
export const HOST_UNREACHABLE_MESSAGE = 'host unreachable';

function failureForTerminalState(reason: ConnectionFailure): CallResult {
  switch (reason) {
    case 'no-secret':
      return failure('UNAUTHORIZED', 'no launch secret: open the page from the host with #k=…');
    case 'unauthorised':
      return failure('UNAUTHORIZED', 'the host refused the launch secret');
    case 'wrong-contract':
      return failure('INTERNAL', 'the host serves another contract than this page expects');
  }
}

/** Electron: the preload's bridge already speaks CallResult; only guard against wiring mistakes. */
export function createBridgeTransport(bridge: PreloadBridge, contractName: string): Transport {
  const matches = bridge.contract === contractName;
  const connection = new Store<ConnectionState>(
    matches
      ? { status: 'ready', transport: 'bridge' }
      : { status: 'failed', transport: 'bridge', failure: 'wrong-contract' },
  );
  return {
    kind: 'bridge',
    connection,
    async call(name, input) {
      if (!matches) return failureForTerminalState('wrong-contract');
      const fn = Object.hasOwn(bridge.calls, name) ? bridge.calls[name] : undefined;
      if (!fn) return failure('UNKNOWN_CALL', `${contractName}: the bridge has no call ${name}`);
      try {
        return await fn(input);
      } catch (error) {
        // The preload promises never to reject; if it does, the IPC layer itself broke.
        console.error(`${contractName}.${name}: bridge call rejected`, error);
        return failure('INTERNAL', `${contractName}.${name}: bridge call failed`);
      }
    },
    subscribe(channel, listener) {
      const subscribe = Object.hasOwn(bridge.events, channel) ? bridge.events[channel] : undefined;
      if (!matches || !subscribe) {
        console.error(`${contractName}: the bridge has no event channel ${channel}`);
        return () => {};
      }
      return subscribe(listener);
    },
    close() {},
  };
}

/** The few things the WebSocket transport needs from a socket, so tests can hand it a fake one. */
export interface SocketHandlers {
  open(): void;
  message(data: string): void;
  close(code: number, reason: string): void;
}
export interface SocketHandle {
  send(data: string): void;
  close(code?: number, reason?: string): void;
}
export type SocketFactory = (url: string, handlers: SocketHandlers) => SocketHandle;

export const browserSocketFactory: SocketFactory = (url, handlers) => {
  const socket = new WebSocket(url);
  socket.onopen = () => handlers.open();
  // Binary frames are not part of the protocol; passing '' makes them a bad frame.
  socket.onmessage = (event) => handlers.message(typeof event.data === 'string' ? event.data : '');
  // 'error' is always followed by 'close', which carries the code we act on.
  socket.onclose = (event) => handlers.close(event.code, event.reason);
  return { send: (data) => socket.send(data), close: (code, reason) => socket.close(code, reason) };
};

/** 0.5 s, 1 s, 2 s, 4 s, then every 5 s: the host is on this machine and restarts in seconds. */
export function reconnectDelayMs(attempt: number): number {
  return Math.min(500 * 2 ** Math.max(0, attempt - 1), 5000);
}

/** How long a call made while the host is away waits for it to come back. */
export const DEFAULT_QUEUE_TIMEOUT_MS = 15_000;

export interface WebSocketTransportOptions {
  url: string;
  /** null when the page was opened without #k=… and nothing was kept in sessionStorage. */
  secret: string | null;
  contractName: string;
  createSocket?: SocketFactory;
  queueTimeoutMs?: number;
  backoff?: (attempt: number) => number;
}

interface QueuedCall {
  readonly name: string;
  readonly input: unknown;
  readonly settle: (result: CallResult) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

/**
 * The Node host's WebSocket, per ws-protocol.ts: hello first, wait for ready, then calls correlated by
 * id and pushed events. If the host goes away it reconnects with back-off. Calls made while
 * disconnected wait in a queue (up to queueTimeoutMs); calls already sent when the socket dropped
 * fail at once rather than being sent again, because a call like `enrol` must not run twice.
 */
export class WebSocketTransport implements Transport {
  readonly kind = 'websocket' as const;
  private readonly store: Store<ConnectionState>;
  private readonly createSocket: SocketFactory;
  private readonly queueTimeoutMs: number;
  private readonly backoff: (attempt: number) => number;

  private socket: SocketHandle | null = null;
  /** Bumped for every socket; callbacks from an older socket are ignored. */
  private generation = 0;
  private attempt = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;
  private nextCallId = 1;
  private readonly inFlight = new Map<number, (result: CallResult) => void>();
  private queue: QueuedCall[] = [];
  private readonly listeners = new Map<string, Set<(payload: unknown) => void>>();

  constructor(private readonly options: WebSocketTransportOptions) {
    this.createSocket = options.createSocket ?? browserSocketFactory;
    this.queueTimeoutMs = options.queueTimeoutMs ?? DEFAULT_QUEUE_TIMEOUT_MS;
    this.backoff = options.backoff ?? reconnectDelayMs;
    if (options.secret === null) {
      this.store = new Store<ConnectionState>({ status: 'failed', transport: 'websocket', failure: 'no-secret' });
    } else {
      this.store = new Store<ConnectionState>({ status: 'connecting', transport: 'websocket' });
      this.open(options.secret);
    }
  }

  get connection(): Observable<ConnectionState> {
    return this.store;
  }

  call(name: string, input: unknown): Promise<CallResult> {
    if (this.closed) return Promise.resolve(failure('INTERNAL', 'the client was closed'));
    const state = this.store.get();
    if (state.status === 'failed') return Promise.resolve(failureForTerminalState(state.failure));
    return new Promise((settle) => {
      if (state.status === 'ready') {
        this.send(name, input, settle);
        return;
      }
      const timer = setTimeout(() => {
        this.queue = this.queue.filter((queued) => queued.timer !== timer);
        settle(failure('INTERNAL', HOST_UNREACHABLE_MESSAGE));
      }, this.queueTimeoutMs);
      this.queue.push({ name, input, settle, timer });
    });
  }

  subscribe(channel: string, listener: (payload: unknown) => void): () => void {
    let set = this.listeners.get(channel);
    if (!set) this.listeners.set(channel, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.generation++;
    this.socket?.close(1000, 'client closed');
    this.socket = null;
    this.settleEverything(failure('INTERNAL', 'the client was closed'));
  }

  private open(secret: string): void {
    const generation = ++this.generation;
    const current = () => generation === this.generation;
    const socket = this.createSocket(this.options.url, {
      open: () => {
        if (current()) this.sendFrame(socket, { t: 'hello', secret });
      },
      message: (data) => {
        if (current()) this.receive(socket, data);
      },
      close: (code) => {
        if (current()) this.lost(code);
      },
    });
    this.socket = socket;
  }

  private receive(socket: SocketHandle, data: string): void {
    const frame = parseHostFrame(data);
    if (!frame) {
      // The host broke the protocol; drop this socket and start over rather than guess.
      console.error(`${this.options.contractName}: bad frame from the host`, data.slice(0, 200));
      this.generation++;
      socket.close(WS_CLOSE.badFrame, 'bad frame from host');
      this.lost(WS_CLOSE.badFrame);
      return;
    }
    switch (frame.t) {
      case 'ready':
        if (frame.contract !== this.options.contractName) {
          this.generation++;
          socket.close(1000, 'wrong contract');
          this.fail('wrong-contract');
          return;
        }
        this.attempt = 0;
        this.store.set({ status: 'ready', transport: 'websocket' });
        this.flushQueue();
        return;
      case 'result': {
        const settle = this.inFlight.get(frame.id);
        if (!settle) return; // a result for a call we already gave up on
        this.inFlight.delete(frame.id);
        settle(frame.result);
        return;
      }
      case 'event':
        if (this.store.get().status !== 'ready') return;
        for (const listener of [...(this.listeners.get(frame.channel) ?? [])]) listener(frame.payload);
        return;
    }
  }

  /** The socket is gone: fail what was in flight, keep what is queued, and try again later. */
  private lost(code: number): void {
    this.socket = null;
    for (const settle of this.inFlight.values()) {
      settle(failure('INTERNAL', `${HOST_UNREACHABLE_MESSAGE}: the connection dropped before the result arrived`));
    }
    this.inFlight.clear();
    if (this.closed) return;
    if (code === WS_CLOSE.unauthorised) {
      this.fail('unauthorised');
      return;
    }
    this.attempt++;
    const delay = this.backoff(this.attempt);
    this.store.set({ status: 'reconnecting', transport: 'websocket', attempt: this.attempt, retryAt: Date.now() + delay });
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (!this.closed && this.options.secret !== null) this.open(this.options.secret);
    }, delay);
  }

  private fail(reason: ConnectionFailure): void {
    this.store.set({ status: 'failed', transport: 'websocket', failure: reason });
    this.settleEverything(failureForTerminalState(reason));
  }

  private flushQueue(): void {
    const queued = this.queue;
    this.queue = [];
    for (const call of queued) {
      clearTimeout(call.timer);
      this.send(call.name, call.input, call.settle);
    }
  }

  private send(name: string, input: unknown, settle: (result: CallResult) => void): void {
    const socket = this.socket;
    if (!socket) {
      settle(failure('INTERNAL', HOST_UNREACHABLE_MESSAGE));
      return;
    }
    const id = this.nextCallId++;
    this.inFlight.set(id, settle);
    if (!this.sendFrame(socket, { t: 'call', id, name, input })) {
      this.inFlight.delete(id);
      settle(failure('INTERNAL', HOST_UNREACHABLE_MESSAGE));
    }
  }

  private sendFrame(socket: SocketHandle, frame: ClientFrame): boolean {
    try {
      socket.send(JSON.stringify(frame));
      return true;
    } catch (error) {
      console.error(`${this.options.contractName}: could not send to the host`, error);
      return false;
    }
  }

  private settleEverything(result: CallResult): void {
    for (const settle of this.inFlight.values()) settle(result);
    this.inFlight.clear();
    for (const call of this.queue) {
      clearTimeout(call.timer);
      call.settle(result);
    }
    this.queue = [];
  }
}

/** One frame from the host, or null when it is not JSON or not a HostFrame. */
export function parseHostFrame(data: string) {
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return null;
  }
  const parsed = hostFrameSchema.safeParse(json);
  return parsed.success ? parsed.data : null;
}

// ── launch secret from the URL fragment ─────────────────────────────────────

export const SECRET_STORAGE_KEY = 'kawei.hostSecret';

/** "#k=abc&x=1" → { secret: "abc", rest: "#x=1" }. The rest keeps any other fragment parameters. */
export function splitSecretFragment(hash: string): { secret: string | null; rest: string } {
  const params = new URLSearchParams(hash.startsWith('#') ? hash.slice(1) : hash);
  const secret = params.get(SECRET_FRAGMENT_KEY);
  if (!secret) return { secret: null, rest: hash };
  params.delete(SECRET_FRAGMENT_KEY);
  const rest = params.toString();
  return { secret, rest: rest ? `#${rest}` : '' };
}

export interface SecretEnvironment {
  readonly location: Pick<Location, 'hash' | 'pathname' | 'search'>;
  readonly history: Pick<History, 'replaceState' | 'state'>;
  readonly sessionStorage: Pick<Storage, 'getItem' | 'setItem'>;
}

/**
 * The launch secret for the host's WebSocket. A fresh one in the fragment wins and is kept in
 * sessionStorage (so a reload, which no longer has the fragment, still works) and removed from the
 * address bar, so it does not linger on screen or in a screenshot.
 */
export function takeLaunchSecret(env: SecretEnvironment): string | null {
  const { secret, rest } = splitSecretFragment(env.location.hash);
  if (secret) {
    try {
      env.sessionStorage.setItem(SECRET_STORAGE_KEY, secret);
    } catch {
      // Storage disabled: this page still works until it is reloaded.
    }
    env.history.replaceState(env.history.state, '', `${env.location.pathname}${env.location.search}${rest}`);
    return secret;
  }
  try {
    return env.sessionStorage.getItem(SECRET_STORAGE_KEY);
  } catch {
    return null;
  }
}

export function hostSocketUrl(location: Pick<Location, 'protocol' | 'host'>): string {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}${HOST_WS_PATH}`;
}

// ── the typed client ─────────────────────────────────────────────────────────

/**
 * A CallResult (from either transport, so not trusted) → the call's parsed output, or a thrown
 * ApiError carrying the code.
 */
export function decodeCallResult(contract: Contract, name: string, raw: unknown): unknown {
  const result = callResultSchema.safeParse(raw);
  if (!result.success) {
    throw new ApiError('INTERNAL', `${contract.name}.${name}: malformed result (${describeZodError(result.error)})`);
  }
  if (!result.data.ok) throw ApiError.fromBody(result.data.error);
  const spec = contract.calls[name] as CallSpec | undefined;
  if (!spec) throw new ApiError('UNKNOWN_CALL', `${contract.name}: no call named ${name}`);
  const output = spec.output.safeParse(result.data.value);
  if (!output.success) {
    throw new ApiError('INTERNAL', `${contract.name}.${name}: output breaks the contract (${describeZodError(output.error)})`);
  }
  return output.data;
}

export interface ApiConnection<K extends Contract> {
  readonly api: ApiClient<K>;
  /** Payloads are parsed with the contract's schema; one that does not parse is logged and dropped. */
  on<N extends EventName<K>>(event: N, listener: (payload: EventPayload<K, N>) => void): () => void;
  readonly connection: Observable<ConnectionState>;
  readonly transport: TransportKind;
  close(): void;
}

export function createApiConnection<K extends Contract>(contract: K, transport: Transport): ApiConnection<K> {
  const api: Record<string, (input: unknown) => Promise<unknown>> = {};
  for (const name of Object.keys(contract.calls)) {
    api[name] = async (input) => decodeCallResult(contract, name, await transport.call(name, input));
  }
  return {
    api: api as ApiClient<K>,
    on(event, listener) {
      const schema = contract.events[event];
      if (!schema) throw new Error(`${contract.name}: no event channel ${event}`);
      return transport.subscribe(event, (raw) => {
        const parsed = schema.safeParse(raw);
        if (!parsed.success) {
          console.error(`${contract.name} event ${event}: payload breaks the contract`, describeZodError(parsed.error));
          return;
        }
        listener(parsed.data as EventPayload<K, typeof event>);
      });
    },
    connection: transport.connection,
    transport: transport.kind,
    close: () => transport.close(),
  };
}

function findBridge(): PreloadBridge | undefined {
  const candidate = (globalThis as Record<string, unknown>)[BRIDGE_GLOBAL];
  return candidate && typeof candidate === 'object' ? (candidate as PreloadBridge) : undefined;
}

/**
 * Picks the transport: the Electron preload's bridge when `window.kawei` exists, otherwise the Node
 * host's WebSocket on the page's own origin.
 */
export function connectApi<K extends Contract>(contract: K, transport?: Transport): ApiConnection<K> {
  if (transport) return createApiConnection(contract, transport);
  const bridge = findBridge();
  if (bridge) return createApiConnection(contract, createBridgeTransport(bridge, contract.name));
  return createApiConnection(
    contract,
    new WebSocketTransport({
      url: hostSocketUrl(window.location),
      secret: takeLaunchSecret(window),
      contractName: contract.name,
    }),
  );
}
