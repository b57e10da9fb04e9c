import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { DeviceStore } from '@kawei/shared/device/device-store.node.ts';
import { DeviceIdentityService } from '@kawei/shared/device/device-identity.node.ts';
import { ApiError } from '@kawei/shared/errors.ts';

/**
 * One chaos device: a booth's real identity service (event log, sender, link monitor) in its own
 * process, so the harness can SIGKILL it at any instant.
 *
 *   node --import tsx tests/chaos/device-process.node.ts --data DIR --central URL --code CODE
 *        --label NAME [--every-ms 40] [--link-ms 1000]
 *
 * On its first start it enrols with the one-time code (the central's URL is the fault proxy's); after
 * that it reopens its data dir. Then it appends one `chaos.tick` event { n, device } every
 * `--every-ms` through recordEvent — durable when it returns — with n continuing from its own log
 * after a restart. Stdout carries one JSON line per fact:
 *
 *   {"event":"ready","deviceId":…,"lastSeq":…,"nextN":…}
 *   {"event":"appended","n":…,"seq":…}           after recordEvent returned
 *   {"event":"synced","status":…} / {"event":"sync-timeout","status":…}   after "drain"
 *
 * Stdin takes commands, one per line: "drain [timeoutMs]" stops appending and waits until the central
 * has acknowledged everything; "status" prints the sync status. The service itself keeps running, so
 * its link monitor may still append a `device.link_changed` event after "synced": the harness stops
 * the process with SIGKILL and compares heads from the files (see chaos-harness.node.ts).
 */
const { values } = parseArgs({
  options: {
    data: { type: 'string' },
    central: { type: 'string' },
    code: { type: 'string' },
    fingerprint: { type: 'string' },
    label: { type: 'string', default: 'device' },
    'every-ms': { type: 'string', default: '40' },
    'link-ms': { type: 'string', default: '1000' },
  },
});
const dataDir = values.data;
if (!dataDir) throw new Error('--data DIR is required');
const label = values.label ?? 'device';
const everyMs = Number(values['every-ms']);
const linkMs = Number(values['link-ms']);

const out = (line: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(line)}\n`);
/** Diagnostics for the harness's log file (stderr): a failing run shows what each device was doing. */
const diag = (text: string) => process.stderr.write(`${new Date().toISOString()} ${text}\n`);

const store = DeviceStore.open(join(dataDir, 'device.sqlite'));
const service = new DeviceIdentityService({ kind: 'booth', store, appVersion: 'chaos', linkIntervalMs: linkMs, hostname: label });

if (service.status().provisioning === 'unprovisioned') {
  if (!values.central || !values.code || !values.fingerprint) {
    throw new Error('a device that is not enrolled needs --central URL, --code CODE and --fingerprint HEX');
  }
  // Enrolment is not what this test is about: the harness enrols with the proxy clean. A transient
  // failure is retried; a refusal (code used, position taken) ends the process with code 3.
  for (let attempt = 1; ; attempt++) {
    try {
      await service.enrol(values.central, values.code, values.fingerprint);
      break;
    } catch (error) {
      if (error instanceof ApiError && error.code !== 'CENTRAL_UNREACHABLE' && error.code !== 'CENTRAL_BAD_RESPONSE') {
        process.stderr.write(`enrolment refused: ${error.code} ${error.message}\n`);
        process.exit(3);
      }
      if (attempt >= 20) throw error;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

const status = service.status();
if (status.provisioning !== 'enrolled') throw new Error('not enrolled');
const deviceId = status.deviceId;

/** The next tick number: one after the last chaos.tick in this device's own log. */
function nextTickFromLog(): number {
  const head = store.logHead('');
  for (let from = head.seq; from > 0; from -= 200) {
    const events = store.eventsAfter(Math.max(0, from - 200), Math.min(200, from));
    for (let i = events.length - 1; i >= 0; i--) {
      const e = events[i]!;
      if (e.type === 'chaos.tick' && typeof e.payload['n'] === 'number') return e.payload['n'] + 1;
    }
  }
  return 1;
}

let n = nextTickFromLog();
diag(`started: ${deviceId}, log head ${service.syncStatus().lastSeq}, next tick ${n}`);
let lastState = '';
service.onChange((s) => {
  if (s.provisioning !== 'enrolled') return;
  const state = `link ${s.link.state}${s.link.reason ? ` (${s.link.reason})` : ''}, sender ${s.sync.state}${s.sync.lastError ? ` (${s.sync.lastError})` : ''}`;
  if (state !== lastState) diag(state);
  lastState = state;
});
out({ event: 'ready', deviceId, lastSeq: service.syncStatus().lastSeq, nextN: n });

let appending = everyMs > 0;
const tick = () => {
  if (!appending) return;
  const event = service.recordEvent('chaos.tick', { n, device: label });
  out({ event: 'appended', n, seq: event.seq });
  n += 1;
  setTimeout(tick, everyMs);
};
if (appending) setTimeout(tick, everyMs);

createInterface({ input: process.stdin }).on('line', (line) => {
  const [command, arg] = line.trim().split(/\s+/);
  if (command === 'drain') void drain(Number(arg ?? 60_000));
  if (command === 'status') out({ event: 'status', status: service.syncStatus() });
});

async function drain(timeoutMs: number): Promise<void> {
  appending = false;
  diag(`drain: appending stopped; sync ${JSON.stringify(service.syncStatus())}`);
  const progress = setInterval(() => diag(`drain: waiting; sync ${JSON.stringify(service.syncStatus())}`), 5000);
  try {
    await service.waitForSync(timeoutMs);
    out({ event: 'synced', status: service.syncStatus() });
  } catch {
    out({ event: 'sync-timeout', status: service.syncStatus() });
  } finally {
    clearInterval(progress);
  }
}

const shutdown = async () => {
  appending = false;
  await service.close();
  store.close();
  process.exit(0);
};
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());
