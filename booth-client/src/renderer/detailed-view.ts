import type { ScoreSheet } from '@kawei/shared/contract/booth-session.ts';
import type { PriceRule, ScoringGroup } from '@kawei/shared/committee/evaluation-rules.ts';
import type { Translate } from '@kawei/shared/i18n/messages.ts';
import { cellKey, parseScore, SCORE_STEP, type ParsedScore } from './booth-view.ts';

/*
 * The detailed review's pure half: the score sheet's items grouped as the rules group them,
 * objective options and subjective tiers, the computed price group, and the re-check banner. Tested
 * in booth-client/test/renderer-review.test.ts.
 */

export type Criterion = ScoreSheet['criteria'][number];
export type Tier = NonNullable<Criterion['tiers']>[number];

export interface CriterionGroup {
  /** The group's id; null for items without one (a plain `criteria` project). */
  readonly id: string | null;
  readonly name: string | null;
  readonly criteria: Criterion[];
  /** The sum of the group's item maxima. */
  readonly max: number;
}

/**
 * The sheet's items by group, in the rules' group order, items in sheet order within a group; items
 * of a group the rules do not name come after, under their id; items without a group last, unnamed.
 * A sheet without any group is one unnamed group (today's plain criteria: no headings shown).
 */
export function groupCriteria(criteria: readonly Criterion[], groups: readonly ScoringGroup[]): CriterionGroup[] {
  const byGroup = new Map<string | null, Criterion[]>();
  for (const c of criteria) {
    const id = c.group ?? null;
    byGroup.set(id, [...(byGroup.get(id) ?? []), c]);
  }
  const order: (string | null)[] = [
    ...groups.map((g) => g.id).filter((id) => byGroup.has(id)),
    ...[...byGroup.keys()].filter((id): id is string => id !== null && !groups.some((g) => g.id === id)),
    ...(byGroup.has(null) ? [null] : []),
  ];
  return order.map((id) => {
    const items = byGroup.get(id) ?? [];
    const name = id === null ? null : (groups.find((g) => g.id === id)?.name ?? id);
    return { id, name, criteria: items, max: items.reduce((sum, c) => sum + c.max, 0) };
  });
}

/** Objective items with their options are answered by buttons, never typed. */
export function isObjective(c: Criterion): c is Criterion & { options: number[] } {
  return c.kind === 'objective' && Array.isArray(c.options) && c.options.length > 0;
}

export function hasTiers(c: Criterion): c is Criterion & { tiers: Tier[] } {
  return c.kind !== 'objective' && Array.isArray(c.tiers) && c.tiers.length > 0;
}

/** The options in ascending order without repeats. */
export function objectiveOptions(c: Criterion): number[] {
  return [...new Set(c.options ?? [])].sort((a, b) => a - b);
}

/** The first tier (in the rules' order) whose range holds the value. */
export function tierOf(value: number | null, tiers: readonly Tier[]): Tier | null {
  if (value === null) return null;
  return tiers.find((tier) => value >= tier.min && value <= tier.max) ?? null;
}

/** The range a score may take: the chosen tier's, else the item's 0…max. */
export function scoreBounds(c: Criterion, chosenTier: string | null): { min: number; max: number } {
  const tier = chosenTier && hasTiers(c) ? c.tiers.find((x) => x.label === chosenTier) : undefined;
  return tier ? { min: tier.min, max: Math.min(tier.max, c.max) } : { min: 0, max: c.max };
}

/** A stepper press within [min, max]: an empty cell starts at the bottom of the range. */
export function stepWithin(value: number | null, direction: 1 | -1, min: number, max: number): number {
  const low = Math.ceil(min * 2) / 2;
  const high = Math.floor(max * 2) / 2;
  if (value === null) return direction === 1 ? low : low;
  return Math.min(high, Math.max(low, value + direction * SCORE_STEP));
}

/** What the expert typed, inside [min, max] (a chosen tier's range); below min counts as out of range. */
export function parseScoreWithin(text: string, min: number, max: number): ParsedScore {
  const parsed = parseScore(text, max);
  if (parsed.ok && parsed.value !== null && parsed.value < min) return { ok: false, problem: 'out_of_range' };
  return parsed;
}

/**
 * A tier is chosen: the score stays when it lies inside the new tier, else the cell is emptied so the
 * expert gives a score inside it (never one the screen picked for them).
 */
export function valueForTier(value: number | null, tier: Tier): number | null {
  return value !== null && value >= tier.min && value <= tier.max ? value : null;
}

// ── re-check ─────────────────────────────────────────────────────────────────

/** The banner shows when the sheet came back (revision 2 or more, or a re-check reason set). */
export function isRecheck(sheet: Pick<ScoreSheet, 'revision' | 'recheck'>): boolean {
  return (sheet.revision ?? 1) > 1 || sheet.recheck !== null;
}

/** The cells the re-check names, by cellKey; empty when the whole sheet is concerned. */
export function recheckCells(sheet: Pick<ScoreSheet, 'recheck'>): Set<string> {
  return new Set((sheet.recheck?.cells ?? []).map((c) => cellKey(c.bid, c.item)));
}

/** The banner's lines: title, reason, note (when given), and what to do. */
export function recheckLines(sheet: Pick<ScoreSheet, 'revision' | 'recheck'>, t: Translate): string[] {
  const lines = [t('booth.score.recheck.title', { revision: sheet.revision ?? 1 })];
  const recheck = sheet.recheck;
  if (recheck) {
    lines.push(t('booth.score.recheck.reason', { reason: t(`booth.score.recheck.reason.${recheck.reason}`) }));
    if (recheck.note.trim() !== '') lines.push(t('booth.score.recheck.note', { note: recheck.note }));
    lines.push(recheck.cells.length > 0 ? t('booth.score.recheck.cells', { n: recheck.cells.length }) : t('booth.score.recheck.whole'));
  } else {
    lines.push(t('booth.score.recheck.whole'));
  }
  return lines;
}

// ── the computed price group ─────────────────────────────────────────────────

/** The price group's two lines: "价格分（满分 30）" and how it is computed. */
export function priceLines(price: PriceRule, groups: readonly ScoringGroup[], t: Translate): { title: string; formula: string } {
  const name = groups.find((g) => g.id === price.group)?.name ?? t('booth.score.price.name');
  const points = formatPlain(price.points);
  const formula =
    price.formula === 'lowest_over_bid'
      ? t('booth.score.price.lowest_over_bid', { points })
      : t('booth.score.price.mean_deviation', { above: formatPlain(price.penaltyAbove), below: formatPlain(price.penaltyBelow) });
  return { title: t('booth.score.price.title', { name, points }), formula };
}

function formatPlain(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Math.round(n * 100) / 100);
}
