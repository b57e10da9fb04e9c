/**
 * The evaluation report (评标报告, issue #14) as a list of blocks: what it says, not how it is drawn.
 * Pure: the committee's final state and the project's material in, headings, paragraphs, key-value
 * lists, tables (with natural column widths in points) and signature lines out; pdf-layout.node.ts
 * lays them on A4 pages. Every text comes from the catalogue (`reportPdf.*`).
 *
 * Privacy, by construction: experts appear only as 评委n (their seat) and code name — the roster's
 * expert ids and names are not read here (the identity annex, render-annexes.ts, is the one place);
 * in a blind project bidders appear by code only, their names are read only when `!material.blind`.
 *
 * Contents follow the rules for the project's category (../shared/notes/committee.md §5): the body
 * (basic facts, committee, opening record, method and standards, passed and rejected bids, comparison,
 * ranking, candidates, re-checks, clarifications, replacements, dissents), then the attachments
 * (preliminary review, rejections, each judge's scores, price scores, summary and ranking, candidates,
 * re-check record, clarification minutes, replacements, dissents) and the signature page. Both
 * categories state the opening record and the clarification minutes (required for engineering, Order
 * 12 art. 42); government procurement always states the expert replacements (Order 87 art. 58, "无"
 * when none), engineering only when there were some.
 */
import { z } from 'zod';
import type { ResultRow } from '@kawei/shared/committee/committee-events.ts';
import { RECHECK_REASON_CODES } from '@kawei/shared/committee/committee-view.ts';
import type { EvaluationRules, ScoringItem } from '@kawei/shared/committee/evaluation-rules.ts';
import { type MessageKey, type TranslateArgs, translate } from '@kawei/shared/i18n/messages.ts';
import type { CommitteeState, MemberRecord, SheetRecord } from '../committee/committee-types.ts';

// ── the inputs ──────────────────────────────────────────────────────────────────────────────────

export const reportMaterialSchema = z
  .object({
    title: z.string().trim().min(1).max(200),
    category: z.enum(['engineering', 'procurement']),
    blind: z.boolean(),
    centreName: z.string().trim().min(1).max(200),
    /** Names used ONLY when !blind (and in the unblinding annex). */
    bidders: z.array(z.object({ code: z.string().min(1).max(16), name: z.string().trim().min(1).max(200) }).strict()).max(500),
  })
  .strict();
export type ReportMaterial = z.infer<typeof reportMaterialSchema>;

export const dissentEntrySchema = z
  .object({
    codename: z.string().min(1).max(32),
    judge: z.number().int().min(1),
    text: z.string().min(1).max(20_000),
    signedAt: z.number().int().min(0),
  })
  .strict();
export type DissentEntry = z.infer<typeof dissentEntrySchema>;

export interface ReportInput {
  /** central/src/committee/committee-types.ts, stage 'final'. */
  state: CommitteeState;
  material: ReportMaterial;
  kind: 'draft' | 'final';
  /** Final only ([] for the draft). */
  dissents: DissentEntry[];
  /** Epoch ms; printed, and the PDF's CreationDate/ModDate. */
  renderedAt: number;
}

// ── the blocks ──────────────────────────────────────────────────────────────────────────────────

export type Align = 'left' | 'center' | 'right';

export interface TableColumn {
  title: string;
  /** Natural width in points at the table's type size; the layout stretches columns to the text width, or splits a table too wide into column chunks. */
  width: number;
  align?: Align;
}

export type Block =
  | { kind: 'title'; text: string; subtitle: string | null }
  | { kind: 'heading'; level: 1 | 2 | 3; text: string; newPage?: boolean }
  | { kind: 'paragraph'; text: string; indent?: boolean; small?: boolean }
  | { kind: 'keyValues'; rows: { key: string; value: string }[] }
  /**
   * A table. `keyColumns` first columns are repeated in every column chunk when the table is split
   * for width; the header row is repeated on every page. `strongRows`: row indexes drawn bold (totals).
   * `minRowHeight` leaves room (signature lines).
   */
  | { kind: 'table'; columns: TableColumn[]; rows: string[][]; keyColumns: number; strongRows?: number[]; minRowHeight?: number }
  | { kind: 'pageBreak' };

export interface ReportDocument {
  /** PDF metadata title and the running header's text. */
  title: string;
  /** Left of the running header (the project code). */
  header: string;
  /** Right of the running header and the big diagonal mark on every page ('征求意见稿'), or null. */
  mark: string | null;
  /** A small marker on the right of the header only (no diagonal mark), e.g. the identity annex's 密. */
  headerMark: string | null;
  subject: string;
  keywords: string[];
  blocks: Block[];
}

// ── formatting (tests use the same functions to find the printed numbers) ─────────────────────

/** What an empty cell shows (a missing score or verdict). */
export const DASH = '—';

const tr = <K extends MessageKey>(key: K, ...args: TranslateArgs<K>): string => translate('zh-CN', key, ...args);

/** 1,234,567.89: a price in yuan, two decimals, thousands separated. */
export function formatMoney(value: number): string {
  const [whole, cents] = Math.abs(value).toFixed(2).split('.') as [string, string];
  return `${value < 0 ? '-' : ''}${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${cents}`;
}

/** A published score with the rules' decimals (87.35); '—' for null. */
export function formatScore(value: number | null | undefined, decimals: number): string {
  return value === null || value === undefined ? DASH : value.toFixed(decimals);
}

/** An item score or an item's maximum as typed (24.5, 30). */
export function formatPoints(value: number | null | undefined): string {
  return value === null || value === undefined ? DASH : String(value);
}

/** 2026-12-07 15:30 UTC+8: China has one time zone and no summer time, so a fixed offset is exact. */
export function formatTime(epochMs: number): string {
  const iso = new Date(epochMs + 8 * 3600_000).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC+8`;
}

export function judgeLabelOf(seat: number): string {
  return translate('zh-CN', 'committeeRecord.judgeLabel', { n: seat });
}

const joinList = (items: readonly string[]): string => (items.length === 0 ? tr('reportPdf.none') : items.reduce((a, b) => tr('reportPdf.list', { a, b })));

// ── derived facts ──────────────────────────────────────────────────────────────────────────────

/** The items an expert types (every scoring item but the price group's). */
function typedItems(rules: EvaluationRules): ScoringItem[] {
  const priceGroup = rules.price?.group ?? null;
  return rules.items.filter((item) => item.group !== priceGroup);
}

function seatedMembers(state: CommitteeState): MemberRecord[] {
  return state.members.filter((m) => m.active).sort((a, b) => a.judge - b.judge);
}

function currentSheet(state: CommitteeState, codename: string): SheetRecord | undefined {
  const revision = state.requiredRevision[codename] ?? 1;
  return state.sheets.find((s) => !s.void && s.codename === codename && s.revision === revision);
}

/** The numbering of the attachments, in order, so the body can refer to them. */
const ANNEXES = ['preliminary', 'rejected', 'scores', 'price', 'summary', 'candidates', 'recheck', 'clarification', 'replacements', 'dissent'] as const;
type AnnexId = (typeof ANNEXES)[number];
const annexNo = (id: AnnexId): number => ANNEXES.indexOf(id) + 1;

/** Builds the report's blocks. The caller (render-report.node.ts) has checked the state is final. */
export function reportModel(input: ReportInput): ReportDocument {
  const { state, material, kind } = input;
  const { opened } = state;
  const rules = opened.rules;
  const decimals = rules.settings.decimals;
  const comprehensive = rules.method === 'comprehensive';
  const names = new Map(material.bidders.map((b) => [b.code, b.name]));
  /** A bid as the report names it: by code, plus the bidder's name when the project is not blind. */
  const bidder = (code: string): string => {
    const name = material.blind ? undefined : names.get(code);
    return name === undefined ? code : `${code} ${name}`;
  };
  const seated = seatedMembers(state);
  const byCodename = new Map(state.members.map((m) => [m.codename, m]));
  const who = (codename: string): string => {
    const m = byCodename.get(codename);
    return m === undefined ? codename : tr('reportPdf.judgeWithCode', { judge: judgeLabelOf(m.judge), codename });
  };
  const judgeHeader = (m: MemberRecord): string => `${judgeLabelOf(m.judge)}\n${m.codename}`;
  const results = state.results;
  const rows: ResultRow[] = results?.rows ?? [];
  const rejected = state.decisions.filter((d) => d.rejected);
  const bids = opened.bids;
  const chair = state.chair?.codename ?? null;

  const blocks: Block[] = [];
  const p = (text: string, extra: { indent?: boolean; small?: boolean } = {}) => blocks.push({ kind: 'paragraph', text, ...extra });
  const numerals = tr('reportPdf.numerals').split(',');
  let section = 0;
  const h1 = (title: string) => {
    section += 1;
    blocks.push({ kind: 'heading', level: 1, text: tr('reportPdf.sectionTitle', { n: numerals[section - 1] ?? String(section), title }) });
  };
  const annexHeading = (id: AnnexId, title: string, newPage = true) =>
    blocks.push({ kind: 'heading', level: 1, text: tr('reportPdf.annex.title', { n: annexNo(id), title }), newPage });

  // ── cover ──
  blocks.push({ kind: 'title', text: tr('reportPdf.title'), subtitle: kind === 'draft' ? tr('reportPdf.draftMark') : null });
  blocks.push({
    kind: 'keyValues',
    rows: [
      { key: tr('reportPdf.field.project'), value: material.title },
      { key: tr('reportPdf.field.code'), value: opened.project },
      { key: tr('reportPdf.field.category'), value: tr(`reportPdf.category.${material.category}`) },
      { key: tr('reportPdf.field.date'), value: opened.date },
      { key: tr('reportPdf.field.centre'), value: material.centreName },
      { key: tr('reportPdf.field.method'), value: tr(`reportPdf.method.${rules.method}`) },
      { key: tr('reportPdf.field.review'), value: tr(material.blind ? 'reportPdf.review.blind' : 'reportPdf.review.open') },
      { key: tr('reportPdf.field.resultsSha256'), value: state.confirmed?.resultsSha256 ?? state.resultsSha256 ?? tr('reportPdf.none') },
      { key: tr('reportPdf.field.renderedAt'), value: formatTime(input.renderedAt) },
    ],
  });
  if (kind === 'draft') p(tr('reportPdf.draftNotice'));

  // ── 基本情况 ──
  h1(tr('reportPdf.section.basic'));
  p(tr('reportPdf.basic.bids', { bids: bids.length, passed: state.passed.length, rejected: rejected.length }), { indent: true });
  p(tr('reportPdf.basic.committee', { members: seated.length, chair: chair === null ? tr('reportPdf.none') : who(chair) }), { indent: true });
  p(tr('reportPdf.basic.experts'), { indent: true });
  if (material.blind) p(tr('reportPdf.basic.blind'), { indent: true });

  // ── 委员会名单 ──
  h1(tr('reportPdf.section.committee'));
  blocks.push({
    kind: 'table',
    keyColumns: 1,
    columns: [
      { title: tr('reportPdf.col.seat'), width: 50, align: 'center' },
      { title: tr('reportPdf.col.codename'), width: 80, align: 'center' },
      { title: tr('reportPdf.col.role'), width: 50, align: 'center' },
      { title: tr('reportPdf.col.remark'), width: 200 },
    ],
    rows: [...state.members]
      .sort((a, b) => a.judge - b.judge || Number(b.active) - Number(a.active))
      .map((m) => [
        judgeLabelOf(m.judge),
        m.codename,
        m.codename === chair ? tr('reportPdf.role.chair') : tr('reportPdf.role.member'),
        [m.replaces === null ? '' : tr('reportPdf.member.replaces', { codename: m.replaces }), m.replacedBy === null ? '' : tr('reportPdf.member.replacedBy', { codename: m.replacedBy })]
          .filter(Boolean)
          .join('；'),
      ]),
  });

  // ── 开标记录 ──
  const openingBlocks = (): Block[] => [
    {
      kind: 'table',
      keyColumns: 2,
      columns: [
        { title: tr('reportPdf.col.no'), width: 32, align: 'center' },
        { title: tr(material.blind ? 'reportPdf.col.bidCode' : 'reportPdf.col.bidder'), width: material.blind ? 80 : 220 },
        { title: tr('reportPdf.col.price'), width: 110, align: 'right' },
        ...(rules.method === 'lowest_price' ? [{ title: tr('reportPdf.col.evaluatedPrice'), width: 110, align: 'right' as const }] : []),
      ],
      rows: bids.map((b, i) => [
        String(i + 1),
        bidder(b.code),
        formatMoney(b.price),
        ...(rules.method === 'lowest_price' ? [formatMoney(b.evaluatedPrice ?? b.price)] : []),
      ]),
    },
  ];
  h1(tr('reportPdf.section.opening'));
  blocks.push(...openingBlocks());

  // ── 评标办法 ──
  h1(tr('reportPdf.section.method'));
  p(tr('reportPdf.method.intro', { method: tr(`reportPdf.method.${rules.method}`) }), { indent: true });
  blocks.push({ kind: 'heading', level: 2, text: tr('reportPdf.method.preliminary') });
  if (rules.preliminary.length === 0) p(tr('reportPdf.method.noPreliminary'), { indent: true });
  else {
    blocks.push({
      kind: 'table',
      keyColumns: 1,
      columns: [
        { title: tr('reportPdf.col.no'), width: 32, align: 'center' },
        { title: tr('reportPdf.col.item'), width: 130 },
        { title: tr('reportPdf.col.itemKind'), width: 70, align: 'center' },
        { title: tr('reportPdf.col.description'), width: 220 },
      ],
      rows: rules.preliminary.map((item, i) => [String(i + 1), item.name, tr(`reportPdf.preliminaryKind.${item.kind}`), item.description]),
    });
    p(tr(`reportPdf.rule.rejection.${rules.settings.rejection}`), { indent: true });
  }
  blocks.push({ kind: 'heading', level: 2, text: tr('reportPdf.method.scoring') });
  if (!comprehensive) p(tr('reportPdf.method.noScoring'), { indent: true });
  else {
    const groupName = new Map(rules.groups.map((g) => [g.id, g.name]));
    const itemRows = rules.items
      .filter((item) => item.group !== rules.price?.group)
      .map((item) => [
        groupName.get(item.group) ?? item.group,
        `${item.id} ${item.name}`,
        tr(`reportPdf.itemKind.${item.kind}`),
        formatPoints(item.max),
        [
          item.description,
          item.kind === 'objective'
            ? tr('reportPdf.method.options', { options: item.options.map(formatPoints).join(' / ') })
            : item.tiers.length > 0
              ? tr('reportPdf.method.tiers', { tiers: item.tiers.map((t) => `${t.label} ${formatPoints(t.min)}–${formatPoints(t.max)}`).join(' / ') })
              : '',
        ]
          .filter(Boolean)
          .join('\n'),
      ]);
    if (rules.price !== null) {
      itemRows.push([groupName.get(rules.price.group) ?? rules.price.group, tr('reportPdf.itemKind.price'), tr('reportPdf.itemKind.price'), formatPoints(rules.price.points), tr('reportPdf.method.priceItem')]);
    }
    blocks.push({
      kind: 'table',
      keyColumns: 2,
      columns: [
        { title: tr('reportPdf.col.group'), width: 60 },
        { title: tr('reportPdf.col.scoringItem'), width: 120 },
        { title: tr('reportPdf.col.scoreKind'), width: 44, align: 'center' },
        { title: tr('reportPdf.col.max'), width: 36, align: 'right' },
        { title: tr('reportPdf.col.standard'), width: 200 },
      ],
      rows: itemRows,
    });
    p(priceRuleText(rules), { indent: true });
    p(tr(`reportPdf.rule.trim.${rules.settings.trim}`), { indent: true });
    p(tr('reportPdf.rule.decimals', { decimals }), { indent: true });
    p(tr('reportPdf.rule.abnormal', { share: Math.round(rules.settings.abnormalShare * 1000) / 10 }), { indent: true });
  }
  p(tr(comprehensive ? 'reportPdf.rule.ranking' : 'reportPdf.rule.rankingLowest'), { indent: true });
  p(tr('reportPdf.rule.recommend', { n: rules.settings.recommend }), { indent: true });

  // ── 通过 / 否决 ──
  h1(tr('reportPdf.section.passed'));
  p(
    tr('reportPdf.passed.list', {
      count: state.passed.length,
      next: tr(comprehensive ? 'reportPdf.passed.detailed' : 'reportPdf.passed.ranking'),
      bids: joinList(state.passed.map(bidder)),
    }),
    { indent: true },
  );
  h1(tr('reportPdf.section.rejected'));
  p(
    rejected.length === 0
      ? tr('reportPdf.rejected.none')
      : tr('reportPdf.rejected.summary', { count: rejected.length, bids: joinList(rejected.map((d) => bidder(d.bid))), annex: annexNo('rejected') }),
    { indent: true },
  );

  // ── 比较、排序、候选人 ──
  h1(tr(comprehensive ? 'reportPdf.section.comparison' : 'reportPdf.section.priceComparison'));
  p(
    comprehensive
      ? tr('reportPdf.comparison.summary', { scores: annexNo('scores'), price: annexNo('price'), summary: annexNo('summary') })
      : tr('reportPdf.comparison.lowest', { summary: annexNo('summary') }),
    { indent: true },
  );
  h1(tr('reportPdf.section.ranking'));
  blocks.push(rankingTable(rows, rules, bidder, decimals));
  h1(tr('reportPdf.section.candidates'));
  blocks.push(...candidateBlocks(rows, rules, bidder, decimals));

  // ── 复核、澄清、更换、保留意见 ──
  h1(tr('reportPdf.section.recheck'));
  p(state.rechecks.length === 0 ? tr('reportPdf.recheck.none') : tr('reportPdf.recheck.summary', { count: state.rechecks.length, annex: annexNo('recheck') }), { indent: true });
  h1(tr('reportPdf.section.clarification'));
  p(tr('reportPdf.clarification.none'), { indent: true });
  if (material.category === 'procurement' || state.replacements.length > 0) {
    h1(tr('reportPdf.section.replacements'));
    p(
      state.replacements.length === 0
        ? tr('reportPdf.replacements.none')
        : tr('reportPdf.replacements.summary', { count: state.replacements.length, annex: annexNo('replacements') }),
      { indent: true },
    );
  }
  h1(tr('reportPdf.section.dissent'));
  blocks.push(...dissentBlocks(input));
  h1(tr('reportPdf.section.annexes'));
  for (const id of ANNEXES) p(tr('reportPdf.annex.title', { n: annexNo(id), title: tr(`reportPdf.annex.${id}`) }), { indent: true });

  // ── 附件 ──
  annexHeading('preliminary', tr('reportPdf.annex.preliminary'));
  blocks.push(...preliminaryBlocks(state, bidder, judgeHeader, who));
  annexHeading('rejected', tr('reportPdf.annex.rejected'), false);
  if (rejected.length === 0) p(tr('reportPdf.rejected.none'));
  else {
    blocks.push({
      kind: 'table',
      keyColumns: 1,
      columns: [
        { title: tr('reportPdf.col.bidder'), width: material.blind ? 60 : 140 },
        { title: tr('reportPdf.col.votes'), width: 50, align: 'center' },
        { title: tr('reportPdf.col.failedBy'), width: 110 },
        { title: tr('reportPdf.col.reason'), width: 220 },
      ],
      rows: rejected.map((d) => {
        const failed = Object.entries(d.votes).filter(([, no]) => no);
        return [
          bidder(d.bid),
          tr('reportPdf.votes', { yes: failed.length, of: Object.keys(d.votes).length }),
          failed.map(([codename]) => who(codename)).join('\n'),
          d.reasons.join('\n'),
        ];
      }),
    });
  }
  annexHeading('scores', tr('reportPdf.annex.scores'));
  blocks.push(...scoreMatrixBlocks(state, bidder, judgeHeader));
  annexHeading('price', tr('reportPdf.annex.price'));
  blocks.push(...priceBlocks(state, bidder));
  annexHeading('summary', tr('reportPdf.annex.summary'), false);
  blocks.push(rankingTable(rows, rules, bidder, decimals, true));
  if (comprehensive && results !== null && rows.length > 0) {
    blocks.push({ kind: 'heading', level: 2, text: tr('reportPdf.scores.totals') });
    blocks.push({
      kind: 'table',
      keyColumns: 1,
      columns: [
        { title: tr('reportPdf.col.bidder'), width: material.blind ? 48 : 120 },
        ...seated.map((m) => ({ title: judgeHeader(m), width: 38, align: 'right' as const })),
        { title: tr('reportPdf.col.expertScore'), width: 46, align: 'right' },
      ],
      rows: rows.map((r) => [bidder(r.bid), ...r.totals.map((t) => formatScore(t, decimals)), formatScore(r.expertScore, decimals)]),
    });
  }
  annexHeading('candidates', tr('reportPdf.annex.candidates'), false);
  blocks.push(...candidateBlocks(rows, rules, bidder, decimals));
  annexHeading('recheck', tr('reportPdf.annex.recheck'));
  blocks.push(...recheckBlocks(state, who));
  annexHeading('clarification', tr('reportPdf.annex.clarification'), false);
  p(tr('reportPdf.clarification.none'));
  annexHeading('replacements', tr('reportPdf.annex.replacements'), false);
  blocks.push(...replacementBlocks(state));
  annexHeading('dissent', tr('reportPdf.annex.dissent'), false);
  blocks.push(...dissentBlocks(input));

  // ── 签字页 ──
  blocks.push({ kind: 'heading', level: 1, text: tr('reportPdf.section.signatures'), newPage: true });
  p(tr('reportPdf.signatures.intro'));
  blocks.push({
    kind: 'table',
    keyColumns: 1,
    minRowHeight: 34,
    columns: [
      { title: tr('reportPdf.col.seat'), width: 60, align: 'center' },
      { title: tr('reportPdf.col.codename'), width: 80, align: 'center' },
      { title: tr('reportPdf.col.role'), width: 60, align: 'center' },
      { title: tr('reportPdf.col.signature'), width: 200 },
    ],
    rows: [
      ...seated.map((m) => [judgeLabelOf(m.judge), m.codename, m.codename === chair ? tr('reportPdf.role.chair') : tr('reportPdf.role.member'), tr('reportPdf.signatures.electronic')]),
      [tr('reportPdf.role.supervisor'), '', tr('reportPdf.role.supervisor'), tr('reportPdf.signatures.electronic')],
    ],
  });

  return {
    title: `${material.title} ${tr('reportPdf.title')}`,
    header: tr('reportPdf.header', { code: opened.project, title: tr('reportPdf.title') }),
    mark: kind === 'draft' ? tr('reportPdf.draftMark') : null,
    headerMark: null,
    subject: `${opened.project} ${opened.date}`,
    keywords: [opened.project, opened.date, kind],
    blocks,
  };
}

function priceRuleText(rules: EvaluationRules): string {
  const price = rules.price;
  if (price === null) return tr('reportPdf.price.none');
  if (price.formula === 'lowest_over_bid') return tr('reportPdf.price.lowest_over_bid', { points: formatPoints(price.points) });
  return tr('reportPdf.price.mean_deviation', {
    points: formatPoints(price.points),
    downRate: formatPoints(price.downRate),
    above: formatPoints(price.penaltyAbove),
    below: formatPoints(price.penaltyBelow),
  });
}

function noteOf(row: ResultRow): string {
  return [row.tied ? tr('reportPdf.note.tied') : '', row.recommended ? tr('reportPdf.note.recommended') : ''].filter(Boolean).join(' ');
}

function rankingTable(rows: readonly ResultRow[], rules: EvaluationRules, bidder: (code: string) => string, decimals: number, withNotes = false): Block {
  const comprehensive = rules.method === 'comprehensive';
  const bidderWidth = rows.some((r) => bidder(r.bid) !== r.bid) ? 140 : 60;
  if (comprehensive) {
    return {
      kind: 'table',
      keyColumns: 2,
      columns: [
        { title: tr('reportPdf.col.rank'), width: 32, align: 'center' },
        { title: tr('reportPdf.col.bidder'), width: bidderWidth },
        { title: tr('reportPdf.col.expertScore'), width: 56, align: 'right' },
        { title: tr('reportPdf.col.priceScore'), width: 50, align: 'right' },
        { title: tr('reportPdf.col.score'), width: 50, align: 'right' },
        { title: tr('reportPdf.col.price'), width: 90, align: 'right' },
        ...(withNotes ? [{ title: tr('reportPdf.col.remark'), width: 54, align: 'center' as const }] : []),
      ],
      rows: rows.map((r) => [
        String(r.rank),
        bidder(r.bid),
        formatScore(r.expertScore, decimals),
        formatScore(r.priceScore, decimals),
        formatScore(r.score, decimals),
        formatMoney(r.price),
        ...(withNotes ? [noteOf(r)] : []),
      ]),
    };
  }
  return {
    kind: 'table',
    keyColumns: 2,
    columns: [
      { title: tr('reportPdf.col.rank'), width: 32, align: 'center' },
      { title: tr('reportPdf.col.bidder'), width: bidderWidth },
      { title: tr('reportPdf.col.price'), width: 100, align: 'right' },
      { title: tr('reportPdf.col.evaluatedPrice'), width: 100, align: 'right' },
      ...(withNotes ? [{ title: tr('reportPdf.col.remark'), width: 60, align: 'center' as const }] : []),
    ],
    rows: rows.map((r) => [String(r.rank), bidder(r.bid), formatMoney(r.price), formatMoney(r.evaluatedPrice), ...(withNotes ? [noteOf(r)] : [])]),
  };
}

function candidateBlocks(rows: readonly ResultRow[], rules: EvaluationRules, bidder: (code: string) => string, decimals: number): Block[] {
  const recommended = rows.filter((r) => r.recommended);
  if (recommended.length === 0) return [{ kind: 'paragraph', text: tr('reportPdf.none'), indent: true }];
  const comprehensive = rules.method === 'comprehensive';
  const out: Block[] = [
    { kind: 'paragraph', text: tr('reportPdf.candidates.intro'), indent: true },
    {
      kind: 'table',
      keyColumns: 2,
      columns: [
        { title: tr('reportPdf.col.rank'), width: 60, align: 'center' },
        { title: tr('reportPdf.col.candidate'), width: recommended.some((r) => bidder(r.bid) !== r.bid) ? 180 : 80 },
        { title: tr(comprehensive ? 'reportPdf.col.score' : 'reportPdf.col.evaluatedPrice'), width: 90, align: 'right' },
        { title: tr('reportPdf.col.price'), width: 100, align: 'right' },
      ],
      rows: recommended.map((r) => [
        tr('reportPdf.candidates.rank', { rank: r.rank }),
        bidder(r.bid),
        comprehensive ? formatScore(r.score, decimals) : formatMoney(r.evaluatedPrice),
        formatMoney(r.price),
      ]),
    },
  ];
  const tiedRanks = [...new Set(recommended.filter((r) => r.tied).map((r) => r.rank))];
  for (const rank of tiedRanks) {
    out.push({ kind: 'paragraph', text: tr('reportPdf.candidates.tie', { rank, bids: joinList(rows.filter((r) => r.rank === rank).map((r) => bidder(r.bid))) }), indent: true });
  }
  return out;
}

function preliminaryBlocks(
  state: CommitteeState,
  bidder: (code: string) => string,
  judgeHeader: (m: MemberRecord) => string,
  who: (codename: string) => string,
): Block[] {
  const rules = state.opened.rules;
  if (rules.preliminary.length === 0) return [{ kind: 'paragraph', text: tr('reportPdf.method.noPreliminary') }];
  // The reviews that counted: not void, in seat order (a replacement's review after its leaver's).
  const members = new Map(state.members.map((m, i) => [m.codename, { m, i }]));
  const reviews = state.preliminary
    .filter((r) => !r.void && members.has(r.codename))
    .sort((a, b) => {
      const x = members.get(a.codename) as { m: MemberRecord; i: number };
      const y = members.get(b.codename) as { m: MemberRecord; i: number };
      return x.m.judge - y.m.judge || x.i - y.i;
    });
  const out: Block[] = [];
  for (const bid of state.opened.bids) {
    const decision = state.decisions.find((d) => d.bid === bid.code);
    out.push({ kind: 'heading', level: 3, text: tr('reportPdf.bidHeading', { bid: bidder(bid.code) }) });
    const itemRows = rules.preliminary.map((item) => [
      item.name,
      ...reviews.map((r) => {
        const verdict = r.document.verdicts[bid.code]?.[item.id];
        return verdict === undefined ? DASH : tr(verdict.pass ? 'reportPdf.verdict.pass' : 'reportPdf.verdict.fail');
      }),
    ]);
    const conclusion = [
      tr('reportPdf.preliminary.conclusion'),
      ...reviews.map((r) => tr(decision?.votes[r.codename] === true ? 'reportPdf.verdict.fail' : 'reportPdf.verdict.pass')),
    ];
    out.push({
      kind: 'table',
      keyColumns: 1,
      strongRows: [itemRows.length],
      columns: [{ title: tr('reportPdf.col.item'), width: 110 }, ...reviews.map((r) => ({ title: judgeHeader((members.get(r.codename) as { m: MemberRecord }).m), width: 38, align: 'center' as const }))],
      rows: [...itemRows, conclusion],
    });
    const decided = decision === undefined ? '' : tr(decision.rejected ? 'reportPdf.decision.rejected' : 'reportPdf.decision.passed');
    const reasons = reviews.flatMap((r) =>
      rules.preliminary.flatMap((item) => {
        const verdict = r.document.verdicts[bid.code]?.[item.id];
        return verdict !== undefined && !verdict.pass ? [[who(r.codename), item.name, verdict.reason]] : [];
      }),
    );
    out.push({ kind: 'paragraph', text: `${tr('reportPdf.preliminary.conclusion')}：${decided}`, small: true });
    if (reasons.length > 0) {
      out.push({
        kind: 'table',
        keyColumns: 1,
        columns: [
          { title: tr('reportPdf.col.judge'), width: 90 },
          { title: tr('reportPdf.col.item'), width: 100 },
          { title: tr('reportPdf.preliminary.reasons'), width: 250 },
        ],
        rows: reasons,
      });
    }
  }
  return out;
}

function scoreMatrixBlocks(state: CommitteeState, bidder: (code: string) => string, judgeHeader: (m: MemberRecord) => string): Block[] {
  const rules = state.opened.rules;
  if (rules.method !== 'comprehensive') return [{ kind: 'paragraph', text: tr('reportPdf.scores.none') }];
  const decimals = rules.settings.decimals;
  const items = typedItems(rules);
  const seated = seatedMembers(state);
  const sheets = seated.map((m) => currentSheet(state, m.codename));
  const resultOf = new Map((state.results?.rows ?? []).map((r) => [r.bid, r]));
  const out: Block[] = [];
  for (const bid of state.passed) {
    const result = resultOf.get(bid);
    out.push({ kind: 'heading', level: 3, text: tr('reportPdf.bidHeading', { bid: bidder(bid) }) });
    out.push({
      kind: 'table',
      keyColumns: 2,
      strongRows: [items.length],
      columns: [
        { title: tr('reportPdf.col.scoringItem'), width: 118 },
        { title: tr('reportPdf.col.max'), width: 30, align: 'right' },
        ...seated.map((m) => ({ title: judgeHeader(m), width: 36, align: 'right' as const })),
      ],
      rows: [
        ...items.map((item) => [`${item.id} ${item.name}`, formatPoints(item.max), ...sheets.map((s) => formatPoints(s?.sheet.scores[bid]?.[item.id]))]),
        [tr('reportPdf.scores.total'), formatPoints(items.reduce((a, i) => a + i.max, 0)), ...seated.map((_, j) => formatScore(result?.totals[j], decimals))],
      ],
    });
    out.push({ kind: 'paragraph', text: tr('reportPdf.scores.expertScore', { score: formatScore(result?.expertScore, decimals) }), small: true });
  }
  return out;
}

function priceBlocks(state: CommitteeState, bidder: (code: string) => string): Block[] {
  const rules = state.opened.rules;
  const decimals = rules.settings.decimals;
  if (rules.method !== 'comprehensive' || rules.price === null) return [{ kind: 'paragraph', text: tr('reportPdf.price.none') }];
  const passed = state.opened.bids.filter((b) => state.passed.includes(b.code));
  const out: Block[] = [{ kind: 'paragraph', text: priceRuleText(rules) }];
  if (passed.length > 0) {
    const prices = passed.map((b) => b.price);
    const benchmark =
      rules.price.formula === 'lowest_over_bid' ? Math.min(...prices) : (prices.reduce((a, b) => a + b, 0) / prices.length) * (1 - rules.price.downRate);
    out.push({ kind: 'paragraph', text: tr('reportPdf.price.benchmark', { benchmark: formatMoney(benchmark) }) });
  }
  const resultOf = new Map((state.results?.rows ?? []).map((r) => [r.bid, r]));
  out.push({
    kind: 'table',
    keyColumns: 1,
    columns: [
      { title: tr('reportPdf.col.bidder'), width: passed.some((b) => bidder(b.code) !== b.code) ? 180 : 80 },
      { title: tr('reportPdf.col.price'), width: 120, align: 'right' },
      { title: tr('reportPdf.col.priceScore'), width: 80, align: 'right' },
    ],
    rows: passed.map((b) => [bidder(b.code), formatMoney(b.price), formatScore(resultOf.get(b.code)?.priceScore, decimals)]),
  });
  return out;
}

function recheckBlocks(state: CommitteeState, who: (codename: string) => string): Block[] {
  if (state.rechecks.length === 0) return [{ kind: 'paragraph', text: tr('reportPdf.recheck.none') }];
  return [
    {
      kind: 'table',
      keyColumns: 1,
      columns: [
        { title: tr('reportPdf.col.no'), width: 28, align: 'center' },
        { title: tr('reportPdf.col.judge'), width: 78 },
        { title: tr('reportPdf.col.recheckReason'), width: 76 },
        { title: tr('reportPdf.col.cells'), width: 80 },
        { title: tr('reportPdf.col.note'), width: 110 },
        { title: tr('reportPdf.col.requestedBy'), width: 90 },
        { title: tr('reportPdf.col.revision'), width: 46, align: 'center' },
      ],
      rows: state.rechecks.map((r, i) => [
        String(i + 1),
        who(r.target.codename),
        tr('reportPdf.recheckReason', { code: RECHECK_REASON_CODES[r.target.reason], label: tr(`reportPdf.recheckReason.${r.target.reason}`) }),
        r.target.cells.length === 0 ? tr('reportPdf.recheck.allCells') : r.target.cells.map((c) => `${c.bid}/${c.item}`).join('\n'),
        r.target.note,
        r.by.kind === 'chair' ? tr('reportPdf.by.chair', { who: who(r.by.codename) }) : tr('reportPdf.by.centre', { operator: r.by.operator, why: r.by.why }),
        tr('reportPdf.recheck.revision', { revision: r.revision }),
      ]),
    },
  ];
}

function replacementBlocks(state: CommitteeState): Block[] {
  if (state.replacements.length === 0) return [{ kind: 'paragraph', text: tr('reportPdf.replacements.none') }];
  return [
    {
      kind: 'table',
      keyColumns: 1,
      columns: [
        { title: tr('reportPdf.col.seat'), width: 44, align: 'center' },
        { title: tr('reportPdf.col.leaver'), width: 60, align: 'center' },
        { title: tr('reportPdf.col.replacement'), width: 60, align: 'center' },
        { title: tr('reportPdf.col.reason'), width: 56, align: 'center' },
        { title: tr('reportPdf.col.stage'), width: 70, align: 'center' },
        { title: tr('reportPdf.col.note'), width: 120 },
        { title: tr('reportPdf.col.operator'), width: 60 },
      ],
      rows: state.replacements.map((r) => [
        judgeLabelOf(r.judge),
        r.leaver,
        r.replacement,
        tr(`reportPdf.replaceReason.${r.reason}`),
        translate('zh-CN', `committeeRecord.stage.${r.stage}`),
        r.why,
        r.operator,
      ]),
    },
  ];
}

function dissentBlocks(input: ReportInput): Block[] {
  if (input.kind === 'draft') return [{ kind: 'paragraph', text: tr('reportPdf.dissent.draft'), indent: true }];
  if (input.dissents.length === 0) return [{ kind: 'paragraph', text: tr('reportPdf.dissent.none'), indent: true }];
  const out: Block[] = [{ kind: 'paragraph', text: tr('reportPdf.dissent.intro'), indent: true }];
  for (const d of [...input.dissents].sort((a, b) => a.judge - b.judge || (a.codename < b.codename ? -1 : 1))) {
    out.push({ kind: 'heading', level: 3, text: tr('reportPdf.dissent.entry', { who: tr('reportPdf.judgeWithCode', { judge: judgeLabelOf(d.judge), codename: d.codename }), at: formatTime(d.signedAt) }) });
    out.push({ kind: 'paragraph', text: d.text, indent: true });
  }
  return out;
}
