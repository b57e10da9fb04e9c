import { afterEach, describe, expect, it } from 'vitest';
import { createServer as createHttpServer, request as httpRequest, Agent, type Server as HttpServer } from 'node:http';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { FaultProxy, NO_FAULTS } from './fault-proxy.node.ts';
import { Prng } from './prng.ts';

/**
 * Each fault of the proxy, made to happen on its own against tiny servers, and seen from both ends:
 * what the "central" received and what the client got back.
 */

interface Arrival {
  conn: number;
  data: string;
}

/** A TCP server that records what arrives on which of its connections and answers each chunk. */
async function echoServer(answer: (data: string, conn: number) => string = (d) => d): Promise<{
  server: Server;
  port: number;
  arrivals: Arrival[];
  accepted: () => number;
  received: (conn: number) => string;
}> {
  const arrivals: Arrival[] = [];
  let accepted = 0;
  const server = createServer((socket) => {
    const conn = accepted++;
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      const data = chunk.toString();
      arrivals.push({ conn, data });
      const reply = answer(data, conn);
      if (reply !== '') socket.write(reply);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    server,
    port: (server.address() as AddressInfo).port,
    arrivals,
    accepted: () => accepted,
    received: (conn) =>
      arrivals
        .filter((a) => a.conn === conn)
        .map((a) => a.data)
        .join(''),
  };
}

/** A client connection that collects what it receives and how it ended. */
function client(port: number): Promise<{
  socket: Socket;
  received: () => string;
  ended: Promise<'reset' | 'closed'>;
  next: (timeoutMs?: number) => Promise<string>;
}> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let buffer = '';
    let waiting: ((s: string) => void) | null = null;
    let consumed = 0;
    const ended = new Promise<'reset' | 'closed'>((res) => {
      let reset = false;
      socket.on('error', (e: NodeJS.ErrnoException) => {
        if (e.code === 'ECONNRESET' || e.code === 'EPIPE') reset = true;
      });
      socket.on('close', () => res(reset ? 'reset' : 'closed'));
    });
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      if (waiting) {
        const w = waiting;
        waiting = null;
        w(buffer.slice(consumed));
        consumed = buffer.length;
      }
    });
    socket.once('connect', () =>
      resolve({
        socket,
        received: () => buffer,
        ended,
        next: (timeoutMs = 2000) =>
          new Promise<string>((res, rej) => {
            if (buffer.length > consumed) {
              const s = buffer.slice(consumed);
              consumed = buffer.length;
              res(s);
              return;
            }
            const timer = setTimeout(() => rej(new Error('no answer')), timeoutMs);
            void ended.then(() => {
              clearTimeout(timer);
              rej(new Error('connection ended'));
            });
            waiting = (s) => {
              clearTimeout(timer);
              res(s);
            };
          }),
      }),
    );
    socket.once('error', reject);
  });
}

async function until(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await sleep(5);
  }
}

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(seed = 1, answer?: (data: string, conn: number) => string) {
  const echo = await echoServer(answer);
  const proxy = await FaultProxy.start({ target: { port: echo.port }, seed });
  cleanups.push(() => new Promise<void>((r) => echo.server.close(() => r())));
  cleanups.push(() => proxy.close());
  return { echo, proxy };
}

describe('Prng', () => {
  it('is a pure function of its seed, and forks are independent of the parent position', () => {
    const a = new Prng(42);
    const b = new Prng(42);
    const seqA = Array.from({ length: 20 }, () => a.nextUint32());
    expect(Array.from({ length: 20 }, () => b.nextUint32())).toEqual(seqA);
    expect(Array.from({ length: 20 }, () => new Prng(43).nextUint32())).not.toEqual(seqA);
    const fresh = new Prng(42).fork('x').next();
    expect(a.fork('x').next()).toBe(fresh); // a has drawn 20 values; its fork is unchanged
    expect(new Prng(42).fork('y').next()).not.toBe(fresh);
    const r = new Prng(7);
    for (let i = 0; i < 1000; i++) {
      const v = r.int(3, 5);
      expect(v >= 3 && v <= 5).toBe(true);
    }
  });
});

describe('FaultProxy', () => {
  it('passes bytes through both ways when no fault is set', async () => {
    const { echo, proxy } = await setup();
    const c = await client(proxy.port);
    c.socket.write('hello');
    expect(await c.next()).toBe('hello');
    c.socket.end();
    expect(await c.ended).toBe('closed');
    expect(echo.received(0)).toBe('hello');
    expect(proxy.stats()).toMatchObject({ connections: 1, drops: { total: 0 }, duplicated: 0, bytesUp: 5, bytesDown: 5 });
  });

  it('draws faults per exchange, so they keep coming on one keep-alive connection', async () => {
    const { echo, proxy } = await setup(17, (d) => `ok ${d}`);
    proxy.setMode({ duplicate: 1, duplicateLead: 0 });
    const c = await client(proxy.port);
    for (let i = 0; i < 3; i++) {
      c.socket.write(`r${i}`);
      expect(await c.next()).toBe(`ok r${i}`);
    }
    await until(() => echo.arrivals.length === 6);
    expect(proxy.stats()).toMatchObject({ connections: 1, exchanges: 3, duplicated: 3 });
    c.socket.destroy();
  });

  it('carries HTTP/1.1 keep-alive: several requests on one proxied connection', async () => {
    let requests = 0;
    const http: HttpServer = createHttpServer((req, res) => {
      requests += 1;
      res.setHeader('content-type', 'text/plain');
      res.end(`answer ${requests}`);
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
    const proxy = await FaultProxy.start({ target: { port: (http.address() as AddressInfo).port }, seed: 2 });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    cleanups.push(() => new Promise<void>((r) => http.close(() => r())));
    cleanups.push(() => proxy.close());
    cleanups.push(() => agent.destroy());
    const get = () =>
      new Promise<string>((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port: proxy.port, path: '/', agent }, (res) => {
          let body = '';
          res.on('data', (d: Buffer) => (body += d.toString()));
          res.on('end', () => resolve(body));
        });
        req.on('error', reject);
        req.end();
      });
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await get());
    expect(answers).toEqual(['answer 1', 'answer 2', 'answer 3', 'answer 4', 'answer 5']);
    expect(proxy.stats().connections).toBe(1);
  });

  it('carries a WebSocket upgrade and the frames after it', async () => {
    const http: HttpServer = createHttpServer((_req, res) => res.end('no'));
    http.on('upgrade', (req, socket: Socket) => {
      socket.write(
        'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
          `Sec-WebSocket-Accept: for-${String(req.headers['sec-websocket-key'])}\r\n\r\n`,
      );
      socket.on('data', (d: Buffer) => socket.write(Buffer.concat([Buffer.from('echo:'), d])));
      socket.on('end', () => socket.end());
      socket.on('error', () => undefined);
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
    const proxy = await FaultProxy.start({ target: { port: (http.address() as AddressInfo).port }, seed: 3 });
    cleanups.push(() => new Promise<void>((r) => {
      http.close(() => r());
      http.closeAllConnections();
    }));
    cleanups.push(() => proxy.close());
    const upgraded = await new Promise<{ socket: Socket; accept: string }>((resolve, reject) => {
      const req = httpRequest({
        host: '127.0.0.1',
        port: proxy.port,
        path: '/api/sync/stream',
        headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-key': 'k3y', 'sec-websocket-version': '13' },
      });
      req.on('upgrade', (res, socket: Socket) => resolve({ socket, accept: String(res.headers['sec-websocket-accept']) }));
      req.on('error', reject);
      req.end();
    });
    expect(upgraded.accept).toBe('for-k3y');
    const frame = Buffer.from([0x81, 0x02, 0x68, 0x69]); // a text frame "hi"
    const echoed = new Promise<Buffer>((r) => upgraded.socket.once('data', r));
    upgraded.socket.write(frame);
    expect((await echoed).equals(Buffer.concat([Buffer.from('echo:'), frame]))).toBe(true);
    upgraded.socket.destroy();
  });

  it('drop "lost-ack": the server processed the request, the client never got the answer', async () => {
    let processed = 0;
    const { proxy } = await setup(4, () => `ack ${++processed}`);
    proxy.setMode({ drop: 1, dropKinds: ['lost-ack'] });
    const c = await client(proxy.port);
    let answered = 0;
    let failed = false;
    for (let i = 0; i < 3 && !failed; i++) {
      c.socket.write(`req ${i}`);
      await c.next().then(
        () => (answered += 1),
        () => (failed = true),
      );
    }
    expect(failed).toBe(true);
    expect(await c.ended).toBe('reset');
    expect(processed).toBe(answered + 1); // the request whose answer was lost was processed
    expect(proxy.stats()).toMatchObject({ lostAcks: 1, drops: { total: 1, 'lost-ack': 1 } });
  });

  it('drop "partial-response": a prefix of the answer arrives, then the connection is cut', async () => {
    const { proxy } = await setup(5, () => 'X'.repeat(1000));
    proxy.setMode({ drop: 1, dropKinds: ['partial-response'] });
    const c = await client(proxy.port);
    let complete = 0;
    for (let i = 0; i < 3; i++) {
      const before = c.received().length;
      c.socket.write('q');
      try {
        await until(() => c.received().length >= before + 1000, 500);
        complete += 1;
      } catch {
        break;
      }
    }
    await c.ended; // reset, or closed when the RST raced the prefix
    const got = c.received().length - complete * 1000;
    expect(got).toBeGreaterThan(0);
    expect(got).toBeLessThan(1000);
    expect(proxy.stats().drops['partial-response']).toBe(1);
  });

  it('drop "request": the server gets at most a prefix of what the client sent', async () => {
    const { echo, proxy } = await setup(6, () => '');
    proxy.setMode({ drop: 1, dropKinds: ['request'] });
    const c = await client(proxy.port);
    c.socket.write('R'.repeat(4096));
    expect(await c.ended).toBe('reset');
    await sleep(50);
    expect(echo.received(0).length).toBeLessThan(4096);
    expect(proxy.stats().drops.request).toBe(1);
  });

  it('drop "timer": the connection is cut at the drawn moment after the exchange began', async () => {
    const { proxy } = await setup(7);
    proxy.setMode({ drop: 1, dropKinds: ['timer'] });
    const c = await client(proxy.port);
    c.socket.write('x');
    // The cut itself is the behaviour; how soon it comes is load-dependent (the test's timeout guards a hang).
    expect(await c.ended).toBe('reset');
    expect(proxy.stats().drops.timer).toBe(1);
  });

  it('delay: chunks are held back, yet arrive complete and in order', async () => {
    const { echo, proxy } = await setup(8, () => '');
    proxy.setMode({ delay: 0.5, delayMaxMs: 80 });
    const c = await client(proxy.port);
    const sent: string[] = [];
    for (let i = 0; i < 40; i++) {
      sent.push(`<${i}>`);
      c.socket.write(`<${i}>`);
      await sleep(2);
    }
    await until(() => echo.received(0).length === sent.join('').length);
    expect(echo.received(0)).toBe(sent.join(''));
    const stats = proxy.stats();
    expect(stats.delayedChunks).toBeGreaterThan(0);
    expect(stats.delayedMsTotal).toBeGreaterThan(0);
    c.socket.destroy();
  });

  it('duplicate (following): the bytes reach the server twice, the client sees one answer', async () => {
    const { echo, proxy } = await setup(9, (d, conn) => `${d}@${conn};`);
    proxy.setMode({ duplicate: 1, duplicateLead: 0 });
    const c = await client(proxy.port);
    c.socket.write('push-1');
    const answer = await c.next();
    await until(() => echo.arrivals.length === 2);
    expect(echo.arrivals.map((a) => a.data)).toEqual(['push-1', 'push-1']);
    expect(new Set(echo.arrivals.map((a) => a.conn)).size).toBe(2);
    await sleep(50);
    expect(c.received()).toBe(answer); // only the original's answer
    expect(answer).toMatch(/^push-1@\d;$/);
    expect(proxy.stats()).toMatchObject({ duplicated: 1, duplicateLeads: 0, duplicateBytes: 6 });
    c.socket.destroy();
  });

  it('duplicate (leading): the replay reaches the server before the original', async () => {
    const { echo, proxy } = await setup(10, (d, conn) => `${d}@${conn};`);
    proxy.setMode({ duplicate: 1, duplicateLead: 1 });
    const c = await client(proxy.port);
    c.socket.write('push-2');
    const answer = await c.next();
    await until(() => echo.arrivals.length === 2);
    const originalConn = Number(/@(\d);/.exec(answer)![1]);
    expect(echo.arrivals[0]!.conn).not.toBe(originalConn); // the copy came first
    expect(echo.arrivals[1]!.conn).toBe(originalConn);
    expect(proxy.stats()).toMatchObject({ duplicated: 1, duplicateLeads: 1 });
    c.socket.destroy();
  });

  it('reorder (hold): a connection’s request is delivered only after a later connection went through', async () => {
    const { echo, proxy } = await setup(11);
    proxy.setMode({ reorder: 1, reorderStale: 0, reorderMaxHoldMs: 10_000 });
    const first = await client(proxy.port);
    first.socket.write('first');
    await sleep(100);
    expect(echo.arrivals).toEqual([]); // held
    proxy.setMode(NO_FAULTS);
    const second = await client(proxy.port);
    second.socket.write('second');
    expect(await second.next()).toBe('second');
    expect(await first.next()).toBe('first');
    expect(echo.arrivals.map((a) => a.data)).toEqual(['second', 'first']);
    expect(proxy.stats()).toMatchObject({ reordered: 1, reorderTimeouts: 0, staleDeliveries: 0 });
    first.socket.destroy();
    second.socket.destroy();
  });

  it('reorder (stale): the client is cut, retries, and its old request still arrives after the retry', async () => {
    const { echo, proxy } = await setup(12);
    proxy.setMode({ reorder: 1, reorderStale: 1, reorderMaxHoldMs: 10_000 });
    const old = await client(proxy.port);
    old.socket.write('push seq 5 (old)');
    expect(await old.ended).toBe('reset');
    expect(echo.arrivals).toEqual([]);
    proxy.setMode(NO_FAULTS);
    const retry = await client(proxy.port);
    retry.socket.write('push seq 5 (retry)');
    expect(await retry.next()).toBe('push seq 5 (retry)');
    await until(() => echo.arrivals.length === 2);
    expect(echo.arrivals.map((a) => a.data)).toEqual(['push seq 5 (retry)', 'push seq 5 (old)']);
    expect(proxy.stats()).toMatchObject({ reordered: 1, staleDeliveries: 1 });
    retry.socket.destroy();
  });

  it('reorder: with no later connection, the hold ends at reorderMaxHoldMs', async () => {
    const { echo, proxy } = await setup(13);
    proxy.setMode({ reorder: 1, reorderStale: 0, reorderMaxHoldMs: 200 });
    const started = Date.now();
    const c = await client(proxy.port);
    c.socket.write('alone');
    expect(await c.next()).toBe('alone');
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(echo.arrivals.length).toBe(1);
    expect(proxy.stats().reorderTimeouts).toBe(1);
    c.socket.destroy();
  });

  it('cut("refuse") resets open and new connections until restore()', async () => {
    const { proxy } = await setup(14);
    const open = await client(proxy.port);
    proxy.cut('refuse');
    expect(await open.ended).toBe('reset');
    const during = await client(proxy.port).catch(() => null); // may fail at connect or be reset just after
    if (during) expect(await during.ended).toBe('reset');
    expect(proxy.stats().refused).toBeGreaterThanOrEqual(during ? 1 : 0);
    proxy.restore();
    const after = await client(proxy.port);
    after.socket.write('back');
    expect(await after.next()).toBe('back');
    after.socket.destroy();
    expect(proxy.stats().cuts).toBe(1);
  });

  it('cut("blackhole") accepts and swallows, answers nothing; restore() resets the swallowed connections', async () => {
    const { echo, proxy } = await setup(15);
    const open = await client(proxy.port);
    proxy.cut('blackhole');
    open.socket.write('into the void (open)');
    const during = await client(proxy.port);
    during.socket.write('into the void (new)');
    await expect(during.next(300)).rejects.toThrow('no answer');
    await expect(open.next(50)).rejects.toThrow('no answer');
    expect(echo.arrivals).toEqual([]);
    expect(proxy.stats().blackholed).toBe(1);
    proxy.restore();
    expect(await during.ended).toBe('reset');
    expect(await open.ended).toBe('reset');
    const after = await client(proxy.port);
    after.socket.write('back');
    expect(await after.next()).toBe('back');
    after.socket.destroy();
  });

  it('resets the client when the central is not there', async () => {
    const gone = createServer();
    await new Promise<void>((r) => gone.listen(0, '127.0.0.1', () => r()));
    const port = (gone.address() as AddressInfo).port;
    await new Promise<void>((r) => gone.close(() => r()));
    const proxy = await FaultProxy.start({ target: { port }, seed: 16 });
    cleanups.push(() => proxy.close());
    const c = await client(proxy.port);
    expect(await c.ended).toBe('reset');
    expect(proxy.stats().upstreamFailed).toBe(1);
  });

  it('draws the same fate for the n-th connection from the same seed', async () => {
    const mode = { drop: 0.3, duplicate: 0.3, reorder: 0.3, reorderMaxHoldMs: 20 };
    const fates = async (seed: number) => {
      const { proxy } = await setup(seed);
      proxy.setMode(mode);
      for (let i = 0; i < 12; i++) {
        const c = await client(proxy.port);
        c.socket.write('x');
        await sleep(5);
        c.socket.destroy();
      }
      return proxy
        .recent()
        .filter((r) => r.fault.startsWith('fate '))
        .map((r) => `${r.conn} ${r.fault}`);
    };
    const a = await fates(99);
    expect(a.length).toBeGreaterThan(0);
    expect(await fates(99)).toEqual(a);
    expect(await fates(100)).not.toEqual(a);
  });
});
