import type { KeyObject } from 'node:crypto';
import { ApiError, type ErrorCode } from '@kawei/shared/errors.ts';
import { messagePair, messagePairBy, type MessagePair } from '@kawei/shared/i18n/bilingual.ts';
import { translate, type Lang } from '@kawei/shared/i18n/messages.ts';
import type { CommitteeMember } from '@kawei/shared/committee/committee-events.ts';
import type { EvaluationRules, OpeningBid } from '@kawei/shared/committee/evaluation-rules.ts';
import type { DeviceRecord, SiteTree } from '@kawei/shared/api/central-http.ts';
import type { DownstreamMessage } from '@kawei/shared/sync/sync-http.ts';
import type { DrawResult } from '../draw/day-schema.ts';
import type { CentralStore } from '../storage/central-store.ts';
import type { SyncStore } from '../storage/sync-store.ts';
import type { CommitteeStore } from '../storage/committee-store.ts';

/**
 * An ApiError of the committee that people read (the operator's terminal, the admin page): its
 * message is both languages from the catalogue, "中文 / English" as BilingualError's; `pair` keeps them apart.
 */
export class CommitteeApiError extends ApiError {
  readonly zh: string;
  readonly en: string;
  constructor(
    code: ErrorCode,
    readonly pair: MessagePair,
    details?: unknown,
  ) {
    super(code, `${pair.zh} / ${pair.en}`, details);
    this.zh = pair.zh;
    this.en = pair.en;
  }
}

export interface OpenCommitteeDeps {
  store: CentralStore & SyncStore & CommitteeStore;
  privateKey: KeyObject;
  centralId: string;
  now: () => number;
  notify?: (message: DownstreamMessage) => void;
}

/**
 * Opens (or, while it has decided nothing, re-opens) the committee of one project of a published
 * draw — called at the end of publish-project. Members: the project's drawn experts in the draw's
 * order (their 评委 numbers), each with the seat the draw gave it, joined through the topology
 * (site / room / booth label → booth id) with the booth's active device. Alternates: the draw's, in
 * its order. Then every member's booth gets its first `committee.booth` view.
 *
 * A seat without an enrolled device is refused (BAD_INPUT, naming the seats): a member the committee
 * cannot hear from would block it at every stage.
 */
export async function openCommitteeFromStore(
  deps: OpenCommitteeDeps,
  input: { result: DrawResult; project: string; rules: EvaluationRules; bids: OpeningBid[]; blind: boolean },
): Promise<{ members: number; alternates: number }> {
  const { result, project } = input;
  const draw = result.draws.find((d) => d.project === project);
  if (!draw) throw new CommitteeApiError('NOT_FOUND', messagePair('central.committee.open.notInDraw', { project, date: result.date }));
  const [sites, devices] = await Promise.all([deps.store.listSiteTrees(), deps.store.listDevices()]);
  const members = committeeMembers(result, project, draw.experts, sites, devices);
  // Loaded when a committee opens: publish-project's other work needs none of the committee's modules.
  const { createCommitteeService } = await import('./committee-service.node.ts');
  const service = createCommitteeService({ ...deps });
  await service.open({
    date: result.date,
    project,
    blind: input.blind,
    rules: input.rules,
    bids: input.bids,
    members,
    alternates: [...draw.alternates],
  });
  return { members: members.length, alternates: draw.alternates.length };
}

/** The project's seats, in the draw's order of experts, with each seat's booth and its active device. */
export function committeeMembers(
  result: DrawResult,
  project: string,
  experts: readonly string[],
  sites: readonly SiteTree[],
  devices: readonly DeviceRecord[],
): CommitteeMember[] {
  const boothIds = boothIdsByPlace(sites);
  const deviceOfBooth = activeBoothDevices(devices);
  const members: CommitteeMember[] = [];
  const missing: { why: 'noSeat' | 'noSuchBooth' | 'noDevice'; expert: string; place: string; codename: string }[] = [];
  for (const expert of experts) {
    const seat = result.seats.find((s) => s.project === project && s.expert === expert);
    if (!seat) {
      missing.push({ why: 'noSeat', expert, place: '', codename: '' });
      continue;
    }
    const booth = boothIds.get(placeKey(seat.site, seat.room, seat.label));
    const device = booth === undefined ? undefined : deviceOfBooth.get(booth);
    if (booth === undefined || device === undefined) {
      missing.push({ why: booth === undefined ? 'noSuchBooth' : 'noDevice', expert, place: `${seat.site}/${seat.room} ${seat.label}`, codename: seat.codename });
      continue;
    }
    members.push({ codename: seat.codename, expert, booth, device });
  }
  if (missing.length > 0) {
    const seatText = (lang: Lang, m: (typeof missing)[number]): string =>
      m.why === 'noSeat'
        ? translate(lang, 'central.committee.open.noSeat', { expert: m.expert })
        : translate(lang, m.why === 'noSuchBooth' ? 'central.committee.open.noSuchBooth' : 'central.committee.open.noDevice', { place: m.place, codename: m.codename });
    const pair = messagePairBy('central.committee.open.seatsWithoutDevice', (lang) => ({
      project,
      missing: missing.map((m) => seatText(lang, m)).join(lang === 'en' ? '; ' : '；'),
    }));
    throw new CommitteeApiError('BAD_INPUT', pair, { missing: missing.map((m) => seatText('en', m)) });
  }
  return members;
}

export function boothIdsByPlace(sites: readonly SiteTree[]): Map<string, string> {
  const ids = new Map<string, string>();
  for (const site of sites) for (const room of site.rooms) for (const booth of room.booths) ids.set(placeKey(site.id, room.id, booth.label), booth.id);
  return ids;
}

export function activeBoothDevices(devices: readonly DeviceRecord[]): Map<string, string> {
  return new Map(devices.flatMap((d) => (d.status === 'active' && d.target.kind === 'booth' ? [[d.target.boothId, d.id] as const] : [])));
}

function placeKey(site: string, room: string, label: string): string {
  return `${site}/${room}/${label}`;
}
