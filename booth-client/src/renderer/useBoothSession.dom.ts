import { useCallback, useEffect, useRef, useState } from 'react';
import type { BoothContract } from '@kawei/shared/contract/booth.contract.ts';
import type { BoothSession } from '@kawei/shared/contract/booth-session.ts';
import type { ApiError } from '@kawei/shared/errors.ts';
import { toApiError, useConnectionState, useEvent, type ApiConnection } from '@kawei/shared/ui/api-hooks.dom.tsx';

/** While getSession fails (services still starting), ask again this often. */
const RETRY_MS = 3000;

export interface BoothSessionView {
  /** null until the first answer. */
  readonly session: BoothSession | null;
  readonly error: ApiError | null;
  /** For calls that answer with a fresh session (logout), and for a frame whose phase differs. */
  readonly setSession: (session: BoothSession) => void;
  readonly refresh: () => void;
}

/**
 * The expert's session, kept current: asked for on mount and each time the host connection becomes
 * ready (events sent while it was away are lost), then replaced by every `session` event. An answer
 * that arrives after a newer event is ignored.
 */
export function useBoothSession(client: ApiConnection<BoothContract>): BoothSessionView {
  const [session, setSessionState] = useState<BoothSession | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [attempt, setAttempt] = useState(0);
  const version = useRef(0);
  const connection = useConnectionState(client.connection);

  const setSession = useCallback((next: BoothSession) => {
    version.current++;
    setSessionState(next);
    setError(null);
  }, []);

  const subscribe = useCallback((listener: (s: BoothSession) => void) => client.on('session', listener), [client]);
  useEvent(subscribe, setSession);

  const ready = connection.status === 'ready';
  useEffect(() => {
    if (!ready) return;
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const askedAt = version.current;
    client.api.getSession({}).then(
      (fresh) => {
        if (!cancelled && version.current === askedAt) setSession(fresh);
      },
      (reason: unknown) => {
        if (cancelled) return;
        setError(toApiError(reason));
        timer = setTimeout(() => setAttempt((n) => n + 1), RETRY_MS);
      },
    );
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [ready, client, setSession, attempt]);

  const refresh = useCallback(() => setAttempt((n) => n + 1), []);
  return { session, error, setSession, refresh };
}
