/**
 * The report's two annexes as blocks (pure; laid out by pdf-layout.node.ts like the report):
 *
 * - the unblinding annex (揭标记录): bid code → bidder name, added by the centre after the report's
 *   last signature in a blind project, naming the signed report's SHA-256;
 * - the identity annex (身份对照表): seat, code name → expert id and name, and who replaced whom,
 *   naming the report's SHA-256. The ONLY document with experts' real names: sealed for the
 *   supervisors, never shown in a booth.
 */
import { z } from 'zod';
import { translate, type MessageKey, type TranslateArgs } from '@kawei/shared/i18n/messages.ts';
import type { CommitteeState } from '../committee/committee-types.ts';
import { DASH, formatTime, judgeLabelOf, type Block, type ReportDocument, type ReportMaterial } from './report-model.ts';

const tr = <K extends MessageKey>(key: K, ...args: TranslateArgs<K>): string => translate('zh-CN', key, ...args);

export const identityLineSchema = z
  .object({
    codename: z.string().min(1).max(32),
    judge: z.number().int().min(1),
    expertId: z.string().min(1).max(200),
    name: z.string().trim().min(1).max(200),
    replacedBy: z.string().min(1).max(32).nullable(),
  })
  .strict();
export type IdentityLine = z.infer<typeof identityLineSchema>;

function cover(state: CommitteeState, material: ReportMaterial, reportSha256: string, renderedAt: number): Block {
  return {
    kind: 'keyValues',
    rows: [
      { key: tr('reportPdf.field.project'), value: material.title },
      { key: tr('reportPdf.field.code'), value: state.opened.project },
      { key: tr('reportPdf.field.date'), value: state.opened.date },
      { key: tr('reportPdf.field.centre'), value: material.centreName },
      { key: tr('reportPdf.field.reportSha256'), value: reportSha256 },
      { key: tr('reportPdf.field.renderedAt'), value: formatTime(renderedAt) },
    ],
  };
}

export function unblindingModel(input: { state: CommitteeState; material: ReportMaterial; reportSha256: string; renderedAt: number }): ReportDocument {
  const { state, material } = input;
  const names = new Map(material.bidders.map((b) => [b.code, b.name]));
  const title = tr('reportPdf.unblinding.title');
  return {
    title: `${material.title} ${title}`,
    header: tr('reportPdf.header', { code: state.opened.project, title }),
    mark: null,
    headerMark: null,
    subject: `${state.opened.project} ${state.opened.date}`,
    keywords: [state.opened.project, state.opened.date, 'unblinding', input.reportSha256],
    blocks: [
      { kind: 'title', text: title, subtitle: null },
      cover(state, material, input.reportSha256, input.renderedAt),
      { kind: 'paragraph', text: tr('reportPdf.unblinding.intro'), indent: true },
      {
        kind: 'table',
        keyColumns: 1,
        columns: [
          { title: tr('reportPdf.col.no'), width: 40, align: 'center' },
          { title: tr('reportPdf.col.bidCode'), width: 100, align: 'center' },
          { title: tr('reportPdf.col.bidderName'), width: 300 },
        ],
        rows: state.opened.bids.map((b, i) => [String(i + 1), b.code, names.get(b.code) ?? DASH]),
      },
    ],
  };
}

export function identityModel(input: { state: CommitteeState; material: ReportMaterial; identities: IdentityLine[]; reportSha256: string; renderedAt: number }): ReportDocument {
  const { state, material } = input;
  const title = tr('reportPdf.identity.title');
  const lines = [...input.identities].sort((a, b) => a.judge - b.judge || (a.replacedBy === null ? 1 : 0) - (b.replacedBy === null ? 1 : 0) || (a.codename < b.codename ? -1 : 1));
  return {
    title: `${material.title} ${title}`,
    header: tr('reportPdf.header', { code: state.opened.project, title }),
    mark: null,
    headerMark: tr('reportPdf.identity.mark'),
    subject: `${state.opened.project} ${state.opened.date}`,
    keywords: [state.opened.project, state.opened.date, 'identities', input.reportSha256],
    blocks: [
      { kind: 'title', text: title, subtitle: tr('reportPdf.identity.mark') },
      cover(state, material, input.reportSha256, input.renderedAt),
      { kind: 'paragraph', text: tr('reportPdf.identity.intro'), indent: true },
      {
        kind: 'table',
        keyColumns: 2,
        columns: [
          { title: tr('reportPdf.col.seat'), width: 50, align: 'center' },
          { title: tr('reportPdf.col.codename'), width: 70, align: 'center' },
          { title: tr('reportPdf.col.expertId'), width: 110 },
          { title: tr('reportPdf.col.name'), width: 90 },
          { title: tr('reportPdf.col.replaced'), width: 110 },
        ],
        rows: lines.map((l) => [
          judgeLabelOf(l.judge),
          l.codename,
          l.expertId,
          l.name,
          l.replacedBy === null ? '' : tr('reportPdf.member.replacedBy', { codename: l.replacedBy }),
        ]),
      },
    ],
  };
}
