/**
 * The centre's two annexes to the report (issue #14), each a PDF signed with the centre's seal
 * (电子印章: a detached CMS, `openssl cms -verify -binary -content annex.pdf`), stored beside the
 * report in the central's database:
 *
 * - identities (code name → expert): made when the final PDF is rendered, so it exists even if the
 *   signing stalls; encrypted (CMS EnvelopedData) for the supervisors' certificates when configured;
 * - unblinding (揭标, bid code → bidder name): for blind projects, after the last signature.
 */
import type { ReportAnnexKind } from '@kawei/shared/report/report-events.ts';
import { createDetachedCms } from '@kawei/shared/signing/cms.ts';
import type { CommitteeState } from '../committee/committee-types.ts';
import type { NewReportFile } from '../storage/report-store.ts';
import type { CentreSeal } from './centre-seal.node.ts';
import { renderIdentityAnnex, renderUnblindingAnnex, type IdentityLine, type ReportMaterial } from './render-report.node.ts';
import { sha256Hex } from './report-signatures.node.ts';

export interface AnnexMade {
  kind: ReportAnnexKind;
  files: NewReportFile[];
  /** The report.annexed payload's facts. */
  entry: { kind: ReportAnnexKind; sha256: string; bytes: number; cmsSha256: string; sealedFor: string[]; envelopeSha256: string | null };
}

export interface AnnexInput {
  committee: CommitteeState;
  material: ReportMaterial;
  /** The report the annex names: the final PDF (identities) or the signed head (unblinding). */
  reportSha256: string;
  renderedAt: number;
  seal: CentreSeal;
}

async function sealed(kind: ReportAnnexKind, pdf: Uint8Array, input: AnnexInput, recipients: readonly Uint8Array[]): Promise<AnnexMade> {
  const { date, project } = input.committee.opened;
  const cms = (await createDetachedCms(pdf, input.seal.signer, { trustList: input.seal.trustList, signingTime: new Date(input.renderedAt) })).der;
  const sha256 = sha256Hex(pdf);
  const cmsSha256 = sha256Hex(cms);
  const files: NewReportFile[] = [
    { date, project, sha256, kind: 'annex', bytes: pdf },
    { date, project, sha256: cmsSha256, kind: 'annex-cms', bytes: cms },
  ];
  let envelopeSha256: string | null = null;
  if (recipients.length > 0) {
    // Loaded only when there are recipients: most centrals seal for nobody.
    const { sealForRecipients } = await import('@kawei/shared/signing/cms-envelope.node.ts');
    const envelope = await sealForRecipients(pdf, [...recipients]);
    envelopeSha256 = sha256Hex(envelope);
    files.push({ date, project, sha256: envelopeSha256, kind: 'annex-envelope', bytes: envelope });
  }
  return { kind, files, entry: { kind, sha256, bytes: pdf.length, cmsSha256, sealedFor: recipients.map((r) => sha256Hex(r)), envelopeSha256 } };
}

/** Code name → expert, for every member who sat (replaced ones too, with who took the seat). */
export async function makeIdentityAnnex(input: AnnexInput & { expertName: (expert: string) => string | null; recipients: readonly Uint8Array[] }): Promise<AnnexMade> {
  const identities: IdentityLine[] = [...input.committee.members]
    .sort((a, b) => a.judge - b.judge || Number(a.active) - Number(b.active))
    .map((m) => ({ codename: m.codename, judge: m.judge, expertId: m.expert, name: input.expertName(m.expert) ?? m.expert, replacedBy: m.replacedBy }));
  const pdf = await renderIdentityAnnex({ state: input.committee, material: input.material, identities, reportSha256: input.reportSha256, renderedAt: input.renderedAt });
  return sealed('identities', pdf, input, input.recipients);
}

export async function makeUnblindingAnnex(input: AnnexInput): Promise<AnnexMade> {
  const pdf = await renderUnblindingAnnex({ state: input.committee, material: input.material, reportSha256: input.reportSha256, renderedAt: input.renderedAt });
  return sealed('unblinding', pdf, input, []);
}
