import type { AddressInfo } from 'node:net';
import { openStore } from '../storage/open-store.node.ts';
import { buildCentralServer } from '../server.node.ts';
import { ensureOperatorToken } from './operator-token.node.ts';
import { parseCommandArgs, usageError } from './cli-args.node.ts';
import { bilingual, bilingualLines } from '@kawei/shared/i18n/bilingual.ts';
import type { CliIo } from './cli-io.ts';
import { ensureCentralTls, type CentralTls } from './central-tls.node.ts';
import { formatFingerprint } from '@kawei/shared/api/central-tls.ts';
import { resolve } from 'node:path';
import { expertNamesFrom, readCertificateFiles, watchedTrustList } from '../report/report-serve-config.node.ts';

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
    // The report (issue #14): the experts' CAs its signatures are checked against, and the
    // supervisors' certificates its identity annex is encrypted for (repeatable, or a comma list).
    trust: { type: 'string' },
    'supervision-cert': { type: 'string', multiple: true },
    // The expert registry (DIR/experts.json): the names in the identity annex.
    experts: { type: 'string' },
  });
  const trustDir = values['trust'] === undefined ? null : resolve(String(values['trust']));
  const reportTrustList = trustDir === null ? null : readConfig('--trust', () => watchedTrustList(trustDir, (m) => io.stderr.write(`${m}\n`)));
  const certFiles = ((values['supervision-cert'] as unknown as string[] | undefined) ?? []).flatMap((v) => v.split(',')).filter((f) => f.trim() !== '');
  const supervisionCertificates = readConfig('--supervision-cert', () => readCertificateFiles(certFiles.map((f) => resolve(f.trim()))));
  const expertsDir = values['experts'] === undefined ? null : resolve(String(values['experts']));
  const expertName = expertsDir === null ? null : readConfig('--experts', () => expertNamesFrom(expertsDir));
  const host = String(values['host']);
  const port = parsePort(String(values['port']));
  const tls = await ensureCentralTls({
    dataDir,
    names: [host, ...((values['tls-name'] as unknown as string[] | undefined) ?? [])],
    certFile: values['tls-cert'] as string | undefined,
    keyFile: values['tls-key'] as string | undefined,
  });
  io.stderr.write(tlsNote(tls));

  // Said once every argument is good (a bad one is the only thing a mistyped command should print).
  if (trustDir === null) io.stderr.write(`${bilingualLines('reportRecord.serve.noTrust')}\n`);
  const store = await openStore(storage);
  try {
    const token = await ensureOperatorToken(store, dataDir);
    if (token.state === 'created') {
      io.stderr.write(`${bilingualLines('central.serve.tokenCreated', { file: token.file })}\n`);
    } else if (token.state === 'file-missing') {
      io.stderr.write(`${bilingualLines('central.serve.tokenMissing', { file: token.file })}\n`);
    }
    const app = buildCentralServer({
      store,
      dataDir,
      logger: { level: 'info', stream: process.stderr },
      tls: { cert: tls.cert, key: tls.key },
      tlsFingerprint: tls.fingerprint,
      ...(reportTrustList === null ? {} : { reportTrustList }),
      supervisionCertificates,
      ...(expertName === null ? {} : { expertName }),
    });
    const stopped = untilSignal(['SIGTERM', 'SIGINT']);
    await app.listen({ host, port });
    const { centralId } = await store.getCentralIdentity();
    const bound = (app.server.address() as AddressInfo).port;
    const url = `https://${urlHost(host)}:${bound}`;
    io.stdout.write(`${JSON.stringify({ event: 'listening', url, centralId, fingerprint: tls.fingerprint })}\n`);
    const signal = await stopped;
    io.stderr.write(`${bilingual('central.serve.closing', { signal })}\n`);
    await app.close();
    return 0;
  } finally {
    await store.close();
  }
}

function tlsNote(tls: CentralTls): string {
  const what = ({ made: 'central.tls.made', reissued: 'central.tls.reissued', loaded: 'central.tls.loaded', given: 'central.tls.given' } as const)[tls.state];
  return (
    `${bilingualLines(what, { file: tls.certFile })}\n` +
    `${bilingual('central.fingerprint')} (SHA-256 SPKI):\n  ${formatFingerprint(tls.fingerprint)}\n`
  );
}

/** A report option's file or folder read at start: an unreadable one is an argument error naming the option. */
function readConfig<T>(option: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    throw usageError('central.args.bad', { command: 'serve', message: `${option}: ${(error as Error).message}` });
  }
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d{1,5}$/.test(text) || port > 65535) {
    throw usageError('central.args.port', { text });
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
