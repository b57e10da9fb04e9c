import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ProjectBoothPayload } from '@kawei/shared/api/booth-roster.ts';
import { scoreSheetDocumentSchema, scoreSheetDocumentV2Schema } from '@kawei/shared/api/signed-submissions.ts';
import type { ScoringItem } from '@kawei/shared/committee/evaluation-rules.ts';
import { canonicalJson } from '@kawei/shared/sync/canonical-json.ts';
import { createScoreSheet, type SignOutput } from '../../booth-client/src/services/scoring/score-sheet.node.ts';
import { readScoreSheetPayload } from '../src/committee/score-sheet-documents.ts';
import { useTempDir } from './temp-dir.ts';

/**
 * Booth and central validate one shape of the version 2 score sheet (signed-submissions.ts): the
 * document the booth's own score sheet signs (score-sheet.node.ts `documentOf`, run here on a real
 * booth database) fits `scoreSheetDocumentV2Schema` with no field the schema does not name, and the
 * committee reads its event.
 */
const tempDir = useTempDir();

const PROJECT: ProjectBoothPayload = {
  date: '2026-12-07',
  project: 'P-2026-001',
  title: 'test',
  blind: true,
  startsAt: null,
  endsAt: null,
  criteria: [
    { id: 'plan', name: 'plan', max: 30 },
    { id: 'iso', name: 'ISO 9001', max: 2 },
  ],
  bidders: [
    { code: 'A', name: 'Alpha', aliases: [] },
    { code: 'B', name: 'Beta', aliases: [] },
  ],
  files: [],
};
const ITEMS: ScoringItem[] = [
  { id: 'plan', group: 'tech', name: 'plan', description: '', max: 30, kind: 'subjective', tiers: [{ label: 'A', min: 20, max: 30 }, { label: 'B', min: 0, max: 19.5 }] },
  { id: 'iso', group: 'biz', name: 'ISO 9001', description: '', max: 2, kind: 'objective', options: [0, 2] },
];
const RULES_SHA = 'd'.repeat(64);
const RECHECK = { codename: 'K01', reason: 'sum_error' as const, cells: [{ bid: 'A', item: 'plan' }], note: 'check the sum' };

const sign = async (value: unknown): Promise<SignOutput> => {
  const content = canonicalJson(value);
  const digest = createHash('sha256').update(content).digest('hex');
  return {
    signedAt: 1_800_000_000_000,
    signer: 'CN=K01',
    cmsBase64: 'MIIB',
    document: {
      kind: 'score-sheet',
      content,
      contentSha256: digest,
      cms: 'MIIB',
      signer: { subject: 'CN=K01', issuer: 'CN=test CA', serial: '01' },
      signedAt: new Date(1_800_000_000_000).toISOString(),
    },
  };
};

describe('score sheet version 2: one shape for booth and central', () => {
  it("the booth's signed document fits scoreSheetDocumentV2Schema, field for field, and the committee reads its event", async () => {
    const events: { type: string; payload: Record<string, unknown> }[] = [];
    const sheet = createScoreSheet({
      dataDir: tempDir(),
      sign,
      record: (type, payload) => events.push({ type, payload }),
      identity: () => ({ codename: 'K01', booth: 'A1' }),
    });
    try {
      const plan = { items: ITEMS, bidders: ['A', 'B'], waiting: false, rulesSha256: RULES_SHA, documentVersion: 2 as const, revision: 2, recheck: RECHECK };
      sheet.setProject(PROJECT, plan);
      for (const [bidder, plan, tier, iso] of [['A', 25, 'A', 2], ['B', 15, 'B', 0]] as const) {
        sheet.save({ bidder, criterion: 'plan', value: plan, note: 'as the rules say', tier });
        sheet.save({ bidder, criterion: 'iso', value: iso, note: 'as the rules say' });
      }
      await sheet.submit('123456');
      const document = sheet.submission()!.document as Record<string, unknown>;

      const parsed = scoreSheetDocumentV2Schema.safeParse(document);
      expect(parsed.success, parsed.error?.message).toBe(true);
      // Loose, but not by accident: every field the booth signs is one the shared schema names.
      expect(Object.keys(document).sort()).toEqual(Object.keys(scoreSheetDocumentV2Schema.shape).sort());
      const criterionKeys = Object.keys(scoreSheetDocumentV2Schema.shape.criteria.element.shape).sort();
      for (const c of document['criteria'] as Record<string, unknown>[]) expect(Object.keys(c).sort()).toEqual(criterionKeys);
      expect(parsed.data).toMatchObject({ version: 2, codename: 'K01', booth: 'A1', revision: 2, recheck: RECHECK, rulesSha256: RULES_SHA, totals: { A: 27, B: 15 } });
      // The signature check's schema reads it too.
      expect(scoreSheetDocumentSchema.safeParse(document).success).toBe(true);

      const [event] = events;
      const read = readScoreSheetPayload(event!.payload);
      expect(read).toMatchObject({ ok: true, sheet: { version: 2, codename: 'K01', revision: 2, tiers: { A: { plan: 'A' }, B: { plan: 'B' } }, totals: { A: 27, B: 15 } } });
    } finally {
      sheet.close();
    }
  });

  it('a version 2 document without its code name or rules hash is not a committee sheet', () => {
    const base = { kind: 'kawei.score-sheet', version: 2, date: '2026-12-07', project: 'P', codename: 'K01', booth: 'A1', rulesSha256: RULES_SHA, revision: 1, criteria: [], bidders: [], scores: {}, notes: {}, savedAt: null };
    expect(scoreSheetDocumentV2Schema.safeParse(base).success).toBe(true);
    const { codename: _c, ...noCodename } = base;
    const { rulesSha256: _r, ...noRules } = base;
    void _c;
    void _r;
    expect(scoreSheetDocumentV2Schema.safeParse(noCodename).success).toBe(false);
    expect(scoreSheetDocumentV2Schema.safeParse(noRules).success).toBe(false);
    expect(scoreSheetDocumentV2Schema.safeParse({ ...base, recheck: { codename: 'K01', reason: 'nonsense' } }).success).toBe(false);
  });
});
