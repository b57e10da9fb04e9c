import { describe, expect, it } from 'vitest';
import type { CheckOutcome } from '@kawei/shared/contract/gate-check.ts';
import { REFUSAL_REASONS } from '@kawei/shared/contract/gate-check.ts';
import { translatorFor } from '@kawei/shared/i18n/messages.ts';
import {
  INITIAL_KIOSK_STATE,
  RESULT_HOLD_MS,
  RESULT_MIN_MS,
  applyOutcome,
  guidanceText,
  kioskView,
  refusalText,
  type Guidance,
} from '../src/renderer/kiosk-view.ts';
import { MANUAL_OPEN_OTHER, manualOpenReason } from '../src/renderer/manual-open-reason.ts';

const zh = translatorFor('zh-CN');
const seat = { roomId: 'room-3', roomNumber: 3, roomName: '3号评标室', label: 'A5' };
const pass: CheckOutcome = { kind: 'pass', checkId: 'c1', seat, announcement: '请到3号评标室 A5号卡位' };
const guidance = (over: Partial<Guidance> = {}): Guidance => ({
  kind: 'guidance',
  quality: null,
  challenge: null,
  progress: 0,
  cardRead: false,
  ...over,
});

describe('kiosk view', () => {
  it('holds a decision for the hold time, then returns to guidance', () => {
    const s = applyOutcome(INITIAL_KIOSK_STATE, pass, 1000);
    expect(kioskView(s, 1000 + RESULT_HOLD_MS - 1)).toEqual({ kind: 'decision', decision: pass });
    const idle = applyOutcome(s, guidance({ quality: 'no_face' }), 2000);
    expect(kioskView(idle, 1000 + RESULT_HOLD_MS - 1).kind).toBe('decision');
    expect(kioskView(idle, 1000 + RESULT_HOLD_MS).kind).toBe('guidance');
  });

  it('keeps the decision while the services say cooldown', () => {
    let s = applyOutcome(INITIAL_KIOSK_STATE, pass, 0);
    s = applyOutcome(s, { kind: 'cooldown', lastCheckId: 'c1' }, 100);
    expect(kioskView(s, 60_000).kind).toBe('decision');
  });

  it("lets the next person's instruction cut the card short, but not before the minimum", () => {
    let s = applyOutcome(INITIAL_KIOSK_STATE, pass, 0);
    s = applyOutcome(s, guidance({ challenge: 'blink', progress: 0.25 }), 500);
    expect(kioskView(s, RESULT_MIN_MS - 1).kind).toBe('decision');
    expect(kioskView(s, RESULT_MIN_MS)).toMatchObject({ kind: 'guidance', guidance: { challenge: 'blink' } });
  });

  it('does not restart the timer for the same decision (call answer, then its event)', () => {
    const s = applyOutcome(INITIAL_KIOSK_STATE, pass, 0);
    expect(applyOutcome(s, pass, 5000)).toBe(s);
    const refused: CheckOutcome = { kind: 'refused', checkId: 'c2', reason: 'unknown_face', redirect: null };
    expect(applyOutcome(s, refused, 5000)).toMatchObject({ decision: refused, decidedAt: 5000 });
  });
});

describe('kiosk texts', () => {
  it('say one instruction at a time, quality before liveness', () => {
    expect(guidanceText(null, zh)).toBe('请正对摄像头，进行人脸核验');
    expect(guidanceText(guidance({ quality: 'too_small', challenge: 'nod' }), zh)).toBe('距离太远，请靠近摄像头');
    expect(guidanceText(guidance({ challenge: 'blink' }), zh)).toBe('请眨眨眼');
    expect(guidanceText(guidance(), zh)).toBe('正在核验，请保持不动…');
  });

  it('have a Chinese message for every refusal, with the redirect when known', () => {
    for (const reason of REFUSAL_REASONS) {
      expect(refusalText({ kind: 'refused', checkId: 'x', reason, redirect: null }, zh)).toMatch(/[\u4e00-\u9fff]/);
    }
    expect(refusalText({ kind: 'refused', checkId: 'x', reason: 'wrong_room', redirect: seat }, zh)).toBe('这里不是您的评标室，请到3号评标室 A5号卡位');
    expect(refusalText({ kind: 'refused', checkId: 'x', reason: 'wrong_site', redirect: { ...seat, siteName: '东区交易中心' } }, zh)).toBe(
      '您今日不在本场地评标，请前往东区交易中心',
    );
    expect(refusalText({ kind: 'refused', checkId: 'x', reason: 'several_faces', redirect: null }, zh)).toBe('请一人一过');
  });
});

describe('manual open reason', () => {
  it('needs a preset; logs it in Chinese with the note', () => {
    expect(manualOpenReason(null, '随便写点')).toBeNull();
    expect(manualOpenReason(0, '')).toBe('设备故障人工核验');
    expect(manualOpenReason(1, ' 李科长带领 ')).toBe('工作人员陪同：李科长带领');
    expect(manualOpenReason(MANUAL_OPEN_OTHER, '短')).toBeNull();
    expect(manualOpenReason(MANUAL_OPEN_OTHER, '外卖送餐人员')).toBe('外卖送餐人员');
  });
});
