/**
 * The evaluation report's PDFs (issue #14): the report itself (draft, then final with the dissents)
 * and its two annexes. Inputs are checked at the boundary (zod, and the committee must be final);
 * the content is report-model.ts / render-annexes.ts, the pages pdf-layout.node.ts.
 *
 * Deterministic: the same input gives the same bytes — the PDF's dates are `renderedAt`, its /ID is
 * derived from the laid-out content, nothing reads a clock or a random source. The booths and the
 * central both hash these bytes, and every signature goes on top of them as an incremental update.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { bilingualError } from '@kawei/shared/i18n/bilingual.ts';
import type { CommitteeState } from '../committee/committee-types.ts';
import { layoutPdf } from './pdf-layout.node.ts';
import { identityLineSchema, identityModel, unblindingModel, type IdentityLine } from './render-annexes.ts';
import { dissentEntrySchema, reportMaterialSchema, reportModel, type ReportDocument, type ReportInput, type ReportMaterial } from './report-model.ts';

export type { DissentEntry, ReportInput, ReportMaterial } from './report-model.ts';
export type { IdentityLine } from './render-annexes.ts';

export const REPORT_RENDERER_VERSION = 'kawei-report-1';

const epochMs = z.number().int().min(0).max(8.64e15);
const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw bilingualError('reportPdf.error.input', { problem: z.prettifyError(parsed.error) });
  return parsed.data;
}

/** The committee's state must be final (results confirmed) and carry its results. */
function finalState(state: unknown): CommitteeState {
  const s = state as CommitteeState | null | undefined;
  if (s === null || typeof s !== 'object' || typeof s.opened !== 'object' || !Array.isArray(s.members)) {
    throw bilingualError('reportPdf.error.input', { problem: 'state' });
  }
  if (s.stage !== 'final' || s.results === null) throw bilingualError('reportPdf.error.notFinal', { stage: String(s.stage) });
  return s;
}

async function render(document: ReportDocument, renderedAt: number): Promise<Uint8Array> {
  // The file ID names the content: a digest of what is laid out and when it was made.
  const fileId = createHash('sha256').update(REPORT_RENDERER_VERSION).update(JSON.stringify(document)).update(String(renderedAt)).digest('hex').slice(0, 32);
  return layoutPdf(document, { date: new Date(renderedAt), creator: REPORT_RENDERER_VERSION, producer: REPORT_RENDERER_VERSION, fileId });
}

const reportInputSchema = z
  .object({
    state: z.unknown(),
    material: reportMaterialSchema,
    kind: z.enum(['draft', 'final']),
    dissents: z.array(dissentEntrySchema).max(100),
    renderedAt: epochMs,
  })
  .strict();

/** Deterministic: same input → same bytes. Saved with useObjectStreams: false (a classic xref table: the PAdES writer, pdf-xref.node.ts, reads no xref streams). */
export async function renderReport(input: ReportInput): Promise<Uint8Array> {
  const parsed = parse(reportInputSchema, input);
  const state = finalState(parsed.state);
  const dissents = parsed.kind === 'draft' ? [] : parsed.dissents;
  for (const d of dissents) {
    const member = state.members.find((m) => m.codename === d.codename);
    if (member === undefined || !member.active || member.judge !== d.judge) throw bilingualError('reportPdf.error.dissentNotMember', { codename: d.codename, judge: d.judge });
  }
  return render(reportModel({ state, material: parsed.material, kind: parsed.kind, dissents, renderedAt: parsed.renderedAt }), parsed.renderedAt);
}

const unblindingInputSchema = z.object({ state: z.unknown(), material: reportMaterialSchema, reportSha256: sha256Hex, renderedAt: epochMs }).strict();

/** 揭标: bid code → bidder name, naming the signed report's SHA-256. */
export async function renderUnblindingAnnex(input: { state: CommitteeState; material: ReportMaterial; reportSha256: string; renderedAt: number }): Promise<Uint8Array> {
  const parsed = parse(unblindingInputSchema, input);
  const state = finalState(parsed.state);
  return render(unblindingModel({ ...parsed, state }), parsed.renderedAt);
}

const identityInputSchema = z
  .object({ state: z.unknown(), material: reportMaterialSchema, identities: z.array(identityLineSchema).max(200), reportSha256: sha256Hex, renderedAt: epochMs })
  .strict();

/** The code name → expert key: the only document with real names (sealed for the supervisors). */
export async function renderIdentityAnnex(input: {
  state: CommitteeState;
  material: ReportMaterial;
  identities: IdentityLine[];
  reportSha256: string;
  renderedAt: number;
}): Promise<Uint8Array> {
  const parsed = parse(identityInputSchema, input);
  const state = finalState(parsed.state);
  return render(identityModel({ ...parsed, state }), parsed.renderedAt);
}
