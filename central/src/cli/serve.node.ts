import type { AddressInfo } from 'node:net';
import { openStore } from '../storage/open-store.node.ts';
import { buildCentralServer } from '../server.node.ts';
import { ensureOperatorToken } from './operator-token.node.ts';
import { parseCommandArgs, UsageError } from './cli-args.node.ts';
import type { CliIo } from './cli-io.ts';
import { ensureCentralTls, type CentralTls } from './central-tls.node.ts';
import { formatFingerprint } from '@kawei/shared/api/central-tls.ts';

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8600;

/**
 * `serve`: runs the HTTPS API until SIGTERM or SIGINT. Stdout carries one JSON line,
 * {"event":"listening","url":"https://…","fingerprint":…}, once the port is bound (with --port 0,
 * the port the system chose); people-facing notes and Fastify's logs go to stderr. There is no plain
 * HTTP mode: the certificate is the installation's own (made in DIR/tls on first start, see
 * central-tls.node.ts) or the one given with --tls-cert/--tls-key.
 */
export async function serveCommand(args: string[], io: CliIo): Promise<number> {
  const { values, dataDir, storage } = parseCommandArgs('serve', args, {
    host: { type: 'string', default: DEFAULT_HOST },
    port: { type: 'string', default: String(DEFAULT_PORT) },
    'tls-cert': { type: 'string' },
    'tls-key': { type: 'string' },
    'tls-name': { type: 'string', multiple: true },
  });
  const host = String(values['host']);
  const port = parsePort(String(values['port']));
  const tls = await ensureCentralTls({
    dataDir,
    names: [host, ...((values['tls-name'] as unknown as string[] | undefined) ?? [])],
    certFile: values['tls-cert'] as string | undefined,
    keyFile: values['tls-key'] as string | undefined,
  });
  io.stderr.write(tlsNote(tls));

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
    const app = buildCentralServer({
      store,
      dataDir,
      logger: { level: 'info', stream: process.stderr },
      tls: { cert: tls.cert, key: tls.key },
      tlsFingerprint: tls.fingerprint,
    });
    const stopped = untilSignal(['SIGTERM', 'SIGINT']);
    await app.listen({ host, port });
    const { centralId } = await store.getCentralIdentity();
    const bound = (app.server.address() as AddressInfo).port;
    const url = `https://${urlHost(host)}:${bound}`;
    io.stdout.write(`${JSON.stringify({ event: 'listening', url, centralId, fingerprint: tls.fingerprint })}\n`);
    const signal = await stopped;
    io.stderr.write(`收到 ${signal}，正在关闭 / ${signal}: closing\n`);
    await app.close();
    return 0;
  } finally {
    await store.close();
  }
}

function tlsNote(tls: CentralTls): string {
  const what = {
    made: ['已生成本中心的 TLS 密钥与自签名证书', 'made the central\'s TLS key and self-signed certificate'],
    reissued: ['已用原密钥重新签发 TLS 证书（新增主机名）', 're-issued the TLS certificate over the same key (new host names)'],
    loaded: ['使用 TLS 证书', 'using the TLS certificate'],
    given: ['使用指定的 TLS 证书', 'using the given TLS certificate'],
  }[tls.state];
  return (
    `${what[0]}：${tls.certFile}\n${what[1]}: ${tls.certFile}\n` +
    `中心密钥指纹 / central key fingerprint (SHA-256 SPKI):\n  ${formatFingerprint(tls.fingerprint)}\n`
  );
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
