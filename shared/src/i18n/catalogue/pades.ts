/**
 * PAdES signatures in PDF files (issue #14, shared/src/report/pdf-signature.node.ts): placeholders, embedding, reading and checking signatures. Keys `pades.*`.
 */
export const zhCN = {
  'pades.title': '签名的 PDF 文件',
  /** The /Reason of every signature dictionary Kawei writes. */
  'pades.reason': '评标报告签名',
} as const;

export const en: Record<keyof typeof zhCN, string> = {
  'pades.title': 'Signed PDF file',
  'pades.reason': 'Evaluation report signature',
};
