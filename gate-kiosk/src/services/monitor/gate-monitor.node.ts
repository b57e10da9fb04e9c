/**
 * The gate staff's side: the monitor (entries with capture and enrolled photo, masked names, alerts,
 * device tiles, per-room counts), manual open with a mandatory reason, alert acknowledgement, and the
 * device-health bookkeeping (a `device.health` event on every state change, an alert when a device
 * goes down). Every call but login needs a live staff token. The project an expert evaluates is not
 * in anything here: the gate never receives it.
 */
import { randomUUID } from 'node:crypto';
import type { DeviceTile, GateMonitor, MonitorEntry } from '@kawei/shared/contract/gate-check.ts';
import type { LinkStatus } from '@kawei/shared/contract/device-status.ts';
import { DEVICE_HEALTH_EVENT, type DeviceHealth } from '@kawei/shared/devices/device-health.ts';
import type { EventPayload } from '@kawei/shared/sync/event-log.node.ts';
import type { SyncEvent } from '@kawei/shared/sync/sync-event.ts';
import type { PassageResult } from '../devices/gate-devices.node.ts';
import type { StaffSessions } from '../staff/staff-sessions.ts';
import type { GateStanding } from '../check/gate-decision.ts';
import { gateDay } from '../check/gate-day.ts';
import type { GateRoster } from '../roster/gate-roster.node.ts';
import type { GateJournal } from './gate-journal.node.ts';
import { roomCounts } from './room-counts.ts';

/** The camera tile is `up` while frames keep arriving; the kiosk sends several a second. */
export const CAMERA_FRESH_MS = 5000;
export const MANUAL_OPEN_EVENT = 'gate.manual_open';

export interface MonitorDevices {
  readonly hasRelay: boolean;
  tiles(): DeviceTile[];
  openPassage(): Promise<PassageResult>;
}

export interface GateMonitorOptions {
  staff: StaffSessions;
  journal: GateJournal;
  roster: GateRoster;
  /** Null until the devices have started. */
  devices: () => MonitorDevices | null;
  standing: () => GateStanding | null;
  /** The central link (null when not enrolled). */
  link: () => LinkStatus | null;
  lastFrameAt: () => number | null;
  record: (type: string, payload: EventPayload) => SyncEvent;
  /** One transaction of the gate's database (DeviceStore.transaction): the event and the journal's row commit together. */
  transaction?: <T>(fn: () => T) => T;
  now?: () => number;
}

export class GateMonitorService {
  private readonly now: () => number;
  private readonly transaction: <T>(fn: () => T) => T;
  private readonly lastHealth = new Map<string, DeviceHealth['state']>();

  constructor(private readonly o: GateMonitorOptions) {
    this.now = o.now ?? Date.now;
    this.transaction = o.transaction ?? ((fn) => fn());
  }

  login(pin: string) {
    return this.o.staff.login(pin);
  }

  logout(token: string): void {
    this.o.staff.logout(token);
  }

  getMonitor(token: string): GateMonitor {
    this.o.staff.check(token);
    const now = this.now();
    const today = gateDay(now);
    const standing = this.o.standing();
    const roster = this.o.roster.roster(today);
    const entries: MonitorEntry[] = this.o.journal.entries(today).map((e) => {
      const photo = e.expert === null ? null : this.o.roster.photo(today, e.expert);
      return {
        checkId: e.checkId,
        at: e.at,
        decision: e.decision,
        reason: e.reason,
        maskedName: e.maskedName,
        codename: e.codename,
        seat: e.seat,
        similarity: e.similarity,
        capture: e.capture,
        enrolledPhoto: photo === null ? null : `data:image/jpeg;base64,${photo}`,
        note: e.note,
      };
    });
    const arrived = new Set(this.o.journal.passes(today).keys());
    return {
      entries,
      alerts: this.o.journal.alerts(today),
      devices: this.tiles(now),
      rooms: roster ? roomCounts(roster.entries, arrived, standing?.role === 'room_door' ? standing.roomId : null) : [],
      rosterDate: roster?.date ?? null,
    };
  }

  tiles(now = this.now()): DeviceTile[] {
    const last = this.o.lastFrameAt();
    const camera: DeviceTile = {
      device: 'camera',
      kind: 'camera',
      state: last === null ? 'connecting' : now - last <= CAMERA_FRESH_MS ? 'up' : 'down',
      since: last,
      error: last !== null && now - last > CAMERA_FRESH_MS ? 'no frame for more than 5 s' : null,
    };
    const link = this.o.link();
    const central: DeviceTile = {
      device: 'central',
      kind: 'central',
      state: link === null ? 'absent' : link.state === 'online' ? 'up' : link.state === 'unknown' ? 'connecting' : 'down',
      since: link?.since ?? null,
      error: link?.reason ?? null,
    };
    const serial = this.o.devices()?.tiles() ?? [];
    return [camera, ...serial, central];
  }

  /** Opens the passage without a face check; the reason is recorded (sync log and journal) whatever happens. */
  async manualOpen(token: string, reason: string): Promise<{ ok: boolean; eventSeq: number; error?: string }> {
    this.o.staff.check(token);
    const devices = this.o.devices();
    const passage: PassageResult = devices?.hasRelay ? await devices.openPassage() : { ok: false, error: 'no relay configured' };
    const now = this.now();
    const checkId = randomUUID();
    const event = this.transaction(() => {
      const recorded = this.o.record(MANUAL_OPEN_EVENT, {
        checkId,
        reason,
        ok: passage.ok,
        error: passage.error ?? null,
        at: now,
      });
      this.o.journal.addEntry({
        checkId,
        date: gateDay(now),
        at: now,
        decision: 'manual_open',
        reason: passage.ok ? null : 'device_fault',
        expert: null,
        maskedName: null,
        codename: null,
        seat: null,
        similarity: null,
        capture: null,
        note: reason,
      });
      return recorded;
    });
    return passage.ok ? { ok: true, eventSeq: event.seq } : { ok: false, eventSeq: event.seq, error: passage.error ?? 'the passage did not open' };
  }

  ackAlert(token: string, alertId: string): void {
    this.o.staff.check(token);
    this.o.journal.acknowledge(alertId, this.now());
  }

  /**
   * A device health report: recorded as `device.health` when the state changed (the port manager
   * repeats itself; the log keeps transitions only), and a `device_down` alert when it went down.
   */
  onDeviceHealth(health: DeviceHealth): void {
    const before = this.lastHealth.get(health.device);
    if (before === health.state) return;
    this.lastHealth.set(health.device, health.state);
    this.transaction(() => {
      try {
        this.o.record(DEVICE_HEALTH_EVENT, { ...health, error: health.error ?? null });
      } catch (error) {
        // Not enrolled yet: the health is still shown on the tile.
        console.warn(`[gate] device health not recorded: ${(error as Error).message}`);
      }
      if (health.state === 'down' || health.state === 'degraded') {
        const now = this.now();
        this.o.journal.addAlert({ date: gateDay(now), at: now, kind: 'device_down', checkId: null, device: health.device });
      }
    });
  }
}
