/** Rosters are per day in China Standard Time, whatever time zone the booth PC is set to. */
export const BOOTH_TIME_ZONE = 'Asia/Shanghai';

const isoDay = new Intl.DateTimeFormat('en-CA', { timeZone: BOOTH_TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' });

/** The date (YYYY-MM-DD) of the instant `ms` in Beijing. */
export function boothDay(ms: number): string {
  return isoDay.format(new Date(ms));
}

/** 2026年11月22日, for the commitment letter. */
export function chineseDate(isoDate: string): string {
  const [y, m, d] = isoDate.split('-').map(Number) as [number, number, number];
  return `${y}年${m}月${d}日`;
}
