/**
 * The report's browser spec (tests/e2e/report-sign.spec.ts) on the committee stack of
 * committee-stack.node.ts (real central, one booth host for Chromium, the other booths as real
 * services in this process):
 *
 * - the central restarted with `serve --trust DIR`, DIR holding the CA of every USB key of the run
 *   (the in-process booths' and the host's): the committee stack starts it without a trust list, and
 *   the central refuses every report signature without one (certificate_rejected);
 * - the committee brought to final results the quickest way the rules allow (report-flow.node.ts
 *   does the same for the report stack): 综合评分法 without a preliminary review, the chair named by
 *   the centre, every member's sheet signed (the browser's member through its host's API: this spec
 *   is about the report), the results confirmed by the centre.
 */
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ReportView } from '@kawei/shared/contract/booth-report.ts';
import type { ReviewView } from '@kawei/shared/contract/booth-review.ts';
import type { ScoreSheet } from '@kawei/shared/contract/booth-session.ts';
import { SqliteCentralStore } from '@kawei/central/storage/sqlite-central-store.node.ts';
import { ENTRY, startNode, type Listening, type Running } from '../../scripts/lib/processes.node.ts';
import { until, type CommitteeBooth } from './committee-booth.node.ts';
import { committeeIn, doSheet, sheetOf } from './committee-flow.node.ts';
import type { CommitteeHostBooth } from './committee-host-booth.node.ts';
import { COMMITTEE_PIN, type CommitteeStack } from './committee-stack.node.ts';

const operator = ['--operator', 'report-e2e', '--why', '报告签名浏览器测试 / report browser test'];

/** Every CA of the run's USB keys in one folder. */
export function collectTrust(stack: CommitteeStack, into: string): string {
  mkdirSync(into, { recursive: true });
  const sources = [stack.trustDir, ...stack.hosts.map((h) => h.token.trustDir)];
  sources.forEach((source, i) => {
    for (const name of readdirSync(source)) if (name.endsWith('.pem')) copyFileSync(join(source, name), join(into, `${i}-${name}`));
  });
  return into;
}

/** Stops the stack's central and serves the same data on the same port with `--trust`: the booths keep their enrolment (same TLS identity). */
export async function restartCentralWithTrust(stack: CommitteeStack, trustDir: string): Promise<Running<Listening>> {
  await stack.stopCentral();
  const port = new URL(stack.centralUrl).port;
  return startNode<Listening>(ENTRY.central, ['serve', '--data', stack.centralData, '--host', '127.0.0.1', '--port', port, '--trust', trustDir], { label: 'central', quiet: true });
}

/** Until the host booth's review satisfies `ok`. */
export function hostReviewIn(host: CommitteeHostBooth, what: string, ok: (v: ReviewView) => boolean, timeoutMs = 60_000): Promise<ReviewView> {
  return until(`${host.codename}: ${what}`, () => host.review(), ok, timeoutMs, 100);
}

/** Scores and signs the host booth's sheet through its API (what the sheet screen calls). */
async function hostSheet(host: CommitteeHostBooth, scores: Record<string, Record<string, number>>): Promise<void> {
  for (const [bidder, row] of Object.entries(scores)) {
    for (const [criterion, value] of Object.entries(row)) await host.call<ScoreSheet>('saveScore', { bidder, criterion, value });
  }
  await host.call('submitScores', { pin: COMMITTEE_PIN });
}

/** Chair named by the centre (the host's member), every sheet signed (scores 4…8 of 10), results confirmed by the centre. */
export async function committeeToFinal(stack: CommitteeStack, project: string, host: CommitteeHostBooth, others: readonly CommitteeBooth[], bids: readonly string[], items: number): Promise<void> {
  await hostReviewIn(host, 'stage detailed', (v) => v.committee?.stage === 'detailed');
  await Promise.all(others.map((b) => committeeIn(b, 'stage detailed', (c) => c.stage === 'detailed', 60_000)));
  await stack.cli('committee', 'chair', '--project', project, '--codename', host.codename, ...operator);
  const row = (k: number) => sheetOf(bids, (_bid, i) => Object.fromEntries(Array.from({ length: items }, (_, t) => [`T${t + 1}`, 4 + ((i + k + t) % 5)])));
  await hostSheet(host, row(0));
  for (const [k, b] of others.entries()) await doSheet(b, row(k + 1));
  await hostReviewIn(host, 'results', (v) => v.committee?.results !== null && v.committee?.results !== undefined);
  await stack.cli('committee', 'confirm', '--project', project, ...operator);
  await hostReviewIn(host, 'stage final', (v) => v.committee?.stage === 'final');
}

export function reportOf(booth: CommitteeBooth | CommitteeHostBooth): Promise<ReportView> {
  return booth.call<ReportView>('getReport');
}

export function reportIn(booth: CommitteeBooth | CommitteeHostBooth, what: string, ok: (v: ReportView) => boolean, timeoutMs = 90_000): Promise<ReportView> {
  return until(`${booth.codename}: report ${what}`, () => reportOf(booth), ok, timeoutMs, 100);
}

/** A report file's bytes from the central's store. */
export async function storedReportFile(stack: CommitteeStack, sha256: string): Promise<Uint8Array> {
  const store = SqliteCentralStore.open(join(stack.centralData, 'central.sqlite'));
  try {
    const file = await store.getReportFile(sha256);
    if (!file) throw new Error(`no report file ${sha256} in the central's store`);
    return new Uint8Array(file.bytes);
  } finally {
    await store.close();
  }
}
