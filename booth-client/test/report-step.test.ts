/**
 * Where a member stands with the report (report-step.ts), pure: every stage, the PDF here or not, an
 * answer recorded here that the central has or has not heard of yet.
 */
import { describe, expect, it } from 'vitest';
import type { ReportBoothPayload } from '@kawei/shared/report/report-view.ts';
import { answerStands, reportStep, wantedPdf, type LocalAnswer, type ReportStepInput } from '../src/services/report/report-step.ts';

const h = (c: string) => c.repeat(64);
const DRAFT = { sha256: h('a'), bytes: 1000 };
const FINAL = { sha256: h('b'), bytes: 1100 };
const HEAD2 = { sha256: h('c'), bytes: 40_000 };

function message(over: Partial<ReportBoothPayload> = {}, members: Partial<Record<string, { dissent?: string; signature?: string }>> = {}): ReportBoothPayload {
  const codes = ['HK-37', 'QX-12', 'MB-05'];
  return {
    date: '2026-05-01',
    project: 'JS-2026-0418',
    codename: 'HK-37',
    version: 10,
    stage: 'dissent',
    draft: DRAFT,
    final: null,
    head: null,
    members: codes.map((codename, i) => ({
      codename,
      judge: `评委${i + 1}`,
      chair: i === 0,
      dissent: (members[codename]?.dissent ?? 'pending') as 'pending',
      signature: (members[codename]?.signature ?? 'pending') as 'pending',
    })),
    turn: null,
    fieldName: 'kawei-judge-1',
    ...over,
  };
}

const input = (over: Partial<ReportStepInput> = {}): ReportStepInput => ({
  message: message(),
  codename: 'HK-37',
  pdfHere: true,
  dissent: null,
  signature: null,
  ...over,
});
const answer = (target: string, outdated = false): LocalAnswer => ({ targetSha256: target, outdated });

describe('reportStep', () => {
  it('none without a message, or with a message for another member (a replaced one)', () => {
    expect(reportStep(input({ message: null }))).toBe('none');
    expect(reportStep(input({ codename: 'ZZ-99' }))).toBe('none');
  });

  it('dissent: fetching until the draft is here, then dissent; answered here or there → wait_dissent', () => {
    expect(reportStep(input({ pdfHere: false }))).toBe('fetching');
    expect(reportStep(input())).toBe('dissent');
    expect(reportStep(input({ message: message({}, { 'HK-37': { dissent: 'none' } }) }))).toBe('wait_dissent');
    expect(reportStep(input({ message: message({}, { 'HK-37': { dissent: 'dissent' } }) }))).toBe('wait_dissent');
    // Another member's answer changes nothing for this one.
    expect(reportStep(input({ message: message({}, { 'QX-12': { dissent: 'dissent' } }) }))).toBe('dissent');
    // Answered here: waits, whatever the central sends before it has the answer.
    expect(reportStep(input({ dissent: answer(DRAFT.sha256), message: message({ version: 12 }) }))).toBe('wait_dissent');
    // A message received after the central acknowledged it still says "pending": it was not taken; answer again.
    expect(reportStep(input({ dissent: answer(DRAFT.sha256, true), message: message({ version: 13 }) }))).toBe('dissent');
    // An answer to another draft does not count.
    expect(reportStep(input({ dissent: answer(h('f')) }))).toBe('dissent');
  });

  it('signing: wait_turn for another member, fetching/sign on this one, done once signed or refused', () => {
    const signing = (over: Partial<ReportBoothPayload> = {}, members = {}) =>
      message({ stage: 'signing', final: FINAL, head: FINAL, turn: 'QX-12', version: 20, ...over }, members);
    expect(reportStep(input({ message: signing() }))).toBe('wait_turn');
    expect(reportStep(input({ message: signing({ turn: 'HK-37' }), pdfHere: false }))).toBe('fetching');
    expect(reportStep(input({ message: signing({ turn: 'HK-37' }) }))).toBe('sign');
    expect(reportStep(input({ message: signing({ turn: 'HK-37' }), signature: answer(FINAL.sha256) }))).toBe('done');
    expect(reportStep(input({ message: signing({ turn: 'HK-37', version: 21 }), signature: answer(FINAL.sha256, true) }))).toBe('sign');
    // Accepted: the head moved on and the member is "signed".
    expect(reportStep(input({ message: signing({ head: HEAD2, turn: 'MB-05' }, { 'HK-37': { signature: 'signed' } }), signature: answer(FINAL.sha256, true) }))).toBe('done');
    expect(reportStep(input({ message: signing({}, { 'HK-37': { signature: 'refused' } }) }))).toBe('done');
  });

  it('supervisor → done, signed → signed', () => {
    expect(reportStep(input({ message: message({ stage: 'supervisor', final: FINAL, head: HEAD2 }) }))).toBe('done');
    expect(reportStep(input({ message: message({ stage: 'signed', final: FINAL, head: HEAD2 }) }))).toBe('signed');
  });

  it('wantedPdf: the draft in the dissent window, the head after', () => {
    expect(wantedPdf(message())).toEqual({ kind: 'draft', ...DRAFT });
    expect(wantedPdf(message({ stage: 'signing', final: FINAL, head: HEAD2 }))).toEqual({ kind: 'head', ...HEAD2 });
    expect(wantedPdf(message({ stage: 'signing', final: FINAL, head: null }))).toEqual({ kind: 'head', ...FINAL });
  });

  it('answerStands', () => {
    expect(answerStands(null, DRAFT.sha256)).toBe(false);
    expect(answerStands(answer(DRAFT.sha256), DRAFT.sha256)).toBe(true);
    expect(answerStands(answer(DRAFT.sha256, true), DRAFT.sha256)).toBe(false);
    expect(answerStands(answer(DRAFT.sha256), FINAL.sha256)).toBe(false);
  });
});
