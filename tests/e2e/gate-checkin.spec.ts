import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { chromium, expect, test, type Browser, type Page } from '@playwright/test';
import { CHROMIUM_QUIET_FLAGS, findChromium } from '../../shared/src/host/chromium.node.ts';
import { makeFakeCameraY4m } from '../../scripts/lib/fake-camera.node.ts';
import { DEMO_STAFF_PIN, startGateStack, type GateStack, type StackExpert } from '../../scripts/lib/gate-stack.node.ts';

/**
 * The entrance gate end to end: real central, real gate host, the turnstile relay, LED panel and
 * voice simulated on socat pty pairs, and Debian's chromium whose camera is a y4m made from a
 * registration photo. An enrolled expert walks in and is sent to the booth; a stranger is refused and
 * gate staff see the alert; with the central stopped, a check-in still works and reaches the central
 * once it is back.
 */
test.describe.configure({ mode: 'serial' });
test.setTimeout(180_000);

const dir = mkdtempSync(join(tmpdir(), 'kawei-gate-e2e-'));
let stack: GateStack;
const browsers: Browser[] = [];

test.beforeAll(async () => {
  test.setTimeout(240_000);
  stack = await startGateStack({ dir: join(dir, 'stack') });
});
test.afterAll(async () => {
  for (const b of browsers) await b.close();
  await stack?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A kiosk whose camera sees `photo` (Chromium loops the video). */
async function kioskSeeing(photo: string): Promise<Page> {
  const y4m = makeFakeCameraY4m(photo, join(dir, `${basename(photo, '.jpg')}-${browsers.length}.y4m`));
  const browser = await chromium.launch({
    executablePath: findChromium() ?? undefined,
    args: [...CHROMIUM_QUIET_FLAGS, '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${y4m}`],
  });
  browsers.push(browser);
  const page = await browser.newPage({ locale: 'zh-CN' });
  await page.goto(stack.gate.ready.launchUrl);
  await expect(page.getByTestId('gate-camera')).toBeVisible();
  return page;
}

async function closeKiosk(page: Page): Promise<void> {
  await page.context().browser()?.close();
}

const ROOM_NUMBER: Record<string, number> = { 'room-3': 3, 'room-5': 5 };

function seatedHere(): StackExpert[] {
  return stack.experts.filter((e) => e.seat?.site === stack.site);
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

test('an enrolled expert walks in: turnstile, LED, voice, and the event at the central', async () => {
  const expert = seatedHere()[0]!;
  const seat = expert.seat!;
  const roomNumber = ROOM_NUMBER[seat.room]!;
  const relay = stack.sims.relay.state;
  const led = stack.sims.led.state;
  const voice = stack.sims.voice.state;
  if (relay.kind !== 'relay' || led.kind !== 'led' || voice.kind !== 'voice') throw new Error('simulators expected');
  const pulsesBefore = relay.relay.pulses.length;

  const page = await kioskSeeing(expert.photo);
  const pass = page.getByTestId('gate-pass');
  await expect(pass).toBeVisible({ timeout: 60_000 });
  await expect(pass).toHaveAttribute('data-room-number', String(roomNumber));
  await expect(pass).toHaveAttribute('data-seat-label', seat.label);
  await expect(pass).toContainText(`${roomNumber}号评标室`);

  // The turnstile coil was pulsed, the panel shows the seat, the voice module said where to go.
  await expect.poll(() => relay.relay.pulses.length, { timeout: 10_000 }).toBeGreaterThan(pulsesBefore);
  expect(led.panel.text(0)).toBe(`${roomNumber}号评标室 ${seat.label}`);
  await expect.poll(() => voice.spoken().map((u) => u.text), { timeout: 10_000 }).toContain(`请到${roomNumber}号评标室${seat.label}号卡位`);

  // The screen never names the expert.
  const shown = await page.locator('body').innerText();
  for (const name of ['张明远', '李静怡', '王建国', '陈思琪', '刘海峰', expert.id]) expect(shown).not.toContain(name);

  // The decision reached the central, with the expert's id and the similarity.
  const event = await eventually('gate.check at the central', async () =>
    (await stack.centralEvents('gate.check')).find((e) => e.payload['expert'] === expert.id && e.payload['decision'] === 'pass'),
  );
  expect(Number(event.payload['similarity'])).toBeGreaterThan(0.9);
  await closeKiosk(page);
});

test('a stranger is refused, and gate staff see the alert on the monitor', async () => {
  const page = await kioskSeeing(stack.strangerPhoto);
  const refused = page.getByTestId('gate-refused');
  await expect(refused).toBeVisible({ timeout: 60_000 });
  await expect(refused).toHaveAttribute('data-reason', 'unknown_face');

  await page.getByTestId('staff-button').click();
  for (const digit of DEMO_STAFF_PIN) await page.getByTestId(`pinpad-${digit}`).click();
  await page.getByTestId('pinpad-ok').click();
  await expect(page.getByTestId('staff-monitor')).toBeVisible();
  await expect(page.getByTestId('monitor-alert').first()).toBeVisible();
  await expect(page.locator('[data-testid="monitor-entry"][data-decision="refused"]').first()).toBeVisible();
  await expect(page.getByTestId('device-tile-relay')).toHaveAttribute('data-state', 'up');
  await closeKiosk(page);
});

test('with the central stopped the check-in still works, and the central gets it when it is back', async () => {
  const expert = seatedHere()[1]!;
  await stack.stopCentral();
  const page = await kioskSeeing(expert.photo);
  await expect(page.getByTestId('gate-pass')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('gate-pass')).toHaveAttribute('data-seat-label', expert.seat!.label);
  // Not at the central yet (its store is read directly while it is down).
  expect((await stack.centralEvents('gate.check')).some((e) => e.payload['expert'] === expert.id)).toBe(false);

  await stack.startCentral();
  await eventually('the offline check-in at the central', async () =>
    (await stack.centralEvents('gate.check')).find((e) => e.payload['expert'] === expert.id && e.payload['decision'] === 'pass'),
  );
  await closeKiosk(page);
});
