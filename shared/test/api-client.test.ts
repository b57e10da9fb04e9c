import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { boothContract } from '../src/contract/booth.contract.ts';
import type { CallResult } from '../src/contract/contract.ts';
import type { PreloadBridge } from '../src/contract/bridge.ts';
import { ApiError } from '../src/errors.ts';
import { WS_CLOSE } from '../src/host/ws-protocol.ts';
import {
  HOST_UNREACHABLE_MESSAGE,
  SECRET_STORAGE_KEY,
  WebSocketTransport,
  createApiConnection,
  createBridgeTransport,
  decodeCallResult,
  hostSocketUrl,
  parseHostFrame,
  reconnectDelayMs,
  splitSecretFragment,
  takeLaunchSecret,
  type SocketFactory,
  type SocketHandlers,
} from '../src/ui/api-client.dom.ts';
import { enrolledBooth, unprovisionedBooth } from './ui-fixtures.ts';

// ── a scripted host on the other end of a fake socket ────────────────────────

class FakeSocket {
  readonly sent: unknown[] = [];
  closedWith: { code?: number; reason?: string } | null = null;
  constructor(
    readonly url: string,
    private readonly handlers: SocketHandlers,
  ) {}
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close(code?: number, reason?: string) {
    this.closedWith = { code, reason };
  }
  // host side
  open() {
    this.handlers.open();
  }
  push(frame: unknown) {
    this.handlers.message(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }
  drop(code = 1006, reason = '') {
    this.handlers.close(code, reason);
  }
  ready(contract = 'booth') {
    this.open();
    this.push({ t: 'ready', contract });
  }
  calls() {
    return this.sent.filter((f): f is { t: 'call'; id: number; name: string; input: unknown } => (f as { t: string }).t === 'call');
  }
}

function fakeHost() {
  const sockets: FakeSocket[] = [];
  const createSocket: SocketFactory = (url, handlers) => {
    const socket = new FakeSocket(url, handlers);
    sockets.push(socket);
    return socket;
  };
  return { sockets, createSocket, latest: () => sockets.at(-1)! };
}

function transport(host: ReturnType<typeof fakeHost>, secret: string | null = 's3cret') {
  return new WebSocketTransport({
    url: 'ws://127.0.0.1:1234/api/ws',
    secret,
    contractName: 'booth',
    createSocket: host.createSocket,
    queueTimeoutMs: 10_000,
  });
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.spyOn(console, 'error').mockImplementation(() => {});
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('WebSocketTransport', () => {
  it('sends hello with the secret first, and calls only after ready', async () => {
    const host = fakeHost();
    const t = transport(host);
    expect(t.connection.get()).toEqual({ status: 'connecting', transport: 'websocket' });
    const pending = t.call('getStatus', {});
    host.latest().open();
    expect(host.latest().sent).toEqual([{ t: 'hello', secret: 's3cret' }]);

    host.latest().push({ t: 'ready', contract: 'booth' });
    expect(t.connection.get().status).toBe('ready');
    expect(host.latest().sent[1]).toEqual({ t: 'call', id: 1, name: 'getStatus', input: {} });
    host.latest().push({ t: 'result', id: 1, result: { ok: true, value: 42 } });
    expect(await pending).toEqual({ ok: true, value: 42 });
  });

  it('correlates results by id, whatever order they come back in', async () => {
    const host = fakeHost();
    const t = transport(host);
    host.latest().ready();
    const first = t.call('a', 1);
    const second = t.call('b', 2);
    const [c1, c2] = host.latest().calls();
    expect([c1?.name, c2?.name]).toEqual(['a', 'b']);
    expect(c1?.id).not.toBe(c2?.id);
    host.latest().push({ t: 'result', id: c2!.id, result: { ok: true, value: 'two' } });
    host.latest().push({ t: 'result', id: c1!.id, result: { ok: false, error: { code: 'NOT_FOUND', message: 'x' } } });
    expect(await first).toEqual({ ok: false, error: { code: 'NOT_FOUND', message: 'x' } });
    expect(await second).toEqual({ ok: true, value: 'two' });
  });

  it('delivers events to subscribers of their channel only, after ready', () => {
    const host = fakeHost();
    const t = transport(host);
    const status = vi.fn();
    const other = vi.fn();
    t.subscribe('status', status);
    t.subscribe('other', other);
    host.latest().open();
    host.latest().push({ t: 'event', channel: 'status', payload: 'too early' });
    host.latest().push({ t: 'ready', contract: 'booth' });
    host.latest().push({ t: 'event', channel: 'status', payload: 1 });
    expect(status).toHaveBeenCalledExactlyOnceWith(1);
    expect(other).not.toHaveBeenCalled();
  });

  it('reconnects with back-off when the host goes away, failing calls in flight and keeping queued ones', async () => {
    const host = fakeHost();
    const t = transport(host);
    host.latest().ready();
    const inFlight = t.call('enrol', { code: 'X' });
    host.latest().drop();

    // Never sent twice: a dropped `enrol` might already have run.
    expect(await inFlight).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    expect(t.connection.get()).toMatchObject({ status: 'reconnecting', attempt: 1 });

    const queued = t.call('getStatus', {});
    expect(host.sockets).toHaveLength(1);
    vi.advanceTimersByTime(reconnectDelayMs(1));
    expect(host.sockets).toHaveLength(2);
    host.latest().drop(); // the host is not back yet
    expect(t.connection.get()).toMatchObject({ status: 'reconnecting', attempt: 2 });
    vi.advanceTimersByTime(reconnectDelayMs(2));
    expect(host.sockets).toHaveLength(3);

    host.latest().ready();
    expect(host.latest().sent[0]).toEqual({ t: 'hello', secret: 's3cret' });
    const [call] = host.latest().calls();
    expect(call?.name).toBe('getStatus');
    host.latest().push({ t: 'result', id: call!.id, result: { ok: true, value: 'back' } });
    expect(await queued).toEqual({ ok: true, value: 'back' });
    expect(t.connection.get().status).toBe('ready');
  });

  it('fails a call made while disconnected with INTERNAL "host unreachable" once the wait runs out', async () => {
    const host = fakeHost();
    const t = transport(host);
    host.latest().drop();
    const call = t.call('getStatus', {});
    await vi.advanceTimersByTimeAsync(10_000);
    expect(await call).toEqual({ ok: false, error: { code: 'INTERNAL', message: HOST_UNREACHABLE_MESSAGE } });
  });

  it('stops for good when the host refuses the secret', async () => {
    const host = fakeHost();
    const t = transport(host);
    const call = t.call('getStatus', {});
    host.latest().open();
    host.latest().drop(WS_CLOSE.unauthorised, 'bad secret');
    expect(t.connection.get()).toEqual({ status: 'failed', transport: 'websocket', failure: 'unauthorised' });
    expect(await call).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
    vi.advanceTimersByTime(60_000);
    expect(host.sockets).toHaveLength(1);
  });

  it('does not even try without a secret', async () => {
    const host = fakeHost();
    const t = transport(host, null);
    expect(t.connection.get()).toEqual({ status: 'failed', transport: 'websocket', failure: 'no-secret' });
    expect(host.sockets).toHaveLength(0);
    expect(await t.call('getStatus', {})).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
  });

  it('refuses a host that serves another contract', () => {
    const host = fakeHost();
    const t = transport(host);
    host.latest().ready('gate');
    expect(t.connection.get()).toMatchObject({ status: 'failed', failure: 'wrong-contract' });
  });

  it('drops the socket and reconnects on a frame it cannot parse', async () => {
    const host = fakeHost();
    const t = transport(host);
    host.latest().ready();
    const call = t.call('getStatus', {});
    host.latest().push('not json');
    expect(host.sockets[0]?.closedWith?.code).toBe(WS_CLOSE.badFrame);
    expect(await call).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    expect(t.connection.get().status).toBe('reconnecting');
    // The close event of the dropped socket arrives later and changes nothing.
    host.sockets[0]!.drop(WS_CLOSE.badFrame);
    expect(t.connection.get()).toMatchObject({ status: 'reconnecting', attempt: 1 });
  });

  it('settles everything and stops reconnecting when closed', async () => {
    const host = fakeHost();
    const t = transport(host);
    const call = t.call('getStatus', {});
    t.close();
    expect(await call).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    vi.advanceTimersByTime(60_000);
    expect(host.sockets).toHaveLength(1);
  });
});

describe('frames', () => {
  it('parses host frames and rejects anything else', () => {
    expect(parseHostFrame('{"t":"ready","contract":"booth"}')).toEqual({ t: 'ready', contract: 'booth' });
    expect(parseHostFrame('{"t":"result","id":3,"result":{"ok":true,"value":null}}')).toMatchObject({ t: 'result', id: 3 });
    expect(parseHostFrame('')).toBeNull();
    expect(parseHostFrame('{"t":"hello","secret":"x"}')).toBeNull();
    expect(parseHostFrame('{"t":"result","id":3,"result":{"ok":false,"error":{"code":"NOPE","message":""}}}')).toBeNull();
  });

  it('backs off 0.5 s, 1 s, 2 s, 4 s, then 5 s', () => {
    expect([1, 2, 3, 4, 5, 20].map(reconnectDelayMs)).toEqual([500, 1000, 2000, 4000, 5000, 5000]);
  });
});

describe('launch secret', () => {
  it('splits the secret out of the fragment, keeping other parameters', () => {
    expect(splitSecretFragment('#k=abc')).toEqual({ secret: 'abc', rest: '' });
    expect(splitSecretFragment('#x=1&k=abc&y=2')).toEqual({ secret: 'abc', rest: '#x=1&y=2' });
    expect(splitSecretFragment('#k=a%2Fb')).toEqual({ secret: 'a/b', rest: '' });
    expect(splitSecretFragment('')).toEqual({ secret: null, rest: '' });
    expect(splitSecretFragment('#k=')).toEqual({ secret: null, rest: '#k=' });
    expect(splitSecretFragment('#other')).toEqual({ secret: null, rest: '#other' });
  });

  function environment(hash: string, stored: Record<string, string> = {}) {
    const storage = new Map(Object.entries(stored));
    const replaced: string[] = [];
    return {
      replaced,
      storage,
      env: {
        location: { hash, pathname: '/index.html', search: '?v=1' },
        history: { state: null, replaceState: (_s: unknown, _t: string, url?: string | URL | null) => void replaced.push(String(url)) },
        sessionStorage: { getItem: (k: string) => storage.get(k) ?? null, setItem: (k: string, v: string) => void storage.set(k, v) },
      },
    };
  }

  it('takes a fresh secret, keeps it for reloads and strips it from the address bar', () => {
    const { env, storage, replaced } = environment('#k=fresh', { [SECRET_STORAGE_KEY]: 'old' });
    expect(takeLaunchSecret(env)).toBe('fresh');
    expect(storage.get(SECRET_STORAGE_KEY)).toBe('fresh');
    expect(replaced).toEqual(['/index.html?v=1']);
  });

  it('falls back to the kept secret after a reload, and to null without one', () => {
    const kept = environment('', { [SECRET_STORAGE_KEY]: 'kept' });
    expect(takeLaunchSecret(kept.env)).toBe('kept');
    expect(kept.replaced).toEqual([]);
    expect(takeLaunchSecret(environment('').env)).toBeNull();
  });

  it('builds the socket URL on the page origin', () => {
    expect(hostSocketUrl({ protocol: 'http:', host: '127.0.0.1:4321' })).toBe('ws://127.0.0.1:4321/api/ws');
    expect(hostSocketUrl({ protocol: 'https:', host: 'x' })).toBe('wss://x/api/ws');
  });
});

describe('typed client', () => {
  it('parses outputs with the contract and throws ApiError with the code on failure', async () => {
    expect(decodeCallResult(boothContract, 'getStatus', { ok: true, value: unprovisionedBooth })).toEqual(unprovisionedBooth);
    expect(() =>
      decodeCallResult(boothContract, 'enrol', { ok: false, error: { code: 'ENROL_CODE_USED', message: 'used' } }),
    ).toThrow(expect.objectContaining({ name: 'ApiError', code: 'ENROL_CODE_USED' }));
    for (const broken of [{ ok: true, value: { provisioning: 'maybe' } }, { nonsense: true }, null]) {
      try {
        decodeCallResult(boothContract, 'getStatus', broken);
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(ApiError);
        expect((error as ApiError).code).toBe('INTERNAL');
      }
    }
  });

  it('goes through a WebSocket transport end to end', async () => {
    const host = fakeHost();
    const client = createApiConnection(boothContract, transport(host));
    const statuses: unknown[] = [];
    client.on('status', (s) => statuses.push(s));
    host.latest().ready();

    const pending = client.api.enrol({ centralUrl: '10.0.0.5:8600', code: 'ABCD-EFGH', centralFingerprint: '3f2a9c01b7d4e5f60718293a4b5c6d7e' });
    const [call] = host.latest().calls();
    expect(call).toMatchObject({ name: 'enrol', input: { centralUrl: '10.0.0.5:8600', code: 'ABCD-EFGH' } });
    host.latest().push({ t: 'result', id: call!.id, result: { ok: false, error: { code: 'ENROL_CODE_USED', message: 'used' } } });
    await expect(pending).rejects.toMatchObject({ code: 'ENROL_CODE_USED' });

    host.latest().push({ t: 'event', channel: 'status', payload: { provisioning: 'enrolled' } }); // breaks the contract
    host.latest().push({ t: 'event', channel: 'status', payload: enrolledBooth() });
    expect(statuses).toEqual([enrolledBooth()]);
  });

  it('uses the preload bridge as it is', async () => {
    const listeners = new Set<(p: unknown) => void>();
    const bridge: PreloadBridge = {
      contract: 'booth',
      calls: {
        getStatus: async (): Promise<CallResult> => ({ ok: true, value: unprovisionedBooth }),
        enrol: async () => {
          throw new Error('ipc broke');
        },
      },
      events: {
        status: (listener) => {
          listeners.add(listener);
          return () => listeners.delete(listener);
        },
      },
    };
    const client = createApiConnection(boothContract, createBridgeTransport(bridge, 'booth'));
    expect(client.connection.get()).toEqual({ status: 'ready', transport: 'bridge' });
    expect(await client.api.getStatus({})).toEqual(unprovisionedBooth);
    await expect(client.api.enrol({ centralUrl: 'x', code: 'y', centralFingerprint: 'z' })).rejects.toMatchObject({ code: 'INTERNAL' });
    await expect(client.api.checkLink({})).rejects.toMatchObject({ code: 'UNKNOWN_CALL' });

    const seen: unknown[] = [];
    const off = client.on('status', (s) => seen.push(s));
    for (const l of listeners) l(enrolledBooth());
    off();
    expect(listeners.size).toBe(0);
    expect(seen).toEqual([enrolledBooth()]);
  });

  it('refuses a bridge for another contract', async () => {
    const bridge: PreloadBridge = { contract: 'gate', calls: {}, events: {} };
    const client = createApiConnection(boothContract, createBridgeTransport(bridge, 'booth'));
    expect(client.connection.get()).toMatchObject({ status: 'failed', failure: 'wrong-contract' });
    await expect(client.api.getStatus({})).rejects.toMatchObject({ code: 'INTERNAL' });
  });
});
