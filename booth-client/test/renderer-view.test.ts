import { describe, expect, it } from 'vitest';
import type { BoothSession } from '@kawei/shared/contract/booth-session.ts';
import { LOCK_REASONS } from '@kawei/shared/contract/booth-session.ts';
import { translatorFor } from '@kawei/shared/i18n/messages.ts';
import {
  FAST_FRAME_MS,
  INITIAL_FACE_STATE,
  SLOW_FRAME_MS,
  applyFrame,
  bidderTotal,
  cameraStage,
  currentNotice,
  currentPage,
  frameIntervalMs,
  guidanceText,
  lockTexts,
  nextZoom,
  noticeHoldMs,
  noticeText,
  parseScore,
  problemsByCell,
  cellKey,
  renderScale,
  stepScore,
  visibleRange,
} from '../src/renderer/booth-view.ts';

const zh = translatorFor('zh-CN');
type Cadence = Pick<BoothSession, 'phase' | 'lockReason' | 'recheckDue'> & { token?: { present: boolean } };
const s = (over: Partial<Cadence>): Cadence => ({ phase: 'working', lockReason: null, recheckDue: false, ...over });

describe('camera cadence', () => {
  it('is fast for login and re-checks, slow for presence, off when the key was pulled', () => {
    expect(frameIntervalMs(s({ phase: 'idle' }))).toBe(FAST_FRAME_MS);
    expect(frameIntervalMs(s({ phase: 'login' }))).toBe(FAST_FRAME_MS);
    expect(frameIntervalMs(s({ phase: 'working' }))).toBe(SLOW_FRAME_MS);
    expect(frameIntervalMs(s({ phase: 'commitment' }))).toBe(SLOW_FRAME_MS);
    expect(frameIntervalMs(s({ phase: 'submitted' }))).toBe(SLOW_FRAME_MS);
    expect(frameIntervalMs(s({ phase: 'working', recheckDue: true }))).toBe(FAST_FRAME_MS);
    expect(frameIntervalMs(s({ phase: 'locked', lockReason: 'expert_absent' }))).toBe(FAST_FRAME_MS);
    expect(frameIntervalMs(s({ phase: 'locked', lockReason: 'token_removed' }))).toBeNull();
    expect(frameIntervalMs(s({ phase: 'locked', lockReason: 'token_removed', token: { present: false } }))).toBeNull();
    // The key is back: the unlock needs the face now, so frames flow again.
    expect(frameIntervalMs(s({ phase: 'locked', lockReason: 'token_removed', token: { present: true } }))).toBe(FAST_FRAME_MS);
    expect(frameIntervalMs(null)).toBe(FAST_FRAME_MS);
  });

  it('puts the preview in the middle when a face is asked for', () => {
    expect(cameraStage(s({ phase: 'idle' }))).toBe('stage');
    expect(cameraStage(s({ phase: 'working' }))).toBe('corner');
    expect(cameraStage(s({ phase: 'working', recheckDue: true }))).toBe('stage');
    expect(cameraStage(s({ phase: 'locked', lockReason: 'token_removed' }))).toBe('hidden');
    expect(cameraStage(s({ phase: 'locked', lockReason: 'token_removed', token: { present: true } }))).toBe('stage');
    expect(cameraStage(s({ phase: 'locked', lockReason: 'different_person' }))).toBe('stage');
  });
});

describe('guidance and notices', () => {
  it('holds a notice for its time while guidance follows every frame', () => {
    let f = applyFrame(INITIAL_FACE_STATE, { guidance: null, notice: 'login_refused' }, 1000);
    f = applyFrame(f, { guidance: { quality: 'blurry', challenge: null, progress: 0 }, notice: null }, 1500);
    expect(f.guidance?.quality).toBe('blurry');
    expect(currentNotice(f, 1000 + noticeHoldMs('login_refused') - 1)).toBe('login_refused');
    expect(currentNotice(f, 1000 + noticeHoldMs('login_refused'))).toBeNull();
    expect(noticeHoldMs('staff_called')).toBeGreaterThan(noticeHoldMs('logged_in'));
  });

  it('says what to do in Chinese', () => {
    expect(guidanceText(null, zh)).toBe('请正视摄像头登录');
    expect(guidanceText({ quality: 'too_dark', challenge: null, progress: 0 }, zh)).toBe('光线太暗，请到光线充足处');
    expect(guidanceText({ quality: null, challenge: 'blink', progress: 0.5 }, zh)).toBe('请眨眨眼');
    expect(noticeText('login_refused', 2, zh)).toBe('未能通过人脸核验，还可再试 2 次');
    expect(noticeText('login_refused', 0, zh)).toContain('已通知工作人员');
  });

  it('has a title and an unlock hint for every lock reason', () => {
    for (const reason of LOCK_REASONS) {
      const { title, how } = lockTexts(reason);
      expect(zh(title)).not.toBe('');
      expect(zh(how)).not.toBe('');
    }
    expect(zh(lockTexts('token_removed').title)).toBe('已拔出 USB Key，屏幕已锁定');
    expect(zh(lockTexts('token_removed').how)).toContain('USB Key');
    expect(zh(lockTexts('token_removed', true).how)).toBe('USB Key 已插入，请正视摄像头，人脸核验通过后解锁');
  });
});

describe('scores', () => {
  it('steps by half points within 0…max', () => {
    expect(stepScore(null, 1, 10)).toBe(0.5);
    expect(stepScore(null, -1, 10)).toBe(0);
    expect(stepScore(9.5, 1, 10)).toBe(10);
    expect(stepScore(10, 1, 10)).toBe(10);
    expect(stepScore(0, -1, 10)).toBe(0);
    expect(stepScore(7.5, 1, 7.8)).toBe(7.5);
  });

  it('reads typed scores, full-width digits and commas included', () => {
    expect(parseScore('', 10)).toEqual({ ok: true, value: null });
    expect(parseScore('１２．５', 30)).toEqual({ ok: true, value: 12.5 });
    expect(parseScore('7,5', 10)).toEqual({ ok: true, value: 7.5 });
    expect(parseScore('11', 10)).toEqual({ ok: false, problem: 'out_of_range' });
    expect(parseScore('7.3', 10)).toEqual({ ok: false, problem: 'not_half' });
    expect(parseScore('abc', 10)).toEqual({ ok: false, problem: 'not_a_number' });
    expect(parseScore('-1', 10)).toEqual({ ok: false, problem: 'not_a_number' });
  });

  it('groups problems by cell and totals a bidder', () => {
    const sheet = {
      criteria: [
        { id: 'tech', name: '技术', max: 40 },
        { id: 'price', name: '价格', max: 30 },
      ],
      scores: { A: { tech: 35, price: null }, B: { tech: 20, price: 25.5 } },
      problems: [
        { bidder: 'A', criterion: 'price', problem: 'missing' as const },
        { bidder: 'A', criterion: 'tech', problem: 'note_required' as const },
      ],
    };
    expect(problemsByCell(sheet).get(cellKey('A', 'tech'))).toEqual(['note_required']);
    expect(bidderTotal(sheet, 'A')).toEqual({ total: 35, complete: false });
    expect(bidderTotal(sheet, 'B')).toEqual({ total: 45.5, complete: true });
  });
});

describe('viewer geometry', () => {
  it('mounts only the visible pages and a margin, even in a 1,000-page file', () => {
    expect(visibleRange(0, 800, 1000, 1000, 2)).toEqual({ first: 1, last: 3 });
    const middle = visibleRange(500_000, 800, 1000, 1000, 2);
    expect(middle).toEqual({ first: 499, last: 503 });
    expect(middle.last - middle.first).toBeLessThan(10);
    expect(visibleRange(999_500, 800, 1000, 1000, 2)).toEqual({ first: 998, last: 1000 });
    expect(visibleRange(0, 800, 1000, 0, 2)).toEqual({ first: 1, last: 0 });
    expect(currentPage(0, 800, 1000, 10)).toBe(1);
    expect(currentPage(2500, 900, 1000, 10)).toBe(3);
  });

  it('zooms in steps between 50 % and 300 %', () => {
    expect(nextZoom(1, 1)).toBe(1.25);
    expect(nextZoom(1, -1)).toBe(0.75);
    expect(nextZoom(3, 1)).toBe(3);
    expect(nextZoom(0.5, -1)).toBe(0.5);
  });

  it('asks for enough pixels, rounded to a quarter, within the contract', () => {
    expect(renderScale(595, 595, 1)).toBe(1);
    expect(renderScale(600, 595, 2)).toBe(2.25);
    expect(renderScale(5000, 595, 2)).toBe(4);
    expect(renderScale(10, 595, 1)).toBe(0.25);
  });
});
