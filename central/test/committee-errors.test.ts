import { describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { evaluationRulesSchema } from '@kawei/shared/committee/evaluation-rules.ts';
import type { SiteTree, DeviceRecord } from '@kawei/shared/api/central-http.ts';
import { messagePair } from '@kawei/shared/i18n/bilingual.ts';
import type { DrawResult } from '../src/draw/day-schema.ts';
import { CommitteeApiError, committeeMembers, openCommitteeFromStore } from '../src/committee/open-committee.node.ts';
import { NoCommitteeError } from '../src/committee/committee-service.node.ts';
import type { OpenCommitteeDeps } from '../src/committee/open-committee.node.ts';
import { BIDS, COMPREHENSIVE, DATE, PROJECT } from './committee/committee-fixtures.ts';
import { seatedDraw } from './committee/seated-committee.node.ts';

/** What people read when a committee cannot be opened or found: both languages, from the catalogue. */
const CJK = /[\u4e00-\u9fff]/;

/** Three drawn, two seated — the second at Z9, no booth of the topology — not blind. */
function result(): DrawResult {
  return { ...seatedDraw(['room-3-A1', 'room-3-Z9'], []), draws: [{ project: PROJECT, experts: ['expert-01', 'expert-02', 'expert-03'], alternates: [] }], blind: [] };
}

const SITES = [{ id: 'site-city', rooms: [{ id: 'room-3', booths: [{ id: 'room-3-A1', label: 'A1' }] }] }] as unknown as SiteTree[];

describe('committee errors people read', () => {
  it('a project not in the draw: NOT_FOUND in Chinese and English', async () => {
    const deps = { store: {}, privateKey: generateKeyPairSync('ed25519').privateKey, centralId: 'c', now: Date.now } as unknown as OpenCommitteeDeps;
    const rules = evaluationRulesSchema.parse(COMPREHENSIVE);
    const error = await openCommitteeFromStore(deps, { result: result(), project: 'NO-SUCH', rules, bids: BIDS, blind: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommitteeApiError);
    const e = error as CommitteeApiError;
    expect(e.code).toBe('NOT_FOUND');
    expect(e.pair).toEqual(messagePair('central.committee.open.notInDraw', { project: 'NO-SUCH', date: DATE }));
    expect(e.zh).toMatch(CJK);
    expect(e.en).toContain('NO-SUCH');
    expect(e.message).toBe(`${e.zh} / ${e.en}`);
  });

  it('seats without a booth device: BAD_INPUT naming each seat, in both languages', () => {
    const error = (() => {
      try {
        committeeMembers(result(), PROJECT, ['expert-01', 'expert-02', 'expert-03'], SITES, [] as DeviceRecord[]);
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(CommitteeApiError);
    const e = error as CommitteeApiError;
    expect(e.code).toBe('BAD_INPUT');
    expect(e.zh).toMatch(CJK);
    for (const text of [e.zh, e.en]) for (const named of ['A1', 'K01', 'Z9', 'K02', 'expert-03']) expect(text).toContain(named);
    expect(e.en).toBe(
      'the committee of project "P-2026-001" cannot be opened; seats without a booth device: site-city/room-3 A1 (K01): no enrolled device; site-city/room-3 Z9 (K02): no such booth; expert-03: no seat',
    );
    expect(e.details).toEqual({ missing: ['site-city/room-3 A1 (K01): no enrolled device', 'site-city/room-3 Z9 (K02): no such booth', 'expert-03: no seat'] });
  });

  it('no committee open: NOT_FOUND in both languages', () => {
    const e = new NoCommitteeError(DATE, PROJECT);
    expect(e.code).toBe('NOT_FOUND');
    expect(e.zh).toMatch(CJK);
    expect(e.zh).toContain(PROJECT);
    expect(e.en).toBe(`no committee is open for project "${PROJECT}" on ${DATE}`);
  });
});
