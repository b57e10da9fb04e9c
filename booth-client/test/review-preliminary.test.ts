/**
 * The preliminary review's durability on a real SQLite file and the real sync log, with a fake key:
 * the signature, its `review.preliminary_signed` event and the frozen review commit in ONE
 * transaction (a power cut between the event's append and the freeze leaves a draft and no event),
 * and committee messages that cannot be used never throw out of the inbox transaction.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { projectBoothPayloadSchema } from '@kawei/shared/api/booth-roster.ts';
import { preliminarySignedPayloadSchema } from '@kawei/shared/committee/committee-events.ts';
import { generateEd25519, privateKeyFromPkcs8 } from '@kawei/shared/crypto/ed25519.node.ts';
import { DeviceStore } from '@kawei/shared/device/device-store.node.ts';
import { ApiError } from '@kawei/shared/errors.ts';
import { canonicalJson } from '@kawei/shared/sync/canonical-json.ts';
import { EventLog } from '@kawei/shared/sync/event-log.node.ts';
import { openBoothDatabase } from '../src/services/booth-database.node.ts';
import { BoothReview } from '../src/services/review/booth-review.node.ts';
import type { BoothSeat } from '../src/services/roster/booth-roster.node.ts';
import type { SignOutput } from '../src/services/scoring/score-sheet.node.ts';
import { CODENAME, POSITION, PROJECT, START, TODAY } from './booth-test-kit.node.ts';
import { committeeMessage, rulesProject } from './review-fixtures.node.ts';

const root = mkdtempSync(join(tmpdir(), 'kawei-review-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const SEAT: BoothSeat = { date: TODAY, expert: 'exp-a', codename: CODENAME, project: PROJECT, blind: true, room: 'r3', label: 'A2' };
const MATERIAL = projectBoothPayloadSchema.parse(rulesProject());

function harness(name: string) {
  const { db } = openBoothDatabase(join(root, name));
  const store = DeviceStore.on(db);
  const existing = store.identity();
  const keys = existing ?? generateEd25519();
  if (!existing) store.saveIdentity({
    deviceId: 'booth-1',
    kind: 'booth',
    publicKey: keys.publicKey,
    privateKeyPkcs8: keys.privateKeyPkcs8,
    centralUrl: 'https://127.0.0.1:9',
    centralId: 'central-test',
    centralPublicKey: keys.publicKey,
    position: POSITION,
    enrolledAt: START,
  });
  const log = EventLog.open(store, 'booth-1', privateKeyFromPkcs8(keys.privateKeyPkcs8));
  const cut = { on: false };
  const logged: string[] = [];
  const signed: unknown[] = [];
  const review = new BoothReview({
    database: db,
    now: () => START,
    seatToday: () => SEAT,
    material: () => MATERIAL,
    sheetState: () => null,
    sign: async (value): Promise<SignOutput> => {
      signed.push(value);
      const content = canonicalJson(value as never);
      const digest = createHash('sha256').update(content).digest('hex');
      const cms = Buffer.from(`cms:${digest}`).toString('base64');
      return {
        signedAt: START,
        signer: CODENAME,
        cmsBase64: cms,
        document: { kind: 'preliminary-review', content, contentSha256: digest, cms, signer: { subject: `CN=${CODENAME}`, issuer: 'CN=CA', serial: '01' }, signedAt: new Date(START).toISOString() },
      };
    },
    record: (type, payload) => {
      const seq = log.append(type, payload).seq;
      // Stands for a power cut after the event's append, before the transaction commits.
      if (cut.on) throw new Error('power cut');
      return seq;
    },
    online: () => false,
    boothLabel: () => 'A2',
    log: (m) => logged.push(m),
  });
  return { db, store, log, review, cut, logged, signed };
}

describe('preliminary review, one transaction', () => {
  it('a power cut between the event and the freeze leaves a draft with every verdict and no event; signing again freezes it with its event', async () => {
    const h = harness('cut');
    for (const bid of ['A', 'B', 'C']) for (const item of ['licence', 'bond']) h.review.savePreliminary(SEAT, { bid, item, pass: bid !== 'C', reason: bid === 'C' ? '营业执照过期' : undefined });
    h.cut.on = true;
    await expect(h.review.submitPreliminary(SEAT, '123456')).rejects.toThrow('power cut');
    expect(h.store.eventCount()).toBe(0);
    expect(h.review.view(SEAT).preliminary).toMatchObject({ status: 'draft', problems: [] });
    expect(h.review.preliminarySubmission(SEAT)).toBeNull();

    h.cut.on = false;
    const result = await h.review.submitPreliminary(SEAT, '123456');
    expect(result.eventSeq).toBe(1);
    expect(h.signed).toHaveLength(2);
    const event = h.log.eventAt(1);
    expect(event?.type).toBe('review.preliminary_signed');
    const payload = preliminarySignedPayloadSchema.parse(event?.payload);
    expect(payload.document.verdicts.C?.licence).toEqual({ pass: false, reason: '营业执照过期' });
    expect(h.review.preliminarySubmission(SEAT)?.eventSeq).toBe(1);
    expect(h.review.view(SEAT)).toMatchObject({ step: 'wait_preliminary', preliminary: { status: 'submitted' } });
    h.db.close();

    // What is on disk after a reopen: the frozen review and its one event.
    const again = harness('cut');
    expect(again.review.view(SEAT).preliminary?.status).toBe('submitted');
    expect(again.store.eventCount()).toBe(1);
    expect(() => again.review.savePreliminary(SEAT, { bid: 'A', item: 'bond', pass: false })).toThrow(ApiError);
    again.db.close();
  });

  it('committee messages: bad ones are remembered as skipped and never throw; a duplicate id is applied once; newest version wins', () => {
    const h = harness('messages');
    expect(h.review.ingest({ id: 'm1', type: 'committee.booth', payload: { nonsense: true } })).toBe('malformed');
    expect(h.review.ingest({ id: 'm1', type: 'committee.booth', payload: committeeMessage({}) })).toBe('duplicate');
    expect(h.review.ingest({ id: 'm2', type: 'committee.booth', payload: committeeMessage({ date: '2001-01-01' }) })).toBe('not_for_this_seat');
    expect(h.review.ingest({ id: 'm3', type: 'committee.booth', payload: committeeMessage({ version: 5, stage: 'preliminary_done' }) })).toBe('applied');
    expect(h.review.ingest({ id: 'm4', type: 'committee.booth', payload: committeeMessage({ version: 4, stage: 'detailed' }) })).toBe('older');
    expect(h.review.ingest({ id: 'm5', type: 'roster.booth', payload: {} })).toBe('not_for_review');
    expect(h.review.committee(SEAT)?.stage).toBe('preliminary_done');
    expect(h.logged.join('\n')).toMatch(/m1 malformed, refused/);
    expect(h.db.prepare('SELECT id, outcome FROM applied_message ORDER BY id').all()).toEqual([
      { id: 'm1', outcome: 'malformed' },
      { id: 'm2', outcome: 'not_for_this_seat' },
      { id: 'm3', outcome: 'applied' },
      { id: 'm4', outcome: 'older' },
    ]);
    h.db.close();
  });
});
