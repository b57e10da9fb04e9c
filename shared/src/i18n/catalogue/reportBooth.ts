/**
 * The booth's report service (issue #14, booth-client/src/services/report/): downloads, checks, signatures. Keys `reportBooth.*`.
 */
export const zhCN = {
  'reportBooth.title': '评标报告',
} as const;

export const en: Record<keyof typeof zhCN, string> = {
  'reportBooth.title': 'Evaluation report',
};
