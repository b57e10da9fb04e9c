import type { BoothStatus, GateStatus, SyncSummaryView } from '../src/contract/device-status.ts';
import type { BoothPosition, GatePosition } from '../src/domain/topology.ts';

/** Statuses and positions as the services would send them, for the renderer-side tests. */

export const site = { id: 'city', name: '市公共资源交易中心' };
export const room3 = { id: 'room-3', siteId: 'city', number: 3, name: '3号评标室', rows: 3, cols: 3 };

export const boothA5: BoothPosition = {
  kind: 'booth',
  site,
  room: room3,
  booth: { id: 'room-3-A5', roomId: 'room-3', row: 0, col: 4, label: 'A5' },
};

export const areaEntrance: GatePosition = {
  kind: 'gate',
  site,
  gate: { id: 'gate-entrance', siteId: 'city', name: '评标区入口', role: 'area_entrance', roomId: null },
  room: null,
};

export const room3Door: GatePosition = {
  kind: 'gate',
  site,
  gate: { id: 'gate-room-3', siteId: 'city', name: '3号评标室门', role: 'room_door', roomId: 'room-3' },
  room: room3,
};

export const syncedUp: SyncSummaryView = {
  state: 'idle',
  lastSeq: 3,
  ackedSeq: 3,
  pending: 0,
  lastError: null,
  lastAckAt: 1_700_000_000_000,
  inbox: { cursor: 0, transport: 'stream', state: 'live' },
};

export const unprovisionedBooth: BoothStatus = { provisioning: 'unprovisioned', appVersion: '0.1.0' };

export function enrolledBooth(link: Partial<BoothStatus & { provisioning: 'enrolled' }>['link'] = undefined): BoothStatus {
  return {
    provisioning: 'enrolled',
    appVersion: '0.1.0',
    deviceId: 'dev-1',
    centralUrl: 'https://10.0.0.5:8600',
    centralFingerprint: '3f2a9c01b7d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e',
    centralId: 'central-1',
    enrolledAt: 1_700_000_000_000,
    position: boothA5,
    link: link ?? { state: 'online', since: 1_700_000_000_000, lastContactAt: 1_700_000_000_000, reason: null },
    sync: syncedUp,
  };
}

export const enrolledGate: GateStatus = {
  provisioning: 'enrolled',
  appVersion: '0.1.0',
  deviceId: 'dev-2',
  centralUrl: 'https://10.0.0.5:8600',
  centralFingerprint: '3f2a9c01b7d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e',
  centralId: 'central-1',
  enrolledAt: 1_700_000_000_000,
  position: room3Door,
  link: { state: 'offline', since: 1_700_000_000_000, lastContactAt: null, reason: 'CENTRAL_UNREACHABLE' },
  sync: syncedUp,
};
