import { ApiError } from '@kawei/shared/errors.ts';
import { bilingual, pairLine } from '@kawei/shared/i18n/bilingual.ts';
import { privateKeyFromPkcs8 } from '@kawei/shared/crypto/ed25519.node.ts';
import { canonicalJson } from '@kawei/shared/sync/canonical-json.ts';
import { sha256Hex } from '@kawei/shared/crypto/hash.node.ts';
import { ROSTER_BOOTH_MESSAGE } from '@kawei/shared/api/booth-roster.ts';
import { RECHECK_REASONS, REPLACEMENT_REASONS, recheckTargetSchema, type CommitteeMember } from '@kawei/shared/committee/committee-events.ts';
import type { KaweiStore } from '../storage/open-store.node.ts';
import { createDownstreamMessage } from '../sync/downstream-messages.node.ts';
import { listBoothRosters } from '../results/verify-submissions.ts';
import { CommitteeActRefusedError, createCommitteeService, type CentralCommitteeService } from '../committee/committee-service.node.ts';
import { verifyCommittee, type CommitteeVerification } from '../committee/verify-committee.node.ts';
import { alternateCodename } from '../committee/alternate-codename.node.ts';
import { deliverProjectToReplacement } from '../committee/replacement-delivery.node.ts';
import { activeBoothDevices } from '../committee/open-committee.node.ts';
import { resultsJson, type OperatorAct } from '../committee/committee-state.ts';
import { formatCommitteeText } from './committee-text.ts';
import type { CommitteeState } from '../committee/committee-types.ts';
import { parseCommandArgs, UsageError, usageError, type ParsedCommandArgs } from './cli-args.node.ts';
import { withExistingStore } from './existing-store.node.ts';
import type { CliIo } from './cli-io.ts';

/** `results verify` found a fault; a refused `committee` act. */
export const COMMITTEE_FAULT_EXIT = 1;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * `results --project P [--date D] [--json]`: the committee as the ledger makes it (stage, members'
 * progress, the matrix, the flags, the ranking), code names only.
 * `results verify --project P [--date D] [--json]`: the record re-derived and its chain and
 * signatures checked (verify-committee.node.ts); exit 1 on any fault.
 */
export async function resultsCommand(args: string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs('results', args, committeeOptions({ json: { type: 'boolean', default: false } }), { min: 0, max: 1, name: 'verify' });
  const sub = parsed.positionals[0];
  if (sub !== undefined && sub !== 'verify') throw usageError('central.args.resultsSub', { sub });
  const { project, date: wanted } = projectAndDate(parsed);
  return withExistingStore(parsed, async (store) => {
    const date = await committeeDate(store, project, wanted);
    if (sub === 'verify') {
      const verification = await verifyCommittee(store, date, project);
      io.stdout.write(parsed.values['json'] ? `${JSON.stringify(verificationJson(verification))}\n` : formatVerification(verification));
      return verification.faults.length === 0 ? 0 : COMMITTEE_FAULT_EXIT;
    }
    const state = await (await service(store)).state(date, project);
    if (!state) throw noCommittee(project, date);
    io.stdout.write(parsed.values['json'] ? `${JSON.stringify(resultsJson(state))}\n` : formatCommitteeText(state));
    return 0;
  });
}

const ACTS = ['chair', 'recheck', 'replace', 'confirm'] as const;
/** Not an act on the ledger: sends a seated member's face template to their booth (after a replace without --experts). */
const FACE = 'face';

/**
 * `committee chair|recheck|replace|confirm --project P [--date D] … --operator NAME --why TEXT`: an act
 * of the centre on the committee, judged by the committee's rules (judgeOperatorAct), appended to the
 * ledger with who and why, and every booth of the committee told. `replace` seats the alternate at
 * the leaver's booth (or --booth) under a code name derived from the day's seed, and sends that booth
 * the alternate's `roster.booth`; a booth that was not seated on the project also gets the project's
 * material (`project.booth`) and a place in its file grant (replacement-delivery.node.ts). Without
 * --experts (or with no photo of the alternate) no face template is sent: a warning says what to run,
 * and `--json` says `facesSent: false`.
 * `committee face --project P [--date D] --codename C --experts DIR`: that command — the face template
 * of member C to C's booth.
 */
export async function committeeCommand(args: string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs(
    'committee',
    args,
    committeeOptions({
      operator: { type: 'string' },
      why: { type: 'string' },
      codename: { type: 'string' },
      reason: { type: 'string' },
      cell: { type: 'string', multiple: true },
      note: { type: 'string' },
      alternate: { type: 'string' },
      booth: { type: 'string' },
      experts: { type: 'string' },
      results: { type: 'string' },
      json: { type: 'boolean', default: false },
    }),
    { min: 1, max: 1, name: [...ACTS, FACE].join('|') },
  );
  const kind = parsed.positionals[0] as (typeof ACTS)[number] | typeof FACE;
  if (kind !== FACE && !ACTS.includes(kind)) throw usageError('central.args.committeeAct', { act: String(kind) });
  const { project, date: wanted } = projectAndDate(parsed);
  if (kind === FACE) return faceCommand(parsed, project, wanted, io);
  const operator = text(parsed, 'operator');
  const why = text(parsed, 'why');
  if (!operator || !why) throw usageError('central.args.operatorWhy');

  return withExistingStore(parsed, async (store) => {
    const date = await committeeDate(store, project, wanted);
    const committee = await service(store);
    const before = await committee.state(date, project);
    if (!before) throw noCommittee(project, date);
    const act = await operatorAct(kind, parsed, { store, state: before, date, operator, why });
    let after: CommitteeState;
    try {
      after = await committee.act(date, project, act);
    } catch (error) {
      if (!(error instanceof CommitteeActRefusedError)) throw error;
      io.stderr.write(`${bilingual('central.committee.refused', { reason: error.reason })}\n${pairLine(error.pair)}\n`);
      return COMMITTEE_FAULT_EXIT;
    }
    const notes: string[] = [];
    const warnings: string[] = [];
    let replaced: Record<string, unknown> = {};
    if (act.kind === 'replace') {
      const member = act.replacement;
      // The material and the grant first, so the booth can open the files as soon as the roster seats the alternate.
      const delivery = await deliverProjectToReplacement({ ...(await messageDeps(store)), dataDir: parsed.dataDir }, { date, project, member });
      const where = { booth: member.booth, project, date };
      if (delivery.grant === 'added') notes.push(bilingual('projects.replacement.granted', where));
      if (delivery.grant === 'no_grant') warnings.push(bilingual('projects.replacement.noGrant', where));
      if (delivery.material === 'sent') notes.push(bilingual('projects.replacement.materialSent', where));
      if (delivery.material === 'unpublished') warnings.push(bilingual('projects.replacement.unpublished', where));
      notes.push(await sendAlternateRoster(store, after, date, project, member));
      const expertsDir = text(parsed, 'experts');
      const face =
        expertsDir === undefined
          ? { sent: false, line: bilingual('projects.replacement.noFaceSent', { booth: member.booth, codename: member.codename, project }) }
          : await sendMemberFace(store, expertsDir, date, project, member);
      (face.sent ? notes : warnings).push(face.line);
      replaced = { facesSent: face.sent, projectMaterial: delivery.material, fileGrant: delivery.grant };
    }
    if (parsed.values['json']) {
      // stdout stays one JSON document; what the operator must still do goes to stderr.
      io.stdout.write(`${JSON.stringify({ ...(resultsJson(after) as Record<string, unknown>), ...replaced })}\n`);
      io.stderr.write(warnings.map((w) => `${w}\n`).join(''));
      return 0;
    }
    const lines = [bilingual('central.committee.done', { act: kind, version: after.version, stage: after.stage }), ...notes, ...warnings];
    io.stdout.write(lines.map((l) => `${l}\n`).join(''));
    return 0;
  });
}

// ── the acts ─────────────────────────────────────────────────────────────────────────────────────

async function operatorAct(
  kind: (typeof ACTS)[number],
  parsed: ParsedCommandArgs,
  ctx: { store: KaweiStore; state: CommitteeState; date: string; operator: string; why: string },
): Promise<OperatorAct> {
  const { operator, why } = ctx;
  const codename = () => {
    const c = text(parsed, 'codename');
    if (!c) throw usageError('central.args.codename');
    return c;
  };
  switch (kind) {
    case 'chair':
      return { kind: 'name_chair', codename: codename(), operator, why };
    case 'recheck': {
      const reason = text(parsed, 'reason');
      if (!reason || !(RECHECK_REASONS as readonly string[]).includes(reason)) {
        throw usageError('central.args.oneOf', { name: 'reason', choices: RECHECK_REASONS.join(', '), text: reason ?? '' });
      }
      const cells = ((parsed.values['cell'] as unknown as string[] | undefined) ?? []).map((cell) => {
        const m = /^([^:]+):([^:]+)$/.exec(cell);
        if (!m) throw usageError('central.args.cell', { text: cell });
        return { bid: m[1]!, item: m[2]! };
      });
      const recheck = recheckTargetSchema.safeParse({ codename: codename(), reason, cells, note: text(parsed, 'note') ?? '' });
      if (!recheck.success) throw new ApiError('BAD_INPUT', `committee recheck: ${recheck.error.issues[0]?.message ?? ''}`);
      return { kind: 'request_recheck', recheck: recheck.data, operator, why };
    }
    case 'replace': {
      const reason = text(parsed, 'reason');
      if (!reason || !(REPLACEMENT_REASONS as readonly string[]).includes(reason)) {
        throw usageError('central.args.oneOf', { name: 'reason', choices: REPLACEMENT_REASONS.join(', '), text: reason ?? '' });
      }
      const alternate = text(parsed, 'alternate');
      if (!alternate) throw usageError('central.args.alternate');
      const leaver = codename();
      const replacement = await replacementMember(ctx, leaver, alternate, text(parsed, 'booth'));
      return { kind: 'replace', codename: leaver, reason: reason as (typeof REPLACEMENT_REASONS)[number], replacement, operator, why };
    }
    case 'confirm': {
      const results = text(parsed, 'results') ?? ctx.state.resultsSha256;
      if (!results) throw usageError('central.args.noResults');
      return { kind: 'confirm_results', resultsSha256: results, operator, why };
    }
  }
}

/**
 * The alternate as a member: at the leaver's booth unless --booth names another, with that booth's
 * active device, under a fresh code name of the day (derived from the draw's seed, which the
 * rosters the central sent carry).
 */
async function replacementMember(
  ctx: { store: KaweiStore; state: CommitteeState; date: string },
  leaver: string,
  alternate: string,
  boothWanted: string | undefined,
): Promise<CommitteeMember> {
  const { store, state, date } = ctx;
  const member = state.members.find((m) => m.codename === leaver);
  const booth = boothWanted ?? member?.booth;
  // An unknown leaver is refused by the committee's rules (NOT_A_MEMBER), with its own message.
  if (booth === undefined) return { codename: leaver, expert: alternate, booth: 'none', device: 'none' };
  const device = activeBoothDevices(await store.listDevices()).get(booth);
  if (!device) throw new ApiError('NOT_FOUND', `booth "${booth}" has no active device for the alternate`);
  const { seed, used } = await dayCodenames(store, date);
  for (const m of state.members) used.add(m.codename);
  return { codename: alternateCodename(seed ?? sha256Hex(canonicalJson(state.opened)), alternate, used), expert: alternate, booth, device };
}

/** The day's seed and every code name the rosters of that day used, from the roster.booth messages sent. */
async function dayCodenames(store: KaweiStore, date: string): Promise<{ seed: string | null; used: Set<string> }> {
  const used = new Set<string>();
  let seed: string | null = null;
  for (const device of await store.listDevices()) {
    for (const roster of await listBoothRosters(store, device.id)) {
      if (roster.date !== date) continue;
      used.add(roster.codename);
      seed ??= roster.seed;
    }
  }
  return { seed, used };
}

/** Tells the replacement's booth who sits there now (its roster.booth); the face template is not sent here. */
async function sendAlternateRoster(store: KaweiStore, state: CommitteeState, date: string, project: string, member: CommitteeMember): Promise<string> {
  const position = await store.getPosition({ kind: 'booth', boothId: member.booth });
  if (!position || position.kind !== 'booth') return bilingual('central.committee.noRosterSent', { booth: member.booth });
  const { seed } = await dayCodenames(store, date);
  const identity = await store.getCentralIdentity();
  await createDownstreamMessage(
    { store, privateKey: privateKeyFromPkcs8(identity.privateKeyPkcs8), now: Date.now },
    {
      deviceId: member.device,
      type: ROSTER_BOOTH_MESSAGE,
      payload: {
        date,
        seed: seed ?? '',
        expert: member.expert,
        codename: member.codename,
        project,
        blind: state.opened.blind ? 1 : 0,
        room: position.room.id,
        label: position.booth.label,
      },
    },
  );
  return bilingual('central.committee.rosterSent', { booth: member.booth, codename: member.codename });
}

/**
 * `committee face`: a seated member's face template to their booth, e.g. after `committee replace`
 * ran without --experts. Exit 1 when the registry has no usable photo of the member.
 */
async function faceCommand(parsed: ParsedCommandArgs, project: string, wanted: string | undefined, io: CliIo): Promise<number> {
  const codename = text(parsed, 'codename');
  if (!codename) throw usageError('central.args.codename');
  const dir = text(parsed, 'experts');
  if (!dir) throw usageError('projects.replacement.faceNeedsExperts');
  return withExistingStore(parsed, async (store) => {
    const date = await committeeDate(store, project, wanted);
    const state = await (await service(store)).state(date, project);
    if (!state) throw noCommittee(project, date);
    const member = state.members.find((m) => m.codename === codename);
    if (!member) throw new ApiError('NOT_FOUND', `the committee of project "${project}" on ${date} has no member "${codename}"`);
    const face = await sendMemberFace(store, dir, date, project, member);
    if (parsed.values['json']) io.stdout.write(`${JSON.stringify({ date, project, codename, booth: member.booth, facesSent: face.sent })}\n`);
    else io.stdout.write(`${face.line}\n`);
    return face.sent ? 0 : COMMITTEE_FAULT_EXIT;
  });
}

/**
 * The member's face template to their booth (faces.booth), from the registry as publish-rosters
 * --experts reads it (its face cache makes a second read cheap).
 */
async function sendMemberFace(store: KaweiStore, dir: string, date: string, project: string, member: CommitteeMember): Promise<{ sent: boolean; line: string }> {
  const [{ loadFacePipeline }, { buildFaceRegistry }, { alternateFacesMessage }] = await Promise.all([
    import('@kawei/shared/face/face-pipeline.node.ts'),
    import('../experts/face-registry.node.ts'),
    import('../committee/alternate-faces.node.ts'),
  ]);
  const pipeline = await loadFacePipeline();
  let registry;
  try {
    registry = await buildFaceRegistry(dir, pipeline);
  } catch (error) {
    const { ExpertRegistryError } = await import('../experts/registry-schema.ts');
    if (error instanceof ExpertRegistryError) throw new UsageError(error.chinese, error.message);
    throw error;
  } finally {
    pipeline.dispose();
  }
  const message = alternateFacesMessage(registry, member, date);
  if (message === null) {
    return { sent: false, line: bilingual('projects.replacement.noFaceInRegistry', { dir, expert: member.expert, booth: member.booth, project, codename: member.codename }) };
  }
  await createDownstreamMessage(await messageDeps(store), message);
  return { sent: true, line: bilingual('central.committee.faceSent', { booth: member.booth }) };
}

async function messageDeps(store: KaweiStore) {
  const identity = await store.getCentralIdentity();
  return { store, privateKey: privateKeyFromPkcs8(identity.privateKeyPkcs8), now: Date.now };
}

// ── plumbing ─────────────────────────────────────────────────────────────────────────────────────

function committeeOptions<T extends Record<string, unknown>>(more: T) {
  return { project: { type: 'string' }, date: { type: 'string' }, ...more } as const;
}

function text(parsed: ParsedCommandArgs, name: string): string | undefined {
  const v = parsed.values[name];
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

function projectAndDate(parsed: ParsedCommandArgs): { project: string; date: string | undefined } {
  const project = text(parsed, 'project');
  if (!project) throw usageError('central.args.project');
  const date = text(parsed, 'date');
  if (date !== undefined && !ISO_DATE.test(date)) throw usageError('central.args.date', { date });
  return { project, date };
}

async function service(store: KaweiStore): Promise<CentralCommitteeService> {
  const identity = await store.getCentralIdentity();
  return createCommitteeService({ store, privateKey: privateKeyFromPkcs8(identity.privateKeyPkcs8), centralId: identity.centralId, now: Date.now });
}

/** The committee's date: as given, or the latest the project has a committee on. */
async function committeeDate(store: KaweiStore, project: string, wanted: string | undefined): Promise<string> {
  if (wanted !== undefined) return wanted;
  const ledger = await store.listLedger({ project });
  const last = ledger.filter((e) => e.type === 'committee.opened').at(-1);
  if (!last) throw noCommittee(project, null);
  return last.date;
}

function noCommittee(project: string, date: string | null): ApiError {
  return new ApiError('NOT_FOUND', date === null ? `project "${project}" has no committee` : `project "${project}" has no committee on ${date}`);
}

function verificationJson(v: CommitteeVerification) {
  return {
    date: v.date,
    project: v.project,
    ok: v.faults.length === 0,
    ledgerEvents: v.ledgerEvents,
    committeeEvents: v.committeeEvents,
    boothEvents: v.boothEvents,
    faults: v.faults,
    stage: v.state?.stage ?? null,
    resultsSha256: v.state?.resultsSha256 ?? null,
  };
}

function formatVerification(v: CommitteeVerification): string {
  const lines = [
    bilingual('central.results.verify.heading', { project: v.project, date: v.date }),
    bilingual('central.results.verify.counts', { ledger: v.ledgerEvents, committee: v.committeeEvents, booth: v.boothEvents }),
  ];
  for (const f of v.faults) {
    lines.push(`  ${bilingual(`central.results.fault.${f.code}`)} [${f.code}]${f.seq === null ? '' : ` seq ${f.seq}`}: ${f.detail}`);
  }
  lines.push(
    v.faults.length === 0
      ? bilingual('central.results.verify.ok', { stage: v.state?.stage ?? '-', results: v.state?.resultsSha256 ?? '-' })
      : bilingual('central.results.verify.faults', { faults: v.faults.length }),
  );
  return `${lines.join('\n')}\n`;
}
