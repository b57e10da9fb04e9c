/**
 * The booth's report service (issue #14, booth-client/src/services/report/): downloads, checks, signatures. Keys `reportBooth.*`.
 */
export const zhCN = {
  'reportBooth.title': '评标报告',
  'reportBooth.problem.download': '评标报告下载失败，稍后自动重试（{detail}）',
  'reportBooth.problem.hash': '收到的评标报告与中心公布的哈希不符，已丢弃，稍后自动重新下载',
  'reportBooth.problem.broken': '评标报告已下载并通过哈希校验，但无法打开；请联系工作人员（{detail}）',
} as const;

export const en: Record<keyof typeof zhCN, string> = {
  'reportBooth.title': 'Evaluation report',
  'reportBooth.problem.download': 'The evaluation report could not be downloaded; retrying shortly ({detail})',
  'reportBooth.problem.hash': 'The evaluation report received does not match the hash the centre published; it was discarded and will be downloaded again',
  'reportBooth.problem.broken': 'The evaluation report was downloaded and matches its hash, but cannot be opened; call the staff ({detail})',
};
