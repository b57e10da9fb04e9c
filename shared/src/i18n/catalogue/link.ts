/**
 * The link to the central and elapsed times (prefixes link, elapsed).
 * Chinese is the source of the keys; the English table is typed from it.
 */
export const zhCN = {
  // ── link to the central ─────────────────────────────────────────────────
  'link.online': '在线',
  'link.offline': '离线',
  'link.refused': '已被中心拒绝',
  'link.unknown': '连接中…',
  'link.lastContact': '最后联系：{ago}',
  'link.neverContacted': '尚未联系上中心',
  'elapsed.now': '刚刚',
  'elapsed.seconds': '{n} 秒前',
  'elapsed.minutes': '{n} 分钟前',
  'elapsed.hours': '{n} 小时前',
  'elapsed.days': '{n} 天前',
} as const;

export const en: Record<keyof typeof zhCN, string> = {
  'link.online': 'Online',
  'link.offline': 'Offline',
  'link.refused': 'Refused by the central',
  'link.unknown': 'Connecting…',
  'link.lastContact': 'Last contact: {ago}',
  'link.neverContacted': 'Not yet reached the central',
  'elapsed.now': 'just now',
  'elapsed.seconds': '{n} s ago',
  'elapsed.minutes': '{n} min ago',
  'elapsed.hours': '{n} h ago',
  'elapsed.days': '{n} d ago',
};
