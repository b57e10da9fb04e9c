import { useCallback, useEffect, useState } from 'react';
import type { BoothContract } from '@kawei/shared/contract/booth.contract.ts';
import type { ScoreSheet } from '@kawei/shared/contract/booth-session.ts';
import type { ApiError } from '@kawei/shared/errors.ts';
import { toApiError, type ApiConnection } from '@kawei/shared/ui/api-hooks.dom.tsx';
import { cellKey } from './booth-view.ts';
import { useCellAutosave } from './useCellAutosave.dom.ts';

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

/** Keeps the note and tier an edit leaves out (a note typed while its value is on its way is not lost). */
const mergeCell = (earlier: CellEdit | undefined, edit: CellEdit): CellEdit => ({
  value: edit.value,
  note: edit.note ?? earlier?.note,
  tier: edit.tier ?? earlier?.tier,
});

/**
 * The score sheet with autosave: every change is sent to `saveScore` at once; one save per cell is
 * in flight, and a change made meanwhile is sent when it returns (only the latest counts). The
 * change shows at once; the services' answer (the whole sheet, problems included) replaces the
 * sheet. A failed save keeps the expert's value on screen with the error beside it.
 */
export function useScoreSheet(api: Api): ScoreSheetView {
  const [sheet, setSheet] = useState<ScoreSheet | null>(null);
  const [loadError, setLoadError] = useState<ApiError | null>(null);
  const [attempt, setAttempt] = useState(0);
  const { pending, errors, saving, save: saveCell } = useCellAutosave<CellEdit>(mergeCell);

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

  const save = useCallback(
    (bidder: string, criterion: string, edit: CellEdit) =>
      saveCell(cellKey(bidder, criterion), edit, async (e) => {
        setSheet(
          await api.saveScore({
            bidder,
            criterion,
            value: e.value,
            ...(e.note === undefined ? {} : { note: e.note }),
            ...(e.tier === undefined ? {} : { tier: e.tier }),
          }),
        );
      }),
    [api, saveCell],
  );

  const reload = useCallback(() => setAttempt((n) => n + 1), []);
  return { sheet, loadError, pending, errors, saving, save, reload, replace: setSheet };
}
