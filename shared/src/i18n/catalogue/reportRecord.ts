/**
 * The central's record of the report (issue #14, central/src/report/): stages, refusals, replay problems. Keys `reportRecord.*`.
 */
export const zhCN = {
  'reportRecord.title': '评标报告记录',
} as const;

export const en: Record<keyof typeof zhCN, string> = {
  'reportRecord.title': 'Report record',
};
