import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { createDispatcher, defineContract, EventHub } from '../../src/contract/contract.ts';
import { startAppHost, type AppHost } from '../../src/host/app-host.node.ts';
import { findChromium, needsNoSandbox, openHeadless } from '../../src/host/chromium.node.ts';

/**
 * The real Debian Chromium, started by the launcher on a real app host: the launch secret must not
 * appear on the command line of any Chromium process (/proc/<pid>/cmdline is world-readable), and the
 * page must still reach the API with it.
 */
const contract = defineContract(
  'demo',
  { echo: { input: z.object({ text: z.string().max(10) }).strict(), output: z.object({ text: z.string() }) } },
  {},
);
// The page does what api-client.dom.ts does: the secret from the fragment, hello, one call.
const PAGE_SCRIPT = `
const secret = new URLSearchParams(location.hash.slice(1)).get('k');
const ws = new WebSocket('ws://' + location.host + '/api/ws');
ws.onopen = () => ws.send(JSON.stringify({ t: 'hello', secret }));
ws.onmessage = (e) => {
  const f = JSON.parse(e.data);
  if (f.t === 'ready') ws.send(JSON.stringify({ t: 'call', id: 1, name: 'echo', input: { text: 'from page' } }));
};
`;

/** Every process descended from `root` (Chromium's zygotes, renderers, GPU and utility processes). */
function descendants(root: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // "pid (comm) state ppid …": comm may contain spaces and parentheses, so split after the last ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parentOf.set(Number(entry), ppid);
    } catch {
      // the process ended meanwhile
    }
  }
  const found = [root];
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, ppid] of parentOf) {
      if (found.includes(ppid) && !found.includes(pid)) {
        found.push(pid);
        grew = true;
      }
    }
  }
  return found;
}

const chromium = findChromium();

describe.skipIf(!chromium)('Chromium launcher (real Debian chromium, headless)', () => {
  const secret = randomBytes(24).toString('hex');
  let host: AppHost;
  let called: Promise<string>;
  let rendererDir: string;

  beforeAll(async () => {
    rendererDir = mkdtempSync(join(tmpdir(), 'kawei-launch-'));
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>t</title><script src="/app.js"></script>');
    writeFileSync(join(rendererDir, 'app.js'), PAGE_SCRIPT);
    let heard: (text: string) => void = () => undefined;
    called = new Promise((resolve) => (heard = resolve));
    host = await startAppHost({
      contract,
      dispatch: createDispatcher(contract, {
        echo: async ({ text }) => {
          heard(text);
          return { text };
        },
      }),
      events: new EventHub(contract),
      rendererDir,
      secret,
    });
  });
  afterAll(async () => {
    await host.close();
    rmSync(rendererDir, { recursive: true, force: true });
  });

  it('keeps the secret off every command line and the page still calls the API', async () => {
    const browser = openHeadless(host.launchUrl);
    if (!browser?.pid) throw new Error('chromium did not start');
    try {
      await expect(called).resolves.toBe('from page');
      const tree = descendants(browser.pid);
      const cmdlines = tree.map((pid) => {
        try {
          return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        } catch {
          return '';
        }
      });
      // The browser and at least its renderer: the walk found Chromium's processes.
      expect(cmdlines.filter((c) => c.includes('--type=renderer')).length).toBeGreaterThan(0);
      for (const cmdline of cmdlines) {
        expect(cmdline).not.toContain(secret);
        expect(cmdline).not.toContain('#k=');
      }
      expect(cmdlines[0]).toContain('--remote-debugging-pipe');
      expect(cmdlines[0]).not.toContain('--remote-debugging-port');
      expect(cmdlines[0]?.split('\0').includes('--no-sandbox')).toBe(needsNoSandbox());
    } finally {
      browser.kill();
    }
  }, 90_000);
});

describe('needsNoSandbox', () => {
  it('turns the sandbox off only for root or when the installer says so', () => {
    expect(needsNoSandbox({}, 0)).toBe(true);
    expect(needsNoSandbox({}, 1000)).toBe(false);
    expect(needsNoSandbox({ KAWEI_CHROMIUM_NO_SANDBOX: '1' }, 1000)).toBe(true);
    expect(needsNoSandbox({ KAWEI_CHROMIUM_NO_SANDBOX: 'yes' }, 1000)).toBe(false);
  });
});
