import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openAppWindow } from '@kawei/shared/host/chromium.node.ts';
import { ENTRY, REPO_ROOT, runNode, startNode, type AppListening, type Listening } from './lib/processes.node.ts';

/**
 * `npm start`: the whole demo on one machine. A central on embedded SQLite with the demo sites,
 * rooms and booths; one booth host and one gate host, both fresh ("not provisioned"), and one-time
 * enrolment codes for them printed here so a person can enrol them through their screens.
 */
const { values } = parseArgs({
  options: {
    keep: { type: 'boolean', default: false },
    'central-port': { type: 'string', default: '8600' },
    'booth-port': { type: 'string', default: '8611' },
    'gate-port': { type: 'string', default: '8612' },
  },
});

const DEMO_BOOTH = 'room-3-B2';
const DEMO_GATE = 'gate-entrance';
const dataRoot = join(REPO_ROOT, '.kawei-data', 'demo');
if (!values.keep) rmSync(dataRoot, { recursive: true, force: true });
const centralData = join(dataRoot, 'central');

const seeded = await runNode(ENTRY.central, ['seed-demo', '--data', centralData]);
if (seeded.code !== 0) throw new Error(`seed-demo failed:\n${seeded.stderr}`);

const central = await startNode<Listening>(
  ENTRY.central,
  ['serve', '--data', centralData, '--host', '127.0.0.1', '--port', values['central-port']],
  { label: 'central' },
);

async function enrolCode(flag: '--booth' | '--gate', id: string): Promise<{ code: string; expiresAt: number }> {
  const out = await runNode(ENTRY.central, ['enrol-code', flag, id, '--json', '--data', centralData]);
  if (out.code !== 0) throw new Error(`enrol-code ${flag} ${id} failed:\n${out.stderr}`);
  return JSON.parse(out.stdout) as { code: string; expiresAt: number };
}
const boothCode = await enrolCode('--booth', DEMO_BOOTH);
const gateCode = await enrolCode('--gate', DEMO_GATE);

const booth = await startNode<AppListening>(
  ENTRY.boothHost,
  ['--data', join(dataRoot, 'booth'), '--port', values['booth-port']],
  { label: 'booth' },
);
const gate = await startNode<AppListening>(
  ENTRY.gateHost,
  ['--data', join(dataRoot, 'gate'), '--port', values['gate-port']],
  { label: 'gate' },
);

const windows = [openAppWindow(booth.ready.launchUrl), openAppWindow(gate.ready.launchUrl)];
const opened = windows.every((w) => w !== null);

process.stdout.write(`
卡位 Kawei 演示 / demo
  中心 central           ${central.ready.url}
  卡位终端 booth (${DEMO_BOOTH})  ${booth.ready.launchUrl}
  闸机 gate (${DEMO_GATE})   ${gate.ready.launchUrl}

在设备注册页面输入 / on each device's enrolment screen enter:
  中心地址 central address   ${central.ready.url.replace(/\/$/, '')}
  卡位注册码 booth code       ${boothCode.code}
  闸机注册码 gate code        ${gateCode.code}
${opened ? '' : '\n（未检测到显示器或 chromium，请在浏览器中打开上面的地址 / no display or chromium: open the URLs above）\n'}
按 Ctrl-C 退出 / Ctrl-C to stop.
`);

const shutdown = async () => {
  for (const w of windows) w?.kill();
  await Promise.all([booth.stop(), gate.stop()]);
  await central.stop();
  process.exit(0);
};
process.once('SIGINT', () => void shutdown());
process.once('SIGTERM', () => void shutdown());
