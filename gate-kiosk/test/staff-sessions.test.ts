import { describe, expect, it } from 'vitest';
import { ApiError } from '@kawei/shared/errors.ts';
import { StaffSessions, hashStaffPin, verifyStaffPin } from '../src/services/staff/staff-sessions.ts';

const HASH = hashStaffPin('246810');

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof ApiError ? e.code : 'not an ApiError';
  }
  return undefined;
}

describe('staff PIN', () => {
  it('is stored as a salted scrypt hash and verified in constant time', () => {
    expect(HASH).toMatch(/^scrypt\$16384\$8\$1\$[0-9a-f]{32}\$[0-9a-f]{64}$/);
    expect(HASH).not.toContain('246810');
    expect(hashStaffPin('246810')).not.toBe(HASH); // a fresh salt each time
    expect(verifyStaffPin('246810', HASH)).toBe(true);
    expect(verifyStaffPin('246811', HASH)).toBe(false);
    expect(verifyStaffPin('246810', 'plain')).toBe(false);
    expect(() => hashStaffPin('12a4')).toThrow();
  });
});

describe('staff sessions', () => {
  it('logs in, renews on use, expires when idle, logs out', () => {
    let now = 1_000_000;
    const s = new StaffSessions(HASH, { now: () => now, ttlMs: 60_000 });
    const { staffToken, expiresAt } = s.login('246810');
    expect(expiresAt).toBe(now + 60_000);
    now += 50_000;
    s.check(staffToken); // renewed to now + 60 s
    now += 50_000;
    expect(codeOf(() => s.check(staffToken))).toBeUndefined();
    now += 60_001;
    expect(codeOf(() => s.check(staffToken))).toBe('STAFF_SESSION_EXPIRED');
    const again = s.login('246810').staffToken;
    s.logout(again);
    expect(codeOf(() => s.check(again))).toBe('STAFF_SESSION_EXPIRED');
  });

  it('locks the keypad after five wrong PINs, then lets the right PIN in after the lock-out', () => {
    let now = 0;
    const s = new StaffSessions(HASH, { now: () => now, maxFailures: 5, lockoutMs: 60_000 });
    for (let i = 0; i < 4; i++) expect(codeOf(() => s.login('000000'))).toBe('STAFF_PIN_WRONG');
    expect(codeOf(() => s.login('000000'))).toBe('STAFF_LOCKED_OUT');
    expect(codeOf(() => s.login('246810'))).toBe('STAFF_LOCKED_OUT');
    now += 60_000;
    expect(codeOf(() => s.login('246810'))).toBeUndefined();
  });

  it('lets nobody in when no PIN is configured', () => {
    const s = new StaffSessions(undefined);
    expect(codeOf(() => s.login('246810'))).toBe('STAFF_PIN_WRONG');
  });
});
