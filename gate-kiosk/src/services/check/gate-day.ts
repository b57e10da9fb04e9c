/** The gate's calendar: rosters are per day in China Standard Time, whatever the kiosk's TZ says. */
export const GATE_TIME_ZONE = 'Asia/Shanghai';

const dayFormat = new Intl.DateTimeFormat('en-CA', { timeZone: GATE_TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' });

/** YYYY-MM-DD of `ms` in China Standard Time. */
export function gateDay(ms: number): string {
  return dayFormat.format(new Date(ms));
}
