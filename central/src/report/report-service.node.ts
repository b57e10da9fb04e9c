/**
 * The central's report service (issue #14): drives the evaluation report from the committee's
 * confirmed results to the last signature, every step a `report.*` entry in the committee's ledger
 * (appendToLedger: the chain never forks, and every decision is made again on the newest state).
 *
 * - advance(): renders what is due — the draft once the results are final, the final PDF once the
 *   dissent window closed (with the dissents), the identity annex with the final PDF, the unblinding
 *   annex (blind projects) after the supervisor's signature — and sends every active member's booth
 *   its `report.booth` view. Idempotent; the committee service calls it after every append and on
 *   catch-up.
 * - judgeBoothEvent(): the committee service's pipeline hands it each booth report event (same
 *   per-project queue, same catch-up as review events): the pure judge, then the signature checks
 *   with bytes (report-signatures.node.ts); a PAdES signature's rebuilt PDF is stored as the new head
 *   before report.accepted names it.
 * - closeDissent() and signAsSupervisor(): the operator's acts (CLI).
 */
import type { KeyObject } from 'node:crypto';
import { ApiError, type ErrorCode } from '@kawei/shared/errors.ts';
import { messagePair, messagePairBy, pairLine, type MessagePair } from '@kawei/shared/i18n/bilingual.ts';
import { translate } from '@kawei/shared/i18n/messages.ts';
import {
  REPORT_BOOTH_EVENTS,
  REPORT_BOOTH_MESSAGE,
  REPORT_EVENTS,
  SUPERVISOR_FIELD,
  reportDissentPayloadSchema,
  reportSignedPayloadSchema,
} from '@kawei/shared/report/report-events.ts';
import type { Signer } from '@kawei/shared/signing/signer.ts';
import type { TrustList } from '@kawei/shared/signing/trust-list.ts';
import type { DownstreamMessage } from '@kawei/shared/sync/sync-http.ts';
import { appendToLedger, type LedgerAppend } from '../committee/committee-ledger.node.ts';
import type { BoothEventLookup, BoothEventRecord, CommitteeState, LedgerEntry } from '../committee/committee-types.ts';
import type { CentralStore } from '../storage/central-store.ts';
import type { CommitteeStore } from '../storage/committee-store.ts';
import type { ReportStore, NewReportFile } from '../storage/report-store.ts';
import type { SyncStore } from '../storage/sync-store.ts';
import { createDownstreamMessage } from '../sync/downstream-messages.node.ts';
import type { CentreSeal } from './centre-seal.node.ts';
import { detailOf, judgeReportEvent, reportStageName } from './judge-report-event.ts';
import { makeIdentityAnnex, makeUnblindingAnnex, type AnnexMade } from './report-annexes.node.ts';
import { readReportMaterial } from './report-material.node.ts';
import { loadProjectRecord, type EventCache, type ProjectRecord } from './report-record.node.ts';
import { dissentWindowClosed, replayReport, reportMembers } from './report-reducer.ts';
import { bytesBase64, checkDissentSignature, checkMemberSignature, errorPair, sha256Hex, signAtCentre, withProblem, type SignatureCheck } from './report-signatures.node.ts';
import type { ReportState } from './report-types.ts';
import { reportBoothViews } from './report-views.ts';
import { REPORT_RENDERER_VERSION, renderReport, type ReportMaterial } from './render-report.node.ts';

export interface ReportService {
  /** The committee's ledger moved (called by the committee service after every append for a project): render what is due, send views. Idempotent. */
  advance(date: string, project: string): Promise<void>;
  state(date: string, project: string): Promise<ReportState | null>;
  closeDissent(date: string, project: string, operator: string, why: string): Promise<ReportState>;
  signAsSupervisor(date: string, project: string, input: { signer: Signer; signerName: string; operator: string }): Promise<ReportState>;
  /** The centre records that a member did not sign (absent, gone): like a refusal, with the operator's reason; the turn moves on. */
  recordUnsigned(date: string, project: string, input: { codename: string; operator: string; why: string }): Promise<ReportState>;
  file(sha256: string): Promise<Uint8Array | null>;
  /** A draft, final or signed PDF for a device that is an active member's booth of its project; null otherwise (same null for unknown). */
  fileForDevice(deviceId: string, sha256: string): Promise<Uint8Array | null>;
}

/** What the committee service hands over for one booth report event: the record as it stands. */
export interface ReportJudging {
  committee: CommitteeState;
  /** The ledger since the committee's opening (replay entries). */
  entries: readonly LedgerEntry[];
  lookup: BoothEventLookup;
}

/** The committee service's side of the report: it judges report events in its pipeline and tells the report of every append. */
export interface ReportPipeline {
  /** The ledger entry (report.accepted / report.refused) for one booth report event, after the signature checks (a new head is stored first). */
  judgeBoothEvent(record: ReportJudging, event: BoothEventRecord): Promise<LedgerAppend>;
  advance(date: string, project: string): Promise<void>;
}

export interface ReportLog {
  info(details: Record<string, unknown>, message: string): void;
  warn(details: Record<string, unknown>, message: string): void;
  error(details: Record<string, unknown>, message: string): void;
}

export interface ReportServiceDeps {
  store: CentralStore & SyncStore & CommitteeStore & ReportStore;
  privateKey: KeyObject;
  centralId: string;
  now: () => number;
  /** The data directory: the project's report material (DATA/projects/<date>-<project>.report.json). Null: none (a test). */
  dataDir: string | null;
  /** The trust list of the experts' (and the supervisor's) certificates; null when none is configured (signatures are then refused, saying so). */
  trustList: () => TrustList | null;
  /** The centre's seal (loadOrCreateCentreSeal(DATA/seal, centreName)), asked for only when an annex is made; `centreName` is the project material's (the name a seal made now gets). */
  seal: (centreName: string) => Promise<CentreSeal>;
  /** The supervisors' certificates (DER): the identity annex is encrypted for them. */
  supervisionCertificates?: readonly Uint8Array[];
  /** An expert's name for the identity annex (the experts' registry); the expert id when unknown. */
  expertName?: (expert: string) => string | null;
  notify?: (message: DownstreamMessage) => void;
  log?: ReportLog;
}

/** An operator's act refused, or asked of a report that does not exist: both languages, an API code. */
export class ReportApiError extends ApiError {
  readonly zh: string;
  readonly en: string;
  constructor(
    code: ErrorCode,
    readonly pair: MessagePair,
    details?: unknown,
  ) {
    super(code, pairLine(pair), details);
    this.zh = pair.zh;
    this.en = pair.en;
  }
}

const DEVICE_KINDS = new Set(['draft', 'final', 'signed']);
/** Rendering steps one advance may take in a row (draft, final, annexes: four at most). */
const MAX_STEPS = 6;

type Due = 'draft' | 'final' | 'identities' | 'unblinding';

export class CentralReportService implements ReportService, ReportPipeline {
  private readonly queues = new Map<string, Promise<unknown>>();
  /** Per project, the report version the booths were last sent (this process). */
  private readonly sent = new Map<string, number>();
  /** Problems already logged (once each): a missing material, a failed render at a ledger version. */
  private readonly logged = new Set<string>();
  private readonly cache: EventCache;

  constructor(private readonly deps: ReportServiceDeps) {
    const records = new Map<string, BoothEventRecord>();
    this.cache = {
      get: (key) => records.get(key),
      set: (key, record) => {
        // Small: a report's events are a few per member; a busy day's committees share the rest with the store.
        if (records.size > 20_000) records.clear();
        records.set(key, record);
      },
    };
  }

  // ── the public face ──────────────────────────────────────────────────────────────────────────

  advance(date: string, project: string): Promise<void> {
    return this.serial(date, project, () => this.advanceNow(date, project));
  }

  async state(date: string, project: string): Promise<ReportState | null> {
    return (await this.load(date, project))?.report ?? null;
  }

  closeDissent(date: string, project: string, operator: string, why: string): Promise<ReportState> {
    return this.serial(date, project, async () => {
      await appendToLedger(this.ledgerDeps(), async () => {
        const { report } = await this.requireReport(date, project);
        if (report.stage !== 'dissent') {
          throw new ReportApiError(
            'DISSENT_CLOSED',
            messagePairBy('reportRecord.act.closeDissentStage', (lang) => ({ stage: reportStageName(report.stage, lang) })),
            { stage: report.stage },
          );
        }
        return entry(REPORT_EVENTS.dissentClosed, date, project, { draftSha256: report.draft!.sha256, operator, why });
      });
      await this.advanceNow(date, project);
      return (await this.requireReport(date, project)).report;
    });
  }

  recordUnsigned(date: string, project: string, input: { codename: string; operator: string; why: string }): Promise<ReportState> {
    return this.serial(date, project, async () => {
      await appendToLedger(this.ledgerDeps(), async () => {
        const { committee, report } = await this.requireReport(date, project);
        if (report.stage !== 'signing' || report.head === null) {
          throw new ReportApiError(
            'REPORT_NOT_READY',
            messagePairBy('reportRecord.act.unsignedStage', (lang) => ({ stage: reportStageName(report.stage, lang) })),
            { stage: report.stage },
          );
        }
        const pending = reportMembers(committee).some(
          (m) => m.codename === input.codename && !report.signatures.some((s) => s.codename === m.codename) && !report.refusalsToSign.some((r) => r.codename === m.codename),
        );
        if (!pending) throw new ReportApiError('BAD_INPUT', messagePair('reportRecord.act.unsignedMember', { codename: input.codename }), { codename: input.codename });
        return entry(REPORT_EVENTS.unsignedRecorded, date, project, { codename: input.codename, headSha256: report.head.sha256, operator: input.operator, why: input.why });
      });
      await this.advanceNow(date, project);
      return (await this.requireReport(date, project)).report;
    });
  }

  signAsSupervisor(date: string, project: string, input: { signer: Signer; signerName: string; operator: string }): Promise<ReportState> {
    return this.serial(date, project, async () => {
      const { report } = await this.requireReport(date, project);
      if (report.stage !== 'supervisor') throw this.notForSupervisor(report);
      const trustList = this.deps.trustList();
      if (trustList === null) throw new ReportApiError('REPORT_NOT_READY', messagePair('reportRecord.act.supervisorNoTrust'));
      const head = await this.headBytes(report);
      const signingTime = new Date(Math.floor(this.deps.now() / 1000) * 1000);
      const made = await signAtCentre(head, { signer: input.signer, signerName: input.signerName, fieldName: SUPERVISOR_FIELD, signingTime, trustList });
      if (!made.check.ok) {
        const code = made.check.reason === 'certificate_rejected' ? 'CERT_REJECTED' : 'SIGNING_FAILED';
        throw new ReportApiError(code, withProblem('reportRecord.act.supervisorInvalid', made.check.problem), { reason: made.check.reason });
      }
      const headAfter = made.signed === null ? null : { sha256: sha256Hex(made.signed), bytes: made.signed.length };
      if (made.signed !== null) await this.put({ date, project, sha256: headAfter!.sha256, kind: 'signed', bytes: made.signed });
      else await this.put({ date, project, sha256: sha256Hex(made.cms), kind: 'signature-cms', bytes: made.cms });
      await appendToLedger(this.ledgerDeps(), async () => {
        const now = (await this.requireReport(date, project)).report;
        if (now.stage !== 'supervisor') throw this.notForSupervisor(now);
        if (now.head?.sha256 !== report.head!.sha256) throw new ReportApiError('REPORT_CHANGED', messagePair('reportRecord.replay.headDiffers', { seq: now.version }));
        return entry(REPORT_EVENTS.supervisorSigned, date, project, {
          headSha256: report.head!.sha256,
          format: made.format,
          fieldName: SUPERVISOR_FIELD,
          signingTime: signingTime.toISOString(),
          signerName: input.signerName,
          cms: bytesBase64(made.cms),
          headAfter,
          operator: input.operator,
        });
      });
      await this.advanceNow(date, project);
      return (await this.requireReport(date, project)).report;
    });
  }

  async file(sha256: string): Promise<Uint8Array | null> {
    return (await this.deps.store.getReportFile(sha256))?.bytes ?? null;
  }

  async fileForDevice(deviceId: string, sha256: string): Promise<Uint8Array | null> {
    if (!/^[0-9a-f]{64}$/.test(sha256)) return null;
    const file = await this.deps.store.getReportFile(sha256);
    if (file === null || !DEVICE_KINDS.has(file.kind)) return null;
    const loaded = await this.load(file.date, file.project);
    const seated = loaded?.committee.members.some((m) => m.active && m.device === deviceId) ?? false;
    return seated ? file.bytes : null;
  }

  async idle(): Promise<void> {
    while (this.queues.size > 0) await Promise.all([...this.queues.values()]);
  }

  // ── judging booth report events (called inside the committee's appendToLedger) ───────────────

  async judgeBoothEvent(record: ReportJudging, event: BoothEventRecord): Promise<LedgerAppend> {
    const { committee } = record;
    const { date, project } = committee.opened;
    const report = replayReport(committee, record.entries, record.lookup);
    const verdict = judgeReportEvent(committee, report, event);
    const base = { date, project, device: event.device, seq: event.seq, hash: event.hash, type: event.type, codename: verdict.codename };
    const refused = (reason: string, detail: string): LedgerAppend => entry(REPORT_EVENTS.refused, date, project, { ...base, reason, detail: detail.slice(0, 500) });
    if (!verdict.accept) return refused(verdict.reason, verdict.detail);
    const accepted = (headAfter: { sha256: string; bytes: number } | null): LedgerAppend => entry(REPORT_EVENTS.accepted, date, project, { ...base, headAfter });
    const refusedFor = (check: Extract<SignatureCheck, { ok: false }>) => refused(check.reason, detailOf(check.problem));

    switch (event.type) {
      case REPORT_BOOTH_EVENTS.dissent: {
        const check = await checkDissentSignature(reportDissentPayloadSchema.parse(event.payload), this.deps.trustList());
        if (check !== null && !check.ok) return refusedFor(check);
        return accepted(null);
      }
      case REPORT_BOOTH_EVENTS.signed: {
        const payload = reportSignedPayloadSchema.parse(event.payload);
        const head = await this.headBytes(report!);
        const check = await checkMemberSignature(head, payload, this.deps.trustList());
        if (!check.ok) return refusedFor(check);
        if (check.signed === null) {
          await this.put({ date, project, sha256: sha256Hex(check.cms), kind: 'signature-cms', bytes: check.cms });
          return accepted(null);
        }
        const sha256 = sha256Hex(check.signed);
        // Stored before the ledger names it: a head the ledger names always exists.
        await this.put({ date, project, sha256, kind: 'signed', bytes: check.signed });
        return accepted({ sha256, bytes: check.signed.length });
      }
      default:
        return accepted(null);
    }
  }

  // ── advancing ────────────────────────────────────────────────────────────────────────────────

  private async advanceNow(date: string, project: string): Promise<void> {
    let loaded = await this.load(date, project);
    for (let step = 0; step < MAX_STEPS && loaded?.report; step++) {
      const due = this.due(loaded.committee, loaded.report);
      if (due === null) break;
      const appended = await this.perform(due, loaded.committee, loaded.report);
      if (!appended) break;
      loaded = await this.load(date, project);
    }
    if (loaded?.report) await this.sendViews(loaded.committee, loaded.report);
  }

  private due(committee: CommitteeState, report: ReportState): Due | null {
    if (report.draft === null) return 'draft';
    if (report.final === null) return report.stage === 'dissent' && dissentWindowClosed(committee, report) ? 'final' : null;
    if (!report.annexes.some((a) => a.kind === 'identities')) return 'identities';
    if (report.stage === 'signed' && committee.opened.blind && !report.annexes.some((a) => a.kind === 'unblinding')) {
      // Without the bidders' names there is nothing to unblind: said once, not retried on every pass.
      return this.material(committee).bidders.length > 0 ? 'unblinding' : (this.logOnce(`${key(report)}:names`, messagePair('reportRecord.problem.noBidderNames', { project: report.project })), null);
    }
    return null;
  }

  /** Renders and records one due step; false when it could not (logged) or another process did it first. */
  private async perform(due: Due, committee: CommitteeState, report: ReportState): Promise<boolean> {
    const { date, project } = report;
    const renderedAt = this.deps.now();
    const material = this.material(committee);
    try {
      if (due === 'draft' || due === 'final') {
        const dissents =
          due === 'final'
            ? report.dissents.flatMap((d) => (d.text === null ? [] : [{ codename: d.codename, judge: d.judge, text: d.text, signedAt: d.signedAt ?? renderedAt }]))
            : [];
        const pdf = await renderReport({ state: committee, material, kind: due, dissents, renderedAt });
        const sha256 = sha256Hex(pdf);
        await this.put({ date, project, sha256, kind: due, bytes: pdf });
        return await this.appendIfDue(due, date, project, () =>
          entry(REPORT_EVENTS.rendered, date, project, { kind: due, sha256, bytes: pdf.length, resultsSha256: report.resultsSha256, renderedAt, renderer: REPORT_RENDERER_VERSION }),
        );
      }
      const seal = await this.deps.seal(material.centreName);
      const made: AnnexMade =
        due === 'identities'
          ? await makeIdentityAnnex({
              committee,
              material,
              reportSha256: report.final!.sha256,
              renderedAt,
              seal,
              expertName: this.deps.expertName ?? (() => null),
              recipients: this.deps.supervisionCertificates ?? [],
            })
          : await makeUnblindingAnnex({ committee, material, reportSha256: report.head!.sha256, renderedAt, seal });
      for (const file of made.files) await this.put(file);
      return await this.appendIfDue(due, date, project, () => entry(REPORT_EVENTS.annexed, date, project, { ...made.entry }));
    } catch (error) {
      this.logOnce(`${key(report)}:${due}:${report.version}`, withProblem('reportRecord.problem.renderFailed', errorPair(error)), error);
      return false;
    }
  }

  /** Appends the step's entry unless the newest state no longer needs it (another process did it). */
  private async appendIfDue(due: Due, date: string, project: string, make: () => LedgerAppend): Promise<boolean> {
    const appended = await appendToLedger(this.ledgerDeps(), async () => {
      const now = await this.load(date, project);
      if (!now?.report || this.due(now.committee, now.report) !== due) return null;
      return make();
    });
    return appended !== null;
  }

  private async sendViews(committee: CommitteeState, report: ReportState): Promise<void> {
    const k = key(report);
    if (this.sent.get(k) === report.version) return;
    const messageDeps = { store: this.deps.store, privateKey: this.deps.privateKey, now: this.deps.now, ...(this.deps.notify ? { notify: this.deps.notify } : {}) };
    for (const [device, view] of reportBoothViews(committee, report)) {
      try {
        await createDownstreamMessage(messageDeps, { deviceId: device, type: REPORT_BOOTH_MESSAGE, payload: JSON.parse(JSON.stringify(view)) as Record<string, never> });
      } catch (error) {
        this.deps.log?.error({ err: error, device, date: report.date, project: report.project }, 'report: the report view could not be sent to a booth');
      }
    }
    this.sent.set(k, report.version);
  }

  // ── plumbing ─────────────────────────────────────────────────────────────────────────────────

  /** The project's material; without one, what the record says (code as title, no bidder names), said once. */
  private material(committee: CommitteeState): ReportMaterial {
    const { date, project, blind } = committee.opened;
    const fallback: ReportMaterial = {
      title: project,
      category: 'procurement',
      blind,
      centreName: translate('zh-CN', 'reportCli.material.defaultCentre'),
      bidders: [],
    };
    if (this.deps.dataDir === null) return fallback;
    try {
      const material = readReportMaterial(this.deps.dataDir, date, project);
      if (material !== null) return material;
      this.logOnce(`${date}/${project}:material`, messagePair('reportRecord.problem.noMaterial', { date, project, file: `${date}-${project}.report.json` }));
    } catch (error) {
      this.logOnce(`${date}/${project}:material`, messagePair('reportRecord.problem.noMaterial', { date, project, file: (error as Error).message.slice(0, 300) }), error);
    }
    return fallback;
  }

  private logOnce(what: string, pair: MessagePair, error?: unknown): void {
    if (this.logged.has(what)) return;
    this.logged.add(what);
    this.deps.log?.warn({ ...(error === undefined ? {} : { err: error }) }, `report: ${pairLine(pair)}`);
  }

  private load(date: string, project: string): Promise<ProjectRecord | null> {
    return loadProjectRecord(this.deps.store, date, project, this.cache);
  }

  private async requireReport(date: string, project: string): Promise<ProjectRecord & { report: ReportState }> {
    const loaded = await this.load(date, project);
    if (!loaded?.report || loaded.report.draft === null) {
      throw new ReportApiError('REPORT_NOT_READY', messagePair('reportRecord.act.noReport', { date, project }), { date, project });
    }
    return loaded as ProjectRecord & { report: ReportState };
  }

  private notForSupervisor(report: ReportState): ReportApiError {
    return new ReportApiError(
      'REPORT_NOT_READY',
      messagePairBy('reportRecord.act.supervisorStage', (lang) => ({ stage: reportStageName(report.stage, lang) })),
      { stage: report.stage },
    );
  }

  private async headBytes(report: ReportState): Promise<Uint8Array> {
    const head = report.head;
    const file = head === null ? null : await this.deps.store.getReportFile(head.sha256);
    // A head the ledger names is stored before it is named: missing means the database lost it.
    if (file === null) throw new ReportApiError('INTERNAL', messagePair('reportRecord.refusal.headMissing', { sha256: head?.sha256 ?? '' }));
    return file.bytes;
  }

  private put(file: NewReportFile): Promise<void> {
    return this.deps.store.putReportFile(file);
  }

  private ledgerDeps() {
    return { store: this.deps.store, privateKey: this.deps.privateKey, centralId: this.deps.centralId, now: this.deps.now };
  }

  /** Runs `work` after everything queued before it for the same project (in this process). */
  private serial<T>(date: string, project: string, work: () => Promise<T>): Promise<T> {
    const k = `${date}/${project}`;
    const before = this.queues.get(k) ?? Promise.resolve();
    const run = before.then(work, work);
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.queues.set(k, settled);
    void settled.then(() => {
      if (this.queues.get(k) === settled) this.queues.delete(k);
    });
    return run;
  }
}

export function createReportService(deps: ReportServiceDeps): CentralReportService {
  return new CentralReportService(deps);
}

function key(report: { date: string; project: string }): string {
  return `${report.date}/${report.project}`;
}

function entry(type: string, date: string, project: string, fields: Record<string, unknown>): LedgerAppend {
  return { type, date, project, payload: { date, project, ...fields } };
}
