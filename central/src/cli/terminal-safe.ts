/**
 * C0 and C1 control characters, DEL, and the Unicode line/paragraph separators and bidi controls: text
 * with these can move the cursor, recolour or clear an operator's terminal (ESC sequences), forge
 * log lines (CR, LF) or display reversed (bidi overrides).
 */
// eslint-disable-next-line no-control-regex
export const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS_ALL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * Device-supplied text (hostname, app version, alert details…) made safe to print in a terminal:
 * each control character becomes a visible escape (`\x1b`, `\u202e`), everything else is kept.
 * The central refuses such characters at enrolment; this also covers records made before that.
 */
export function terminalSafe(text: string): string {
  return text.replace(CONTROL_CHARACTERS_ALL, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
