import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { Prng } from './prng.ts';

/**
 * A TCP proxy on 127.0.0.1 that sits between the devices and the central and misbehaves on purpose,
 * the way networks, NAT boxes, retrying load balancers and flaky Wi-Fi do. It forwards bytes, not
 * HTTP, so it is transparent to HTTP/1.1 keep-alive and to WebSocket upgrades alike.
 *
 * Each accepted connection draws its fate once, from `Prng.fork('conn:<n>')` of the proxy's seed,
 * under the mode in force when it was accepted:
 *
 *   drop       cut both sides at one of these points (kinds drawn uniformly):
 *              - 'request'  after forwarding a random prefix (0 … 2 KiB) of the client's bytes: the
 *                           request never arrives, or arrives truncated;
 *              - 'lost-ack' when the n-th (n = 0…2) answer chunk arrives from the central: the request
 *                           WAS processed, the answer is thrown away — the case exactly-once lives for;
 *              - 'partial-response' as lost-ack, but a random prefix of that chunk reaches the client;
 *              - 'timer'    at a random moment 0 … 500 ms after the connection was accepted.
 *   delay      each chunk, in either direction, is held 1 … delayMaxMs with this probability
 *              (per direction, order is kept: a chunk never overtakes one sent before it).
 *   duplicate  the client's bytes are also replayed on a second upstream connection whose answers are
 *              discarded (a retrying middlebox). Half the time the replay leads: it is written at
 *              once and the original 10 … 60 ms later, so the copy is the one the central sees first.
 *   reorder    the client's bytes are held until a LATER connection has had an answer through (or
 *              reorderMaxHoldMs passes). Half the time ('stale') the client is also cut as soon as its
 *              bytes have arrived: it retries on a new connection, and the held request is delivered
 *              after that newer one — an old request arriving late.
 *
 * `cut('refuse')` resets every connection and every new one; `cut('blackhole')` accepts new
 * connections and swallows their bytes without answering, and freezes the open ones; `restore()`
 * ends the outage (black-holed connections are then reset). `stats()` counts what actually happened
 * (a drop is counted when it fires, not when it is drawn), and `recent()` keeps the last faults with
 * their connection numbers, for the report of a failing run.
 */

export interface FaultMode {
  /** Probability that a connection is dropped at some point (see the kinds above). */
  drop: number;
  /** The kinds a drop is drawn from (all four by default). */
  dropKinds: readonly DropKind[];
  /** Probability, per chunk and direction, that the chunk is delayed. */
  delay: number;
  delayMaxMs: number;
  /** Probability that a connection's client bytes are replayed on a second upstream connection. */
  duplicate: number;
  /** Probability that a replay goes first. */
  duplicateLead: number;
  /** Probability that a connection's client bytes are held until a later connection has gone through. */
  reorder: number;
  /** Probability that a held connection's client is cut once its bytes are in (stale delivery). */
  reorderStale: number;
  reorderMaxHoldMs: number;
}

export const DROP_KINDS = ['request', 'lost-ack', 'partial-response', 'timer'] as const;
export type DropKind = (typeof DROP_KINDS)[number];

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

export type CutKind = 'refuse' | 'blackhole';

export interface ProxyStats {
  connections: number;
  /** Connections reset because the proxy was cut ('refuse'), or accepted into the black hole. */
  refused: number;
  blackholed: number;
  /** The central was not there (the proxy resets the client, as a refused connect would). */
  upstreamFailed: number;
  drops: Record<DropKind, number> & { total: number };
  /** Lost acknowledgements: cut on an answer after at least one request byte had reached the central. */
  lostAcks: number;
  delayedChunks: number;
  delayedMsTotal: number;
  /** Connections whose client bytes were replayed on a second upstream connection. */
  duplicated: number;
  /** …of which the replay went first. */
  duplicateLeads: number;
  /** Bytes written on replay connections. */
  duplicateBytes: number;
  /** Held connections released because a later connection had an answer through. */
  reordered: number;
  /** Held connections released by the hold timer (no later connection came in time). */
  reorderTimeouts: number;
  /** Held requests delivered after their client had been cut (an old request arriving late). */
  staleDeliveries: number;
  cuts: number;
  bytesUp: number;
  bytesDown: number;
}

export interface FaultRecord {
  at: number;
  conn: number;
  fault: string;
}

interface Fate {
  drop: { kind: DropKind; requestBytes: number; afterChunks: number; partialOf: number; timerMs: number } | null;
  duplicate: { lead: boolean; leadMs: number } | null;
  reorder: { stale: boolean } | null;
}

function emptyStats(): ProxyStats {
  return {
    connections: 0,
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

/** Delivers chunks in order, each no earlier than its own delay allows. */
class OrderedDelay {
  private readonly queue: { at: number; chunk: Buffer }[] = [];
  private timer: NodeJS.Timeout | null = null;
  private lastAt = 0;
  private onEmpty: (() => void)[] = [];

  constructor(private readonly deliver: (chunk: Buffer) => void) {}

  push(chunk: Buffer, delayMs: number): void {
    const at = Math.max(this.lastAt, Date.now() + delayMs);
    this.lastAt = at;
    if (this.queue.length === 0 && at <= Date.now()) {
      this.deliver(chunk);
      return;
    }
    this.queue.push({ at, chunk });
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
    this.timer = setTimeout(() => {
      this.timer = null;
      const now = Date.now();
      while (this.queue.length > 0 && this.queue[0]!.at <= now) this.deliver(this.queue.shift()!.chunk);
      if (this.queue.length > 0) this.schedule();
      else for (const fn of this.onEmpty.splice(0)) fn();
    }, Math.max(0, this.queue[0]!.at - Date.now()));
  }
}

class ProxiedConnection {
  upstream: Socket | null = null;
  replay: Socket | null = null;
  private readonly up: OrderedDelay;
  private readonly down: OrderedDelay;
  private forwardedUp = 0;
  private answerChunks = 0;
  private held: Buffer[] | null = null;
  private holdTimer: NodeJS.Timeout | null = null;
  private dropTimer: NodeJS.Timeout | null = null;
  private staleCutTimer: NodeJS.Timeout | null = null;
  private clientGone = false;
  private clientEnded = false;
  private connected = false;
  private replayed = false;
  private closed = false;
  frozen = false;

  constructor(
    readonly id: number,
    private readonly client: Socket,
    private readonly fate: Fate,
    private readonly rng: Prng,
    private readonly proxy: FaultProxy,
  ) {
    this.up = new OrderedDelay((chunk) => this.writeUpstream(chunk));
    this.down = new OrderedDelay((chunk) => {
      if (!this.clientGone) client.write(chunk);
    });
    if (fate.reorder) this.held = [];
  }

  start(target: { host: string; port: number }): void {
    const { client, fate } = this;
    client.on('error', () => undefined);
    client.on('data', (chunk: Buffer) => this.fromClient(chunk));
    client.on('end', () => {
      this.clientEnded = true;
      if (this.held) return; // ended after the held bytes are released
      this.up.whenEmpty(() => this.upstream?.end());
    });
    client.on('close', () => {
      this.clientGone = true;
      if (this.held && !this.closed) return; // a held request still goes out later (stale delivery)
      this.close();
    });

    const upstream = createConnection({ host: target.host, port: target.port });
    this.upstream = upstream;
    upstream.setNoDelay(true);
    client.setNoDelay(true);
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

    if (fate.duplicate) {
      const replay = createConnection({ host: target.host, port: target.port });
      this.replay = replay;
      replay.on('error', () => undefined);
      replay.on('data', () => undefined); // the replay's answers are discarded
    }
    if (fate.drop?.kind === 'timer') {
      this.dropTimer = setTimeout(() => this.drop('timer'), fate.drop.timerMs);
    }
    if (fate.reorder) {
      this.holdTimer = setTimeout(() => this.release('timeout'), this.proxy.mode().reorderMaxHoldMs);
      this.proxy.hold(this);
    }
  }

  private fromClient(chunk: Buffer): void {
    if (this.closed) return;
    this.proxy.addBytes('bytesUp', chunk.length);
    if (this.frozen) return;
    if (this.held) {
      this.held.push(chunk);
      if (this.fate.reorder?.stale && !this.clientGone) {
        // cut the client once its bytes have stopped coming: it will retry on a new connection
        if (this.staleCutTimer) clearTimeout(this.staleCutTimer);
        this.staleCutTimer = setTimeout(() => {
          this.clientGone = true;
          this.resetClient();
        }, 20);
      }
      return;
    }
    this.forward(chunk);
  }

  private forward(whole: Buffer): void {
    if (this.frozen || this.closed) return;
    let chunk = whole;
    const drop = this.fate.drop;
    const cutHere = drop?.kind === 'request' && this.forwardedUp + whole.length > drop.requestBytes;
    if (cutHere) {
      chunk = whole.subarray(0, Math.max(0, drop.requestBytes - this.forwardedUp));
      this.frozen = true;
      // the prefix reaches the central first, as in a real mid-request failure
      this.up.whenEmpty(() => setImmediate(() => this.drop('request')));
      if (chunk.length === 0) return;
    }
    this.forwardedUp += chunk.length;
    const dup = this.fate.duplicate;
    let delayMs = this.drawDelay();
    if (dup?.lead) {
      this.writeReplay(chunk);
      delayMs += dup.leadMs;
    }
    this.up.push(chunk, delayMs);
  }

  private writeUpstream(chunk: Buffer): void {
    if (this.closed) return;
    this.upstream?.write(chunk);
    if (this.fate.duplicate && !this.fate.duplicate.lead) this.writeReplay(chunk);
  }

  private writeReplay(chunk: Buffer): void {
    if (!this.replay || this.replay.destroyed) return;
    if (!this.replayed) {
      this.replayed = true;
      this.proxy.count('duplicated', this.id);
      if (this.fate.duplicate?.lead) this.proxy.count('duplicateLeads', this.id);
    }
    this.replay.write(chunk);
    this.proxy.addBytes('duplicateBytes', chunk.length);
  }

  private fromUpstream(chunk: Buffer): void {
    if (this.closed) return;
    this.proxy.addBytes('bytesDown', chunk.length);
    if (this.frozen) return;
    const drop = this.fate.drop;
    if (drop && (drop.kind === 'lost-ack' || drop.kind === 'partial-response') && this.answerChunks === drop.afterChunks) {
      if (drop.kind === 'partial-response') {
        const prefix = chunk.subarray(0, Math.max(1, Math.floor(chunk.length * drop.partialOf)));
        this.down.push(prefix, 0);
      }
      if (this.forwardedUp > 0) this.proxy.count('lostAcks', this.id);
      this.frozen = true;
      this.down.whenEmpty(() => this.drop(drop.kind));
      return;
    }
    this.answerChunks += 1;
    this.proxy.wentThrough(this.id);
    if (this.clientGone) return;
    this.down.push(chunk, this.drawDelay());
  }

  private drawDelay(): number {
    const mode = this.proxy.mode();
    if (mode.delay <= 0 || !this.rng.chance(mode.delay)) return 0;
    const ms = this.rng.int(1, Math.max(1, mode.delayMaxMs));
    this.proxy.count('delayedChunks', this.id);
    this.proxy.addBytes('delayedMsTotal', ms);
    return ms;
  }

  /** Lets held bytes go: a later connection has gone through, or the hold timed out. */
  release(why: 'later' | 'timeout'): void {
    if (!this.held || this.closed) return;
    const held = this.held;
    this.held = null;
    if (this.holdTimer) clearTimeout(this.holdTimer);
    if (this.staleCutTimer) clearTimeout(this.staleCutTimer);
    this.proxy.unhold(this);
    this.proxy.count(why === 'later' ? 'reordered' : 'reorderTimeouts', this.id);
    if (this.clientGone && held.length > 0) this.proxy.count('staleDeliveries', this.id);
    for (const chunk of held) this.forward(chunk);
    if (this.clientGone) {
      // nobody is waiting for the answer: give the central a moment to act, then hang up
      this.up.whenEmpty(() => setTimeout(() => this.close(), 300));
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
    try {
      this.client.resetAndDestroy();
    } catch {
      this.client.destroy();
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const t of [this.holdTimer, this.dropTimer, this.staleCutTimer]) if (t) clearTimeout(t);
    this.up.clear();
    this.down.clear();
    this.held = null;
    this.proxy.unhold(this);
    // a graceful close has already ended the client; give its last bytes a moment to leave
    const client = this.client;
    if (!client.destroyed) setTimeout(() => client.destroy(), 1000).unref();
    this.upstream?.destroy();
    // the replay gets its bytes' worth of time at the central, then goes
    const replay = this.replay;
    if (replay && !replay.destroyed) setTimeout(() => replay.destroy(), 500).unref();
    this.proxy.forget(this);
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
  private readonly holding = new Set<ProxiedConnection>();
  private counters = emptyStats();
  private readonly log: FaultRecord[] = [];
  private nextId = 0;

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

  /** Replaces the whole mode: probabilities not given are 0. */
  setMode(mode: Partial<FaultMode>): void {
    this.current = { ...NO_FAULTS, ...mode };
    this.note(-1, `mode ${JSON.stringify(this.current)}`);
  }

  mode(): FaultMode {
    return this.current;
  }

  setTarget(port: number, host = '127.0.0.1'): void {
    this.target = { host, port };
  }

  /** An outage: 'refuse' resets everything, 'blackhole' swallows everything. Lasts until restore(). */
  cut(kind: CutKind = 'refuse'): void {
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

  /** The last faults (up to 2,000), oldest first. */
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

  addBytes(key: 'bytesUp' | 'bytesDown' | 'duplicateBytes' | 'delayedMsTotal', n: number): void {
    this.counters[key] += n;
  }

  note(conn: number, fault: string): void {
    this.log.push({ at: Date.now(), conn, fault });
    if (this.log.length > 2000) this.log.splice(0, this.log.length - 2000);
  }

  hold(conn: ProxiedConnection): void {
    this.holding.add(conn);
  }

  unhold(conn: ProxiedConnection): void {
    this.holding.delete(conn);
  }

  /** Connection `id` had an answer through: every connection held since before it may go. */
  wentThrough(id: number): void {
    for (const held of [...this.holding]) if (held.id < id) held.release('later');
  }

  forget(conn: ProxiedConnection): void {
    this.open.delete(conn);
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
    const rng = this.rng.fork(`conn:${id}`);
    const fate = this.drawFate(rng);
    const drawn = [
      fate.drop && `drop:${fate.drop.kind}`,
      fate.duplicate && `duplicate:${fate.duplicate.lead ? 'lead' : 'follow'}`,
      fate.reorder && `reorder:${fate.reorder.stale ? 'stale' : 'hold'}`,
    ].filter(Boolean);
    if (drawn.length > 0) this.note(id, `fate ${drawn.join(' ')}`);
    const conn = new ProxiedConnection(id, socket, fate, rng, this);
    this.open.add(conn);
    conn.start(this.target);
  }

  private drawFate(rng: Prng): Fate {
    const m = this.current;
    // Every draw is made whatever the mode, so a connection's stream does not shift with the mode.
    const dropDrawn = rng.chance(m.drop);
    const dropKind = rng.pick<DropKind>(m.dropKinds.length > 0 ? m.dropKinds : DROP_KINDS);
    const requestBytes = rng.int(0, 2048);
    const afterChunks = rng.int(0, 2);
    const partialOf = rng.next();
    const timerMs = rng.int(0, 500);
    const dupDrawn = rng.chance(m.duplicate);
    const lead = rng.chance(m.duplicateLead);
    const leadMs = rng.int(10, 60);
    const reorderDrawn = rng.chance(m.reorder);
    const stale = rng.chance(m.reorderStale);
    return {
      drop: dropDrawn ? { kind: dropKind, requestBytes, afterChunks, partialOf, timerMs } : null,
      duplicate: dupDrawn ? { lead, leadMs } : null,
      reorder: reorderDrawn ? { stale } : null,
    };
  }
}
