/**
 * The report's browser spec (tests/e2e/report-sign.spec.ts) on the committee stack of
 * committee-stack.node.ts (real central, one booth host for Chromium, the other booths as real
 * services in this process); the report's own steps are report-flow.node.ts's:
 *
 * - the central served with `--trust DIR` (the stack's beforeServe hook), DIR holding the CA of every
 *   USB key of the run: the in-process booths' (the stack's trust folder) at once, the host booths'
 *   (each in its own trust folder, made once the central is up) added after the start — the central
 *   watches the folder. Without a trust list the central refuses every report signature
 *   (certificate_rejected);
 * - the committee brought to final results the quickest way the rules allow (report-flow.node.ts
 *   does the same for the report stack): 综合评分法 without a preliminary review, the chair named by
 *   the centre, every member's sheet signed (the browser's member through its host's API: this spec
 *   is about the report), the results confirmed by the centre.
 */
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ReviewView } from '@kawei/shared/contract/booth-review.ts';
import type { ScoreSheet } from '@kawei/shared/contract/booth-session.ts';
import { until, type CommitteeBooth } from './committee-booth.node.ts';
import { committeeIn, doSheet, sheetOf } from './committee-flow.node.ts';
import type { CommitteeHostBooth } from './committee-host-booth.node.ts';
import { COMMITTEE_PIN, type CommitteeStack, type CommitteeStackPaths } from './committee-stack.node.ts';

const operator = ['--operator', 'report-e2e', '--why', '报告签名浏览器测试 / report browser test'];

/** The central's trust folder (under the stack's folder). */
const centralTrust = (stackDir: string): string => join(stackDir, 'central-trust');

function copyCas(source: string, into: string, prefix: string): void {
  mkdirSync(into, { recursive: true });
  for (const name of readdirSync(source)) if (name.endsWith('.pem')) copyFileSync(join(source, name), join(into, `${prefix}-${name}`));
}

/** startCommitteeStack's beforeServe: `serve --trust` a folder holding the CAs of the stack's seat keys. */
export function reportTrust(paths: CommitteeStackPaths): string[] {
  copyCas(paths.trustDir, centralTrust(paths.dir), 'seats');
  return ['--trust', centralTrust(paths.dir)];
}

/** Adds the host booths' CAs (their own trust folders) to the central's trust folder, which it re-reads when it changes. */
export function trustHostKeys(stack: CommitteeStack): void {
  stack.hosts.forEach((h, i) => copyCas(h.token.trustDir, centralTrust(stack.dir), `host${i}`));
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
