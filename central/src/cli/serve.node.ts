import type { AddressInfo } from 'node:net';
import { openStore } from '../storage/open-store.node.ts';
import { buildCentralServer } from '../server.node.ts';
import { ensureOperatorToken } from './operator-token.node.ts';
import { parseCommandArgs, UsageError } from './cli-args.node.ts';
import type { CliIo } from './cli-io.ts';

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8600;

/**
 * `serve`: runs the HTTP API until SIGTERM or SIGINT. Stdout carries one JSON line,
 * {"event":"listening","url":…}, once the port is bound (with --port 0, the port the system chose);
 * people-facing notes and Fastify's logs go to stderr.
 */
export async function serveCommand(args: string[], io: CliIo): Promise<number> {
  const { values, dataDir, storage } = parseCommandArgs('serve', args, {
    host: { type: 'string', default: DEFAULT_HOST },
    port: { type: 'string', default: String(DEFAULT_PORT) },
  });
  const host = String(values['host']);
  const port = parsePort(String(values['port']));

  const store = await openStore(storage);
  try {
    const token = await ensureOperatorToken(store, dataDir);
    if (token.state === 'created') {
      io.stderr.write(`已生成操作员令牌，保存在 ${token.file}（仅本用户可读）\noperator token created in ${token.file} (mode 0600)\n`);
    } else if (token.state === 'file-missing') {
      io.stderr.write(
        `警告：找不到操作员令牌文件 ${token.file}，管理接口将无法使用\nwarning: operator token file ${token.file} is missing; the admin API cannot be used\n`,
      );
    }
    const app = buildCentralServer({ store, dataDir, logger: { level: 'info', stream: process.stderr } });
    const stopped = untilSignal(['SIGTERM', 'SIGINT']);
    await app.listen({ host, port });
    const { centralId } = await store.getCentralIdentity();
    const bound = (app.server.address() as AddressInfo).port;
    io.stdout.write(`${JSON.stringify({ event: 'listening', url: `http://${urlHost(host)}:${bound}`, centralId })}\n`);
    const signal = await stopped;
    io.stderr.write(`收到 ${signal}，正在关闭 / ${signal}: closing\n`);
    await app.close();
    return 0;
  } finally {
    await store.close();
  }
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d{1,5}$/.test(text) || port > 65535) {
    throw new UsageError(`端口必须是 0 到 65535 之间的整数：${text}`, `--port must be an integer from 0 to 65535: ${text}`);
  }
  return port;
}

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

function untilSignal(signals: NodeJS.Signals[]): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      for (const s of signals) process.off(s, onSignal);
      resolve(signal);
    };
    for (const s of signals) process.on(s, onSignal);
  });
}
