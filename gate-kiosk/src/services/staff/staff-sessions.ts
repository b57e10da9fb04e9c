/**
 * Gate staff sign in with a PIN on the kiosk's on-screen keypad. The PIN is kept only as a scrypt
 * hash in the gate config; a session is a random token held in the renderer's memory, valid for a
 * short time and renewed by use. Five wrong PINs in a row lock the keypad for a minute: a kiosk in a
 * public corridor must not let anyone try PINs at leisure.
 */
import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { ApiError } from '@kawei/shared/errors.ts';

const SCRYPT = { N: 16384, r: 8, p: 1, keyLength: 32 } as const;

/** `scrypt$N$r$p$saltHex$hashHex`. */
export function hashStaffPin(pin: string, salt: Buffer = randomBytes(16)): string {
  if (!/^\d{4,8}$/.test(pin)) throw new Error('staff PIN must be 4–8 digits');
  const hash = scryptSync(pin, salt, SCRYPT.keyLength, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p });
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('hex')}$${hash.toString('hex')}`;
}

export function verifyStaffPin(pin: string, stored: string): boolean {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, r, p, saltHex, hashHex] = parts as [string, string, string, string, string, string];
  const expected = Buffer.from(hashHex, 'hex');
  if (expected.length === 0) return false;
  const actual = scryptSync(pin, Buffer.from(saltHex, 'hex'), expected.length, { N: Number(n), r: Number(r), p: Number(p) });
  return timingSafeEqual(actual, expected);
}

export interface StaffSessionOptions {
  now?: () => number;
  /** Idle time after which a session ends (renewed by every successful check). */
  ttlMs?: number;
  maxFailures?: number;
  lockoutMs?: number;
}

export class StaffSessions {
  private readonly sessions = new Map<string, number>();
  private failures = 0;
  private lockedUntil = 0;
  private readonly now: () => number;
  private readonly ttlMs: number;
  private readonly maxFailures: number;
  private readonly lockoutMs: number;

  constructor(
    private readonly pinHash: string | undefined,
    options: StaffSessionOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.ttlMs = options.ttlMs ?? 15 * 60_000;
    this.maxFailures = options.maxFailures ?? 5;
    this.lockoutMs = options.lockoutMs ?? 60_000;
  }

  login(pin: string): { staffToken: string; expiresAt: number } {
    const now = this.now();
    if (now < this.lockedUntil) throw new ApiError('STAFF_LOCKED_OUT', `locked out for ${Math.ceil((this.lockedUntil - now) / 1000)} s`);
    // No PIN configured: nobody can sign in (an installation without staff never opens the monitor).
    if (this.pinHash === undefined || !verifyStaffPin(pin, this.pinHash)) {
      this.failures++;
      if (this.failures >= this.maxFailures) {
        this.failures = 0;
        this.lockedUntil = now + this.lockoutMs;
        throw new ApiError('STAFF_LOCKED_OUT', `too many wrong PINs; locked for ${this.lockoutMs / 1000} s`);
      }
      throw new ApiError('STAFF_PIN_WRONG', 'wrong staff PIN');
    }
    this.failures = 0;
    const staffToken = randomBytes(24).toString('base64url');
    const expiresAt = now + this.ttlMs;
    this.sessions.set(staffToken, expiresAt);
    return { staffToken, expiresAt };
  }

  check(token: string): void {
    const now = this.now();
    const expiresAt = this.sessions.get(token);
    if (expiresAt === undefined || expiresAt <= now) {
      this.sessions.delete(token);
      throw new ApiError('STAFF_SESSION_EXPIRED', 'staff session expired or unknown');
    }
    this.sessions.set(token, now + this.ttlMs);
  }

  logout(token: string): void {
    this.sessions.delete(token);
  }
}
