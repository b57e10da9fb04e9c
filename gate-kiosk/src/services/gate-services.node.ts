import { gateContract, type GateContract } from '@kawei/shared/contract/gate.contract.ts';
import type { CheckOutcome } from '@kawei/shared/contract/gate-check.ts';
import {
  createDeviceAppCore,
  wireAppServices,
  type AppServices,
  type DeviceAppOptions,
} from '@kawei/shared/device/device-app-services.node.ts';
import { ApiError } from '@kawei/shared/errors.ts';
import { loadFacePipeline, type FacePipeline } from '@kawei/shared/face/face-pipeline.node.ts';
import { FACE_EMBEDDING_MODEL } from '@kawei/shared/face/models.ts';
import type { EventPayload } from '@kawei/shared/sync/event-log.node.ts';
import { FaceCheck } from './check/face-check.node.ts';
import type { GateStanding } from './check/gate-decision.ts';
import { gateDay } from './check/gate-day.ts';
import { GateDevices, seatAnnouncement } from './devices/gate-devices.node.ts';
import { reportTestOnlySettings } from '@kawei/shared/device/test-only-settings.ts';
import { gateTestOnlySettings, loadGateConfig, type GateConfig } from './gate-config.ts';
import { openGateDatabase } from './gate-database.node.ts';
import { GateJournal } from './monitor/gate-journal.node.ts';
import { GateMonitorService } from './monitor/gate-monitor.node.ts';
import { GateRoster } from './roster/gate-roster.node.ts';
import { StaffSessions } from './staff/staff-sessions.ts';

export interface GateServicesOptions extends DeviceAppOptions {
  /** The technician's gate config (host `--config FILE`); defaults without it. */
  configFile?: string;
  /** An already parsed config (tests); wins over `configFile`. */
  config?: GateConfig;
  /** A loaded face pipeline to share (tests load one per file); loaded here otherwise (≈ 1 s). */
  pipeline?: FacePipeline | Promise<FacePipeline>;
  /** Clock (ms since epoch) for decisions, cooldowns, staff sessions and the day. */
  now?: () => number;
  /** Staff session tuning (tests). */
  staff?: { ttlMs?: number; maxFailures?: number; lockoutMs?: number };
}

export const FACES_REFUSED_EVENT = 'gate.faces_refused';

/**
 * The gate kiosk's services: everything behind its API table, with no Electron and no browser in
 * sight. The face pipeline loads in the background (checkFace answers FACE_ENGINE_UNAVAILABLE if it
 * cannot), the serial devices start in the background (a device absent at start is `down` and
 * retried), and the day's roster and faces come from the device inbox.
 */
export function createGateServices(options: GateServicesOptions): AppServices<GateContract> & { ready: Promise<void> } {
  const config = options.config ?? loadGateConfig(options.configFile);
  const now = options.now ?? Date.now;
  // One database for the device part and the gate's tables: a check's event and its journal entry commit together.
  const database = openGateDatabase(options.dataDir);
  if (database.imported.length > 0) console.warn(`[gate] merged ${database.imported.join(', ')} into device.sqlite`);
  const core = createDeviceAppCore('gate', options, database.db);
  const { identity } = core;
  // Liveness forced off (test-only): warned, and reported to the central as device.config_warning.
  reportTestOnlySettings(identity, gateTestOnlySettings(config), { app: 'gate' });
  const transaction = <T>(fn: () => T): T => core.store.transaction(fn);

  const standing = (): GateStanding | null => {
    const s = identity.status();
    if (s.provisioning !== 'enrolled') return null;
    const { site, gate } = s.position;
    return { role: gate.role, siteId: site.id, roomId: gate.roomId };
  };
  const record = (type: string, payload: EventPayload) => identity.recordEvent(type, payload);

  const journal = GateJournal.open(options.dataDir, database.db);
  const roster = GateRoster.open({
    dataDir: options.dataDir,
    database: database.db,
    model: FACE_EMBEDDING_MODEL,
    siteId: () => standing()?.siteId ?? null,
    now,
    // Runs inside the transaction that stores the message (see setMessageApplier below): the alert,
    // the event and the refusal commit together.
    onRefused: (r) => {
      const at = now();
      journal.addAlert({ date: gateDay(at), at, kind: 'no_roster', checkId: null, device: null });
      try {
        record(FACES_REFUSED_EVENT, { messageId: r.messageId, date: r.date, part: r.part, model: r.model, expectedModel: r.expectedModel });
      } catch (error) {
        console.warn(`[gate] ${FACES_REFUSED_EVENT} not recorded: ${(error as Error).message}`);
      }
    },
  });
  // Yesterday's roster, faces and journal go at start and whenever the day turns (a kiosk runs for
  // weeks): templates are kept no longer than the day they were sent for.
  let purgedFor = '';
  const purgeOldDays = (): void => {
    const today = gateDay(now());
    if (today === purgedFor) return;
    roster.purgeBefore(today);
    journal.purgeBefore(today);
    purgedFor = today;
  };
  purgeOldDays();
  const dayWatch = setInterval(purgeOldDays, 60_000);
  dayWatch.unref();
  // Each downstream message is applied in the transaction that stores it in the inbox (and those an
  // older version or a tool stored without applying are applied now, in order).
  core.store.setMessageApplier((message) => {
    roster.ingest(message);
  });

  let devices: GateDevices | null = null;
  let pipeline: FacePipeline | null = null;
  let pipelineError: string | null = null;
  let check: FaceCheck | null = null;
  let closed = false;

  const staff = new StaffSessions(config.staffPinHash, { now, ...options.staff });
  const monitor = new GateMonitorService({
    staff,
    journal,
    roster,
    devices: () => devices,
    standing,
    link: () => {
      const s = identity.status();
      return s.provisioning === 'enrolled' ? s.link : null;
    },
    lastFrameAt: () => check?.lastFrameAt ?? null,
    record,
    transaction,
    now,
  });

  let publish: (outcome: CheckOutcome, at: number) => void = () => undefined;

  const devicesReady = GateDevices.start(config.devices).then((d) => {
    if (closed) return d.close();
    devices = d;
    d.onHealth((h) => monitor.onDeviceHealth(h));
    // The state each device reached while starting, then every change.
    for (const h of d.health()) monitor.onDeviceHealth(h);
    d.onCard((card) => check?.cardRead(card));
  }, (error: unknown) => {
    console.error('[gate] the gate devices could not start', error);
  });
  const pipelineReady = Promise.resolve(options.pipeline ?? loadFacePipeline()).then(
    (p) => {
      pipeline = p;
    },
    (error: unknown) => {
      pipelineError = (error as Error).message;
      console.error('[gate] the face pipeline could not be loaded', error);
    },
  );
  const ready = Promise.all([devicesReady, pipelineReady]).then(() => undefined);

  const checker = async (): Promise<FaceCheck> => {
    await ready;
    if (!pipeline) throw new ApiError('FACE_ENGINE_UNAVAILABLE', `the face pipeline is not available: ${pipelineError ?? 'not loaded'}`);
    if (pipeline.model !== roster.model) {
      throw new ApiError('FACE_ENGINE_UNAVAILABLE', `the face pipeline runs ${pipeline.model}, the gate's templates are ${roster.model}`);
    }
    if (!devices) throw new ApiError('FACE_ENGINE_UNAVAILABLE', 'the gate devices did not start');
    check ??= new FaceCheck({
      pipeline,
      roster,
      journal,
      devices,
      config,
      standing,
      record,
      transaction,
      publish: (outcome, at) => publish(outcome, at),
      seatAnnouncement,
      now,
    });
    return check;
  };

  const services = wireAppServices(
    gateContract,
    {
      ...core.calls,
      checkFace: async (input) => {
        purgeOldDays();
        return (await checker()).checkFace(input);
      },
      staffLogin: async ({ pin }) => monitor.login(pin),
      staffLogout: async ({ staffToken }) => {
        monitor.logout(staffToken);
        return {};
      },
      getMonitor: async ({ staffToken }) => {
        await devicesReady.catch(() => undefined);
        return monitor.getMonitor(staffToken);
      },
      manualOpen: async ({ staffToken, reason }) => {
        await devicesReady.catch(() => undefined);
        return monitor.manualOpen(staffToken, reason);
      },
      ackAlert: async ({ staffToken, alertId }) => {
        monitor.ackAlert(staffToken, alertId);
        return {};
      },
    },
    (emit) => identity.onChange(emit),
    async () => {
      closed = true;
      clearInterval(dayWatch);
      await ready.catch(() => undefined);
      await check?.settle();
      await devices?.close();
      if (!options.pipeline) (pipeline as FacePipeline | null)?.dispose();
      roster.close();
      journal.close();
      await core.close();
    },
  );
  publish = (outcome, at) => services.events.emit('check', { outcome, at });
  return { ...services, ready };
}
