import { createHash } from 'node:crypto';
import type { DeviceRecord, SiteTree } from '@kawei/shared/api/central-http.ts';
import {
  encodeEmbedding,
  FACES_GATE_MESSAGE,
  FACES_PER_PART,
  facesGatePayloadSchema,
  type FacePerson,
  type FacesGatePayload,
} from '@kawei/shared/api/gate-roster.ts';
import { inputHashOf } from '../draw/commitment.ts';
import type { DayInput, DrawResult } from '../draw/day-schema.ts';
import type { FaceRegistry } from './face-registry.node.ts';
import { ExpertRegistryError } from './registry-schema.ts';
import { messagePair } from '@kawei/shared/i18n/bilingual.ts';

/**
 * The `faces.gate` messages of the day (shared/src/api/gate-roster.ts): every active gate device gets
 * the face templates of the whole day's pool — not only its own site's — so that it can tell "not
 * scheduled today" and "expected at another site" from "unknown face". Each person carries where they
 * sit today at any site (or null), the masked name, the thumbnail, and the ID number only as
 * SHA-256 of `${date}:${idNumber}`. Parts of FACES_PER_PART people; every payload is checked against
 * facesGatePayloadSchema before it is returned.
 */

export interface FacesMessage {
  deviceId: string;
  type: typeof FACES_GATE_MESSAGE;
  payload: FacesGatePayload;
}

export interface SeatWithoutFace {
  expert: string;
  site: string;
  room: string;
  label: string;
  /** not_registered: not in experts.json; no_usable_photo: registered, but no photo passed. */
  why: 'not_registered' | 'no_usable_photo';
}

export interface FacesPlan {
  messages: FacesMessage[];
  /** People per gate (the same set for every gate). */
  people: number;
  /** Parts per gate. */
  parts: number;
  gates: number;
  /** Seated today but without a face template: they can never pass a gate by face. */
  seatedWithoutFace: SeatWithoutFace[];
  /** In the day's pool, not seated, without a face template (a gate will not recognise them). */
  poolWithoutFace: { expert: string; why: SeatWithoutFace['why'] }[];
}

export function idNumberHash(date: string, idNumber: string): string {
  return createHash('sha256').update(`${date}:${idNumber}`, 'utf8').digest('hex');
}

export function planFaces(
  result: DrawResult,
  day: DayInput | undefined,
  registry: Pick<FaceRegistry, 'model' | 'experts'>,
  sites: readonly SiteTree[],
  devices: readonly DeviceRecord[],
  date: string = result.date,
  partSize: number = FACES_PER_PART,
): FacesPlan {
  if (date !== result.date) {
    throw ExpertRegistryError.of(messagePair('experts.dateMismatch', { date, resultDate: result.date }));
  }
  if (day !== undefined && inputHashOf(day) !== result.inputHash) {
    throw ExpertRegistryError.of(messagePair('experts.dayMismatch'));
  }
  if (!Number.isInteger(partSize) || partSize < 1) throw new RangeError('partSize must be a positive integer');

  const siteOf = new Map(sites.map((s) => [s.id, s]));
  const seatOf = new Map<string, FacePerson['seat']>();
  for (const seat of result.seats) {
    const site = siteOf.get(seat.site);
    seatOf.set(seat.expert, {
      site: seat.site,
      siteName: site?.name ?? '',
      room: seat.room,
      roomNumber: site?.rooms.find((r) => r.id === seat.room)?.number ?? 0,
      label: seat.label,
    });
  }

  const registered = new Map(registry.experts.map((e) => [e.id, e]));
  const pool = day !== undefined ? new Set(day.experts.map((e) => e.id)) : new Set(registered.keys());
  for (const seat of result.seats) pool.add(seat.expert);
  const faceless = (id: string): SeatWithoutFace['why'] | null => {
    const e = registered.get(id);
    return !e ? 'not_registered' : e.template === null ? 'no_usable_photo' : null;
  };

  const people: FacePerson[] = [];
  for (const id of [...pool].sort()) {
    const e = registered.get(id);
    if (!e || e.template === null) continue;
    people.push({
      expert: e.id,
      maskedName: e.maskedName,
      ...(e.idNumber !== undefined ? { idNumberHash: idNumberHash(date, e.idNumber) } : {}),
      seat: seatOf.get(e.id) ?? null,
      embedding: encodeEmbedding(e.template),
      photo: e.thumbnail ? Buffer.from(e.thumbnail).toString('base64') : null,
    });
  }
  const seatedWithoutFace = result.seats.flatMap((s) => {
    const why = faceless(s.expert);
    return why ? [{ expert: s.expert, site: s.site, room: s.room, label: s.label, why }] : [];
  });
  const seated = new Set(result.seats.map((s) => s.expert));
  const poolWithoutFace = [...pool]
    .sort()
    .filter((id) => !seated.has(id))
    .flatMap((id) => {
      const why = faceless(id);
      return why ? [{ expert: id, why }] : [];
    });

  // One empty part when nobody has a face: the gate still learns the day's set (and drops yesterday's).
  const chunks: FacePerson[][] = [];
  for (let i = 0; i < people.length; i += partSize) chunks.push(people.slice(i, i + partSize));
  if (chunks.length === 0) chunks.push([]);

  const messages: FacesMessage[] = [];
  let gates = 0;
  const active = devices.filter((d) => d.status === 'active').sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const site of sites) {
    for (const gate of site.gates) {
      for (const device of active) {
        if (device.target.kind !== 'gate' || device.target.gateId !== gate.id) continue;
        gates++;
        chunks.forEach((chunk, i) => {
          const payload = facesGatePayloadSchema.parse({ date, site: site.id, model: registry.model, part: i + 1, parts: chunks.length, people: chunk });
          messages.push({ deviceId: device.id, type: FACES_GATE_MESSAGE, payload });
        });
      }
    }
  }
  return { messages, people: people.length, parts: chunks.length, gates, seatedWithoutFace, poolWithoutFace };
}
