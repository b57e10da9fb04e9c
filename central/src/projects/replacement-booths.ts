import { COMMITTEE_EVENTS, replacedPayloadSchema } from '@kawei/shared/committee/committee-events.ts';
import type { DeviceRecord } from '@kawei/shared/api/central-http.ts';
import type { LedgerEvent } from '../storage/committee-store.ts';

/**
 * The booths where a replacement sits on the project that day (`committee.replaced` in the central's
 * ledger, `committee replace --booth` may name a booth the draw did not seat on the project), each
 * with its active device now (null: none enrolled). Publishing the project again must keep them in
 * the file grant and send them the material, or a replacement at another booth would lose its files.
 */
export function replacementBooths(
  ledger: readonly Pick<LedgerEvent, 'type' | 'date' | 'payload'>[],
  devices: readonly DeviceRecord[],
  date: string,
  project: string,
): { boothId: string; deviceId: string | null }[] {
  const booths = new Set<string>();
  for (const entry of ledger) {
    if (entry.type !== COMMITTEE_EVENTS.replaced || entry.date !== date) continue;
    const parsed = replacedPayloadSchema.safeParse(entry.payload);
    if (parsed.success && parsed.data.project === project) booths.add(parsed.data.replacement.booth);
  }
  const active = new Map(devices.flatMap((d) => (d.status === 'active' && d.target.kind === 'booth' ? [[d.target.boothId, d.id] as const] : [])));
  return [...booths].sort().map((boothId) => ({ boothId, deviceId: active.get(boothId) ?? null }));
}
