import { useCallback, useEffect, useRef, useState } from 'react';
import type { BoothContract } from '@kawei/shared/contract/booth.contract.ts';
import type { ReviewView } from '@kawei/shared/contract/booth-review.ts';
import type { ApiError } from '@kawei/shared/errors.ts';
import { toApiError, useConnectionState, useEvent, type ApiConnection } from '@kawei/shared/ui/api-hooks.dom.tsx';

/** While getReview fails (services starting, no project yet), ask again this often. */
const RETRY_MS = 5000;

export interface ReviewState {
  /** null until the first answer (and while the review cannot be read: the workspace shows the score sheet as before). */
  readonly review: ReviewView | null;
  readonly error: ApiError | null;
  /** For calls that answer with a fresh view (votes, verdicts, the chair's steps). */
  readonly setReview: (review: ReviewView) => void;
  readonly refresh: () => void;
}

/**
 * The committee's review, kept current like the session: asked for when the expert is at work and
 * each time the host connection becomes ready, then replaced by every `review` event (a save, a
 * signature, a message from the central). An answer older than a newer event is ignored.
 */
export function useReview(client: ApiConnection<BoothContract>, enabled: boolean): ReviewState {
  const [review, setReviewState] = useState<ReviewView | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [attempt, setAttempt] = useState(0);
  const version = useRef(0);
  const connection = useConnectionState(client.connection);

  const setReview = useCallback((next: ReviewView) => {
    version.current++;
    setReviewState(next);
    setError(null);
  }, []);

  const subscribe = useCallback((listener: (r: ReviewView) => void) => client.on('review', listener), [client]);
  useEvent(subscribe, (next: ReviewView) => {
    if (enabled) setReview(next);
  });

  const ready = connection.status === 'ready';
  useEffect(() => {
    if (!ready || !enabled) return;
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const askedAt = version.current;
    client.api.getReview({}).then(
      (fresh) => {
        if (!cancelled && version.current === askedAt) setReview(fresh);
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
  }, [ready, enabled, client, setReview, attempt]);

  // A new expert (logout, then another login) never sees the previous one's review.
  useEffect(() => {
    if (!enabled) {
      version.current++;
      setReviewState(null);
      setError(null);
    }
  }, [enabled]);

  const refresh = useCallback(() => setAttempt((n) => n + 1), []);
  return { review, error, setReview, refresh };
}
