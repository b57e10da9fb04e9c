import { useCallback, useEffect, useState } from 'react';
import type { GateContract } from '@kawei/shared/contract/gate.contract.ts';
import type { ApiError } from '@kawei/shared/errors.ts';
import type { ApiConnection } from '@kawei/shared/ui/api-hooks.dom.tsx';

/** No touch for this long and the monitor closes by itself: a kiosk is left alone in a corridor. */
export const STAFF_IDLE_MS = 5 * 60_000;

export type LogoutCause = 'user' | 'idle' | 'expired';

export interface StaffSession {
  /** In memory only: never stored, gone with a reload. */
  readonly token: string;
  readonly expiresAt: number;
}

export interface StaffSessionControl {
  readonly session: StaffSession | null;
  /** Why the last session ended (shown once on the login pad), null after a login. */
  readonly lastLogout: LogoutCause | null;
  /** Rejects with the ApiError (STAFF_PIN_WRONG, STAFF_LOCKED_OUT…). */
  readonly login: (pin: string) => Promise<void>;
  readonly logout: (cause: LogoutCause) => void;
  /** Forget why the last session ended (the pad was closed). */
  readonly dismissNotice: () => void;
  /** For staff calls: an expired session logs out; true when it did. */
  readonly handleStaffError: (error: ApiError) => boolean;
}

/** Codes that mean the token is no good any more. */
export function endsSession(error: ApiError): boolean {
  return error.code === 'STAFF_SESSION_EXPIRED' || error.code === 'UNAUTHORIZED';
}

/**
 * The gate staff's session: PIN → token (memory only), logout on 退出, after STAFF_IDLE_MS without a
 * touch, or as soon as a call says the session expired. Logging out tells the services too, best
 * effort: the token expires there anyway.
 */
export function useStaffSession(api: ApiConnection<GateContract>['api']): StaffSessionControl {
  const [session, setSession] = useState<StaffSession | null>(null);
  const [lastLogout, setLastLogout] = useState<LogoutCause | null>(null);

  const login = useCallback(
    async (pin: string) => {
      const out = await api.staffLogin({ pin });
      setSession({ token: out.staffToken, expiresAt: out.expiresAt });
      setLastLogout(null);
    },
    [api],
  );

  const logout = useCallback(
    (cause: LogoutCause) => {
      if (session && cause !== 'expired') void api.staffLogout({ staffToken: session.token }).catch(() => undefined);
      setSession(null);
      setLastLogout(cause);
    },
    [api, session],
  );

  const handleStaffError = useCallback(
    (error: ApiError) => {
      if (!endsSession(error)) return false;
      logout('expired');
      return true;
    },
    [logout],
  );

  useEffect(() => {
    if (!session) return;
    let timer = setTimeout(() => logout('idle'), STAFF_IDLE_MS);
    const touched = () => {
      clearTimeout(timer);
      timer = setTimeout(() => logout('idle'), STAFF_IDLE_MS);
    };
    const events = ['pointerdown', 'keydown', 'wheel'] as const;
    for (const name of events) window.addEventListener(name, touched, { capture: true, passive: true });
    return () => {
      clearTimeout(timer);
      for (const name of events) window.removeEventListener(name, touched, { capture: true });
    };
  }, [session, logout]);

  const dismissNotice = useCallback(() => setLastLogout(null), []);

  return { session, lastLogout, login, logout, dismissNotice, handleStaffError };
}
