/**
 * `kawei-central results --json`: the committee's whole state as an operator reads it — stage,
 * members by code name and seat, chair and votes, rejections with who voted how, every sheet
 * version, the expert × bid × item matrix, flags, re-checks, replacements, refusals and the ranking.
 * Code names only: the roster's expert ids stay inside the central.
 */
import { activeMembers, currentSheet, judgeLabel, memberDone, typedItems } from './committee-progress.ts';
import type { ActBy, CommitteeState } from './committee-types.ts';

function byOf(by: ActBy): { chair: string } | { operator: string; why: string } {
  return by.kind === 'chair' ? { chair: by.codename } : { operator: by.operator, why: by.why };
}

export function resultsJson(state: CommitteeState): unknown {
  const { opened } = state;
  const items = typedItems(opened.rules);
  const seated = activeMembers(state).sort((a, b) => a.judge - b.judge);
  const labelOf = (codename: string): string | null => {
    const member = state.members.find((m) => m.codename === codename);
    return member === undefined ? null : judgeLabel(member.judge);
  };
  return {
    date: opened.date,
    project: opened.project,
    method: opened.rules.method,
    blind: opened.blind,
    rulesSha256: opened.rulesSha256,
    version: state.version,
    stage: state.stage,
    members: state.members.map((m) => ({
      codename: m.codename,
      judge: judgeLabel(m.judge),
      booth: m.booth,
      active: m.active,
      done: m.active && memberDone(state, m),
      replacedBy: m.replacedBy,
      replaces: m.replaces,
      revision: state.requiredRevision[m.codename] ?? 1,
    })),
    chair: state.chair,
    chairVotes: state.chairVotes,
    bids: opened.bids,
    rejected: state.decisions.filter((d) => d.rejected),
    decisions: state.decisions,
    passed: state.passed,
    items: items.map((i) => ({ id: i.id, group: i.group, name: i.name, kind: i.kind, max: i.max })),
    sheets: state.sheets.map((s) => ({
      codename: s.codename,
      judge: labelOf(s.codename),
      revision: s.revision,
      version: s.sheet.version,
      sheetSha256: s.sheet.sheetSha256,
      signedAt: s.sheet.signedAt,
      void: s.void,
      ledgerSeq: s.ledgerSeq,
    })),
    preliminary: state.preliminary.map((p) => ({ codename: p.codename, documentSha256: p.documentSha256, signedAt: p.signedAt, void: p.void, ledgerSeq: p.ledgerSeq })),
    /** matrix[judge label] = { codename, revision, scores[bid][item] }: the current sheets of the seated members. */
    matrix: seated.flatMap((m) => {
      const sheet = currentSheet(state, m.codename);
      if (sheet === undefined) return [];
      const scores = Object.fromEntries(state.passed.map((bid) => [bid, Object.fromEntries(items.map((i) => [i.id, sheet.sheet.scores[bid]?.[i.id] ?? null]))]));
      return [{ judge: judgeLabel(m.judge), codename: m.codename, revision: sheet.revision, scores }];
    }),
    flags: (state.aggregate?.flags ?? []).map((f) => ({ ...f, judge: f.judge, judgeLabel: f.judge === null ? null : labelOf(f.judge) })),
    blocked: state.aggregate?.blocked ?? false,
    results: state.results,
    resultsSha256: state.resultsSha256,
    confirmed: state.confirmed === null ? null : { resultsSha256: state.confirmed.resultsSha256, ledgerSeq: state.confirmed.ledgerSeq, ...byOf(state.confirmed.by) },
    rechecks: state.rechecks.map((r) => ({ ...r.target, revision: r.revision, ledgerSeq: r.ledgerSeq, ...byOf(r.by) })),
    replacements: state.replacements,
    refusals: state.refusals,
    problems: state.problems,
  };
}
