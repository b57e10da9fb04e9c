import { useCallback, useRef, useState } from 'react';
import type { BoothContract } from '@kawei/shared/contract/booth.contract.ts';
import type { ReviewView } from '@kawei/shared/contract/booth-review.ts';
import type { ApiError } from '@kawei/shared/errors.ts';
import { toApiError, type ApiConnection } from '@kawei/shared/ui/api-hooks.dom.tsx';
import { prelimKey } from './review-view.ts';

type Api = ApiConnection<BoothContract>['api'];

export interface VerdictEdit {
  readonly pass: boolean | null;
  /** Omitted: the stored reason stays. */
  readonly reason?: string;
}

export interface PreliminaryEdits {
  /** Set on screen, not yet confirmed by the services, by prelimKey. */
  readonly pending: ReadonlyMap<string, VerdictEdit>;
  /** The last failed save of a cell; cleared by its next successful save. */
  readonly errors: ReadonlyMap<string, ApiError>;
  readonly saving: boolean;
  readonly save: (bid: string, item: string, edit: VerdictEdit) => void;
}

interface Queue {
  running: boolean;
  next: VerdictEdit | null;
}

/**
 * Autosave of the preliminary verdicts, like the score sheet's: each change goes to savePreliminary
 * at once, one save per cell in flight, only the latest change counts; the answer (the whole review)
 * replaces the view. A failed save keeps the expert's verdict on screen with the error beside it.
 */
export function usePreliminary(api: Api, setReview: (review: ReviewView) => void): PreliminaryEdits {
  const [pending, setPending] = useState<ReadonlyMap<string, VerdictEdit>>(new Map());
  const [errors, setErrors] = useState<ReadonlyMap<string, ApiError>>(new Map());
  const [inFlight, setInFlight] = useState(0);
  const queues = useRef(new Map<string, Queue>());

  const drain = useCallback(
    async (bid: string, item: string, queue: Queue) => {
      const key = prelimKey(bid, item);
      queue.running = true;
      let failed: ApiError | null = null;
      while (queue.next) {
        const edit = queue.next;
        queue.next = null;
        setInFlight((n) => n + 1);
        try {
          setReview(await api.savePreliminary({ bid, item, pass: edit.pass, ...(edit.reason === undefined ? {} : { reason: edit.reason }) }));
          failed = null;
        } catch (thrown) {
          failed = toApiError(thrown);
        } finally {
          setInFlight((n) => n - 1);
        }
      }
      queue.running = false;
      setErrors((previous) => {
        const next = new Map(previous);
        if (failed) next.set(key, failed);
        else next.delete(key);
        return next;
      });
      if (!failed) {
        setPending((previous) => {
          const next = new Map(previous);
          next.delete(key);
          return next;
        });
      }
    },
    [api, setReview],
  );

  const save = useCallback(
    (bid: string, item: string, edit: VerdictEdit) => {
      const key = prelimKey(bid, item);
      setPending((previous) => {
        const next = new Map(previous);
        next.set(key, { pass: edit.pass, reason: edit.reason ?? previous.get(key)?.reason });
        return next;
      });
      let queue = queues.current.get(key);
      if (!queue) {
        queue = { running: false, next: null };
        queues.current.set(key, queue);
      }
      // A reason typed while a verdict is on its way is not lost, and vice versa.
      queue.next = { pass: edit.pass, reason: edit.reason ?? queue.next?.reason };
      if (!queue.running) void drain(bid, item, queue);
    },
    [drain],
  );

  return { pending, errors, saving: inFlight > 0, save };
}
