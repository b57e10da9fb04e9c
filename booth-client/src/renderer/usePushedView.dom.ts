import { useCallback, useEffect, useRef, useState } from 'react';
import type { BoothContract } from '@kawei/shared/contract/booth.contract.ts';
import type { ApiError } from '@kawei/shared/errors.ts';
import { toApiError, useConnectionState, useEvent, type ApiConnection } from '@kawei/shared/ui/api-hooks.dom.tsx';

type Client = ApiConnection<BoothContract>;

export interface PushedView<T> {
  /** null until the first answer (and while disabled). */
  readonly view: T | null;
  readonly error: ApiError | null;
  /** For calls that answer with a fresh view. */
  readonly setView: (view: T) => void;
  readonly refresh: () => void;
}

/**
 * A view the booth services push (the session, the review, the report), kept current the same way
 * for each: asked for (`get`) while enabled and each time the host connection becomes ready (events
 * sent while it was away are lost), asked again every `retryMs` while that fails, then replaced by
 * every event (`subscribe`). An answer older than a newer event is ignored; when disabled (a logout
 * before another expert's login) the view is dropped so nobody sees the previous expert's.
 * `get` and `subscribe` must be stable (module-level) functions.
 */
export function usePushedView<T>(
  client: Client,
  get: (client: Client) => Promise<T>,
  subscribe: (client: Client, listener: (view: T) => void) => () => void,
  { enabled, retryMs }: { enabled: boolean; retryMs: number },
): PushedView<T> {
  const [view, setViewState] = useState<T | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [attempt, setAttempt] = useState(0);
  const version = useRef(0);
  const connection = useConnectionState(client.connection);

  const setView = useCallback((next: T) => {
    version.current++;
    setViewState(next);
    setError(null);
  }, []);

  const subscribeClient = useCallback((listener: (v: T) => void) => subscribe(client, listener), [client, subscribe]);
  useEvent(subscribeClient, (next: T) => {
    if (enabled) setView(next);
  });

  const ready = connection.status === 'ready';
  useEffect(() => {
    if (!ready || !enabled) return;
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const askedAt = version.current;
    get(client).then(
      (fresh) => {
        if (!cancelled && version.current === askedAt) setView(fresh);
      },
      (reason: unknown) => {
        if (cancelled) return;
        setError(toApiError(reason));
        timer = setTimeout(() => setAttempt((n) => n + 1), retryMs);
      },
    );
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [ready, enabled, client, get, setView, attempt, retryMs]);

  useEffect(() => {
    if (!enabled) {
      version.current++;
      setViewState(null);
      setError(null);
    }
  }, [enabled]);

  const refresh = useCallback(() => setAttempt((n) => n + 1), []);
  return { view, error, setView, refresh };
}
