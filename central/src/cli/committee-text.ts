import { bilingual, bilingualLabel, messagePairBy, pairLine } from '@kawei/shared/i18n/bilingual.ts';
import { translate } from '@kawei/shared/i18n/messages.ts';
import { activeMembers, currentSheet, judgeLabel, memberDone, typedItems } from '../committee/committee-progress.ts';
import { stageName } from '../committee/committee-wording.ts';
import type { CommitteeState } from '../committee/committee-types.ts';
import { formatTable } from './text-format.ts';
import { terminalSafe } from './terminal-safe.ts';

/**
 * `kawei-central results` as text: the committee's stage, each member's progress, the chair, the
 * rejections, the expert × bid × item matrix of the current sheets, the flags and the ranking.
 * Experts by code name and 评委 seat, bids by code; never an expert's id. Text the booths wrote
 * (rejection reasons) is printed terminal-safe.
 */
export function formatCommitteeText(state: CommitteeState): string {
  const { opened } = state;
  const out: string[] = [];
  const stage = `${stageName(state.stage, 'zh-CN')} / ${stageName(state.stage, 'en')}`;
  out.push(
    pairLine(
      messagePairBy('central.results.heading', (lang) => ({
        project: opened.project,
        date: opened.date,
        method: translate(lang, `projects.method.${opened.rules.method}`),
        version: state.version,
      })),
    ),
  );
  out.push(`${bilingualLabel('central.results.stage')}: ${stage}`);
  const chair = state.chair === null ? '-' : `${state.chair.codename} (${state.chair.by})`;
  out.push(`${bilingualLabel('central.results.chair')}: ${chair}; ${bilingualLabel('central.results.votes')}: ${Object.keys(state.chairVotes).length}`);

  out.push('', `${bilingualLabel('central.results.members')}:`);
  const memberRows = state.members.map((m) => [
    judgeLabel(m.judge),
    m.codename,
    m.active ? (memberDone(state, m) ? bilingualLabel('central.results.done') : bilingualLabel('central.results.waiting')) : bilingualLabel('central.results.left'),
    String(state.requiredRevision[m.codename] ?? 1),
    m.replacedBy ?? m.replaces ?? '',
  ]);
  out.push(
    indent(
      formatTable([
        [bilingualLabel('central.results.col.judge'), bilingualLabel('central.results.col.codename'), bilingualLabel('central.results.col.progress'), bilingualLabel('central.results.col.revision'), bilingualLabel('central.results.col.replacement')],
        ...memberRows,
      ]),
    ),
  );

  const rejected = state.decisions.filter((d) => d.rejected);
  if (state.decisions.length > 0) {
    out.push(`${bilingualLabel('central.results.passed')}: ${state.passed.join(', ') || '-'}`);
    for (const d of rejected) {
      const votes = Object.entries(d.votes).map(([codename, reject]) => `${codename}${reject ? '✗' : '✓'}`).join(' ');
      out.push(`${bilingualLabel('central.results.rejected')}: ${d.bid}  ${votes}  ${terminalSafe(d.reasons.join('; '))}`);
    }
  }

  const items = typedItems(opened.rules);
  const sheets = activeMembers(state)
    .sort((a, b) => a.judge - b.judge)
    .flatMap((m) => {
      const sheet = currentSheet(state, m.codename);
      return sheet ? [{ member: m, sheet }] : [];
    });
  if (sheets.length > 0 && items.length > 0) {
    out.push('', `${bilingualLabel('central.results.matrix')}:`);
    const rows = sheets.flatMap(({ member, sheet }) =>
      state.passed.map((bid) => [judgeLabel(member.judge), `r${sheet.revision}`, bid, ...items.map((i) => cell(sheet.sheet.scores[bid]?.[i.id]))]),
    );
    out.push(indent(formatTable([[bilingualLabel('central.results.col.judge'), '', bilingualLabel('central.results.col.bid'), ...items.map((i) => i.id)], ...rows])));
  }

  const flags = state.aggregate?.flags ?? [];
  if (flags.length > 0) {
    out.push('', `${bilingualLabel('central.results.flags')}:`);
    for (const f of flags) {
      const where = [f.bid, f.item, f.judge].filter((x) => x !== null).join(' · ');
      out.push(`  ${f.blocking ? '!' : '·'} ${f.kind}${where ? ` [${where}]` : ''}: ${pairLine(f.detail)}`);
    }
  }

  if (state.results) {
    out.push('', `${bilingualLabel('central.results.ranking')}:`);
    const header = [
      bilingualLabel('central.results.col.rank'),
      bilingualLabel('central.results.col.bid'),
      ...state.results.judges,
      bilingualLabel('central.results.col.expertScore'),
      bilingualLabel('central.results.col.priceScore'),
      bilingualLabel('central.results.col.score'),
      bilingualLabel('central.results.col.price'),
      '',
    ];
    const rows = state.results.rows.map((r) => [
      `${r.rank}${r.tied ? '=' : ''}`,
      r.bid,
      ...r.totals.map(cell),
      cell(r.expertScore),
      cell(r.priceScore),
      cell(r.score),
      String(r.evaluatedPrice),
      r.recommended ? bilingualLabel('central.results.recommended') : '',
    ]);
    out.push(indent(formatTable([header, ...rows])));
    out.push(`${bilingualLabel('central.results.digest')}: ${state.results.resultsSha256}${state.confirmed ? ` (${bilingualLabel('central.results.confirmed')})` : ''}`);
  } else if (state.aggregate?.blocked) {
    out.push('', bilingual('central.results.blocked'));
  }
  if (state.refusals.length > 0) out.push('', `${bilingualLabel('central.results.refusals')}: ${state.refusals.length}`);
  if (state.problems.length > 0) for (const p of state.problems) out.push(`! ${pairLine(p)}`);
  return `${out.join('\n')}\n`;
}

function cell(value: number | null | undefined): string {
  return value === null || value === undefined ? '-' : String(value);
}

function indent(table: string): string {
  return table
    .trimEnd()
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}
