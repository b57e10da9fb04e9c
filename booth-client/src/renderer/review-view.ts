import type { ReviewStep, ReviewView } from '@kawei/shared/contract/booth-review.ts';
import type { CommitteeBoothPayload, RecheckReason, ResultRow } from '@kawei/shared/committee/committee-events.ts';
import { RECHECK_REASONS } from '@kawei/shared/committee/committee-events.ts';
import type { EvaluationMethod } from '@kawei/shared/committee/evaluation-rules.ts';
import type { Translate } from '@kawei/shared/i18n/messages.ts';

/*
 * The review screens' pure half (issue #13): the stepper, what a waiting step waits for, the chair
 * vote and the chair's steps, the committee's flags, the preliminary review's cells and the results
 * table. No React, no DOM: tested under Node (booth-client/test/renderer-review.test.ts).
 */

// ── stepper ──────────────────────────────────────────────────────────────────

/** The stages the stepper shows, in order; a method shows only those it has. */
export const REVIEW_STAGES = ['preliminary', 'detailed', 'sign', 'results'] as const;
export type ReviewStage = (typeof REVIEW_STAGES)[number];

type MethodView = Pick<ReviewView, 'method' | 'rules'>;

/**
 * 综合评分法: preliminary review (when the rules list items) → detailed review → sign → results.
 * 经评审的最低投标价法 without scoring items: preliminary review → results (bids are ranked by price).
 */
export function reviewStages(view: MethodView): ReviewStage[] {
  const stages: ReviewStage[] = [];
  if (view.rules.preliminary.length > 0) stages.push('preliminary');
  if (view.method === 'comprehensive' || view.rules.items.length > 0) stages.push('detailed', 'sign');
  stages.push('results');
  return stages;
}

export type StepStatus = 'process' | 'wait' | 'finish';

const STEP_STAGE: Record<ReviewStep, { stage: ReviewStage; status: StepStatus }> = {
  preliminary: { stage: 'preliminary', status: 'process' },
  wait_preliminary: { stage: 'preliminary', status: 'wait' },
  detailed: { stage: 'detailed', status: 'process' },
  wait_results: { stage: 'sign', status: 'wait' },
  results: { stage: 'results', status: 'process' },
  final: { stage: 'results', status: 'finish' },
};

export interface StepperState {
  readonly stages: ReviewStage[];
  /** Index into `stages`. */
  readonly current: number;
  readonly status: StepStatus;
}

/** Which stage is current and whether the expert works on it or waits; a stage the method lacks falls to the next one it has. */
export function stepperState(view: MethodView & Pick<ReviewView, 'step'>): StepperState {
  const stages = reviewStages(view);
  const { stage, status } = STEP_STAGE[view.step];
  const wanted = REVIEW_STAGES.indexOf(stage);
  let current = stages.findIndex((s) => REVIEW_STAGES.indexOf(s) >= wanted);
  if (current < 0) current = stages.length - 1;
  return { stages, current, status };
}

// ── waiting ──────────────────────────────────────────────────────────────────

type WaitView = Pick<ReviewView, 'step' | 'waitingFor' | 'committee' | 'isChair' | 'rules'>;

export function joinNames(names: readonly string[], t: Translate): string {
  return names.join(t('review.sep'));
}

/**
 * What a waiting step waits for, in words, naming the members by code name; null while the expert
 * has work of their own (preliminary, detailed) or when nothing is left to wait for.
 */
export function waitingText(view: WaitView, t: Translate): string | null {
  const names = joinNames(view.waitingFor, t);
  const committee = view.committee;
  const chair = committee?.chair ?? null;
  switch (view.step) {
    case 'preliminary':
    case 'detailed':
      return null;
    case 'wait_preliminary':
      // While the committee is in the preliminary stage `waitingFor` names the members still
      // reviewing; after it, the chair (or the voters): that is said from the chair's side.
      if (!committee || committee.stage === 'preliminary') {
        return view.waitingFor.length > 0 ? t('review.wait.preliminary', { names }) : t('review.wait.central');
      }
      if (committee.stage !== 'preliminary_done') return t('review.wait.central');
      if (view.isChair) return t('review.wait.youStart');
      if (chair) return t('review.wait.chairStart', { chair });
      if (view.rules.settings.chair === 'centre') return t('review.wait.chairCentre');
      return t('review.wait.chairVote', { votes: committee.chairVotes, total: committee.members.length });
    case 'wait_results':
      if (committee?.stage === 'blocked') {
        if (view.isChair) return t('review.wait.blockedChair');
        return chair ? t('review.wait.blocked', { chair }) : t('review.wait.blockedNoChair');
      }
      if (committee?.stage === 'recheck' && view.waitingFor.length > 0) return t('review.wait.recheck', { names });
      if (view.waitingFor.length > 0) return t('review.wait.sheets', { names });
      return t('review.wait.aggregate');
    case 'results':
      if (view.isChair) return t('review.wait.youConfirm');
      return chair ? t('review.wait.chairConfirm', { chair }) : t('review.wait.confirmNoChair');
    case 'final':
      return t('review.wait.final');
  }
}

// ── the chair ────────────────────────────────────────────────────────────────

export type ChairVoteState = 'named' | 'centre' | 'voted' | 'open';

/** Where the choice of the chair stands for this booth. */
export function chairVoteState(view: Pick<ReviewView, 'committee' | 'chairVote' | 'rules'>): ChairVoteState {
  if (view.committee?.chair) return 'named';
  if (view.rules.settings.chair === 'centre') return 'centre';
  return view.chairVote ? 'voted' : 'open';
}

export interface ChairActions {
  readonly startDetailed: boolean;
  readonly recheck: boolean;
  readonly confirm: boolean;
}

const NO_ACTIONS: ChairActions = { startDetailed: false, recheck: false, confirm: false };

/**
 * The chair's steps open now. Offline: none — a chair step acts on what the central last said, and
 * the badge tells the chair to wait for it.
 */
export function chairActions(view: Pick<ReviewView, 'isChair' | 'offline' | 'committee'>): ChairActions {
  const committee = view.committee;
  if (!view.isChair || view.offline || !committee) return NO_ACTIONS;
  const stage = committee.stage;
  return {
    startDetailed: stage === 'preliminary_done',
    // Once every sheet is in: aggregation refused (blocked), results to check, or more re-checks.
    recheck: stage === 'blocked' || stage === 'recheck' || stage === 'results',
    confirm: stage === 'results' && committee.results !== null,
  };
}

// ── flags ────────────────────────────────────────────────────────────────────

type Flag = CommitteeBoothPayload['flags'][number];

export interface FlagLine {
  readonly flag: Flag;
  /** 客观分不一致 … */
  readonly title: string;
  /** 投标人 B · 2.1 技术方案 · 评委2 */
  readonly where: string;
  /** Prefill of a re-check for the chair: the member behind the flag's judge, the reason, the cell. */
  readonly recheck: { codename: string; reason: RecheckReason; cells: { bid: string; item: string }[] } | null;
}

function isRecheckReason(kind: string): kind is RecheckReason {
  return (RECHECK_REASONS as readonly string[]).includes(kind);
}

/** Item names by id, preliminary items and scoring items both. */
export function itemNames(rules: ReviewView['rules']): Map<string, string> {
  const names = new Map<string, string>();
  for (const item of rules.preliminary) names.set(item.id, item.name);
  for (const item of rules.items) names.set(item.id, item.name);
  return names;
}

/** The committee's flags in the expert's words, with who to send back when the flag names a judge. */
export function flagLines(view: Pick<ReviewView, 'committee' | 'rules'>, t: Translate): FlagLine[] {
  const committee = view.committee;
  if (!committee) return [];
  const names = itemNames(view.rules);
  return committee.flags.map((flag) => {
    const kind = isRecheckReason(flag.kind) && flag.kind !== 'other' ? flag.kind : null;
    const where: string[] = [];
    if (flag.bid) where.push(t('review.flag.where.bid', { bid: flag.bid }));
    if (flag.item) where.push(t('review.flag.where.item', { item: names.get(flag.item) ?? flag.item }));
    if (flag.judge) where.push(t('review.flag.where.judge', { judge: flag.judge }));
    const member = flag.judge ? committee.members.find((m) => m.judge === flag.judge) : undefined;
    return {
      flag,
      title: kind ? t(`review.flag.${kind}`) : t('review.flag.other'),
      where: where.join(' · '),
      recheck: member
        ? { codename: member.codename, reason: kind ?? 'other', cells: flag.bid && flag.item ? [{ bid: flag.bid, item: flag.item }] : [] }
        : null,
    };
  });
}

// ── preliminary review ───────────────────────────────────────────────────────

type Preliminary = NonNullable<ReviewView['preliminary']>;
export type PreliminaryProblem = Preliminary['problems'][number]['problem'];
export interface Verdict {
  readonly pass: boolean | null;
  readonly reason: string;
}

export function prelimKey(bid: string, item: string): string {
  return `${bid}\u0000${item}`;
}

export function verdictOf(sheet: Preliminary | null, bid: string, item: string): Verdict {
  return sheet?.verdicts[bid]?.[item] ?? { pass: null, reason: '' };
}

/** How far one bid's preliminary review is: decided items of all, and how many failed. */
export function bidProgress(sheet: Preliminary | null, bid: string, items: readonly { id: string }[]): { done: number; total: number; failed: number } {
  let done = 0;
  let failed = 0;
  for (const item of items) {
    const { pass } = verdictOf(sheet, bid, item.id);
    if (pass !== null) done++;
    if (pass === false) failed++;
  }
  return { done, total: items.length, failed };
}

/**
 * What still blocks the preliminary review, in screen order (bid by bid, item by item): the
 * services' list, plus what the screen already knows — a verdict not yet decided, a fail without a
 * reason — so the check is right even before the next save answers.
 */
export function preliminaryProblems(
  sheet: Preliminary | null,
  bids: readonly string[],
  items: readonly { id: string }[],
): { bid: string; item: string; problem: PreliminaryProblem }[] {
  const fromServices = new Map<string, PreliminaryProblem>();
  for (const p of sheet?.problems ?? []) fromServices.set(prelimKey(p.bid, p.item), p.problem);
  const out: { bid: string; item: string; problem: PreliminaryProblem }[] = [];
  for (const bid of bids) {
    for (const item of items) {
      const verdict = verdictOf(sheet, bid, item.id);
      const problem: PreliminaryProblem | undefined =
        verdict.pass === null ? 'missing' : verdict.pass === false && verdict.reason.trim() === '' ? 'reason_required' : fromServices.get(prelimKey(bid, item.id));
      if (problem) out.push({ bid, item: item.id, problem });
    }
  }
  return out;
}

// ── results ──────────────────────────────────────────────────────────────────

export type ResultColumn = 'bid' | `judge:${number}` | 'expertScore' | 'priceScore' | 'score' | 'price' | 'evaluatedPrice' | 'rank';

export interface ResultTableRow {
  readonly bid: string;
  readonly cells: Readonly<Partial<Record<ResultColumn, string>>>;
  readonly rank: number;
  readonly tied: boolean;
  readonly recommended: boolean;
}

export interface ResultTable {
  readonly columns: ResultColumn[];
  /** The column headings of the judges (评委1…n), in the column order. */
  readonly judges: string[];
  readonly rows: ResultTableRow[];
}

export function formatPoints(value: number | null, decimals: number): string {
  return value === null ? '—' : value.toFixed(decimals);
}

export function formatYuan(value: number): string {
  return value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

/**
 * The results as a table: bids by code down (best rank first, a tie in code order), the judges'
 * totals, the experts' score, the price score and the total across (综合评分法), or the bid and
 * evaluated prices (经评审的最低投标价法).
 */
export function resultTable(results: NonNullable<CommitteeBoothPayload['results']>, method: EvaluationMethod, decimals: number): ResultTable {
  const judgeColumns = method === 'comprehensive' ? results.judges.map((_, i): ResultColumn => `judge:${i}`) : [];
  const columns: ResultColumn[] =
    method === 'comprehensive'
      ? ['rank', 'bid', ...judgeColumns, 'expertScore', 'priceScore', 'score']
      : ['rank', 'bid', 'price', 'evaluatedPrice'];
  const sorted = [...results.rows].sort((a, b) => a.rank - b.rank || a.bid.localeCompare(b.bid));
  return {
    columns,
    judges: method === 'comprehensive' ? [...results.judges] : [],
    rows: sorted.map((row) => ({ bid: row.bid, rank: row.rank, tied: row.tied, recommended: row.recommended, cells: rowCells(row, method, decimals) })),
  };
}

function rowCells(row: ResultRow, method: EvaluationMethod, decimals: number): Partial<Record<ResultColumn, string>> {
  const cells: Partial<Record<ResultColumn, string>> = { bid: row.bid, rank: String(row.rank) };
  if (method === 'comprehensive') {
    row.totals.forEach((total, i) => (cells[`judge:${i}`] = formatPoints(total, decimals)));
    cells.expertScore = formatPoints(row.expertScore, decimals);
    cells.priceScore = formatPoints(row.priceScore, decimals);
    cells.score = formatPoints(row.score, decimals);
  } else {
    cells.price = formatYuan(row.price);
    cells.evaluatedPrice = formatYuan(row.evaluatedPrice);
  }
  return cells;
}
