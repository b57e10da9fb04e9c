import { describe, expect, it } from 'vitest';
import { REPORT_FILE_ID } from '@kawei/shared/contract/booth-report.ts';
import { translatorFor } from '@kawei/shared/i18n/messages.ts';
import {
  barState,
  dissentCheck,
  dissentExcerpt,
  DISSENT_DISPLAY_MAX,
  downloadPercent,
  memberRows,
  pageSizeFromImage,
  reportActions,
  reportActive,
  reportInstruction,
  reportStageShown,
  reportViewerFile,
  shortHash,
} from '../src/renderer/report/report-view.ts';
import { sendDissent, sendNoDissent, sendRefusal, sendSignature, shownSha256, type ReportCalls } from '../src/renderer/report/report-actions.ts';
import { DRAFT, finalReview, HEAD, reportFixtures } from './report-fixtures.ts';

const zh = translatorFor('zh-CN');
const en = translatorFor('en');
const FINAL = `${'0123456789abcdef'.repeat(3)}${'fedcba9876543210'}`;

const { payload, view, signing } = reportFixtures({
  members: [
    { codename: 'TS-40', judge: '评委3', chair: false, dissent: 'pending', signature: 'pending' },
    { codename: 'HK-37', judge: '评委1', chair: true, dissent: 'pending', signature: 'pending' },
    { codename: 'QM-12', judge: '评委2', chair: false, dissent: 'pending', signature: 'pending' },
  ],
  final: { sha256: FINAL, bytes: 130_000 },
  head: { sha256: HEAD, bytes: 170_000 },
});

const review = finalReview;

describe('the report stage', () => {
  it('shows once the results are final, and is the expert’s work once a report is here', () => {
    expect(reportStageShown(review({ step: 'results' }), null)).toBe(false);
    expect(reportStageShown(review({ step: 'final' }), null)).toBe(true);
    expect(reportActive(view({ step: 'none', stage: null, report: null, shown: null }))).toBe(false);
    expect(reportActive(view())).toBe(true);
    expect(reportStageShown(review({ step: 'results' }), view({ step: 'fetching', shown: null }))).toBe(true);
  });

  it('adds 评标报告 as the last, current stage of the stepper; its status follows the report step', () => {
    const before = barState(review({ step: 'results' }), null);
    expect(before.stages).not.toContain('report');
    const waiting = barState(review(), null);
    expect(waiting.stages.at(-1)).toBe('report');
    expect(waiting).toMatchObject({ current: waiting.stages.length - 1, status: 'wait' });
    expect(barState(review(), view()).status).toBe('process');
    expect(barState(review(), view({ step: 'wait_dissent' })).status).toBe('wait');
    expect(barState(review(), signing()).status).toBe('process');
    expect(barState(review(), view({ step: 'signed', stage: 'signed' })).status).toBe('finish');
  });
});

describe('what to do now, in one sentence', () => {
  it('says each step plainly (zh-CN first)', () => {
    expect(reportInstruction(view(), zh)).toContain('无保留意见');
    expect(reportInstruction(view({ step: 'fetching', shown: null }), zh)).toBe('正在下载评标报告，请稍候');
    expect(reportInstruction(signing(), zh)).toContain('轮到您签名');
    expect(reportInstruction(view({ step: 'signed', stage: 'signed' }), zh)).toBe('评标报告的签名已全部完成');
    expect(reportInstruction(signing(), en)).toContain('your turn to sign');
  });

  it('names the members still reading the draft, by 评委n and code name, never this expert', () => {
    const v = view({ step: 'wait_dissent', report: payload({ members: payload().members.map((m) => (m.codename === 'TS-40' ? { ...m, dissent: 'none' } : m)) }) });
    const text = reportInstruction(v, zh);
    expect(text).toContain('评委2 QM-12');
    expect(text).not.toContain('TS-40');
    expect(text).not.toContain('HK-37');
    const all = view({ step: 'wait_dissent', report: payload({ members: payload().members.map((m) => ({ ...m, dissent: 'none' as const })) }) });
    expect(reportInstruction(all, zh)).toBe('您已提交。正在等待中心生成最终评标报告');
  });

  it('names whose turn it is to sign', () => {
    const v = signing({ step: 'wait_turn', turn: 'QM-12' }, { turn: 'QM-12' });
    expect(reportInstruction(v, zh)).toBe('最终评标报告已生成。请等待 评委2（QM-12）签名');
  });

  it('after this member: signed, refused, or waiting for the supervisor', () => {
    expect(reportInstruction(signing({ step: 'done', mySignature: { signedAt: 1, refused: null } }), zh)).toBe('您已签名。正在等待其他评委签名');
    expect(reportInstruction(signing({ step: 'done', mySignature: { signedAt: null, refused: '不同意评分' } }), zh)).toContain('您已拒绝签名');
    expect(reportInstruction(signing({ step: 'done', stage: 'supervisor' }, { stage: 'supervisor', turn: null }), zh)).toContain('监标人');
  });
});

describe('the committee', () => {
  it('lists the members in seat order with this expert, the chair and whose turn it is marked', () => {
    const rows = memberRows(signing({}, { members: [...payload().members, { codename: 'ZZ-01', judge: '评委10', chair: false, dissent: 'dissent', signature: 'refused' }] }));
    expect(rows.map((r) => r.judge)).toEqual(['评委1', '评委2', '评委3', '评委10']);
    expect(rows[0]).toMatchObject({ codename: 'HK-37', me: true, chair: true, signature: 'turn' });
    expect(rows[1]).toMatchObject({ me: false, signature: 'pending' });
    expect(rows[3]).toMatchObject({ dissent: 'dissent', signature: 'refused' });
  });

  it('marks no turn outside the signing stage', () => {
    expect(memberRows(view({ turn: 'HK-37' })).some((r) => r.signature === 'turn')).toBe(false);
  });
});

describe('actions', () => {
  it('dissent step: the dissent form with the draft on screen', () => {
    expect(reportActions(view())).toEqual({ dissent: true, sign: false, refuse: false, signWaiting: false });
    expect(reportActions(view({ shown: null })).dissent).toBe(false);
  });

  it('sign step: sign and refuse only with the current head on screen', () => {
    expect(reportActions(signing())).toEqual({ dissent: false, sign: true, refuse: true, signWaiting: false });
    const stale = signing({ shown: { sha256: FINAL, bytes: 130_000, pages: 13, kind: 'head' } });
    expect(reportActions(stale)).toEqual({ dissent: false, sign: false, refuse: false, signWaiting: true });
    const draft = signing({ shown: { sha256: HEAD, bytes: 170_000, pages: 13, kind: 'draft' } });
    expect(reportActions(draft).sign).toBe(false);
    expect(reportActions(signing({ step: 'wait_turn' }))).toEqual({ dissent: false, sign: false, refuse: false, signWaiting: false });
  });

  it('counts the dissent as the contract does (trimmed) and refuses one too long', () => {
    expect(dissentCheck('  有意见  ', 4000)).toEqual({ length: 3, max: 4000, empty: false, tooLong: false });
    expect(dissentCheck('   ', 4000).empty).toBe(true);
    expect(dissentCheck('字'.repeat(4001), 4000).tooLong).toBe(true);
    expect(dissentExcerpt('字'.repeat(DISSENT_DISPLAY_MAX + 5))).toHaveLength(DISSENT_DISPLAY_MAX + 1);
  });
});

describe('the hash and the viewer', () => {
  it('shows the first 8 and last 8 hex digits', () => {
    expect(shortHash(HEAD)).toBe('1a2b3c4d…99887766');
    expect(shortHash('abc')).toBe('abc');
  });

  it('shows download progress in whole percent', () => {
    expect(downloadPercent(null)).toBeNull();
    expect(downloadPercent({ received: 0, total: 0 })).toBeNull();
    expect(downloadPercent({ received: 999, total: 1000 })).toBe(99);
    expect(downloadPercent({ received: 2000, total: 1000 })).toBe(100);
  });

  it('gives the viewer the report file (REPORT_FILE_ID) with its pages, A4 until page 1 tells its size', () => {
    expect(reportViewerFile(view({ shown: null }))).toBeNull();
    expect(reportViewerFile(view())).toEqual({ fileId: REPORT_FILE_ID, pageCount: 12, pageWidth: 595.28, pageHeight: 841.89 });
    const landscape = pageSizeFromImage({ width: 168, height: 119 }, 0.2);
    expect(landscape?.width).toBeCloseTo(840);
    expect(landscape?.height).toBeCloseTo(595);
    expect(pageSizeFromImage({ width: 0, height: 10 }, 0.2)).toBeNull();
  });
});

describe('the calls', () => {
  function fakeApi() {
    const sent: { call: string; input: unknown }[] = [];
    const answer = async (call: string, input: unknown) => {
      sent.push({ call, input });
      return view();
    };
    const api: ReportCalls = {
      submitDissent: (input) => answer('submitDissent', input),
      signReport: (input) => answer('signReport', input),
      refuseToSign: (input) => answer('refuseToSign', input),
    };
    return { api, sent };
  }

  it('signs with the sha256 that was on screen (and shown in the PIN dialog)', async () => {
    const { api, sent } = fakeApi();
    const v = signing();
    const sha256 = shownSha256(v);
    expect(sha256).toBe(HEAD);
    await sendSignature(api, sha256!, '123456');
    expect(sent).toEqual([{ call: 'signReport', input: { pin: '123456', sha256: HEAD } }]);
  });

  it('sends no dissent without a PIN, a dissent trimmed with its PIN, a refusal with its reason, each with the hash read', async () => {
    const { api, sent } = fakeApi();
    await sendNoDissent(api, DRAFT);
    await sendDissent(api, DRAFT, '  第3项评分依据不足  ', '654321');
    await sendRefusal(api, HEAD, ' 不同意推荐顺序 ');
    expect(sent).toEqual([
      { call: 'submitDissent', input: { text: null, sha256: DRAFT } },
      { call: 'submitDissent', input: { text: '第3项评分依据不足', pin: '654321', sha256: DRAFT } },
      { call: 'refuseToSign', input: { reason: '不同意推荐顺序', sha256: HEAD } },
    ]);
  });
});
