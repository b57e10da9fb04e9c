import { createElement, type ReactElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { reviewViewSchema, type ReviewView } from '@kawei/shared/contract/booth-review.ts';
import type { BoothSession } from '@kawei/shared/contract/booth-session.ts';
import type { CommitteeBoothPayload } from '@kawei/shared/committee/committee-events.ts';
import { I18nProvider } from '@kawei/shared/ui/i18n.dom.tsx';
import { CommitteeCard } from '../src/renderer/CommitteeCard.dom.tsx';
import { PreliminaryPanel } from '../src/renderer/PreliminaryPanel.dom.tsx';
import { ResultsView } from '../src/renderer/ResultsView.dom.tsx';
import { ReviewBar } from '../src/renderer/ReviewBar.dom.tsx';

/*
 * The review screens rendered to HTML under Node (react-dom/server, no browser): the first render of
 * each screen for a given view carries the texts and the data-testids the Playwright specs rely on.
 * Interaction (autosave, dialogs, focus) is left to the browser tests.
 */

const SHA = 'b'.repeat(64);
const api = {} as never;
const noop = (): void => undefined;

function html(element: ReactElement): string {
  return renderToStaticMarkup(createElement(I18nProvider, null, element));
}

function committee(over: Partial<CommitteeBoothPayload> = {}): CommitteeBoothPayload {
  return {
    date: '2026-12-07',
    project: 'P1',
    codename: 'HK-37',
    version: 1,
    rulesSha256: SHA,
    stage: 'preliminary',
    members: [
      { codename: 'HK-37', judge: '评委1', done: true, chair: false },
      { codename: 'QM-12', judge: '评委2', done: false, chair: false },
    ],
    chair: null,
    chairVotes: 0,
    rejected: [],
    passed: ['A'],
    revision: 1,
    recheck: null,
    flags: [],
    results: null,
    ...over,
  };
}

function view(over: Partial<ReviewView> = {}): ReviewView {
  return reviewViewSchema.parse({
    method: 'comprehensive',
    rules: {
      preliminary: [
        { id: 'q1', name: '营业执照', kind: 'qualification', description: '有效的营业执照' },
        { id: 'c1', name: '投标保证金', kind: 'conformity' },
      ],
      groups: [],
      items: [],
      price: null,
      settings: {},
    },
    bids: [
      { code: 'A', price: 100000 },
      { code: 'B', price: 90000 },
    ],
    step: 'preliminary',
    preliminary: { status: 'draft', verdicts: { A: { c1: { pass: false, reason: '未交' } } }, problems: [], savedAt: null, submittedAt: null },
    committee: null,
    chairVote: null,
    isChair: false,
    waitingFor: [],
    offline: false,
    ...over,
  });
}

const session = { phase: 'working', token: { present: true, label: null } } as BoothSession;

describe('review bar', () => {
  it('marks the current stage and says whom it waits for; the offline badge when the central is away', () => {
    const out = html(createElement(ReviewBar, { review: view({ step: 'wait_preliminary', waitingFor: ['QM-12'], committee: committee(), offline: true }) }));
    expect(out).toContain('data-testid="review-step"');
    expect(out).toMatch(/data-testid="review-stage-preliminary" data-state="waiting"/);
    expect(out).toMatch(/data-testid="review-stage-detailed" data-state="todo"/);
    expect(out).toContain('data-testid="review-waiting"');
    expect(out).toContain('QM-12');
    expect(out).toContain('中心暂时无法连接，可继续评审；需全体成员的步骤待恢复后继续');
    expect(html(createElement(ReviewBar, { review: view() }))).not.toContain('review-offline');
  });
});

describe('preliminary panel', () => {
  it('shows every item with its description, pass and fail buttons, and the reason box of a fail', () => {
    const out = html(createElement(PreliminaryPanel, { api, session, review: view(), setReview: noop, currentBidder: null }));
    for (const id of ['prelim-bid-A', 'prelim-bid-B', 'prelim-pass-A-q1', 'prelim-fail-A-q1', 'prelim-pass-A-c1', 'prelim-fail-A-c1', 'prelim-reason-A-c1', 'prelim-submit', 'prelim-desc-q1']) {
      expect(out, id).toContain(`data-testid="${id}"`);
    }
    expect(out).not.toContain('data-testid="prelim-reason-A-q1"');
    expect(out).toContain('资格性审查');
    expect(out).toContain('符合性审查');
  });

  it('is frozen once signed', () => {
    const signed = view({ step: 'wait_preliminary' });
    const out = html(createElement(PreliminaryPanel, { api, session, review: signed, setReview: noop, currentBidder: null }));
    expect(out).toContain('data-testid="prelim-submitted"');
    expect(out).not.toContain('data-testid="prelim-submit"');
  });
});

describe('committee card', () => {
  it('offers the members as chair candidates by code name', () => {
    const out = html(createElement(CommitteeCard, { api, review: view({ committee: committee() }), setReview: noop, codename: 'HK-37' }));
    expect(out).toContain('data-testid="chair-vote-HK-37"');
    expect(out).toContain('data-testid="chair-vote-QM-12"');
  });

  it("gives the chair the step the stage allows, and the flags in Chinese", () => {
    const flags = [{ kind: 'objective_mismatch', bid: 'A', item: 'x1', judge: '评委2', detail: '' }];
    const out = html(createElement(CommitteeCard, { api, review: view({ isChair: true, committee: committee({ chair: 'HK-37', stage: 'blocked', flags }) }), setReview: noop, codename: 'HK-37' }));
    expect(out).toContain('data-testid="chair-named"');
    expect(out).toMatch(/data-testid="chair-recheck"[^>]*>/);
    expect(out).not.toMatch(/data-testid="chair-recheck"[^>]*disabled/);
    expect(out).toMatch(/data-testid="chair-confirm"[^>]*disabled/);
    expect(out).toContain('客观分不一致');
    expect(out).toContain('data-testid="flag-recheck-0"');
  });

  it('is absent before the central has spoken', () => {
    expect(html(createElement(CommitteeCard, { api, review: view(), setReview: noop, codename: 'HK-37' }))).not.toContain('committee-card');
  });
});

describe('results', () => {
  it('shows the table with the judges as 评委1…n, the recommended bids, provisional until final', () => {
    const results = {
      judges: ['评委1', '评委2'],
      resultsSha256: SHA,
      rows: [
        { bid: 'B', totals: [80, 82], expertScore: 81, priceScore: 30, score: 111, price: 90000, evaluatedPrice: 90000, rank: 1, tied: false, recommended: true },
        { bid: 'A', totals: [70, 72], expertScore: 71, priceScore: 27, score: 98, price: 100000, evaluatedPrice: 100000, rank: 2, tied: false, recommended: false },
      ],
    };
    const provisional = html(createElement(ResultsView, { review: view({ step: 'results', committee: committee({ stage: 'results', results }) }) }));
    expect(provisional).toContain('data-testid="results-table"');
    expect(provisional).toContain('暂定结果');
    expect(provisional).toContain('评委2');
    expect(provisional).toContain('data-testid="results-recommended-B"');
    expect(provisional).not.toContain('data-testid="results-recommended-A"');
    expect(provisional.indexOf('results-row-B')).toBeLessThan(provisional.indexOf('results-row-A'));
    const final = html(createElement(ResultsView, { review: view({ step: 'final', committee: committee({ stage: 'final', results }) }) }));
    expect(final).toContain('data-final="true"');
    expect(final).toContain('最终结果');
  });
});
