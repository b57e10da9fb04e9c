import { useCallback, useEffect, useRef, useState } from 'react';
import type { BoothContract } from '@kawei/shared/contract/booth.contract.ts';
import type { ScoreSheet } from '@kawei/shared/contract/booth-session.ts';
import type { ApiError } from '@kawei/shared/errors.ts';
import { toApiError, type ApiConnection } from '@kawei/shared/ui/api-hooks.dom.tsx';
import { cellKey } from './booth-view.ts';

type Api = ApiConnection<BoothContract>['api'];

export interface CellEdit {
  readonly value: number | null;
  /** Omitted: the stored note stays as it is. */
  readonly note?: string;
  /** A tier label (优/良/中/差) of the item; '' clears it; omitted: the stored tier stays. */
  readonly tier?: string;
}

export interface ScoreSheetView {
  readonly sheet: ScoreSheet | null;
  readonly loadError: ApiError | null;
  /** What the expert has set but the services have not confirmed yet, by cellKey. */
  readonly pending: ReadonlyMap<string, CellEdit>;
  /** The last failed save of a cell, by cellKey; cleared by its next successful save. */
  readonly errors: ReadonlyMap<string, ApiError>;
  readonly saving: boolean;
  readonly save: (bidder: string, criterion: string, edit: CellEdit) => void;
  readonly reload: () => void;
  readonly replace: (sheet: ScoreSheet) => void;
}

interface Queue {
  running: boolean;
  next: CellEdit | null;
}

/**
 * The score sheet with autosave: every change is sent to `saveScore` at once; one save per cell is
 * in flight, and a change made meanwhile is sent when it returns (only the latest counts). The
 * change shows at once; the services' answer (the whole sheet, problems included) replaces the
 * sheet. A failed save keeps the expert's value on screen with the error beside it.
 */
export function useScoreSheet(api: Api): ScoreSheetView {
  const [sheet, setSheet] = useState<ScoreSheet | null>(null);
  const [loadError, setLoadError] = useState<ApiError | null>(null);
  const [pending, setPending] = useState<ReadonlyMap<string, CellEdit>>(new Map());
  const [errors, setErrors] = useState<ReadonlyMap<string, ApiError>>(new Map());
  const [inFlight, setInFlight] = useState(0);
  const [attempt, setAttempt] = useState(0);
  const queues = useRef(new Map<string, Queue>());

  useEffect(() => {
    let cancelled = false;
    api.getScoreSheet({}).then(
      (fresh) => {
        if (cancelled) return;
        setSheet(fresh);
        setLoadError(null);
      },
      (thrown: unknown) => {
        if (!cancelled) setLoadError(toApiError(thrown));
      },
    );
    return () => {
      cancelled = true;
    };
  }, [api, attempt]);

  const drain = useCallback(
    async (bidder: string, criterion: string, queue: Queue) => {
      const key = cellKey(bidder, criterion);
      queue.running = true;
      let failed: ApiError | null = null;
      while (queue.next) {
        const edit = queue.next;
        queue.next = null;
        setInFlight((n) => n + 1);
        try {
          const fresh = await api.saveScore({
            bidder,
            criterion,
            value: edit.value,
            ...(edit.note === undefined ? {} : { note: edit.note }),
            ...(edit.tier === undefined ? {} : { tier: edit.tier }),
          });
          setSheet(fresh);
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
    [api],
  );

  const save = useCallback(
    (bidder: string, criterion: string, edit: CellEdit) => {
      const key = cellKey(bidder, criterion);
      setPending((previous) => {
        const next = new Map(previous);
        const before = previous.get(key);
        next.set(key, { value: edit.value, note: edit.note ?? before?.note, tier: edit.tier ?? before?.tier });
        return next;
      });
      let queue = queues.current.get(key);
      if (!queue) {
        queue = { running: false, next: null };
        queues.current.set(key, queue);
      }
      // A note typed while a value is on its way is not lost, and vice versa.
      queue.next = { value: edit.value, note: edit.note ?? queue.next?.note, tier: edit.tier ?? queue.next?.tier };
      if (!queue.running) void drain(bidder, criterion, queue);
    },
    [drain],
  );

  const reload = useCallback(() => setAttempt((n) => n + 1), []);
  return { sheet, loadError, pending, errors, saving: inFlight > 0, save, reload, replace: setSheet };
}
