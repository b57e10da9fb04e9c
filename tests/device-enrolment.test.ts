import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateEd25519, privateKeyFromPkcs8, signText } from '@kawei/shared/crypto/ed25519.node.ts';
import { randomToken, sha256Hex } from '@kawei/shared/crypto/hash.node.ts';
import { CENTRAL_PATHS } from '@kawei/shared/api/central-http.ts';
import { DEVICE_AUTH_HEADERS, deviceRequestMessage } from '@kawei/shared/api/device-auth.ts';
import { DeviceStore } from '@kawei/shared/device/device-store.node.ts';
import { DeviceIdentityService } from '@kawei/shared/device/device-identity.node.ts';
import { ApiError } from '@kawei/shared/errors.ts';
import { centralHttpsJson } from '@kawei/shared/device/pinned-tls.node.ts';
import { cpSync, readFileSync } from 'node:fs';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { ENTRY, fingerprintOf, runNode, startNode, type Listening, type Running } from '../scripts/lib/processes.node.ts';

/**
 * The enrolment slice across real processes: a central started from its CLI on a SQLite file, codes
 * made by the CLI, and the device's own identity service (the code both apps run) enrolling over
 * HTTPS pinned to the fingerprint `enrol-code` prints.
 */
const dir = mkdtempSync(join(tmpdir(), 'kawei-enrol-'));
const centralData = join(dir, 'central');
let central: Running<Listening>;
let centralUrl: string;
let fp: string;

async function cli(args: string[]): Promise<string> {
  const out = await runNode(ENTRY.central, [...args, '--data', centralData]);
  if (out.code !== 0) throw new Error(`${args.join(' ')}: ${out.stderr}`);
  return out.stdout;
}
async function code(flag: '--booth' | '--gate', id: string, ttl?: number): Promise<string> {
  const extra = ttl === undefined ? [] : ['--ttl', String(ttl)];
  return (JSON.parse(await cli(['enrol-code', flag, id, '--json', ...extra])) as { code: string }).code;
}
function freshDevice<K extends 'booth' | 'gate'>(kind: K, name: string) {
  const store = DeviceStore.open(join(dir, name, 'device.sqlite'));
  const service = new DeviceIdentityService({ kind, store, appVersion: '0.1.0-test', linkIntervalMs: 60_000 });
  return { store, service, file: join(dir, name, 'device.sqlite') };
}
async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiError) return error.code;
    throw error;
  }
  throw new Error('expected a refusal');
}

beforeAll(async () => {
  await cli(['seed-demo']);
  central = await startNode<Listening>(ENTRY.central, ['serve', '--data', centralData, '--port', '0'], {
    label: 'central',
    quiet: true,
  });
  centralUrl = central.ready.url.replace(/\/$/, '');
  fp = fingerprintOf(central);
}, 60_000);
afterAll(async () => {
  await central?.stop();
  rmSync(dir, { recursive: true, force: true });
});

// Every test runs CLI processes (each a few seconds on a busy 2-core CI machine) besides the central.
describe('device enrolment against a real central', { timeout: 120_000 }, () => {
  it('enrols a booth, stores its identity privately, and stays enrolled after a restart', async () => {
    const device = freshDevice('booth', 'booth-a5');
    expect(device.service.status().provisioning).toBe('unprovisioned');
    const status = await device.service.enrol(centralUrl, await code('--booth', 'room-5-A3'), fp);
    expect(status).toMatchObject({
      provisioning: 'enrolled',
      position: { kind: 'booth', room: { number: 5 }, booth: { label: 'A3' } },
      link: { state: 'online' },
    });
    expect(statSync(device.file).mode & 0o077).toBe(0); // the private key is not readable by others
    await device.service.close();
    device.store.close();

    const reopened = freshDevice('booth', 'booth-a5');
    const again = await reopened.service.checkLink();
    expect(again).toMatchObject({ provisioning: 'enrolled', link: { state: 'online' }, position: { booth: { label: 'A3' } } });
    expect(await refusal(reopened.service.enrol(centralUrl, await code('--booth', 'room-5-B1'), fp))).toBe('ALREADY_ENROLLED');
    await reopened.service.close();
    reopened.store.close();
  });

  it('refuses unknown, used, expired and wrong-kind codes, and an unreachable central', async () => {
    const gate = freshDevice('gate', 'gate-entrance');
    expect(await refusal(gate.service.enrol(centralUrl, 'ABCD-EFGH', fp))).toBe('ENROL_CODE_INVALID');
    expect(await refusal(gate.service.enrol(centralUrl, await code('--booth', 'room-5-C1'), fp))).toBe('ENROL_CODE_WRONG_KIND');
    const once = await code('--gate', 'gate-entrance');
    await gate.service.enrol(centralUrl, once, fp);

    const second = freshDevice('gate', 'gate-entrance-2');
    expect(await refusal(second.service.enrol(centralUrl, once, fp))).toBe('ENROL_CODE_USED');
    expect(await refusal(second.service.enrol('https://127.0.0.1:9', await code('--gate', 'gate-room-3'), fp))).toBe(
      'CENTRAL_UNREACHABLE',
    );
    for (const d of [gate, second]) {
      await d.service.close();
      d.store.close();
    }
  });

  it('refuses a forged, a tampered and a replayed device request on the wire', async () => {
    const device = freshDevice('booth', 'booth-wire');
    const status = await device.service.enrol(centralUrl, await code('--booth', 'room-5-B2'), fp);
    if (status.provisioning !== 'enrolled') throw new Error('not enrolled');
    const identity = device.store.identity()!;
    const key = privateKeyFromPkcs8(identity.privateKeyPkcs8);

    const signedHeaders = (signWith = key, path: string = CENTRAL_PATHS.deviceMe, nonce = randomToken(18)) => {
      const timestamp = Date.now();
      return {
        [DEVICE_AUTH_HEADERS.device]: status.deviceId,
        [DEVICE_AUTH_HEADERS.timestamp]: String(timestamp),
        [DEVICE_AUTH_HEADERS.nonce]: nonce,
        [DEVICE_AUTH_HEADERS.signature]: signText(signWith, deviceRequestMessage('GET', path, timestamp, nonce, sha256Hex(''))),
      };
    };
    const get = async (headers: Record<string, string>) => {
      const res = await centralHttpsJson(centralUrl + CENTRAL_PATHS.deviceMe, fp, { headers });
      return { status: res.status, body: res.body as { error?: { code: string } } };
    };

    const genuine = signedHeaders();
    expect((await get(genuine)).status).toBe(200);
    const replay = await get(genuine);
    expect(replay).toMatchObject({ status: 401, body: { error: { code: 'REQUEST_REPLAYED' } } });

    const impostor = privateKeyFromPkcs8(generateEd25519().privateKeyPkcs8);
    expect(await get(signedHeaders(impostor))).toMatchObject({ status: 401, body: { error: { code: 'SIGNATURE_INVALID' } } });

    // Signed for another path, sent to this one: the signature covers the path.
    expect(await get(signedHeaders(key, '/api/health'))).toMatchObject({ body: { error: { code: 'SIGNATURE_INVALID' } } });
    await device.service.close();
    device.store.close();
  });

  it('treats an answer from a central other than the enrolled one as not genuine, even over the pinned TLS key', async () => {
    const device = freshDevice('booth', 'booth-pinned');
    await device.service.enrol(centralUrl, await code('--booth', 'room-5-C3'), fp);
    // A second central on another port holding a copy of the first one's TLS key (a stolen key, a
    // proxy) but its own signing key: TLS passes, the answers' signatures do not.
    const otherData = join(dir, 'other-central');
    await runNode(ENTRY.central, ['seed-demo', '--data', otherData]);
    cpSync(join(centralData, 'tls'), join(otherData, 'tls'), { recursive: true });
    const other = await startNode<Listening>(ENTRY.central, ['serve', '--data', otherData, '--port', '0'], {
      label: 'other',
      quiet: true,
    });
    try {
      const identity = device.store.identity()!;
      await device.service.close();
      device.store.close();
      const moved = DeviceStore.open(join(dir, 'booth-pinned-moved', 'device.sqlite'));
      moved.saveIdentity({ ...identity, centralUrl: other.ready.url.replace(/\/$/, '') });
      const service = new DeviceIdentityService({ kind: 'booth', store: moved, appVersion: 't', linkIntervalMs: 60_000 });
      const status = await service.checkLink();
      expect(status).toMatchObject({ link: { state: 'offline', reason: 'CENTRAL_BAD_RESPONSE' } });
      await service.close();
      moved.close();
    } finally {
      await other.stop();
    }
  });

  it('shows a revoked device as refused', async () => {
    const device = freshDevice('gate', 'gate-revoked');
    const status = await device.service.enrol(centralUrl, await code('--gate', 'gate-room-3'), fp);
    if (status.provisioning !== 'enrolled') throw new Error('not enrolled');
    await cli(['revoke', status.deviceId]);
    expect(await device.service.checkLink()).toMatchObject({ link: { state: 'refused', reason: 'DEVICE_REVOKED' } });
    await device.service.close();
    device.store.close();
  });
  it('sends the code only to the key the technician confirmed: a wrong fingerprint or an impostor learns nothing', async () => {
    const device = freshDevice('booth', 'booth-impostor');
    const theCode = await code('--booth', 'room-5-A1');
    // The genuine central, but the technician typed another fingerprint.
    const wrong = `${fp.slice(0, 31)}${fp[31] === '0' ? '1' : '0'}`;
    expect(await refusal(device.service.enrol(centralUrl, theCode, wrong))).toBe('CENTRAL_TLS_MISMATCH');

    // An impostor on the LAN answering TLS with its own certificate: it sees a handshake, no byte of the request.
    const impostor = await startImpostor();
    try {
      expect(await refusal(device.service.enrol(`https://127.0.0.1:${impostor.port}`, theCode, fp))).toBe('CENTRAL_TLS_MISMATCH');
      expect(impostor.connections()).toBeGreaterThan(0);
      expect(impostor.received()).toBe('');
    } finally {
      await impostor.close();
    }
    expect(device.service.status().provisioning).toBe('unprovisioned');

    // The code was never sent, so it still works at the genuine central.
    const status = await device.service.enrol(centralUrl, theCode, fp.slice(0, 32));
    expect(status).toMatchObject({ provisioning: 'enrolled', centralFingerprint: fp });
    expect(device.store.identity()?.centralTlsSpkiSha256).toBe(fp);
    await device.service.close();
    device.store.close();
  });

  it('after enrolment talks to nothing but the pinned key: an impostor on the central\'s own port is refused', async () => {
    const device = freshDevice('booth', 'booth-same-port');
    await device.service.enrol(centralUrl, await code('--booth', 'room-5-A2'), fp);
    const port = Number(new URL(centralUrl).port);
    await central.stop();
    const impostor = await startImpostor(port);
    try {
      expect(await device.service.checkLink()).toMatchObject({ link: { state: 'offline', reason: 'CENTRAL_TLS_MISMATCH' } });
      expect(impostor.connections()).toBeGreaterThan(0);
      expect(impostor.received()).toBe('');
    } finally {
      await impostor.close();
      central = await startNode<Listening>(ENTRY.central, ['serve', '--data', centralData, '--port', String(port)], {
        label: 'central',
        quiet: true,
      });
    }
    expect(fingerprintOf(central)).toBe(fp);
    expect(await device.service.checkLink()).toMatchObject({ link: { state: 'online' } });
    await device.service.close();
    device.store.close();
  });
});

/**
 * A TLS server with a certificate of its own (made by a throwaway `kawei-central` data directory):
 * counts connections and records every byte a client sends over TLS.
 */
async function startImpostor(port = 0): Promise<{ port: number; connections: () => number; received: () => string; close: () => Promise<void> }> {
  const impostorData = mkdtempSync(join(dir, 'impostor-'));
  await runNode(ENTRY.central, ['enrol-code', '--gate', 'nothing', '--data', impostorData]); // makes DIR/tls, then fails on the gate
  const server: TlsServer = createTlsServer({
    cert: readFileSync(join(impostorData, 'tls', 'central.crt')),
    key: readFileSync(join(impostorData, 'tls', 'central.key')),
  });
  let handshakes = 0; // TCP connections
  let received = '';
  // A client that refuses the key drops the connection right after its side of the handshake, often
  // before the server has seen it complete: count connections, and record what arrives over TLS.
  server.on('connection', () => handshakes++);
  server.on('secureConnection', (socket) => {
    socket.on('data', (d: Buffer) => (received += d.toString('latin1')));
    socket.on('error', () => undefined);
  });
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const bound = (server.address() as { port: number }).port;
  return {
    port: bound,
    connections: () => handshakes,
    received: () => received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
