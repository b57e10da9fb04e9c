import type { FastifyInstance } from 'fastify';
import { sha256Hex } from '@kawei/shared/crypto/hash.node.ts';
import { CENTRAL_PATHS, enrolResponseSchema, type EnrolResponse, type EnrolTarget } from '@kawei/shared/api/central-http.ts';
import { buildCentralServer, type CentralServerOptions } from '../src/server.node.ts';
import { issueEnrolCode } from '../src/enrolment/enrol-codes.node.ts';
import type { SqliteCentralStore } from '../src/storage/sqlite-central-store.node.ts';
import type { TestDevice } from './device-signer.ts';
import { openDemoStore } from './store-fixtures.ts';

export const OPERATOR_TOKEN = 'operator-token-for-tests-0123456789abcdef';
export const operatorHeaders = (token = OPERATOR_TOKEN) => ({ authorization: `Bearer ${token}` });

export interface TestCentral {
  app: FastifyInstance;
  store: SqliteCentralStore;
  /** The central's clock is the real clock plus this offset; move it to reach expiry or staleness. */
  clock: { offsetMs: number };
  now: () => number;
  close(): Promise<void>;
}

/** A central on a fresh SQLite file seeded with the demo topology, with a known operator token. */
export async function startTestCentral(
  dir: string,
  extend?: (app: FastifyInstance, deps: { store: SqliteCentralStore; now: () => number }) => void,
  options: Pick<CentralServerOptions, 'messageHub' | 'streamPingMs'> = {},
): Promise<TestCentral> {
  const store = await openDemoStore(dir);
  await store.setOperatorTokenHashIfAbsent(sha256Hex(OPERATOR_TOKEN));
  const clock = { offsetMs: 0 };
  const now = () => Date.now() + clock.offsetMs;
  const app = buildCentralServer({ store, now, ...options });
  extend?.(app, { store, now });
  return {
    app,
    store,
    clock,
    now,
    close: async () => {
      await app.close();
      await store.close();
    },
  };
}

export async function newCode(central: TestCentral, target: EnrolTarget, ttlMinutes = 60): Promise<string> {
  return (await issueEnrolCode(central.store, { target, ttlMinutes, now: central.now() })).code;
}

/** Enrols `device` at `target` over HTTP; sets device.deviceId and returns the central's answer. */
export async function enrolOverHttp(central: TestCentral, device: TestDevice, target: EnrolTarget): Promise<EnrolResponse> {
  const code = await newCode(central, target);
  const res = await central.app.inject({
    method: 'POST',
    url: CENTRAL_PATHS.enrol,
    payload: device.enrolRequest(code, target.kind),
  });
  if (res.statusCode !== 201) throw new Error(`enrol failed: ${res.statusCode} ${res.body}`);
  const answer = enrolResponseSchema.parse(res.json());
  device.deviceId = answer.deviceId;
  return answer;
}
