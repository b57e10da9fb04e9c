/** Developer and test tooling under scripts/lib/ that a person reads when it fails (the PostgreSQL finder). */
export const zhCN = {
  'scripts.postgres.missing': '未找到 PostgreSQL 服务器程序（initdb、pg_ctl、postgres，位置 {where}）：请 apt-get install postgresql',
  'scripts.postgres.noSystemUser': '以 root 运行，但没有用来运行 PostgreSQL 的 "postgres" 系统用户（apt-get install postgresql 会创建它）',
} as const;

export const en: Record<keyof typeof zhCN, string> = {
  'scripts.postgres.missing': 'PostgreSQL server binaries (initdb, pg_ctl, postgres) not found in {where}: apt-get install postgresql',
  'scripts.postgres.noSystemUser': 'running as root, and there is no "postgres" system user to run PostgreSQL as (apt-get install postgresql creates it)',
};
