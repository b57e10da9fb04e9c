import { createElement, type ReactElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { ReportView } from '@kawei/shared/contract/booth-report.ts';
import type { BoothSession } from '@kawei/shared/contract/booth-session.ts';
import { I18nProvider } from '@kawei/shared/ui/i18n.dom.tsx';
import { ReportPanel } from '../src/renderer/report/ReportPanel.dom.tsx';
import { PinDialog } from '../src/renderer/PinDialog.dom.tsx';
import { PinHash } from '../src/renderer/report/PinHash.dom.tsx';
import { ReportViewer } from '../src/renderer/report/ReportViewer.dom.tsx';
import { ReviewBar } from '../src/renderer/ReviewBar.dom.tsx';
import { DRAFT, finalReview, HEAD, reportFixtures } from './report-fixtures.ts';

/*
 * The report screens rendered to HTML under Node (react-dom/server, no browser): for each step, the
 * first render carries the instruction, the actions open in that step (and only those) and the
 * data-testids tests/e2e/report-sign.spec.ts relies on. What the buttons send is tested on the calls
 * themselves (renderer-report.test.ts); pressing them, in the browser spec.
 */

const api = {} as never;
const noop = (): void => undefined;
const session = { phase: 'submitted', token: { present: true, label: null } } as BoothSession;

function html(element: ReactElement): string {
  return renderToStaticMarkup(createElement(I18nProvider, null, element));
}

const { view, signing } = reportFixtures({
  members: [
    { codename: 'HK-37', judge: '评委1', chair: true, dissent: 'pending', signature: 'pending' },
    { codename: 'QM-12', judge: '评委2', chair: false, dissent: 'dissent', signature: 'pending' },
  ],
  final: { sha256: HEAD, bytes: 130_000 },
  head: { sha256: HEAD, bytes: 130_000 },
});

const panel = (v: ReportView) => html(createElement(ReportPanel, { api, session, report: v, setReport: noop }));
const enabled = (out: string, id: string) => new RegExp(`<button[^>]*data-testid="${id}"`).test(out) && !new RegExp(`<button[^>]*data-testid="${id}"[^>]*disabled`).test(out);

describe('report panel', () => {
  it('dissent step: the instruction, 无保留意见, the dissent box with its counter, its submit; no signing', () => {
    const out = panel(view());
    expect(out).toContain('data-testid="report-instruction" data-step="dissent"');
    expect(out).toContain('请阅读左边的评标报告草稿');
    expect(enabled(out, 'report-no-dissent')).toBe(true);
    expect(out).toContain('data-testid="report-dissent-text"');
    expect(out).toContain('0 / 4000 字');
    // Nothing typed yet: the dissent cannot be sent empty.
    expect(out).toMatch(/<button[^>]*data-testid="report-dissent-submit"[^>]*disabled/);
    expect(out).not.toContain('data-testid="report-sign"');
    expect(out).not.toContain('data-testid="report-refuse"');
  });

  it('lists the members as 评委n and code name with their dissent and signature', () => {
    const out = panel(view());
    expect(out).toMatch(/data-testid="report-member-HK-37" data-me="true" data-dissent="pending" data-signature="pending"/);
    expect(out).toMatch(/data-testid="report-member-QM-12" data-me="false" data-dissent="dissent"/);
    expect(out).toContain('评委2 QM-12');
    expect(out).toContain('有保留意见');
    expect(out).toContain('组长');
  });

  it('sign step: 签名 and 拒绝签名 open with the head on screen', () => {
    const out = panel(signing());
    expect(out).toContain('轮到您签名了');
    expect(enabled(out, 'report-sign')).toBe(true);
    expect(enabled(out, 'report-refuse')).toBe(true);
    expect(out).not.toContain('data-testid="report-dissent-form"');
    expect(out).toMatch(/data-testid="report-member-HK-37"[^>]*data-signature="turn"/);
    expect(out).toContain('正在签名');
  });

  it('sign step with a newer head still downloading: no signing, and says why', () => {
    const out = panel(signing({ shown: { sha256: DRAFT, bytes: 120_000, pages: 12, kind: 'head' }, download: { received: 40, total: 100 } }));
    expect(out).toMatch(/<button[^>]*data-testid="report-sign"[^>]*disabled/);
    expect(out).toContain('报告正在更新，请稍候再签名');
    expect(out).toContain('data-testid="report-progress" data-percent="40"');
    expect(out).toContain('已下载 40%');
  });

  it('waiting for another member: whose turn, no action', () => {
    const out = panel(signing({ step: 'wait_turn', turn: 'QM-12' }, { turn: 'QM-12' }));
    expect(out).toContain('请等待 评委2（QM-12）签名');
    expect(out).not.toContain('data-testid="report-sign"');
    expect(out).not.toContain('data-testid="report-no-dissent"');
  });

  it('after answering: the own dissent is shown; a problem and the offline note in Chinese', () => {
    const out = panel(
      view({
        step: 'wait_dissent',
        myDissent: { text: '第3项评分依据不足', signedAt: 1, none: false },
        problem: { code: 'REPORT_CHANGED', zh: '评标报告已更新，请重新阅读后再签名', en: 'The report has changed' },
        offline: true,
      }),
    );
    expect(out).toContain('data-testid="report-my-dissent" data-none="false"');
    expect(out).toContain('第3项评分依据不足');
    expect(out).toContain('data-code="REPORT_CHANGED"');
    expect(out).toContain('评标报告已更新，请重新阅读后再签名');
    expect(out).toContain('data-testid="report-offline"');
    expect(panel(view({ step: 'wait_dissent', myDissent: { text: '', signedAt: null, none: true } }))).toContain('您已确认：无保留意见');
  });
});

describe('PIN dialog for the report', () => {
  it('shows the short hash of exactly what is signed, and carries the full one', () => {
    const out = html(createElement(PinDialog, { title: '签名评标报告', token: session.token, about: createElement(PinHash, { sha256: HEAD }), onSign: async () => undefined, onCancel: noop }));
    expect(out).toContain('data-testid="pin-dialog"');
    expect(out).toContain(`data-sha256="${HEAD}"`);
    expect(out).toContain('1a2b3c4d…99887766');
    expect(out).toContain('所签报告的校验码');
    expect(out).toContain('data-testid="pinpad-1"');
  });
});

describe('report viewer', () => {
  it('before any PDF is here: the download’s progress', () => {
    const out = html(createElement(ReportViewer, { api, report: view({ step: 'fetching', shown: null, download: { received: 1, total: 4 } }) }));
    expect(out).toContain('data-testid="report-viewer-waiting"');
    expect(out).toContain('data-percent="25"');
  });

  it('the PDF on screen in the tender viewer under the report file id, thumbnails only', () => {
    const out = html(createElement(ReportViewer, { api, report: view() }));
    expect(out).toContain(`data-testid="report-viewer" data-sha256="${DRAFT}" data-kind="draft"`);
    expect(out).toContain('data-file-id="report"');
    expect(out).toContain('data-testid="viewer-panel-thumbnails"');
    expect(out).not.toContain('data-testid="viewer-panel-search"');
  });
});

describe('review bar with the report', () => {
  it('adds 评标报告 as the current stage once the results are final', () => {
    const review = finalReview();
    const waiting = html(createElement(ReviewBar, { review, report: null }));
    expect(waiting).toMatch(/data-testid="review-stage-report" data-state="waiting"/);
    expect(waiting).toMatch(/data-testid="review-stage-results" data-state="done"/);
    expect(waiting).toContain('中心正在生成评标报告');
    const acting = html(createElement(ReviewBar, { review, report: view() }));
    expect(acting).toMatch(/data-testid="review-stage-report" data-state="current"/);
    expect(acting).toContain('评标报告');
    expect(acting).not.toContain('data-testid="review-waiting"');
  });
});
