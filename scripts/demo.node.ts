import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openAppWindow, openHeadless } from '@kawei/shared/host/chromium.node.ts';
import { hasSocat } from '@kawei/shared/devices/pty-pair.node.ts';
import { startBoothStack } from './lib/booth-stack.node.ts';
import { startDemoCentral } from './lib/demo-central.node.ts';
import { hasFfmpeg, makeFakeCameraY4m } from './lib/fake-camera.node.ts';
import { DEMO_GATE_ID, DEMO_STAFF_PIN, startGateStack } from './lib/gate-stack.node.ts';
import { REPO_ROOT } from './lib/processes.node.ts';
import { softhsmAvailable } from './lib/softhsm-token.node.ts';

/**
 * `npm start`: the whole demo on one machine.
 * - A central on embedded SQLite with the demo sites, the demo experts' face registry and today's
 *   draw, the rosters and faces published.
 * - The entrance gate, enrolled, with its turnstile relay, LED seat display and voice module simulated
 *   on socat pty pairs, and a Chromium window whose camera is a registration photo of an expert seated
 *   here today: watch the check-in happen on screen and in this console (coil pulse, LED text,
 *   spoken sentence).
 * - The booth of an expert seated on today's blind project, enrolled, with the day's roster, face and
 *   project (generated 300-page tender PDFs, bidder names inside, shown covered), a SoftHSM2 token made
 *   at start-up as the expert's USB key (test CA, certificate under the day's code name; its PIN is
 *   printed), and a Chromium window whose camera is that expert's registration photo: the face login
 *   happens by itself and the commitment letter waits for the PIN.
 * The gate and the booth report to the same central (scripts/lib/demo-central.node.ts).
 */
const { values } = parseArgs({
  options: {
    keep: { type: 'boolean', default: false },
    'central-port': { type: 'string', default: '8600' },
    'booth-port': { type: 'string', default: '8611' },
    'gate-port': { type: 'string', default: '8612' },
  },
});

const dataRoot = join(REPO_ROOT, '.kawei-data', 'demo');
if (!values.keep) rmSync(dataRoot, { recursive: true, force: true });

if (!hasSocat()) {
  process.stderr.write('演示需要 socat 模拟串口设备 / the demo needs socat for the simulated serial devices: apt-get install -y socat\n');
  process.exit(1);
}
if (!(await softhsmAvailable())) {
  process.stderr.write('演示需要 SoftHSM2 与 pkcs11-tool 模拟 USB 密钥 / the demo needs SoftHSM2 and pkcs11-tool for the USB key: apt-get install -y softhsm2 opensc\n');
  process.exit(1);
}

/** room-3 → 3号评标室 (the demo topology's room ids carry the room number). */
const roomLabel = (roomId: string): string => {
  const n = /(\d+)$/.exec(roomId)?.[1];
  return n ? `${n}号评标室` : roomId;
};
const say = (line: string) => process.stdout.write(`  · ${line}\n`);
process.stdout.write('卡位 Kawei 演示启动中 / starting the demo…\n');
const central = await startDemoCentral({ dir: join(dataRoot, 'central-stack'), centralPort: Number(values['central-port']), log: say });
const stack = await startGateStack({ dir: join(dataRoot, 'gate-stack'), central, gatePort: Number(values['gate-port']), log: say });
// Liveness 0: the booth's camera, like the gate's, is a still photo (see booth-stack.node.ts).
const booth = await startBoothStack({ dir: join(dataRoot, 'booth-stack'), central, boothPort: Number(values['booth-port']), liveness: 0, pages: 300, log: say });

const cameraFlags = (photo: string, name: string): string[] =>
  hasFfmpeg()
    ? ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${makeFakeCameraY4m(photo, join(dataRoot, name))}`]
    : [];
// The gate's camera sees an expert seated at this site today; the booth's, the expert seated in it.
const walker = stack.experts.find((e) => e.seat?.site === stack.site);
const gateFlags = walker ? cameraFlags(walker.photo, 'gate-camera.y4m') : [];
const boothFlags = cameraFlags(booth.expert.photo, 'booth-camera.y4m');
const windows = [openAppWindow(stack.gate.ready.launchUrl, gateFlags), openAppWindow(booth.booth.ready.launchUrl, boothFlags)];
const opened = windows.every((w) => w !== null);
// No display: both still run, in headless Chromium, so the gate's check-in shows on this console and
// the booth logs its expert in.
if (!windows[0] && gateFlags.length > 0) windows.push(openHeadless(stack.gate.ready.launchUrl, gateFlags));
if (!windows[1] && boothFlags.length > 0) windows.push(openHeadless(booth.booth.ready.launchUrl, boothFlags));

const seat = booth.seat;
process.stdout.write(`
卡位 Kawei 演示 / demo — ${stack.date}
  中心 central                     ${stack.centralUrl}
  闸机 gate (${DEMO_GATE_ID})       ${stack.gate.ready.launchUrl}
    已注册、已下发今日名单与人脸 / enrolled, today's roster and faces received
    摄像头 camera: ${walker && gateFlags.length > 0 ? `演示专家 ${walker.id} 的登记照片 / demo expert ${walker.id}'s registration photo` : '（需要 ffmpeg / needs ffmpeg）'}
    活体检测已关闭：演示摄像头是一张静态照片 / liveness off: the demo camera is a still photo
    工作人员密码 staff PIN          ${DEMO_STAFF_PIN}
  卡位终端 booth (${booth.boothId})  ${booth.booth.ready.launchUrl}
    已注册、已收到今日名单、人脸与项目 ${seat.project}（${booth.material.blind ? '暗标 / blind' : '明标 / open'}，投标文件 ${booth.material.files.length} 份，每份 ${booth.material.files[0]?.pages ?? 0} 页）
    / enrolled; today's roster, face and project ${seat.project} received (${booth.material.files.length} tender files)
    代号 code name ${seat.codename}：${roomLabel(seat.room)} ${seat.label}号卡位 / booth ${seat.label} in ${seat.room}；设备 device ${booth.boothDeviceId}
    摄像头 camera: ${boothFlags.length > 0 ? `演示专家 ${booth.expert.id} 的登记照片（活体检测已关闭）/ demo expert ${booth.expert.id}'s photo (liveness off)` : '（需要 ffmpeg / needs ffmpeg）'}
    USB 密钥 key: SoftHSM2 令牌 "${booth.token.label}"，PIN ${booth.token.pin}（证书 CN=${seat.codename}，测试 CA ${booth.caPem}）
    / SoftHSM2 token "${booth.token.label}", PIN ${booth.token.pin} (certificate CN=${seat.codename}, test CA ${booth.caPem})
${opened ? '' : '\n（未检测到显示器：闸机与卡位终端在无界面的 Chromium 中运行；也可在浏览器中打开上面的地址 / no display: the gate and the booth run in headless Chromium; the URLs above also open in a browser）\n'}
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
  await central.stop();
  process.exit(0);
};
process.once('SIGINT', () => void shutdown());
process.once('SIGTERM', () => void shutdown());
process.once('SIGHUP', () => void shutdown()); // a closed terminal: the same clean stop
