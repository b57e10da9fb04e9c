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
import { genesisHash } from '@kawei/shared/sync/event-chain.node.ts';
import type { InboxMessage } from '@kawei/shared/device/device-store.node.ts';
import { reportTestOnlySettings } from '@kawei/shared/device/test-only-settings.ts';
import { boothTestOnlySettings, loadBoothConfig, type BoothConfig } from './booth-config.ts';
import { openBoothDatabase } from './booth-database.node.ts';
import { createBoothFiles } from './files/booth-files.node.ts';
import { createScoreSheet } from './scoring/score-sheet.node.ts';
import { boothDay } from './roster/booth-day.ts';
import { BoothRoster } from './roster/booth-roster.node.ts';
import { BoothReview } from './review/booth-review.node.ts';
import { BoothReport } from './report/booth-report.node.ts';
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
  review: BoothReview;
  report: BoothReport;
  /**
   * Stores a downstream message in the inbox and applies it, then does what follows its commit —
   * exactly what the pull client does with a message from the central (tests, tools). False for a
   * message at or below the inbox cursor.
   */
  receiveMessage(message: InboxMessage): boolean;
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
  const online = (): boolean => {
    const s = identity.status();
    return s.provisioning === 'enrolled' && s.link.state === 'online';
  };
  let sheetState: () => { status: 'draft' | 'submitted'; revision: number } | null = () => null;
  let signPreliminary: (value: unknown, pin: string) => ReturnType<BoothSigner['sign']> = () => Promise.reject(new Error('the key is not ready'));
  // The committee's review: its messages are applied with the others below, so it exists first.
  const review = new BoothReview({
    database: database.db,
    now,
    seatToday: () => roster.seat(boothDay(now())),
    material: (seat) => roster.project(seat.date, seat.project),
    sheetState: () => sheetState(),
    sign: (value, pin) => signPreliminary(value, pin),
    record: (type, payload) => identity.recordEvent(type, payload).seq,
    online,
    boothLabel: () => position()?.booth.label ?? '',
  });

  // The evaluation report (issue #14): its messages are applied with the others below. The files and
  // the key it uses are made further down; it calls them only once everything is built (refresh, calls).
  let publishReport: () => void = () => undefined;
  const report = new BoothReport({
    database: database.db,
    now,
    seatToday: () => roster.seat(boothDay(now())),
    fetchPdf: (sha256, expectedBytes, onProgress) => identity.fetchFile(sha256, { resource: 'report', expectedBytes, onProgress }),
    files: { showReport: (r) => files.showReport(r), reportShown: () => files.reportShown() },
    signer: { sign: (kind, value, pin) => signer.sign(kind, value, pin), signWith: (pin, job) => signer.signWith(pin, job) },
    record: (type, payload) => identity.recordEvent(type, payload).seq,
    delivered: (seq) => {
      try {
        return identity.syncStatus().ackedSeq >= seq;
      } catch {
        return false;
      }
    },
    online,
    changed: () => publishReport(),
  });
  const boothReport = report;

  // Each downstream message is applied in the transaction that stores it in the inbox (and those an
  // older version or a tool stored without applying are applied now). The files, the score sheet and
  // the review follow today's project and committee once that transaction has committed (see
  // refreshProject below).
  let projectChanged = false;
  let reportChanged = false;
  core.store.setMessageApplier((message) => {
    if (roster.ingest(message) === 'applied') projectChanged = true;
    if (review.ingest(message) === 'applied') projectChanged = true;
    if (report.ingest(message) === 'applied') reportChanged = true;
  });
  let refreshProject: () => void = () => undefined;
  const afterMessages = (): void => {
    if (projectChanged) {
      projectChanged = false;
      // A new seat (a replacement) may change whose report this booth shows, too.
      reportChanged = true;
      refreshProject();
    }
    if (reportChanged) {
      reportChanged = false;
      report.refresh();
    }
  };
  const stopMessages = identity.onMessage(afterMessages);

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

  signPreliminary = (value, pin) => signer.sign('preliminary', value, pin);

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
    onSubmitted: ({ date, project, codename, signedAt }) => {
      const seat = session.seat;
      if (seat && seat.date === date && seat.project === project && seat.codename === codename) store.markSubmitted(seat.date, seat.expert, signedAt);
    },
    identity: () => ({ codename: session.seat?.codename ?? null, booth: boothLabel() }),
    // Inside the reopening transaction: the day is no longer "submitted" (a restart resumes working).
    onReopened: ({ date, project, codename }) => {
      const seat = roster.seat(boothDay(now()));
      if (seat && seat.date === date && seat.project === project && seat.codename === codename) store.clearSubmitted(seat.date, seat.expert);
      reopened = true;
    },
  });
  let reopened = false;

  sheetState = () => {
    try {
      const s = sheet.get();
      return { status: s.status, revision: s.revision };
    } catch {
      return null;
    }
  };

  let publishReview: () => void = () => undefined;
  refreshProject = () => {
    const material = todaysMaterial();
    const seat = roster.seat(boothDay(now()));
    // A member replaced while logged in here is logged out: the booth now seats the alternate.
    session.followRoster();
    for (const [what, apply] of [
      ['tender files', () => files.setProject(material)],
      // The sheet follows the rules and the committee: its bids, the revision a re-check asks for;
      // and it is the seated member's own (a replacement opens an empty one, the leaver's stays).
      ['score sheet', () => sheet.setProject(material, seat && material ? (review.plan(seat) ?? undefined) : undefined, seat?.codename ?? '')],
    ] as const) {
      try {
        apply();
      } catch (error) {
        console.error(`[booth] today's project could not be given to the ${what}: ${(error as Error).message}`);
      }
    }
    if (reopened) {
      reopened = false;
      session.reopenForRecheck();
    }
    publishReview();
  };
  refreshProject();

  /** The seat of the expert logged in, for the review's calls (after `reading`). */
  const seated = (what: string) => session.requirePhase(['working', 'submitted'], what);

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
        publishReview();
        return result;
      },
      getReview: async () => {
        reading('getReview');
        return review.view(seated('getReview'));
      },
      savePreliminary: async (input) => {
        reading('savePreliminary');
        return review.savePreliminary(seated('savePreliminary'), input);
      },
      submitPreliminary: async ({ pin }) => {
        reading('submitPreliminary');
        const result = await review.submitPreliminary(seated('submitPreliminary'), pin);
        publishReview();
        return result;
      },
      castChairVote: async (input) => {
        reading('castChairVote');
        const view = review.castChairVote(seated('castChairVote'), input);
        publishReview();
        return view;
      },
      chairStep: async (input) => {
        reading('chairStep');
        const view = review.chairStep(seated('chairStep'), input);
        publishReview();
        return view;
      },
      // The evaluation report (issue #14): the seated member's, while at work.
      getReport: async () => {
        reading('getReport');
        return boothReport.view(seated('getReport'));
      },
      submitDissent: async (input) => {
        reading('submitDissent');
        return boothReport.submitDissent(seated('submitDissent'), input);
      },
      signReport: async (input) => {
        reading('signReport');
        return boothReport.signReport(seated('signReport'), input);
      },
      refuseToSign: async (input) => {
        reading('refuseToSign');
        return boothReport.refuseToSign(seated('refuseToSign'), input);
      },
    },
    (emit) => identity.onChange(emit),
    async () => {
      stopMessages();
      boothReport.close();
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
  // Pushed to the screen only while the expert is at work (logged in, commitment signed).
  publishReview = () => {
    const seat = session.seat;
    if (!seat || session.currentPhase === 'commitment') return;
    try {
      services.events.emit('review', review.view(seat));
    } catch (error) {
      console.warn(`[booth] the review event could not be published: ${(error as Error).message}`);
    }
  };
  // Pushed like the review: only while the expert is at work.
  publishReport = () => {
    const seat = session.seat;
    if (!seat || session.currentPhase === 'commitment') return;
    try {
      services.events.emit('report', boothReport.view(seat));
    } catch (error) {
      console.warn(`[booth] the report event could not be published: ${(error as Error).message}`);
    }
  };
  // The report PDF of today's seat: shown again after a restart, or downloaded (in the background).
  boothReport.refresh();
  const receiveMessage = (message: InboxMessage): boolean => {
    const s = identity.status();
    if (s.provisioning !== 'enrolled') throw new ApiError('NOT_ENROLLED', 'this booth is not enrolled');
    const fresh = core.store.receiveMessage(genesisHash(s.deviceId), message, now());
    if (fresh) afterMessages();
    return fresh;
  };
  return { ...services, ready, session, signer, roster, files, sheet, review, report: boothReport, receiveMessage };
}
