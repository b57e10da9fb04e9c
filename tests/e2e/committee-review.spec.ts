import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { openBoothBrowser, typePin } from '../support/booth-browser.node.ts';
import { startCommitteeStack, COMMITTEE_PIN, type CommitteeStack } from '../support/committee-stack.node.ts';
import { bidders, comprehensiveRules, openingBids } from '../support/committee-rules.node.ts';
import { allPass, committeeIn, doPreliminary, doSheet, stageEverywhere } from '../support/committee-flow.node.ts';
import type { CommitteeBooth } from '../support/committee-booth.node.ts';
import type { CommitteeHostBooth } from '../support/committee-host-booth.node.ts';

/**
 * One expert in Chromium takes a blind comprehensive project through every stage — the chair vote,
 * the preliminary review (a fail with its reason), signed on the PIN pad; the detailed review started
 * by this expert as the chair; the score sheet (subjective boxes, objective option buttons) signed;
 * the committee's results shown — while the other two members of the committee are driven through
 * their booths' services in this process (tests/support/committee-stack.node.ts: real central, real
 * booth host for the browser, real booth services, SoftHSM2 keys, face login).
 *
 * The camera is a y4m of the expert's registration photo; liveness is 0 challenges (test-only: a
 * still photo cannot blink).
 */
test.describe.configure({ mode: 'serial' });
test.setTimeout(240_000);

const P = 'P-UI';
/** Made in beforeAll: Playwright loads this file more than once (listing, then the worker). */
let dir = '';
let stack: CommitteeStack;
let browser: Browser;
let page: Page;
let me: CommitteeHostBooth;
let others: CommitteeBooth[];
let received: string[] = [];

test.beforeAll(async () => {
  test.setTimeout(400_000);
  dir = mkdtempSync(join(tmpdir(), 'kawei-committee-e2e-'));
  stack = await startCommitteeStack({
    projects: [{ id: P, members: 3, alternates: 1, blind: true, rules: comprehensiveRules({ recommend: 2 }), bids: openingBids([1_280_000, 1_315_000, 1_250_000, 1_400_000]) }],
    hostSeats: 1,
  });
  me = stack.hosts[0]!;
  others = stack.boothsOf(P);
  ({ browser, page, received } = await openBoothBrowser(stack, dir));
});
test.afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const stage = (s: string) => expect(page.getByTestId('committee-card')).toHaveAttribute('data-stage', s, { timeout: 60_000 });

test('face login, the commitment signed; the committee shows, bidders by code only', async () => {
  await page.goto(me.launchUrl);
  await expect(page.getByTestId('commitment-screen')).toBeVisible({ timeout: 90_000 });
  await page.getByTestId('commitment-sign').click();
  await typePin(page, COMMITTEE_PIN);
  await expect(page.getByTestId('booth-workspace')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('booth-codename')).toHaveText(me.codename);
  await expect(page.getByTestId('review-step')).toBeVisible();
  await stage('preliminary');
  const shown = `${await page.locator('body').innerText()}\n${await page.content()}`;
  for (const name of bidders(4).map((b) => b.name)) expect(shown).not.toContain(name);
});

test('the chair vote in the booth: this expert is elected', async () => {
  await page.getByTestId(`chair-vote-${me.codename}`).click();
  await page.getByTestId('chair-dialog-ok').click();
  await expect(page.getByTestId('chair-vote')).toHaveAttribute('data-state', 'voted');
  for (const b of others) await b.call('castChairVote', { candidate: me.codename });
  await expect(page.getByTestId('chair-named')).toHaveAttribute('data-chair', me.codename, { timeout: 60_000 });
});

test('the preliminary review: every verdict, a fail with its reason, signed on the PIN pad; D rejected by the majority', async () => {
  for (const bid of ['A', 'B', 'C', 'D']) {
    await page.getByTestId(`prelim-bid-${bid}`).click();
    for (const item of ['Q1', 'C1']) {
      if (bid === 'D' && item === 'Q1') {
        await page.getByTestId(`prelim-fail-${bid}-${item}`).click();
        await page.getByTestId(`prelim-reason-${bid}-${item}`).fill('营业执照已过期');
        await page.getByTestId(`prelim-reason-${bid}-${item}`).blur();
      } else {
        await page.getByTestId(`prelim-pass-${bid}-${item}`).click();
      }
      await expect(page.getByTestId(`prelim-item-${bid}-${item}`)).toHaveAttribute('data-pass', bid === 'D' && item === 'Q1' ? 'false' : 'true');
    }
  }
  await expect(page.getByTestId('prelim-saved')).toHaveAttribute('data-state', 'saved');
  await page.getByTestId('prelim-submit').click();
  await expect(page.getByTestId('prelim-summary-D')).toHaveAttribute('data-failed', '1');
  await page.getByTestId('prelim-confirm-ok').click();
  await typePin(page, COMMITTEE_PIN);
  await expect(page.getByTestId('prelim-submitted')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('review-waiting')).toBeVisible();

  const failD = allPass(['A', 'B', 'C', 'D'], ['Q1', 'C1']);
  failD['D']!['C1'] = '未提交投标保证金';
  await doPreliminary(others[0]!, failD);
  await doPreliminary(others[1]!, allPass(['A', 'B', 'C', 'D'], ['Q1', 'C1']));
  await stage('preliminary_done');
  await expect(page.getByTestId('committee-details')).toContainText('1');
  if ((await page.getByTestId('committee-details').getAttribute('data-open')) !== 'true') await page.getByTestId('committee-details').click();
  await expect(page.getByTestId('committee-rejected')).toContainText('D');
  await expect(page.getByTestId('committee-rejected')).toContainText('营业执照已过期');
});

test('the chair starts the detailed review; the sheet lists the bids that passed; scored and signed', async () => {
  await page.getByTestId('chair-start-detailed').click();
  await page.getByTestId('chair-dialog-ok').click();
  await stage('detailed');
  await expect(page.getByTestId('score-sheet')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('score-bidder-D')).toHaveCount(0);
  const mine: Record<string, { T1: string; T2: string; B1: number; B2: number }> = {
    A: { T1: '15', T2: '7', B1: 2, B2: 3 },
    B: { T1: '12', T2: '6', B1: 2, B2: 0 },
    C: { T1: '10', T2: '5', B1: 0, B2: 3 },
  };
  for (const [bid, row] of Object.entries(mine)) {
    await page.getByTestId(`score-input-${bid}-T1`).fill(row.T1);
    await page.getByTestId(`score-input-${bid}-T2`).fill(row.T2);
    await page.getByTestId(`score-option-${bid}-B1-${row.B1}`).click();
    await page.getByTestId(`score-option-${bid}-B2-${row.B2}`).click();
  }
  await page.getByTestId('score-input-C-T2').blur();
  for (const bid of ['A', 'B', 'C']) await expect(page.getByTestId(`score-total-${bid}`)).toHaveAttribute('data-complete', 'true');
  await expect(page.getByTestId('score-saved')).toHaveAttribute('data-state', 'saved');
  await page.getByTestId('score-submit').click();
  await page.getByTestId('score-submit-confirm').click();
  await typePin(page, COMMITTEE_PIN);
  await expect(page.getByTestId('score-submitted')).toBeVisible({ timeout: 30_000 });
});

test('the other members sign; the results are shown in the browser and every booth', async () => {
  await stageEverywhere(others, 'detailed');
  await doSheet(others[0]!, { A: { T1: 14, T2: 8, B1: 2, B2: 3 }, B: { T1: 13, T2: 6, B1: 2, B2: 0 }, C: { T1: 11, T2: 5.5, B1: 0, B2: 3 } });
  await doSheet(others[1]!, { A: { T1: 15.5, T2: 7, B1: 2, B2: 3 }, B: { T1: 12.5, T2: 6.5, B1: 2, B2: 0 }, C: { T1: 10, T2: 6, B1: 0, B2: 3 } });
  await stage('results');
  await expect(page.getByTestId('results-table')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('results-row-A')).toContainText('56.47');
  await expect(page.getByTestId('results-recommended-A')).toBeVisible();
  await expect(page.getByTestId('results-row-D')).toHaveCount(0);
  for (const b of others) await committeeIn(b, 'results', (c) => c.results !== null);

  // the chair confirms in the browser: final everywhere
  await page.getByTestId('chair-confirm').click();
  await page.getByTestId('chair-dialog-ok').click();
  await stage('final');
  await stageEverywhere(others, 'final');
  // never an expert's id or a bidder's name on the wire to the screen
  const wire = received.join('\n');
  expect(wire).not.toMatch(/E3\d\d/);
  for (const name of bidders(4).map((b) => b.name)) expect(wire).not.toContain(name);
});
