import { reportViewSchema, type ReportView } from '@kawei/shared/contract/booth-report.ts';
import { reviewViewSchema, type ReviewView } from '@kawei/shared/contract/booth-review.ts';
import type { ReportBoothPayload } from '@kawei/shared/report/report-view.ts';

/*
 * The report views the renderer's tests draw (renderer-report.test.ts: the pure view rules;
 * renderer-report-screens.test.ts: the screens as HTML): the member HK-37 (评委1, the chair) of P1
 * on 2026-12-07, every view parsed through the contract's schema so it is one the services could send.
 */

export const DRAFT = 'd'.repeat(64);
export const HEAD = `1a2b3c4d${'e'.repeat(48)}99887766`;

type Pdf = { sha256: string; bytes: number };

export interface ReportFixtures {
  payload: (over?: Partial<ReportBoothPayload>) => ReportBoothPayload;
  /** The dissent step, the draft on screen, unless `over` says otherwise. */
  view: (over?: Partial<ReportView>) => ReportView;
  /** HK-37's turn to sign, the head on screen. */
  signing: (over?: Partial<ReportView>, report?: Partial<ReportBoothPayload>) => ReportView;
}

/** Fixtures for a committee of `members`, whose signing stage has the `final` PDF and the `head` so far. */
export function reportFixtures(o: { members: ReportBoothPayload['members']; final: Pdf; head: Pdf }): ReportFixtures {
  const payload = (over: Partial<ReportBoothPayload> = {}): ReportBoothPayload => ({
    date: '2026-12-07',
    project: 'P1',
    codename: 'HK-37',
    version: 5,
    stage: 'dissent',
    draft: { sha256: DRAFT, bytes: 120_000 },
    final: null,
    head: null,
    members: o.members,
    turn: null,
    fieldName: 'kawei-judge-1',
    ...over,
  });
  const view = (over: Partial<ReportView> = {}): ReportView =>
    reportViewSchema.parse({
      step: 'dissent',
      stage: 'dissent',
      report: payload(),
      shown: { sha256: DRAFT, bytes: 120_000, pages: 12, kind: 'draft' },
      download: null,
      myDissent: null,
      mySignature: null,
      turn: null,
      problem: null,
      offline: false,
      ...over,
    });
  const signing = (over: Partial<ReportView> = {}, report: Partial<ReportBoothPayload> = {}): ReportView =>
    view({
      step: 'sign',
      stage: 'signing',
      report: payload({ stage: 'signing', final: o.final, head: o.head, turn: 'HK-37', ...report }),
      shown: { ...o.head, pages: 13, kind: 'head' },
      turn: 'HK-37',
      ...over,
    });
  return { payload, view, signing };
}

/** The review once the committee's results are final (the report's stage follows it), unless `over` says otherwise. */
export function finalReview(over: Partial<ReviewView> = {}): ReviewView {
  return reviewViewSchema.parse({
    method: 'comprehensive',
    rules: { preliminary: [{ id: 'q1', name: '营业执照', kind: 'qualification' }], groups: [], items: [], price: null, settings: {} },
    bids: [{ code: 'A', price: 100000 }],
    step: 'final',
    preliminary: null,
    committee: null,
    chairVote: null,
    isChair: false,
    waitingFor: [],
    offline: false,
    ...over,
  });
}
