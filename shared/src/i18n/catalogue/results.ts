/**
 * The central's check of signed submissions (central/src/results/verify-submissions.ts): problems
 * that make a submission invalid, warnings that do not, and the details they carry.
 */
export const zhCN = {
  'results.problem.PAYLOAD_INVALID': '事件内容不符合格式',
  'results.problem.DOCUMENT_MISMATCH': '事件内容与签名文件不一致，已被改动',
  'results.problem.ROSTER_MISMATCH': '与中心下发给该卡位的当日名单不符',
  'results.warning.REVOKED_BEFORE_RECEIPT': '证书在签名后、中心收到前被吊销，请核实签名时间',
  'results.warning.NO_ROSTER': '中心没有向该卡位下发当日名单，无法核对专家、代号与项目',
  'results.detail.fields': '字段：{fields}',
  'results.detail.notBase64': '不是 base64',
  'results.detail.revokedLeaf': '证书 {serial} 吊销于 {revokedAt}；签名时间 {signed}；中心收到于 {received}',
  'results.detail.revokedCa': '路径上的 CA 证书 {serial} 吊销于 {revokedAt}；签名时间 {signed}；中心收到于 {received}',
} as const;

export const en: Record<keyof typeof zhCN, string> = {
  'results.problem.PAYLOAD_INVALID': 'the event payload does not match its schema',
  'results.problem.DOCUMENT_MISMATCH': 'the event does not match the signed document: it was changed',
  'results.problem.ROSTER_MISMATCH': 'does not match the roster the central sent this booth for that day',
  'results.warning.REVOKED_BEFORE_RECEIPT':
    'the certificate was revoked after the signing time but before the central received it: check the signing time',
  'results.warning.NO_ROSTER': 'the central sent this booth no roster for that day: expert, code name and project cannot be cross-checked',
  'results.detail.fields': 'fields: {fields}',
  'results.detail.notBase64': 'not base64',
  'results.detail.revokedLeaf': 'certificate {serial} revoked {revokedAt}; signed {signed}; received {received}',
  'results.detail.revokedCa': 'the CA certificate {serial} on its path revoked {revokedAt}; signed {signed}; received {received}',
};
