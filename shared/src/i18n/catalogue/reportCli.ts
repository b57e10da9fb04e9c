/**
 * `kawei-central report` and the report's storage and routes (issue #14). Keys `reportCli.*`.
 */
export const zhCN = {
  'reportCli.title': '评标报告命令',

  // The report material publish-project writes (central/src/report/report-material.node.ts).
  'reportCli.material.defaultCentre': '公共资源交易中心',
  'reportCli.material.centreTooLong': '--centre 交易中心名称过长（最多 200 个字符）',
  'reportCli.material.badDate': '日期 {date} 不是 YYYY-MM-DD 格式',
  'reportCli.material.badProject': '项目编号 {project} 无效（只能包含字母、数字、“-”“_”“.”）',
  'reportCli.material.unreadable': '无法读取评标报告资料文件 {file}：{reason}',
  'reportCli.material.invalid': '评标报告资料文件 {file} 的字段 {field} 有误：{reason}',
} as const;

export const en: Record<keyof typeof zhCN, string> = {
  'reportCli.title': 'Report command',

  'reportCli.material.defaultCentre': 'Public Resources Trading Centre',
  'reportCli.material.centreTooLong': '--centre: the centre\'s name is too long (200 characters at most)',
  'reportCli.material.badDate': 'the date {date} is not YYYY-MM-DD',
  'reportCli.material.badProject': 'the project code {project} is not valid (letters, digits, "-", "_" and "." only)',
  'reportCli.material.unreadable': 'cannot read the report material file {file}: {reason}',
  'reportCli.material.invalid': 'the report material file {file} has a wrong field {field}: {reason}',
};
