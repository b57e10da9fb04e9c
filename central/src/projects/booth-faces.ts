import type { DeviceRecord, SiteTree } from '@kawei/shared/api/central-http.ts';
import { FACES_BOOTH_MESSAGE, facesBoothPayloadSchema, type FacesBoothPayload } from '@kawei/shared/api/booth-roster.ts';
import { encodeEmbedding } from '@kawei/shared/api/gate-roster.ts';
import type { DrawResult } from '../draw/day-schema.ts';
import type { RegisteredExpert } from '../experts/face-registry.node.ts';
import { seatedBooths, type SeatedBooth } from './booth-seats.ts';
import { bilingualLines } from '@kawei/shared/i18n/bilingual.ts';

/**
 * The `faces.booth` messages of the day (shared/src/api/booth-roster.ts): each booth device with a
 * seated expert gets that expert's face template, for the 1:1 login and the re-checks — the
 * template and the model, nothing else about the person (no name, no photo, no ID number). Payloads
 * are checked against facesBoothPayloadSchema before they are returned.
 */

export interface BoothFacesMessage {
  deviceId: string;
  type: typeof FACES_BOOTH_MESSAGE;
  payload: FacesBoothPayload;
}

export interface BoothFacesPlan {
  messages: BoothFacesMessage[];
  /** Seats with an enrolled booth device whose expert has no template: that booth cannot log them in by face. */
  withoutFace: SeatedBooth[];
  /** Seats whose booth has no enrolled device (also reported by the rosters). */
  undelivered: SeatedBooth[];
}

export function planBoothFaces(
  result: DrawResult,
  registry: { model: string; experts: readonly Pick<RegisteredExpert, 'id' | 'template'>[] },
  sites: readonly SiteTree[],
  devices: readonly DeviceRecord[],
): BoothFacesPlan {
  const template = new Map(registry.experts.map((e) => [e.id, e.template]));
  const plan: BoothFacesPlan = { messages: [], withoutFace: [], undelivered: [] };
  for (const s of seatedBooths(result, sites, devices)) {
    if (s.deviceId === null) {
      plan.undelivered.push(s);
      continue;
    }
    const t = template.get(s.seat.expert);
    if (!t) {
      plan.withoutFace.push(s);
      continue;
    }
    const payload = facesBoothPayloadSchema.parse({ date: result.date, expert: s.seat.expert, model: registry.model, embedding: encodeEmbedding(t) });
    plan.messages.push({ deviceId: s.deviceId, type: FACES_BOOTH_MESSAGE, payload });
  }
  return plan;
}

/** Added to the seated-without-face warning: which booths will not recognise their expert. */
export function formatBoothsWithoutFace(seats: readonly SeatedBooth[]): string {
  if (seats.length === 0) return '';
  return (
    [
      bilingualLines('projects.faces.warning', { count: seats.length }),
      ...seats.map((s) => `  ${s.seat.site}/${s.seat.room} ${s.seat.label} (${s.seat.expert})`),
    ].join('\n') + '\n'
  );
}
