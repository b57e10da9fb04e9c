import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openAppWindow, openHeadless } from '@kawei/shared/host/chromium.node.ts';
import { hasSocat } from '@kawei/shared/devices/pty-pair.node.ts';
import { startCommitteeStack } from './lib/booth-stack.node.ts';
import { startDemoCentral } from './lib/demo-central.node.ts';
import { hasFfmpeg, makeFakeCameraY4m } from './lib/fake-camera.node.ts';
import { DEMO_GATE_ID, DEMO_STAFF_PIN, startGateStack } from './lib/gate-stack.node.ts';
import { REPO_ROOT } from './lib/processes.node.ts';
import { softhsmAvailable } from './lib/softhsm-token.node.ts';
import { bilingual, bilingualLabel as label, messagePair, messagePairBy, pairLine, type MessagePair } from '@kawei/shared/i18n/bilingual.ts';
import { translate } from '@kawei/shared/i18n/messages.ts';

/** A pair on two lines, the English one indented under the Chinese: the banner's long facts. */
const lines = (pair: MessagePair): string => `${pair.zh}\n    / ${pair.en}`;

/**
 * `npm start`: the whole demo on one machine.
 * - A central on embedded SQLite with the demo sites, the demo experts' face registry and today's
 *   draw, the rosters and faces published.
 * - The entrance gate, enrolled, with its turnstile relay, LED seat display and voice module simulated
 *   on socat pty pairs, and a Chromium window whose camera is a registration photo of an expert seated
 *   here today: watch the check-in happen on screen and in this console (coil pulse, LED text,
 *   spoken sentence).
 * - The three booths of today's blind project's committee (GC-01: the day is reshaped so that it
 *   seats three experts, demo-central.node.ts `committeeDay`), started one after another, each
 *   enrolled, with the day's roster, face and project: generated 300-page tender PDFs (bidder names
 *   inside, shown covered), the evaluation rules (preliminary items, twelve scoring items, the price
 *   computed from the opening record) and the opening record; publishing it opened the committee.
 *   Each has its own SoftHSM2 token made at start-up as its expert's USB key (test CA, certificate
 *   under the day's code name; the PIN is printed) and a Chromium window whose camera is its expert's
 *   registration photo: the face login happens by itself and the commitment letter waits for the PIN.
 *   Log in at the three and take the project from preliminary review to results.
 * The gate and the booths report to the same central (scripts/lib/demo-central.node.ts).
 */
const { values } = parseArgs({
  options: {
    keep: { type: 'boolean', default: false },
    'central-port': { type: 'string', default: '8600' },
    /** One port per booth of the committee, comma-separated. */
    'booth-ports': { type: 'string', default: '8611,8613,8614' },
    'gate-port': { type: 'string', default: '8612' },
  },
});

const dataRoot = join(REPO_ROOT, '.kawei-data', 'demo');
if (!values.keep) rmSync(dataRoot, { recursive: true, force: true });

if (!hasSocat()) {
  process.stderr.write(`${bilingual('demo.run.needsSocat')}: apt-get install -y socat\n`);
  process.exit(1);
}
if (!(await softhsmAvailable())) {
  process.stderr.write(`${bilingual('demo.run.needsSofthsm')}: apt-get install -y softhsm2 opensc\n`);
  process.exit(1);
}

/** room-3 → 3号评标室 (the demo topology's room ids carry the room number). */
const roomLabel = (roomId: string): string => {
  const n = /(\d+)$/.exec(roomId)?.[1];
  return n ? translate('zh-CN', 'demo.run.room', { n }) : roomId;
};
const say = (line: string) => process.stdout.write(`  · ${line}\n`);
process.stdout.write(`${bilingual('demo.run.starting')}\n`);
const central = await startDemoCentral({ dir: join(dataRoot, 'central-stack'), centralPort: Number(values['central-port']), committeeDay: true, log: say });
const stack = await startGateStack({ dir: join(dataRoot, 'gate-stack'), central, gatePort: Number(values['gate-port']), log: say });
// Liveness 0: the booths' cameras, like the gate's, are still photos (see booth-stack.node.ts).
const committee = await startCommitteeStack({
  dir: join(dataRoot, 'booth-stack'),
  central,
  boothPorts: values['booth-ports'].split(',').map(Number),
  liveness: 0,
  pages: 300,
  log: say,
});

const cameraFlags = (photo: string, name: string): string[] =>
  hasFfmpeg()
    ? ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${makeFakeCameraY4m(photo, join(dataRoot, name))}`]
    : [];
// The gate's camera sees an expert seated at this site today; the booth's, the expert seated in it.
const walker = stack.experts.find((e) => e.seat?.site === stack.site);
const gateFlags = walker ? cameraFlags(walker.photo, 'gate-camera.y4m') : [];
const apps = [
  { url: stack.gate.ready.launchUrl, flags: gateFlags },
  ...committee.booths.map((b) => ({ url: b.booth.ready.launchUrl, flags: cameraFlags(b.expert.photo, `booth-${b.boothId}-camera.y4m`) })),
];
const windows = apps.map((a) => openAppWindow(a.url, a.flags));
const opened = windows.every((w) => w !== null);
// No display: they still run, in headless Chromium, so the gate's check-in shows on this console and
// each booth logs its expert in.
for (const [i, a] of apps.entries()) if (!windows[i] && a.flags.length > 0) windows.push(openHeadless(a.url, a.flags));
const cameraOn = hasFfmpeg();

/** Resident memory of a process, from /proc (Linux); null elsewhere or when it is gone. */
const rssMb = (pid: number | undefined): number | null => {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Math.round(Number(kb) / 1024) : null;
  } catch {
    return null;
  }
};
const memory = [
  ['central', central.pid],
  ['gate', stack.gate.child.pid],
  ...committee.booths.map((b) => [b.boothId, b.booth.child.pid] as const),
].map(([name, pid]) => `${name} ${rssMb(pid as number | undefined) ?? '?'} MB`);

const opening = committee.committee;
const committeeLine = opening.opened
  ? lines(
      messagePairBy('demo.run.committee', (lang) => ({
        project: committee.project,
        method: translate(lang, opening.method === 'lowest_price' ? 'demo.run.lowestPrice' : 'demo.run.comprehensive'),
        members: opening.members,
        alternates: opening.alternates,
      })),
    )
  : bilingual('demo.run.noCommittee', { why: opening.why });
const boothLines = committee.booths.map((b, i) => {
  const seat = b.seat;
  return `  ${label('demo.run.booth')} ${i + 1}/${committee.booths.length} (${b.boothId})  ${b.booth.ready.launchUrl}
    ${label('demo.run.codename')} ${seat.codename}：${pairLine(messagePairBy('demo.run.seat', (lang) => ({ room: lang === 'en' ? seat.room : roomLabel(seat.room), label: seat.label })))}；${label('demo.run.device')} ${b.boothDeviceId}
    ${label('demo.run.camera')}: ${cameraOn ? bilingual('demo.run.boothPhoto', { id: b.expert.id }) : `（${bilingual('demo.run.needsFfmpeg')}）`}
    ${label('demo.run.usbKey')}: ${lines(messagePair('demo.run.token', { label: b.token.label, pin: b.token.pin, codename: seat.codename, ca: b.caPem }))}`;
});
process.stdout.write(`
${bilingual('demo.run.title')} — ${stack.date}
  ${label('demo.run.central')}                     ${stack.centralUrl}
  ${label('demo.run.gate')} (${DEMO_GATE_ID})       ${stack.gate.ready.launchUrl}
    ${bilingual('demo.run.gateReady')}
    ${label('demo.run.camera')}: ${walker && gateFlags.length > 0 ? bilingual('demo.run.gatePhoto', { id: walker.id }) : `（${bilingual('demo.run.needsFfmpeg')}）`}
    ${bilingual('demo.run.livenessOff')}
    ${label('demo.run.staffPin')}          ${DEMO_STAFF_PIN}
  ${lines(
    messagePairBy('demo.run.boothReady', (lang) => ({
      project: committee.project,
      mode: translate(lang, committee.material.blind ? 'demo.run.blind' : 'demo.run.open'),
      files: committee.material.files.length,
      pages: committee.material.files[0]?.pages ?? 0,
    })),
  )}
  ${committeeLine}
${boothLines.join('\n')}
  ${label('demo.run.memory')}: ${memory.join(', ')}
${opened ? '' : `\n（${bilingual('demo.run.headless')}）\n`}
${bilingual('demo.run.activityBelow')}
${bilingual('demo.run.stop')}
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
  await committee.stop();
  await stack.stop();
  await central.stop();
  process.exit(0);
};
process.once('SIGINT', () => void shutdown());
process.once('SIGTERM', () => void shutdown());
process.once('SIGHUP', () => void shutdown()); // a closed terminal: the same clean stop
