import { useCallback, useRef, useState } from 'react';
import type { ApiError } from '@kawei/shared/errors.ts';
import { toApiError } from '@kawei/shared/ui/api-hooks.dom.tsx';

export interface CellAutosave<Edit> {
  /** What the expert has set but the services have not confirmed yet, by cell key. */
  readonly pending: ReadonlyMap<string, Edit>;
  /** The last failed save of a cell, by cell key; cleared by its next successful save. */
  readonly errors: ReadonlyMap<string, ApiError>;
  readonly saving: boolean;
  /** Shows `edit` at once and sends it with `send` (the services' answer is the caller's to apply). */
  readonly save: (key: string, edit: Edit, send: (edit: Edit) => Promise<void>) => void;
}

interface Queue<Edit> {
  running: boolean;
  next: Edit | null;
  send: (edit: Edit) => Promise<void>;
}

/**
 * Autosave per cell, for the score sheet and the preliminary review alike: every change is sent at
 * once; one save per cell is in flight, and a change made meanwhile is sent when it returns (only the
 * latest counts). `merge(earlier, edit)` keeps what an edit leaves out — a note typed while its value
 * is on its way is not lost, and vice versa. A failed save keeps the expert's edit pending on screen
 * with the error beside it.
 */
export function useCellAutosave<Edit>(merge: (earlier: Edit | undefined, edit: Edit) => Edit): CellAutosave<Edit> {
  const [pending, setPending] = useState<ReadonlyMap<string, Edit>>(new Map());
  const [errors, setErrors] = useState<ReadonlyMap<string, ApiError>>(new Map());
  const [inFlight, setInFlight] = useState(0);
  const queues = useRef(new Map<string, Queue<Edit>>());
  const mergeRef = useRef(merge);
  mergeRef.current = merge;

  const drain = useCallback(async (key: string, queue: Queue<Edit>) => {
    queue.running = true;
    let failed: ApiError | null = null;
    while (queue.next) {
      const edit = queue.next;
      queue.next = null;
      setInFlight((n) => n + 1);
      try {
        await queue.send(edit);
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
  }, []);

  const save = useCallback(
    (key: string, edit: Edit, send: (edit: Edit) => Promise<void>) => {
      setPending((previous) => {
        const next = new Map(previous);
        next.set(key, mergeRef.current(previous.get(key), edit));
        return next;
      });
      let queue = queues.current.get(key);
      if (!queue) {
        queue = { running: false, next: null, send };
        queues.current.set(key, queue);
      }
      queue.send = send;
      queue.next = mergeRef.current(queue.next ?? undefined, edit);
      if (!queue.running) void drain(key, queue);
    },
    [drain],
  );

  return { pending, errors, saving: inFlight > 0, save };
}
