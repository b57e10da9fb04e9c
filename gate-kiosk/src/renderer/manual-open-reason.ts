import { translate, type MessageKey } from '@kawei/shared/i18n/messages.ts';

/** The preset reasons, in the order of their buttons (manual-open-reason-0…3). The last needs a note. */
export const MANUAL_OPEN_REASONS = [
  'gate.manual.reason.deviceFault',
  'gate.manual.reason.escort',
  'gate.manual.reason.evacuation',
  'gate.manual.reason.other',
] as const satisfies readonly MessageKey[];
/** Index of 其他原因, which needs a note. */
export const MANUAL_OPEN_OTHER = MANUAL_OPEN_REASONS.length - 1;
const MIN_REASON = 4;
/** The contract takes 200 characters; the longest preset and its separator fit beside this. */
export const MANUAL_OPEN_NOTE_MAX = 150;

/**
 * What is logged: the preset in Chinese (the log is read in Chinese whatever the screen shows), then
 * the note. "其他原因" is replaced by the note itself. Null when it is not enough of a reason.
 */
export function manualOpenReason(preset: number | null, note: string): string | null {
  const key = preset === null ? undefined : MANUAL_OPEN_REASONS[preset];
  if (!key) return null;
  const text = note.trim();
  if (preset === MANUAL_OPEN_OTHER) return text.length >= MIN_REASON ? text : null;
  const label = translate('zh-CN', key);
  return text ? `${label}：${text}` : label;
}
