/**
 * The text of the evaluation report PDF and its annexes (issue #14, central/src/report/): headings, table columns, fixed sentences. Keys `reportPdf.*`. The report is a Chinese legal document: the zh-CN text is what is printed; en is for an English rendering and for tests.
 */
export const zhCN = {
  'reportPdf.title': '评标报告',
} as const;

export const en: Record<keyof typeof zhCN, string> = {
  'reportPdf.title': 'Evaluation report',
};
