import type { KeyObject } from 'node:crypto';
import { ApiError, badInput } from '@kawei/shared/errors.ts';
import { messagePair, type MessagePair } from '@kawei/shared/i18n/bilingual.ts';
import { canonicalJson } from '@kawei/shared/sync/canonical-json.ts';
import type { SyncEvent } from '@kawei/shared/sync/sync-event.ts';
import type { DownstreamMessage } from '@kawei/shared/sync/sync-http.ts';
import {
  BOOTH_REVIEW_EVENT_TYPES,
  COMMITTEE_BOOTH_MESSAGE,
  REVIEW_EVENTS,
  COMMITTEE_EVENTS,
  committeeOpenedPayloadSchema,
  type CommitteeMember,
} from '@kawei/shared/committee/committee-events.ts';
import type { EvaluationRules, OpeningBid } from '@kawei/shared/committee/evaluation-rules.ts';
import { rulesSha256 } from '@kawei/shared/committee/rules-digest.node.ts';
import { LruCache } from '@kawei/shared/tender/lru.ts';
import { BOOTH_REPORT_EVENT_TYPES, REPORT_EVENTS } from '@kawei/shared/report/report-events.ts';
import type { CentralStore } from '../storage/central-store.ts';
import type { SyncStore, StoredEvent } from '../storage/sync-store.ts';
import type { CommitteeStore, LedgerEvent } from '../storage/committee-store.ts';
export { isCommitteeStore } from '../storage/committee-store.ts';
import { createDownstreamMessage } from '../sync/downstream-messages.node.ts';
import { CommitteeApiError } from './open-committee.node.ts';
import { appendToLedger, toLedgerEntries, type LedgerAppend } from './committee-ledger.node.ts';
import { boothViews, judgeBoothEvent, judgeOperatorAct, replayCommittee, type OperatorAct } from './committee-state.ts';
import type { BoothEventLookup, BoothEventRecord, CommitteeState, LedgerEntry } from './committee-types.ts';
import type { ReportPipeline } from '../report/report-service.node.ts';

export interface CommitteeService {
  /** After a batch of booth events was stored: judge each review event, append accepted/refused, recompute, send committee.booth messages. Idempotent. */
  onBoothEvents(deviceId: string, events: readonly SyncEvent[]): Promise<void>;
  /** On start (and every few seconds): booth review events stored but not yet judged (a crash between ingest and judging) are judged now. */
  catchUp(): Promise<void>;
  /** committee.opened (again only while nothing was accepted). */
  open(input: OpenCommitteeInput): Promise<void>;
  act(date: string, project: string, act: OperatorAct): Promise<CommitteeState>;
  state(date: string, project: string): Promise<CommitteeState | null>;
  /** Resolves once the work queued so far is done (the server waits for it before its store closes). */
  idle(): Promise<void>;
}

export interface OpenCommitteeInput {
  date: string;
  project: string;
  blind: boolean;
  rules: EvaluationRules;
  bids: OpeningBid[];
  members: CommitteeMember[];
  alternates: string[];
}

export interface CommitteeServiceDeps {
  store: CentralStore & SyncStore & CommitteeStore;
  privateKey: KeyObject;
  centralId: string;
  now: () => number;
  /** Wakes this process's live streams at once (MessageHub.publish); the CLI has none. */
  notify?: (message: DownstreamMessage) => void;
  /** Where the service says what it could not do (never fatal): Fastify's logger in `serve`. */
  log?: CommitteeLog;
  /**
   * The report (issue #14, central/src/report/report-service.node.ts): booth report events are judged
   * in this pipeline (same per-project queue, same catch-up) by it, and it is told after every append
   * for a project. Without it report events are stored and left unjudged.
   */
  report?: ReportPipeline;
}

export interface CommitteeLog {
  info(details: Record<string, unknown>, message: string): void;
  warn(details: Record<string, unknown>, message: string): void;
  error(details: Record<string, unknown>, message: string): void;
}

/** About 64 MB of cached review events (JSON characters, plus a little per entry). */
const EVENT_CACHE_CHARS = 64 * 1024 * 1024;

/** The operator's act was refused by the committee's rules (judgeOperatorAct): say why, in both languages. */
export class CommitteeActRefusedError extends ApiError {
  constructor(
    readonly reason: string,
    readonly pair: MessagePair,
  ) {
    super('COMMITTEE_REFUSED', `${reason}: ${pair.en}`, { reason });
  }
}

/** The committee (date, project) has no committee.opened in the ledger. */
export class NoCommitteeError extends CommitteeApiError {
  constructor(date: string, project: string) {
    super('NOT_FOUND', messagePair('central.committee.notOpen', { date, project }), { date, project });
  }
}

const REVIEW_TYPES: readonly string[] = BOOTH_REVIEW_EVENT_TYPES;
const REPORT_TYPES: readonly string[] = BOOTH_REPORT_EVENT_TYPES;
/** The booth events this pipeline judges: the review's and the report's. */
const JUDGED_TYPES: readonly string[] = [...REVIEW_TYPES, ...REPORT_TYPES];
const PAGE = 2000;

/** A review event catch-up has still to judge, with its committee and when the central received it. */
interface Pending {
  record: BoothEventRecord;
  date: string;
  project: string;
  receivedAt: number;
}

/** A loaded committee: the state replayed from the project's ledger (since its last opening) and the booth events it names. */
interface Loaded {
  state: CommitteeState;
  /** Every ledger event of the project (all openings): what has been judged. */
  ledger: LedgerEvent[];
  /** The ledger since the last opening (committee and report entries), and the booth events they accept: what the report replays. */
  entries: LedgerEntry[];
  lookup: BoothEventLookup;
}

/**
 * The central's committee (issue #13): turns stored booth review events into the committee's record,
 * and the record into what every booth of the committee sees.
 *
 * For each review event (BOOTH_REVIEW_EVENT_TYPES) the committee of its date and project is replayed
 * from the ledger (committee-state.ts, pure), the event is judged, and committee.accepted or
 * committee.refused is appended; then each active member's booth gets its new `committee.booth` view
 * as a signed downstream message, the live streams woken at once.
 *
 * Work on one committee is serialised in this process (a promise chain per date/project), so events
 * are judged in the order they were stored; other processes (the CLI) are kept out of the way by the
 * ledger's stale-head refusal (committee-ledger.node.ts). Nothing is lost: an event stored but not
 * judged (a crash in between, a failed judging, or no committee open yet) is found by catchUp(), which
 * `serve` runs at start (a full pass) and every few seconds (only what was stored since); judging is
 * idempotent (an event the ledger names is never judged again).
 */
export class CentralCommitteeService implements CommitteeService {
  private readonly queues = new Map<string, Promise<unknown>>();
  /**
   * Stored events never change: the ones a replay needs are kept, so a busy committee's are read
   * once. Bounded (by JSON size, LRU) because a day at province scale has far more review events than
   * a central should hold; a replay builds its own map of what it needs, so eviction costs a read.
   */
  private readonly eventCache = new LruCache<string, BoothEventRecord>(EVENT_CACHE_CHARS, (record) => JSON.stringify(record.payload).length + 200);
  /** Committees without an opening that were already logged (once each). */
  private readonly reportedUnknown = new Set<string>();
  /** Per committee: judging runs queued, and whether the booths' views are behind the ledger. */
  private readonly waiting = new Map<string, number>();
  private readonly viewsBehind = new Set<string>();
  /** Per committee: the report's entries moved (its views and what is due are behind). */
  private readonly reportBehind = new Set<string>();
  /** Committees whose ledger may hold confirmed results (a confirmation, a chair's step, a report entry): the report is advanced for them on catch-up. */
  private readonly maybeFinal = new Map<string, { date: string; project: string }>();

  // ── catch-up's memory (see catchUp) ──
  /** Catch-up passes run one at a time. */
  private passes: Promise<void> = Promise.resolve();
  /** Whether the first (full) pass has run. */
  private caughtUpOnce = false;
  /** The ledger read so far: its last seq, the booth events it judged, the committees it opened. */
  private ledgerSeen = 0;
  private readonly judged = new Set<string>();
  private readonly openedCommittees = new Set<string>();
  /** Per device, the head up to which its review events were looked at. */
  private readonly deviceSeen = new Map<string, number>();
  /** Review events of committees not open yet, by committee: judged once the ledger shows the opening. */
  private readonly waitingForOpening = new Map<string, Map<string, Pending>>();
  /** Review events whose judging failed (or whose batch did): tried again on the next pass. */
  private readonly retry = new Map<string, Pending>();
  /** Review events being judged right now (a pass leaves them to the run that has them). */
  private readonly inFlight = new Set<string>();

  constructor(private readonly deps: CommitteeServiceDeps) {}

  async onBoothEvents(deviceId: string, events: readonly SyncEvent[]): Promise<void> {
    const byCommittee = new Map<string, { date: string; project: string; events: BoothEventRecord[] }>();
    for (const event of events) {
      if (!JUDGED_TYPES.includes(event.type)) continue;
      const record = recordOf({ ...event, deviceId });
      const where = committeeOf(event.payload);
      if (!where) {
        this.deps.log?.warn({ device: deviceId, seq: event.seq, type: event.type }, 'committee: a review event without date and project; not judged');
        continue;
      }
      this.eventCache.set(refKey(record.device, record.seq), record);
      const key = committeeKey(where.date, where.project);
      const group = byCommittee.get(key) ?? { ...where, events: [] };
      group.events.push(record);
      byCommittee.set(key, group);
    }
    try {
      await Promise.all([...byCommittee.values()].map((g) => this.judgeAll(g.date, g.project, g.events)));
    } catch (error) {
      // The batch's events are tried again on the next pass (judging is idempotent).
      const receivedAt = this.deps.now();
      for (const g of byCommittee.values()) for (const record of g.events) this.retry.set(refKey(record.device, record.seq), { record, date: g.date, project: g.project, receivedAt });
      throw error;
    }
  }

  /**
   * Booth review events stored but not judged are judged. Cheap when it runs every few seconds: the
   * first pass reads the whole ledger and every review event; each later pass reads only the ledger
   * entries appended since and, per device whose head moved since, the review events above the head
   * it saw (the store's own order: a device's events and its head commit together, so nothing below
   * a head read is stored later). What it cannot judge yet is remembered, not forgotten: events of a
   * committee not open (judged when the ledger shows its opening, whichever process appended it) and
   * events whose judging failed (tried again on the next pass).
   */
  async catchUp(): Promise<void> {
    const pass = this.passes.then(() => this.catchUpPass());
    this.passes = pass.catch(() => undefined);
    return pass;
  }

  private async catchUpPass(): Promise<void> {
    const full = !this.caughtUpOnce;
    // Heads before the events: an event above a head read now is listed on the next pass.
    const heads = await this.deps.store.listDeviceHeads();
    const { opened, moved } = await this.readLedger(full);
    const stored: StoredEvent[] = [];
    if (full) {
      for (let after: { deviceId: string; seq: number } | undefined; ; ) {
        const page = await this.deps.store.listEventsByTypes(JUDGED_TYPES, after ? { after, limit: PAGE } : { limit: PAGE });
        stored.push(...page);
        if (page.length < PAGE) break;
        const last = page.at(-1)!;
        after = { deviceId: last.deviceId, seq: last.seq };
      }
    } else {
      const movedHeads = heads.filter((h) => h.seq > (this.deviceSeen.get(h.deviceId) ?? 0));
      const pages = await Promise.all(
        movedHeads.map((h) => this.deps.store.listDeviceEventsByTypes(h.deviceId, JUDGED_TYPES, { afterSeq: this.deviceSeen.get(h.deviceId) ?? 0, upToSeq: h.seq })),
      );
      for (const page of pages) stored.push(...page);
    }
    for (const h of heads) this.deviceSeen.set(h.deviceId, Math.max(h.seq, this.deviceSeen.get(h.deviceId) ?? 0));
    this.caughtUpOnce = true;

    const pending = new Map<string, Pending>();
    for (const event of stored) {
      const where = committeeOf(event.payload);
      if (!where) continue;
      pending.set(refKey(event.deviceId, event.seq), { record: recordOf(event), ...where, receivedAt: event.receivedAt });
    }
    for (const [key, p] of this.retry) if (!pending.has(key)) pending.set(key, p);
    this.retry.clear();
    for (const key of opened) {
      for (const [ref, p] of this.waitingForOpening.get(key) ?? []) if (!pending.has(ref)) pending.set(ref, p);
      this.waitingForOpening.delete(key);
    }
    const todo = [...pending.entries()].filter(([key]) => !this.judged.has(key) && !this.inFlight.has(key)).map(([, p]) => p);
    // The report follows every ledger that moved (appends by this process, or by the CLI's).
    const advancing = this.deps.report ? [...moved].flatMap((key) => this.maybeFinal.get(key) ?? []) : [];
    if (todo.length === 0) {
      await Promise.all(advancing.map((c) => this.serial(c.date, c.project, () => this.advanceReport(c.date, c.project))));
      return;
    }
    // In the order the central received them (each device's own order kept).
    todo.sort((a, b) => a.receivedAt - b.receivedAt || (a.record.device < b.record.device ? -1 : a.record.device > b.record.device ? 1 : a.record.seq - b.record.seq));
    const byCommittee = new Map<string, { date: string; project: string; events: BoothEventRecord[] }>();
    for (const p of todo) {
      const key = committeeKey(p.date, p.project);
      // Score sheets of projects without a committee (plain criteria, no opening record) wait, remembered.
      if (!this.openedCommittees.has(key)) {
        this.waitFor(p);
        continue;
      }
      this.eventCache.set(refKey(p.record.device, p.record.seq), p.record);
      const group = byCommittee.get(key) ?? { date: p.date, project: p.project, events: [] };
      group.events.push(p.record);
      byCommittee.set(key, group);
    }
    await Promise.all([...byCommittee.values()].map((g) => this.judgeAll(g.date, g.project, g.events)));
    await Promise.all(
      advancing.filter((c) => !byCommittee.has(committeeKey(c.date, c.project))).map((c) => this.serial(c.date, c.project, () => this.advanceReport(c.date, c.project))),
    );
  }

  /**
   * Reads the ledger from the start (full) or from where the last pass stopped: the booth events it
   * judged and the committees it opened. Returns the committees opened in what it read, and those
   * with any entry in it.
   */
  private async readLedger(full: boolean): Promise<{ opened: Set<string>; moved: Set<string> }> {
    if (full) {
      this.ledgerSeen = 0;
      this.judged.clear();
      this.openedCommittees.clear();
    }
    const opened = new Set<string>();
    const moved = new Set<string>();
    for (let from = this.ledgerSeen + 1; ; ) {
      const page = await this.deps.store.listLedger({ fromSeq: from, limit: PAGE });
      for (const e of page) {
        const key = committeeKey(e.date, e.project);
        const ref = judgedRef(e);
        if (ref) this.judged.add(refKey(ref.device, ref.seq));
        if (e.type === COMMITTEE_EVENTS.opened) {
          this.openedCommittees.add(key);
          opened.add(key);
        }
        if (mayConfirm(e)) this.maybeFinal.set(key, { date: e.date, project: e.project });
        moved.add(key);
        this.ledgerSeen = e.seq;
      }
      if (page.length < PAGE) break;
      from = page.at(-1)!.seq + 1;
    }
    return { opened, moved };
  }

  private waitFor(p: Pending): void {
    const key = committeeKey(p.date, p.project);
    const waiting = this.waitingForOpening.get(key) ?? new Map<string, Pending>();
    waiting.set(refKey(p.record.device, p.record.seq), p);
    this.waitingForOpening.set(key, waiting);
  }

  async open(input: OpenCommitteeInput): Promise<void> {
    const parsed = committeeOpenedPayloadSchema.safeParse({ ...input, rulesSha256: rulesSha256(input.rules) });
    if (!parsed.success) throw badInput(parsed.error, `committee of project "${input.project}"`);
    const payload = parsed.data;
    await this.serial(input.date, input.project, async () => {
      const appended = await appendToLedger(this.ledgerDeps(), async () => {
        const ledger = await this.deps.store.listLedger({ date: input.date, project: input.project });
        const current = sinceLastOpening(ledger);
        if (current.length > 0) {
          const decided = current.find((e) => e.type !== COMMITTEE_EVENTS.opened && e.type !== COMMITTEE_EVENTS.refused);
          if (decided) {
            throw new CommitteeApiError(
              'COMMITTEE_REFUSED',
              messagePair('central.committee.open.decided', { project: input.project, date: input.date, seq: decided.seq, type: decided.type }),
              { seq: decided.seq, type: decided.type },
            );
          }
          // Published again with the same material: the committee stands as it is.
          if (canonicalJson(current[0]!.payload) === canonicalJson(JSON.parse(JSON.stringify(payload)))) return null;
        }
        return { type: COMMITTEE_EVENTS.opened, date: input.date, project: input.project, payload };
      });
      if (appended) this.reportedUnknown.delete(committeeKey(input.date, input.project));
    });
    // Events that arrived before the committee opened are judged now, then every booth gets its view.
    await this.catchUp();
    await this.serial(input.date, input.project, () => this.sendViews(input.date, input.project));
  }

  async act(date: string, project: string, act: OperatorAct): Promise<CommitteeState> {
    return this.serial(date, project, async () => {
      await appendToLedger(this.ledgerDeps(), async () => {
        const loaded = await this.load(date, project);
        if (!loaded) throw new NoCommitteeError(date, project);
        const verdict = judgeOperatorAct(loaded.state, act);
        if (!verdict.ok) throw new CommitteeActRefusedError(verdict.code, verdict.message);
        return operatorEntry(date, project, act);
      });
      const state = await this.sendViews(date, project);
      if (state.stage === 'final') await this.advanceReport(date, project);
      return state;
    });
  }

  async state(date: string, project: string): Promise<CommitteeState | null> {
    return (await this.load(date, project))?.state ?? null;
  }

  async idle(): Promise<void> {
    while (this.queues.size > 0) await Promise.all([...this.queues.values()]);
  }

  // ── judging ──────────────────────────────────────────────────────────────────────────────────

  /**
   * Judges the events in order, then sends the views — once for a burst: when more judging is queued
   * for this committee (nine booths signing at once), the last run sends them.
   */
  private async judgeAll(date: string, project: string, events: readonly BoothEventRecord[]): Promise<void> {
    const key = committeeKey(date, project);
    this.waiting.set(key, (this.waiting.get(key) ?? 0) + 1);
    for (const record of events) this.inFlight.add(refKey(record.device, record.seq));
    await this.serial(date, project, async () => {
      try {
        for (const record of events) {
          try {
            if (await this.judgeOne(date, project, record)) (REPORT_TYPES.includes(record.type) ? this.reportBehind : this.viewsBehind).add(key);
          } catch (error) {
            // One event's trouble never stops the others; the next catch-up pass tries it again.
            this.retry.set(refKey(record.device, record.seq), { record, date, project, receivedAt: this.deps.now() });
            this.deps.log?.error({ err: error, device: record.device, seq: record.seq, date, project }, 'committee: judging a booth event failed');
          }
        }
      } finally {
        for (const record of events) this.inFlight.delete(refKey(record.device, record.seq));
        const left = (this.waiting.get(key) ?? 1) - 1;
        if (left > 0) this.waiting.set(key, left);
        else this.waiting.delete(key);
      }
      if (this.waiting.has(key)) return;
      const committeeMoved = this.viewsBehind.delete(key);
      const reportMoved = this.reportBehind.delete(key);
      const state = committeeMoved ? await this.sendViews(date, project) : null;
      // After every append the report renders what is due and tells the booths (once the results are final).
      if (reportMoved || state?.stage === 'final') await this.advanceReport(date, project);
    });
  }

  /** The report follows the ledger; its trouble is logged, never the committee's. */
  private async advanceReport(date: string, project: string): Promise<void> {
    if (!this.deps.report) return;
    try {
      await this.deps.report.advance(date, project);
    } catch (error) {
      this.deps.log?.error({ err: error, date, project }, 'report: advancing the report failed');
    }
  }

  /** Appends accepted/refused for one event; false when it was judged already or no committee is open. */
  private async judgeOne(date: string, project: string, record: BoothEventRecord): Promise<boolean> {
    let noCommittee = false;
    const appended = await appendToLedger(this.ledgerDeps(), async () => {
      const loaded = await this.load(date, project);
      if (!loaded) {
        noCommittee = true;
        return null;
      }
      if (loaded.ledger.some((e) => sameRef(judgedRef(e), record))) return null;
      if (REPORT_TYPES.includes(record.type)) {
        // Judged by the report (its rules, then the signatures with bytes); never without it.
        if (!this.deps.report) return null;
        return this.deps.report.judgeBoothEvent({ committee: loaded.state, entries: loaded.entries, lookup: loaded.lookup }, record);
      }
      const verdict = judgeBoothEvent(loaded.state, record);
      const base = { date, project, device: record.device, seq: record.seq, hash: record.hash, type: record.type, codename: verdict.codename ?? codenameOf(record.payload) };
      const entry: LedgerAppend = verdict.accept
        ? { type: COMMITTEE_EVENTS.accepted, date, project, payload: base }
        : { type: COMMITTEE_EVENTS.refused, date, project, payload: { ...base, reason: verdict.reason, detail: verdict.detail.slice(0, 500) } };
      return entry;
    });
    if (noCommittee) {
      // Judged when the ledger shows the committee's opening (catchUp).
      this.waitFor({ record, date, project, receivedAt: this.deps.now() });
      const key = committeeKey(date, project);
      if (!this.reportedUnknown.has(key)) {
        this.reportedUnknown.add(key);
        this.deps.log?.warn({ date, project, device: record.device, seq: record.seq }, 'committee: review events for a project with no open committee wait until it opens');
      }
    }
    if (appended?.type === COMMITTEE_EVENTS.refused || appended?.type === REPORT_EVENTS.refused) {
      this.deps.log?.info({ date, project, device: record.device, seq: record.seq, reason: appended.payload['reason'] }, 'committee: booth event refused');
    }
    return appended !== null;
  }

  // ── state and views ──────────────────────────────────────────────────────────────────────────

  private async load(date: string, project: string): Promise<Loaded | null> {
    const ledger = await this.deps.store.listLedger({ date, project });
    const current = sinceLastOpening(ledger);
    if (current.length === 0) return null;
    // The booth events a replay reads: those the committee and the report accepted.
    const needed = current.flatMap((e) => {
      const ref = e.type === COMMITTEE_EVENTS.accepted || e.type === REPORT_EVENTS.accepted ? judgedRef(e) : null;
      return ref ? [ref] : [];
    });
    const records = new Map<string, BoothEventRecord>();
    await Promise.all(
      needed.map(async (ref) => {
        const key = refKey(ref.device, ref.seq);
        const cached = this.eventCache.get(key);
        if (cached) {
          records.set(key, cached);
          return;
        }
        const stored = await this.deps.store.getEvent(ref.device, ref.seq);
        if (!stored) return;
        const record = recordOf(stored);
        this.eventCache.set(key, record);
        records.set(key, record);
      }),
    );
    const lookup = (device: string, seq: number) => records.get(refKey(device, seq));
    const entries = toLedgerEntries(current);
    return { state: replayCommittee(entries, lookup), ledger, entries, lookup };
  }

  /** Each active member's booth gets the committee as it now stands; returns that state. */
  private async sendViews(date: string, project: string): Promise<CommitteeState> {
    const loaded = await this.load(date, project);
    if (!loaded) throw new NoCommitteeError(date, project);
    const messageDeps = { store: this.deps.store, privateKey: this.deps.privateKey, now: this.deps.now, ...(this.deps.notify ? { notify: this.deps.notify } : {}) };
    for (const [device, view] of boothViews(loaded.state)) {
      try {
        await createDownstreamMessage(messageDeps, { deviceId: device, type: COMMITTEE_BOOTH_MESSAGE, payload: JSON.parse(JSON.stringify(view)) as Record<string, never> });
      } catch (error) {
        this.deps.log?.error({ err: error, device, date, project }, 'committee: the committee view could not be sent to a booth');
      }
    }
    return loaded.state;
  }

  // ── plumbing ─────────────────────────────────────────────────────────────────────────────────

  private ledgerDeps() {
    return { store: this.deps.store, privateKey: this.deps.privateKey, centralId: this.deps.centralId, now: this.deps.now };
  }

  /** Runs `work` after everything queued before it for the same committee (in this process). */
  private serial<T>(date: string, project: string, work: () => Promise<T>): Promise<T> {
    const key = committeeKey(date, project);
    const before = this.queues.get(key) ?? Promise.resolve();
    const run = before.then(work, work);
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.queues.set(key, settled);
    void settled.then(() => {
      if (this.queues.get(key) === settled) this.queues.delete(key);
    });
    return run;
  }
}

export function createCommitteeService(deps: CommitteeServiceDeps): CentralCommitteeService {
  return new CentralCommitteeService(deps);
}


/** The ledger entry for an operator's act (already judged allowed). */
function operatorEntry(date: string, project: string, act: OperatorAct): LedgerAppend {
  const base = { date, project };
  switch (act.kind) {
    case 'name_chair':
      return { type: COMMITTEE_EVENTS.chairNamed, ...base, payload: { ...base, codename: act.codename, by: 'centre', operator: act.operator, why: act.why } };
    case 'request_recheck':
      return { type: COMMITTEE_EVENTS.recheckRequested, ...base, payload: { ...base, recheck: act.recheck, operator: act.operator, why: act.why } };
    case 'replace':
      return {
        type: COMMITTEE_EVENTS.replaced,
        ...base,
        payload: { ...base, codename: act.codename, reason: act.reason, replacement: act.replacement, operator: act.operator, why: act.why },
      };
    case 'confirm_results':
      return { type: COMMITTEE_EVENTS.resultsConfirmed, ...base, payload: { ...base, resultsSha256: act.resultsSha256, operator: act.operator, why: act.why } };
  }
}

export function committeeKey(date: string, project: string): string {
  return `${date}/${project}`;
}

function refKey(device: string, seq: number): string {
  return `${device}#${seq}`;
}

/** The events of a project's ledger from its last committee.opened on ([] without one). */
export function sinceLastOpening(ledger: readonly LedgerEvent[]): LedgerEvent[] {
  for (let i = ledger.length - 1; i >= 0; i--) if (ledger[i]!.type === COMMITTEE_EVENTS.opened) return ledger.slice(i);
  return [];
}

/**
 * The booth event a verdict names: committee.accepted / committee.refused, or the report's
 * report.accepted / report.refused (judged in the same pipeline, so catch-up knows both as judged).
 */
export function judgedRef(event: { type: string; payload: Record<string, unknown> }): { device: string; seq: number; hash: string } | null {
  if (event.type === REPORT_EVENTS.accepted || event.type === REPORT_EVENTS.refused) return namedRef({ ...event, type: COMMITTEE_EVENTS.accepted });
  return namedRef(event);
}

/** A ledger entry after which the committee may be final: the centre's confirmation, a chair's step (confirm_results), or the report's own. */
function mayConfirm(e: LedgerEvent): boolean {
  return (
    e.type === COMMITTEE_EVENTS.resultsConfirmed ||
    (e.type === COMMITTEE_EVENTS.accepted && e.payload['type'] === REVIEW_EVENTS.chairStep) ||
    e.type.startsWith('report.')
  );
}

/**
 * The booth event a committee.accepted / committee.refused names (the committee's own verdicts:
 * `results verify` re-judges these with the committee's rules; the report's are judgedRef's).
 */
export function namedRef(event: { type: string; payload: Record<string, unknown> }): { device: string; seq: number; hash: string } | null {
  if (event.type !== COMMITTEE_EVENTS.accepted && event.type !== COMMITTEE_EVENTS.refused) return null;
  const { device, seq, hash } = event.payload;
  return typeof device === 'string' && typeof seq === 'number' && typeof hash === 'string' ? { device, seq, hash } : null;
}

function sameRef(ref: { device: string; seq: number } | null, record: BoothEventRecord): boolean {
  return ref !== null && ref.device === record.device && ref.seq === record.seq;
}

export function recordOf(event: Pick<SyncEvent, 'deviceId' | 'seq' | 'hash' | 'type' | 'payload'>): BoothEventRecord {
  return { device: event.deviceId, seq: event.seq, hash: event.hash, type: event.type, payload: event.payload };
}

function committeeOf(payload: Record<string, unknown>): { date: string; project: string } | null {
  const { date, project } = payload;
  return typeof date === 'string' && typeof project === 'string' && date.length > 0 && project.length > 0 ? { date, project } : null;
}

/** The code name the event claims (score sheets carry it in the sheet), or null. */
function codenameOf(payload: unknown): string | null {
  if (typeof payload !== 'object' || payload === null) return null;
  const p = payload as Record<string, unknown>;
  if (typeof p['codename'] === 'string' && p['codename'].length > 0 && p['codename'].length <= 32) return p['codename'];
  const sheet = p['sheet'];
  if (typeof sheet === 'object' && sheet !== null) {
    const c = (sheet as Record<string, unknown>)['codename'];
    if (typeof c === 'string' && c.length > 0 && c.length <= 32) return c;
  }
  return null;
}
