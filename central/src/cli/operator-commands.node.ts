import { SqliteCentralStore } from '../storage/sqlite-central-store.node.ts';
import { issueEnrolCode } from '../enrolment/enrol-codes.node.ts';
import { DEMO_TOPOLOGY_FILE, readTopologyFile } from '../topology/topology-file.node.ts';
import { parseCommandArgs, UsageError } from './cli-args.node.ts';
import { badInput } from '@kawei/shared/errors.ts';
import { createEnrolCodeRequestSchema, DEFAULT_ENROL_CODE_TTL_MINUTES } from '@kawei/shared/api/central-http.ts';
import { describePosition, formatDevices, formatLocalTime, formatSiteTrees, targetId } from './text-format.ts';
import type { CliIo } from './cli-io.ts';

/*
 * The operator's commands work directly on the SQLite file, so they need no token and no running
 * server; WAL lets them share the file with a server that is running.
 */

async function withStore<T>(databaseFile: string, work: (store: SqliteCentralStore) => Promise<T>): Promise<T> {
  const store = SqliteCentralStore.open(databaseFile);
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

export async function seedDemoCommand(args: string[], io: CliIo): Promise<number> {
  const { databaseFile } = parseCommandArgs('seed-demo', args, {});
  const sites = readTopologyFile(DEMO_TOPOLOGY_FILE);
  const { created } = await withStore(databaseFile, (store) => store.importTopology(sites));
  io.stdout.write(
    `演示拓扑已就绪：新增 ${created.sites} 个站点、${created.rooms} 个评标室、${created.booths} 个卡位、${created.gates} 个闸机\n` +
      `demo topology ready: added ${created.sites} sites, ${created.rooms} rooms, ${created.booths} booths, ${created.gates} gates\n`,
  );
  return 0;
}

export async function sitesCommand(args: string[], io: CliIo): Promise<number> {
  const { databaseFile } = parseCommandArgs('sites', args, {});
  io.stdout.write(formatSiteTrees(await withStore(databaseFile, (store) => store.listSiteTrees())));
  return 0;
}

export async function enrolCodeCommand(args: string[], io: CliIo): Promise<number> {
  const { values, databaseFile } = parseCommandArgs('enrol-code', args, {
    booth: { type: 'string' },
    gate: { type: 'string' },
    ttl: { type: 'string', default: String(DEFAULT_ENROL_CODE_TTL_MINUTES) },
    json: { type: 'boolean', default: false },
  });
  const booth = values['booth'] as string | undefined;
  const gate = values['gate'] as string | undefined;
  if ((booth === undefined) === (gate === undefined)) {
    throw new UsageError('请指定 --booth 卡位编号 或 --gate 闸机编号（二选一）', 'give exactly one of --booth ID or --gate ID');
  }
  const request = createEnrolCodeRequestSchema.safeParse({
    target: booth !== undefined ? { kind: 'booth', boothId: booth } : { kind: 'gate', gateId: gate },
    ttlMinutes: Number(values['ttl']),
  });
  if (!request.success) throw badInput(request.error, 'enrol-code');

  const { issued, position } = await withStore(databaseFile, async (store) => {
    const issued = await issueEnrolCode(store, { ...request.data, now: Date.now() });
    return { issued, position: await store.getPosition(issued.target) };
  });
  if (values['json']) {
    io.stdout.write(`${JSON.stringify(issued)}\n`);
    return 0;
  }
  io.stdout.write(
    [
      `注册码 / enrolment code:   ${issued.code}`,
      `位置 / position:           ${position ? describePosition(position) : ''} [${targetId(issued.target)}]`,
      `有效期至 / expires:        ${formatLocalTime(issued.expiresAt)}（${request.data.ttlMinutes} 分钟 / minutes）`,
      `只能使用一次 / works once.`,
      '',
    ].join('\n'),
  );
  return 0;
}

export async function devicesCommand(args: string[], io: CliIo): Promise<number> {
  const { values, databaseFile } = parseCommandArgs('devices', args, { json: { type: 'boolean', default: false } });
  const devices = await withStore(databaseFile, (store) => store.listDevices());
  // --json prints the same document as GET /api/admin/devices, for scripts.
  io.stdout.write(values['json'] ? `${JSON.stringify({ devices })}\n` : formatDevices(devices));
  return 0;
}

export async function revokeCommand(args: string[], io: CliIo): Promise<number> {
  const { positionals, databaseFile } = parseCommandArgs('revoke', args, {}, { min: 1, max: 1, name: 'DEVICE_ID' });
  const deviceId = positionals[0]!;
  const device = await withStore(databaseFile, (store) => store.revokeDevice(deviceId, Date.now()));
  io.stdout.write(
    `已停用设备 ${device.id}（${device.kind} ${targetId(device.target)}），停用时间 ${formatLocalTime(device.revokedAt!)}\n` +
      `revoked device ${device.id} (${device.kind} ${targetId(device.target)}) at ${formatLocalTime(device.revokedAt!)}\n`,
  );
  return 0;
}
