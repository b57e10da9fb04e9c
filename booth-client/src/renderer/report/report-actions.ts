import type { BoothContract } from '@kawei/shared/contract/booth.contract.ts';
import type { ApiClient } from '@kawei/shared/contract/contract.ts';
import type { ReportView } from '@kawei/shared/contract/booth-report.ts';

/*
 * The report's calls as the screen makes them, apart from React so a test can hold a fake API and
 * see exactly what is sent. Every call names the PDF the expert read by the hash that was on screen
 * when they pressed the button (captured then, shown in the PIN dialog): the services compare it with
 * the current draft or head and with the bytes they hold, and answer REPORT_CHANGED otherwise.
 */

export type ReportCalls = Pick<ApiClient<BoothContract>, 'submitDissent' | 'signReport' | 'refuseToSign'>;

/** 无保留意见: no PIN (the booth's own key seals the event). */
export function sendNoDissent(api: ReportCalls, sha256: string): Promise<ReportView> {
  return api.submitDissent({ text: null, sha256 });
}

/** A dissent, signed with the USB key. */
export function sendDissent(api: ReportCalls, sha256: string, text: string, pin: string): Promise<ReportView> {
  return api.submitDissent({ text: text.trim(), pin, sha256 });
}

/** The signature over exactly the PDF whose hash the PIN dialog showed. */
export function sendSignature(api: ReportCalls, sha256: string, pin: string): Promise<ReportView> {
  return api.signReport({ pin, sha256 });
}

export function sendRefusal(api: ReportCalls, sha256: string, reason: string): Promise<ReportView> {
  return api.refuseToSign({ reason: reason.trim(), sha256 });
}

/** What a button binds when pressed: the hash on screen now, or null when nothing is shown. */
export function shownSha256(view: Pick<ReportView, 'shown'>): string | null {
  return view.shown?.sha256 ?? null;
}
