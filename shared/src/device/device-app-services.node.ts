import type { z } from 'zod';
import {
  createDispatcher,
  EventHub,
  type ApiImplementation,
  type CallResult,
  type Contract,
  type EventName,
  type EventPayload,
} from '../contract/contract.ts';
import type { enrolInputSchema } from '../contract/device-status.ts';
import type { DeviceKind } from '../domain/topology.ts';
import { DeviceIdentityService, type DeviceStatus } from './device-identity.node.ts';
import { DeviceStore } from './device-store.node.ts';
import { DEVICE_DATABASE_FILE } from '../store/device-database.node.ts';
import type { SqliteDatabase } from '../store/sqlite.node.ts';

/** What a running app exposes to a transport (Electron ipcMain or the Node host's WebSocket). */
export interface AppServices<K extends Contract> {
  dispatch: (name: unknown, input: unknown) => Promise<CallResult>;
  events: EventHub<K>;
  close(): Promise<void>;
}

export interface DeviceAppOptions {
  /** Where the app keeps its SQLite store: Electron's userData, or the host's --data directory. */
  dataDir: string;
  appVersion: string;
  linkIntervalMs?: number;
}

/** The calls every device app has today: status, enrolment, link check. */
export interface DeviceCalls<S> {
  getStatus: (input: Record<string, never>) => Promise<S>;
  enrol: (input: z.output<typeof enrolInputSchema>) => Promise<S>;
  checkLink: (input: Record<string, never>) => Promise<S>;
}

export const DEVICE_STORE_FILE = DEVICE_DATABASE_FILE;

/**
 * Starts the identity service on the app's one database (opened by the app with all its parts:
 * booth-database.node.ts, gate-database.node.ts) and wires it to the app's contract: the three
 * device calls and the `status` event. Each app adds its own calls on top as it grows. Closing the
 * core closes the database. The app sets its message applier (`store.setMessageApplier`) in the
 * same synchronous turn, before the pull client can receive anything.
 */
export function createDeviceAppCore<K extends DeviceKind>(kind: K, options: DeviceAppOptions, database: SqliteDatabase) {
  const store = DeviceStore.on(database);
  let identity: DeviceIdentityService<K>;
  try {
    identity = new DeviceIdentityService({
      kind,
      store,
      appVersion: options.appVersion,
      linkIntervalMs: options.linkIntervalMs,
    });
  } catch (error) {
    database.close(); // a data folder of the other kind of device, say
    throw error;
  }
  const calls: DeviceCalls<DeviceStatus<K>> = {
    getStatus: async () => identity.status(),
    enrol: async ({ centralUrl, code, centralFingerprint }) => identity.enrol(centralUrl, code, centralFingerprint),
    checkLink: async () => identity.checkLink(),
  };
  return {
    identity,
    store,
    calls,
    close: async () => {
      await identity.close();
      database.close();
    },
  };
}

/** Binds an app's implementation to its contract and forwards status changes as the `status` event. */
export function wireAppServices<K extends Contract & { events: { status: z.ZodType } }>(
  contract: K,
  implementation: ApiImplementation<K>,
  subscribeStatus: (emit: (status: z.output<K['events']['status']>) => void) => () => void,
  close: () => Promise<void>,
): AppServices<K> {
  const events = new EventHub(contract);
  const unsubscribe = subscribeStatus((status) =>
     events.emit('status' as EventName<K>, status as EventPayload<K, EventName<K>>),
  );
  return {
    dispatch: createDispatcher(contract, implementation),
    events,
    close: async () => {
      unsubscribe();
      await close();
    },
  };
}
