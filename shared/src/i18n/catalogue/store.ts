/** The device database (shared/src/store/device-database.node.ts): why it will not open. */
export const zhCN = {
  'store.unknownVersion': '数据库版本未知：数据结构版本 {version}，但没有 schema_part 表',
  'store.newerThanProgram': '数据库比本程序新：{part} 部分的版本为 {current}，本程序只到 {known}',
  'store.legacyVersion': '旧数据文件版本不符：{file} 的版本为 {version}，应为 {expected}；未合并到 device.sqlite，请保留该文件并报告',
} as const;

export const en: Record<keyof typeof zhCN, string> = {
  'store.unknownVersion': 'this device database is at schema version {version} without its schema_part table',
  'store.newerThanProgram': 'the {part} tables of this device database are at version {current}, newer than this program ({known})',
  'store.legacyVersion': '{file} is at schema version {version}, expected {expected}: it was not merged into device.sqlite; keep the file and report it',
};
