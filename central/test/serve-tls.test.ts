import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CENTRAL_PATHS } from '@kawei/shared/api/central-http.ts';
import { formatFingerprint, shortFingerprint } from '@kawei/shared/api/central-tls.ts';
import { centralHttpsJson } from '@kawei/shared/device/pinned-tls.node.ts';
import { runCli, startServe, type Serving } from './cli-process.ts';
import { useTempDir } from './temp-dir.ts';
import { requireTool } from '../../tests/support/require-tool.node.ts';

/*
 * `kawei-central serve` speaks TLS only, with the key whose fingerprint `enrol-code` prints. openssl
 * is the independent reader of what is on the wire.
 */

const tempDir = useTempDir();
let serving: Serving | null = null;
afterEach(async () => {
  if (serving && serving.child.exitCode === null) {
    serving.child.kill('SIGKILL');
    await serving.exited;
  }
  serving = null;
});

/** What openssl s_client sees at host:port: the SPKI SHA-256 of the certificate presented. */
function opensslSpkiSha256(port: number): string {
  const pem = execFileSync('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost'], {
    input: '',
    stdio: ['pipe', 'pipe', 'ignore'],
    timeout: 20_000,
  }).toString();
  const cert = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem)?.[0];
  if (!cert) throw new Error('openssl s_client saw no certificate');
  const spki = execFileSync('openssl', ['x509', '-noout', '-pubkey'], { input: cert });
  const der = execFileSync('openssl', ['pkey', '-pubin', '-outform', 'der'], { input: spki });
  return execFileSync('openssl', ['dgst', '-sha256', '-r'], { input: der }).toString().split(' ')[0]!;
}

/** The first bytes the port answers to a plain-text HTTP request. */
function answerToPlainText(port: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write('GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n'));
    const chunks: Buffer[] = [];
    socket.on('data', (d) => chunks.push(d));
    socket.on('error', () => resolve(Buffer.concat(chunks)));
    socket.on('close', () => resolve(Buffer.concat(chunks)));
    socket.setTimeout(10_000, () => {
      socket.destroy();
      reject(new Error('no answer and no close'));
    });
  });
}

describe('kawei-central serve over TLS', () => {
  it('makes its own key (0600 in a 0700 folder), presents it on the wire, and enrol-code prints its fingerprint', async () => {
    requireTool('openssl');
    const data = join(tempDir(), 'central');
    serving = await startServe(['--data', data, '--port', '0']);
    const url = new URL(serving.url);
    expect(url.protocol).toBe('https:');
    expect(serving.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(join(data, 'tls', 'central.key')).mode & 0o777).toBe(0o600);
    expect(statSync(join(data, 'tls')).mode & 0o777).toBe(0o700);
    expect(serving.stderr()).toContain(formatFingerprint(serving.fingerprint));

    const port = Number(url.port);
    expect(opensslSpkiSha256(port)).toBe(serving.fingerprint);

    // A plain-text request gets no HTTP answer: at most a TLS alert record (content type 0x15).
    const answer = await answerToPlainText(port);
    expect(answer.subarray(0, 5).toString('latin1')).not.toBe('HTTP/');
    if (answer.length > 0) expect(answer[0]).toBe(0x15);
    const plain = await new Promise<string>((resolve) => {
      const req = httpRequest({ host: '127.0.0.1', port, path: CENTRAL_PATHS.health }, (res) => resolve(`HTTP ${res.statusCode}`));
      req.on('error', (error) => resolve(`error ${error.message}`));
      req.end();
    });
    expect(plain).toMatch(/^error /);

    expect((await runCli(['seed-demo', '--data', data])).code).toBe(0);
    const issued = await runCli(['enrol-code', '--booth', 'room-5-B3', '--data', data]);
    expect(issued.code, issued.stderr).toBe(0);
    expect(issued.stdout).toContain(shortFingerprint(serving.fingerprint));
    expect(issued.stdout).toContain(formatFingerprint(serving.fingerprint));

    // The admin API gives the same fingerprint with a code, over the pinned connection.
    const token = readFileSync(join(data, 'operator-token'), 'utf8').trim();
    const made = await centralHttpsJson(serving.url + CENTRAL_PATHS.adminEnrolmentCodes, serving.fingerprint, {
      headers: { authorization: `Bearer ${token}` },
      json: { target: { kind: 'gate', gateId: 'gate-room-3' } },
    });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ centralFingerprint: serving.fingerprint });

    // A client pinned to another key sends nothing and says why.
    await expect(centralHttpsJson(serving.url + CENTRAL_PATHS.health, 'ab'.repeat(32))).rejects.toMatchObject({
      code: 'CENTRAL_TLS_MISMATCH',
    });
  });

  it('keeps its key across restarts and re-issues the certificate for a new name over the same key', async () => {
    const data = join(tempDir(), 'central');
    serving = await startServe(['--data', data, '--port', '0']);
    const first = serving.fingerprint;
    serving.child.kill('SIGTERM');
    expect(await serving.exited).toBe(0);

    serving = await startServe(['--data', data, '--port', '0', '--tls-name', 'central.kawei.lan']);
    expect(serving.fingerprint).toBe(first);
    expect(serving.stderr()).toContain('re-issued the TLS certificate over the same key');
    requireTool('openssl');
    const names = execFileSync('openssl', ['x509', '-in', join(data, 'tls', 'central.crt'), '-noout', '-ext', 'subjectAltName']).toString();
    expect(names).toContain('DNS:central.kawei.lan');
    expect(names).toContain('IP Address:127.0.0.1');
  });

  it('uses a certificate the installation gives (--tls-cert/--tls-key) and refuses a key that is not its own', async () => {
    requireTool('openssl');
    const dir = tempDir();
    const make = (name: string) => {
      execFileSync('openssl', [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '30',
        '-subj', `/CN=${name}`, '-keyout', join(dir, `${name}.key`), '-out', join(dir, `${name}.crt`),
      ], { stdio: 'ignore' });
      const spki = execFileSync('openssl', ['x509', '-in', join(dir, `${name}.crt`), '-noout', '-pubkey']);
      const der = execFileSync('openssl', ['pkey', '-pubin', '-outform', 'der'], { input: spki });
      return execFileSync('openssl', ['dgst', '-sha256', '-r'], { input: der }).toString().split(' ')[0]!;
    };
    const given = make('given');
    make('other');
    const data = join(dir, 'central');
    serving = await startServe(['--data', data, '--port', '0', '--tls-cert', join(dir, 'given.crt'), '--tls-key', join(dir, 'given.key')]);
    expect(serving.fingerprint).toBe(given);
    expect(opensslSpkiSha256(Number(new URL(serving.url).port))).toBe(given);
    serving.child.kill('SIGTERM');
    await serving.exited;
    serving = null;

    const mismatched = await runCli(['serve', '--data', data, '--port', '0', '--tls-cert', join(dir, 'given.crt'), '--tls-key', join(dir, 'other.key')]);
    expect(mismatched.code).toBe(2);
    expect(mismatched.stderr).toContain('--tls-key 不是 --tls-cert 证书的私钥');
    const half = await runCli(['serve', '--data', data, '--port', '0', '--tls-cert', join(dir, 'given.crt')]);
    expect(half.code).toBe(2);
  });
});
