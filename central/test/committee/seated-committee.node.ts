/**
 * A committee seated on a real central store, for the tests that drive the committee and the report
 * through the central's services (committee-service, report-cli, report/report-service,
 * report/report-server): the draw result that seats experts at booths of the demo topology's room 3,
 * and booth devices enrolled there with real enrolment codes, each with its own event chain.
 */
import type { DrawResult } from '../../src/draw/day-schema.ts';
import type { CentralStore } from '../../src/storage/central-store.ts';
import { TestDevice } from '../device-signer.ts';
import { EventChain } from '../event-chain-builder.ts';
import { addCode, attempt } from '../store-fixtures.ts';
import { DATE, PROJECT } from './committee-fixtures.ts';

/** Room 3's booths in the demo topology, three a row. */
export const ROOM_3_BOOTHS = ['room-3-A1', 'room-3-A2', 'room-3-A3', 'room-3-B1', 'room-3-B2', 'room-3-B3', 'room-3-C1', 'room-3-C2', 'room-3-C3'] as const;

/** The code name of the i-th seat (K01, K02, …). */
export const codenameOf = (i: number): string => `K${String(i + 1).padStart(2, '0')}`;

/** The draw of PROJECT (blind) on DATE: expert-0n at the n-th of `booths`, code name K0n, with `alternates`. */
export function seatedDraw(booths: readonly string[], alternates: string[] = ['alt-1', 'alt-2']): DrawResult {
  return {
    procedure: 'test',
    date: DATE,
    inputHash: 'a'.repeat(64),
    commitment: 'b'.repeat(64),
    publicValue: 'test',
    seed: 'c'.repeat(64),
    draws: [{ project: PROJECT, experts: booths.map((_, i) => `expert-0${i + 1}`), alternates }],
    seats: booths.map((booth, i) => ({
      expert: `expert-0${i + 1}`,
      project: PROJECT,
      site: 'site-city',
      room: 'room-3',
      row: Math.floor(i / 3),
      col: i % 3,
      label: booth.slice('room-3-'.length),
      codename: codenameOf(i),
    })),
    blind: [PROJECT],
    bidderCodes: {},
    quality: { roomsPerProjectMean: 1, sameRoomPairs: 0, singleProjectRooms: 1 },
  };
}

export interface EnrolledBooth {
  /** The code name of the booth's seat in seatedDraw (by position). */
  codename: string;
  device: TestDevice;
  chain: EventChain;
}

/** A device enrolled at each of `booths` with a fresh code (`prefix` + n), its event chain from the start. */
export async function enrolBooths(store: CentralStore, booths: readonly string[], prefix = 'CODE'): Promise<EnrolledBooth[]> {
  const enrolled: EnrolledBooth[] = [];
  for (const [i, boothId] of booths.entries()) {
    const device = new TestDevice();
    const code = `${prefix}${i}AAA`.slice(0, 8);
    await addCode(store, code, { kind: 'booth', boothId });
    device.deviceId = (await store.consumeEnrolmentCode(attempt(code, 'booth', device))).device.id;
    enrolled.push({ codename: codenameOf(i), device, chain: new EventChain(device.deviceId, device.privateKey) });
  }
  return enrolled;
}
