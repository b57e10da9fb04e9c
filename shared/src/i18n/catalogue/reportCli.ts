/**
 * `kawei-central report` and the report's storage and routes (issue #14). Keys `reportCli.*`.
 */
export const zhCN = {
  'reportCli.title': '评标报告命令',
} as const;

export const en: Record<keyof typeof zhCN, string> = {
  'reportCli.title': 'Report command',
};
