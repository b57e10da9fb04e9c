/**
 * The report's steps as the booth's screen takes them (getReport, submitDissent, signReport,
 * refuseToSign through the booth's API dispatcher) and as the operator sees them (`kawei-central
 * report … --json`, the report files in the central's store), for tests/report/ and any committee stack
 * (a host booth's screen answers the same calls).
 *
 * A committee is brought to final results the quickest way the rules allow: 综合评分法 without a
 * preliminary review, the chair named by the centre, every member signs a sheet, the centre confirms.
 */
import type { ReportStep, ReportView } from '@kawei/shared/contract/booth-report.ts';
import { SqliteCentralStore } from '@kawei/central/storage/sqlite-central-store.node.ts';
import { committeeIn, doSheet, resultsEverywhere, sheetOf, stageEverywhere } from './committee-flow.node.ts';
import { until, type CommitteeBooth } from './committee-booth.node.ts';
import type { CommitteeHostBooth } from './committee-host-booth.node.ts';
import type { CommitteeStack } from './committee-stack.node.ts';

export type Json = Record<string, unknown>;

const operator = ['--operator', 'report-test', '--why', '报告测试 / report test'];

/** Chair named by the centre, a sheet signed by every member (items T1…Tn, max 10), results confirmed by the centre. */
export async function committeeToFinal(stack: CommitteeStack, project: string, booths: readonly CommitteeBooth[], bids: readonly string[], items: number): Promise<string> {
  await stageEverywhere(booths, 'detailed', 60_000);
  await stack.cli('committee', 'chair', '--project', project, '--codename', booths[0]!.codename, ...operator);
  await Promise.all(booths.map((b) => committeeIn(b, 'the chair', (c) => c.chair === booths[0]!.codename, 30_000)));
  // Scores 4…8 of 10 (no note needed for an extreme), different per member and bid.
  for (const [k, b] of booths.entries()) {
    await doSheet(b, sheetOf(bids, (_bid, i) => Object.fromEntries(Array.from({ length: items }, (_, t) => [`T${t + 1}`, 4 + ((i + k + t) % 5)]))));
  }
  const views = await resultsEverywhere(booths, undefined, 60_000);
  const sha = views[0]!.committee!.results!.resultsSha256;
  await stack.cli('committee', 'confirm', '--project', project, ...operator);
  await stageEverywhere(booths, 'final', 60_000);
  return sha;
}

export function report(booth: CommitteeBooth | CommitteeHostBooth): Promise<ReportView> {
  return booth.call<ReportView>('getReport');
}

/** Until the booth's report view satisfies `ok`. */
export function reportIn(booth: CommitteeBooth | CommitteeHostBooth, what: string, ok: (v: ReportView) => boolean, timeoutMs = 60_000): Promise<ReportView> {
  return until(`${booth.codename}: report ${what}`, () => report(booth), ok, timeoutMs, 100);
}

/** Until every booth's report view is at one of `steps`. */
export function stepEverywhere(booths: readonly CommitteeBooth[], steps: ReportStep | readonly ReportStep[], timeoutMs = 60_000): Promise<ReportView[]> {
  const want = new Set(typeof steps === 'string' ? [steps] : steps);
  return Promise.all(booths.map((b) => reportIn(b, `step ${[...want].join('|')}`, (v) => want.has(v.step), timeoutMs)));
}

/** `kawei-central report --project P status --json`, parsed. */
export async function reportStatus(stack: CommitteeStack, project: string): Promise<Json> {
  return JSON.parse(await stack.cli('report', '--project', project, 'status', '--json')) as Json;
}

/** A report file's bytes from the central's store (content-addressed by SHA-256). */
export async function storedFile(stack: CommitteeStack, sha256: string): Promise<Uint8Array> {
  const store = SqliteCentralStore.open(stack.sqlite);
  try {
    const file = await store.getReportFile(sha256);
    if (!file) throw new Error(`no report file ${sha256} in the central's store`);
    return new Uint8Array(file.bytes);
  } finally {
    await store.close();
  }
}

/** The project's report files as the store lists them (no bytes). */
export async function storedFiles(stack: CommitteeStack, project: string): Promise<{ sha256: string; kind: string; size: number }[]> {
  const store = SqliteCentralStore.open(stack.sqlite);
  try {
    return await store.listReportFiles(stack.date, project);
  } finally {
    await store.close();
  }
}
