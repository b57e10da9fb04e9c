/**
 * The evaluation day: rosters, seats, faces and gate journals are per day, and a device's day is a
 * date in China Standard Time whatever time zone its PC is set to.
 *
 * The day turns at 04:00, not at midnight. Large projects are sometimes evaluated into the night
 * (连夜评标); until 04:00 a booth keeps serving the day's seat, template, files and score sheet (a booth
 * restarted at 00:30 must not purge them and lock the expert out of finishing), and a gate keeps the
 * day's entries for anti-passback and the room counts. Nothing is scheduled between midnight and 04:00.
 */
export const EVALUATION_TIME_ZONE = 'Asia/Shanghai';
/** Hour (China Standard Time) at which one evaluation day ends and the next begins. */
export const DAY_TURN_HOUR = 4;

const isoDay = new Intl.DateTimeFormat('en-CA', { timeZone: EVALUATION_TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' });

/** The evaluation day (YYYY-MM-DD) the instant `ms` belongs to. */
export function evaluationDay(ms: number): string {
  return isoDay.format(new Date(ms - DAY_TURN_HOUR * 3_600_000));
}

