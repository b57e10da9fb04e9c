/**
 * The booth's report screen (issue #14): read the report, dissent, sign. Keys `report.*`. Written for older experts: short sentences that say what to do next.
 */
export const zhCN = {
  'report.title': '评标报告',
} as const;

export const en: Record<keyof typeof zhCN, string> = {
  'report.title': 'Evaluation report',
};
