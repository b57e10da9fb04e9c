import type { BoothContract } from '@kawei/shared/contract/booth.contract.ts';
import type { ReviewView } from '@kawei/shared/contract/booth-review.ts';
import type { ApiError } from '@kawei/shared/errors.ts';
import type { ApiConnection } from '@kawei/shared/ui/api-hooks.dom.tsx';
import { usePushedView } from './usePushedView.dom.ts';

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

const getReview = (client: ApiConnection<BoothContract>) => client.api.getReview({});
const onReview = (client: ApiConnection<BoothContract>, listener: (review: ReviewView) => void) => client.on('review', listener);

/**
 * The committee's review, kept current like the session (usePushedView): asked for when the expert
 * is at work, then replaced by every `review` event (a save, a signature, a message from the central).
 * A new expert (logout, then another login) never sees the previous one's review.
 */
export function useReview(client: ApiConnection<BoothContract>, enabled: boolean): ReviewState {
  const { view, error, setView, refresh } = usePushedView(client, getReview, onReview, { enabled, retryMs: RETRY_MS });
  return { review: view, error, setReview: setView, refresh };
}
