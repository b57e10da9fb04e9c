import { PROJECT_BOOTH_MESSAGE, projectBoothPayloadSchema } from '@kawei/shared/api/booth-roster.ts';
import type { CommitteeMember } from '@kawei/shared/committee/committee-events.ts';
import type { DownstreamMessage } from '@kawei/shared/sync/sync-http.ts';
import { createDownstreamMessage, type CreateMessageDeps } from '../sync/downstream-messages.node.ts';
import { readGrantsSync, writeGrant } from '../projects/project-files.node.ts';

/**
 * What a replacement's booth needs of the project besides its roster, when the alternate sits at a
 * booth that was not seated on the project (`committee replace --booth`): the project's material
 * (`project.booth`, as publish-project last sent it) and a place in the project's file grant
 * (DATA/projects/<date>/<CODE>.json), without which the device file route refuses the tender files.
 *
 * The grant is written first and the message queued after it, as publish-project does, so a booth
 * that gets `project.booth` can always fetch every file it names. At the leaver's own booth both are
 * usually there already and nothing is sent; a booth PC replaced since publication (a device without
 * the message) gets it again.
 */
export interface ProjectDelivery {
  /** `sent`: queued now; `had`: the device already had this project's material; `unpublished`: no booth was ever sent any. */
  material: 'sent' | 'had' | 'unpublished';
  /** `added`: the booth was put in the grant; `had`: it was in it; `no_grant`: this data directory holds no grant for the project. */
  grant: 'added' | 'had' | 'no_grant';
}

export interface ReplacementDeliveryDeps extends Pick<CreateMessageDeps, 'store' | 'privateKey' | 'now'> {
  /** The central's data directory (`--data`): where publish-project wrote the grants. */
  dataDir: string;
}

const PAGE = 500;

export async function deliverProjectToReplacement(
  deps: ReplacementDeliveryDeps,
  target: { date: string; project: string; member: Pick<CommitteeMember, 'booth' | 'device'> },
): Promise<ProjectDelivery> {
  const { date, project, member } = target;
  const grant = grantBooth(deps.dataDir, date, project, member.booth);

  if ((await projectMessagesOf(deps.store, member.device, date, project)).length > 0) return { material: 'had', grant };
  const latest = await latestPublishedPayload(deps.store, date, project);
  if (latest === null) return { material: 'unpublished', grant };
  await createDownstreamMessage(deps, { deviceId: member.device, type: PROJECT_BOOTH_MESSAGE, payload: latest });
  return { material: 'sent', grant };
}

/** Adds `booth` to the project's grant of that day, keeping everything else of it as published. */
function grantBooth(dataDir: string, date: string, project: string, booth: string): ProjectDelivery['grant'] {
  const grant = readGrantsSync(dataDir).find((g) => g.date === date && g.project === project);
  if (!grant) return 'no_grant';
  if (grant.booths.includes(booth)) return 'had';
  writeGrant(dataDir, { ...grant, booths: [...grant.booths, booth].sort() });
  return 'added';
}

/**
 * The payload of the newest `project.booth` for the project and day that the central sent any
 * device (cursors are one increasing stream across devices): publish-project sends every seated
 * booth the same payload, and publishing again replaces it.
 */
async function latestPublishedPayload(store: ReplacementDeliveryDeps['store'], date: string, project: string): Promise<DownstreamMessage['payload'] | null> {
  let newest: DownstreamMessage | null = null;
  for (const device of await store.listDevices()) {
    for (const message of await projectMessagesOf(store, device.id, date, project)) {
      if (newest === null || message.cursor > newest.cursor) newest = message;
    }
  }
  // Sent on as it was signed the first time (not as the schema re-reads it): the very same material.
  return newest?.payload ?? null;
}

/** The device's own `project.booth` messages for the project and day whose payload the booth would accept. */
async function projectMessagesOf(
  store: ReplacementDeliveryDeps['store'],
  deviceId: string,
  date: string,
  project: string,
): Promise<DownstreamMessage[]> {
  const found: DownstreamMessage[] = [];
  for (let after = 0; ; ) {
    const page = await store.messagesAfter(deviceId, after, PAGE);
    for (const message of page) {
      if (message.deviceId !== deviceId || message.type !== PROJECT_BOOTH_MESSAGE) continue;
      const parsed = projectBoothPayloadSchema.safeParse(message.payload);
      if (parsed.success && parsed.data.date === date && parsed.data.project === project) found.push(message);
    }
    if (page.length < PAGE) break;
    after = page.at(-1)!.cursor;
  }
  return found;
}
