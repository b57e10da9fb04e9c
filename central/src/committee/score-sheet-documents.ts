/**
 * The signed score sheet as the committee reads it. `booth.scores_submitted` carries one of two
 * document versions (the signed bytes are the document's canonical JSON; the CMS itself is checked by
 * `kawei-central signatures`, not here):
 *
 * - version 1 (shared/src/api/signed-submissions.ts): plain criteria, no revision, no rules hash; the
 *   code name optional. Accepted only for a project whose rules are plain criteria (no preliminary
 *   review, no price rule), as revision 1.
 * - version 2 (signed-submissions.ts `scoreSheetDocumentV2Schema`, the one shape booth and central
 *   share): the code name, the revision (1, +1 per re-check), the rules' hash, the chosen tiers and
 *   optionally the totals the sheet states.
 *
 * Both are read into one `ScoreSheetRecord`-ready shape, so the rest of the committee never asks
 * which version it holds.
 */
import { z } from 'zod';
import { SCORE_SHEET_VERSION } from '@kawei/shared/committee/committee-events.ts';
import { scoreSheetDocumentSchema, scoreSheetDocumentV2Schema, scoresSubmittedPayloadSchema } from '@kawei/shared/api/signed-submissions.ts';

const payloadV1Schema = scoresSubmittedPayloadSchema;
const payloadV2Schema = scoresSubmittedPayloadSchema.extend({ sheet: scoreSheetDocumentV2Schema });

/** A score sheet, whichever version was signed. */
export interface ScoreSheetContent {
  version: 1 | 2;
  date: string;
  project: string;
  /** The code name the document states; version 1 may state none (the booth's seat then says). */
  codename: string | null;
  /** Version 1 has none: the committee compares its criteria with the rules instead. */
  rulesSha256: string | null;
  revision: number;
  criteria: { id: string; max: number }[];
  bidders: string[];
  scores: Record<string, Record<string, number | null>>;
  notes: Record<string, Record<string, string>>;
  tiers: Record<string, Record<string, string>>;
  totals: Record<string, number> | null;
  sheetSha256: string;
  signedAt: number;
}

export type ReadSheet = { ok: true; sheet: ScoreSheetContent } | { ok: false; problem: string } | { ok: false; mismatch: 'date' | 'project' };

/** Validates a `booth.scores_submitted` payload of either version; the event's date and project must be the document's. */
export function readScoreSheetPayload(payload: unknown): ReadSheet {
  const version = (payload as { sheet?: { version?: unknown } } | null)?.sheet?.version;
  if (version === SCORE_SHEET_VERSION) {
    const parsed = payloadV2Schema.safeParse(payload);
    if (!parsed.success) return { ok: false, problem: z.prettifyError(parsed.error) };
    const { sheet } = parsed.data;
    const mismatch = eventDocumentMismatch(parsed.data, sheet);
    if (mismatch) return { ok: false, mismatch };
    return {
      ok: true,
      sheet: {
        version: 2,
        date: sheet.date,
        project: sheet.project,
        codename: sheet.codename,
        rulesSha256: sheet.rulesSha256,
        revision: sheet.revision,
        criteria: sheet.criteria.map((c) => ({ id: c.id, max: c.max })),
        bidders: sheet.bidders,
        scores: sheet.scores,
        notes: sheet.notes,
        tiers: sheet.tiers ?? {},
        totals: sheet.totals ?? null,
        sheetSha256: parsed.data.sheetSha256,
        signedAt: parsed.data.signedAt,
      },
    };
  }
  const parsed = payloadV1Schema.safeParse(payload);
  if (!parsed.success) return { ok: false, problem: z.prettifyError(parsed.error) };
  const sheet: z.infer<typeof scoreSheetDocumentSchema> = parsed.data.sheet;
  const mismatch = eventDocumentMismatch(parsed.data, sheet);
  if (mismatch) return { ok: false, mismatch };
  return {
    ok: true,
    sheet: {
      version: 1,
      date: sheet.date,
      project: sheet.project,
      codename: sheet.codename ?? null,
      rulesSha256: null,
      revision: 1,
      criteria: sheet.criteria.map((c) => ({ id: c.id, max: c.max })),
      bidders: sheet.bidders,
      scores: sheet.scores,
      notes: sheet.notes,
      tiers: {},
      totals: null,
      sheetSha256: parsed.data.sheetSha256,
      signedAt: parsed.data.signedAt,
    },
  };
}

function eventDocumentMismatch(event: { date: string; project: string }, document: { date: string; project: string }): 'date' | 'project' | null {
  if (event.date !== document.date) return 'date';
  if (event.project !== document.project) return 'project';
  return null;
}
