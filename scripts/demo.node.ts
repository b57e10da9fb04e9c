import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openAppWindow, openHeadless } from '@kawei/shared/host/chromium.node.ts';
import { hasSocat } from '@kawei/shared/devices/pty-pair.node.ts';
import { hasFfmpeg, makeFakeCameraY4m } from './lib/fake-camera.node.ts';
import { DEMO_GATE_ID, DEMO_STAFF_PIN, startGateStack } from './lib/gate-stack.node.ts';
import { ENTRY, REPO_ROOT, runNode, startNode, type AppListening } from './lib/processes.node.ts';

/**
 * `npm start`: the whole demo on one machine.
 * - A central on embedded SQLite with the demo sites, the demo experts' face registry and today's
 *   draw, the rosters and faces published.
 * - The entrance gate, enrolled, with its turnstile relay, LED seat display and voice module simulated
 *   on socat pty pairs, and a Chromium window whose camera is a registration photo of an expert seated
 *   here today: watch the check-in happen on screen and in this console (coil pulse, LED text,
 *   spoken sentence).
 * - A booth host, fresh ("not provisioned"), with a one-time code to enrol it through its screen.
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
const dataRoot = join(REPO_ROOT, '.kawei-data', 'demo');
if (!values.keep) rmSync(dataRoot, { recursive: true, force: true });

if (!hasSocat()) {
  process.stderr.write('演示需要 socat 模拟串口设备 / the demo needs socat for the simulated serial devices: apt-get install -y socat\n');
  process.exit(1);
}

const say = (line: string) => process.stdout.write(`  · ${line}\n`);
process.stdout.write('卡位 Kawei 演示启动中 / starting the demo…\n');
const stack = await startGateStack({
  dir: join(dataRoot, 'gate-stack'),
  centralPort: Number(values['central-port']),
  gatePort: Number(values['gate-port']),
  log: say,
});

const boothCode = JSON.parse(
  (await runNode(ENTRY.central, ['enrol-code', '--booth', DEMO_BOOTH, '--json', '--data', stack.centralData])).stdout,
) as { code: string };
const booth = await startNode<AppListening>(ENTRY.boothHost, ['--data', join(dataRoot, 'booth'), '--port', values['booth-port']], {
  label: 'booth',
});

// The gate's camera sees an expert seated at this site today.
const walker = stack.experts.find((e) => e.seat?.site === stack.site);
let cameraFlags: string[] = [];
if (walker && hasFfmpeg()) {
  const y4m = makeFakeCameraY4m(walker.photo, join(dataRoot, 'gate-camera.y4m'));
  cameraFlags = ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${y4m}`];
}
const windows = [openAppWindow(stack.gate.ready.launchUrl, cameraFlags), openAppWindow(booth.ready.launchUrl)];
const opened = windows.every((w) => w !== null);
// No display: the gate still runs, in a headless Chromium, so its check-in shows on this console.
if (!windows[0] && cameraFlags.length > 0) windows.push(openHeadless(stack.gate.ready.launchUrl, cameraFlags));

process.stdout.write(`
卡位 Kawei 演示 / demo — ${stack.date}
  中心 central                     ${stack.centralUrl}
  闸机 gate (${DEMO_GATE_ID})       ${stack.gate.ready.launchUrl}
    已注册、已下发今日名单与人脸 / enrolled, today's roster and faces received
    摄像头 camera: ${walker && cameraFlags.length > 0 ? `演示专家 ${walker.id} 的登记照片 / demo expert ${walker.id}'s registration photo` : '（需要 ffmpeg / needs ffmpeg）'}
    活体检测已关闭：演示摄像头是一张静态照片 / liveness off: the demo camera is a still photo
    工作人员密码 staff PIN          ${DEMO_STAFF_PIN}
  卡位终端 booth (${DEMO_BOOTH})     ${booth.ready.launchUrl}
    在注册页面输入 / enrol on its screen: 中心地址 ${stack.centralUrl}  注册码 ${boothCode.code}
${opened ? '' : '\n（未检测到显示器：闸机在无界面的 Chromium 中运行；卡位终端请在浏览器中打开上面的地址 / no display: the gate runs in a headless Chromium; open the booth URL above in a browser）\n'}
模拟设备收到的内容会显示在下面 / what the simulated devices receive appears below.
按 Ctrl-C 退出 / Ctrl-C to stop.
`);

const seen = new Map<string, number>();
const activity = setInterval(() => {
  for (const [name, sim] of Object.entries(stack.sims)) {
    const lines = sim.activity();
    for (const line of lines.slice(seen.get(name) ?? 0)) process.stdout.write(`  [${name}] ${line}\n`);
    seen.set(name, lines.length);
  }
}, 200);

const shutdown = async () => {
  clearInterval(activity);
  for (const w of windows) w?.kill();
  await booth.stop();
  await stack.stop();
  process.exit(0);
};
process.once('SIGINT', () => void shutdown());
process.once('SIGTERM', () => void shutdown());
