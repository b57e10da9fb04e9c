import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chromium, expect, test, type Browser, type Page } from '@playwright/test';
import { scoresSubmittedPayloadSchema } from '../../shared/src/api/signed-submissions.ts';
import { signedDocumentSchema } from '../../shared/src/signing/canonical-signing.ts';
import { CHROMIUM_QUIET_FLAGS, findChromium } from '../../shared/src/host/chromium.node.ts';
import { countNames } from '../../shared/src/tender/blind-match.ts';
import { makeFakeCameraY4m } from '../../scripts/lib/fake-camera.node.ts';
import { startBoothStack, type BoothStack } from '../../scripts/lib/booth-stack.node.ts';

/**
 * The expert's day in the booth end to end: real central, real booth host, a SoftHSM2 token made
 * at start-up as the USB key, and Debian's chromium whose camera is a y4m of the seated expert's
 * registration photo. Face login, the code name (never the name), the commitment letter signed on
 * the PIN pad, a blind tender file read (no bidder name in the DOM nor in any WebSocket frame the
 * page receives), every cell scored and the sheet submitted with the PIN, both signatures checked by
 * `openssl cms -verify` against the test CA, the token pulled (lock screen), and the booth host
 * killed with SIGKILL mid-scoring (the saved scores are intact after the restart).
 *
 * Liveness: the camera is a still photo looped by Chromium; it cannot blink or turn, so active
 * liveness (the booth's default, 3 challenges) can never pass it. The day runs with
 * `livenessChallenges: 0` — a test-only setting (booth-config.ts) — and the first test shows that
 * with liveness on the same photo is refused `liveness_failed`.
 */
test.describe.configure({ mode: 'serial' });
test.setTimeout(180_000);

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'kawei-booth-e2e-'));
let stack: BoothStack;
let browser: Browser;
let page: Page;
/** Every WebSocket frame any booth page received, as text. */
const received: string[] = [];
/** The demo experts' real names (the registry): the screen shows code names only. */
let expertNames: string[] = [];

test.beforeAll(async () => {
  test.setTimeout(300_000);
  stack = await startBoothStack({ dir: join(dir, 'stack'), liveness: 0, pages: 12 });
  expertNames = (JSON.parse(readFileSync(join(stack.central.registryDir, 'experts.json'), 'utf8')) as { name: string }[]).map((e) => e.name);
  const y4m = makeFakeCameraY4m(stack.expert.photo, join(dir, 'camera.y4m'));
  browser = await chromium.launch({
    executablePath: findChromium() ?? undefined,
    args: [...CHROMIUM_QUIET_FLAGS, '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${y4m}`],
  });
});
test.afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The booth's screen (a new page on the running host), every received frame kept. */
async function openBoothScreen(): Promise<Page> {
  if (page && !page.isClosed()) await page.close();
  page = await browser.newPage({ locale: 'zh-CN', viewport: { width: 1920, height: 1080 } });
  page.on('websocket', (ws) => ws.on('framereceived', (f) => received.push(typeof f.payload === 'string' ? f.payload : f.payload.toString('utf8'))));
  await page.goto(stack.booth.ready.launchUrl);
  return page;
}

async function typePin(p: Page, pin: string): Promise<void> {
  await expect(p.getByTestId('pin-dialog')).toBeVisible();
  for (const digit of pin) await p.getByTestId(`pinpad-${digit}`).click();
  await p.getByTestId('pinpad-ok').click();
}

async function eventually<T>(what: string, probe: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** `openssl cms -verify` of a detached CMS over `content` with the test CA: the independent check. */
async function opensslVerify(content: string, cmsBase64: string): Promise<{ ok: boolean; output: string }> {
  const stamp = `${Date.now()}-${Math.random().toString(16).slice(2)}`;
  const contentFile = join(dir, `content-${stamp}.json`);
  const cmsFile = join(dir, `cms-${stamp}.der`);
  writeFileSync(contentFile, content, 'utf8');
  writeFileSync(cmsFile, Buffer.from(cmsBase64, 'base64'));
  try {
    const { stdout, stderr } = await run('openssl', ['cms', '-verify', '-binary', '-content', contentFile, '-inform', 'DER', '-in', cmsFile, '-CAfile', stack.caPem, '-out', '/dev/null']);
    return { ok: true, output: `${stdout}${stderr}` };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

/** Bidder names found in a text: the blind matcher's normalised forms, and the raw names and aliases. */
function bidderNamesIn(text: string): string[] {
  const found = [...countNames(text, stack.bidderNeedles).keys()].map((code) => `bidder ${code} (normalised)`);
  for (const name of stack.bidderNames) if (text.includes(name)) found.push(name);
  return found;
}

/** Every string inside a JSON frame (undoes \u escapes), joined; the raw text if it is not JSON. */
function frameStrings(frame: string): string {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') out.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  try {
    walk(JSON.parse(frame));
  } catch {
    return frame;
  }
  return out.join('\n');
}

test('with liveness on (the default), the still photo of the seated expert is refused liveness_failed', async () => {
  await stack.restartBooth({ liveness: 3 });
  try {
    const p = await openBoothScreen();
    await expect(p.getByTestId('booth-guidance')).toHaveAttribute('data-challenge', /^(blink|turn_left|turn_right|nod)$/, { timeout: 60_000 });
    await expect(p.locator('[data-testid="booth-notice"][data-notice="liveness_failed"]')).toBeVisible({ timeout: 90_000 });
    await expect(p.getByTestId('commitment-screen')).toHaveCount(0);
    const failed = await eventually('booth.login_failed at the central', async () =>
      (await stack.centralEvents('booth.login_failed')).find((e) => e.payload['reason'] === 'liveness_failed'),
    );
    expect(failed.payload['expert']).toBe(stack.seat.expert);
    await p.close();
  } finally {
    await stack.restartBooth({ liveness: 0 });
  }
});

test('face login shows the code name, never the name; the commitment letter is signed on the PIN pad and openssl verifies it', async () => {
  const p = await openBoothScreen();
  await expect(p.getByTestId('position-label')).toContainText(stack.seat.label);
  // The camera sees the seated expert: straight to the commitment letter, under the day's code name.
  await expect(p.getByTestId('commitment-screen')).toBeVisible({ timeout: 60_000 });
  await expect(p.getByTestId('booth-codename')).toHaveText(stack.seat.codename);
  await expect(p.getByTestId('commitment-text')).toContainText(stack.seat.codename);
  const shown = `${await p.locator('body').innerText()}\n${await p.content()}`;
  for (const name of [...expertNames, stack.seat.expert]) expect(shown).not.toContain(name);

  await p.getByTestId('commitment-sign').click();
  await typePin(p, stack.token.pin);
  await expect(p.getByTestId('booth-workspace')).toBeVisible({ timeout: 30_000 });
  await expect(p.getByTestId('booth-codename')).toHaveText(stack.seat.codename);

  // The signed letter reached the central; openssl, knowing only the CA, accepts it.
  const event = await eventually('booth.commitment_signed at the central', async () => (await stack.centralEvents('booth.commitment_signed'))[0]);
  const doc = signedDocumentSchema.parse(event.payload['document']);
  expect(doc.kind).toBe('commitment-letter');
  expect(doc.signer.subject).toContain(`CN=${stack.seat.codename}`);
  expect(JSON.parse(doc.content)).toMatchObject({ codename: stack.seat.codename, project: stack.seat.project });
  const verdict = await opensslVerify(doc.content, doc.cms);
  expect(verdict.output).toContain('Verification successful');
  expect(verdict.ok).toBe(true);
  // One character of the letter changed: refused.
  expect((await opensslVerify(doc.content.replace(stack.seat.codename, 'XX-00'), doc.cms)).ok).toBe(false);
});

test('a blind tender file: pages render; no bidder name in the DOM nor in any WebSocket frame the page received', async () => {
  const p = page;
  const items = p.getByTestId('file-item');
  await expect(items).toHaveCount(stack.material.files.length);
  await expect(p.getByTestId('booth-project')).toHaveAttribute('data-blind', 'true');
  for (const code of ['A', 'B', 'C']) await expect(p.locator(`[data-testid="file-item"][data-bidder="${code}"]`)).toContainText(`投标文件（投标人${code}）`);

  // Read the first two files: pages 1-4 of each, the thumbnails and the outline.
  for (const code of ['A', 'B']) {
    await p.locator(`[data-testid="file-item"][data-bidder="${code}"]`).click();
    await expect(p.locator('[data-testid="viewer-page"][data-page="1"]')).toHaveAttribute('data-loaded', 'true', { timeout: 30_000 });
    for (const n of [2, 3, 4]) {
      await p.getByTestId('viewer-next').click();
      await expect(p.getByTestId('viewer-page-indicator')).toHaveAttribute('data-page', String(n));
      await expect(p.locator(`[data-testid="viewer-page"][data-page="${n}"]`)).toHaveAttribute('data-loaded', 'true', { timeout: 30_000 });
    }
    await p.getByTestId('viewer-panel-outline').click();
    await expect(p.getByTestId('outline-item').first()).toBeVisible({ timeout: 30_000 });
    await p.getByTestId('viewer-panel-thumbnails').click();
  }
  // Search for the code label: the covered places are found by their code.
  await p.getByTestId('viewer-panel-search').click();
  await p.getByTestId('search-input').fill('投标人B');
  await p.getByTestId('search-go').click();
  await expect(p.getByTestId('search-summary')).toHaveAttribute('data-count', /^[1-9]\d*$/, { timeout: 30_000 });

  // A section heading of the generated tender: the hit clicked shows yellow boxes over that page's
  // image, as many places as the hit counts, the first one in view; they carry no text.
  await p.getByTestId('search-input').fill('技术方案');
  await expect(p.getByTestId('search-highlight')).toHaveCount(0);
  await p.getByTestId('search-go').click();
  await expect(p.getByTestId('search-summary')).toHaveAttribute('data-count', /^[1-9]\d*$/, { timeout: 30_000 });
  const hit = p.getByTestId('search-hit').last();
  const hitPage = (await hit.getAttribute('data-page')) ?? '';
  const hitCount = Number(await hit.getAttribute('data-count'));
  expect(hitCount).toBeGreaterThan(0);
  await hit.click();
  await expect(p.getByTestId('viewer-page-indicator')).toHaveAttribute('data-page', hitPage);
  const hitPageView = p.locator(`[data-testid="viewer-page"][data-page="${hitPage}"]`);
  await expect(hitPageView).toHaveAttribute('data-loaded', 'true', { timeout: 30_000 });
  const layer = p.locator(`[data-testid="search-highlights"][data-page="${hitPage}"]`);
  await expect(layer).toHaveAttribute('data-count', String(hitCount), { timeout: 30_000 });
  await expect(layer).toHaveText('');
  const marks = layer.getByTestId('search-highlight');
  expect(await marks.count()).toBeGreaterThanOrEqual(hitCount);
  const pageBox = await hitPageView.boundingBox();
  expect(pageBox).not.toBeNull();
  for (const mark of await marks.all()) {
    const b = await mark.boundingBox();
    expect(b).not.toBeNull();
    expect(b!.width).toBeGreaterThan(4);
    expect(b!.height).toBeGreaterThan(4);
    expect(b!.x).toBeGreaterThanOrEqual(pageBox!.x - 0.5);
    expect(b!.y).toBeGreaterThanOrEqual(pageBox!.y - 0.5);
    expect(b!.x + b!.width).toBeLessThanOrEqual(pageBox!.x + pageBox!.width + 0.5);
    expect(b!.y + b!.height).toBeLessThanOrEqual(pageBox!.y + pageBox!.height + 0.5);
  }
  const pane = await p.getByTestId('viewer').boundingBox();
  await expect
    .poll(async () => {
      const b = await marks.first().boundingBox();
      return b !== null && pane !== null && b.y >= pane.y && b.y + b.height <= pane.y + pane.height && b.x >= pane.x && b.x + b.width <= pane.x + pane.width;
    })
    .toBe(true);
  // Changing the query takes the boxes away at once; a bidder's real name finds nothing in a blind
  // file, so nothing is marked.
  await p.getByTestId('search-input').fill(stack.bidderNames[0] ?? '');
  await expect(p.getByTestId('search-highlight')).toHaveCount(0);
  await p.getByTestId('search-go').click();
  await expect(p.getByTestId('search-summary')).toHaveAttribute('data-count', '0', { timeout: 30_000 });
  await expect(p.getByTestId('search-hit')).toHaveCount(0);
  await expect(p.getByTestId('search-highlight')).toHaveCount(0);
  // Found again, then cleared: the boxes go (and the typed name with them, before the DOM is scanned).
  await p.getByTestId('search-input').fill('技术方案');
  await p.getByTestId('search-go').click();
  await expect(p.getByTestId('search-highlight').first()).toBeVisible({ timeout: 30_000 });
  await p.getByTestId('search-clear').click();
  await expect(p.getByTestId('search-highlight')).toHaveCount(0);
  await expect(p.getByTestId('search-input')).toHaveValue('');

  // The scanner finds the names where they are: in the project's material, and split by a space.
  expect(bidderNamesIn(readFileSync(join(stack.material.dir, 'project.json'), 'utf8')).length).toBeGreaterThan(0);
  expect(bidderNamesIn('华东示例 建设有限公司').length).toBeGreaterThan(0);
  // The DOM: the whole document and its text.
  const html = await p.evaluate(() => document.documentElement.outerHTML);
  const text = await p.evaluate(() => document.documentElement.innerText);
  expect(bidderNamesIn(html)).toEqual([]);
  expect(bidderNamesIn(text)).toEqual([]);
  // The traffic: page images, text layers, outlines, search hits and every session event arrived.
  expect(received.some((f) => f.includes('image/jpeg') || f.includes('image/png'))).toBe(true);
  expect(received.some((f) => f.includes('投标人A'))).toBe(true);
  const leaks = received.map((f, i) => ({ i, found: [...bidderNamesIn(f), ...bidderNamesIn(frameStrings(f))] })).filter((l) => l.found.length > 0);
  expect(leaks).toEqual([]);
});

test('the booth host killed (SIGKILL) mid-scoring: after the restart and a new face login the saved scores are intact', async () => {
  const p = page;
  await p.getByTestId('score-input-A-tech').fill('35');
  await p.getByTestId('score-input-A-business').fill('14');
  await p.getByTestId('score-plus-B-price').click(); // 0.5
  await p.getByTestId('score-plus-B-price').click(); // 1 — a very low score: a note is asked for
  await expect(p.getByTestId('score-saved')).toHaveAttribute('data-state', 'saved');
  await expect(p.getByTestId('score-input-B-price')).toHaveValue('1');
  // The services hold them (each save is one synchronous=FULL transaction before the answer).
  await expect
    .poll(async () => {
      const sheet = await stack.client.call<{ scores: Record<string, Record<string, number | null>> }>('getScoreSheet', {});
      return [sheet.scores['A']?.['tech'], sheet.scores['A']?.['business'], sheet.scores['B']?.['price']];
    })
    .toEqual([35, 14, 1]);

  await stack.restartBooth({ kill: true });
  const again = await openBoothScreen();
  // The commitment is signed and the key is in: the face login goes straight back to work.
  await expect(again.getByTestId('booth-workspace')).toBeVisible({ timeout: 60_000 });
  await expect(again.getByTestId('score-input-A-tech')).toHaveValue('35');
  await expect(again.getByTestId('score-input-A-business')).toHaveValue('14');
  await expect(again.getByTestId('score-input-B-price')).toHaveValue('1');
  await expect(again.getByTestId('score-input-C-tech')).toHaveValue('');
});

test('every cell scored, the required notes written, submitted with the PIN; openssl verifies the signed sheet', async () => {
  const p = page;
  const values: Record<string, Record<string, string>> = {
    A: { tech: '35', business: '14', price: '21' },
    B: { tech: '46', business: '12', price: '1' },
    C: { tech: '28.5', business: '15', price: '24' },
  };
  for (const [bidder, row] of Object.entries(values)) {
    for (const [criterion, value] of Object.entries(row)) {
      const input = p.getByTestId(`score-input-${bidder}-${criterion}`);
      if ((await input.inputValue()) !== value) await input.fill(value);
    }
  }
  // 46 of 50 (≥ 90 %) and 1 of 30 (≤ 20 %) need a note.
  await p.getByTestId('score-note-B-tech').fill('技术方案完整，施工组织设计合理');
  await p.getByTestId('score-note-B-price').fill('报价明显高于其他投标人');
  await p.getByTestId('score-note-B-price').blur();
  await expect(p.getByTestId('score-total-A')).toHaveAttribute('data-complete', 'true');
  await expect(p.getByTestId('score-total-B')).toHaveAttribute('data-complete', 'true');
  await expect(p.getByTestId('score-total-C')).toHaveAttribute('data-complete', 'true');
  await expect(p.getByTestId('score-saved')).toHaveAttribute('data-state', 'saved');

  await p.getByTestId('score-submit').click();
  await expect(p.getByTestId('score-confirm')).toBeVisible();
  await p.getByTestId('score-submit-confirm').click();
  await typePin(p, stack.token.pin);
  await expect(p.getByTestId('score-submitted')).toBeVisible({ timeout: 30_000 });
  await expect(p.getByTestId('score-sheet')).toHaveAttribute('data-state', 'submitted');

  const event = await eventually('booth.scores_submitted at the central', async () => (await stack.centralEvents('booth.scores_submitted'))[0]);
  // What the central checks it against (kawei-central signatures): the booth's payload fits it.
  expect(scoresSubmittedPayloadSchema.safeParse(event.payload).error).toBeUndefined();
  const signed = signedDocumentSchema.parse(event.payload['signed']);
  expect(signed.kind).toBe('score-sheet');
  expect(signed.signer.subject).toContain(`CN=${stack.seat.codename}`);
  expect(signed.content).toContain('技术方案完整');
  expect(bidderNamesIn(signed.content)).toEqual([]);
  const verdict = await opensslVerify(signed.content, signed.cms);
  expect(verdict.output).toContain('Verification successful');
  expect(verdict.ok).toBe(true);
  expect((await opensslVerify(signed.content.replace('"46"', '"47"').replace(':46', ':47'), signed.cms)).ok).toBe(false);
});

test('the USB key pulled out: the lock screen appears at once (token_removed); put back, the booth goes on after a face check', async () => {
  const p = page;
  await expect(p.getByTestId('lock-screen')).toHaveCount(0);
  // Keep the token's files: putting them back is putting the same key back in.
  const tokenFiles = join(stack.token.dir, 'tokens');
  const keyCopy = join(dir, 'token-copy');
  cpSync(tokenFiles, keyCopy, { recursive: true });
  const pulled = Date.now();
  await stack.token.deleteToken();
  await expect(p.getByTestId('lock-screen')).toBeVisible({ timeout: 10_000 });
  await expect(p.getByTestId('lock-screen')).toHaveAttribute('data-reason', 'token_removed');
  const lockedAfterMs = Date.now() - pulled;
  test.info().annotations.push({ type: 'lock', description: `lock screen ${lockedAfterMs} ms after the token was deleted` });
  await expect(p.getByTestId('booth-workspace')).toHaveCount(0);

  // The same key back in: the booth's PKCS#11 provider re-initialises the module to see it (SoftHSM2,
  // like several vendors' modules, reads its tokens at C_Initialize only), and with the expert's face
  // (liveness off in this stack) the screen unlocks where the day had got to: the sheet was submitted.
  cpSync(keyCopy, tokenFiles, { recursive: true });
  const back = Date.now();
  await expect(p.getByTestId('lock-screen')).toHaveCount(0, { timeout: 30_000 });
  await expect(p.getByTestId('booth-workspace')).toBeVisible();
  await expect(p.getByTestId('score-sheet')).toHaveAttribute('data-state', 'submitted');
  test.info().annotations.push({ type: 'unlock', description: `unlocked ${Date.now() - back} ms after the key was put back` });
  const unlocked = await eventually('booth.unlocked at the central', async () =>
    (await stack.centralEvents('booth.unlocked')).find((e) => e.payload['lockReason'] === 'token_removed'),
  );
  expect(unlocked.payload['to']).toBe('submitted');
});
