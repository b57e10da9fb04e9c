/**
 * Synthetic reports for the report-state tests: a committee driven to confirmed results with the
 * committee fixtures, then `reportRun` plays the central's loop over the report's entries — render,
 * judge each booth report event against the state, append report.accepted / report.refused, apply.
 * Signatures are fake (the pure state does not check CMS); a PAdES signature's new head is a hash of
 * the head and the signer, as the service's rebuilt PDF would be.
 */
import { REPORT_BOOTH_EVENTS, REPORT_EVENTS, judgeFieldName, type ReportSignatureFormat } from '@kawei/shared/report/report-events.ts';
import { canonicalJson } from '@kawei/shared/sync/canonical-json.ts';
import type { BoothEventRecord, CommitteeState, LedgerEntry } from '../../src/committee/committee-types.ts';
import { judgeReportEvent, type ReportEventJudgement } from '../../src/report/judge-report-event.ts';
import { replayReport } from '../../src/report/report-reducer.ts';
import type { ReportState } from '../../src/report/report-types.ts';
import { committeeRun, COMPREHENSIVE, DATE, openedPayload, PROJECT, scoresFor, sha, withRules, type CommitteeRun } from '../committee/committee-fixtures.ts';

export { DATE, PROJECT, sha };

const CMS = 'MIIBAAAAAAAAAAAAAAAA';

/** A committee of n (no preliminary review, chair by the centre) driven to confirmed results; `before` runs first (a replacement, say). */
export function finalCommittee(n = 3, before: (run: CommitteeRun) => void = () => undefined): CommitteeRun {
  const rules = withRules(COMPREHENSIVE, { preliminary: [] }, { chair: 'centre' });
  const run = committeeRun(openedPayload({ rules, members: n }));
  before(run);
  const seated = run.state.members.filter((m) => m.active);
  const chair = seated[0]!.codename;
  const named = run.act({ kind: 'name_chair', codename: chair, operator: 'op', why: 'test' });
  if (!named.ok) throw new Error(named.message.en);
  for (const [i, m] of seated.entries()) {
    const judged = run.sheet(m.codename, scoresFor(run.state.passed, i));
    if (!judged.accept) throw new Error(`${m.codename}: ${judged.reason} ${judged.detail}`);
  }
  const confirmed = run.step(chair, { step: 'confirm_results', resultsSha256: run.state.resultsSha256 });
  if (!confirmed.accept || run.state.stage !== 'final') throw new Error(`not final: ${run.state.stage}`);
  return run;
}

export function dissentPayload(codename: string, draftSha256: string, text: string | null, change: Record<string, unknown> = {}): Record<string, unknown> {
  if (text === null) return { date: DATE, project: PROJECT, codename, draftSha256, dissent: null, ...change };
  const document = { kind: 'kawei.report-dissent', version: 1, date: DATE, project: PROJECT, codename, draftSha256, text };
  const content = canonicalJson(document);
  return {
    date: DATE,
    project: PROJECT,
    codename,
    draftSha256,
    dissent: {
      document,
      signed: { kind: 'report-dissent', content, contentSha256: sha(content), cms: CMS, signer: { subject: 'CN=t', issuer: 'CN=ca', serial: '01' }, signedAt: '2026-12-07T10:00:00.000Z' },
    },
    ...change,
  };
}

export function signedPayload(codename: string, judge: number, headSha256: string, change: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    date: DATE,
    project: PROJECT,
    codename,
    headSha256,
    format: 'pades' satisfies ReportSignatureFormat,
    fieldName: judgeFieldName(judge),
    signingTime: '2026-12-07T11:00:00.000Z',
    signerName: codename,
    cms: CMS,
    ...change,
  };
}

export function signRefusedPayload(codename: string, headSha256: string, reason = 'the ranking is wrong'): Record<string, unknown> {
  return { date: DATE, project: PROJECT, codename, headSha256, reason };
}

/** The central's loop over a report: entries after the committee's, each booth event judged then recorded. */
export function reportRun(run: CommitteeRun) {
  const committee: CommitteeState = run.state;
  const entries: LedgerEntry[] = [...run.entries];
  const events = new Map<string, BoothEventRecord>();
  const deviceSeq = new Map<string, number>();
  const lookup = (device: string, seq: number): BoothEventRecord | undefined => events.get(`${device}#${seq}`) ?? run.lookup(device, seq);
  let state: ReportState | null = replayReport(committee, entries, lookup);

  function append(type: string, payload: Record<string, unknown>): void {
    entries.push({ seq: entries.length + 1, type, payload, at: entries.length + 1 });
    state = replayReport(committee, entries, lookup);
  }

  function record(device: string, type: string, payload: unknown): BoothEventRecord {
    // Device seqs above the committee's own events (the booth's chain goes on).
    const seq = (deviceSeq.get(device) ?? 100) + 1;
    deviceSeq.set(device, seq);
    const event: BoothEventRecord = { device, seq, hash: sha(`${device}#${seq}#${canonicalJson(payload)}`), type, payload };
    events.set(`${device}#${seq}`, event);
    return event;
  }

  function booth(device: string, type: string, payload: Record<string, unknown>): ReportEventJudgement {
    const event = record(device, type, payload);
    const judged = judgeReportEvent(committee, state, event);
    const ref = { date: DATE, project: PROJECT, device, seq: event.seq, hash: event.hash, type, codename: judged.codename };
    if (judged.accept) {
      const pades = type === REPORT_BOOTH_EVENTS.signed && payload['format'] === 'pades';
      const headAfter = pades ? { sha256: sha(`${String(payload['headSha256'])}+${String(payload['codename'])}`), bytes: 2000 + entries.length } : null;
      append(REPORT_EVENTS.accepted, { ...ref, headAfter });
    } else append(REPORT_EVENTS.refused, { ...ref, reason: judged.reason, detail: judged.detail });
    return judged;
  }

  const member = (codename: string) => {
    const found = committee.members.find((m) => m.codename === codename);
    if (found === undefined) throw new Error(`no member ${codename}`);
    return found;
  };
  const rendered = (kind: 'draft' | 'final', pdf = sha(`${kind}-pdf`)) =>
    append(REPORT_EVENTS.rendered, { date: DATE, project: PROJECT, kind, sha256: pdf, bytes: 1000, resultsSha256: committee.confirmed!.resultsSha256, renderedAt: 5, renderer: 'kawei-report-1' });

  return {
    committee,
    entries,
    lookup,
    get state(): ReportState | null {
      return state;
    },
    get current(): ReportState {
      if (state === null) throw new Error('no report');
      return state;
    },
    append,
    booth,
    rendered,
    member,
    dissent: (codename: string, text: string | null, draft?: string) =>
      booth(member(codename).device, REPORT_BOOTH_EVENTS.dissent, dissentPayload(codename, draft ?? state!.draft!.sha256, text)),
    sign: (codename: string, change: Record<string, unknown> = {}) =>
      booth(member(codename).device, REPORT_BOOTH_EVENTS.signed, signedPayload(codename, member(codename).judge, state!.head?.sha256 ?? 'a'.repeat(64), change)),
    refuseToSign: (codename: string, reason?: string) => booth(member(codename).device, REPORT_BOOTH_EVENTS.signRefused, signRefusedPayload(codename, state!.head?.sha256 ?? 'a'.repeat(64), reason)),
    closeDissent: (why = 'the window is over') =>
      append(REPORT_EVENTS.dissentClosed, { date: DATE, project: PROJECT, draftSha256: state!.draft!.sha256, operator: 'op', why }),
    supervisor: (format: ReportSignatureFormat = 'pades') => {
      const head = state!.head!.sha256;
      append(REPORT_EVENTS.supervisorSigned, {
        date: DATE,
        project: PROJECT,
        headSha256: head,
        format,
        fieldName: 'kawei-supervisor',
        signingTime: '2026-12-07T12:00:00.000Z',
        signerName: 'Supervisor',
        cms: CMS,
        headAfter: format === 'pades' ? { sha256: sha(`${head}+supervisor`), bytes: 9000 } : null,
        operator: 'op',
      });
    },
    annex: (kind: 'unblinding' | 'identities') =>
      append(REPORT_EVENTS.annexed, { date: DATE, project: PROJECT, kind, sha256: sha(`annex-${kind}`), bytes: 500, cmsSha256: sha(`cms-${kind}`), sealedFor: [], envelopeSha256: null }),
  };
}
export type ReportRun = ReturnType<typeof reportRun>;

export function outcome(judged: ReportEventJudgement): string {
  return judged.accept ? 'accepted' : judged.reason;
}
