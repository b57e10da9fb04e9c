import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { ApiError } from '../errors.ts';
import type { ConnectionState, Observable } from './api-client.dom.ts';

/*
 * Re-exported so apps can reach the client through the package path: shared's export map sends
 * `@kawei/shared/ui/*` to `*.tsx`, which `api-client.dom.ts` is not.
 */
export {
  connectApi,
  type ApiConnection,
  type ConnectionState,
  type ConnectionFailure,
  type Observable,
} from './api-client.dom.ts';

export function useObservable<T>(observable: Observable<T>): T {
  return useSyncExternalStore(observable.subscribe, observable.get);
}

export function useConnectionState(connection: Observable<ConnectionState>): ConnectionState {
  return useObservable(connection);
}

/** Subscribes for the component's lifetime; the latest `listener` is called without resubscribing. */
export function useEvent<P>(
  subscribe: (listener: (payload: P) => void) => () => void,
  listener: (payload: P) => void,
): void {
  const latest = useRef(listener);
  useEffect(() => {
    latest.current = listener;
  });
  useEffect(() => subscribe((payload) => latest.current(payload)), [subscribe]);
}

/** Turns anything thrown by a call into an ApiError, so the UI always has a code to translate. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  return new ApiError('INTERNAL', error instanceof Error ? error.message : String(error));
}

/**
 * What both apps' contracts have in common: a `getStatus` call and a `status` event of the same type.
 * Typed structurally so one hook serves the booth and the gate.
 */
export interface DeviceStatusSource<S> {
  readonly api: { getStatus(input: Record<string, never>): Promise<S> };
  on(event: 'status', listener: (status: S) => void): () => void;
  readonly connection: Observable<ConnectionState>;
}

export interface DeviceStatusView<S> {
  /** null until the first answer. */
  readonly status: S | null;
  /** Why the last getStatus failed; cleared by the next status. */
  readonly error: ApiError | null;
  /** For calls that return a fresh status (enrol, checkLink). */
  readonly setStatus: (status: S) => void;
  /** Ask again, e.g. from a "retry" button after an error. */
  readonly reload: () => void;
}

/**
 * The device's status, kept current: asked for on mount and again each time the transport becomes
 * ready (events sent while the host was away are lost), then updated by `status` events. A getStatus
 * answer that arrives after a newer event is ignored.
 */
export function useDeviceStatus<S>(source: DeviceStatusSource<S>): DeviceStatusView<S> {
  const [status, setStatusState] = useState<S | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const version = useRef(0);
  const [attempt, setAttempt] = useState(0);
  const connection = useConnectionState(source.connection);

  const setStatus = useCallback((next: S) => {
    version.current++;
    setStatusState(next);
    setError(null);
  }, []);

  const subscribe = useCallback((listener: (s: S) => void) => source.on('status', listener), [source]);
  useEvent(subscribe, setStatus);

  const ready = connection.status === 'ready';
  useEffect(() => {
    if (!ready) return;
    let cancelled = false;
    const askedAt = version.current;
    source.api.getStatus({}).then(
      (fresh) => {
        if (!cancelled && version.current === askedAt) setStatus(fresh);
      },
      (reason: unknown) => {
        if (!cancelled) setError(toApiError(reason));
      },
    );
    return () => {
      cancelled = true;
    };
  }, [ready, source, setStatus, attempt]);

  const reload = useCallback(() => setAttempt((n) => n + 1), []);
  return { status, error, setStatus, reload };
}
