import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Browser, type Page } from '@playwright/test';
import type { ReportView } from '../../shared/src/contract/booth-report.ts';
import { openBoothBrowser, typePin } from '../support/booth-browser.node.ts';
import { startCommitteeStack, COMMITTEE_PIN, type CommitteeStack } from '../support/committee-stack.node.ts';
import { openingBids, scoringOnlyRules } from '../support/committee-rules.node.ts';
import type { CommitteeBooth } from '../support/committee-booth.node.ts';
import type { CommitteeHostBooth } from '../support/committee-host-booth.node.ts';
import { committeeToFinal, reportTrust, trustHostKeys } from '../support/report-e2e-committee.node.ts';
import { report, reportIn, storedFile } from '../support/report-flow.node.ts';
import { pdfsig, pdftotext } from '../support/report-tools.node.ts';

/**
 * Issue #14 in the browser: an expert in Chromium reads the evaluation report in the booth, enters a
 * dissent signed on the PIN pad, then — on their turn — signs the final report on the PIN pad, which
 * shows the short hash of exactly the PDF on screen; the other two members answer and sign through
 * their booths' services in this process (real central with a trust list, real booth host for the
 * browser, real booth services, SoftHSM2 keys, face login). The signed head in the central's store
 * carries the dissent and one valid PAdES signature per member (pdfsig).
 */
test.describe.configure({ mode: 'serial' });
test.setTimeout(300_000);

const P = 'P-RPT';
const BIDS = ['A', 'B', 'C'];
const ITEMS = 2;
const DISSENT = '评分项1的评分依据不足，本人保留意见。';
/** Waits on a booth's report: the browser's member answers through the screen, slower than through the services. */
const E2E_WAIT = 90_000;
let dir = '';
let stack: CommitteeStack;
let browser: Browser;
let page: Page;
let me: CommitteeHostBooth;
let others: CommitteeBooth[];
let received: string[] = [];

test.beforeAll(async () => {
  test.setTimeout(400_000);
  dir = mkdtempSync(join(tmpdir(), 'kawei-report-e2e-'));
  stack = await startCommitteeStack({
    projects: [{ id: P, members: 3, alternates: 1, blind: true, rules: scoringOnlyRules(ITEMS), bids: openingBids([1_280_000, 1_315_000, 1_250_000]) }],
    hostSeats: 1,
    beforeServe: reportTrust,
  });
  me = stack.hosts[0]!;
  others = stack.boothsOf(P);
  trustHostKeys(stack);
  ({ browser, page, received } = await openBoothBrowser(stack, dir));
});
test.afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Runs `check`; when it fails, the central's own account of the report (`kawei-central report status`) goes with the error. */
async function withStatus<T>(check: () => Promise<T>): Promise<T> {
  try {
    return await check();
  } catch (error) {
    const status = await stack.cliRaw('report', '--project', P, 'status', '--json');
    const views = await Promise.all([me, ...others].map((b) => report(b).catch((e: unknown) => String(e))));
    throw new Error(`${(error as Error).message}\n\nreport status: ${status.stdout}${status.stderr}\n\nbooth views: ${JSON.stringify(views, null, 1).slice(0, 6000)}`);
  }
}

const panelStep = (step: string, timeout = 90_000) => expect(page.getByTestId('report-panel')).toHaveAttribute('data-step', step, { timeout });

test('face login and the commitment; the committee reaches final results', async () => {
  await page.goto(me.launchUrl);
  await expect(page.getByTestId('commitment-screen')).toBeVisible({ timeout: 90_000 });
  await page.getByTestId('commitment-sign').click();
  await typePin(page, COMMITTEE_PIN);
  await expect(page.getByTestId('booth-workspace')).toBeVisible({ timeout: 30_000 });
  await committeeToFinal(stack, P, me, others, BIDS, ITEMS);
});

test('the report opens by itself: the draft in the viewer, the stage marked, the members by 评委n and code name', async () => {
  await panelStep('dissent');
  await expect(page.getByTestId('review-stage-report')).toHaveAttribute('data-state', 'current');
  await expect(page.getByTestId('report-file-item')).toHaveAttribute('data-active', 'true');
  await expect(page.getByTestId('report-kind')).toHaveAttribute('data-kind', 'draft');
  const view = await report(me);
  await expect(page.getByTestId('report-viewer')).toHaveAttribute('data-sha256', view.report!.draft.sha256);
  await expect(page.getByTestId('viewer-page').first()).toHaveAttribute('data-loaded', 'true', { timeout: 30_000 });
  for (const b of [me, ...others]) await expect(page.getByTestId(`report-member-${b.codename}`)).toBeVisible();
  await expect(page.getByTestId(`report-member-${me.codename}`)).toHaveAttribute('data-me', 'true');
});

test('a dissent typed and signed on the PIN pad, with the hash of the draft read', async () => {
  await page.getByTestId('report-dissent-text').fill(DISSENT);
  await expect(page.getByTestId('report-dissent-count')).toHaveAttribute('data-length', String(DISSENT.length));
  await expect(page.getByTestId('report-no-dissent')).toBeDisabled();
  await page.getByTestId('report-dissent-submit').click();
  const draft = await page.getByTestId('report-viewer').getAttribute('data-sha256');
  await expect(page.getByTestId('pin-hash')).toHaveAttribute('data-sha256', draft!);
  await expect(page.getByTestId('pin-detail')).toContainText('评分项1');
  await typePin(page, COMMITTEE_PIN);
  await panelStep('wait_dissent', 30_000);
  await expect(page.getByTestId('report-my-dissent')).toContainText(DISSENT);

  // The others have no dissent (no PIN: the booth's key seals the answer).
  for (const b of others) {
    const v = await reportIn(b, 'the draft', (r) => r.step === 'dissent' && r.shown !== null, E2E_WAIT);
    await b.call<ReportView>('submitDissent', { text: null, sha256: v.shown!.sha256 });
  }
  // The central's account of every answer reaches the screen (with the final PDF at the latest).
  await withStatus(async () => {
    await expect(page.getByTestId(`report-member-${me.codename}`)).toHaveAttribute('data-dissent', 'dissent', { timeout: 90_000 });
    for (const b of others) await expect(page.getByTestId(`report-member-${b.codename}`)).toHaveAttribute('data-dissent', 'none');
  });
});

test('members sign in seat order; this expert signs on the PIN pad, which shows the short hash of the head on screen', async () => {
  const view = await withStatus(() => reportIn(me, 'signing', (r) => r.stage === 'signing' && r.shown?.kind === 'head', E2E_WAIT));
  const order = [...view.report!.members].sort((a, b) => Number(a.judge.replace(/\D/g, '')) - Number(b.judge.replace(/\D/g, '')));
  let signed = false;
  for (const member of order) {
    if (member.codename === me.codename) {
      await panelStep('sign');
      await expect(page.getByTestId('report-kind')).toHaveAttribute('data-kind', 'head');
      const head = (await report(me)).report!.head!.sha256;
      await expect(page.getByTestId('report-viewer')).toHaveAttribute('data-sha256', head);
      await expect(page.getByTestId('report-sign')).toBeEnabled();
      await page.getByTestId('report-sign').click();
      await expect(page.getByTestId('pin-hash')).toHaveAttribute('data-sha256', head);
      await expect(page.getByTestId('pin-hash-short')).toHaveText(`${head.slice(0, 8)}…${head.slice(-8)}`);
      await typePin(page, COMMITTEE_PIN);
      await expect(page.getByTestId('pin-dialog')).toHaveCount(0, { timeout: 60_000 });
      await expect(page.getByTestId(`report-member-${me.codename}`)).toHaveAttribute('data-signature', 'signed', { timeout: 60_000 });
      signed = true;
    } else {
      const b = others.find((o) => o.codename === member.codename)!;
      // Until this expert has signed, the browser says whose turn it is (评委n and code name).
      if (!signed) await expect(page.getByTestId('report-instruction')).toContainText(`${member.judge}（${member.codename}）`, { timeout: 60_000 });
      const v = await reportIn(b, 'its turn', (r) => r.step === 'sign' && r.shown?.kind === 'head' && r.shown.sha256 === r.report?.head?.sha256, E2E_WAIT);
      await b.call<ReportView>('signReport', { pin: b.key.pin, sha256: v.shown!.sha256 });
    }
  }
  await expect(page.getByTestId('report-panel')).toHaveAttribute('data-stage', 'supervisor', { timeout: 60_000 });
  for (const b of [me, ...others]) await expect(page.getByTestId(`report-member-${b.codename}`)).toHaveAttribute('data-signature', 'signed');
  await expect(page.getByTestId('report-instruction')).toContainText('监标人');
});

test('the signed head carries the dissent and one valid signature per member; no expert’s identity reached the screen', async () => {
  const head = await reportIn(me, 'head', (r) => r.report?.head !== null && r.stage === 'supervisor', E2E_WAIT);
  const pdf = await storedFile(stack, head.report!.head!.sha256);
  const text = pdftotext(dir, pdf).replace(/\s+/g, '');
  expect(text).toContain(DISSENT.replace(/\s+/g, ''));
  const checked = pdfsig(dir, pdf);
  expect(checked.signatures).toHaveLength(3);
  for (const s of checked.signatures) expect(s.valid, JSON.stringify(s)).toBe(true);
  // Page images are base64: long runs of it are left out (they would match anything by chance).
  const wire = received.join('\n').replace(/[A-Za-z0-9+/=]{120,}/g, '');
  expect(wire).not.toMatch(/\bE3\d\d\b/);
  expect(wire).not.toContain('测试专家');
});
