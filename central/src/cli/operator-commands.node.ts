import { readFileSync } from 'node:fs';
import { dayInputSchema, drawResultSchema, type DayInput } from '../draw/day-schema.ts';
import { planRosters } from '../draw/rosters.ts';
import { inputHashOf } from '../draw/commitment.ts';
import { openStore, type KaweiStore, type OpenStoreOptions } from '../storage/open-store.node.ts';
import { issueEnrolCode } from '../enrolment/enrol-codes.node.ts';
import { DEMO_TOPOLOGY_FILE, readTopologyFile } from '../topology/topology-file.node.ts';
import { parseCommandArgs, UsageError, usageError } from './cli-args.node.ts';
import { bilingual, bilingualLines, messagePairBy, pairLines, withEnglishDetail } from '@kawei/shared/i18n/bilingual.ts';
import { translate } from '@kawei/shared/i18n/messages.ts';
import { badInput } from '@kawei/shared/errors.ts';
import { createEnrolCodeRequestSchema, DEFAULT_ENROL_CODE_TTL_MINUTES } from '@kawei/shared/api/central-http.ts';
import { describePosition, formatAlerts, formatDevices, formatLocalTime, formatSiteTrees, targetId } from './text-format.ts';
import { privateKeyFromPkcs8 } from '@kawei/shared/crypto/ed25519.node.ts';
import { createMessageRequestSchema } from '@kawei/shared/sync/sync-http.ts';
import { createDownstreamMessage } from '../sync/downstream-messages.node.ts';
import type { CliIo } from './cli-io.ts';
import { ensureCentralTls } from './central-tls.node.ts';
import { formatFingerprint, shortFingerprint } from '@kawei/shared/api/central-tls.ts';
import { buildFaceRegistry, type FaceRegistry } from '../experts/face-registry.node.ts';
import { planFaces, type FacesPlan } from '../experts/plan-faces.node.ts';
import { ExpertRegistryError } from '../experts/registry-schema.ts';
import { formatFacesSummary, formatSeatedWithoutFace, type FacesSummary } from '../experts/faces-summary.ts';
import { formatBoothsWithoutFace, planBoothFaces, type BoothFacesPlan } from '../projects/booth-faces.ts';

/*
 * The operator's commands work directly on the store (the SQLite file, or the PostgreSQL database
 * with --store postgres), so they need no token and no running server; WAL lets them share the file
 * with a server that is running.
 */

async function withStore<T>(storage: OpenStoreOptions, work: (store: KaweiStore) => Promise<T>): Promise<T> {
  const store = await openStore(storage);
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

export async function seedDemoCommand(args: string[], io: CliIo): Promise<number> {
  const { storage } = parseCommandArgs('seed-demo', args, {});
  const sites = readTopologyFile(DEMO_TOPOLOGY_FILE);
  const { created } = await withStore(storage, (store) => store.importTopology(sites));
  io.stdout.write(
`${bilingualLines('central.seedDemo.done', created)}\n`
  );
  return 0;
}

export async function sitesCommand(args: string[], io: CliIo): Promise<number> {
  const { storage } = parseCommandArgs('sites', args, {});
  io.stdout.write(formatSiteTrees(await withStore(storage, (store) => store.listSiteTrees())));
  return 0;
}

export async function enrolCodeCommand(args: string[], io: CliIo): Promise<number> {
  const { values, storage, dataDir } = parseCommandArgs('enrol-code', args, {
    booth: { type: 'string' },
    gate: { type: 'string' },
    ttl: { type: 'string', default: String(DEFAULT_ENROL_CODE_TTL_MINUTES) },
    json: { type: 'boolean', default: false },
    'tls-cert': { type: 'string' },
    'tls-key': { type: 'string' },
  });
  const booth = values['booth'] as string | undefined;
  const gate = values['gate'] as string | undefined;
  if ((booth === undefined) === (gate === undefined)) {
    throw usageError('central.args.boothOrGate');
  }
  const request = createEnrolCodeRequestSchema.safeParse({
    target: booth !== undefined ? { kind: 'booth', boothId: booth } : { kind: 'gate', gateId: gate },
    ttlMinutes: Number(values['ttl']),
  });
  if (!request.success) throw badInput(request.error, 'enrol-code');

  // The same key `serve` presents (made now if this runs first): the technician types its fingerprint.
  const tls = await ensureCentralTls({
    dataDir,
    certFile: values['tls-cert'] as string | undefined,
    keyFile: values['tls-key'] as string | undefined,
  });
  const { issued, position } = await withStore(storage, async (store) => {
    const issued = await issueEnrolCode(store, { ...request.data, now: Date.now(), centralFingerprint: tls.fingerprint });
    return { issued, position: await store.getPosition(issued.target) };
  });
  if (values['json']) {
    io.stdout.write(`${JSON.stringify(issued)}\n`);
    return 0;
  }
  io.stdout.write(
    [
      `${bilingual('central.enrol.code')}:   ${issued.code}`,
      `${bilingual('central.enrol.position')}:           ${position ? describePosition(position) : ''} [${targetId(issued.target)}]`,
      `${bilingual('central.fingerprint')}（${bilingual('central.enrol.typeOnDevice')}）:`,
      `                           ${shortFingerprint(tls.fingerprint)}`,
      `${bilingual('central.enrol.full')} (SHA-256 SPKI): ${formatFingerprint(tls.fingerprint)}`,
      `${bilingual('central.enrol.expires')}:        ${formatLocalTime(issued.expiresAt)}（${request.data.ttlMinutes} ${bilingual('central.enrol.minutes')}）`,
      `${bilingual('central.enrol.once')}.`,
      '',
    ].join('\n'),
  );
  return 0;
}

export async function devicesCommand(args: string[], io: CliIo): Promise<number> {
  const { values, storage } = parseCommandArgs('devices', args, { json: { type: 'boolean', default: false } });
  const devices = await withStore(storage, (store) => store.listDevices());
  // --json prints the same document as GET /api/admin/devices, for scripts.
  io.stdout.write(values['json'] ? `${JSON.stringify({ devices })}\n` : formatDevices(devices));
  return 0;
}

export async function revokeCommand(args: string[], io: CliIo): Promise<number> {
  const { positionals, storage } = parseCommandArgs('revoke', args, {}, { min: 1, max: 1, name: 'DEVICE_ID' });
  const deviceId = positionals[0]!;
  const device = await withStore(storage, (store) => store.revokeDevice(deviceId, Date.now()));
  io.stdout.write(
`${bilingualLines('central.revoke.done', { id: device.id, kind: device.kind, target: targetId(device.target), at: formatLocalTime(device.revokedAt!) })}\n`
  );
  return 0;
}

/**
 * `message (--device ID | --all) --type T --text "…"`: queues a signed downstream message with payload
 * { text }. This process cannot wake a running server's streams; they find the message by polling
 * the store (MessageHub), within about a second.
 */
export async function messageCommand(args: string[], io: CliIo): Promise<number> {
  const { values, storage } = parseCommandArgs('message', args, {
    device: { type: 'string' },
    all: { type: 'boolean', default: false },
    type: { type: 'string' },
    text: { type: 'string' },
    json: { type: 'boolean', default: false },
  });
  const device = values['device'] as string | undefined;
  const all = values['all'] === true;
  if ((device === undefined) === !all) {
    throw usageError('central.args.deviceOrAll');
  }
  const type = values['type'] as string | undefined;
  const text = values['text'] as string | undefined;
  if (type === undefined || text === undefined) {
    throw usageError('central.args.typeAndText');
  }
  const request = createMessageRequestSchema.safeParse({ deviceId: device ?? null, type, payload: { text } });
  if (!request.success) throw badInput(request.error, 'message');

  const message = await withStore(storage, async (store) => {
    const { privateKeyPkcs8 } = await store.getCentralIdentity();
    return createDownstreamMessage({ store, privateKey: privateKeyFromPkcs8(privateKeyPkcs8), now: Date.now }, request.data);
  });
  if (values['json']) {
    io.stdout.write(`${JSON.stringify(message)}\n`);
    return 0;
  }
  io.stdout.write(
`${pairLines(
      messagePairBy('central.message.queued', (lang) => ({ id: message.id, to: message.deviceId ?? translate(lang, 'central.message.allDevices'), cursor: message.cursor })),
    )}\n`,
  );
  return 0;
}

/**
 * `publish-rosters --result result.json [--experts REGISTRY_DIR] [--day day.json] [--strict] [--json]`:
 * sends each enrolled booth its seated expert and each enrolled gate its site's expected experts, as
 * downstream messages; lists seats without a device. With --experts also the day's face templates
 * (`faces.gate`, docs/DRAW.md "Faces for the gates") to every gate: the pool is day.json's experts
 * (with --day) or the whole registry — and to every seated booth its expert's template (`faces.booth`,
 * for the login). Seated experts without a face template are a loud warning (naming the booths that
 * cannot log them in); with --strict they stop the publication (nothing sent, exit 1).
 */
export async function publishRostersCommand(args: string[], io: CliIo): Promise<number> {
  const { values, storage } = parseCommandArgs('publish-rosters', args, {
    result: { type: 'string' },
    experts: { type: 'string' },
    day: { type: 'string' },
    strict: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  });
  const file = values['result'] as string | undefined;
  if (file === undefined) throw usageError('central.args.result');
  const result = drawResultSchema.safeParse(readJsonFile(file, 'central.what.result'));
  if (!result.success) throw badInput(result.error, 'publish-rosters');
  const expertsDir = values['experts'] as string | undefined;
  const dayFile = values['day'] as string | undefined;
  if (expertsDir === undefined && (dayFile !== undefined || values['strict'] === true)) {
    throw usageError('central.args.expertsOnly');
  }
  let day: DayInput | undefined;
  if (dayFile !== undefined) {
    const parsed = dayInputSchema.safeParse(readJsonFile(dayFile, 'central.what.day'));
    if (!parsed.success) throw badInput(parsed.error, 'publish-rosters --day');
    day = parsed.data;
    if (inputHashOf(day) !== result.data.inputHash) {
      throw usageError('central.dayMismatch', { file: dayFile });
    }
  }
  const registry = expertsDir === undefined ? undefined : await loadRegistry(expertsDir);

  return withStore(storage, async (store) => {
    const sites = await store.listSiteTrees();
    const devices = await store.listDevices();
    const plan = planRosters(result.data, sites, devices);
    let faces: FacesPlan | undefined;
    let boothFaces: BoothFacesPlan | undefined;
    if (registry) {
      try {
        faces = planFaces(result.data, day, registry, sites, devices, result.data.date);
      } catch (error) {
        if (error instanceof ExpertRegistryError) throw new UsageError(error.chinese, error.message);
        throw error;
      }
      boothFaces = planBoothFaces(result.data, registry, sites, devices);
      if (faces.seatedWithoutFace.length > 0) {
        io.stderr.write(formatSeatedWithoutFace(faces.seatedWithoutFace, values['strict'] === true));
        io.stderr.write(formatBoothsWithoutFace(boothFaces.withoutFace));
        if (values['strict'] === true) return 1;
      }
    }

    const { privateKeyPkcs8 } = await store.getCentralIdentity();
    const deps = { store, privateKey: privateKeyFromPkcs8(privateKeyPkcs8), now: Date.now };
    let sent = 0;
    for (const m of plan.messages) {
      await createDownstreamMessage(deps, { deviceId: m.deviceId, type: m.type, payload: m.payload });
      sent++;
    }
    let summary: FacesSummary | undefined;
    let booths: { sent: number; withoutFace: { expert: string; site: string; room: string; label: string }[] } | undefined;
    if (registry && faces) {
      let facesSent = 0;
      for (const m of faces.messages) {
        const request = createMessageRequestSchema.safeParse({ deviceId: m.deviceId, type: m.type, payload: m.payload });
        if (!request.success) throw badInput(request.error, 'publish-rosters faces.gate');
        await createDownstreamMessage(deps, request.data);
        facesSent++;
      }
      let boothsSent = 0;
      for (const m of boothFaces?.messages ?? []) {
        const request = createMessageRequestSchema.safeParse({ deviceId: m.deviceId, type: m.type, payload: m.payload });
        if (!request.success) throw badInput(request.error, 'publish-rosters faces.booth');
        await createDownstreamMessage(deps, request.data);
        boothsSent++;
      }
      booths = { sent: boothsSent, withoutFace: (boothFaces?.withoutFace ?? []).map((b) => ({ expert: b.seat.expert, site: b.seat.site, room: b.seat.room, label: b.seat.label })) };
      summary = {
        model: registry.model,
        people: faces.people,
        parts: faces.parts,
        gates: faces.gates,
        sent: facesSent,
        refused: [...registry.refused],
        seatedWithoutFace: faces.seatedWithoutFace,
        poolWithoutFace: faces.poolWithoutFace,
        strayFolders: [...registry.strayFolders],
        cache: registry.cache,
      };
    }

    if (values['json']) {
      io.stdout.write(`${JSON.stringify({ sent, unmatched: plan.unmatched, ...(summary ? { faces: summary } : {}), ...(booths ? { boothFaces: booths } : {}) })}\n`);
      return 0;
    }
    io.stdout.write(`${bilingual('central.rosters.sent', { sent })}\n`);
    for (const u of plan.unmatched) {
      io.stdout.write(
        `  ${bilingual('central.rosters.notDelivered')}: ${u.site}/${u.room} ${u.label} (${u.expert}) — ${bilingual(u.why === 'no_device' ? 'central.rosters.noDevice' : 'central.rosters.noBooth')}\n`,
      );
    }
    if (summary) io.stdout.write(formatFacesSummary(summary));
    if (booths) {
      io.stdout.write(`${bilingual('central.rosters.boothFaces', { sent: booths.sent })}\n`);
      for (const b of booths.withoutFace) io.stdout.write(`  ${bilingual('central.rosters.noFaceTemplate')}: ${b.site}/${b.room} ${b.label} (${b.expert})\n`);
    }
    return 0;
  });
}

function readJsonFile(file: string, what: 'central.what.result' | 'central.what.day'): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const m = messagePairBy('central.cannotRead', (lang) => ({ what: translate(lang, what), file }));
    throw UsageError.of(withEnglishDetail(m, (error as Error).message));
  }
}

/** Builds the face registry with the face pipeline (loaded only here: ≈ 1 s and the wasm runtime). */
async function loadRegistry(dir: string): Promise<FaceRegistry> {
  const { loadFacePipeline } = await import('@kawei/shared/face/face-pipeline.node.ts');
  const pipeline = await loadFacePipeline();
  try {
    return await buildFaceRegistry(dir, pipeline);
  } catch (error) {
    if (error instanceof ExpertRegistryError) throw new UsageError(error.chinese, error.message);
    throw error;
  } finally {
    pipeline.dispose();
  }
}

/** `alerts [--device ID] [--limit N] [--json]`: newest first; --json prints GET /api/admin/alerts' document. */
export async function alertsCommand(args: string[], io: CliIo): Promise<number> {
  const { values, storage } = parseCommandArgs('alerts', args, {
    device: { type: 'string' },
    limit: { type: 'string', default: '100' },
    json: { type: 'boolean', default: false },
  });
  const limitText = String(values['limit']);
  const limit = Number(limitText);
  if (!/^\d{1,4}$/.test(limitText) || limit < 1 || limit > 1000) {
    throw usageError('central.args.integer', { name: 'limit', min: 1, max: 1000, text: limitText });
  }
  const device = values['device'] as string | undefined;
  const alerts = await withStore(storage, (store) =>
    store.listAlerts(device === undefined ? { limit } : { deviceId: device, limit }),
  );
  io.stdout.write(values['json'] ? `${JSON.stringify({ alerts })}\n` : formatAlerts(alerts));
  return 0;
}
