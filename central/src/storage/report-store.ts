/**
 * The evaluation report's files (issue #14, central/src/report/): every PDF the central rendered or
 * rebuilt (the draft, the final PDF, each signed head), the annexes and the CMS beside them, stored
 * by SHA-256 in the central's database so a report survives with the ledger that names it (and the
 * archive finds both in one place). On SQLite and PostgreSQL alike (central-sql-store.node.ts).
 *
 * Content-addressed and write-once: putting a hash already stored changes nothing; bytes that do not
 * hash to the name given are refused.
 */
export const REPORT_FILE_KINDS = [
  /** The draft read in the dissent window. */
  'draft',
  /** The final PDF (draft + dissents), before any signature. */
  'final',
  /** The final PDF with one or more PAdES signatures (each signature's new head). */
  'signed',
  /** A detached CMS over a head PDF (an SM2 signer's, kept beside the PDF). */
  'signature-cms',
  /** An annex PDF (揭标, identities). */
  'annex',
  /** The centre's detached CMS over an annex. */
  'annex-cms',
  /** An annex encrypted for the supervisors (CMS EnvelopedData). */
  'annex-envelope',
] as const;
export type ReportFileKind = (typeof REPORT_FILE_KINDS)[number];

export interface NewReportFile {
  date: string;
  project: string;
  sha256: string;
  kind: ReportFileKind;
  bytes: Uint8Array;
}

export interface ReportFileInfo {
  date: string;
  project: string;
  sha256: string;
  kind: ReportFileKind;
  size: number;
  /** Epoch ms of the first put. */
  createdAt: number;
}

export interface ReportStore {
  /** Stores the file unless its hash is stored already (then nothing changes). Throws when `bytes` do not hash to `sha256`. */
  putReportFile(file: NewReportFile): Promise<void>;
  /** The file's bytes and facts, or null. */
  getReportFile(sha256: string): Promise<(ReportFileInfo & { bytes: Uint8Array }) | null>;
  /** One project's report files, oldest first (no bytes). */
  listReportFiles(date: string, project: string): Promise<ReportFileInfo[]>;
}

/** Whether a store keeps report files (the central's store does; a test's stand-in may not). */
export function isReportStore<S extends object>(store: S): store is S & ReportStore {
  return typeof (store as Partial<ReportStore>).putReportFile === 'function';
}
