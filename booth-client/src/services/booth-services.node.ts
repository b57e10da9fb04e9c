import { boothContract, type BoothContract } from '@kawei/shared/contract/booth.contract.ts';
import type { BoothPosition } from '@kawei/shared/domain/topology.ts';
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
import { reportTestOnlySettings } from '@kawei/shared/device/test-only-settings.ts';
import { boothTestOnlySettings, loadBoothConfig, type BoothConfig } from './booth-config.ts';
import { openBoothDatabase } from './booth-database.node.ts';
import { createBoothFiles } from './files/booth-files.node.ts';
import { createScoreSheet } from './scoring/score-sheet.node.ts';
import { boothDay } from './roster/booth-day.ts';
import { BoothRoster } from './roster/booth-roster.node.ts';
import { BoothSession } from './session/booth-session.node.ts';
import { SessionStore } from './session/session-store.node.ts';
import { BoothSigner } from './signing/booth-signer.node.ts';

export interface BoothServicesOptions extends DeviceAppOptions {
  /** The technician's booth config (host `--config FILE`); defaults without it. */
  configFile?: string;
  /** An already parsed config (host, tests); wins over `configFile`. */
  config?: BoothConfig;
  /** A loaded face pipeline to share (tests load one per file); loaded here otherwise (≈ 1 s). */
  pipeline?: FacePipeline | Promise<FacePipeline>;
  /** Clock (ms since epoch) for the session: the day, liveness, presence, re-checks. */
  now?: () => number;
  /** Random source for the re-check schedule and the liveness order (CSPRNG by default). */
  random?: () => number;
}

export const FACES_REFUSED_EVENT = 'booth.faces_refused';

export type BoothServices = AppServices<BoothContract> & {
  /** Resolves when the face pipeline is loaded (or failed to). */
  ready: Promise<void>;
  /** The trusted-side session and key, for the files/scoring wiring and tests. */
  session: BoothSession;
  signer: BoothSigner;
  roster: BoothRoster;
  files: ReturnType<typeof createBoothFiles>;
  sheet: ReturnType<typeof createScoreSheet>;
};

/**
 * The booth client's services: everything behind its API table, with no Electron and no browser in
 * sight. The day's seat, template and project come from the device inbox (booth-roster), the face
 * pipeline loads once in the background (cameraFrame answers FACE_ENGINE_UNAVAILABLE if it cannot),
 * the USB key is watched from the start, and the session (session/booth-session.node.ts) makes every
 * decision and pushes the `session` event.
 */
export function createBoothServices(options: BoothServicesOptions): BoothServices {
  const config = options.config ?? loadBoothConfig(options.configFile);
  const now = options.now ?? Date.now;
  // One database for the device part and the booth's tables: a change and its event commit together.
  const database = openBoothDatabase(options.dataDir);
  if (database.imported.length > 0) console.warn(`[booth] merged ${database.imported.join(', ')} into device.sqlite`);
  const core = createDeviceAppCore('booth', options, database.db);
  const { identity } = core;
  const transaction = <T>(fn: () => T): T => core.store.transaction(fn);
  // Liveness off (test-only): warned, and reported to the central as device.config_warning.
  reportTestOnlySettings(identity, boothTestOnlySettings(config), { app: 'booth' });

  const position = (): BoothPosition | null => {
    const s = identity.status();
    return s.provisioning === 'enrolled' ? s.position : null;
  };
  const record = (type: string, payload: EventPayload) => identity.recordEvent(type, payload);

  const roster = BoothRoster.open({
    dataDir: options.dataDir,
    database: database.db,
    model: FACE_EMBEDDING_MODEL,
    now,
    onRefused: (r) => {
      try {
        record(FACES_REFUSED_EVENT, { messageId: r.messageId, date: r.date, model: r.model, expectedModel: r.expectedModel });
      } catch (error) {
        console.warn(`[booth] ${FACES_REFUSED_EVENT} not recorded: ${(error as Error).message}`);
      }
    },
  });
  const store = SessionStore.open(options.dataDir, now, database.db);
  const today = boothDay(now());
  roster.purgeBefore(today);
  store.purgeBefore(today);
  // Each downstream message is applied in the transaction that stores it in the inbox (and those an
  // older version or a tool stored without applying are applied now). The files and the score sheet
  // follow today's project once that transaction has committed (see refreshProject below).
  let projectChanged = false;
  core.store.setMessageApplier((message) => {
    if (roster.ingest(message) === 'applied') projectChanged = true;
  });
  let refreshProject: () => void = () => undefined;
  const stopMessages = identity.onMessage(() => {
    if (!projectChanged) return;
    projectChanged = false;
    refreshProject();
  });

  const signer = new BoothSigner({
    modulePath: config.pkcs11Module,
    pollMs: config.tokenPollMs,
    ...(config.trustDir !== undefined ? { trustDir: config.trustDir } : {}),
    requireFreshCrl: config.requireFreshCrl,
    ...(config.tokenSlot !== undefined ? { slot: config.tokenSlot } : {}),
  });

  let pipeline: FacePipeline | null = null;
  let pipelineError: string | null = null;
  const ready = Promise.resolve(options.pipeline ?? loadFacePipeline()).then(
    (p) => {
      pipeline = p;
    },
    (error: unknown) => {
      pipelineError = (error as Error).message;
      console.error('[booth] the face pipeline could not be loaded', error);
    },
  );
  const facePipeline = async (): Promise<FacePipeline> => {
    await ready;
    if (!pipeline) throw new ApiError('FACE_ENGINE_UNAVAILABLE', `the face pipeline is not available: ${pipelineError ?? 'not loaded'}`);
    if (pipeline.model !== roster.model) {
      throw new ApiError('FACE_ENGINE_UNAVAILABLE', `the face pipeline runs ${pipeline.model}, the booth's templates are ${roster.model}`);
    }
    return pipeline;
  };

  let publishSession: (view: ReturnType<BoothSession['view']>) => void = () => undefined;
  const session = new BoothSession({
    config,
    roster,
    store,
    key: signer,
    pipeline: facePipeline,
    position,
    record,
    transaction,
    publish: (view) => publishSession(view),
    now,
    ...(options.random ? { random: options.random } : {}),
  });

  // Today's project material (real bidder names: trusted side only) → the files and the score sheet.
  const todaysMaterial = () => {
    const seat = roster.seat(boothDay(now()));
    return seat ? roster.project(seat.date, seat.project) : null;
  };
  const boothLabel = (): string => position()?.booth.label ?? '';
  const files = createBoothFiles({
    dataDir: options.dataDir,
    fetchFile: (sha256) => {
      const bytes = todaysMaterial()?.files.find((f) => f.sha256 === sha256)?.bytes;
      return identity.fetchFile(sha256, bytes === undefined ? {} : { expectedBytes: bytes });
    },
    watermark: () => ({ codename: session.seat?.codename ?? '', booth: boothLabel() }),
    now,
  });
  const sheet = createScoreSheet({
    dataDir: options.dataDir,
    database: database.db,
    now,
    sign: (value, pin) => signer.sign('scores', value, pin),
    // Inside the submit transaction: the frozen sheet, its event and the session's mark commit together.
    record: (type, payload) => identity.recordEvent(type, payload).seq,
    onSubmitted: ({ signedAt }) => {
      const seat = session.seat;
      if (seat) store.markSubmitted(seat.date, seat.expert, signedAt);
    },
    identity: () => ({ codename: session.seat?.codename ?? null, booth: boothLabel() }),
  });
  refreshProject = () => {
    const material = todaysMaterial();
    for (const [what, apply] of [
      ['tender files', () => files.setProject(material)],
      ['score sheet', () => sheet.setProject(material)],
    ] as const) {
      try {
        apply();
      } catch (error) {
        console.error(`[booth] today's project could not be given to the ${what}: ${(error as Error).message}`);
      }
    }
  };
  refreshProject();

  /** Reading calls: while working (or after submitting), and never before the commitment is signed. */
  const reading = (what: string): void => {
    if (session.currentPhase === 'commitment') throw new ApiError('COMMITMENT_REQUIRED', `${what}: sign the commitment letter first`);
    session.requirePhase(['working', 'submitted'], what);
  };

  const services = wireAppServices(
    boothContract,
    {
      ...core.calls,
      getSession: async () => session.view(),
      cameraFrame: async (input) => session.cameraFrame(input),
      logout: async () => session.logout(),
      getCommitment: async () => session.getCommitment(),
      signCommitment: async ({ pin }) => session.signCommitment(pin),
      listFiles: async () => {
        reading('listFiles');
        return files.listFiles();
      },
      getPage: async (input) => {
        reading('getPage');
        return files.getPage(input);
      },
      getTextLayer: async (input) => {
        reading('getTextLayer');
        return files.getTextLayer(input);
      },
      getOutline: async (input) => {
        reading('getOutline');
        return files.getOutline(input);
      },
      searchFile: async (input) => {
        reading('searchFile');
        return files.searchFile(input);
      },
      getScoreSheet: async () => {
        reading('getScoreSheet');
        return sheet.get();
      },
      saveScore: async (input) => {
        // After submitting, the sheet itself answers SHEET_FROZEN.
        reading('saveScore');
        return sheet.save(input);
      },
      submitScores: async ({ pin }) => {
        reading('submitScores');
        const result = await sheet.submit(pin);
        session.markSubmitted(result.signedAt);
        return result;
      },
    },
    (emit) => identity.onChange(emit),
    async () => {
      stopMessages();
      await session.close();
      await files.close();
      sheet.close();
      await signer.close();
      await ready;
      if (!options.pipeline) (pipeline as FacePipeline | null)?.dispose();
      store.close();
      roster.close();
      await core.close();
    },
  );
  publishSession = (view) => services.events.emit('session', view);
  return { ...services, ready, session, signer, roster, files, sheet };
}
