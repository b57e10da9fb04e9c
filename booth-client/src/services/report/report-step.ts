/**
 * Where this member stands with the evaluation report, pure: from the central's newest `report.booth`
 * message and the booth's own state (which PDF is here, what this booth has answered). The steps are
 * the contract's (shared/src/contract/booth-report.ts REPORT_STEPS):
 *
 *   none ──draft──▶ dissent ──answered──▶ wait_dissent ──final──▶ wait_turn ──turn──▶ sign ──signed/refused──▶ done ──all in──▶ signed
 *                   (fetching while the PDF to read is not here yet)
 *
 * An answer this booth recorded counts until the central has spoken after receiving it: until a
 * message comes that was received after the central acknowledged the event, the booth waits
 * ("waiting" steps), even though the central's last message may still say "pending" (it was sent
 * before the event arrived). Once a message received after the acknowledgement still says "pending",
 * the central did not take the answer (it refused it: stale head, bad signature…) and the member
 * may answer again.
 */
import type { ReportStep } from '@kawei/shared/contract/booth-report.ts';
import type { ReportBoothPayload, ReportMember } from '@kawei/shared/report/report-view.ts';

/** An answer this booth recorded (report_answer), as the step sees it. */
export interface LocalAnswer {
  /** The draft (dissent) or the head (signature, refusal) it answered. */
  targetSha256: string;
  /** A message received after the central acknowledged the event has come (report_answer.outdated_by). */
  outdated: boolean;
}

export interface ReportStepInput {
  /** The central's newest message for this member, or null. */
  message: ReportBoothPayload | null;
  /** This booth's member today (the seat's code name). */
  codename: string;
  /** The PDF this step must show is here, checked against its hash. */
  pdfHere: boolean;
  /** The newest dissent answer this booth recorded, if any. */
  dissent: LocalAnswer | null;
  /** The newest signature or refusal this booth recorded, if any. */
  signature: LocalAnswer | null;
}

/** Which PDF a stage shows: the draft while dissents are taken, then the head (the final PDF with the signatures so far). */
export function wantedPdf(message: ReportBoothPayload): { kind: 'draft' | 'head'; sha256: string; bytes: number } {
  if (message.stage === 'dissent') return { kind: 'draft', ...message.draft };
  const head = message.head ?? message.final;
  return head === null ? { kind: 'draft', ...message.draft } : { kind: 'head', ...head };
}

/** The answer still stands for `target` (see the module comment). */
export function answerStands(answer: LocalAnswer | null, target: string): boolean {
  return answer !== null && answer.targetSha256 === target && !answer.outdated;
}

export function memberOf(message: ReportBoothPayload, codename: string): ReportMember | null {
  return message.members.find((m) => m.codename === codename) ?? null;
}

export function reportStep(input: ReportStepInput): ReportStep {
  const m = input.message;
  // A message for another member (a replaced one) is not this member's report.
  if (m === null || m.codename !== input.codename) return 'none';
  const me = memberOf(m, input.codename);
  switch (m.stage) {
    case 'dissent': {
      const answered = (me !== null && me.dissent !== 'pending') || answerStands(input.dissent, m.draft.sha256);
      if (answered || me === null) return 'wait_dissent';
      return input.pdfHere ? 'dissent' : 'fetching';
    }
    case 'signing': {
      const head = m.head ?? m.final;
      const answered = (me !== null && me.signature !== 'pending') || (head !== null && answerStands(input.signature, head.sha256));
      if (answered) return 'done';
      if (me === null || m.turn !== input.codename || head === null) return 'wait_turn';
      return input.pdfHere ? 'sign' : 'fetching';
    }
    case 'supervisor':
      return 'done';
    case 'signed':
      return 'signed';
  }
}
