import { expect, test, type Page } from '@playwright/test';
import { MESSAGES, messages } from '../../shared/src/i18n/messages.ts';
import { Stack } from './support/stack.ts';

const zh = messages['zh-CN'];
const zhText = MESSAGES['zh-CN'];

/**
 * A field technician enrols a fresh booth and a fresh gate through their screens against a running
 * central, sees the enrolled state, and the link state follows the central going away and coming back.
 */
test.describe.configure({ mode: 'serial' });

let stack: Stack;
test.beforeAll(async () => {
  stack = new Stack();
  await stack.startCentral();
});
test.afterAll(async () => stack.stop());

async function enrol(page: Page, centralUrl: string, code: string, fingerprint = stack.centralFingerprint): Promise<void> {
  await page.getByTestId('enrol-central-url').fill(centralUrl);
  await page.getByTestId('enrol-code').fill(code);
  await page.getByTestId('enrol-fingerprint').fill(fingerprint);
  await page.getByTestId('enrol-submit').click();
}

test('a booth enrols through its screen and shows its room and seat', async ({ page }) => {
  const booth = await stack.startApp('booth');
  const code = await stack.enrolCode('booth', 'room-3-A2');
  await page.goto(booth.launchUrl);
  await expect(page.getByTestId('enrol-screen')).toBeVisible();
  // The secret left the address bar as soon as the page read it.
  expect(new URL(page.url()).hash).toBe('');

  // A wrong code: clear Chinese error, still not provisioned.
  await enrol(page, stack.centralUrl.replace('https://', ''), 'ZZZZ-ZZZZ');
  await expect(page.getByTestId('enrol-error')).toContainText(zh.errors.ENROL_CODE_INVALID);

  // Plain http is refused by the form; a fingerprint under 32 digits too.
  await enrol(page, stack.centralUrl.replace('https://', 'http://'), code, stack.centralFingerprint.slice(0, 8));
  await expect(page.getByText(zhText['enrol.validation.centralUrl.invalid'])).toBeVisible();
  await expect(page.getByText(zhText['enrol.validation.fingerprint.length'].replace('{count}', '8'))).toBeVisible();

  // The genuine address with another fingerprint (what an impostor's key would show): refused before
  // the code leaves the booth, with a clear message; the code still works afterwards.
  const wrong = [...stack.centralFingerprint.slice(0, 32)].map((c) => (c === 'a' ? 'b' : 'a')).join('');
  await enrol(page, stack.centralUrl, code, wrong);
  await expect(page.getByTestId('enrol-error')).toContainText(zh.errors.CENTRAL_TLS_MISMATCH);

  // The fingerprint as printed: upper case in groups of four, the first eight groups.
  const printed = stack.centralFingerprint.slice(0, 32).toUpperCase().match(/.{4}/g)!.join(' ');
  await enrol(page, stack.centralUrl.replace('https://', ''), code.toLowerCase(), printed);
  await expect(page.getByTestId('idle-screen')).toBeVisible();
  await expect(page.getByTestId('position-label')).toHaveText('3号评标室 · A2 卡位');
  await expect(page.getByTestId('link-badge')).toHaveAttribute('data-state', 'online');

  // Enrolment is stored: a reload (the secret kept for this tab) shows the enrolled booth again.
  await page.reload();
  await expect(page.getByTestId('position-label')).toHaveText('3号评标室 · A2 卡位');

  // The link state is live: the central goes away, the booth says offline; it returns, online.
  await stack.stopCentral();
  await expect(page.getByTestId('link-badge')).toHaveAttribute('data-state', 'offline');
  await stack.startCentral();
  await expect(page.getByTestId('link-badge')).toHaveAttribute('data-state', 'online');

  // The operator revokes the booth: the central refuses it and the booth says so.
  const devices = await stack.cli(['devices', '--json']);
  const deviceId = (JSON.parse(devices) as { devices: { id: string; target: { boothId?: string } }[] }).devices.find(
    (d) => d.target.boothId === 'room-3-A2',
  )?.id;
  expect(deviceId).toBeTruthy();
  await stack.cli(['revoke', deviceId!]);
  await expect(page.getByTestId('refused-screen')).toBeVisible();
});

test('a gate enrols, refusing a used code and a booth code with clear messages', async ({ page }) => {
  const gate = await stack.startApp('gate');
  const gateCode = await stack.enrolCode('gate', 'gate-room-3');
  const boothCode = await stack.enrolCode('booth', 'room-3-C3');
  await page.goto(gate.launchUrl);
  await expect(page.getByTestId('enrol-screen')).toBeVisible();

  await enrol(page, stack.centralUrl, boothCode);
  await expect(page.getByTestId('enrol-error')).toContainText(zh.errors.ENROL_CODE_WRONG_KIND);

  await enrol(page, stack.centralUrl, gateCode);
  await expect(page.getByTestId('idle-screen')).toBeVisible();
  await expect(page.getByTestId('position-label')).toContainText('3号评标室');
  await expect(page.getByTestId('link-badge')).toHaveAttribute('data-state', 'online');

  // The same code again, from a second fresh gate: it worked once and never again.
  const second = await stack.startApp('gate');
  const other = await page.context().newPage();
  await other.goto(second.launchUrl);
  await enrol(other, stack.centralUrl, gateCode);
  await expect(other.getByTestId('enrol-error')).toContainText(zh.errors.ENROL_CODE_USED);
});

test('the page without the launch secret gets no API', async ({ page }) => {
  const booth = await stack.startApp('booth');
  await page.goto(booth.url);
  await expect(page.getByTestId('enrol-screen')).toHaveCount(0);
  await expect(page.getByTestId('host-unauthorised')).toBeVisible();
});
