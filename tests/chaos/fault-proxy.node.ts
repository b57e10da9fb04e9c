import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { Prng } from './prng.ts';

/**
 * A TCP proxy on 127.0.0.1 that sits between the devices and the central and misbehaves on purpose,
 * the way networks, NAT boxes, retrying middleboxes and flaky Wi-Fi do. It forwards bytes, not HTTP,
 * so it is transparent to HTTP/1.1 keep-alive and to WebSocket upgrades alike.
 *
 * Faults are drawn per EXCHANGE: a run of client bytes that begins a connection or follows an answer
 * (for HTTP/1.1 without pipelining, one request and its response; on a WebSocket, a burst of frames).
 * Drawing per exchange rather than per connection keeps faults coming on keep-alive connections that
 * live for minutes. Each exchange's fate comes from the connection's own stream,
 * `Prng(seed).fork('proxy').fork('conn:<n>')`, in exchange order, under the mode in force when the
 * exchange began:
 *
 *   drop       cut both sides (the client gets a TCP reset) at one of these points:
 *              - 'request'  after forwarding a random prefix (0 … 2 KiB) of the exchange's bytes: the
 *                           request never arrives, or arrives truncated;
 *              - 'lost-ack' when the answer's first chunk arrives from the central: the request WAS
 *                           processed, the answer is thrown away — the case exactly-once lives for;
 *              - 'partial-response' as lost-ack, but a random prefix of that chunk reaches the client;
 *              - 'timer'    at a random moment 0 … 500 ms after the exchange began (before, during or
 *                           after the answer).
 *   delay      each chunk, in either direction, is held 1 … delayMaxMs with this probability, drawn
 *              per chunk (per direction, order is kept: a chunk never overtakes an earlier one).
 *   duplicate  the exchange's bytes are also sent on a second, new upstream connection whose answers
 *              are discarded (a retrying middlebox). With probability duplicateLead the replay leads:
 *              it is written at once and the original 10 … 60 ms later, so the copy is the one the
 *              central sees first and the original gets whatever a repeat gets.
 *   reorder    the exchange's bytes are held until an exchange that began LATER, on another
 *              connection, has had an answer through (or reorderMaxHoldMs passes). With probability
 *              reorderStale the client is also cut 20 ms after its bytes stop: it retries on a new
 *              connection, and the held request is delivered after that newer one — an old request
 *              arriving late, answer discarded.
 *
 * `cut('refuse')` resets every open connection and every new one; `cut('blackhole')` accepts new
 * connections and swallows their bytes, and freezes the open ones; `restore()` ends the outage
 * (black-holed and frozen connections are then reset). `stats()` counts what actually happened (a
 * drop is counted when it fires, not when it is drawn); `recent()` keeps the last 2,000 fates and
 * faults with their connection numbers, for the report of a failing run.
 */

export const DROP_KINDS = ['request', 'lost-ack', 'partial-response', 'timer'] as const;
export type DropKind = (typeof DROP_KINDS)[number];
export type CutKind = 'refuse' | 'blackhole';

export interface FaultMode {
  /** Probability that an exchange is dropped (see the kinds above). */
  drop: number;
  /** The kinds a drop is drawn from (all four by default). */
  dropKinds: readonly DropKind[];
  /** Probability, per chunk and direction, that the chunk is delayed. */
  delay: number;
  delayMaxMs: number;
  /** Probability that an exchange is replayed on a second upstream connection. */
  duplicate: number;
  /** Probability that a replay goes first. */
  duplicateLead: number;
  /** Probability that an exchange is held until a later exchange has gone through. */
  reorder: number;
  /** Probability that a held exchange's client is cut once its bytes are in (stale delivery). */
  reorderStale: number;
  reorderMaxHoldMs: number;
}

export const NO_FAULTS: FaultMode = {
  drop: 0,
  dropKinds: DROP_KINDS,
  delay: 0,
  delayMaxMs: 0,
  duplicate: 0,
  duplicateLead: 0.5,
  reorder: 0,
  reorderStale: 0.5,
  reorderMaxHoldMs: 1000,
};

export interface ProxyStats {
  connections: number;
  exchanges: number;
  /** Connections reset because the proxy was cut ('refuse'), or accepted into the black hole. */
  refused: number;
  blackholed: number;
  /** The central was not there (the proxy resets the client, as a refused connect would). */
  upstreamFailed: number;
  drops: Record<DropKind, number> & { total: number };
  /** Answers thrown away after their request had reached the central (lost-ack, partial-response). */
  lostAcks: number;
  delayedChunks: number;
  delayedMsTotal: number;
  /** Exchanges replayed on a second upstream connection… */
  duplicated: number;
  /** …of which the replay went first. */
  duplicateLeads: number;
  duplicateBytes: number;
  /** Held exchanges released because a later exchange had an answer through. */
  reordered: number;
  /** Held exchanges released by the hold timer (no later exchange came in time). */
  reorderTimeouts: number;
  /** Held requests delivered after their client had been cut (an old request arriving late). */
  staleDeliveries: number;
  cuts: number;
  bytesUp: number;
  bytesDown: number;
}

export function emptyProxyStats(): ProxyStats {
  return {
    connections: 0,
    exchanges: 0,
    refused: 0,
    blackholed: 0,
    upstreamFailed: 0,
    drops: { total: 0, request: 0, 'lost-ack': 0, 'partial-response': 0, timer: 0 },
    lostAcks: 0,
    delayedChunks: 0,
    delayedMsTotal: 0,
    duplicated: 0,
    duplicateLeads: 0,
    duplicateBytes: 0,
    reordered: 0,
    reorderTimeouts: 0,
    staleDeliveries: 0,
    cuts: 0,
    bytesUp: 0,
    bytesDown: 0,
  };
}

export interface FaultRecord {
  at: number;
  conn: number;
  fault: string;
}

interface ExchangeFate {
  drop: { kind: DropKind; requestBytes: number; partialOf: number; timerMs: number } | null;
  duplicate: { lead: boolean; leadMs: number } | null;
  reorder: { stale: boolean } | null;
}

interface Exchange {
  /** Global order of exchanges across all connections (what "later" means for reorder). */
  serial: number;
  index: number;
  fate: ExchangeFate;
  upBytes: number;
  answered: boolean;
  replay: Socket | null;
  replayCounted: boolean;
  held: Buffer[] | null;
  holdTimer: NodeJS.Timeout | null;
  staleTimer: NodeJS.Timeout | null;
}

/** Delivers items in order, each no earlier than its own delay allows. */
class OrderedDelay<T> {
  private readonly queue: { at: number; item: T }[] = [];
  private timer: NodeJS.Timeout | null = null;
  private lastAt = 0;
  private onEmpty: (() => void)[] = [];

  constructor(private readonly deliver: (item: T) => void) {}

  push(item: T, delayMs: number): void {
    const at = Math.max(this.lastAt, Date.now() + delayMs);
    this.lastAt = at;
    if (this.queue.length === 0 && at <= Date.now()) {
      this.deliver(item);
      return;
    }
    this.queue.push({ at, item });
    this.schedule();
  }

  /** Calls `fn` once everything queued has been delivered. */
  whenEmpty(fn: () => void): void {
    if (this.queue.length === 0) fn();
    else this.onEmpty.push(fn);
  }

  clear(): void {
    this.queue.length = 0;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.onEmpty = [];
  }

  private schedule(): void {
    if (this.timer || this.queue.length === 0) return;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        const now = Date.now();
        while (this.queue.length > 0 && this.queue[0]!.at <= now) this.deliver(this.queue.shift()!.item);
        if (this.queue.length > 0) this.schedule();
        else for (const fn of this.onEmpty.splice(0)) fn();
      },
      Math.max(0, this.queue[0]!.at - Date.now()),
    );
  }
}

class ProxiedConnection {
  private upstream: Socket | null = null;
  private readonly up: OrderedDelay<{ chunk: Buffer; exchange: Exchange }>;
  private readonly down: OrderedDelay<Buffer>;
  private readonly exchanges: Exchange[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private clientGone = false;
  private clientEnded = false;
  private connected = false;
  private closed = false;
  /** Stops forwarding (a drop is under way, or the proxy is black-holed). */
  frozen = false;

  constructor(
    readonly id: number,
    private readonly client: Socket,
    private readonly rng: Prng,
    private readonly proxy: FaultProxy,
  ) {
    this.up = new OrderedDelay(({ chunk, exchange }) => this.writeUpstream(chunk, exchange));
    this.down = new OrderedDelay((chunk) => {
      if (!this.clientGone) client.write(chunk);
    });
  }

  start(target: { host: string; port: number }): void {
    const { client } = this;
    client.setNoDelay(true);
    client.on('error', () => undefined);
    client.on('data', (chunk: Buffer) => this.fromClient(chunk));
    client.on('end', () => {
      this.clientEnded = true;
      if (this.holding()) return; // ended after the held bytes are released
      this.up.whenEmpty(() => this.upstream?.end());
    });
    client.on('close', () => {
      this.clientGone = true;
      if (this.holding() && !this.closed) return; // a held request still goes out later (stale delivery)
      this.close();
    });

    const upstream = createConnection({ host: target.host, port: target.port });
    this.upstream = upstream;
    upstream.setNoDelay(true);
    upstream.on('error', () => undefined);
    upstream.on('connect', () => (this.connected = true));
    upstream.on('data', (chunk: Buffer) => this.fromUpstream(chunk));
    upstream.on('close', () => {
      if (this.closed) return;
      if (!this.connected) {
        // the central is not there: the client sees its connection reset
        this.proxy.count('upstreamFailed', this.id);
        this.resetClient();
        this.close();
        return;
      }
      this.down.whenEmpty(() => {
        if (!this.client.destroyed) this.client.end();
        this.close();
      });
    });
  }

  private current(): Exchange | undefined {
    return this.exchanges[this.exchanges.length - 1];
  }

  private holding(): boolean {
    return this.exchanges.some((e) => e.held !== null);
  }

  private fromClient(chunk: Buffer): void {
    if (this.closed) return;
    this.proxy.addBytes('bytesUp', chunk.length);
    if (this.frozen) return;
    let exchange = this.current();
    if (!exchange || exchange.answered) exchange = this.beginExchange();
    if (exchange.held) {
      exchange.held.push(chunk);
      if (exchange.fate.reorder?.stale && !this.clientGone) {
        // cut the client once its bytes have stopped coming: it will retry on a new connection
        const ex = exchange;
        if (ex.staleTimer) clearTimeout(ex.staleTimer);
        ex.staleTimer = this.after(20, () => {
          if (!ex.held) return;
          this.clientGone = true;
          this.resetClient();
        });
      }
      return;
    }
    this.forward(chunk, exchange);
  }

  private beginExchange(): Exchange {
    const fate = this.proxy.drawFate(this.rng);
    const exchange: Exchange = {
      serial: this.proxy.nextSerial(),
      index: this.exchanges.length,
      fate,
      upBytes: 0,
      answered: false,
      replay: null,
      replayCounted: false,
      held: null,
      holdTimer: null,
      staleTimer: null,
    };
    // keep the last two: the current one and one that may still be held
    this.exchanges.push(exchange);
    if (this.exchanges.length > 2 && this.exchanges[0]!.held === null) this.exchanges.shift();
    this.proxy.countExchange(this.id, exchange.index, fate);
    if (fate.drop?.kind === 'timer') {
      const ms = fate.drop.timerMs;
      this.after(ms, () => this.drop('timer'));
    }
    if (fate.duplicate) {
      const target = this.proxy.targetNow();
      const replay = createConnection({ host: target.host, port: target.port });
      exchange.replay = replay;
      replay.on('error', () => undefined);
      // the replay's answer is discarded; once it has come, the replay has done its work
      replay.once('data', () => setTimeout(() => replay.destroy(), 50).unref());
      setTimeout(() => replay.destroy(), 5000).unref();
    }
    if (fate.reorder) {
      exchange.held = [];
      exchange.holdTimer = this.after(this.proxy.mode().reorderMaxHoldMs, () => this.release(exchange, 'timeout'));
      this.proxy.hold(this, exchange);
    }
    return exchange;
  }

  private forward(whole: Buffer, exchange: Exchange): void {
    if (this.frozen || this.closed) return;
    let chunk = whole;
    const drop = exchange.fate.drop;
    if (drop?.kind === 'request' && exchange.upBytes + whole.length > drop.requestBytes) {
      chunk = whole.subarray(0, Math.max(0, drop.requestBytes - exchange.upBytes));
      this.frozen = true;
      // the prefix reaches the central first, as in a real mid-request failure
      this.up.whenEmpty(() => setImmediate(() => this.drop('request')));
      if (chunk.length === 0) return;
    }
    exchange.upBytes += chunk.length;
    let delayMs = this.drawDelay();
    const dup = exchange.fate.duplicate;
    if (dup?.lead) {
      this.writeReplay(chunk, exchange);
      delayMs += dup.leadMs;
    }
    this.up.push({ chunk, exchange }, delayMs);
  }

  private writeUpstream(chunk: Buffer, exchange: Exchange): void {
    if (this.closed) return;
    this.upstream?.write(chunk);
    if (exchange.fate.duplicate && !exchange.fate.duplicate.lead) this.writeReplay(chunk, exchange);
  }

  private writeReplay(chunk: Buffer, exchange: Exchange): void {
    const replay = exchange.replay;
    if (!replay || replay.destroyed) return;
    if (!exchange.replayCounted) {
      exchange.replayCounted = true;
      this.proxy.count('duplicated', this.id);
      if (exchange.fate.duplicate?.lead) this.proxy.count('duplicateLeads', this.id);
    }
    replay.write(chunk);
    this.proxy.addBytes('duplicateBytes', chunk.length);
  }

  private fromUpstream(chunk: Buffer): void {
    if (this.closed) return;
    this.proxy.addBytes('bytesDown', chunk.length);
    if (this.frozen) return;
    const exchange = this.current();
    if (exchange && !exchange.answered && exchange.upBytes > 0) {
      const drop = exchange.fate.drop;
      if (drop && (drop.kind === 'lost-ack' || drop.kind === 'partial-response')) {
        if (drop.kind === 'partial-response') {
          this.down.push(chunk.subarray(0, Math.max(1, Math.floor(chunk.length * drop.partialOf))), 0);
        }
        this.proxy.count('lostAcks', this.id);
        this.frozen = true;
        this.down.whenEmpty(() => this.drop(drop.kind));
        return;
      }
      exchange.answered = true;
      this.proxy.wentThrough(exchange.serial, this);
    }
    if (this.clientGone) return;
    this.down.push(chunk, this.drawDelay());
  }

  private drawDelay(): number {
    const mode = this.proxy.mode();
    const delayed = this.rng.chance(mode.delay);
    const ms = this.rng.int(1, Math.max(1, mode.delayMaxMs));
    if (!delayed || mode.delay <= 0) return 0;
    this.proxy.count('delayedChunks', this.id);
    this.proxy.addBytes('delayedMsTotal', ms);
    return ms;
  }

  /** Lets a held exchange go: a later exchange has gone through, or the hold timed out. */
  release(exchange: Exchange, why: 'later' | 'timeout'): void {
    if (!exchange.held || this.closed) return;
    const held = exchange.held;
    exchange.held = null;
    for (const t of [exchange.holdTimer, exchange.staleTimer]) if (t) clearTimeout(t);
    this.proxy.unhold(exchange);
    this.proxy.count(why === 'later' ? 'reordered' : 'reorderTimeouts', this.id);
    if (this.clientGone && held.length > 0) this.proxy.count('staleDeliveries', this.id);
    for (const chunk of held) this.forward(chunk, exchange);
    if (this.clientGone) {
      // nobody waits for the answer: give the central a moment to act on the request, then hang up
      this.up.whenEmpty(() => this.after(300, () => this.close()));
    } else if (this.clientEnded) {
      this.up.whenEmpty(() => this.upstream?.end());
    }
  }

  drop(kind: DropKind): void {
    if (this.closed) return;
    this.proxy.countDrop(kind, this.id);
    this.resetClient();
    this.close();
  }

  resetClient(): void {
    if (this.client.destroyed) return;
    try {
      this.client.resetAndDestroy();
    } catch {
      this.client.destroy();
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.up.clear();
    this.down.clear();
    for (const e of this.exchanges) {
      for (const t of [e.holdTimer, e.staleTimer]) if (t) clearTimeout(t);
      e.held = null;
      this.proxy.unhold(e);
    }
    // a graceful close has already ended the client; give its last bytes a moment to leave
    const client = this.client;
    if (!client.destroyed) setTimeout(() => client.destroy(), 1000).unref();
    this.upstream?.destroy();
    this.proxy.forget(this);
  }

  private after(ms: number, fn: () => void): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
    return timer;
  }
}

export interface FaultProxyOptions {
  /** Where the central listens. */
  target: { host?: string; port: number };
  seed: number;
  /** Port to listen on (0: the system picks). */
  port?: number;
  mode?: Partial<FaultMode>;
}

export class FaultProxy {
  private readonly server: Server;
  private readonly rng: Prng;
  private target: { host: string; port: number };
  private current: FaultMode;
  private cutKind: CutKind | null = null;
  private readonly open = new Set<ProxiedConnection>();
  private readonly blackHoled = new Set<Socket>();
  private readonly holding = new Map<Exchange, ProxiedConnection>();
  private counters = emptyProxyStats();
  private readonly log: FaultRecord[] = [];
  private nextId = 0;
  private serial = 0;

  private constructor(options: FaultProxyOptions) {
    this.rng = new Prng(options.seed).fork('proxy');
    this.target = { host: options.target.host ?? '127.0.0.1', port: options.target.port };
    this.current = { ...NO_FAULTS, ...options.mode };
    this.server = createServer((socket) => this.accept(socket));
  }

  static async start(options: FaultProxyOptions): Promise<FaultProxy> {
    const proxy = new FaultProxy(options);
    await new Promise<void>((resolve, reject) => {
      proxy.server.once('error', reject);
      proxy.server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    return proxy;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The same port for a TLS server behind it: the proxy forwards bytes, so TLS passes through untouched. */
  get tlsUrl(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  /** Replaces the whole mode: what is not given is NO_FAULTS's. */
  setMode(mode: Partial<FaultMode>): void {
    this.current = { ...NO_FAULTS, ...mode };
    this.note(-1, `mode ${JSON.stringify(mode)}`);
  }

  mode(): FaultMode {
    return this.current;
  }

  setTarget(port: number, host = '127.0.0.1'): void {
    this.target = { host, port };
  }

  targetNow(): { host: string; port: number } {
    return this.target;
  }

  /** An outage: 'refuse' resets everything, 'blackhole' swallows everything. Lasts until restore(). */
  cut(kind: CutKind = 'refuse'): void {
    if (this.cutKind !== null) this.restore();
    this.cutKind = kind;
    this.counters.cuts += 1;
    this.note(-1, `cut ${kind}`);
    for (const conn of [...this.open]) {
      if (kind === 'refuse') {
        conn.resetClient();
        conn.close();
      } else {
        conn.frozen = true;
      }
    }
  }

  restore(): void {
    if (this.cutKind === null) return;
    this.note(-1, `restore after ${this.cutKind}`);
    this.cutKind = null;
    for (const socket of this.blackHoled) socket.resetAndDestroy();
    this.blackHoled.clear();
    for (const conn of [...this.open]) {
      if (conn.frozen) {
        conn.resetClient();
        conn.close();
      }
    }
  }

  isCut(): CutKind | null {
    return this.cutKind;
  }

  stats(): ProxyStats {
    return structuredClone(this.counters);
  }

  /** The last fates and faults (up to 2,000), oldest first. */
  recent(): FaultRecord[] {
    return [...this.log];
  }

  openConnections(): number {
    return this.open.size + this.blackHoled.size;
  }

  async close(): Promise<void> {
    this.restore();
    for (const conn of [...this.open]) conn.close();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- for ProxiedConnection ----

  count(
    key:
      | 'upstreamFailed'
      | 'lostAcks'
      | 'delayedChunks'
      | 'duplicated'
      | 'duplicateLeads'
      | 'reordered'
      | 'reorderTimeouts'
      | 'staleDeliveries',
    conn: number,
  ): void {
    this.counters[key] += 1;
    if (key !== 'delayedChunks') this.note(conn, key);
  }

  countDrop(kind: DropKind, conn: number): void {
    this.counters.drops[kind] += 1;
    this.counters.drops.total += 1;
    this.note(conn, `drop ${kind}`);
  }

  countExchange(conn: number, index: number, fate: ExchangeFate): void {
    this.counters.exchanges += 1;
    const drawn = [
      fate.drop && `drop:${fate.drop.kind}`,
      fate.duplicate && `duplicate:${fate.duplicate.lead ? 'lead' : 'follow'}`,
      fate.reorder && `reorder:${fate.reorder.stale ? 'stale' : 'hold'}`,
    ].filter(Boolean);
    if (drawn.length > 0) this.note(conn, `fate #${index} ${drawn.join(' ')}`);
  }

  addBytes(key: 'bytesUp' | 'bytesDown' | 'duplicateBytes' | 'delayedMsTotal', n: number): void {
    this.counters[key] += n;
  }

  note(conn: number, fault: string): void {
    this.log.push({ at: Date.now(), conn, fault });
    if (this.log.length > 2000) this.log.splice(0, this.log.length - 2000);
  }

  nextSerial(): number {
    return this.serial++;
  }

  hold(conn: ProxiedConnection, exchange: Exchange): void {
    this.holding.set(exchange, conn);
  }

  unhold(exchange: Exchange): void {
    this.holding.delete(exchange);
  }

  /** An exchange had its answer through: every exchange held since before it, elsewhere, may go. */
  wentThrough(serial: number, from: ProxiedConnection): void {
    for (const [exchange, conn] of [...this.holding]) {
      if (exchange.serial < serial && conn !== from) conn.release(exchange, 'later');
    }
  }

  forget(conn: ProxiedConnection): void {
    this.open.delete(conn);
  }

  /** One exchange's fate. Every draw is made whatever the mode, so the stream never shifts with it. */
  drawFate(rng: Prng): ExchangeFate {
    const m = this.current;
    const dropDrawn = rng.chance(m.drop);
    const dropKind = rng.pick<DropKind>(m.dropKinds.length > 0 ? m.dropKinds : DROP_KINDS);
    const requestBytes = rng.int(0, 2048);
    const partialOf = rng.next();
    const timerMs = rng.int(0, 500);
    const dupDrawn = rng.chance(m.duplicate);
    const lead = rng.chance(m.duplicateLead);
    const leadMs = rng.int(10, 60);
    const reorderDrawn = rng.chance(m.reorder);
    const stale = rng.chance(m.reorderStale);
    return {
      drop: dropDrawn && m.drop > 0 ? { kind: dropKind, requestBytes, partialOf, timerMs } : null,
      duplicate: dupDrawn && m.duplicate > 0 ? { lead, leadMs } : null,
      reorder: reorderDrawn && m.reorder > 0 ? { stale } : null,
    };
  }

  private accept(socket: Socket): void {
    const id = this.nextId++;
    this.counters.connections += 1;
    socket.on('error', () => undefined);
    if (this.cutKind === 'refuse') {
      this.counters.refused += 1;
      socket.resetAndDestroy();
      return;
    }
    if (this.cutKind === 'blackhole') {
      this.counters.blackholed += 1;
      this.blackHoled.add(socket);
      socket.on('data', () => undefined);
      socket.on('close', () => this.blackHoled.delete(socket));
      return;
    }
    const conn = new ProxiedConnection(id, socket, this.rng.fork(`conn:${id}`), this);
    this.open.add(conn);
    conn.start(this.target);
  }
}
