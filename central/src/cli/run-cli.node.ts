import { eventsCommand } from './events-command.node.ts';
import { signaturesCommand } from './signatures-command.node.ts';
import { ApiError, type ErrorCode } from '@kawei/shared/errors.ts';
import { errorMessage } from '@kawei/shared/i18n/messages.ts';
import { serveCommand } from './serve.node.ts';
import {
  devicesCommand,
  enrolCodeCommand,
  revokeCommand,
  seedDemoCommand,
  messageCommand,
  publishRostersCommand,
  alertsCommand,
  sitesCommand,
} from './operator-commands.node.ts';
import { UsageError } from './cli-args.node.ts';
import { publishProjectCommand } from '../projects/publish-project.node.ts';
import type { CliIo } from './cli-io.ts';

export const USAGE = `kawei-central — 卡位中心服务器 / Kawei central server

用法 / usage:
  kawei-central serve [--host 127.0.0.1] [--port 8600] [--tls-name NAME]... [--tls-cert FILE --tls-key FILE]
                                                           启动中心服务（HTTPS；默认在 DIR/tls 生成自签名证书）
                                                           / run the server (HTTPS; a self-signed certificate made in DIR/tls by default)
  kawei-central seed-demo                                  载入演示拓扑 / load the demo topology
  kawei-central sites                                      站点、评标室、卡位、闸机 / sites, rooms, booths, gates
  kawei-central enrol-code (--booth ID | --gate ID) [--ttl MINUTES] [--json] [--tls-cert FILE --tls-key FILE]
                                                           生成一次性注册码，附中心密钥指纹 / make a one-time enrolment code, with the central's key fingerprint
  kawei-central devices [--json]                           列出设备 / list devices
  kawei-central revoke DEVICE_ID                           停用设备 / revoke a device
  kawei-central publish-rosters --result result.json [--experts REGISTRY_DIR [--day day.json] [--strict]] [--json]
                                                           把抽取结果下发到卡位与闸机；--experts 同时下发人脸模板
                                                           / send the draw's rosters to booths and gates; --experts also face templates to gates and booths
  kawei-central publish-project --result result.json --project CODE --material DIR [--no-ocr] [--json]
                                                           把项目评标材料（评分项、投标人、投标文件）下发到该项目的卡位
                                                           / send a project's material (criteria, bidders, tender files) to its booths
  kawei-central message (--device ID | --all) --type TYPE --text TEXT [--json]
                                                           向设备下发消息 / queue a message for a device or all
  kawei-central alerts [--device ID] [--limit N] [--json]  同步告警（最新在前）/ sync alerts, newest first
  kawei-central events --device ID [--type T] [--from SEQ] [--limit N] [--json]
                                                           设备上报的事件 / a device's reported events, in order
  kawei-central signatures --trust DIR [--date YYYY-MM-DD] [--project CODE] [--json]
                                                           用中心的受信任 CA 核验承诺书与评分表的签名（全部有效 0，有无效 1）
                                                           / verify every signed commitment and score sheet with the central's CAs (exit 0 all valid, 1 any invalid)

每个命令都接受 / every command takes:
  --data DIR                 数据目录 / data directory (默认 default: .kawei-data/central)
  --store sqlite|postgres    存储 / storage (默认 default: sqlite, DIR/central.sqlite)
  --pg-url URL               PostgreSQL 数据库 / database for --store postgres (或 or KAWEI_PG_URL)
`;

const COMMANDS: Record<string, (args: string[], io: CliIo) => Promise<number>> = {
  serve: serveCommand,
  'seed-demo': seedDemoCommand,
  sites: sitesCommand,
  'enrol-code': enrolCodeCommand,
  devices: devicesCommand,
  revoke: revokeCommand,
  message: messageCommand,
  'publish-rosters': publishRostersCommand,
  'publish-project': publishProjectCommand,
  alerts: alertsCommand,
  events: eventsCommand,
  signatures: signaturesCommand,
};

/** Codes that mean "the arguments name something wrong", so they exit 2 like any other usage error. */
const ARGUMENT_ERROR_CODES: readonly ErrorCode[] = ['BAD_INPUT', 'NOT_FOUND'];

/** Runs one CLI invocation and returns its exit code: 0 done, 2 bad arguments, 1 anything else. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...args] = argv;
  if (command === 'help' || command === '--help' || command === '-h') {
    io.stdout.write(USAGE);
    return 0;
  }
  try {
    const run = command === undefined ? undefined : COMMANDS[command];
    if (!run) {
      throw command === undefined
        ? new UsageError('缺少命令', 'no command given')
        : new UsageError(`未知命令：${command}`, `unknown command: ${command}`);
    }
    return await run(args, io);
  } catch (error) {
    return reportFailure(error, io);
  }
}

function reportFailure(error: unknown, io: CliIo): number {
  if (error instanceof UsageError) {
    io.stderr.write(`错误：${error.chinese}\nerror: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (error instanceof ApiError) {
    io.stderr.write(`错误：${errorMessage(error.code, 'zh-CN')}（${error.code}）\nerror: ${error.message}\n`);
    return ARGUMENT_ERROR_CODES.includes(error.code) ? 2 : 1;
  }
  io.stderr.write(`内部错误 / internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return 1;
}
